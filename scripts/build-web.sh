#!/usr/bin/env bash
# Builds a trunk project (the web app by default, or the folder given) offline, on the nightly
# toolchain, rebuilding the standard library with panics that abort at once: every panic message
# and its formatting code leave the WebAssembly, about 13 KB of gzip that each visitor would
# otherwise download. Usage: scripts/build-web.sh [FOLDER] [TRUNK ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

folder=.
if [[ $# -gt 0 && -d $1 ]]; then
    folder=$1
    shift
fi

cd "$folder"
RUSTUP_TOOLCHAIN=nightly \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
    trunk build --offline --quiet "$@"
