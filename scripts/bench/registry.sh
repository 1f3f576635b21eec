#!/usr/bin/env bash
# Registry benchmark (issue "Enterprise registry"): with N enterprises (default
# 200,000) on SQLite or PostgreSQL, measures
#   1. filtered search latency at the server (Server-Timing), p50/p99;
#   2. import speed of an N-row CSV into an empty registry, rows/s;
#   3. server RSS after the import.
# Usage: scripts/bench/registry.sh sqlite|postgres   (needs wrk; builds release)
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:?sqlite or postgres}
N=${N:-200000}
PORT=${PORT:-18181}
work=$(mktemp -d /tmp/yici-bench.XXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
  echo "port $PORT is in use"; exit 1
fi
. scripts/bench/lib.sh
pg=${PG:-postgres://postgres@127.0.0.1:5432}
case "$backend" in
  sqlite) url="sqlite:$work/registry.db"; import_url="sqlite:$work/import.db" ;;
  postgres)
    for db in yici_bench yici_bench_import; do
      psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    done
    url="$pg/yici_bench"; import_url="$pg/yici_bench_import" ;;
  *) echo "sqlite or postgres"; exit 2 ;;
esac

echo "== loading $N enterprises ($backend)"
YICI_LOG=warn $bin demo --database-url "$url" --enterprises "$N" --load-only | tail -1

pid=$(serve "$url"); wait_up
county=$(token_for tssytx_dq)
province=$(token_for hbs_dq)
write_search_paths "$work" "$province"
bench_search() { # who, token, paths
  # Latency: one client, requests back to back. Throughput: 8 clients on the 2 cores.
  for c in 1 8; do
    echo "== search as $1, $c concurrent client(s)"
    search_latency "$2" "$3" 15 "$c"
  done
}
bench_search "a county user (Yutian, ~45% of the registry)" "$county" "$work/county.txt"
bench_search "a province user with region filters" "$province" "$work/province.txt"

echo "== exporting all $N as CSV"
curl -sf -o "$work/all.csv" -H "authorization: Bearer $province" "http://127.0.0.1:$PORT/api/v1/enterprises/export?format=csv"
ls -la "$work/all.csv" | awk '{print $5" bytes"}'
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== importing $N rows into an empty registry"
$bin migrate --database-url "$import_url" >/dev/null
# The organisation only, so there is an administrator to import as.
YICI_LOG=warn $bin demo --database-url "$import_url" --enterprises 0 --load-only >/dev/null
pid=$(serve "$import_url"); wait_up
admin=$(token_for admin)
start=$(date +%s.%N)
curl -sf -o "$work/report.json" -H "authorization: Bearer $admin" --data-binary @"$work/all.csv" \
  "http://127.0.0.1:$PORT/api/v1/enterprises/import?filename=all.csv"
end=$(date +%s.%N)
head -c 200 "$work/report.json"; echo
awk -v s="$start" -v e="$end" -v n="$N" 'BEGIN { printf "import: %.1f s, %.0f rows/s\n", e - s, n / (e - s) }'
echo "server RSS after import: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status), peak $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$pid/status)"
kill "$pid"; wait "$pid" 2>/dev/null || true
pid=
