#!/usr/bin/env bash
# Registry search, one build against another, on the same machine at the same
# time. This machine's speed drifts by a factor of two from day to day (and a
# third from run to run), so a change is judged by its two binaries
# measured in turns, each on a registry it loaded and migrated itself.
# Usage: scripts/bench/compare.sh sqlite|postgres OLD_BINARY [NEW_BINARY]
#   (NEW_BINARY defaults to this tree's release build; N enterprises,
#   ROUNDS turns of SECONDS per user, PER_QUERY=1 adds each search alone)
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:?sqlite or postgres}
old_bin=$(realpath "${2:?the binary to compare against}")
N=${N:-200000}
ROUNDS=${ROUNDS:-2}
SECONDS_EACH=${SECONDS_EACH:-12}
BASE_PORT=${PORT:-18191}
work=$(mktemp -d /tmp/yici-compare.XXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
PORT=$BASE_PORT
. scripts/bench/lib.sh
new_bin=$(realpath "${3:-$bin}")
pg=${PG:-postgres://postgres@127.0.0.1:5432}

declare -A url port county province
for side in old new; do
  case "$backend" in
    sqlite) url[$side]="sqlite:$work/$side.db" ;;
    postgres)
      psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS yici_compare_$side" -c "CREATE DATABASE yici_compare_$side"
      url[$side]="$pg/yici_compare_$side" ;;
    *) echo "sqlite or postgres"; exit 2 ;;
  esac
  b=$old_bin; [ "$side" = new ] && b=$new_bin
  echo "== $side ($b): loading $N enterprises"
  YICI_LOG=warn "$b" demo --database-url "${url[$side]}" --enterprises "$N" --load-only | tail -1
  port[$side]=$((BASE_PORT + ${#pids[@]}))
  PORT=${port[$side]}
  bin=$b
  pids+=("$(serve "${url[$side]}")"); wait_up
  county[$side]=$(token_for tssytx_dq)
  province[$side]=$(token_for hbs_dq)
  mkdir -p "$work/$side"
  write_search_paths "$work/$side" "${province[$side]}"
done
# Both servers stay up (an idle one takes no CPU); the turns alternate.
for round in $(seq "$ROUNDS"); do
  for side in old new; do
    PORT=${port[$side]}
    echo "== round $round, $side"
    for who in county province; do
      t=${county[$side]}; [ "$who" = province ] && t=${province[$side]}
      echo -n "$who: "; search_latency "$t" "$work/$side/$who.txt" "$SECONDS_EACH" 1 | grep server-side
      if [ -n "${PER_QUERY:-}" ]; then
        while read -r path; do
          echo "$path" >"$work/one.txt"
          echo -n "  $(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$path"): "
          search_latency "$t" "$work/one.txt" 4 1 | grep server-side
        done <"$work/$side/$who.txt"
      fi
    done
  done
done
