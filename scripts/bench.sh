#!/usr/bin/env bash
# Runs the benchmarks (they print figures and ratios; they assert no times).
# Usage: scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p desmig-sync-server
cargo bench -p desmig-core --bench store
DESMIG_SERVER_BIN="$PWD/target/release/desmig-sync-server" cargo bench -p desmig-e2e --bench bootstrap
