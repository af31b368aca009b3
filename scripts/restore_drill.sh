#!/usr/bin/env bash
# Restore drill: back up Kefu's PostgreSQL database and its attachments the way docs/deploy.md
# says, restore both into scratch places, and prove the copy is whole. Run it regularly (and
# after every change to the backup job): a backup never restored is a hope, not a backup.
#
#   scripts/restore_drill.sh [SOURCE_DATABASE_URL] [MEDIA_DIR]
#
# SOURCE_DATABASE_URL  default: $DATABASE_URL   (postgres://user@host:port/name)
# MEDIA_DIR            default: $KEFU_VAR/media  (attachments on the local file system; with
#                      S3 storage, see docs/deploy.md: the bucket is versioned instead)
# DRILL_KEEP=1         keep the scratch database and files for a look afterwards
#
# It never writes to the source: pg_dump reads a consistent snapshot; the restore goes to
# "<name>_restore_drill" on the same server (dropped first, and at the end unless DRILL_KEEP).
# Exit 0 and "restore drill: PASS" when every table's row count, the latest ticket and every
# attachment's SHA-256 match; non-zero otherwise.
set -euo pipefail

SRC="${1:-${DATABASE_URL:?give SOURCE_DATABASE_URL or set DATABASE_URL}}"
MEDIA="${2:-${KEFU_VAR:-var}/media}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kefu-restore-drill.XXXXXX")"
base="${SRC%/*}"
name="${SRC##*/}"
name="${name%%\?*}"
scratch="${name}_restore_drill"
DST="${base}/${scratch}"
admin="${base}/postgres"
t0=$(date +%s)

cleanup() {
  if [[ "${DRILL_KEEP:-}" != "1" ]]; then
    psql "$admin" -qtAc "DROP DATABASE IF EXISTS \"${scratch}\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  else
    echo "kept: database ${scratch}, files in ${WORK}"
  fi
}
trap cleanup EXIT

echo "== 1. back up: pg_dump (custom format) of ${name}, tar of ${MEDIA}"
pg_dump --format=custom --compress=6 --no-owner --file="$WORK/kefu.dump" "$SRC"
if [[ -d "$MEDIA" ]]; then
  tar -C "$MEDIA" -czf "$WORK/media.tar.gz" .
  (cd "$MEDIA" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$WORK/media.sha256"
else
  echo "   (no attachments folder at ${MEDIA}: nothing to back up there)"
  : >"$WORK/media.sha256"
fi
ls -l "$WORK"

echo "== 2. restore into the scratch database ${scratch}"
psql "$admin" -qtAc "DROP DATABASE IF EXISTS \"${scratch}\" WITH (FORCE)" >/dev/null
psql "$admin" -qtAc "CREATE DATABASE \"${scratch}\"" >/dev/null
pg_restore --no-owner --jobs=2 --dbname="$DST" "$WORK/kefu.dump"
mkdir -p "$WORK/media"
if [[ -s "$WORK/media.sha256" ]]; then
  tar -C "$WORK/media" -xzf "$WORK/media.tar.gz"
fi

echo "== 3. compare"
count_rows() {
  psql "$1" -qtAc "
    SELECT string_agg(format('%s=%s', t, (xpath('/row/c/text()',
             query_to_xml(format('SELECT count(*) AS c FROM %I', t), false, true, '')))[1]::text), ' '
             ORDER BY t)
    FROM unnest(ARRAY(SELECT tablename FROM pg_tables WHERE schemaname = 'public')) AS t"
}
before="$(count_rows "$SRC")"
after="$(count_rows "$DST")"
if [[ "$before" != "$after" ]]; then
  diff <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") || true
  echo "restore drill: FAIL (row counts differ)"
  exit 1
fi
echo "   row counts match in $(wc -w <<<"$before") tables"
latest="SELECT coalesce(max(id), 0) || ' ' || coalesce(max(number), '') FROM tickets_ticket"
if [[ "$(psql "$SRC" -qtAc "$latest")" != "$(psql "$DST" -qtAc "$latest")" ]]; then
  echo "restore drill: FAIL (latest ticket differs)"
  exit 1
fi
echo "   latest ticket: $(psql "$DST" -qtAc "$latest")"
(cd "$WORK/media" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$WORK/restored.sha256"
if ! cmp -s "$WORK/media.sha256" "$WORK/restored.sha256"; then
  echo "restore drill: FAIL (attachments differ)"
  exit 1
fi
echo "   attachments: $(wc -l <"$WORK/media.sha256") files, every SHA-256 matches"
# The restored database is one this release of Kefu runs on: migrate (a no-op when the backup
# came from the same release; post_migrate re-creates derived search indexes), then search.
export DATABASE_URL="$DST" KEFU_VAR="$WORK/var" PYTHONPATH="$HERE/src" DJANGO_SETTINGS_MODULE=kefu.settings
PY="${PYTHON:-$HERE/.venv/bin/python}"
"$PY" -m kefu.cli manage migrate --noinput -v0
"$PY" - <<'PYEOF'
import django

django.setup()
from kefu import search
from kefu.tickets.models import Ticket

found = search.fts_filter(Ticket.objects.all(), "冰箱", fts_table="tickets_ticket_fts").count()
print(f"   migrations complete; full-text search answers ({found} tickets mention 冰箱)")
PYEOF
echo "restore drill: PASS in $(($(date +%s) - t0)) s (dump $(du -h "$WORK/kefu.dump" | cut -f1))"
