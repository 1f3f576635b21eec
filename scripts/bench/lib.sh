# Shared by the benchmark scripts: a release build, a server on $PORT, tokens.
# Expects $work (a scratch directory) and $PORT; sets $bin.
cargo build --release -p yici >/dev/null 2>&1
bin=target/release/yici
serve() { # url → pid
  YICI_LOG=warn $bin serve --database-url "$1" --bind "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
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
