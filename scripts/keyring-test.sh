#!/usr/bin/env bash
# Runs the second-factor tests against a real Secret Service: gnome-keyring, in a D-Bus session of its own, with
# its keyrings in a temporary folder (the user's own keyring is never touched).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 0700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf "a keyring password for tests" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  cargo test --locked --test keyring -- --ignored --test-threads=1
'
