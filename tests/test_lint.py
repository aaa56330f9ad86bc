"""The tree is clean under ruff's rules ([tool.ruff] in pyproject.toml: pycodestyle, pyflakes, import sorting,
bugbear, Django and pyupgrade) and its formatter, so a review reads the change, not the whitespace."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = str(Path(sys.executable).parent / "ruff")


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([RUFF, *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_the_tree_passes_the_lint_rules():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tree_is_formatted():
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_catch_an_unsorted_import_and_an_unused_name(tmp_path):
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sloppy.py").write_text("import sys\nimport os\n\n\ndef f():\n    x = 1\n", encoding="utf-8")

    result = _ruff("check", "--no-cache", ".", cwd=tmp_path)

    assert result.returncode == 1
    assert "I001" in result.stdout and "F841" in result.stdout
