//! Server ingest benchmark: a district shaped like a real one (`desmig_e2e::seed`: 20,000
//! beneficiaries and 100,000 visits at `DESMIG_BENCH_SCALE=1`) pushed through the server's push
//! path in process on SQLite, in batches of about 1,900 operations, with the server binary's
//! allocator. Every operation goes through the same checks as over HTTP (clock, scope, writer,
//! fields, checklist answers) and is written with its audit row and its feed row.
//!
//! Prints operations per second; the first fifth of the pushes against the last (ingest stays
//! flat as the database grows); and as a baseline, the same records' bare JSON inserted straight
//! into a plain SQLite table in the same process, in transactions of the same size. Not a test:
//! nothing here asserts a time. Run with `scripts/bench.sh`, or
//! `cargo bench -p desmig-e2e --bench ingest`. Target: ≥ 20,000 ops/s on SQLite, flat with size.

use desmig_e2e::dataset::Shape;
use desmig_e2e::seed::{seed_district, BATCH, BENEFICIARIES};
use rusqlite::params;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: desmig_sync_server::ServerAllocator = desmig_sync_server::SERVER_ALLOCATOR;

fn file_mb(path: &std::path::Path) -> f64 {
    let len = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    (len(path) + len(&std::path::PathBuf::from(format!("{}-wal", path.display())))) as f64 / 1e6
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("ingest bench: skipped outside `cargo bench`");
        return;
    }
    let scale: usize = std::env::var("DESMIG_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let seeded = seed_district(&db, BENEFICIARIES * scale);
    let total = seeded.total;
    let ingest = total as f64 / seeded.pushing.as_secs_f64();

    // Baseline: the same records' bare JSON into a plain table, one transaction per batch.
    let raw_path = dir.path().join("raw.db");
    let mut raw = rusqlite::Connection::open(&raw_path).unwrap();
    desmig_core::schema::configure(&raw).unwrap();
    raw.execute_batch("CREATE TABLE r (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)").unwrap();
    let started = Instant::now();
    for (b, chunk) in seeded.bare.chunks(BATCH).enumerate() {
        let tx = raw.transaction().unwrap();
        {
            let mut stmt = tx.prepare_cached("INSERT INTO r (id, doc) VALUES (?1, ?2)").unwrap();
            for (i, doc) in chunk.iter().enumerate() {
                stmt.execute(params![(b * BATCH + i) as i64, std::str::from_utf8(doc).unwrap()]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let baseline = started.elapsed();
    let (first, last) = seeded.first_and_last_fifth();
    println!(
        "ingest through the push path, {total} {:?} records (SQLite, in process, batches of ~{BATCH}): {:.2} s, {ingest:.0} ops/s | raw SQLite insert of the same JSON {:.2} s ({:.0} rows/s) | ratio {:.1}x | target ≥ 20,000 ops/s",
        Shape::from_env(),
        seeded.pushing.as_secs_f64(),
        baseline.as_secs_f64(),
        total as f64 / baseline.as_secs_f64(),
        seeded.pushing.as_secs_f64() / baseline.as_secs_f64(),
    );
    println!(
        "  flat with size: {first:.0} ops/s over the first fifth of the pushes, {last:.0} ops/s over the last | ratio {:.2}x | the server's database {:.1} MB against the plain table's {:.1} MB",
        first / last,
        file_mb(&db),
        file_mb(&raw_path),
    );
    println!("BENCH ingest_ops_per_s={ingest:.0}");
}
