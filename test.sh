#!/usr/bin/env bash
# Runs every test of the project:
#   1. formatting and lints (cargo fmt, clippy with warnings as errors);
#   2. the Rust workspace: core, sync server, the end-to-end suite against a real server;
#   3. the generated Kotlin/Swift bindings are up to date with the Rust library;
#   4. the Android app's Compose screens compile for the desktop and render to PNG;
#   5. the Android app's platform-free Kotlin (bindings + state holders) on the desktop JVM,
#      through JNA, syncing against the real sync-server binary (Maven, JUnit 5);
#   6. the Compose screens driven headless (Compose Multiplatform UI tests) over the real core;
#   7. the district console in a real headless browser (Debian's chromium + chromedriver, driven
#      by Selenium from Python) against the real server binary; screenshots in
#      target/console-screens/.
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
echo "== District console in a headless browser (chromium, Selenium)"
browser_log="$(mktemp)"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && /usr/bin/python3 -c "import selenium" 2>/dev/null; then
  /usr/bin/python3 tests/browser/console_test.py target/debug/desmig-sync-server 2>&1 | tee "$browser_log" || true
  browser_passed=$(grep -o 'browser: [0-9]* passed' "$browser_log" | tr -dc 0-9)
  browser_failed=$(grep -o '[0-9]* failed' "$browser_log" | tail -1 | tr -dc 0-9)
  # A run that stopped before its summary line failed.
  [ -n "$browser_passed" ] || { browser_passed=0; browser_failed=1; }
  browser_pass="ran"
else
  echo "browser tests NOT RUN: apt-get install chromium chromium-driver python3-selenium (.ci/run does)."
  browser_passed=0; browser_failed=0; browser_pass="NOT RUN"
  if [ -n "${DESMIG_REQUIRE_BROWSER:-}" ]; then exit 1; fi
fi
rm -f "$browser_log"
echo
passed=0; failed=0
for report in android/shared/target/surefire-reports/TEST-*.xml android/screenshots/target/surefire-reports/TEST-*.xml; do
  tests=$(grep -o 'tests="[0-9]*"' "$report" | head -1 | tr -dc 0-9)
  bad=$(( $(grep -o 'failures="[0-9]*"' "$report" | head -1 | tr -dc 0-9) + $(grep -o 'errors="[0-9]*"' "$report" | head -1 | tr -dc 0-9) ))
  passed=$((passed + tests - bad)); failed=$((failed + bad))
done
echo "kotlin: $passed passed, $failed failed"
echo "rust (SQLite and PostgreSQL passes; PostgreSQL pass $pg_pass): $rust_passed passed, $rust_failed failed"
echo "browser (console; $browser_pass): $browser_passed passed, $browser_failed failed"
echo
echo "total: $((rust_passed + passed + browser_passed)) passed, $((rust_failed + failed + browser_failed)) failed"
[ "$failed" -eq 0 ] && [ "$rust_failed" -eq 0 ] && [ "$browser_failed" -eq 0 ]
