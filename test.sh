#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (core, sync server, end-to-end suite).
# Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"

echo "== Rust workspace tests"
cargo test --workspace --locked
