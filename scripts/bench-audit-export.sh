#!/usr/bin/env bash
# The audit log's CSV export, streamed: 10 000 and EVENTS (default 100 000) events of acme
# exported over HTTP by the release server, on SQLite and on a private PostgreSQL. For each:
# wall time, events/s, bytes, and the server's resident memory before the export and its peak
# (VmHWM) after it — the peak should not grow with the number of events. Then the audit log page
# (first page and a page 90 % of the way back) under wrk, beside a static file in the same run.
# Usage: bash scripts/bench-audit-export.sh [EVENTS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"
events="${1:-100000}"
conns="${BENCH_CONNS:-8}"
secs="${BENCH_SECS:-5}"
work="$(mktemp -d)"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; bash "$here/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p gatehouse_server --bin gatehouse 2>&1 | tail -n 1
[ -f "$root/target/site/pkg/gatehouse.js" ] || cargo run -q -p xtask -- site --release
bin="$CARGO_TARGET_DIR/release/gatehouse"
source "$here/bench-lib.sh"

kb() { awk -v k="$1" '$1==k":" {print $2}' "/proc/$pid/status"; }

export_row() {
  local label="$1" n="$2" cookie="$3" before out t bytes peak
  before=$(kb VmRSS)
  out=$(curl -fsS -o "$work/export.csv" -w '%{time_total} %{size_download}' -H "Cookie: $cookie" "$base/o/acme/audit.csv")
  t=${out% *}; bytes=${out#* }
  peak=$(kb VmHWM)
  lines=$(($(wc -l <"$work/export.csv") - 1))
  printf '| %s | %s | %s | %.2f s | %s | %.1f MB | %d MB | %d MB |\n' "$backend" "$label" "$lines" "$t" "$(awk -v n="$lines" -v t="$t" 'BEGIN{printf "%d", n/t}')" "$(awk -v b="$bytes" 'BEGIN{print b/1048576}')" "$((before / 1024))" "$((peak / 1024))"
}

run_backend() {
  backend="$1"; url="$2"
  DATABASE_URL="$url" "$bin" seed-demo --members 1000 --audit-events 10000 >/dev/null
  serve_seeded "$url" 1000 "$backend"
  cookie=$(sign_in "$base")
  curl -fsS -o /dev/null -H "Cookie: $cookie" "$base/o/acme/audit"
  export_row "10 000" 10000 "$cookie"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  DATABASE_URL="$url" "$bin" seed-demo --members 1000 --audit-events "$events" >/dev/null
  serve_seeded "$url" 1000 "$backend-big"
  cookie=$(sign_in "$base")
  curl -fsS -o /dev/null -H "Cookie: $cookie" "$base/o/acme/audit"
  export_row "$events" "$events" "$cookie"
  # The page at the top and 90 % of the way back (keyset: the same cost at any depth).
  deep=$(curl -fsS -H "Cookie: $cookie" "$base/api/audit?org=acme" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["events"][0]["id"])')
  deep=$((deep / 10))
  wrk_row "static file" "$base/pkg/gatehouse.css" "Cookie: $cookie" >>"$work/pages.md"
  wrk_row "audit log, first page" "$base/o/acme/audit" "Cookie: $cookie" >>"$work/pages.md"
  wrk_row "audit log, 90 % back" "$base/o/acme/audit?before=$deep" "Cookie: $cookie" >>"$work/pages.md"
  wrk_row "audit log, filtered (who)" "$base/o/acme/audit?who=anna" "Cookie: $cookie" >>"$work/pages.md"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

echo "| backend | events | lines | time | events/s | size | RSS before | peak RSS after |"
echo "|---|---|---|---|---|---|---|---|"
run_backend sqlite "$work/bench.db"
pgurl="$(bash "$here/pg.sh" start "$work/pg" "$pgport")"
run_backend postgres "$pgurl"
echo
echo "| backend | page | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
cat "$work/pages.md"
