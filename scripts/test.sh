#!/usr/bin/env bash
# Every check of the project, as `make test` runs it: lint, types, the suite on SQLite and on
# PostgreSQL, with the browser tests in headless Debian chromium. On SQLite the whole suite runs
# with the system clock more than a year ahead (faketime), so a test bound to the date it was
# written on fails the day it is written, not a year later; PostgreSQL keeps the real clock.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
start=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }

step "ruff"
ruff check ducha tests bench scripts
step "mypy (strict on ducha/rules)"
mypy ducha

step "services: Debian packages (chromium, fonts, poppler) and PostgreSQL"
bash scripts/system-packages.sh test
chromium --version
PGHOST_ADDR=127.0.0.1
if ! pg_isready -q -h "$PGHOST_ADDR" -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_ADDR" -p 5432 && break; sleep 1; done
fi
pg_isready -h "$PGHOST_ADDR" -p 5432
# Redis carries the multi-machine job queue (django-tasks' RQ backend); its test needs it up.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping

export DUCHA_DATA_DIR="$PWD/var/test"
rm -rf "$DUCHA_DATA_DIR" && mkdir -p "$DUCHA_DATA_DIR" test-artifacts
ducha collectstatic --noinput -v 0
# The public site collects its own (fewer) static files into its own folder.
DJANGO_SETTINGS_MODULE=ducha.portal_settings ducha collectstatic --noinput -v 0

ahead_days=${DUCHA_TEST_DAYS_AHEAD:-400}
# The browser tests first, on their own: chromium inherits the shifted clock with the server.
step "pytest on SQLite, browser tests, with the clock ${ahead_days} days ahead"
DUCHA_DATABASE_URL="sqlite:///$DUCHA_DATA_DIR/ducha.sqlite3" \
  timeout 900 faketime -f "+${ahead_days}d" pytest -p no:cacheprovider -m browser "$@"

# The rest runs beside the PostgreSQL pass (two cores: one waits on the database server much
# of the time).
ahead_dir="$PWD/var/test-ahead"
rm -rf "$ahead_dir" && mkdir -p "$ahead_dir"
cp -r "$DUCHA_DATA_DIR/static" "$DUCHA_DATA_DIR/portal-static" "$DUCHA_DATA_DIR/secret_key" "$DUCHA_DATA_DIR/data_key" "$ahead_dir/"
ahead_log=test-artifacts/pytest-clock-ahead.log
# Its own session (setsid), so that a failure elsewhere ends it and its children with it; a
# hung test ends it after 20 minutes instead of holding the run.
DUCHA_DATA_DIR="$ahead_dir" DUCHA_DATABASE_URL="sqlite:///$ahead_dir/ducha.sqlite3" \
  setsid timeout 1200 faketime -f "+${ahead_days}d" pytest -p no:cacheprovider -m "not browser" "$@" >"$ahead_log" 2>&1 &
ahead_pid=$!

step "pytest on PostgreSQL"
# A throwaway database per run: pytest-django creates test_<name> and drops it afterwards.
# A connection still open at the end (a worker thread of a test) can make that drop fail, so
# the trap drops it by force whatever happened.
drop_test_db() {
  psql -q -h "$PGHOST_ADDR" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS \"test_ducha_ci_$$\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap 'kill -- -"$ahead_pid" 2>/dev/null || true; drop_test_db' EXIT
DUCHA_DATABASE_URL="postgres://postgres@$PGHOST_ADDR:5432/ducha_ci_$$" pytest -p no:cacheprovider "$@"

step "pytest on SQLite (not browser) with the clock ${ahead_days} days ahead ($(faketime -f "+${ahead_days}d" date +%F))"
ahead_status=0
wait "$ahead_pid" || ahead_status=$?
if [ "$ahead_status" -ne 0 ]; then
  cat "$ahead_log"
  if [ "$ahead_status" -eq 124 ]; then
    echo "make test: the SQLite pass (clock ${ahead_days} days ahead) did not end within 20 minutes: a test hangs" >&2
  else
    echo "make test: the SQLite pass (clock ${ahead_days} days ahead) failed; passing on PostgreSQL's real clock, a test depends on the date" >&2
  fi
  exit 1
fi
tail -n 3 "$ahead_log"

printf '\nmake test: all checks passed in %ss\n' "$(( $(date +%s) - start ))"
