//! Seeding a server database with a district shaped like a real one, through the server's own
//! push path (in process, SQLite): what the bootstrap, ingest and load benchmarks start from.

use crate::dataset::{self, Shape};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::EntityKind;
use desmig_core::protocol::{LoginRequest, OpStatus};
use desmig_core::region::RegionCatalog;
use desmig_core::scope::Role;
use desmig_sync_server::sqlite::SqliteStorage;
use desmig_sync_server::storage::{NewUser, Storage};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Beneficiaries in the benchmark district at scale 1 (its 20 villages of Indramayu).
pub const BENEFICIARIES: usize = 20_000;
/// Visits recorded for each beneficiary.
pub const VISITS_PER_BENEFICIARY: usize = 5;
/// Operations per push, about what a phone's outbox sends at once.
pub const BATCH: usize = 1_900;
/// The first visit's moment (2025-06-15, after the dataset's last registration): half a minute
/// apart, 5× the district's visits still end before today, which the server checks.
const VISITS_FROM: i64 = 1_750_000_000_000;

/// What seeding made and how long the push path took.
pub struct Seeded {
    pub total: usize,
    /// Each record's bare JSON, as the phone would store it: the baseline for bytes and inserts.
    pub bare: Vec<Vec<u8>>,
    /// Time spent in the push path alone (not in making the records).
    pub pushing: Duration,
    /// Each push: its operations and its time, in order.
    pub batches: Vec<(usize, Duration)>,
}

impl Seeded {
    /// Operations per second over the first and the last fifth of the pushes.
    pub fn first_and_last_fifth(&self) -> (f64, f64) {
        let fifth = (self.batches.len() / 5).max(1);
        let rate = |b: &[(usize, Duration)]| {
            let (n, t) = b.iter().fold((0, Duration::ZERO), |(n, t), (k, d)| (n + k, t + *d));
            n as f64 / t.as_secs_f64().max(1e-9)
        };
        (rate(&self.batches[..fifth]), rate(&self.batches[self.batches.len() - fifth..]))
    }
}

fn fields(v: serde_json::Value) -> BTreeMap<String, FieldChange> {
    let mut m = v.as_object().cloned().unwrap_or_default();
    m.remove("id");
    m.into_iter().map(|(k, v)| (k, FieldChange { value: v, base: None })).collect()
}

/// Creates the database at `path` with a supervisor `koordinator` (password `rahasia-desa`) of
/// district 32.12, and pushes `beneficiaries` beneficiaries with their visits as an admin, in
/// batches of [`BATCH`]. Every operation must be applied.
pub fn seed_district(path: &Path, beneficiaries: usize) -> Seeded {
    seed_into(&SqliteStorage::open(path).expect("server db"), beneficiaries)
}

/// [`seed_district`] into a store already open (which stays open).
pub fn seed_into(storage: &SqliteStorage, beneficiaries: usize) -> Seeded {
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
    storage.add_user(&user("koordinator", Role::Supervisor, vec!["32.12".into()]), now).unwrap();
    let login = storage
        .login(
            &LoginRequest { username: "seed".into(), password: "rahasia-desa".into(), device_id: "seed".into(), device_keys: None },
            3_600_000,
            now,
        )
        .unwrap();
    let session = storage.authenticate(&login.token, now).unwrap();
    let villages: Vec<String> = RegionCatalog::builtin().villages_in("32.12").map(|r| r.code.clone()).collect();
    let shape = Shape::from_env();
    let template = dataset::template(shape);
    let mut rng = dataset::Rng::new(2026);
    let mut counter = 0u16;
    let mut millis = now as u64 - 10_000_000;
    let mut hlc = || {
        counter = counter.wrapping_add(1);
        if counter == 0 {
            millis += 1;
        }
        Hlc { millis, counter, node: "seed".into() }
    };
    let mut op = |entity, entity_id: String, json| Operation {
        op_id: uuid::Uuid::now_v7().to_string(),
        device_id: "seed".into(),
        user_id: session.user.id.clone(),
        entity,
        entity_id,
        hlc: hlc(),
        fields: fields(json),
        resolves: vec![],
    };
    let mut ops = Vec::with_capacity(BATCH + VISITS_PER_BENEFICIARY + 1);
    let mut seeded = Seeded { total: 0, bare: Vec::new(), pushing: Duration::ZERO, batches: Vec::new() };
    let flush = |ops: &mut Vec<Operation>, seeded: &mut Seeded| {
        let started = Instant::now();
        let results = storage.push(&session, ops, now).unwrap();
        let took = started.elapsed();
        seeded.pushing += took;
        seeded.batches.push((ops.len(), took));
        assert!(results.iter().all(|r| r.status == OpStatus::Applied), "{:?}", results.iter().find(|r| r.status != OpStatus::Applied));
        ops.clear();
    };
    for i in 0..beneficiaries {
        let b = dataset::beneficiary(&mut rng, shape, i, &villages[i % villages.len()], &session.user.id);
        let id = b.id.clone();
        let json = serde_json::to_value(&b).unwrap();
        seeded.bare.push(serde_json::to_vec(&json).unwrap());
        ops.push(op(EntityKind::Beneficiary, id.clone(), json));
        for k in 0..VISITS_PER_BENEFICIARY {
            let v = dataset::visit(&mut rng, shape, &template, &id, &session.user.id, VISITS_FROM + (i * 10 + k) as i64 * 30_000);
            let json = serde_json::to_value(&v).unwrap();
            seeded.bare.push(serde_json::to_vec(&json).unwrap());
            ops.push(op(EntityKind::Visit, v.id.clone(), json));
        }
        seeded.total += 1 + VISITS_PER_BENEFICIARY;
        if ops.len() >= BATCH {
            flush(&mut ops, &mut seeded);
        }
    }
    if !ops.is_empty() {
        flush(&mut ops, &mut seeded);
    }
    seeded
}
