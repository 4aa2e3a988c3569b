#!/usr/bin/env bash
# Anonymizing a person with ROWS linked rows, on SQLite and on a private PostgreSQL.
# Usage: bash scripts/bench-anonymize.sh [ROWS] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/env.sh"
rows="${1:-10000}"
runs="${2:-5}"
work="$(mktemp -d)"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pgurl="$(bash "$here/pg.sh" start "$work/pg" "$pgport")"
trap 'bash "$here/pg.sh" stop "$work/pg" || true; rm -rf "$work"' EXIT
cargo build --release -p gatehouse_db --example anonymize_bench 2>&1 | tail -n 1
bin="$CARGO_TARGET_DIR/release/examples/anonymize_bench"
"$bin" "$rows" "$runs"
"$bin" "$rows" "$runs" "$pgurl"
