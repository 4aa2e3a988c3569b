#!/usr/bin/env bash
# Installs everything Gatehouse needs to build, run and test, idempotently, into caches outside
# the clone. Nothing downloads a prebuilt binary from outside the package registries.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
root="$(cd "$here/.." && pwd)"
mkdir -p "$GATEHOUSE_TOOLS/bin" "$GATEHOUSE_NODE"
log() { printf '[setup] %s\n' "$*" >&2; }

# What to install: `run` (building and serving the portal) or `test` (also Chromium for the
# end-to-end tests and PostgreSQL for the second backend). Default: test.
purpose="${1:-test}"
want_apt=()
if [ "$purpose" = test ]; then
  command -v chromium >/dev/null 2>&1 || want_apt+=(chromium)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || want_apt+=(postgresql)
fi
command -v node >/dev/null 2>&1 || want_apt+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || want_apt+=(python3)
command -v curl >/dev/null 2>&1 || want_apt+=(curl)
command -v cc >/dev/null 2>&1 || want_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || want_apt+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || want_apt+=(libssl-dev)
if [ ${#want_apt[@]} -gt 0 ]; then
  log "apt: ${want_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${want_apt[@]}" >/dev/null
fi
# The system cluster is not needed: tests start a private one (scripts/pg.sh); the machine's own
# services are left alone.

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The site is built by the workspace's own xtask (cargo + the wasm-bindgen library + wasm-opt):
# nothing to install for it here. cargo-leptos (`cargo leptos watch`) stays optional for
# developers, see README.md.

# Node packages: binaryen (wasm-opt 132, works with hydration), Playwright (test runner, no
# browser download), axe-core. Versions pinned in end2end/package.json + package-lock.json.
if [ ! -f "$GATEHOUSE_NODE/.stamp" ] || ! cmp -s "$root/end2end/package-lock.json" "$GATEHOUSE_NODE/.stamp"; then
  log "npm ci (end2end)"
  cp "$root/end2end/package.json" "$root/end2end/package-lock.json" "$GATEHOUSE_NODE/"
  (cd "$GATEHOUSE_NODE" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$root/end2end/package-lock.json" "$GATEHOUSE_NODE/.stamp"
fi
# The SMTP capture server for tests and development (PyPI aiosmtpd).
if ! PYTHONPATH="$GATEHOUSE_CACHE/py" python3 -c 'import aiosmtpd' 2>/dev/null; then
  log "pip install aiosmtpd"
  python3 -m pip install --quiet --disable-pip-version-check --target "$GATEHOUSE_CACHE/py" 'aiosmtpd==1.4.6'
fi
# The SCIM conformance checker for the tests (PyPI scim2-tester with its httpx2 client), pinned.
if [ "$purpose" = test ] && ! PYTHONPATH="$GATEHOUSE_CACHE/py-scim" python3 -c 'import scim2_tester, httpx2' 2>/dev/null; then
  log "pip install scim2-tester"
  python3 -m pip install --quiet --disable-pip-version-check --target "$GATEHOUSE_CACHE/py-scim" \
    'scim2-tester==0.5.2' 'scim2-client[httpx2]==0.13.2' 'scim2-models==0.12.3' 'httpx2==2.17.0'
fi
have_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }
have_version wasm-opt "132" || { log "wasm-opt 132 not on PATH after npm install"; exit 1; }
log "tools ready"
