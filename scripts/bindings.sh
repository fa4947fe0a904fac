#!/usr/bin/env bash
# Builds the core's FFI library for this machine and generates the Kotlin and Swift bindings
# from it, into the Android and iOS projects. The generated files are never edited by hand.
# Usage: scripts/bindings.sh           regenerate
#        scripts/bindings.sh --check   fail if the committed bindings are stale
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p desmig-bindings -p uniffi-bindgen --locked
lib="target/debug/libdesmig.so"
[ -f "$lib" ] || lib="target/debug/libdesmig.dylib"

kotlin_dir="android/shared/src/main/kotlin"
swift_dir="ios/DesmigCore/Sources"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
target/debug/uniffi-bindgen generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
target/debug/uniffi-bindgen generate --library "$lib" --language swift --out-dir "$out/swift" --no-format

# Swift: the Swift file is the DesmigCore target; the C header and module map are the
# DesmigFFI target that the XCFramework's headers come from.
mkdir -p "$out/layout/DesmigCore" "$out/layout/DesmigFFI/include"
cp "$out/swift/DesmigCore.swift" "$out/layout/DesmigCore/"
cp "$out/swift/DesmigFFI.h" "$out/layout/DesmigFFI/include/"
cp "$out/swift/DesmigFFI.modulemap" "$out/layout/DesmigFFI/include/module.modulemap"

if [ "${1:-}" = "--check" ]; then
  stale=0
  diff -r "$out/kotlin/id/go/kemnaker/desmig/core" "$kotlin_dir/id/go/kemnaker/desmig/core" >/dev/null || stale=1
  diff -r "$out/layout/DesmigCore" "$swift_dir/DesmigCore" >/dev/null || stale=1
  diff -r "$out/layout/DesmigFFI/include" "$swift_dir/DesmigFFI/include" >/dev/null || stale=1
  if [ "$stale" = 1 ]; then
    echo "The generated bindings are stale: run scripts/bindings.sh and commit the result." >&2
    exit 1
  fi
  echo "bindings are up to date"
  exit 0
fi

rm -rf "$kotlin_dir/id/go/kemnaker/desmig/core" "$swift_dir/DesmigCore/DesmigCore.swift" "$swift_dir/DesmigFFI/include"
mkdir -p "$kotlin_dir" "$swift_dir/DesmigCore" "$swift_dir/DesmigFFI"
cp -r "$out/kotlin/." "$kotlin_dir/"
cp "$out/layout/DesmigCore/DesmigCore.swift" "$swift_dir/DesmigCore/"
cp -r "$out/layout/DesmigFFI/include" "$swift_dir/DesmigFFI/"
echo "generated $kotlin_dir/id/go/kemnaker/desmig/core/desmig.kt and $swift_dir/"
