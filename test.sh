#!/usr/bin/env bash
# Runs every test of the project:
#   1. formatting and lints (cargo fmt, clippy with warnings as errors);
#   2. the Rust workspace: core, sync server, the end-to-end suite against a real server;
#   3. the generated Kotlin/Swift bindings are up to date with the Rust library;
#   4. the Android app's Compose screens compile for the desktop and render to PNG;
#   5. the Android app's platform-free Kotlin (bindings + state holders) on the desktop JVM,
#      through JNA, syncing against the real sync-server binary (Maven, JUnit 5);
#   6. the Compose screens driven headless (Compose Multiplatform UI tests) over the real core.
# Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust workspace tests"
rust_log="$(mktemp)"
trap 'rm -f "$rust_log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$rust_log"
rust_passed=$(grep -o '[0-9]* passed' "$rust_log" | awk '{s += $1} END {print s + 0}')
rust_failed=$(grep -o '[0-9]* failed' "$rust_log" | awk '{s += $1} END {print s + 0}')

echo "== End-to-end suite again, on PostgreSQL"
pg_started=""
if [ -z "${DESMIG_TEST_POSTGRES_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  DESMIG_TEST_POSTGRES_URL="$(scripts/postgres.sh start)"
  pg_started=1
fi
if [ -n "${DESMIG_TEST_POSTGRES_URL:-}" ]; then
  DESMIG_TEST_STORE=postgres DESMIG_TEST_POSTGRES_URL="$DESMIG_TEST_POSTGRES_URL" cargo test -p desmig-e2e --locked 2>&1 | tee "$rust_log"
  rust_passed=$((rust_passed + $(grep -o '[0-9]* passed' "$rust_log" | awk '{s += $1} END {print s + 0}')))
  rust_failed=$((rust_failed + $(grep -o '[0-9]* failed' "$rust_log" | awk '{s += $1} END {print s + 0}')))
  [ -n "$pg_started" ] && scripts/postgres.sh stop
  pg_pass="ran"
else
  echo "PostgreSQL pass NOT RUN: PostgreSQL is not installed here (apt-get install postgresql, or set DESMIG_TEST_POSTGRES_URL)."
  pg_pass="NOT RUN"
  if [ -n "${DESMIG_REQUIRE_POSTGRES:-}" ]; then exit 1; fi
fi

echo "== generated bindings are up to date"
scripts/bindings.sh --check

echo "== Android screens compiled for the desktop and rendered to PNG (id, en)"
scripts/render-screens.sh

echo "== Kotlin on the JVM (android/shared)"
cargo build -p desmig-sync-server --locked
(cd android/shared && mvn -B -q -Dstyle.color=never test)

echo "== Android screens driven headless (Compose UI tests, real state holders and core)"
# prepare.py already ran (render-screens.sh): its generated sources are in target/, so no `clean`.
(cd android/screenshots && mvn -B -q -Dstyle.color=never test)
echo
passed=0; failed=0
for report in android/shared/target/surefire-reports/TEST-*.xml android/screenshots/target/surefire-reports/TEST-*.xml; do
  tests=$(grep -o 'tests="[0-9]*"' "$report" | head -1 | tr -dc 0-9)
  bad=$(( $(grep -o 'failures="[0-9]*"' "$report" | head -1 | tr -dc 0-9) + $(grep -o 'errors="[0-9]*"' "$report" | head -1 | tr -dc 0-9) ))
  passed=$((passed + tests - bad)); failed=$((failed + bad))
done
echo "kotlin: $passed passed, $failed failed"
echo "rust (SQLite and PostgreSQL passes; PostgreSQL pass $pg_pass): $rust_passed passed, $rust_failed failed"
echo
echo "total: $((rust_passed + passed)) passed, $((rust_failed + failed)) failed"
[ "$failed" -eq 0 ] && [ "$rust_failed" -eq 0 ]
