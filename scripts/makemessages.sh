#!/usr/bin/env bash
# Refresh every app's Chinese catalogue (<app>/locale/zh_Hans/LC_MESSAGES/django.po) from the code.
# Sub-apps keep their own catalogue, so each parent skips its sub-apps' folders.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH="$ROOT"
# The folder being scanned must not shadow an app of the same name: Celery's Django fixup puts the working folder
# first on sys.path, so the apps are imported before it runs.
ADMIN=("$ROOT/.venv/bin/python" -P -c 'import permits, runpy, sys; sys.argv[0] = "django"; runpy.run_module("django", run_name="__main__")')
refresh() {  # folder, extra makemessages args...
  local dir="$1"; shift
  (cd "$ROOT/$dir" && mkdir -p locale && "${ADMIN[@]}" makemessages -l zh_Hans --no-obsolete -v0 --ignore=locale "$@")
}
refresh config
refresh requests_app
refresh open311
refresh routing
refresh staffing
refresh contacts
refresh permits
refresh frontend --ignore=staff --ignore=public --ignore=permit_pages
refresh frontend/staff
refresh frontend/public
refresh integrations
refresh frontend/permit_pages
echo "Catalogues refreshed; fill in the empty msgstr entries, then 'make test' checks none is left."
