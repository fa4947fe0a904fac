#!/usr/bin/env bash
# Runs the benchmarks: each prints its figures with a baseline measured in the same run and the
# ratio (nothing asserts a time). In one run:
#   - the store: the phone's local writes and reads, records shaped like real ones (bench `store`);
#   - the bootstrap of a district (20,000 beneficiaries, 100,000 visits shaped like real ones)
#     through the real client and release server: records/s against a raw SQLite insert of the
#     same rows, bytes on the wire against gzip/zstd of the bare records, the phone's database
#     against a plain table, memory, growth within the sync, a no-change sync, and a first sync
#     over a shaped 2 Mbit/s, 150 ms link;
#   - growth: the same bootstrap at 2x and 5x the data, per-record cost against 1x
#     (skip with DESMIG_BENCH_GROWTH=off: the 5x run seeds 600,000 records, about 4 minutes);
#   - the server's ingest: the same district pushed through its push path in process, with the
#     server binary's allocator, against a raw SQLite insert of the same JSON; the first fifth of
#     the pushes against the last, at 1x and (unless DESMIG_BENCH_GROWTH=off) 5x;
#   - store-and-forward: a bundle of 500 visits shaped like real ones, its size against gzip of
#     the bare operations, and the time to export, carry, deliver and acknowledge it;
#   - server load: concurrent phones pushing and pulling (bench `load`; PostgreSQL too when it is
#     installed);
#   - the phone library's size, stripped, per profile (release; phone = LTO + size), for the
#     Android ABI that can be built here: x86_64 Linux stands in for x86_64 Android (no NDK here).
# Usage: scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p desmig-sync-server
export DESMIG_SERVER_BIN="$PWD/target/release/desmig-sync-server"
if [ -z "${DESMIG_TEST_POSTGRES_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DESMIG_TEST_POSTGRES_URL="$(scripts/postgres.sh start)"
fi

echo "== store"
cargo bench --locked -p desmig-e2e --bench store

echo "== bootstrap, 1x"
log1="$(mktemp)"; trap 'rm -f "$log1"' EXIT
cargo bench --locked -p desmig-e2e --bench bootstrap | tee "$log1"
per_record() { grep -o 'us_per_record=[0-9.]*' "$1" | cut -d= -f2; }
base_us="$(per_record "$log1")"

if [ "${DESMIG_BENCH_GROWTH:-on}" != "off" ]; then
  for scale in 2 5; do
    echo "== bootstrap, ${scale}x"
    log="$(mktemp)"
    DESMIG_BENCH_SCALE=$scale DESMIG_BENCH_LINK=off cargo bench --locked -p desmig-e2e --bench bootstrap | tee "$log"
    us="$(per_record "$log")"
    awk -v s="$scale" -v a="$base_us" -v b="$us" \
      'BEGIN { printf "growth: per-record cost at %sx %.2f us against %.2f us at 1x | ratio %.2fx | target <= 1.2x\n", s, b, a, b / a }'
    rm -f "$log"
  done
fi

echo "== server ingest, 1x"
cargo bench --locked -p desmig-e2e --bench ingest
if [ "${DESMIG_BENCH_GROWTH:-on}" != "off" ]; then
  echo "== server ingest, 5x"
  DESMIG_BENCH_SCALE=5 cargo bench --locked -p desmig-e2e --bench ingest
fi

echo "== store-and-forward: a bundle of 500 visits"
cargo bench --locked -p desmig-e2e --bench bundle

echo "== server load"
cargo bench --locked -p desmig-e2e --bench load

echo "== the phone library, stripped"
size_of() { stat -c %s "$1"; }
cargo build --locked --release -p desmig-bindings
cp target/release/libdesmig.so target/libdesmig-release.so && strip target/libdesmig-release.so
cargo build --locked --profile phone -p desmig-bindings
release_bytes=$(size_of target/libdesmig-release.so)
phone_bytes=$(size_of target/phone/libdesmig.so)
awk -v r="$release_bytes" -v p="$phone_bytes" 'BEGIN {
  printf "libdesmig.so x86_64 (stands in for the x86_64 Android ABI; no NDK here): release, stripped %.1f MB | phone profile (LTO, opt-level s, stripped) %.1f MB | ratio %.2fx | target <= 4 MB per ABI\n", r / 1e6, p / 1e6, p / r }'
