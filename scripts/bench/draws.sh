#!/usr/bin/env bash
# Extraction benchmark (issue "Double-random extraction"): with N enterprises
# (default 200,000) on SQLite or PostgreSQL, measures at the server
# (Server-Timing) a random draw of 10 with a county filter and the cap
# exclusions, and a directed extraction of 50 enterprises; p50/p99.
# Usage: scripts/bench/draws.sh sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:?sqlite or postgres}
N=${N:-200000}
PORT=${PORT:-18182}
work=$(mktemp -d /tmp/yici-bench.XXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. scripts/bench/lib.sh
pg=${PG:-postgres://postgres@127.0.0.1:5432}
case "$backend" in
  sqlite) url="sqlite:$work/draws.db" ;;
  postgres)
    psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS yici_bench_draws" -c "CREATE DATABASE yici_bench_draws"
    url="$pg/yici_bench_draws" ;;
  *) echo "sqlite or postgres"; exit 2 ;;
esac
echo "== loading $N enterprises ($backend)"
YICI_LOG=warn $bin demo --database-url "$url" --enterprises "$N" --load-only | tail -1
pid=$(serve "$url"); wait_up
analyzer=
if [ "$backend" = postgres ] && [ "$(psql "$pg/postgres" -Atc 'show autovacuum')" = off ]; then
  # Tasks, participants and counters grow from nothing during the run; with
  # autovacuum off (as on the development machine) their statistics would stay
  # empty and plans poor. Analyse as autovacuum would (it checks every minute
  # and analyses after 10 % of a table changed).
  echo "autovacuum is off on this server: analysing every 30 s during the run"
  (while sleep 30; do psql "$url" -qc ANALYZE; done) & analyzer=$!
fi
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$analyzer" ] && kill "$analyzer" 2>/dev/null; rm -rf "$work"' EXIT
python3 scripts/bench/draws.py "http://127.0.0.1:$PORT" "$(token_for tssytx_dq)" "$(token_for tssytx_s)" "$(token_for tss_dqhj)"
echo "server RSS: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
