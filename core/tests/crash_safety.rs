//! Nothing is lost or half-written when the app is killed: a writer process is SIGKILLed at
//! random moments, over and over, and after each kill every stored record has its outbox
//! operation, every operation its record, and SQLite's integrity check passes.

use desmig_core::model::EntityKind;
use rusqlite::Connection;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn writer_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_crash_writer"))
}

fn check(path: &std::path::Path) -> (i64, Vec<String>) {
    let conn = Connection::open(path).unwrap();
    let mut problems = Vec::new();
    let ic: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    if ic != "ok" {
        problems.push(ic);
    }
    let mut records = 0;
    for kind in EntityKind::ALL {
        let t = kind.table();
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap();
        records += n;
        let without_op: i64 = conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM {t} r WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = '{t}' AND o.entity_id = r.id)"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        let without_record: i64 = conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM outbox o WHERE o.entity = '{t}' AND NOT EXISTS (SELECT 1 FROM {t} r WHERE r.id = o.entity_id)"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        if without_op > 0 || without_record > 0 {
            problems.push(format!("{t}: {without_op} records without an operation, {without_record} operations without a record"));
        }
    }
    // Every visit was recorded with its follow-up in one transaction.
    let visits: i64 = conn.query_row("SELECT count(*) FROM visit", [], |r| r.get(0)).unwrap();
    let follow_ups: i64 = conn.query_row("SELECT count(*) FROM follow_up", [], |r| r.get(0)).unwrap();
    if visits != follow_ups {
        problems.push(format!("{visits} visits but {follow_ups} follow-ups"));
    }
    (records, problems)
}

#[test]
fn killing_the_app_at_any_moment_leaves_both_record_and_operation_or_neither() {
    let bin = writer_binary();
    assert!(bin.exists(), "{} is missing", bin.display());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("field.db");
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let kills = 40;
    let mut last_records = 0;
    let started = Instant::now();
    for round in 0..kills {
        let mut child = Command::new(&bin).arg(&path).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "round {round}: writer did not start");
        std::thread::sleep(Duration::from_micros(2_000 + rand() % 60_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (records, problems) = check(&path);
        assert!(problems.is_empty(), "after kill {round}: {problems:?}");
        assert!(records >= last_records, "records were lost: {records} < {last_records}");
        last_records = records;
    }
    assert!(last_records > 0, "the writer never committed anything");
    eprintln!("{kills} kills in {:?}; {last_records} records intact", started.elapsed());
}
