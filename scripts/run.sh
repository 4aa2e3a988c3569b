#!/usr/bin/env bash
# Runs the portal on SQLite with the demo organizations: installs what is missing, builds the
# server (cargo's dev profile: the fastest first build, and the one the tests reuse) and the
# size-optimized site bundle (`wasm-release`) side by side, seeds the demo data (idempotent) and
# serves it. Ctrl-C stops it.
#   GATEHOUSE_ADDR     where to listen (default 127.0.0.1:3000)
#   DATABASE_URL       defaults to data/gatehouse.db in this checkout (postgres://… works too)
#   GATEHOUSE_PROFILE  the server's cargo profile: dev (default; pages in about 20 ms) or release
#                      (what production runs and the benchmarks measure; a longer first build)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
. "$here/env.sh"
start=$SECONDS
phase() { printf '[run] %s (%d s)\n' "$*" $((SECONDS - start)); }
bash "$here/setup-tools.sh" run
phase "tools ready"

addr="${GATEHOUSE_ADDR:-127.0.0.1:3000}"
profile="${GATEHOUSE_PROFILE:-dev}"
export DATABASE_URL="${DATABASE_URL:-$root/data/gatehouse.db}"
mkdir -p "$root/data"
# The bundle and the server build at once: their cargo runs use separate build directories, and
# each leaves a core idle in its serial steps (LTO, wasm-opt, linking).
echo "[run] building the site and the server (the first build takes several minutes)"
cargo build -q -p xtask
( cargo run -q -p xtask -- site --release --site-root "$root/target/site" >"$root/data/site-build.log" 2>&1; echo $? >"$root/data/site-build.rc" ) &
site_pid=$!
# A failed server build stops the script; the bundle's build stops with it.
trap 'pkill -P "$site_pid" 2>/dev/null; kill "$site_pid" 2>/dev/null || true' EXIT
cargo build -q -p gatehouse_server --bin gatehouse --profile "$profile"
phase "server built (profile $profile)"
wait "$site_pid" || true
if [ "$(cat "$root/data/site-build.rc" 2>/dev/null)" != 0 ]; then
  tail -n 30 "$root/data/site-build.log"; echo "[run] the site build failed (log: data/site-build.log)"; exit 1
fi
grep '^\[site\]' "$root/data/site-build.log" | sed 's/^/  /'
phase "site built"
trap - EXIT
bin="$CARGO_TARGET_DIR/$profile/gatehouse"
[ "$profile" = dev ] && bin="$CARGO_TARGET_DIR/debug/gatehouse"
"$bin" seed-demo
# Mail goes to a local SMTP server that captures it as files (unless one already listens there).
export GATEHOUSE_SMTP_HOST="${GATEHOUSE_SMTP_HOST:-127.0.0.1}" GATEHOUSE_SMTP_PORT="${GATEHOUSE_SMTP_PORT:-2525}"
if [ "$GATEHOUSE_SMTP_HOST" = 127.0.0.1 ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$GATEHOUSE_SMTP_PORT") 2>/dev/null; then
  PYTHONPATH="$GATEHOUSE_CACHE/py" python3 "$here/smtp_capture.py" "$GATEHOUSE_SMTP_PORT" "$root/data/mail" >"$root/data/smtp.log" 2>&1 &
  for _ in $(seq 1 100); do grep -q capturing "$root/data/smtp.log" 2>/dev/null && break; sleep 0.1; done
fi
phase "ready"
echo
echo "  Gatehouse:  http://$addr/"
echo "  Sign in as: demo@gatehouse.test / gatehouse-demo   (owner of Acme Logistics, admin in Nordwind)"
echo "              member@gatehouse.test / gatehouse-demo (a plain member: sees only their own page)"
echo "  Mail:       captured as files in data/mail/ (SMTP on 127.0.0.1:$GATEHOUSE_SMTP_PORT)"
echo
exec "$bin" serve --addr "$addr" --site-root "$root/target/site"
