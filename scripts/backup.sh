#!/usr/bin/env bash
# Back up Civic311: the database (pg_dump, custom format), the public media, the private originals of photos
# and the permit applicants' documents (kept apart from the media), into one folder; media in an S3 bucket
# (MEDIA_S3_BUCKET) are left to the object store's own backups.
#   scripts/backup.sh [FOLDER]        default: backups/<UTC timestamp>
# Uses DATABASE_URL, DJANGO_MEDIA_ROOT and DJANGO_PRIVATE_MEDIA_ROOT from the environment, else what `make run` set up (.state/env).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# What `make run` set up, unless the caller named a database itself.
if [ -z "${DATABASE_URL:-}" ] && [ -f "$ROOT/.state/env" ]; then set -a; . "$ROOT/.state/env"; set +a; fi
: "${DATABASE_URL:?DATABASE_URL is not set and .state/env is missing: run make run once}"
MEDIA="${DJANGO_MEDIA_ROOT:-$ROOT/.state/media}"
PRIVATE="${DJANGO_PRIVATE_MEDIA_ROOT:-$ROOT/.state/private}"
DOCUMENTS="${PERMIT_DOCUMENTS_ROOT:-$ROOT/.state/permit-documents}"
OUT="${1:-$ROOT/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
PGURL="postgresql://${DATABASE_URL#*://}"
echo "Backing up the database to $OUT/database.dump"
pg_dump --format=custom --no-owner --no-privileges --file "$OUT/database.dump" "$PGURL"
if [ -n "${MEDIA_S3_BUCKET:-}" ]; then
  # Media in a bucket are backed up where they live, by the object store's own tools (versioning, replication,
  # its snapshots): README "Media on object storage". The backup records which bucket the dump's files are in.
  echo "Media are in the bucket $MEDIA_S3_BUCKET: back it up with the object store's tools (not copied here)"
  echo "$MEDIA_S3_BUCKET" > "$OUT/media-in-bucket"
  ( cd "$OUT" && sha256sum database.dump media-in-bucket > SHA256SUMS )
else
  echo "Backing up media from $MEDIA to $OUT/media.tar.gz"
  mkdir -p "$MEDIA"
  tar -C "$MEDIA" -czf "$OUT/media.tar.gz" .
  echo "Backing up original photos from $PRIVATE to $OUT/private.tar.gz"
  mkdir -p "$PRIVATE"
  tar -C "$PRIVATE" -czf "$OUT/private.tar.gz" .
  echo "Backing up permit documents from $DOCUMENTS to $OUT/permit-documents.tar.gz"
  mkdir -p "$DOCUMENTS"
  tar -C "$DOCUMENTS" -czf "$OUT/permit-documents.tar.gz" .
  chmod 600 "$OUT/private.tar.gz" "$OUT/permit-documents.tar.gz"
  ( cd "$OUT" && sha256sum database.dump media.tar.gz private.tar.gz permit-documents.tar.gz > SHA256SUMS )
fi
echo "Backup complete: $OUT"
