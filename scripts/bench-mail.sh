#!/usr/bin/env bash
# Outbox throughput to a local SMTP server (PyPI aiosmtpd capture, started here), on SQLite and
# on a private PostgreSQL. Usage: bash scripts/bench-mail.sh [COUNT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/env.sh"
bash "$here/setup-tools.sh" >/dev/null
count="${1:-2000}"
work="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PYTHONPATH="$GATEHOUSE_CACHE/py" python3 "$here/smtp_capture.py" "$port" "$work/mail" >"$work/smtp.log" 2>&1 &
smtp=$!
pgurl="$(bash "$here/pg.sh" start "$work/pg" "$pgport")"
trap 'kill $smtp 2>/dev/null || true; bash "$here/pg.sh" stop "$work/pg" || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do grep -q capturing "$work/smtp.log" 2>/dev/null && break; sleep 0.1; done
cargo build --release -p gatehouse_server --example outbox_throughput 2>&1 | tail -n 1
bin="$CARGO_TARGET_DIR/release/examples/outbox_throughput"
GATEHOUSE_TEST_SMTP_PORT="$port" "$bin" "$count"
GATEHOUSE_TEST_SMTP_PORT="$port" "$bin" "$count" "$pgurl"
echo "captured: $(ls "$work/mail" | wc -l) messages"
