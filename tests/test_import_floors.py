"""The floors point one way ([tool.importlinter] in pyproject.toml): a module imports only from its own floor or
below, so the request domain never reaches into routing or contacts, nor the domain into a page or the API."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=folder, capture_output=True, text=True, check=False)


def test_no_module_imports_from_a_floor_above_its_own():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_from_a_floor_above_breaks_the_contract(tmp_path):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for package in config["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates", "data"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "requests_app" / "upward.py").write_text("from routing.models import Department\n", encoding="utf-8")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    assert "requests_app is not allowed to import routing" in result.stdout
