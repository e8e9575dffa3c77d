#!/usr/bin/env bash
# Runs the second-factor tests against a real Secret Service (scripts/with-keyring.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-keyring.sh cargo test --locked --test keyring -- --ignored --test-threads=1
