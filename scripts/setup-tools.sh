#!/usr/bin/env bash
# Installs everything Gatehouse needs to build, run and test, idempotently, into caches outside
# the clone. Nothing downloads a prebuilt binary from outside the package registries.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
root="$(cd "$here/.." && pwd)"
mkdir -p "$GATEHOUSE_TOOLS/bin" "$GATEHOUSE_NODE"
log() { printf '[setup] %s\n' "$*" >&2; }

want_apt=()
command -v chromium >/dev/null 2>&1 || want_apt+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || want_apt+=(postgresql)
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
# The system cluster is not needed: tests start a private one. Stop Debian's auto-started one? No:
# leave the machine's services alone.

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Build-time speed: these tools are run, not benchmarked; skip LTO and use many codegen units.
fast_install_env() {
  CARGO_TARGET_DIR="$GATEHOUSE_CACHE/tool-build" \
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=2 CARGO_PROFILE_RELEASE_DEBUG=false "$@"
}

# cargo's registry holds a crate's unpacked source after any attempt to install it.
registry_src() { ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$1-$2" 2>/dev/null | head -n1 || true; }

have_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }

if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  fast_install_env cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    --root "$GATEHOUSE_TOOLS" --force
fi

if ! have_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION with no_downloads (long, once)"
  src="$(registry_src cargo-leptos "$CARGO_LEPTOS_VERSION")"
  if [ -z "$src" ]; then
    # Its own lockfile needs a newer rustc, so this first attempt fails by design; it leaves the
    # crate's source in cargo's registry, which we build from with one dependency pinned back.
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --root "$GATEHOUSE_TOOLS" \
      --features no_downloads >/dev/null 2>&1 || true
    src="$(registry_src cargo-leptos "$CARGO_LEPTOS_VERSION")"
  fi
  [ -n "$src" ] || { log "could not fetch the cargo-leptos source from crates.io"; exit 1; }
  work="$GATEHOUSE_CACHE/cargo-leptos-src"
  rm -rf "$work"; cp -r "$src" "$work"
  (cd "$work" && cargo update -p cargo-util-schemas --precise 0.14.1 >/dev/null 2>&1 || true)
  fast_install_env cargo install --path "$work" --locked --features no_downloads \
    --root "$GATEHOUSE_TOOLS" --force
fi

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
have_version wasm-opt "132" || { log "wasm-opt 132 not on PATH after npm install"; exit 1; }
log "tools ready"
