//! Bootstrap benchmark: a fresh supervisor's phone pulls a district (20,000 beneficiaries and
//! 100,000 visits; `DESMIG_BENCH_SCALE=2` or `5` for twice or five times that) from the real
//! server binary over loopback. Records are shaped like real ones (`desmig_e2e::dataset`: ~0.9 KB
//! beneficiaries, ~1.4 KB visits with 28 answers and notes); `DESMIG_BENCH_SHAPE=small` gives the
//! earlier small records. Prints wall time, records per
//! second, bytes on the wire (through a counting proxy, headers included), the phone process's
//! peak memory, and as a baseline the same rows inserted straight into SQLite in the same run.
//! Then a no-change sync: round trips and bytes; then (unless `DESMIG_BENCH_LINK=off`; `only` runs
//! it alone) a first sync of 12,000 records over a shaped slow link (2 Mbit/s, 150 ms round trips;
//! a pacing relay on loopback) against the time its bytes need at that bandwidth, and against the
//! same sync without the next-cursor header. Not a test: nothing here asserts a time.
//!
//! Run with `scripts/bench.sh` (it builds the release server first), or
//! `DESMIG_SERVER_BIN=target/release/desmig-sync-server cargo bench -p desmig-e2e --bench bootstrap`.
//! Targets on the 2-core machine: ≥ 20,000 records/s and within 5× of the raw-insert baseline,
//! peak memory ≤ 100 MB, a no-change sync ≤ 2 KB in one round trip each way.

use desmig_core::sync::{CancelToken, SyncListener, SyncPhase, SyncProgress, SyncSettings};
use desmig_core::FieldStore;
use desmig_e2e::dataset::Shape;
use desmig_e2e::proxy::{FaultProxy, Link};
use desmig_e2e::seed::{seed_district, BENEFICIARIES, VISITS_PER_BENEFICIARY};
use rusqlite::params;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When each page of the pull was stored: (time, records stored so far).
#[derive(Default)]
struct Pages(Mutex<Vec<(Instant, u64)>>);

impl SyncListener for Pages {
    fn on_progress(&self, p: &SyncProgress) {
        if p.phase == SyncPhase::Pulling {
            self.0.lock().unwrap().push((Instant::now(), p.done));
        }
    }
}

impl Pages {
    /// Seconds per record over the first and the last fifth of the records.
    fn first_and_last_fifth(&self, start: Instant) -> (f64, f64) {
        let pages = self.0.lock().unwrap();
        let total = pages.last().map_or(0, |p| p.1);
        let at = |records: u64| pages.iter().find(|p| p.1 >= records).copied().unwrap_or((start, 0));
        let (t1, n1) = at(total / 5);
        let (t4, n4) = at(total * 4 / 5);
        let first = (t1 - start).as_secs_f64() / n1.max(1) as f64;
        let last = (pages.last().unwrap().0 - t4).as_secs_f64() / (total - n4).max(1) as f64;
        (first, last)
    }
}

fn zstd_size(bare: &[Vec<u8>], level: i32) -> usize {
    let mut all = Vec::new();
    for doc in bare {
        all.extend_from_slice(doc);
        all.push(b'\n');
    }
    zstd::bulk::compress(&all, level).unwrap().len()
}

/// Starts the release server on `db`; returns it and its URL.
fn start_server(bin: &str, db: &std::path::Path) -> (std::process::Child, String) {
    let mut server = Command::new(bin)
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(std::env::var("DESMIG_BENCH_GZIP_LEVEL").map(|l| vec!["--pull-gzip-level".to_string(), l]).unwrap_or_default())
        .args(std::env::var("DESMIG_BENCH_ZSTD_LEVEL").map(|l| vec!["--pull-zstd-level".to_string(), l]).unwrap_or_default())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_string();
    (server, url)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn reset_peak_rss() {
    // Linux: writing 5 to clear_refs resets the peak resident set size to the current one.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A database's size on disk with its write-ahead log, in MB.
fn file_mb(path: &std::path::Path) -> f64 {
    let len = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    (len(path) + len(&std::path::PathBuf::from(format!("{}-wal", path.display())))) as f64 / 1e6
}

/// gzip (level 6, as the server sends) of the bare records, one JSON document per line.
fn gzip_size(bare: &[Vec<u8>]) -> usize {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    for doc in bare {
        enc.write_all(doc).unwrap();
        enc.write_all(b"\n").unwrap();
    }
    enc.finish().unwrap().len()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("bootstrap bench: skipped outside `cargo bench`");
        return;
    }
    let bin = std::env::var("DESMIG_SERVER_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/desmig-sync-server").to_string());
    if !std::path::Path::new(&bin).exists() {
        eprintln!("server binary {bin} is missing: run scripts/bench.sh (or cargo build --release -p desmig-sync-server)");
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().unwrap();
    if std::env::var("DESMIG_BENCH_LINK").as_deref() == Ok("only") {
        slow_link(&bin, dir.path());
        return;
    }
    let db = dir.path().join("server.db");
    let scale: usize = std::env::var("DESMIG_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let beneficiaries = BENEFICIARIES * scale;
    let t = Instant::now();
    let seeded = seed_district(&db, beneficiaries);
    let (total, bare) = (seeded.total, seeded.bare);
    let bare_bytes: usize = bare.iter().map(Vec::len).sum();
    // The server's ingest is measured by the ingest bench, with the server binary's allocator.
    println!(
        "seeded the server with {total} {:?} records ({beneficiaries} beneficiaries, {} visits; bare JSON {:.0} B/record) in {:.1} s, {:.1} s of it in its push path",
        Shape::from_env(),
        beneficiaries * VISITS_PER_BENEFICIARY,
        bare_bytes as f64 / total as f64,
        t.elapsed().as_secs_f64(),
        seeded.pushing.as_secs_f64(),
    );
    let server_db_mb = file_mb(&db);

    let gz = gzip_size(&bare);
    let zst9 = zstd_size(&bare, 9);
    // zstd -19 of all of it takes minutes: its bytes per record over the first 12,000.
    let zst19_per_record = zstd_size(&bare[..bare.len().min(12_000)], 19) as f64 / bare.len().min(12_000) as f64;
    drop(bare);
    let (mut server, url) = start_server(&bin, &db);
    let proxy = FaultProxy::start(&url);

    let phone_path = dir.path().join("phone.db");
    // Encrypted, as the apps open it (SQLCipher); the raw baseline below is encrypted too.
    let key = desmig_core::cipher::DbKey::from_bytes(&[9; 32]).unwrap();
    let phone = FieldStore::open_encrypted(&phone_path, &key).unwrap();
    let login = phone.login(&proxy.url, "koordinator", "rahasia-desa").unwrap();
    let mut settings = SyncSettings::new(&proxy.url, &login.token);
    if let Some(max) = std::env::var("DESMIG_BENCH_PAGE_MAX").ok().and_then(|m| m.parse().ok()) {
        settings.pull_page_max = max;
    }
    proxy.reset_counters();
    reset_peak_rss();
    let rss_before = peak_rss_mb();
    let pages = Pages::default();
    let start = Instant::now();
    let report = phone.sync(&settings, Some(&pages), &CancelToken::new()).unwrap();
    let elapsed = start.elapsed();
    let peak = peak_rss_mb();
    let (up, down, trips) = (proxy.bytes_up(), proxy.bytes_down(), proxy.requests());
    assert_eq!(report.pulled as usize, total, "every record arrived");

    // Baseline: the same documents inserted straight into SQLite, a transaction per 1000 rows.
    let docs: Vec<(String, String)> = {
        let c = desmig_core::cipher::open(&phone_path, Some(&key), rusqlite::OpenFlags::default()).unwrap();
        let mut all = Vec::new();
        for table in ["beneficiary", "visit"] {
            let mut stmt = c.prepare(&format!("SELECT id, doc FROM {table}")).unwrap();
            all.extend(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap));
        }
        all
    };
    let mut raw = desmig_core::cipher::open(&dir.path().join("raw.db"), Some(&key), rusqlite::OpenFlags::default()).unwrap();
    desmig_core::schema::configure(&raw).unwrap();
    raw.execute_batch("CREATE TABLE r (id TEXT PRIMARY KEY, doc TEXT NOT NULL)").unwrap();
    let base_start = Instant::now();
    for chunk in docs.chunks(1000) {
        let tx = raw.transaction().unwrap();
        {
            let mut stmt = tx.prepare_cached("INSERT INTO r (id, doc) VALUES (?1, ?2)").unwrap();
            for (id, doc) in chunk {
                stmt.execute(params![id, doc]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let baseline = base_start.elapsed();

    println!(
        "bootstrap {total} records: {:.2} s, {:.0} records/s | raw SQLite insert baseline {:.2} s ({:.0} rows/s) | ratio {:.1}x | targets ≥ 20,000 records/s, ≤ 5x",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        baseline.as_secs_f64(),
        total as f64 / baseline.as_secs_f64(),
        elapsed.as_secs_f64() / baseline.as_secs_f64()
    );
    // For scripts/bench.sh, which compares the runs at 1x, 2x and 5x.
    println!("BENCH records={total} seconds={:.3} us_per_record={:.2}", elapsed.as_secs_f64(), elapsed.as_secs_f64() * 1e6 / total as f64);
    let (first, last) = pages.first_and_last_fifth(start);
    println!(
        "  growth within the sync: {:.1} µs/record over the first fifth, {:.1} µs/record over the last | ratio {:.2}x | target ≤ 1.2x",
        first * 1e6,
        last * 1e6,
        last / first
    );
    println!(
        "  on the wire (zstd, headers included): {:.1} MB down, {:.1} KB up, {trips} requests ({:.0} bytes/record) | baselines, the bare records in one stream: gzip -6 {:.0}, zstd -9 {:.0}, zstd -19 {:.0} bytes/record | ratio {:.2}x gzip -6, {:.2}x zstd -9 | target ≤ 150 bytes/record",
        down as f64 / 1e6,
        up as f64 / 1e3,
        down as f64 / total as f64,
        gz as f64 / total as f64,
        zst9 as f64 / total as f64,
        zst19_per_record,
        down as f64 / gz as f64,
        down as f64 / zst9 as f64
    );
    let phone_mb = file_mb(&phone_path);
    let raw_mb = file_mb(&dir.path().join("raw.db"));
    println!(
        "  the phone's database: {phone_mb:.1} MB | baseline: a plain table of the same JSON {raw_mb:.1} MB | ratio {:.2}x | the server's: {server_db_mb:.1} MB",
        phone_mb / raw_mb.max(0.001)
    );
    println!("  phone process peak memory during the sync: {peak:.0} MB (it was {rss_before:.0} MB at the start) | target ≤ 100 MB");

    proxy.reset_counters();
    let idle = phone.sync(&settings, None, &CancelToken::new()).unwrap();
    println!(
        "no-change sync: {} round trip(s), {} bytes up + {} bytes down on the wire ({} + {} body bytes) | target ≤ 2 KB, one round trip",
        proxy.requests(),
        proxy.bytes_up(),
        proxy.bytes_down(),
        idle.bytes_sent,
        idle.bytes_received
    );
    let _ = server.kill();
    let _ = server.wait();
    drop(phone);

    if std::env::var("DESMIG_BENCH_LINK").as_deref() != Ok("off") {
        slow_link(&bin, dir.path());
    }
}

/// A first sync of 12,000 records over a 2 Mbit/s link with 150 ms round trips, against the time
/// its bytes take at that bandwidth (what no protocol can beat). Each run is paired with one
/// through a relay that takes out the next-cursor header (as from a server without it: each page
/// asked for only once the last has arrived), in the same run, interleaved.
fn slow_link(bin: &str, dir: &std::path::Path) {
    let db = dir.join("slow.db");
    let total = seed_district(&db, 2_000).total;
    let (mut server, url) = start_server(bin, &db);
    let link = Link { bytes_per_sec: 2_000_000 / 8, rtt: Duration::from_millis(150) };
    let key = desmig_core::cipher::DbKey::from_bytes(&[9; 32]).unwrap();
    let sync_through = |run: usize, ahead: bool| {
        let proxy = FaultProxy::shaped(&url, link);
        if !ahead {
            proxy.strip_header(desmig_core::protocol::NEXT_CURSOR_HEADER);
        }
        let phone = FieldStore::open_encrypted(dir.join(format!("slow-phone-{run}-{ahead}.db")), &key).unwrap();
        let login = phone.login(&url, "koordinator", "rahasia-desa").unwrap();
        let settings = SyncSettings::new(&proxy.url, &login.token);
        let start = Instant::now();
        let report = phone.sync(&settings, None, &CancelToken::new()).unwrap();
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!(report.pulled as usize, total, "every record arrived");
        (elapsed, proxy.requests(), proxy.bytes_down() + proxy.bytes_up())
    };
    for run in 0..2 {
        let (elapsed, requests, bytes) = sync_through(run, true);
        let (without, requests_without, bytes_without) = sync_through(run, false);
        let floor = link.transfer(bytes).as_secs_f64();
        println!(
            "slow link (2 Mbit/s, 150 ms round trips), run {}: first sync of {total} records {elapsed:.1} s, {requests} requests, {:.2} MB | baseline: those bytes at 2 Mbit/s {floor:.1} s | ratio {:.2}x | target ≤ 1.15x | without the next-cursor header {without:.1} s, {requests_without} requests, {:.2}x its bytes' time",
            run + 1,
            bytes as f64 / 1e6,
            elapsed / floor,
            without / link.transfer(bytes_without).as_secs_f64()
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}
