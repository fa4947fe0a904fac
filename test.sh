#!/usr/bin/env bash
# Runs every test of the project: formatting and lints, then the Rust workspace (core, sync
# server, end-to-end suite against a real server on loopback).
# Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust workspace tests"
cargo test --workspace --locked
