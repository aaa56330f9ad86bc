import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.rglob("locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def _app(catalogue: Path) -> str:
    return str(catalogue.relative_to(ROOT).parents[3])


def test_chinese_ships_for_every_app_with_strings():
    assert {_app(p) for p in CATALOGUES} >= {"requests_app", "routing", "contacts", "frontend", "config"}


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=_app)
def test_every_string_has_a_chinese_translation(catalogue):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
