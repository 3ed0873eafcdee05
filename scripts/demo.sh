#!/usr/bin/env bash
# Runs the twostep demo: installs the build tools if needed, builds the web app and the server,
# adds the user "demo" with a fresh password (printed below), and serves http://127.0.0.1:8080
# with its SQLite database in data/. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh build

echo "building the web app ..." >&2
scripts/build-web.sh
echo "building the server ..." >&2
cargo build --release -p twostep-server --quiet
twostep=target/release/twostep

export TWOSTEP_DATABASE_URL=sqlite://data/twostep.db
export TWOSTEP_LISTEN=127.0.0.1:8080
password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
if "$twostep" user list | cut -f1 | grep -qx demo; then
    printf '%s\n' "$password" | "$twostep" user passwd demo --password-stdin >/dev/null
else
    printf '%s\n' "$password" |
        "$twostep" user add demo --password-stdin --display-name "Demo User" >/dev/null
fi

cat <<MESSAGE

  twostep demo on http://127.0.0.1:8080
  username: demo
  password: $password

  Already set up an authenticator for "demo" in an earlier run? Use it, or start over with
  $twostep otp reset demo

MESSAGE
exec "$twostep" serve
