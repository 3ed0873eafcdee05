#!/usr/bin/env bash
# Installs what building and testing twostep needs, on Debian with rustup, skipping whatever
# is already there at the right version. Safe to run again.
#
#   scripts/setup.sh build   the web app's toolchain: wasm32 targets, nightly's library source,
#                            trunk, wasm-bindgen, wasm-opt
#   scripts/setup.sh test    the above, plus oathtool, Chromium, chromedriver and zbarimg
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-test}
trunk_version=0.21.14
binaryen_version=132
# wasm-bindgen's command-line tool must match the library version the app is built with.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

as_root() {
    if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root to run: $*"; exit 1
    fi
}

apt_packages=()
need_apt() { command -v "$1" >/dev/null || apt_packages+=("$2"); }

if [[ $what == test ]]; then
    need_apt oathtool oathtool
    need_apt chromium chromium
    need_apt chromedriver chromium-driver
    need_apt zbarimg zbar-tools
fi
need_apt npm npm
if ((${#apt_packages[@]})); then
    say "installing ${apt_packages[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

# Stable checks the app; nightly builds it, rebuilding the standard library for size
# (scripts/build-web.sh), which needs the library's source and the crates it depends on.
for toolchain in stable nightly; do
    if ! rustup target list --toolchain "$toolchain" --installed | grep -qx wasm32-unknown-unknown
    then
        say "adding the wasm32-unknown-unknown target to $toolchain"
        rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
    fi
done
sysroot=$(rustc +nightly --print sysroot)
if [[ ! -f $sysroot/lib/rustlib/src/rust/library/Cargo.lock ]]; then
    say "adding the standard library's source to nightly"
    rustup component add rust-src --toolchain nightly
fi
cargo +nightly fetch --quiet --manifest-path "$sysroot/lib/rustlib/src/rust/library/Cargo.toml"

if [[ $(trunk --version 2>/dev/null) != "trunk $trunk_version" ]]; then
    say "installing trunk $trunk_version (a few minutes)"
    cargo install trunk --version "$trunk_version" --locked --quiet
fi

if [[ $(wasm-bindgen --version 2>/dev/null) != "wasm-bindgen $bindgen_version" ]]; then
    say "installing wasm-bindgen-cli $bindgen_version"
    # Not --locked: one of its locked dependencies is no longer on the registry.
    cargo install wasm-bindgen-cli --version "$bindgen_version" --quiet
fi

if ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version $binaryen_version"; then
    say "installing wasm-opt (binaryen $binaryen_version) from npm"
    npm ci --silent --no-audit --no-fund
fi

say "ready"
