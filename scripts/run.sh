#!/usr/bin/env bash
# Runs the portal on SQLite with the demo organizations: installs what is missing, builds the
# site (release), seeds the demo data (idempotent) and serves it. Ctrl-C stops it.
#   GATEHOUSE_ADDR   where to listen (default 127.0.0.1:3000)
#   DATABASE_URL     defaults to data/gatehouse.db in this checkout (postgres://… works too)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
. "$here/env.sh"
bash "$here/setup-tools.sh"

addr="${GATEHOUSE_ADDR:-127.0.0.1:3000}"
export DATABASE_URL="${DATABASE_URL:-$root/data/gatehouse.db}"
echo "[run] building the site (release; the first build takes several minutes)"
cargo leptos build --release 2>&1 | grep -v '^\s*at \|^ *[0-9]*: ' | tail -n 5
bin="$CARGO_TARGET_DIR/release/gatehouse"
"$bin" seed-demo
# Mail goes to a local SMTP server that captures it as files (unless one already listens there).
export GATEHOUSE_SMTP_HOST="${GATEHOUSE_SMTP_HOST:-127.0.0.1}" GATEHOUSE_SMTP_PORT="${GATEHOUSE_SMTP_PORT:-2525}"
if [ "$GATEHOUSE_SMTP_HOST" = 127.0.0.1 ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$GATEHOUSE_SMTP_PORT") 2>/dev/null; then
  PYTHONPATH="$GATEHOUSE_CACHE/py" python3 "$here/smtp_capture.py" "$GATEHOUSE_SMTP_PORT" "$root/data/mail" >"$root/data/smtp.log" 2>&1 &
  for _ in $(seq 1 100); do grep -q capturing "$root/data/smtp.log" 2>/dev/null && break; sleep 0.1; done
fi
echo
echo "  Gatehouse:  http://$addr/"
echo "  Sign in as: demo@gatehouse.test / gatehouse-demo   (owner of Acme Logistics, admin in Nordwind)"
echo "              member@gatehouse.test / gatehouse-demo (a plain member: sees only their own page)"
echo "  Mail:       captured as files in data/mail/ (SMTP on 127.0.0.1:$GATEHOUSE_SMTP_PORT)"
echo
exec "$bin" serve --addr "$addr" --site-root "$root/target/site"
