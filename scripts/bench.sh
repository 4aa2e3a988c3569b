#!/usr/bin/env bash
# HTTP benchmarks of a release build on a 10 000-member organization, SQLite and PostgreSQL.
# Prints a markdown table (copy it into BENCHMARKS.md). Not part of CI.
#   BENCH_MEMBERS (10000)  BENCH_SECONDS (10)  BENCH_CONNECTIONS (16)
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


run_wrk() { # $1 name $2 url $3 cookie
  wrk_row "$1" "$2" "Cookie: $3"
}

echo "| backend | page | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    url="$work/bench.db"
  else
    base=$(bash "$here/pg.sh" start "$work/pg" "$pgport")
    psql "$base" -qc "CREATE DATABASE gatehouse_bench" >/dev/null
    url="${base%/postgres}/gatehouse_bench"
  fi
  serve_seeded "$url" "$members" "$backend"
  b="$base"
  cookie=$(sign_in "$b")
  run_wrk "static asset (/pkg/gatehouse.css)" "$b/pkg/gatehouse.css" "$cookie"
  run_wrk "dashboard" "$b/o/acme/dashboard" "$cookie"
  run_wrk "members, first page" "$b/o/acme/members" "$cookie"
  run_wrk "members, search \"anna\"" "$b/o/acme/members?q=anna" "$cookie"
  run_wrk "members, page 400 of 401" "$b/o/acme/members?page=400" "$cookie"
  run_wrk "members, unit + kind filter" "$b/o/acme/members?unit=1&kind=employee&sort=joined&dir=desc" "$cookie"
  rss=$(ps -o rss= -p "$pid" | tr -d ' ')
  echo "| $backend | server RSS after the runs | $((rss / 1024)) MiB | | | |"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
wasm="$root/target/site/pkg/gatehouse_bg.wasm"; js="$root/target/site/pkg/gatehouse.js"; css="$root/target/site/pkg/gatehouse.css"
echo
echo "| bundle file | raw bytes | gzip -9 bytes |"
echo "|---|---|---|"
for f in "$wasm" "$js" "$css"; do
  echo "| $(basename "$f") | $(wc -c <"$f") | $(gzip -9c "$f" | wc -c) |"
done
