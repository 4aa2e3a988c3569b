# Shared environment for every Gatehouse script: caches live outside the clone so a second run
# (and a second clone) reuses the toolchain, installed tools and cargo's build output.
# Source it: `. scripts/env.sh`.
export GATEHOUSE_CACHE="${GATEHOUSE_CACHE:-$HOME/.cache/gatehouse}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$GATEHOUSE_CACHE/target}"
export GATEHOUSE_TOOLS="$GATEHOUSE_CACHE/tools"
export GATEHOUSE_NODE="$GATEHOUSE_CACHE/node"
export PATH="$GATEHOUSE_TOOLS/bin:$GATEHOUSE_NODE/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PLAYWRIGHT_BROWSERS_PATH=0
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# CI builds once: incremental compilation data (tens of GB over many builds) only costs disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi
# wasm-opt comes from npm binaryen (end2end/package.json pins 132; Debian's 108 breaks hydration).
