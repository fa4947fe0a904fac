#!/usr/bin/env bash
# Builds ios/DesmigCore/DesmigFFI.xcframework: the core's static library (libdesmig.a, crate
# desmig-bindings) for iPhones and for the simulator (Apple silicon and Intel Macs), each with the
# C header and module map of module DesmigFFI that the generated Swift imports.
# Runs on a Mac with Xcode and rustup, from anywhere in the repository:
#   scripts/build-xcframework.sh
# The bindings are regenerated first (scripts/bindings.sh), so that the Swift, the header and the
# library always come from the same Rust source.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" != "Darwin" ]; then
  echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)." >&2
  exit 1
fi
for tool in cargo rustup xcodebuild lipo; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

device_target="aarch64-apple-ios"
sim_targets=("aarch64-apple-ios-sim" "x86_64-apple-ios")
include_dir="ios/DesmigCore/Sources/DesmigFFI/include"
output="ios/DesmigCore/DesmigFFI.xcframework"
work="target/xcframework"

# 1. The Swift bindings, the C header and the module map, from the Rust library.
scripts/bindings.sh

# 2. The static library for each Apple target. C code compiled by build scripts (SQLite, ring)
#    targets the same minimum iOS as the app.
export IPHONEOS_DEPLOYMENT_TARGET="16.0"
rustup target add "$device_target" "${sim_targets[@]}"
# The crate's own types are cdylib + lib (the static library is built only here, not by every
# `cargo build` and test run).
for target in "$device_target" "${sim_targets[@]}"; do
  cargo rustc --profile phone --locked -p desmig-bindings --lib --crate-type staticlib --target "$target"
done

# 3. One simulator library for both architectures, and the headers every slice carries.
rm -rf "$work" "$output"
mkdir -p "$work/headers" "$work/ios-simulator"
cp "$include_dir/DesmigFFI.h" "$include_dir/module.modulemap" "$work/headers/"
lipo -create \
  "target/aarch64-apple-ios-sim/phone/libdesmig.a" \
  "target/x86_64-apple-ios/phone/libdesmig.a" \
  -output "$work/ios-simulator/libdesmig.a"

# 4. The XCFramework that Package.swift names as binary target DesmigFFI.
xcodebuild -create-xcframework \
  -library "target/$device_target/phone/libdesmig.a" -headers "$work/headers" \
  -library "$work/ios-simulator/libdesmig.a" -headers "$work/headers" \
  -output "$output"

echo "built $output"
