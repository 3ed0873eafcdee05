#!/usr/bin/env bash
# Runs every test of twostep: unit and integration tests of the server and the wire types. Installs
# the tools the tests use (oathtool, Chromium, chromedriver, zbarimg, the web app's toolchain)
# where they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$PATH"

cargo test --workspace --quiet
