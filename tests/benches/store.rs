//! Local store benchmark: prints medians and, as a baseline measured in the same run, the same
//! rows written or read with raw prepared SQLite statements. Records are shaped like real ones
//! (`desmig_e2e::dataset`: visits of the KUR-readiness checklist with 28 answers and notes,
//! returning workers with a full registration); `DESMIG_BENCH_SHAPE=small` gives the earlier
//! small records. Not a test: nothing here asserts a time. Run with
//! `cargo bench -p desmig-e2e --bench store` (or `scripts/bench.sh`).
//!
//! Targets on the project's 2-core machine: record a visit ≤ 1 ms median, name search over
//! 10,000 beneficiaries ≤ 5 ms, open a store of 50,000 beneficiaries and 200,000 visits ≤ 50 ms.

use desmig_core::checklist::Template;
use desmig_core::field::BeneficiaryInput;
use desmig_core::scope::{Identity, Role};
use desmig_core::FieldStore;
use desmig_e2e::dataset::{self, Rng, Shape};
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

const VILLAGE: &str = "32.12.01.2007";
fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p95(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 95 / 100]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn facilitator() -> Identity {
    Identity {
        user_id: "f".into(),
        display_name: "F".into(),
        role: Role::Facilitator,
        villages: vec![VILLAGE.into()],
        districts: vec![],
        beneficiary_id: None,
    }
}

/// The visits' checklist and a visit's answers and notes, shaped as `DESMIG_BENCH_SHAPE` says.
fn visit_content(store: &FieldStore, rng: &mut Rng) -> (std::sync::Arc<Template>, Map<String, Value>, String) {
    let shape = Shape::from_env();
    let t = store.template(&dataset::template(shape).id, None).unwrap();
    let answers = dataset::answers(rng, shape, &t);
    let notes = if shape == Shape::Realistic { dataset::sentence(rng, 25, 25) } else { "Kunjungan rutin".into() };
    (t, answers, notes)
}

/// The name of the `i`th person of the dataset.
fn name(rng: &mut Rng, i: usize) -> String {
    dataset::beneficiary(rng, Shape::Realistic, i, VILLAGE, "f").full_name
}

fn bench_record_visit(dir: &std::path::Path) {
    let store = FieldStore::open(dir.join("visits.db")).unwrap();
    store.set_identity(Some(facilitator())).unwrap();
    let (t, answers, notes) = visit_content(&store, &mut Rng::new(1));
    let b = store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", desmig_core::model::Sex::Female, VILLAGE)).unwrap();
    for _ in 0..50 {
        store.record_visit(&b.id, &t.id, answers.clone(), Some(notes.clone()), vec![]).unwrap();
    }
    let n = 1000;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        store.record_visit(&b.id, &t.id, answers.clone(), Some(notes.clone()), vec![]).unwrap();
        times.push(start.elapsed());
    }
    let doc = serde_json::to_string(&json!({"answers": answers, "notes": notes})).unwrap();

    // Baseline: the same two rows (the visit and its outbox operation) with raw prepared
    // statements, one transaction each, same pragmas.
    let mut raw = Connection::open(dir.join("raw-visits.db")).unwrap();
    desmig_core::schema::configure(&raw).unwrap();
    raw.execute_batch("CREATE TABLE v (id TEXT PRIMARY KEY, doc TEXT NOT NULL); CREATE TABLE o (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, op TEXT NOT NULL);").unwrap();
    let mut base = Vec::with_capacity(n);
    for i in 0..n + 50 {
        let id = uuid::Uuid::now_v7().to_string();
        let start = Instant::now();
        let tx = raw.transaction().unwrap();
        tx.prepare_cached("INSERT INTO v (id, doc) VALUES (?1, ?2)").unwrap().execute(params![id, doc]).unwrap();
        tx.prepare_cached("INSERT INTO o (id, op) VALUES (?1, ?2)").unwrap().execute(params![id, doc]).unwrap();
        tx.commit().unwrap();
        if i >= 50 {
            base.push(start.elapsed());
        }
    }
    let (m, b) = (median(times.clone()), median(base));
    println!(
        "record a visit ({} answers and notes, own transaction, with outbox): median {:.3} ms, p95 {:.3} ms | raw insert baseline {:.3} ms | ratio {:.1}x | target ≤ 1 ms",
        answers.len(),
        ms(m),
        ms(p95(times)),
        ms(b),
        m.as_secs_f64() / b.as_secs_f64()
    );
}

fn bench_search(dir: &std::path::Path) {
    let store = FieldStore::open(dir.join("search.db")).unwrap();
    store.set_identity(Some(facilitator())).unwrap();
    let n = 10_000;
    let names: Vec<String> = (0..n).map(|i| name(&mut Rng::new(i as u64), i)).collect();
    let start = Instant::now();
    for (i, full_name) in names.iter().enumerate() {
        let sex = if i % 3 == 0 { desmig_core::model::Sex::Male } else { desmig_core::model::Sex::Female };
        store.register_beneficiary(BeneficiaryInput::new(full_name, sex, VILLAGE)).unwrap();
    }
    let reg = start.elapsed();
    println!("register {n} beneficiaries one transaction each: {:.0} per second", n as f64 / reg.as_secs_f64());
    let prefixes: Vec<String> = (0..300).map(|i| names[i * 7].chars().take(2 + i % 3).collect::<String>().to_lowercase()).collect();
    let mut times = Vec::new();
    let mut hits = 0;
    for p in &prefixes {
        let start = Instant::now();
        hits += store.search_beneficiaries(p, 50).unwrap().len();
        times.push(start.elapsed());
    }

    // Baseline: the same names in a plain table, word-prefix LIKE scan (what an app without a
    // search index does).
    let raw = Connection::open(dir.join("raw-search.db")).unwrap();
    raw.execute_batch("CREATE TABLE b (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL); BEGIN;").unwrap();
    for full_name in &names {
        raw.execute("INSERT INTO b (full_name) VALUES (?1)", [full_name]).unwrap();
    }
    raw.execute_batch("COMMIT;").unwrap();
    let mut base = Vec::new();
    for p in &prefixes {
        let start = Instant::now();
        let mut stmt = raw.prepare_cached("SELECT id, full_name FROM b WHERE full_name LIKE ?1 || '%' OR full_name LIKE '% ' || ?1 || '%' ORDER BY full_name LIMIT 50").unwrap();
        let _rows: Vec<(i64, String)> = stmt.query_map([p], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        base.push(start.elapsed());
    }
    let (m, b) = (median(times.clone()), median(base));
    println!(
        "search {n} beneficiaries by name prefix (FTS5, 50 results): median {:.3} ms, p95 {:.3} ms, {} hits | LIKE scan baseline {:.3} ms | ratio {:.2}x | target ≤ 5 ms",
        ms(m),
        ms(p95(times)),
        hits,
        ms(b),
        m.as_secs_f64() / b.as_secs_f64()
    );
}

fn bench_open(dir: &std::path::Path) {
    let path = dir.join("big.db");
    {
        let store = FieldStore::open(&path).unwrap();
        store.set_identity(Some(facilitator())).unwrap();
        let shape = Shape::from_env();
        let t = store.template(&dataset::template(shape).id, None).unwrap();
        drop(store);
        // Bulk-load rows shaped like real ones (the documents the store itself writes) in one
        // transaction.
        let mut conn = Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        let start = Instant::now();
        let clock = "0193a7a20000-0000-bench";
        let mut rng = Rng::new(3);
        for i in 0..50_000usize {
            let b = dataset::beneficiary(&mut rng, shape, i, VILLAGE, "f");
            tx.prepare_cached("INSERT INTO beneficiary (id, doc, created) VALUES (?1, ?2, ?3)")
                .unwrap()
                .execute(params![b.id, serde_json::to_string(&b).unwrap(), clock])
                .unwrap();
            for k in 0..4 {
                let v = dataset::visit(&mut rng, shape, &t, &b.id, "f", 1_760_000_000_000 + (i * 4 + k) as i64 * 60_000);
                tx.prepare_cached("INSERT INTO visit (id, doc, created) VALUES (?1, ?2, ?3)")
                    .unwrap()
                    .execute(params![v.id, serde_json::to_string(&v).unwrap(), clock])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(path.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
        println!(
            "built a store of 50,000 beneficiaries and 200,000 visits in {:.1} s ({:.0} MB)",
            start.elapsed().as_secs_f64(),
            size as f64 / 1e6
        );
    }
    let mut times = Vec::new();
    for _ in 0..21 {
        let start = Instant::now();
        let store = FieldStore::open(&path).unwrap();
        times.push(start.elapsed());
        drop(store);
    }
    let mut base = Vec::new();
    for _ in 0..21 {
        let start = Instant::now();
        let c = Connection::open(&path).unwrap();
        let _: i64 = c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        base.push(start.elapsed());
    }
    let (m, b) = (median(times), median(base));
    println!(
        "open a store of 50,000 beneficiaries + 200,000 visits: median {:.2} ms | raw open baseline {:.2} ms | ratio {:.1}x | target ≤ 50 ms",
        ms(m),
        ms(b),
        m.as_secs_f64() / b.as_secs_f64()
    );
    // And the first screen after opening: a page of the village list.
    let store = FieldStore::open(&path).unwrap();
    store.set_identity(Some(facilitator())).unwrap();
    let start = Instant::now();
    let page = store.list_beneficiaries(VILLAGE, 0, 50).unwrap();
    println!("first page of a 50,000-person village list: {:.2} ms ({} rows)", ms(start.elapsed()), page.items.len());
}

/// Times of recording `n` visits (the dataset's answers and notes), after a warm-up, in `store`.
fn visit_times(store: &FieldStore, n: usize) -> Vec<Duration> {
    store.set_identity(Some(facilitator())).unwrap();
    let (t, answers, notes) = visit_content(store, &mut Rng::new(2));
    let b = store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", desmig_core::model::Sex::Female, VILLAGE)).unwrap();
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 50 {
        let start = Instant::now();
        store.record_visit(&b.id, &t.id, answers.clone(), Some(notes.clone()), vec![]).unwrap();
        if i >= 50 {
            times.push(start.elapsed());
        }
    }
    times
}

/// The cost of encryption at rest: the same work on a plain store and an encrypted one (SQLCipher,
/// raw 256-bit key), interleaved in the same run.
fn bench_encryption(dir: &std::path::Path) {
    let key = desmig_core::cipher::DbKey::from_bytes(&[7; 32]).unwrap();
    let plain = FieldStore::open(dir.join("plain.db")).unwrap();
    let encrypted = FieldStore::open_encrypted(dir.join("encrypted.db"), &key).unwrap();
    let (mut p, mut e) = (Vec::new(), Vec::new());
    for _ in 0..4 {
        p.extend(visit_times(&plain, 250));
        e.extend(visit_times(&encrypted, 250));
    }
    let (mp, me) = (median(p), median(e));
    println!(
        "record a visit, encrypted store: median {:.3} ms | plain store {:.3} ms in the same run | ratio {:.2}x",
        ms(me),
        ms(mp),
        me.as_secs_f64() / mp.as_secs_f64()
    );
    // Reading: search and open over the 1,000 visits and their outbox.
    for (label, store) in [("plain", &plain), ("encrypted", &encrypted)] {
        let start = Instant::now();
        for _ in 0..200 {
            store.search_beneficiaries("siti", 20).unwrap();
        }
        println!("  {label}: name search {:.3} ms", ms(start.elapsed()) / 200.0);
    }
    drop((plain, encrypted));
    let time_open = |open: &dyn Fn() -> FieldStore| {
        let mut v = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            drop(open());
            v.push(start.elapsed());
        }
        median(v)
    };
    let op = time_open(&|| FieldStore::open(dir.join("plain.db")).unwrap());
    let oe = time_open(&|| FieldStore::open_encrypted(dir.join("encrypted.db"), &key).unwrap());
    println!("open the store: encrypted {:.2} ms | plain {:.2} ms | ratio {:.2}x", ms(oe), ms(op), oe.as_secs_f64() / op.as_secs_f64());
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not, and gets a quick smoke run.
    let dir = tempfile::tempdir().unwrap();
    if !std::env::args().any(|a| a == "--bench") {
        println!("store bench: skipped outside `cargo bench`");
        return;
    }
    println!(
        "desmig store benchmark, {:?} records ({} cores)",
        Shape::from_env(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    bench_record_visit(dir.path());
    bench_search(dir.path());
    bench_open(dir.path());
    bench_encryption(dir.path());
}
