//! How long the console's pages take to compute on a district of records shaped like real ones:
//! seeds a SQLite server store through its push path (20,000 beneficiaries and 100,000 visits by
//! default; `console_load N` for N beneficiaries), then times what the dashboard and the lists
//! read and compute. `cargo run --release -p desmig-e2e --example console_load [N]`.

use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::EntityKind;
use desmig_core::protocol::LoginRequest;
use desmig_core::region::RegionCatalog;
use desmig_core::scope::Role;
use desmig_e2e::dataset::{self, Rng, Shape};
use desmig_sync_server::console::report;
use desmig_sync_server::sqlite::SqliteStorage;
use desmig_sync_server::storage::{FeedScope, NewUser, Storage};
use std::time::Instant;

fn op(session_user: &str, kind: EntityKind, id: &str, json: serde_json::Value, hlc: Hlc) -> Operation {
    let mut m = json.as_object().cloned().unwrap_or_default();
    m.remove("id");
    Operation {
        op_id: uuid::Uuid::now_v7().to_string(),
        device_id: "seed".into(),
        user_id: session_user.into(),
        entity: kind,
        entity_id: id.into(),
        hlc,
        fields: m.into_iter().map(|(k, v)| (k, FieldChange { value: v, base: None })).collect(),
        resolves: vec![],
    }
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("server.db")).unwrap();
    let now = desmig_core::date::now_unix_ms();
    let user = |username: &str, role, districts: Vec<String>| NewUser {
        username: username.into(),
        password: "rahasia-desa".into(),
        display_name: username.into(),
        role,
        villages: vec![],
        districts,
        beneficiary_id: None,
        phone: None,
    };
    storage.add_user(&user("seed", Role::Admin, vec![]), now).unwrap();
    let budi = storage.add_user(&user("budi", Role::Supervisor, vec!["32.12".into()]), now).unwrap();
    let login = storage
        .login(
            &LoginRequest { username: "seed".into(), password: "rahasia-desa".into(), device_id: "seed".into(), device_keys: None },
            3_600_000,
            now,
        )
        .unwrap();
    let session = storage.authenticate(&login.token, now).unwrap();
    let villages: Vec<String> = RegionCatalog::builtin().villages_in("32.12").map(|r| r.code.clone()).collect();
    let template = dataset::template(Shape::Realistic);
    let mut rng = Rng::new(7);
    let mut counter = 0u32;
    let mut ops = Vec::new();
    let t = Instant::now();
    for i in 0..n {
        let b = dataset::beneficiary(&mut rng, Shape::Realistic, i, &villages[i % villages.len()], &session.user.id);
        counter += 1;
        let hlc = |c: u32| Hlc { millis: now as u64 - 10_000_000 + (c / 60_000) as u64, counter: (c % 60_000) as u16, node: "seed".into() };
        ops.push(op(&session.user.id, EntityKind::Beneficiary, &b.id, serde_json::to_value(&b).unwrap(), hlc(counter)));
        for k in 0..5 {
            let v = dataset::visit(&mut rng, Shape::Realistic, &template, &b.id, &session.user.id, now - 86_400_000 * (k + 1));
            counter += 1;
            ops.push(op(&session.user.id, EntityKind::Visit, &v.id.clone(), serde_json::to_value(&v).unwrap(), hlc(counter)));
        }
        if ops.len() >= 1800 {
            storage.push(&session, &ops, now).unwrap();
            ops.clear();
        }
    }
    storage.push(&session, &ops, now).unwrap();
    println!("seeded {n} beneficiaries and {} visits in {:.1} s", n * 5, t.elapsed().as_secs_f64());
    let scope = FeedScope::of(&budi);
    for round in 0..2 {
        let t = Instant::now();
        let ds = report::Dataset::load(&storage, &scope).unwrap();
        let loaded = t.elapsed();
        let month = desmig_core::date::Month::of(desmig_core::date::Date::from_unix_ms(now));
        let t = Instant::now();
        let villages = report::village_indicators(&ds, month);
        let by_facilitator = report::by_facilitator(&ds, month);
        let computed = t.elapsed();
        let t = Instant::now();
        let people = storage.read_records(&scope, &[EntityKind::Beneficiary]).unwrap().len();
        let list = t.elapsed();
        println!(
            "round {round}: the dashboard reads the district in {:.0} ms and computes {} villages and {} facilitators in {:.0} ms; the beneficiary list reads {people} files in {:.0} ms",
            loaded.as_secs_f64() * 1000.0,
            villages.len(),
            by_facilitator.len(),
            computed.as_secs_f64() * 1000.0,
            list.as_secs_f64() * 1000.0
        );
    }
}
