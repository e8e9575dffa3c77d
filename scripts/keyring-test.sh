#!/usr/bin/env bash
# Runs the second-factor tests against a real Secret Service, and the screen-lock test on its D-Bus session
# (scripts/with-keyring.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-keyring.sh bash -c 'set -euo pipefail
  cargo test --locked --test keyring -- --ignored --test-threads=1
  cargo test --locked -p offramp-desktop the_ledger_locks_when_the_screen_locks -- --ignored
'
