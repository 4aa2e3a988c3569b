# What the HTTP benchmark scripts share. Source it after setting `bin`, `root` and `work`.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Seeds DATABASE_URL $1 with $2 members and serves it on a free port; sets `pid` and `base`.
# The server's log goes to $work/server-$3.log.
serve_seeded() {
  DATABASE_URL="$1" "$bin" seed-demo --members "$2" >&2
  local port; port=$(free_port)
  DATABASE_URL="$1" GATEHOUSE_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --site-root "$root/target/site" >"$work/server-$3.log" 2>&1 &
  pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fsS "$base/health" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "the server did not come up, see $work/server-$3.log" >&2; return 1
}

# Signs in as the demo owner at base URL $1; prints the session cookie header.
sign_in() {
  local jar="$work/jar" tok
  rm -f "$jar"
  curl -fsS -c "$jar" "$1/sign-in" -o /dev/null
  tok=$(awk '$6=="gh_pre"{print $7}' "$jar")
  curl -fsS -b "$jar" -c "$jar" -o /dev/null -X POST "$1/auth/sign-in" \
    --data-urlencode "csrf_token=$tok" --data-urlencode "email=demo@gatehouse.test" --data-urlencode "password=gatehouse-demo"
  echo "gh_session=$(awk '$6=="gh_session"{print $7}' "$jar")"
}

# One wrk run as a markdown row: | $backend | $1 | req/s | p50 | p99 | non-2xx |, for URL $2 with
# the request header $3 (a cookie or an API key). Reads `conns`, `secs` and `backend`.
wrk_row() {
  local out rps p50 p99 errs
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$3" "$2")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/{print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$backend" "$1" "$rps" "$p50" "$p99" "${errs:-0}"
}
