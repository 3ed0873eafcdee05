#!/usr/bin/env bash
# Runs every test of twostep: the server's unit and integration tests, the web app's size budget,
# and the browser tests of the web app in headless Chromium. Installs the tools they use
# (oathtool, Chromium, chromedriver, zbarimg, the web app's toolchain) where they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$PATH"

# The browser tests drive the built app, and the size check measures it.
scripts/size.sh

# Doc tests are skipped (there are none); the summary line adds up every test binary.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --all-targets 2>&1 | tee "$log"
awk '/^test result:/ { passed += $4; failed += $6 }
     END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
