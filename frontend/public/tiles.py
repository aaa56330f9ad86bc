"""Web-Mercator tile arithmetic (z/x/y, as every web map numbers its tiles)."""

import math
from dataclasses import dataclass

MAX_ZOOM = 20


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    def __post_init__(self):
        if not 0 <= self.z <= MAX_ZOOM or not (0 <= self.x < 2**self.z and 0 <= self.y < 2**self.z):
            raise ValueError(f"no tile {self.z}/{self.x}/{self.y}")

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        n = 2**self.z

        def lat(y):
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

        return self.x / n * 360 - 180, lat(self.y + 1), (self.x + 1) / n * 360 - 180, lat(self.y)


def tile_for(lon: float, lat: float, z: int) -> Tile:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return Tile(z, min(max(x, 0), n - 1), min(max(y, 0), n - 1))
