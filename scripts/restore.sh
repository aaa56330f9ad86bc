#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database of DATABASE_URL and the media folders.
#   scripts/restore.sh FOLDER
# Stop the web server and workers first (make stop): the database is replaced, not merged.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# What `make run` set up, unless the caller named a database itself.
if [ -z "${DATABASE_URL:-}" ] && [ -f "$ROOT/.state/env" ]; then set -a; . "$ROOT/.state/env"; set +a; fi
IN="${1:?usage: scripts/restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL is not set and .state/env is missing}"
MEDIA="${DJANGO_MEDIA_ROOT:-$ROOT/.state/media}"
PRIVATE="${DJANGO_PRIVATE_MEDIA_ROOT:-$ROOT/.state/private}"
DOCUMENTS="${PERMIT_DOCUMENTS_ROOT:-$ROOT/.state/permit-documents}"
( cd "$IN" && sha256sum --check --quiet SHA256SUMS ) || { echo "Backup files do not match their checksums" >&2; exit 1; }
PGURL="postgresql://${DATABASE_URL#*://}"
DBNAME="${PGURL##*/}"; DBNAME="${DBNAME%%\?*}"
ADMINURL="${PGURL%/*}/postgres"
echo "Recreating database $DBNAME"
psql -q -v ON_ERROR_STOP=1 "$ADMINURL" -c "DROP DATABASE IF EXISTS \"$DBNAME\" WITH (FORCE)" -c "CREATE DATABASE \"$DBNAME\""
echo "Restoring the database"
# The dump carries CREATE EXTENSION postgis itself; template1 may already have it, so let the dump decide.
psql -q -v ON_ERROR_STOP=1 "$PGURL" -c "DROP EXTENSION IF EXISTS postgis CASCADE"
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$PGURL" "$IN/database.dump"
if [ -f "$IN/media-in-bucket" ]; then
  # The bucket is restored, if at all, with the object store's tools, to the time of the dump; the ledger replay
  # below deletes from it again the photos of words withdrawn since.
  echo "Media are in the bucket $(cat "$IN/media-in-bucket"): not touched here"
else
  echo "Restoring media into $MEDIA"
  mkdir -p "$MEDIA"
  find "$MEDIA" -mindepth 1 -delete
  tar -C "$MEDIA" -xzf "$IN/media.tar.gz"
  if [ -f "$IN/private.tar.gz" ]; then  # backups made before originals were kept privately have none
    echo "Restoring original photos into $PRIVATE"
    mkdir -p "$PRIVATE"
    find "$PRIVATE" -mindepth 1 -delete
    tar -C "$PRIVATE" -xzf "$IN/private.tar.gz"
  fi
  if [ -f "$IN/permit-documents.tar.gz" ]; then  # backups made before permits had documents have none
    echo "Restoring permit documents into $DOCUMENTS"
    mkdir -p "$DOCUMENTS"
    find "$DOCUMENTS" -mindepth 1 -delete
    tar -C "$DOCUMENTS" -xzf "$IN/permit-documents.tar.gz"
  fi
fi
# The backup may be older than some erasures: erase those contacts (and withdrawn words) again.
echo "Replaying the erasure ledger"
( cd "$ROOT" && "${PYTHON:-$ROOT/.venv/bin/python}" manage.py replay_erasures )
echo "Restore complete"
