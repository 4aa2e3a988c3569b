#!/usr/bin/env bash
# The decision point under load (release build, 10 000 members): "may member M do X there?" and
# "who can do X?" with an API key, next to a static file in the same run, on SQLite and on a
# private PostgreSQL. Prints a markdown table (copy it into BENCHMARKS.md). Not part of CI.
#   BENCH_MEMBERS (10000)  BENCH_SECONDS (10)  BENCH_CONNECTIONS (16)  BENCH_BACKENDS ("sqlite postgres")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
. "$here/env.sh"
bash "$here/setup-tools.sh" test
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
members="${BENCH_MEMBERS:-10000}"; secs="${BENCH_SECONDS:-10}"; conns="${BENCH_CONNECTIONS:-16}"

cargo build -q --release -p gatehouse_server --bin gatehouse >&2
cargo run -q -p xtask -- site --release 2>&1 | grep '^\[site\]' >&2
bin="$CARGO_TARGET_DIR/release/gatehouse"
work="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")"
. "$here/bench-lib.sh"
pgport=$(free_port)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; bash "$here/pg.sh" stop "$work/pg" || true; rm -rf "$work"; }
trap cleanup EXIT

run_wrk() { # $1 name $2 url
  wrk_row "$1" "$2" "Authorization: Bearer $key"
}
# Requests spaced so that the connections together ask about $2 per second (half of the peak).
cat >"$work/paced.lua" <<'LUA'
local d = tonumber(os.getenv("PACE_MS") or "0")
function delay() return d end
LUA
run_paced() { # $1 name $2 url $3 requests/s
  local out
  out=$(PACE_MS=$(awk -v c="$conns" -v r="$3" 'BEGIN{d=int(1000*c/r); if (d<1) d=1; print d}') wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/paced.lua" -H "Authorization: Bearer $key" "$2")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$backend" "$1" "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="50%"{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")" "$(awk '/Non-2xx/{print $5}' <<<"$out" | grep . || echo 0)"
}

echo "| backend | request | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
for backend in ${BENCH_BACKENDS:-sqlite postgres}; do
  if [ "$backend" = sqlite ]; then
    url="$work/bench.db"
  else
    base=$(bash "$here/pg.sh" start "$work/pg" "$pgport")
    psql "$base" -qc "CREATE DATABASE gatehouse_bench" >/dev/null
    url="${base%/postgres}/gatehouse_bench"
  fi
  serve_seeded "$url" "$members" "$backend"
  key=$(DATABASE_URL="$url" GATEHOUSE_LOG=warn "$bin" create-api-key --org-slug acme --technical-user "Decision bench" --scopes decisions.query,members.view,units.view --with-role 2>/dev/null)
  b="$base"
  # A member in the middle of the organization and a unit, found through the API itself.
  member=$(curl -fsS -H "Authorization: Bearer $key" "$b/api/v1/members?limit=500" | python3 -c 'import json,sys; i=json.load(sys.stdin)["items"]; print(i[len(i)//2]["id"])')
  unit=$(curl -fsS -H "Authorization: Bearer $key" "$b/api/v1/units" | python3 -c 'import json,sys; i=json.load(sys.stdin)["items"]; print(i[-1]["id"])')
  run_wrk "static file (/pkg/gatehouse.css)" "$b/pkg/gatehouse.css"
  row=$(run_wrk "decision: members.view, organization" "$b/api/v1/decision?member=$member&permission=members.view"); echo "$row"
  peak=$(awk -F'|' '{gsub(/ /,"",$4); printf "%d", $4}' <<<"$row")
  run_paced "the same, paced at about half the peak" "$b/api/v1/decision?member=$member&permission=members.view" $((peak / 2))
  run_wrk "decision: tournaments.manage at a unit" "$b/api/v1/decision?member=$member&permission=tournaments.manage&unit=$unit"
  run_wrk "decision: by email" "$b/api/v1/decision?email=demo%40gatehouse.test&permission=roles.assign&unit=$unit"
  run_wrk "who can: roles.assign at a unit" "$b/api/v1/who-can?permission=roles.assign&unit=$unit"
  rss=$(ps -o rss= -p "$pid" | tr -d ' ')
  echo "| $backend | server RSS after the runs | $((rss / 1024)) MiB | | | |"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
