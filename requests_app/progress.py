"""Progress for long-running commands: a bar on a terminal, a line every 10% in logs and CI."""

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label = max(total, 0), label
        self.stream = stream or sys.stdout
        self.done = 0
        self.started = time.monotonic()
        self._last_decile = -1
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def advance(self, n: int = 1) -> None:
        self.done += n
        fraction = self.done / self.total if self.total else 1.0
        if self._tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r{self.label}: [{bar:<30}] {self.done}/{self.total}")
            self.stream.flush()
        elif int(fraction * 10) > self._last_decile:
            self._last_decile = int(fraction * 10)
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({fraction:.0%})\n")
            self.stream.flush()

    def finish(self) -> float:
        elapsed = time.monotonic() - self.started
        if self._tty:
            self.stream.write("\n")
        self.stream.write(f"{self.label}: done, {self.done} in {elapsed:.1f}s\n")
        self.stream.flush()
        return elapsed
