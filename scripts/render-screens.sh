#!/usr/bin/env bash
# Compiles the Android app's Compose screens for the desktop (Compose Multiplatform) and renders
# each one headless to PNG, in Indonesian and English, into android/screenshots/target/screens/.
# The screens are the app's own composables; states come partly from the real core (JNA).
# Usage: scripts/render-screens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p desmig-bindings --locked
python3 android/screenshots/prepare.py
(cd android/screenshots && mvn -B -q -Dstyle.color=never compile exec:java)
count=$(find android/screenshots/target/screens -name '*.png' | wc -l)
[ "$count" -ge 18 ] || { echo "only $count screens rendered" >&2; exit 1; }
