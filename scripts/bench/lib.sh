# Shared by the benchmark scripts: a release build, a server on $PORT, tokens.
# Expects $work (a scratch directory) and $PORT; sets $bin.
cargo build --release -p yici >/dev/null 2>&1
bin=target/release/yici
serve() { # url → pid
  # Benchmarks measure the server, not its rate limits (one client, many requests).
  YICI_LOG=warn YICI_RATE_LIMITS__ANONYMOUS_PER_MINUTE=0 YICI_RATE_LIMITS__SEARCH_PER_MINUTE=0 $bin serve --database-url "$1" --bind "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
  echo $!
}
wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.1; done; echo "server did not start"; exit 1; }
token_for() { # login → bearer token past the forced password change
  local t
  t=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"login\":\"$1\",\"password\":\"Jcbm@12369\"}" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
  curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/password" -H "authorization: Bearer $t" \
      -H 'content-type: application/json' -d '{"old_password":"Jcbm@12369","new_password":"Bench@2025x"}' >/dev/null || true
  [ -n "$t" ] && [ ${#t} -eq 64 ] || { echo "login $1 failed" >&2; exit 1; }
  echo "$t"
}
# The registry searches a user makes (filtered: keyword, region, industry,
# category, credit, paging), written percent-encoded to DIR/county.txt and
# DIR/province.txt. The province token finds a real USCC for the code search.
write_search_paths() { # dir, province token
  local dir=$1 province=$2 uscc f
  cat >"$dir/county.txt" <<'P'
/api/v1/enterprises?keyword=钢铁
/api/v1/enterprises?industry=31&category=key
/api/v1/enterprises?credit_grade=C&page=3
/api/v1/enterprises?keyword=玉田县&status=normal&page=10
/api/v1/enterprises?industry=26&positive_list=false
/api/v1/enterprises?category=special&sort=updated
P
  cat >"$dir/province.txt" <<'P'
/api/v1/enterprises?region_code=130229&industry=3110
/api/v1/enterprises?city_code=130200&category=key&credit_grade=B
/api/v1/enterprises?keyword=焦化&city_code=130200
/api/v1/enterprises?region_code=130281&page=2
/api/v1/enterprises?keyword=USCC_PREFIX
/api/v1/enterprises?city_code=130100&industry=C
P
  # A code search as users make it: the first 14 characters of a real USCC.
  uscc=$(curl -sf -H "authorization: Bearer $province" "http://127.0.0.1:$PORT/api/v1/enterprises?region_code=130281&per_page=1" \
    | sed -E 's/.*"uscc":"([0-9A-Z]+)".*/\1/')
  sed -i "s/USCC_PREFIX/${uscc:0:14}/" "$dir/province.txt"
  # wrk sends the path as written: percent-encode the Chinese keywords.
  for f in "$dir/county.txt" "$dir/province.txt"; do
    python3 -c 'import sys, urllib.parse; [print(urllib.parse.quote(l.strip(), safe="/?=&")) for l in open(sys.argv[1]) if l.strip()]' "$f" >"$f.enc"
    mv "$f.enc" "$f"
  done
}
# Server-side latency of cycling through PATHS with TOKEN for SECONDS, C clients.
search_latency() { # token, paths file, seconds, clients
  TOKEN=$1 PATHS_FILE=$2 wrk -t1 -c"$4" -d"$3"s --latency -s scripts/bench/search.lua "http://127.0.0.1:$PORT" \
    | grep -E "server-side|Requests/sec"
}
