//! Load benchmark: 200 simulated phones, each pushing batches of visits shaped like real ones
//! (`desmig_e2e::dataset`: KUR readiness, 28 answers and notes; `DESMIG_BENCH_SHAPE=small` for
//! the earlier small ones) and pulling its village's feed, against the real server binary — one instance and two behind a balancer, on SQLite and
//! (when DESMIG_TEST_POSTGRES_URL is set) PostgreSQL. Prints operations applied per second,
//! push and pull latency (p50, p99), errors (must be 0) and each instance's peak memory. Not a
//! test: nothing asserts a time. Run with `scripts/bench.sh`.
//! Targets on the 2-core machine with PostgreSQL: ≥ 5,000 operations/s applied, p99 push latency
//! ≤ 200 ms at 200 devices.

use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::*;
use desmig_core::protocol::{LoginRequest, LoginResponse, OpStatus, PushRequest, PushResponse};
use desmig_core::region::RegionCatalog;
use desmig_core::scope::Role;
use desmig_e2e::dataset::{self, Shape};
use desmig_e2e::TestDatabase;
use desmig_sync_server::storage::NewUser;
use flate2::write::GzEncoder;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEVICES: usize = 200;
const ROUNDS: usize = 6;

/// How hard the phones push: operations per push, and the pause between one phone's syncs.
#[derive(Clone, Copy)]
struct Pace {
    name: &'static str,
    batch: usize,
    think: Duration,
}

/// Every phone syncs again 0.4 s after the last sync ended: the most the server can take.
const SATURATION: Pace = Pace { name: "saturation", batch: 40, think: Duration::from_millis(400) };
/// Every phone syncs 25 visits about every second: the 5,000 operations/s of the target.
const TARGET: Pace = Pace { name: "5k-target", batch: 25, think: Duration::from_millis(800) };
/// Every phone syncs 20 visits every 2 s: 2,000 operations/s offered, still far above what 200
/// phones in the field send.
const STEADY: Pace = Pace { name: "steady", batch: 20, think: Duration::from_millis(2000) };

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// What a phone needs of a pull page to go on (the changes are read, not kept).
#[derive(serde::Deserialize)]
struct PageEnd {
    #[allow(dead_code)]
    changes: serde::de::IgnoredAny,
    next_cursor: String,
    has_more: bool,
}

struct Phone {
    token: String,
    bodies: Vec<Vec<u8>>,
}

fn run(bin: &str, store: &str, instances: usize, pace: Pace) {
    let (batch, think) = (pace.batch, pace.think);
    let database = TestDatabase::new();
    let villages: Vec<String> = RegionCatalog::builtin().villages_in("32.12").map(|r| r.code.clone()).collect();
    {
        let storage = database.open();
        for i in 0..DEVICES {
            let u = NewUser {
                username: format!("f{i}"),
                password: "rahasia-desa".into(),
                display_name: format!("F{i}"),
                role: Role::Facilitator,
                villages: vec![villages[i % villages.len()].clone()],
                districts: vec![],
                beneficiary_id: None,
                phone: None,
            };
            storage.add_user(&u, 0).unwrap();
        }
    }
    let mut servers: Vec<Child> = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..instances {
        let mut child = Command::new(bin)
            .args(["--database", &database.url, "serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        urls.push(line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_string());
        servers.push(child);
    }
    let http = reqwest::blocking::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(60)).build().unwrap();

    // Log every phone in and prepare its requests before the clock starts.
    let shape = Shape::from_env();
    let template = dataset::template(shape);
    let mut rng = dataset::Rng::new(2026);
    let mut phones = Vec::new();
    for i in 0..DEVICES {
        let device = format!("bench{i}");
        let login: LoginResponse = http
            .post(format!("{}/v1/auth/login", urls[i % urls.len()]))
            .header("x-desmig-protocol", "1")
            .json(&LoginRequest {
                username: format!("f{i}"),
                password: "rahasia-desa".into(),
                device_id: device.clone(),
                device_keys: None,
            })
            .send()
            .unwrap()
            .json()
            .unwrap();
        let user = login.identity.user_id.clone();
        let village = villages[i % villages.len()].clone();
        let beneficiary = uuid::Uuid::now_v7().to_string();
        let mut counter = 0u16;
        let mut hlc = || {
            counter += 1;
            Hlc { millis: desmig_core::date::now_unix_ms() as u64, counter, node: device.clone() }
        };
        let op = |entity, id: &str, value: serde_json::Value, at: Hlc| {
            let mut fields = value.as_object().cloned().unwrap();
            fields.remove("id");
            Operation {
                op_id: uuid::Uuid::now_v7().to_string(),
                device_id: device.clone(),
                user_id: user.clone(),
                entity,
                entity_id: id.to_string(),
                hlc: at,
                fields: fields.into_iter().map(|(k, v)| (k, FieldChange { value: v, base: None })).collect(),
                resolves: vec![],
            }
        };
        let mut bodies = Vec::new();
        for round in 0..ROUNDS {
            let mut ops = Vec::new();
            if round == 0 {
                let mut b = dataset::beneficiary(&mut rng, shape, i, &village, &user);
                b.id = beneficiary.clone();
                ops.push(op(EntityKind::Beneficiary, &beneficiary, serde_json::to_value(&b).unwrap(), hlc()));
            }
            while ops.len() < batch {
                let v = dataset::visit(&mut rng, shape, &template, &beneficiary, &user, 1_760_000_000_000 + ops.len() as i64 * 60_000);
                let id = v.id.clone();
                ops.push(op(EntityKind::Visit, &id, serde_json::to_value(&v).unwrap(), hlc()));
            }
            bodies.push(gzip(&serde_json::to_vec(&PushRequest { ops }).unwrap()));
        }
        phones.push(Phone { token: login.token, bodies });
    }

    let push_ms = Arc::new(Mutex::new(Vec::new()));
    let pull_ms = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(AtomicU64::new(0));
    let applied = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    std::thread::scope(|s| {
        for (i, phone) in phones.iter().enumerate() {
            // Each request goes to any instance, as behind a load balancer.
            let (http, urls) = (&http, &urls);
            let (push_ms, pull_ms, errors, applied) = (push_ms.clone(), pull_ms.clone(), errors.clone(), applied.clone());
            s.spawn(move || {
                // Phones do not all start in the same millisecond.
                std::thread::sleep(think.mul_f64((i % 20) as f64 / 20.0));
                let mut cursor = String::new();
                for (round, body) in phone.bodies.iter().enumerate() {
                    let url = &urls[(i + round) % urls.len()];
                    let t = Instant::now();
                    let resp = http
                        .post(format!("{url}/v1/sync/push"))
                        .header("x-desmig-protocol", "1")
                        .header("content-type", "application/json")
                        .header("content-encoding", "gzip")
                        .bearer_auth(&phone.token)
                        .body(body.clone())
                        .send();
                    match resp.and_then(|r| r.error_for_status()).and_then(|r| r.json::<PushResponse>()) {
                        Ok(r) => {
                            push_ms.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                            let ok = r.results.iter().filter(|x| x.status == OpStatus::Applied).count() as u64;
                            applied.fetch_add(ok, Ordering::Relaxed);
                            errors.fetch_add(r.results.len() as u64 - ok, Ordering::Relaxed);
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    for page in 0.. {
                        let url = &urls[(i + round + page + 1) % urls.len()];
                        let t = Instant::now();
                        let resp = http
                            .get(format!("{url}/v1/sync/pull?cursor={cursor}&limit=500"))
                            .header("x-desmig-protocol", "1")
                            .bearer_auth(&phone.token)
                            .send()
                            .and_then(|r| r.error_for_status())
                            .and_then(|r| r.json::<PageEnd>());
                        match resp {
                            Ok(page) => {
                                pull_ms.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                                cursor = page.next_cursor;
                                if !page.has_more {
                                    break;
                                }
                            }
                            Err(_) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                    }
                    std::thread::sleep(think);
                }
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let memory: Vec<String> = servers.iter().map(|c| format!("{:.0} MB", peak_mb(c.id()))).collect();
    for mut c in servers {
        let _ = c.kill();
        let _ = c.wait();
    }
    let (mut push, mut pull) = (push_ms.lock().unwrap().clone(), pull_ms.lock().unwrap().clone());
    let applied = applied.load(Ordering::Relaxed);
    println!(
        "{store:<9} {:<10} {instances} instance(s): {applied} operations in {wall:.1} s = {:.0} ops/s applied | push p50 {:.0} ms p99 {:.0} ms | pull p50 {:.0} ms p99 {:.0} ms | errors {} | server peak memory {}",
        pace.name,
        applied as f64 / wall,
        pct(&mut push, 0.5),
        pct(&mut push, 0.99),
        pct(&mut pull, 0.5),
        pct(&mut pull, 0.99),
        errors.load(Ordering::Relaxed),
        memory.join(", ")
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("load bench: skipped outside `cargo bench`");
        return;
    }
    let bin = std::env::var("DESMIG_SERVER_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/desmig-sync-server").to_string());
    if !std::path::Path::new(&bin).exists() {
        eprintln!("server binary {bin} is missing: run scripts/bench.sh");
        std::process::exit(2);
    }
    for p in [SATURATION, TARGET, STEADY] {
        println!(
            "load {}: {DEVICES} phones × {ROUNDS} pushes of {} operations, each followed by a pull, {} ms apart",
            p.name,
            p.batch,
            p.think.as_millis()
        );
    }
    println!(
        "({} cores; the phones, the servers and PostgreSQL share them)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let stores: Vec<&str> = if std::env::var("DESMIG_TEST_POSTGRES_URL").is_ok() { vec!["sqlite", "postgres"] } else { vec!["sqlite"] };
    if stores.len() == 1 {
        println!("(PostgreSQL runs skipped: set DESMIG_TEST_POSTGRES_URL, e.g. from scripts/postgres.sh)");
    }
    for store in stores {
        // SAFETY: set before any thread of this run reads it.
        unsafe { std::env::set_var("DESMIG_TEST_STORE", store) };
        for instances in [1, 2] {
            for pace in [SATURATION, TARGET, STEADY] {
                // DESMIG_LOAD_ONLY=postgres:1:saturation runs one case (for profiling).
                let case = format!("{store}:{instances}:{}", pace.name);
                if std::env::var("DESMIG_LOAD_ONLY").is_ok_and(|only| only != case) {
                    continue;
                }
                run(&bin, store, instances, pace);
            }
        }
    }
}
