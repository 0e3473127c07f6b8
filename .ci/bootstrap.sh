#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping whatever is already there at the
# right version, so a warm machine pays seconds and a bare one a few minutes.
# Called by the Makefile; safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[bootstrap] %s\n' "$*" >&2; }

# Versions of the cargo-installed tools. wasm-bindgen-cli must equal the wasm-bindgen crate
# pinned in Cargo.toml, or wasm-pack tries to download its own copy (and fails here).
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v firefox-esr >/dev/null || command -v firefox >/dev/null || need_apt+=(firefox-esr)
command -v promtool >/dev/null || need_apt+=(prometheus) # promtool checks the collector's exposition
# WebKit: WebKitGTK's WebDriver (and MiniBrowser) needs an X display, hence Xvfb.
command -v WebKitWebDriver >/dev/null || need_apt+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || need_apt+=(xvfb)
command -v xauth >/dev/null || need_apt+=(xauth) # xvfb-run needs it; xvfb only recommends it
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

cargo_tool() { # binary, crate, version
  local have
  have=$("$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1 || true)
  if [ "$have" != "$3" ]; then
    log "cargo install $2 $3 (found: ${have:-none})"
    # --locked first (reproducible); the registry mirror here has lacked a few locked
    # transitive versions, in which case a fresh resolution is the next best thing.
    cargo install --locked --quiet "$2" --version "$3" \
      || cargo install --quiet "$2" --version "$3"
  fi
}
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"
cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION"

# Node packages: the test harness (playwright-core, binaryen's wasm-opt, typescript) and the demo.
for dir in tests www; do
  if [ -f "$dir/package.json" ]; then
    stamp="$dir/node_modules/.bootstrap-stamp"
    if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
      log "npm install in $dir"
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
      touch "$stamp"
    fi
  fi
done
# OTLP/JSON bodies are validated against the official protobuf definitions (PyPI's
# opentelemetry-proto, with protobuf) in a virtual environment of the project's own.
OTLP_PYTHON_PACKAGES="opentelemetry-proto==1.45.2 protobuf==7.36.2"
venv=tests/otlp/.venv
stamp="$venv/.bootstrap-packages"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$OTLP_PYTHON_PACKAGES" ]; then
  log "python3 -m venv $venv; pip install $OTLP_PYTHON_PACKAGES"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # one word per package
  "$venv/bin/pip" install --quiet --disable-pip-version-check $OTLP_PYTHON_PACKAGES
  echo "$OTLP_PYTHON_PACKAGES" > "$stamp"
fi
log "toolchain ready"
