#!/usr/bin/env bash
# Gatehouse's whole test suite, from a fresh machine: installs what is missing (idempotent), then
# runs every stage and ends with one summary line. Exit status is non-zero if any stage fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
. "$here/env.sh"
# Each stage says when it starts (seconds since the command began: BENCHMARKS.md's phases).
stage() { printf '\n==> %s (at %d s)\n' "$*" "$SECONDS"; }
bash "$here/setup-tools.sh" test
stage "tools ready"

logdir="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-test.XXXXXX")"
passed=0; failed=0

# Runs `cargo test` for one package with explicit features (never unified across the workspace)
# and adds its counts to the summary.
cargo_tests() {
  local name="$1"; shift
  stage "cargo test $name"
  local log="$logdir/$name.log" rc=0
  # A stage that hangs fails after 20 minutes instead of eating CI's whole budget.
  timeout 1200 cargo test "$@" 2>&1 | tee "$log" || rc=$?
  local p f
  p=$({ grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" || true; } | awk '{s+=$4} END {print s+0}')
  f=$({ grep -Eo '[0-9]+ failed' "$log" || true; } | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
  return 0
}

# A private PostgreSQL for this run (its own temp dir and port), stopped on exit.
pgdir="$logdir/pg"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { bash "$here/pg.sh" stop "$pgdir" || true; rm -rf "$pgdir"; }
trap cleanup EXIT
stage "PostgreSQL (private cluster on port $pgport)"
export TEST_DATABASE_URL="$(bash "$here/pg.sh" start "$pgdir" "$pgport")"
export GATEHOUSE_REQUIRE_PG=1

# A real SMTP server on loopback that captures mail into a directory the tests read.
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export GATEHOUSE_TEST_MAILDIR="$logdir/mail" GATEHOUSE_TEST_SMTP_PORT="$smtp_port" GATEHOUSE_REQUIRE_SMTP=1
PYTHONPATH="$GATEHOUSE_CACHE/py" python3 "$here/smtp_capture.py" "$smtp_port" "$GATEHOUSE_TEST_MAILDIR" >"$logdir/smtp.log" 2>&1 &
smtp_pid=$!
cleanup() { kill "$smtp_pid" 2>/dev/null || true; bash "$here/pg.sh" stop "$pgdir" || true; rm -rf "$pgdir"; }
for _ in $(seq 1 50); do grep -q capturing "$logdir/smtp.log" 2>/dev/null && break; sleep 0.1; done

cargo_tests domain -p gatehouse_domain --features people,two-factor
cargo_tests locales -p gatehouse_locales
cargo_tests mail -p gatehouse_mail
cargo_tests db -p gatehouse_db
cargo_tests app --no-default-features --features ssr -p gatehouse_app
cargo_tests server -p gatehouse_server

# End-to-end: the real site (server + hydrating WASM bundle) on a fresh demo database, driven by
# Playwright in Debian's Chromium. The server is the debug binary the server tests just built;
# the bundle comes from the workspace's site builder (xtask, profile wasm-dev).
stage "site for the end-to-end tests (cargo run -p xtask -- site)"
site="$root/target/site-test"
site_ok=1
cargo build -p gatehouse_server --bin gatehouse 2>&1 | tail -n 3 || site_ok=0
cargo run -q -p xtask -- site --site-root "$site" 2>&1 | tail -n 20 || site_ok=0
bin="$CARGO_TARGET_DIR/debug/gatehouse"
if [ "$site_ok" != 1 ] || [ ! -x "$bin" ] || [ ! -f "$site/pkg/gatehouse_bg.wasm" ]; then
  echo "site build failed"; failed=$((failed + 1))
else
  e2e_db="$logdir/e2e.db"
  e2e_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  DATABASE_URL="$e2e_db" "$bin" seed-demo --members 300 >"$logdir/seed.log" 2>&1
  # A customer-success staff member for the support sign-in test.
  GATEHOUSE_STAFF_PASSWORD=gatehouse-staff-2026 DATABASE_URL="$e2e_db" "$bin" create-staff --email cara@ops.gatehouse.test --name "Cara Success" --role customer_success >>"$logdir/seed.log" 2>&1
  # A member of management for the review of staff permissions.
  GATEHOUSE_STAFF_PASSWORD=gatehouse-staff-2026 DATABASE_URL="$e2e_db" "$bin" create-staff --email mia@ops.gatehouse.test --name "Mia Management" --role management >>"$logdir/seed.log" 2>&1
  # An API key of example-health for the SCIM conformance check (scim2-tester), its technical
  # user holding what the key carries.
  scim_key=$(DATABASE_URL="$e2e_db" "$bin" create-api-key --org-slug example-health --technical-user "SCIM directory" \
    --scopes members.view,members.invite,members.edit,members.terminate,units.view,units.manage,members.move --with-role 2>>"$logdir/seed.log")
  # The server sends its mail to the capture server; the tests read it from the maildir.
  DATABASE_URL="$e2e_db" GATEHOUSE_LOG=warn GATEHOUSE_SMTP_HOST=127.0.0.1 GATEHOUSE_SMTP_PORT="$smtp_port" "$bin" serve --addr "127.0.0.1:$e2e_port" --site-root "$site" >"$logdir/e2e-server.log" 2>&1 &
  server_pid=$!
  cleanup() { kill "$server_pid" "$smtp_pid" 2>/dev/null || true; bash "$here/pg.sh" stop "$pgdir" || true; rm -rf "$pgdir"; }
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$e2e_port/health" >/dev/null 2>&1 && break; sleep 0.2; done
  ln -sfn "$GATEHOUSE_NODE/node_modules" "$root/end2end/node_modules"
  # A real OpenID provider (npm oidc-provider) on the loopback for the single sign-on tests,
  # with the e2e server's callback as its client's one redirect URI.
  idp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  node "$root/end2end/idp/idp.mjs" "$idp_port" "http://127.0.0.1:$e2e_port/sso/callback" >"$logdir/idp.log" 2>&1 &
  idp_pid=$!
  cleanup() { kill "$server_pid" "$smtp_pid" "$idp_pid" 2>/dev/null || true; bash "$here/pg.sh" stop "$pgdir" || true; rm -rf "$pgdir"; }
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$idp_port/.well-known/openid-configuration" >/dev/null 2>&1 && break; sleep 0.2; done
  stage "end-to-end (Playwright + Chromium) against 127.0.0.1:$e2e_port, OpenID provider on $idp_port"
  rc=0
  (cd "$root/end2end" && GATEHOUSE_E2E_URL="http://127.0.0.1:$e2e_port" GATEHOUSE_E2E_IDP_URL="http://127.0.0.1:$idp_port" GATEHOUSE_E2E_MAILDIR="$GATEHOUSE_TEST_MAILDIR" GATEHOUSE_E2E_DB="$e2e_db" npx playwright test) 2>&1 | tee "$logdir/e2e.log" || rc=$?
  p=$({ grep -Eo '^ *[0-9]+ passed' "$logdir/e2e.log" || true; } | awk '{s+=$1} END {print s+0}')
  f=$({ grep -Eo '^ *[0-9]+ failed' "$logdir/e2e.log" || true; } | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
  stage "SCIM 2.0 conformance (scim2-tester) against 127.0.0.1:$e2e_port/scim/v2"
  rc=0
  PYTHONPATH="$GATEHOUSE_CACHE/py-scim" timeout 600 python3 "$here/scim_check.py" "http://127.0.0.1:$e2e_port/scim/v2" "$scim_key" >"$logdir/scim.log" 2>&1 || rc=$?
  grep -E '^(FAIL|DEVIATION)|^scim2-tester:' "$logdir/scim.log" || tail -n 20 "$logdir/scim.log"
  p=$({ grep -Eo '^scim2-tester: [0-9]+ passed' "$logdir/scim.log" || true; } | awk '{s+=$2} END {print s+0}')
  f=$({ grep -Eo '[0-9]+ failed$' "$logdir/scim.log" || true; } | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
  kill "$server_pid" "$idp_pid" 2>/dev/null || true
  wait "$server_pid" "$idp_pid" 2>/dev/null || true
fi
# The capture server may still be writing a message the server sent last: stop it, and wait.
kill "$smtp_pid" 2>/dev/null || true
wait "$smtp_pid" 2>/dev/null || true

printf '\n'
echo "finished at $SECONDS s"
if [ "$passed" -eq 0 ]; then echo "no test ran"; failed=$((failed + 1)); fi
echo "summary: $passed passed, $failed failed"
# The run's databases, mail and logs are kept only when something failed (they are read then).
if [ "$failed" -eq 0 ]; then rm -rf "$logdir" 2>/dev/null || rm -rf "$logdir" || true; else echo "logs: $logdir"; fi
[ "$failed" -eq 0 ]
