#!/usr/bin/env bash
# Runs the benchmarks (they print figures and ratios; they assert no times).
# Usage: scripts/bench.sh          (PostgreSQL runs too when it is installed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p desmig-sync-server
export DESMIG_SERVER_BIN="$PWD/target/release/desmig-sync-server"
if [ -z "${DESMIG_TEST_POSTGRES_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DESMIG_TEST_POSTGRES_URL="$(scripts/postgres.sh start)"
fi
cargo bench -p desmig-core --bench store
cargo bench -p desmig-e2e --bench bootstrap
cargo bench -p desmig-e2e --bench load
