//! PostgreSQL storage, for a deployment that needs several server instances: the same behaviour
//! as the SQLite store (the same planner decides every push), with a small connection pool.
//! Instances keep nothing between requests that another instance would need: sessions, applied
//! operations and the feed live in the database; reference data is cached and reloaded when its
//! version in the database moves.

use crate::error::{Result, ServerError};
use crate::plan::{plan, BatchSource, Key, Plan};
use crate::privacy::{Access, AccessEntry, Erasure, PersonFile};
use crate::storage::{
    applied_op, feed_entries, scope_filter, AppliedOp, Export, FeedEntry, FeedPage, FeedRow, FeedScope, FeedSource, ReferenceCache,
    ReferenceData, ScopedRecord, Session, Stats, Storage, StoredRecord, TokenRow, User, UserRecord, UserRow, FEED_SELECT,
};
use desmig_core::bundle::PublicKeys;
use desmig_core::checklist::{builtin_templates, Template};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{Operation, Versioned};
use desmig_core::model::{EntityKind, Reference};
use desmig_core::protocol::{ConflictRecord, OpResult, Person};
use desmig_core::region::{RegionCatalog, BUILTIN_REGIONS_CSV};
use desmig_core::rules::FileInfo;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Row, Transaction};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const MIGRATIONS: &[&str] = &[
    include_str!("../sql/pg/001_schema.sql"),
    include_str!("../sql/pg/002_trust.sql"),
    include_str!("../sql/pg/003_privacy.sql"),
    include_str!("../sql/pg/004_people.sql"),
    include_str!("../sql/pg/005_audit.sql"),
    include_str!("../sql/pg/006_bundles.sql"),
    include_str!("../sql/pg/007_feed_once.sql"),
];
/// Held (transaction-scoped) by every writer of the change feed, on every instance, from taking
/// sequence numbers to the commit: they become visible in order. Pushes do their reading,
/// merging and record writes before taking it, in parallel (records are row-locked).
const FEED_LOCK: i64 = 0x6465_736d_6967; // "desmig"
/// Held while migrating, so that instances starting together migrate once.
const MIGRATION_LOCK: i64 = 0x6465_736d_6967 + 1;

impl From<postgres::Error> for ServerError {
    fn from(e: postgres::Error) -> Self {
        ServerError::Internal(format!("database: {e}"))
    }
}

pub struct PostgresStorage {
    /// Pushes and administration; pulls and logins use the readers, so they never wait behind
    /// pushes for a connection.
    writers: Vec<Mutex<Client>>,
    readers: Vec<Mutex<Client>>,
    next: AtomicUsize,
    reference: ReferenceCache,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let current: i64 = tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_version", &[])?.get(0);
    if current > MIGRATIONS.len() as i64 {
        return Err(ServerError::Internal(format!(
            "database schema {current} is newer than this server ({}); upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(i as i32 + 1)])?;
    }
    // First start: the shipped reference data.
    let regions: i64 = tx.query_one("SELECT count(*) FROM region", &[])?.get(0);
    if regions == 0 {
        let catalog = RegionCatalog::from_csv(BUILTIN_REGIONS_CSV).map_err(|e| ServerError::Internal(format!("{e:?}")))?;
        replace_regions(&mut tx, &catalog)?;
        for t in builtin_templates()? {
            tx.execute(
                "INSERT INTO checklist_template (id, version, definition) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&t.id, &(t.version as i32), &serde_json::to_string(&t)?],
            )?;
        }
        tx.execute("INSERT INTO meta (key, value) VALUES ('reference_version', '1') ON CONFLICT DO NOTHING", &[])?;
    }
    tx.commit()?;
    Ok(())
}

fn replace_regions(tx: &mut Transaction<'_>, catalog: &RegionCatalog) -> Result<()> {
    tx.execute("DELETE FROM region", &[])?;
    let (mut codes, mut names, mut levels) = (Vec::new(), Vec::new(), Vec::new());
    for r in catalog.iter() {
        codes.push(r.code.clone());
        names.push(r.name.clone());
        levels.push(serde_json::to_value(r.level)?.as_str().unwrap_or_default().to_string());
    }
    tx.execute(
        "INSERT INTO region (code, name, level) SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[])",
        &[&codes, &names, &levels],
    )?;
    Ok(())
}

fn load_reference(c: &mut impl GenericClient) -> Result<ReferenceData> {
    let version: i64 = c
        .query_opt("SELECT value FROM meta WHERE key = 'reference_version'", &[])?
        .and_then(|r| r.get::<_, String>(0).parse().ok())
        .unwrap_or(1);
    let mut csv = String::from("code,name\n");
    for r in c.query("SELECT code, name FROM region ORDER BY code", &[])? {
        csv.push_str(&format!("{},{}\n", r.get::<_, String>(0), r.get::<_, String>(1)));
    }
    let regions = RegionCatalog::from_csv(&csv).map_err(|e| ServerError::Internal(format!("stored regions: {e:?}")))?;
    let mut templates = HashMap::new();
    for r in c.query("SELECT definition FROM checklist_template", &[])? {
        let t: Template = serde_json::from_str(&r.get::<_, String>(0))?;
        templates.insert((t.id.clone(), t.version), Arc::new(t));
    }
    Ok(ReferenceData { version, regions: Arc::new(regions), templates: Arc::new(templates) })
}

fn bump_reference_version(tx: &mut Transaction<'_>) -> Result<i64> {
    let v: String = tx
        .query_one(
            "INSERT INTO meta (key, value) VALUES ('reference_version', '2')
             ON CONFLICT (key) DO UPDATE SET value = (meta.value::BIGINT + 1)::TEXT RETURNING value",
            &[],
        )?
        .get(0);
    v.parse().map_err(|_| ServerError::Internal("bad reference version".into()))
}

const USER_COLUMNS: &str = "id, username, display_name, role, villages, districts, beneficiary_id, scope_version";

fn to_user(r: &Row) -> Result<User> {
    Ok(User {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        role: serde_json::from_value(serde_json::Value::String(r.get(3)))?,
        villages: serde_json::from_str(&r.get::<_, String>(4))?,
        districts: serde_json::from_str(&r.get::<_, String>(5))?,
        beneficiary_id: r.get(6),
        scope_version: r.get(7),
    })
}

fn find_user(c: &mut impl GenericClient, username: &str) -> Result<Option<(User, String, bool)>> {
    let row = c.query_opt(&format!("SELECT {USER_COLUMNS}, password_hash, disabled FROM app_user WHERE username = $1"), &[&username])?;
    row.map(|r| Ok((to_user(&r)?, r.get(8), r.get(9)))).transpose()
}

fn versioned(fields: &str, created: &str, clocks: &str) -> Result<Versioned> {
    Ok(Versioned {
        fields: serde_json::from_str(fields)?,
        created: Hlc::parse(created).ok_or_else(|| ServerError::Internal(format!("bad clock {created}")))?,
        clocks: serde_json::from_str(clocks)?,
    })
}

fn scoped_record(r: &Row) -> Result<ScopedRecord> {
    let kind: String = r.get(0);
    Ok(ScopedRecord {
        kind: EntityKind::parse(&kind).ok_or_else(|| ServerError::Internal(format!("bad kind {kind}")))?,
        id: r.get(1),
        beneficiary_id: r.get(2),
        village_code: r.get(3),
        state: versioned(r.get(4), r.get(5), r.get(6))?,
    })
}

fn conflict_from(r: &Row) -> Result<ConflictRecord> {
    let entity: String = r.get(1);
    Ok(ConflictRecord {
        id: r.get(0),
        entity: EntityKind::parse(&entity).ok_or_else(|| ServerError::Internal(format!("bad entity {entity}")))?,
        entity_id: r.get(2),
        field: r.get(3),
        losing_value: serde_json::from_str(&r.get::<_, String>(4))?,
        losing_hlc: r.get(5),
        detected_at: r.get(6),
        resolved_by: r.get(7),
        resolved_at: r.get(8),
    })
}

const CONFLICT_COLUMNS: &str = "id, entity, entity_id, field, losing_value, losing_hlc, detected_at, resolved_by, resolved_at";

/// Reads for the batch planner, inside the push's transaction (which holds the feed lock).
struct Source<'a, 'b>(&'a mut Transaction<'b>);

impl BatchSource for Source<'_, '_> {
    fn known_ops(&mut self, op_ids: &[String]) -> Result<HashMap<String, Option<String>>> {
        Ok(self
            .0
            .query("SELECT op_id, content_hash FROM applied_op WHERE op_id = ANY($1)", &[&op_ids])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn records(&mut self, keys: &[Key]) -> Result<HashMap<Key, Versioned>> {
        let kinds: Vec<String> = keys.iter().map(|(k, _)| k.table().to_string()).collect();
        let ids: Vec<String> = keys.iter().map(|(_, id)| id.clone()).collect();
        // Locked until the push commits, in one order for every push (no deadlocks): two pushes
        // changing one record merge one after the other.
        let rows = self.0.query(
            "SELECT r.kind, r.id, r.fields, r.created, r.clocks FROM record r
             JOIN UNNEST($1::TEXT[], $2::TEXT[]) AS k (kind, id) ON r.kind = k.kind AND r.id = k.id
             ORDER BY r.kind, r.id FOR UPDATE OF r",
            &[&kinds, &ids],
        )?;
        let mut out = HashMap::new();
        for r in rows {
            let kind: String = r.get(0);
            let kind = EntityKind::parse(&kind).ok_or_else(|| ServerError::Internal(format!("bad kind {kind}")))?;
            out.insert((kind, r.get(1)), versioned(r.get(2), r.get(3), r.get(4))?);
        }
        Ok(out)
    }

    fn files(&mut self, beneficiary_ids: &[String]) -> Result<HashMap<String, FileInfo>> {
        Ok(self
            .0
            .query(
                // Shared locks: a concurrent move or withdrawal of consent waits for this push.
                "SELECT id, village_code, (fields::jsonb ->> 'consent_withdrawn_at') IS NULL FROM record
                 WHERE kind = 'beneficiary' AND id = ANY($1) ORDER BY id FOR SHARE",
                &[&beneficiary_ids],
            )?
            .iter()
            .map(|r| (r.get(0), FileInfo { village_code: r.get(1), consent_active: r.get(2) }))
            .collect())
    }

    fn nik_holders(&mut self, niks: &[String]) -> Result<HashMap<String, String>> {
        if niks.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .0
            .query(
                "SELECT fields::jsonb ->> 'nik', id FROM record WHERE kind = 'beneficiary' AND (fields::jsonb ->> 'nik') = ANY($1)",
                &[&niks],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn owners(&mut self, keys: &[Key]) -> Result<HashMap<Key, String>> {
        let kinds: Vec<String> = keys.iter().map(|(k, _)| k.table().to_string()).collect();
        let ids: Vec<String> = keys.iter().map(|(_, id)| id.clone()).collect();
        let mut out = HashMap::new();
        for r in self.0.query(
            "SELECT r.kind, r.id, r.beneficiary_id FROM record r JOIN UNNEST($1::TEXT[], $2::TEXT[]) AS k (kind, id) ON r.kind = k.kind AND r.id = k.id",
            &[&kinds, &ids],
        )? {
            let kind: String = r.get(0);
            if let Some(kind) = EntityKind::parse(&kind) {
                out.insert((kind, r.get(1)), r.get(2));
            }
        }
        Ok(out)
    }

    fn erased(&mut self, beneficiary_ids: &[String]) -> Result<HashSet<String>> {
        Ok(self
            .0
            .query("SELECT beneficiary_id FROM erasure WHERE beneficiary_id = ANY($1)", &[&beneficiary_ids])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn open_conflicts(&mut self, ids: &[String]) -> Result<HashMap<String, Key>> {
        let mut out = HashMap::new();
        for r in self.0.query("SELECT id, entity, entity_id FROM conflict WHERE id = ANY($1) AND resolved_at IS NULL", &[&ids])? {
            let entity: String = r.get(1);
            if let Some(kind) = EntityKind::parse(&entity) {
                out.insert(r.get(0), (kind, r.get(2)));
            }
        }
        Ok(out)
    }
}

impl FeedSource for Source<'_, '_> {
    fn file_records(&mut self, beneficiary_id: &str) -> Result<Vec<StoredRecord>> {
        self.0
            .query("SELECT kind, id, fields, created, clocks FROM record WHERE beneficiary_id = $1 ORDER BY kind, id", &[&beneficiary_id])?
            .iter()
            .map(|r| {
                let kind: String = r.get(0);
                Ok(StoredRecord {
                    kind: EntityKind::parse(&kind).ok_or_else(|| ServerError::Internal(format!("bad kind {kind}")))?,
                    id: r.get(1),
                    fields_json: r.get(2),
                    created: Hlc::parse(r.get(3)).ok_or_else(|| ServerError::Internal(format!("bad clock on {kind}")))?,
                    clocks_json: r.get(4),
                })
            })
            .collect()
    }

    fn file_conflicts(&mut self, beneficiary_id: &str) -> Result<Vec<String>> {
        Ok(self
            .0
            .query("SELECT entity_id FROM change_log WHERE kind = 'conflict' AND beneficiary_id = $1", &[&beneficiary_id])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn conflict(&mut self, id: &str) -> Result<Option<ConflictRecord>> {
        self.0.query_opt(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict WHERE id = $1"), &[&id])?.map(|r| conflict_from(&r)).transpose()
    }
}

/// Ends every session of a user.
/// A user's bundle keys, on every device: a new password or a disabled account ends their
/// sessions, and so their bundles too (the phone registers keys again at its next login).
fn forget_user_keys(tx: &mut Transaction<'_>, username: &str) -> Result<()> {
    tx.execute("DELETE FROM device_key WHERE user_id IN (SELECT id FROM app_user WHERE username = $1)", &[&username])?;
    Ok(())
}

fn revoke_user_tokens(tx: &mut Transaction<'_>, username: &str, now_ms: i64) -> Result<()> {
    tx.execute(
        "UPDATE device_token SET revoked_at = $2 WHERE revoked_at IS NULL AND user_id = (SELECT id FROM app_user WHERE username = $1)",
        &[&username, &now_ms],
    )?;
    Ok(())
}

/// Writes feed rows in one statement; each row takes a new sequence number, in order.
fn write_feed(tx: &mut Transaction<'_>, entries: &[FeedEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut cols: [Vec<String>; 7] = Default::default();
    for e in entries {
        cols[0].push(e.kind.into());
        cols[1].push(e.entity.clone());
        cols[2].push(e.entity_id.clone());
        cols[3].push(e.beneficiary_id.clone());
        cols[4].push(e.village.clone());
        cols[5].push(e.district().into());
        cols[6].push(e.body.clone());
    }
    tx.execute(
        "INSERT INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
         SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[])
         ON CONFLICT (kind, entity, entity_id) DO UPDATE SET seq = nextval('change_log_seq'), beneficiary_id = excluded.beneficiary_id,
             village_code = excluded.village_code, district = excluded.district, body = excluded.body",
        &[&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6]],
    )?;
    Ok(())
}

/// Persists a plan in the push's transaction, in a few statements whatever the batch size.
fn write_plan(tx: &mut Transaction<'_>, plan: &Plan, now_ms: i64) -> Result<()> {
    for existed in [false, true] {
        let mut cols: [Vec<String>; 7] = Default::default();
        for r in plan.records.iter().filter(|r| r.existed == existed) {
            cols[0].push(r.kind.table().into());
            cols[1].push(r.id.clone());
            cols[2].push(r.json().0.to_string());
            cols[3].push(r.state.created.encode());
            cols[4].push(r.json().1.to_string());
            cols[5].push(r.beneficiary_id.clone());
            cols[6].push(r.village.clone());
        }
        if cols[0].is_empty() {
            continue;
        }
        let sql = if existed {
            // Rows this push read and locked.
            "UPDATE record r SET fields = u.fields, clocks = u.clocks, beneficiary_id = u.beneficiary_id, village_code = u.village_code
             FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[])
                  AS u (kind, id, fields, created, clocks, beneficiary_id, village_code)
             WHERE r.kind = u.kind AND r.id = u.id"
        } else {
            // New records: if another push created one meanwhile, this insert fails, the push is
            // rolled back and the phone's retry merges with it.
            "INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
             SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[])"
        };
        tx.execute(sql, &[&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6]])?;
    }
    for m in &plan.moved {
        tx.execute("UPDATE record SET village_code = $2 WHERE beneficiary_id = $1", &[&m.beneficiary_id, &m.village])?;
    }
    for c in &plan.conflicts {
        let k = &c.conflict;
        tx.execute(
            "INSERT INTO conflict (id, entity, entity_id, field, losing_value, losing_hlc, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[&k.id, &k.entity.table(), &k.entity_id, &k.field, &serde_json::to_string(&k.losing_value)?, &k.losing_hlc.encode(), &now_ms],
        )?;
    }
    for r in &plan.resolutions {
        tx.execute(
            "UPDATE conflict SET resolved_by = $2, resolved_at = $3 WHERE id = $1 AND resolved_at IS NULL",
            &[&r.conflict_id, &r.resolved_by, &now_ms],
        )?;
    }
    if !plan.applied.is_empty() {
        let mut cols: [Vec<String>; 8] = Default::default();
        for a in &plan.applied {
            cols[0].push(a.op_id.clone());
            cols[1].push(a.device_id.clone());
            cols[2].push(a.user_id.clone());
            cols[3].push(a.entity.table().into());
            cols[4].push(a.entity_id.clone());
            cols[5].push(a.hash.clone());
            cols[6].push(a.hlc.clone());
            cols[7].push(a.fields.clone());
        }
        tx.execute(
            "INSERT INTO applied_op (op_id, device_id, user_id, entity, entity_id, content_hash, hlc, fields, applied_at)
             SELECT o.*, $9::BIGINT FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[]) AS o",
            &[&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6], &cols[7], &now_ms],
        )?;
    }
    // From here on, the change feed: one writer at a time across instances, from taking sequence
    // numbers to the commit. Reads of other records (a moved file) happen under the lock too, so
    // they see every earlier push's committed state.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FEED_LOCK])?;
    let entries = feed_entries(plan, &mut Source(tx))?;
    // The villages left forget their files first: their own statement, so their sequence
    // numbers come first.
    let (evicts, rest): (Vec<FeedEntry>, Vec<FeedEntry>) = entries.into_iter().partition(|e| e.kind == "evict");
    write_feed(tx, &evicts)?;
    write_feed(tx, &rest)?;
    Ok(())
}

/// The URL to connect with, and its TLS when `sslmode` asks for it. `sslmode=require`,
/// `verify-ca` and `verify-full` all connect over TLS and verify the server's certificate and
/// name, against the public roots and `sslrootcert` (a PEM file) when given: the server never
/// sends the programme's data to a database it has not authenticated. Without `sslmode`, or with
/// `disable` or `prefer`, it connects as before, without TLS.
fn tls_of(url: &str) -> Result<(String, Option<tokio_postgres_rustls::MakeRustlsConnect>)> {
    let bad = |m: String| ServerError::bad("invalid_database_url", m);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let (mut mode, mut root) = (None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", m)) => mode = Some(m.to_string()),
            Some(("sslrootcert", f)) => root = Some(f.to_string()),
            _ => kept.push(pair),
        }
    }
    let tls = match mode.as_deref() {
        None => None,
        // `prefer` would try TLS it cannot verify: like `disable`, it connects without TLS, as before.
        Some("disable") | Some("prefer") => {
            kept.push("sslmode=disable");
            None
        }
        Some("require") | Some("verify-ca") | Some("verify-full") => {
            kept.push("sslmode=require");
            let mut roots = tokio_rustls::rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            if let Some(file) = &root {
                use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
                for cert in CertificateDer::pem_file_iter(file).map_err(|e| bad(format!("cannot read sslrootcert {file}: {e}")))? {
                    roots
                        .add(cert.map_err(|e| bad(format!("sslrootcert {file}: {e}")))?)
                        .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
                }
            }
            let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| ServerError::Internal(e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Some(tokio_postgres_rustls::MakeRustlsConnect::new(config))
        }
        Some(other) => return Err(bad(format!("sslmode `{other}` is not one of disable, prefer, require, verify-ca, verify-full"))),
    };
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    Ok((url, tls))
}

impl PostgresStorage {
    /// Connects (`pool_size` connections), migrates the schema and loads the reference data.
    pub fn open(url: &str, pool_size: usize) -> Result<PostgresStorage> {
        let (url, tls) = tls_of(url)?;
        let config: postgres::Config =
            url.parse().map_err(|e| ServerError::bad("invalid_database_url", format!("bad PostgreSQL URL: {e}")))?;
        let connect = || -> Result<Mutex<Client>> {
            let client = match &tls {
                Some(tls) => config.connect(tls.clone()),
                None => config.connect(NoTls),
            };
            Ok(Mutex::new(
                client
                    .map_err(|e| ServerError::Internal(format!("cannot connect to PostgreSQL: {}", desmig_core::error::with_causes(&e))))?,
            ))
        };
        let writers = (0..(pool_size / 2).max(1)).map(|_| connect()).collect::<Result<Vec<_>>>()?;
        let readers = (0..(pool_size - pool_size / 2).max(1)).map(|_| connect()).collect::<Result<Vec<_>>>()?;
        migrate(&mut lock(&writers[0]))?;
        let reference = load_reference(&mut *lock(&writers[0]))?;
        Ok(PostgresStorage { writers, readers, next: AtomicUsize::new(0), reference: ReferenceCache::new(reference) })
    }

    fn pick<'a>(&self, pool: &'a [Mutex<Client>]) -> MutexGuard<'a, Client> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..pool.len() {
            if let Ok(g) = pool[(start + i) % pool.len()].try_lock() {
                return g;
            }
        }
        lock(&pool[start % pool.len()])
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        self.pick(&self.writers)
    }

    fn reader(&self) -> MutexGuard<'_, Client> {
        self.pick(&self.readers)
    }
}

impl Storage for PostgresStorage {
    fn reference_cache(&self) -> &ReferenceCache {
        &self.reference
    }

    fn stored_reference_version(&self) -> Result<i64> {
        Ok(self
            .reader()
            .query_opt("SELECT value FROM meta WHERE key = 'reference_version'", &[])?
            .and_then(|r| r.get::<_, String>(0).parse().ok())
            .unwrap_or(1))
    }

    fn load_reference(&self) -> Result<ReferenceData> {
        load_reference(&mut *self.reader())
    }

    fn write_regions(&self, catalog: &RegionCatalog) -> Result<()> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        replace_regions(&mut tx, catalog)?;
        bump_reference_version(&mut tx)?;
        Ok(tx.commit()?)
    }

    fn template_definition(&self, id: &str, version: u32) -> Result<Option<String>> {
        Ok(self
            .reader()
            .query_opt("SELECT definition FROM checklist_template WHERE id = $1 AND version = $2", &[&id, &(version as i32)])?
            .map(|r| r.get(0)))
    }

    fn write_template(&self, t: &Template) -> Result<()> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        let n = tx.execute(
            "INSERT INTO checklist_template (id, version, definition) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&t.id, &(t.version as i32), &serde_json::to_string(t)?],
        )?;
        if n == 1 {
            bump_reference_version(&mut tx)?;
        }
        Ok(tx.commit()?)
    }

    fn find_user(&self, username: &str) -> Result<Option<(User, String, bool)>> {
        find_user(&mut *self.reader(), username)
    }

    fn write_device_key(&self, device_id: &str, user_id: &str, keys: &PublicKeys, now_ms: i64) -> Result<()> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        tx.execute(
            "INSERT INTO device_key (device_id, user_id, sign_public, seal_public, registered_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (device_id, user_id) DO UPDATE SET sign_public = excluded.sign_public,
                                                   seal_public = excluded.seal_public, registered_at = excluded.registered_at",
            &[&device_id, &user_id, &keys.sign, &keys.seal, &now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn read_device_key(&self, device_id: &str, user_id: &str) -> Result<Option<(User, bool, PublicKeys)>> {
        let columns = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
        let row = self.reader().query_opt(
            &format!(
                "SELECT {columns}, u.disabled, k.sign_public, k.seal_public FROM device_key k JOIN app_user u ON u.id = k.user_id WHERE k.device_id = $1 AND k.user_id = $2"
            ),
            &[&device_id, &user_id],
        )?;
        row.map(|r| Ok((to_user(&r)?, r.get(8), PublicKeys { sign: r.get(9), seal: r.get(10) }))).transpose()
    }

    fn meta_or_insert(&self, key: &str, value: &str) -> Result<String> {
        if let Some(row) = self.reader().query_opt("SELECT value FROM meta WHERE key = $1", &[&key])? {
            return Ok(row.get(0));
        }
        let mut c = self.client();
        c.execute("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", &[&key, &value])?;
        Ok(c.query_one("SELECT value FROM meta WHERE key = $1", &[&key])?.get(0))
    }

    fn device_revoked(&self, device_id: &str) -> Result<bool> {
        Ok(self.reader().query_opt("SELECT 1 FROM revoked_device WHERE device_id = $1", &[&device_id])?.is_some())
    }

    fn insert_token(&self, token_hash: &str, user_id: &str, device_id: &str, created_at: i64, expires_at: i64) -> Result<()> {
        self.client().execute(
            "INSERT INTO device_token (token_hash, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&token_hash, &user_id, &device_id, &created_at, &expires_at],
        )?;
        Ok(())
    }

    fn find_token(&self, token_hash: &str) -> Result<Option<TokenRow>> {
        let row = self.reader().query_opt(
            &format!(
                "SELECT {}, t.device_id, t.expires_at, t.revoked_at, u.disabled,
                        EXISTS (SELECT 1 FROM revoked_device r WHERE r.device_id = t.device_id)
                 FROM device_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1",
                USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
            ),
            &[&token_hash],
        )?;
        row.map(|r| -> Result<TokenRow> {
            Ok(TokenRow {
                user: to_user(&r)?,
                device_id: r.get(8),
                expires_at: r.get(9),
                revoked_at: r.get(10),
                disabled: r.get(11),
                device_revoked: r.get(12),
            })
        })
        .transpose()
    }

    fn insert_user(&self, u: &UserRecord<'_>) -> Result<bool> {
        let n = self.client().execute(
            "INSERT INTO app_user (id, username, display_name, role, password_hash, villages, districts, beneficiary_id, created_at, phone)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (username) DO NOTHING",
            &[
                &u.id,
                &u.username,
                &u.display_name,
                &u.role,
                &u.password_hash,
                &u.villages,
                &u.districts,
                &u.beneficiary_id,
                &u.created_at,
                &u.phone,
            ],
        )?;
        Ok(n == 1)
    }

    fn write_password(&self, username: &str, password_hash: &str, now_ms: i64) -> Result<bool> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        let n = tx.execute("UPDATE app_user SET password_hash = $2 WHERE username = $1", &[&username, &password_hash])?;
        revoke_user_tokens(&mut tx, username, now_ms)?;
        forget_user_keys(&mut tx, username)?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn write_disabled(&self, username: &str, disabled: bool, now_ms: i64) -> Result<bool> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        let n = tx.execute("UPDATE app_user SET disabled = $2 WHERE username = $1", &[&username, &disabled])?;
        if disabled {
            revoke_user_tokens(&mut tx, username, now_ms)?;
            forget_user_keys(&mut tx, username)?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    fn write_scope(&self, user_id: &str, villages: &str, districts: &str) -> Result<()> {
        self.client().execute(
            "UPDATE app_user SET villages = $2, districts = $3, scope_version = scope_version + 1 WHERE id = $1",
            &[&user_id, &villages, &districts],
        )?;
        Ok(())
    }

    fn write_phone(&self, username: &str, phone: Option<&str>) -> Result<bool> {
        Ok(self.client().execute("UPDATE app_user SET phone = $2 WHERE username = $1", &[&username, &phone])? == 1)
    }

    fn read_staff(&self) -> Result<Vec<Person>> {
        let rows = self.client().query(
            "SELECT id, display_name, role, phone, villages, districts FROM app_user WHERE NOT disabled AND role <> 'worker' ORDER BY id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Person {
                    user_id: r.get(0),
                    display_name: r.get(1),
                    role: serde_json::from_value(serde_json::Value::String(r.get(2)))?,
                    phone: r.get(3),
                    villages: serde_json::from_str(r.get::<_, &str>(4))?,
                    districts: serde_json::from_str(r.get::<_, &str>(5))?,
                })
            })
            .collect()
    }

    fn read_records(&self, scope: &FeedScope, kinds: &[EntityKind]) -> Result<Vec<ScopedRecord>> {
        let (filter, mut args) = scope_filter(scope, "$");
        let n = args.len();
        args.extend(kinds.iter().map(|k| k.table().to_string()));
        let marks: Vec<String> = (n + 1..=args.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT kind, id, beneficiary_id, village_code, fields, created, clocks FROM record WHERE {filter} AND kind IN ({}) ORDER BY kind, id",
            marks.join(",")
        );
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
        self.reader().query(&sql, &params)?.iter().map(scoped_record).collect()
    }

    fn scan_records(
        &self,
        scope: &FeedScope,
        kinds: &[EntityKind],
        f: &mut dyn FnMut(EntityKind, &str, &str, &str) -> Result<()>,
    ) -> Result<()> {
        let (filter, mut args) = scope_filter(scope, "$");
        let n = args.len();
        args.extend(kinds.iter().map(|k| k.table().to_string()));
        let marks: Vec<String> = (n + 1..=args.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT kind, id, village_code, fields FROM record WHERE {filter} AND kind IN ({})", marks.join(","));
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
        for r in self.reader().query(&sql, &params)? {
            let kind: &str = r.get(0);
            let kind = EntityKind::parse(kind).ok_or_else(|| ServerError::Internal(format!("bad kind {kind}")))?;
            f(kind, r.get(1), r.get(2), r.get(3))?;
        }
        Ok(())
    }

    fn read_record(&self, kind: EntityKind, id: &str) -> Result<Option<ScopedRecord>> {
        self.reader()
            .query_opt(
                "SELECT kind, id, beneficiary_id, village_code, fields, created, clocks FROM record WHERE kind = $1 AND id = $2",
                &[&kind.table(), &id],
            )?
            .as_ref()
            .map(scoped_record)
            .transpose()
    }

    fn read_record_ops(&self, kind: EntityKind, id: &str) -> Result<Vec<AppliedOp>> {
        self.reader()
            .query(
                "SELECT op_id, device_id, user_id, applied_at, hlc, fields FROM applied_op WHERE entity = $1 AND entity_id = $2 ORDER BY applied_at, hlc",
                &[&kind.table(), &id],
            )?
            .iter()
            .map(|r| applied_op(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect()
    }

    fn read_devices(&self) -> Result<Vec<crate::storage::DeviceRow>> {
        Ok(self
            .reader()
            .query(crate::storage::DEVICES_SQL, &[])?
            .iter()
            .map(|r| crate::storage::DeviceRow {
                device_id: r.get(0),
                username: r.get(1),
                first_login: r.get(2),
                last_login: r.get(3),
                revoked: r.get(4),
            })
            .collect())
    }

    fn read_conflicts(&self, include_resolved: bool) -> Result<Vec<ConflictRecord>> {
        let filter = if include_resolved { "" } else { "WHERE resolved_at IS NULL" };
        self.reader()
            .query(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict {filter} ORDER BY detected_at DESC, id LIMIT 1000"), &[])?
            .iter()
            .map(conflict_from)
            .collect()
    }

    fn read_users(&self) -> Result<Vec<UserRow>> {
        self.reader()
            .query(&format!("SELECT {USER_COLUMNS}, phone, disabled, created_at FROM app_user ORDER BY username"), &[])?
            .iter()
            .map(|r| Ok(UserRow { user: to_user(r)?, phone: r.get(8), disabled: r.get(9), created_at: r.get(10) }))
            .collect()
    }

    fn beneficiary_village(&self, beneficiary_id: &str) -> Result<Option<String>> {
        Ok(self
            .client()
            .query_opt("SELECT village_code FROM record WHERE kind = 'beneficiary' AND id = $1", &[&beneficiary_id])?
            .map(|r| r.get(0)))
    }

    fn write_revocation(&self, device_id: &str, now_ms: i64) -> Result<u64> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        tx.execute("INSERT INTO revoked_device (device_id, revoked_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&device_id, &now_ms])?;
        let n =
            tx.execute("UPDATE device_token SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL", &[&device_id, &now_ms])?;
        tx.execute("DELETE FROM device_key WHERE device_id = $1", &[&device_id])?;
        tx.commit()?;
        Ok(n)
    }

    fn apply_batch(&self, session: &Session, ops: &[Operation], ctx: &Reference, now_ms: i64) -> Result<Vec<OpResult>> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        let plan = plan(session, ops, ctx, &mut Source(&mut tx))?;
        write_plan(&mut tx, &plan, now_ms)?;
        tx.commit()?;
        Ok(plan.results)
    }

    fn read_feed(&self, scope: &FeedScope, after: i64, page: &mut FeedPage) -> Result<i64> {
        let mut c = self.reader();
        // One snapshot for the page and the feed's end.
        let mut tx = c.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
        let fetch = page.limit() + 1;
        let sql = |filter: &str| format!("{FEED_SELECT} WHERE {filter} ORDER BY c.seq LIMIT $2");
        let rows = match scope {
            FeedScope::All => tx.query(&sql("c.seq > $1"), &[&after, &fetch])?,
            // One village or district (the usual case) reads its index range in order.
            FeedScope::Villages(v) if v.len() == 1 => tx.query(&sql("c.village_code = $3 AND c.seq > $1"), &[&after, &fetch, &v[0]])?,
            FeedScope::Districts(d) if d.len() == 1 => tx.query(&sql("c.district = $3 AND c.seq > $1"), &[&after, &fetch, &d[0]])?,
            FeedScope::Villages(v) => tx.query(&sql("c.seq > $1 AND c.village_code = ANY($3)"), &[&after, &fetch, v])?,
            FeedScope::Districts(d) => tx.query(&sql("c.seq > $1 AND c.district = ANY($3)"), &[&after, &fetch, d])?,
            FeedScope::Beneficiary(b) => tx.query(&sql("c.seq > $1 AND c.beneficiary_id = $3"), &[&after, &fetch, b])?,
        };
        for r in &rows {
            let row = FeedRow {
                seq: r.get(0),
                kind: r.get(1),
                body: r.get(2),
                entity: r.get(3),
                entity_id: r.get(4),
                fields: r.get(5),
                created: r.get(6),
                clocks: r.get(7),
            };
            if !page.push_row(row)? {
                break;
            }
        }
        let end: i64 = if page.has_more() { 0 } else { tx.query_one("SELECT coalesce(max(seq), 0) FROM change_log", &[])?.get(0) };
        tx.commit()?;
        Ok(end)
    }

    fn stats(&self) -> Result<Stats> {
        let mut c = self.reader();
        let mut count = |sql: &str| -> Result<u64> { Ok(c.query_one(sql, &[])?.get::<_, i64>(0) as u64) };
        Ok(Stats {
            applied_ops: count("SELECT count(*) FROM applied_op")?,
            records: count("SELECT count(*) FROM record")?,
            conflicts: count("SELECT count(*) FROM conflict")?,
            feed_rows: count("SELECT count(*) FROM change_log")?,
        })
    }

    fn export(&self) -> Result<Export> {
        let mut c = self.reader();
        let mut export = Export::default();
        for r in c.query("SELECT kind, id, fields, created, clocks FROM record ORDER BY kind, id", &[])? {
            let kind: String = r.get(0);
            let kind = EntityKind::parse(&kind).ok_or_else(|| ServerError::Internal(format!("bad kind {kind}")))?;
            export.records.push((kind, r.get(1), versioned(r.get(2), r.get(3), r.get(4))?));
        }
        for r in c.query(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict ORDER BY id"), &[])? {
            export.conflicts.push(conflict_from(&r)?);
        }
        Ok(export)
    }

    fn read_person(&self, beneficiary_id: &str) -> Result<Option<PersonFile>> {
        let mut c = self.reader();
        let mut tx = c.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
        let Some(row) = tx.query_opt("SELECT village_code FROM record WHERE kind = 'beneficiary' AND id = $1", &[&beneficiary_id])? else {
            return Ok(None);
        };
        let records = Source(&mut tx).file_records(beneficiary_id)?;
        let conflicts = tx
            .query(
                &format!(
                    "SELECT {CONFLICT_COLUMNS} FROM conflict WHERE (entity, entity_id) IN (SELECT kind, id FROM record WHERE beneficiary_id = $1) ORDER BY id"
                ),
                &[&beneficiary_id],
            )?
            .iter()
            .map(conflict_from)
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(Some(PersonFile { village_code: row.get(0), records, conflicts }))
    }

    fn find_erasure(&self, beneficiary_id: &str) -> Result<Option<Erasure>> {
        Ok(self
            .reader()
            .query_opt(
                "SELECT beneficiary_id, village_code, erased_at, erased_by, reason FROM erasure WHERE beneficiary_id = $1",
                &[&beneficiary_id],
            )?
            .map(|r| Erasure {
                beneficiary_id: r.get(0),
                village_code: r.get(1),
                erased_at: r.get(2),
                erased_by: r.get(3),
                reason: r.get(4),
            }))
    }

    fn write_erasure(&self, e: &Erasure, access: &AccessEntry) -> Result<u64> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        let id = &e.beneficiary_id;
        // The person's record first: a push reading the file (FOR SHARE) waits, then finds it gone.
        tx.query("SELECT 1 FROM record WHERE kind = 'beneficiary' AND id = $1 FOR UPDATE", &[id])?;
        if tx.query_opt("SELECT 1 FROM erasure WHERE beneficiary_id = $1", &[id])?.is_some() {
            return Ok(0);
        }
        tx.execute("DELETE FROM conflict WHERE (entity, entity_id) IN (SELECT kind, id FROM record WHERE beneficiary_id = $1)", &[id])?;
        // The audit trail's copies of what the operations wrote go too (their ids stay).
        tx.execute(
            "UPDATE applied_op SET fields = NULL WHERE fields IS NOT NULL AND (entity, entity_id) IN (SELECT kind, id FROM record WHERE beneficiary_id = $1)",
            &[id],
        )?;
        let n = tx.execute("DELETE FROM record WHERE beneficiary_id = $1", &[id])?;
        tx.execute(
            "INSERT INTO erasure (beneficiary_id, village_code, erased_at, erased_by, reason) VALUES ($1, $2, $3, $4, $5)",
            &[id, &e.village_code, &e.erased_at, &e.erased_by, &e.reason],
        )?;
        insert_access(&mut tx, access)?;
        // A worker account of the person: its phones hold nothing but this file, so they are
        // revoked (each wipes itself at its next contact).
        tx.execute(
            "INSERT INTO revoked_device (device_id, revoked_at)
             SELECT DISTINCT t.device_id, $2::BIGINT FROM device_token t JOIN app_user u ON u.id = t.user_id WHERE u.beneficiary_id = $1
             ON CONFLICT DO NOTHING",
            &[id, &e.erased_at],
        )?;
        let workers: Vec<String> =
            tx.query("SELECT username FROM app_user WHERE beneficiary_id = $1", &[id])?.iter().map(|r| r.get(0)).collect();
        for username in workers {
            revoke_user_tokens(&mut tx, &username, e.erased_at)?;
        }
        tx.execute("UPDATE app_user SET beneficiary_id = NULL, disabled = TRUE WHERE beneficiary_id = $1", &[id])?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FEED_LOCK])?;
        tx.execute("DELETE FROM change_log WHERE beneficiary_id = $1", &[id])?;
        write_feed(&mut tx, &[crate::privacy::erase_feed_entry(e)?])?;
        tx.commit()?;
        Ok(n)
    }

    fn insert_access(&self, entry: &AccessEntry) -> Result<()> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        insert_access(&mut tx, entry)?;
        tx.commit()?;
        Ok(())
    }

    fn read_access(&self, beneficiary_id: &str) -> Result<Vec<AccessEntry>> {
        self.reader()
            .query(
                "SELECT beneficiary_id, user_id, username, device_id, action, at FROM file_access WHERE beneficiary_id = $1 ORDER BY id",
                &[&beneficiary_id],
            )?
            .iter()
            .map(|r| {
                let action: String = r.get(4);
                Ok(AccessEntry {
                    beneficiary_id: r.get(0),
                    user_id: r.get(1),
                    username: r.get(2),
                    device_id: r.get(3),
                    action: Access::parse(&action).ok_or_else(|| ServerError::Internal(format!("bad access action {action}")))?,
                    at: r.get(5),
                })
            })
            .collect()
    }
}

fn insert_access(tx: &mut Transaction<'_>, a: &AccessEntry) -> Result<()> {
    tx.execute(
        "INSERT INTO file_access (beneficiary_id, user_id, username, device_id, action, at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&a.beneficiary_id, &a.user_id, &a.username, &a.device_id, &a.action.as_str(), &a.at],
    )?;
    Ok(())
}
