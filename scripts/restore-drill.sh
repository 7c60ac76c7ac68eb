#!/usr/bin/env bash
# Backup, restore and the restore drill for banhao's database and uploaded files (docs/operations.md).
#
#   scripts/restore-drill.sh backup  DIR                 # the database and the media into DIR
#   scripts/restore-drill.sh restore DIR TARGET_URL MEDIA_DIR   # into an EMPTY database and media directory
#   scripts/restore-drill.sh verify  DIR TARGET_URL MEDIA_DIR    # compare a restore with the backup's figures
#   scripts/restore-drill.sh drill   [DIR]               # backup, restore into fresh copies, verify
#
# The database is DATABASE_URL (default: the SQLite file var/banhao.sqlite3) and the media the
# directory BANHAO_MEDIA_ROOT (default: var/media), as for the platform itself.
#   SQLite      an online copy through SQLite's backup API (consistent while the server runs).
#   PostgreSQL  pg_dump --format=custom (consistent while the server runs); restored with
#               pg_restore into a database that the drill creates and drops on the same server.
#   media       a tar archive and a SHA-256 list of every file.
# The drill restores into a fresh database and a fresh directory, then compares the row count
# of every table and the checksum of every file; it exits non-zero on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
export DJANGO_SETTINGS_MODULE="${DRILL_SETTINGS:-config.settings.dev}"
DEFAULT_DB="sqlite:///$PWD/var/banhao.sqlite3"
SOURCE_URL="${DATABASE_URL:-$DEFAULT_DB}"
MEDIA="${BANHAO_MEDIA_ROOT:-$PWD/var/media}"

say() { printf '==> %s\n' "$*"; }
die() { printf 'restore-drill: %s\n' "$*" >&2; exit 1; }

# engine and name (file path / database name) of a database URL, from django-environ.
db_field() {
  "$PY" - "$1" "$2" <<'PY'
import sys, environ
cfg = environ.Env.db_url_config(sys.argv[1])
print({"engine": cfg["ENGINE"].rsplit(".", 1)[-1], "name": cfg["NAME"]}[sys.argv[2]])
PY
}

row_counts() {  # JSON {table: rows} of the database at URL $1
  DATABASE_URL="$1" "$PY" manage.py db_row_counts
}

media_sums() {  # "sha256  relative/path" for every file under $1, sorted
  if [ -d "$1" ]; then (cd "$1" && find . -type f -print0 | sort -z | xargs -0r sha256sum); fi
}

backup() {
  local out="$1" engine
  mkdir -p "$out"
  engine="$(db_field "$SOURCE_URL" engine)"
  case "$engine" in
    sqlite3)
      local file; file="$(db_field "$SOURCE_URL" name)"
      [ -f "$file" ] || die "no SQLite database at $file"
      "$PY" - "$file" "$out/database.sqlite3" <<'PY'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)  # an online, consistent copy (WAL included)
dst.close(); src.close()
PY
      ;;
    postgresql)
      pg_dump --format=custom --no-owner --no-privileges --dbname="$SOURCE_URL" --file="$out/database.pgdump"
      ;;
    *) die "unsupported database engine: $engine" ;;
  esac
  if [ -d "$MEDIA" ]; then tar -C "$MEDIA" -czf "$out/media.tar.gz" .; else tar -czf "$out/media.tar.gz" -T /dev/null; fi
  media_sums "$MEDIA" > "$out/media.sha256"
  row_counts "$SOURCE_URL" > "$out/row-counts.json"
  {
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "engine=$engine"
    echo "git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  } > "$out/MANIFEST"
  say "backup written to $out ($(du -sh "$out" | cut -f1))"
}

restore() {
  local dir="$1" target="$2" media_dir="$3" engine
  [ -f "$dir/MANIFEST" ] || die "$dir is not a backup (no MANIFEST)"
  engine="$(db_field "$target" engine)"
  case "$engine" in
    sqlite3)
      local file; file="$(db_field "$target" name)"
      [ -e "$file" ] && die "refusing to overwrite $file: restore into a new file"
      [ -f "$dir/database.sqlite3" ] || die "the backup holds no SQLite database"
      mkdir -p "$(dirname "$file")"
      cp "$dir/database.sqlite3" "$file"
      ;;
    postgresql)
      [ -f "$dir/database.pgdump" ] || die "the backup holds no PostgreSQL dump"
      local tables
      tables="$(psql "$target" -Atc "select count(*) from pg_tables where schemaname = 'public'")"
      [ "$tables" = "0" ] || die "refusing to restore into a database that has tables: use an empty one"
      pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target" "$dir/database.pgdump"
      ;;
    *) die "unsupported database engine: $engine" ;;
  esac
  if [ -d "$media_dir" ] && [ -n "$(ls -A "$media_dir")" ]; then
    die "refusing to restore media into the non-empty directory $media_dir"
  fi
  mkdir -p "$media_dir"
  tar -C "$media_dir" -xzf "$dir/media.tar.gz"
  say "restored into $target and $media_dir"
}

verify() {  # the restored database and media against the figures recorded at backup time
  local dir="$1" target="$2" media_dir="$3" check
  check="$(mktemp -d "${TMPDIR:-/tmp}/banhao-verify.XXXXXX")"
  say "comparing row counts and media checksums"
  row_counts "$target" > "$check/restored-counts.json"
  media_sums "$media_dir" > "$check/restored-media.sha256"
  local rc=0
  "$PY" - "$dir/row-counts.json" "$check/restored-counts.json" "$dir/media.sha256" "$check/restored-media.sha256" <<'PY' || rc=$?
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
media_before, media_after = (open(p).read().splitlines() for p in sys.argv[3:5])
bad = [f"{t}: {before.get(t)} -> {after.get(t)}" for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]
if media_before != media_after:
    bad.append(f"media: {len(media_before)} files backed up, {len(media_after)} restored or differing")
if bad:
    print("restore drill FAILED:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"restore drill passed: {len(after)} tables, {sum(after.values())} rows, {len(media_after)} media files identical")
PY
  rm -rf "$check"
  return "$rc"
}

drill() {
  local dir="${1:-}" engine target
  work="$(mktemp -d "${TMPDIR:-/tmp}/banhao-drill.XXXXXX")"  # global: the EXIT trap reads it
  created_db=""
  [ -n "$dir" ] || dir="$work/backup"
  engine="$(db_field "$SOURCE_URL" engine)"
  cleanup() {
    if [ -n "$created_db" ]; then
      psql "$SOURCE_URL" -qc "DROP DATABASE IF EXISTS \"$created_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
  }
  trap cleanup EXIT

  say "backing up $(db_field "$SOURCE_URL" name) ($engine) and $MEDIA"
  backup "$dir"
  case "$engine" in
    sqlite3) target="sqlite:///$work/restored.sqlite3" ;;
    postgresql)
      created_db="banhao_drill_$(date +%s)_$$"
      psql "$SOURCE_URL" -qc "CREATE DATABASE \"$created_db\"" >/dev/null
      target="$("$PY" - "$SOURCE_URL" "$created_db" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1])
print(urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
)"
      ;;
  esac
  say "restoring into a fresh database and media directory"
  restore "$dir" "$target" "$work/media"

  verify "$dir" "$target" "$work/media"
}

case "${1:-}" in
  backup) [ $# -eq 2 ] || die "usage: $0 backup DIR"; backup "$2" ;;
  restore) [ $# -eq 4 ] || die "usage: $0 restore DIR TARGET_DATABASE_URL MEDIA_DIR"; restore "$2" "$3" "$4" ;;
  verify) [ $# -eq 4 ] || die "usage: $0 verify DIR TARGET_DATABASE_URL MEDIA_DIR"; verify "$2" "$3" "$4" ;;
  drill) drill "${2:-}" ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
