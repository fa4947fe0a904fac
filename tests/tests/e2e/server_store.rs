//! The server's SQLite file while the server runs: what a push commits reaches the database file
//! itself, not only its write-ahead log, and the log does not grow with the district.

use desmig_e2e::seed::seed_into;
use desmig_sync_server::sqlite::SqliteStorage;
use desmig_sync_server::storage::Storage;
use std::time::{Duration, Instant};

fn len(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn pushed_records_reach_the_database_file_while_the_server_runs_and_the_log_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let wal = dir.path().join("server.db-wal");
    let storage = SqliteStorage::open(&path).unwrap();
    let empty = len(&path);
    // 1,200 workers and their 6,000 visits (about 30 MB of pages), in four pushes.
    let seeded = seed_into(&storage, 1_200);
    assert_eq!(seeded.total, 7_200);
    // The checkpoint runs beside the pushes: give it a moment to finish the last one.
    let deadline = Instant::now() + Duration::from_secs(20);
    while len(&path) < empty + 20_000_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        len(&path) >= empty + 20_000_000,
        "the records are in the database file ({} bytes; {} when empty), the store still open",
        len(&path),
        empty
    );
    // The log is started again from its beginning once copied: it holds about a push, not the
    // district (each push's pages are about 8 MB).
    assert!(len(&wal) < 20_000_000, "the WAL holds {} bytes", len(&wal));
    // And the server reads them back, still open.
    assert_eq!(storage.stats().unwrap().records, 7_200, "{:?}", storage.stats().unwrap());
}
