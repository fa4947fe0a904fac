//! PostgreSQL storage, for a deployment that needs several server instances: the same behaviour
//! as the SQLite store (the same planner decides every push), with a small connection pool.
//! Instances keep nothing between requests that another instance would need: sessions, applied
//! operations and the feed live in the database; reference data is cached and reloaded when its
//! version in the database moves.

use crate::auth;
use crate::batch::check_batch;
use crate::error::{Result, ServerError};
use crate::plan::{plan, BatchSource, Key, Moved, Plan};
use crate::storage::{
    already_published, check_cursor_end, check_login, check_token, evict_change_json, normalize_username, parse_cursor, record_change_json,
    validate_scope, Export, FeedPage, FeedScope, NewUser, ReferenceCache, ReferenceData, Session, Stats, Storage, TokenRow, User,
};
use desmig_core::checklist::{builtin_templates, Template};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{Operation, Versioned};
use desmig_core::model::EntityKind;
use desmig_core::protocol::{Change, ConflictRecord, LoginRequest, LoginResponse, OpResult, ReferenceResponse};
use desmig_core::region::{district_of, RegionCatalog, BUILTIN_REGIONS_CSV};
use desmig_core::rules::FileInfo;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Row, Transaction};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const MIGRATIONS: &[&str] = &[include_str!("../sql/pg/001_schema.sql"), include_str!("../sql/pg/002_trust.sql")];
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
                "SELECT id, village_code, (fields::jsonb ->> 'consent_withdrawn_at') IS NULL FROM record
                 WHERE kind = 'beneficiary' AND id = ANY($1)",
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

/// Rows for the change feed, written together.
#[derive(Default)]
struct FeedRows {
    kind: Vec<String>,
    entity: Vec<String>,
    entity_id: Vec<String>,
    beneficiary_id: Vec<String>,
    village: Vec<String>,
    district: Vec<String>,
    body: Vec<String>,
}

impl FeedRows {
    fn add(&mut self, kind: &str, entity: &str, entity_id: &str, beneficiary_id: &str, village: &str, body: String) {
        self.kind.push(kind.into());
        self.entity.push(entity.into());
        self.entity_id.push(entity_id.into());
        self.beneficiary_id.push(beneficiary_id.into());
        self.village.push(village.into());
        self.district.push(district_of(village).unwrap_or(village).into());
        self.body.push(body);
    }

    fn write(self, tx: &mut Transaction<'_>) -> Result<()> {
        if self.kind.is_empty() {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
             SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[])
             ON CONFLICT (kind, entity, entity_id) DO UPDATE SET seq = nextval('change_log_seq'), beneficiary_id = excluded.beneficiary_id,
                 village_code = excluded.village_code, district = excluded.district, body = excluded.body",
            &[&self.kind, &self.entity, &self.entity_id, &self.beneficiary_id, &self.village, &self.district, &self.body],
        )?;
        Ok(())
    }
}

fn log_conflicts(tx: &mut Transaction<'_>, ids: &[(String, String, String)], feed: &mut FeedRows) -> Result<()> {
    for (id, beneficiary_id, village) in ids {
        if let Some(row) = tx.query_opt(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict WHERE id = $1"), &[id])? {
            let conflict = conflict_from(&row)?;
            feed.add("conflict", "conflict", id, beneficiary_id, village, serde_json::to_string(&Change::Conflict { conflict })?);
        }
    }
    Ok(())
}

/// Persists a plan in the push's transaction, in a few statements whatever the batch size.
fn write_plan(tx: &mut Transaction<'_>, plan: &Plan, now_ms: i64) -> Result<()> {
    let mut feed = FeedRows::default();
    let mut record_feed = Vec::new();
    for existed in [false, true] {
        let mut cols: [Vec<String>; 7] = Default::default();
        for r in plan.records.iter().filter(|r| r.existed == existed) {
            let (fields, clocks) = (serde_json::to_string(&r.state.fields)?, serde_json::to_string(&r.state.clocks)?);
            record_feed.push((r, record_change_json(r.kind, &r.id, &fields, &r.state.created, &clocks)?));
            cols[0].push(r.kind.table().into());
            cols[1].push(r.id.clone());
            cols[2].push(fields);
            cols[3].push(r.state.created.encode());
            cols[4].push(clocks);
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
    let mut conflict_log = Vec::new();
    for c in &plan.conflicts {
        let k = &c.conflict;
        tx.execute(
            "INSERT INTO conflict (id, entity, entity_id, field, losing_value, losing_hlc, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[&k.id, &k.entity.table(), &k.entity_id, &k.field, &serde_json::to_string(&k.losing_value)?, &k.losing_hlc.encode(), &now_ms],
        )?;
        conflict_log.push((k.id.clone(), c.beneficiary_id.clone(), c.village.clone()));
    }
    for r in &plan.resolutions {
        let n = tx.execute(
            "UPDATE conflict SET resolved_by = $2, resolved_at = $3 WHERE id = $1 AND resolved_at IS NULL",
            &[&r.conflict_id, &r.resolved_by, &now_ms],
        )?;
        if n == 1 {
            conflict_log.push((r.conflict_id.clone(), r.beneficiary_id.clone(), r.village.clone()));
        }
    }
    if !plan.applied.is_empty() {
        let mut cols: [Vec<String>; 6] = Default::default();
        for (op, hash) in &plan.applied {
            cols[0].push(op.op_id.clone());
            cols[1].push(op.device_id.clone());
            cols[2].push(op.user_id.clone());
            cols[3].push(op.entity.table().into());
            cols[4].push(op.entity_id.clone());
            cols[5].push(hash.clone());
        }
        tx.execute(
            "INSERT INTO applied_op (op_id, device_id, user_id, entity, entity_id, content_hash, applied_at)
             SELECT o.*, $7::BIGINT FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[]) AS o",
            &[&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &now_ms],
        )?;
    }
    // From here on, the change feed: one writer at a time across instances, from taking sequence
    // numbers to the commit. Reads of other records (a moved file) happen under the lock too, so
    // they see every earlier push's committed state.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FEED_LOCK])?;
    for (r, json) in record_feed {
        feed.add("record", r.kind.table(), &r.id, &r.beneficiary_id, &r.village, json);
    }
    conflict_log.dedup();
    log_conflicts(tx, &conflict_log, &mut feed)?;
    // The village a beneficiary left forgets the file before it arrives where it moved (its own
    // statement, so its sequence number comes first).
    for m in &plan.moved {
        let district = district_of(&m.previous_village).unwrap_or(&m.previous_village);
        tx.execute(
            "INSERT INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
             VALUES ('evict', 'beneficiary', $1, $1, $2, $3, $4)
             ON CONFLICT (kind, entity, entity_id) DO UPDATE SET seq = nextval('change_log_seq'), village_code = excluded.village_code,
                 district = excluded.district, body = excluded.body",
            &[&m.beneficiary_id, &m.previous_village, &district, &evict_change_json(&m.beneficiary_id)?],
        )?;
    }
    // A record appears once per statement: later entries (a moved file) replace earlier ones.
    for Moved { beneficiary_id, village, .. } in &plan.moved {
        let already: HashSet<(String, String)> = feed.entity.iter().cloned().zip(feed.entity_id.iter().cloned()).collect();
        for r in tx.query("SELECT kind, id, fields, created, clocks FROM record WHERE beneficiary_id = $1", &[beneficiary_id])? {
            let (kind, id): (String, String) = (r.get(0), r.get(1));
            if already.contains(&(kind.clone(), id.clone())) {
                continue;
            }
            let entity = EntityKind::parse(&kind).ok_or_else(|| ServerError::Internal(format!("bad kind {kind}")))?;
            let created = Hlc::parse(r.get(3)).ok_or_else(|| ServerError::Internal(format!("bad clock on {kind} {id}")))?;
            feed.add("record", &kind, &id, beneficiary_id, village, record_change_json(entity, &id, r.get(2), &created, r.get(4))?);
        }
        let ids: Vec<(String, String, String)> = tx
            .query("SELECT entity_id FROM change_log WHERE kind = 'conflict' AND beneficiary_id = $1", &[beneficiary_id])?
            .iter()
            .map(|r| (r.get::<_, String>(0), beneficiary_id.clone(), village.clone()))
            .filter(|(id, _, _)| !conflict_log.iter().any(|(c, _, _)| c == id))
            .collect();
        log_conflicts(tx, &ids, &mut feed)?;
    }
    feed.write(tx)?;
    Ok(())
}

impl PostgresStorage {
    /// Connects (`pool_size` connections), migrates the schema and loads the reference data.
    pub fn open(url: &str, pool_size: usize) -> Result<PostgresStorage> {
        let config: postgres::Config =
            url.parse().map_err(|e| ServerError::bad("invalid_database_url", format!("bad PostgreSQL URL: {e}")))?;
        let connect = || -> Result<Mutex<Client>> {
            Ok(Mutex::new(config.connect(NoTls).map_err(|e| ServerError::Internal(format!("cannot connect to PostgreSQL: {e}")))?))
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

    /// Reloads reference data when another instance or an admin command changed it.
    fn refresh_reference(&self, c: &mut impl GenericClient) -> Result<i64> {
        let stored: i64 = c
            .query_opt("SELECT value FROM meta WHERE key = 'reference_version'", &[])?
            .and_then(|r| r.get::<_, String>(0).parse().ok())
            .unwrap_or(1);
        self.reference.refresh(stored, || load_reference(c))
    }
}

impl Storage for PostgresStorage {
    fn reference_cache(&self) -> &ReferenceCache {
        &self.reference
    }

    fn login(&self, req: &LoginRequest, ttl_ms: i64, now_ms: i64) -> Result<LoginResponse> {
        let mut c = self.client();
        let found = find_user(&mut *c, &req.username.trim().to_lowercase())?;
        let revoked = c.query_opt("SELECT 1 FROM revoked_device WHERE device_id = $1", &[&req.device_id])?.is_some();
        let user = check_login(req, found, revoked)?;
        let (token, hash) = auth::new_token()?;
        let expires_at = now_ms + ttl_ms;
        c.execute(
            "INSERT INTO device_token (token_hash, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&hash, &user.id, &req.device_id, &now_ms, &expires_at],
        )?;
        Ok(LoginResponse { token, expires_at, identity: user.identity() })
    }

    fn authenticate(&self, token: &str, now_ms: i64) -> Result<Session> {
        let row = self.reader().query_opt(
            &format!(
                "SELECT {}, t.device_id, t.expires_at, t.revoked_at, u.disabled,
                        EXISTS (SELECT 1 FROM revoked_device r WHERE r.device_id = t.device_id)
                 FROM device_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1",
                USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
            ),
            &[&auth::token_hash(token)],
        )?;
        let row = row
            .map(|r| -> Result<TokenRow> {
                Ok(TokenRow {
                    user: to_user(&r)?,
                    device_id: r.get(8),
                    expires_at: r.get(9),
                    revoked_at: r.get(10),
                    disabled: r.get(11),
                    device_revoked: r.get(12),
                })
            })
            .transpose()?;
        check_token(row, now_ms)
    }

    fn push(&self, session: &Session, ops: &[Operation], now_ms: i64) -> Result<Vec<OpResult>> {
        check_batch(session, ops)?;
        let mut c = self.client();
        self.refresh_reference(&mut *c)?;
        let ctx = self.reference.ctx();
        let mut tx = c.transaction()?;
        let plan = plan(session, ops, &ctx, &mut Source(&mut tx))?;
        write_plan(&mut tx, &plan, now_ms)?;
        tx.commit()?;
        Ok(plan.results)
    }

    fn pull(&self, session: &Session, cursor: Option<&str>, limit: u32) -> Result<Vec<u8>> {
        let user = &session.user;
        let (after, restart) = parse_cursor(cursor, user.scope_version)?;
        let limit = i64::from(limit.clamp(1, crate::http::MAX_PULL_LIMIT));
        let mut c = self.reader();
        let reference_version = self.refresh_reference(&mut *c)?;
        // One snapshot for the page and the feed's end.
        let mut tx = c.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
        let fetch = limit + 1;
        let rows = match FeedScope::of(user) {
            FeedScope::All => tx.query("SELECT seq, body FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2", &[&after, &fetch])?,
            // One village or district (the usual case) reads its index range in order.
            FeedScope::Villages(v) if v.len() == 1 => tx.query(
                "SELECT seq, body FROM change_log WHERE village_code = $3 AND seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &fetch, &v[0]],
            )?,
            FeedScope::Districts(d) if d.len() == 1 => tx.query(
                "SELECT seq, body FROM change_log WHERE district = $3 AND seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &fetch, &d[0]],
            )?,
            FeedScope::Villages(v) => tx.query(
                "SELECT seq, body FROM change_log WHERE seq > $1 AND village_code = ANY($3) ORDER BY seq LIMIT $2",
                &[&after, &fetch, &v],
            )?,
            FeedScope::Districts(d) => tx.query(
                "SELECT seq, body FROM change_log WHERE seq > $1 AND district = ANY($3) ORDER BY seq LIMIT $2",
                &[&after, &fetch, &d],
            )?,
            FeedScope::Beneficiary(b) => tx.query(
                "SELECT seq, body FROM change_log WHERE seq > $1 AND beneficiary_id = $3 ORDER BY seq LIMIT $2",
                &[&after, &fetch, &b],
            )?,
        };
        let mut page = FeedPage::new(after, limit);
        for r in &rows {
            if !page.push(r.get(0), r.get::<_, &str>(1)) {
                break;
            }
        }
        let end: i64 = if page.has_more() { 0 } else { tx.query_one("SELECT coalesce(max(seq), 0) FROM change_log", &[])?.get(0) };
        tx.commit()?;
        if !page.has_more() {
            check_cursor_end(after, page.is_empty(), end)?;
        }
        page.finish(user, restart, end, reference_version)
    }

    fn reference(&self) -> Result<ReferenceResponse> {
        let mut c = self.reader();
        let version = self.refresh_reference(&mut *c)?;
        let templates = c
            .query("SELECT definition FROM checklist_template ORDER BY id, version", &[])?
            .iter()
            .map(|r| serde_json::from_str(&r.get::<_, String>(0)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut csv = String::from("code,name\n");
        for r in c.query("SELECT code, name FROM region ORDER BY code", &[])? {
            csv.push_str(&format!("{},{}\n", r.get::<_, String>(0), r.get::<_, String>(1)));
        }
        Ok(ReferenceResponse { version, templates, regions_csv: csv })
    }

    fn add_user(&self, u: &NewUser, now_ms: i64) -> Result<User> {
        let username = normalize_username(&u.username)?;
        let mut c = self.client();
        self.refresh_reference(&mut *c)?;
        validate_scope(&self.reference.ctx(), u.role, &u.villages, &u.districts, u.beneficiary_id.as_deref())?;
        let hash = auth::hash_password(&u.password)?;
        let id = uuid::Uuid::now_v7().to_string();
        let role = serde_json::to_value(u.role)?.as_str().unwrap_or_default().to_string();
        let n = c.execute(
            "INSERT INTO app_user (id, username, display_name, role, password_hash, villages, districts, beneficiary_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (username) DO NOTHING",
            &[
                &id,
                &username,
                &u.display_name.trim(),
                &role,
                &hash,
                &serde_json::to_string(&u.villages)?,
                &serde_json::to_string(&u.districts)?,
                &u.beneficiary_id,
                &now_ms,
            ],
        )?;
        if n == 0 {
            return Err(ServerError::Conflict(format!("user {username} already exists")));
        }
        find_user(&mut *c, &username)?.map(|(u, _, _)| u).ok_or_else(|| ServerError::Internal("user vanished".into()))
    }

    fn set_password(&self, username: &str, password: &str) -> Result<()> {
        let hash = auth::hash_password(password)?;
        let n = self
            .client()
            .execute("UPDATE app_user SET password_hash = $2 WHERE username = $1", &[&username.trim().to_lowercase(), &hash])?;
        if n == 0 {
            return Err(ServerError::NotFound(format!("user {username} not found")));
        }
        Ok(())
    }

    fn assign(&self, username: &str, villages: &[String], districts: &[String]) -> Result<User> {
        let username = username.trim().to_lowercase();
        let mut c = self.client();
        self.refresh_reference(&mut *c)?;
        let (user, _, _) = find_user(&mut *c, &username)?.ok_or_else(|| ServerError::NotFound(format!("user {username} not found")))?;
        validate_scope(&self.reference.ctx(), user.role, villages, districts, user.beneficiary_id.as_deref())?;
        c.execute(
            "UPDATE app_user SET villages = $2, districts = $3, scope_version = scope_version + 1 WHERE id = $1",
            &[&user.id, &serde_json::to_string(villages)?, &serde_json::to_string(districts)?],
        )?;
        find_user(&mut *c, &username)?.map(|(u, _, _)| u).ok_or_else(|| ServerError::Internal("user vanished".into()))
    }

    fn revoke_device(&self, device_id: &str, now_ms: i64) -> Result<u64> {
        let mut c = self.client();
        let mut tx = c.transaction()?;
        tx.execute("INSERT INTO revoked_device (device_id, revoked_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&device_id, &now_ms])?;
        let n =
            tx.execute("UPDATE device_token SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL", &[&device_id, &now_ms])?;
        tx.commit()?;
        Ok(n)
    }

    fn load_regions(&self, csv: &str) -> Result<usize> {
        let catalog = RegionCatalog::from_csv(csv).map_err(|fields| ServerError::BadRequest {
            code: "invalid_regions",
            message: "the region file has errors".into(),
            fields,
        })?;
        let mut c = self.client();
        let mut tx = c.transaction()?;
        replace_regions(&mut tx, &catalog)?;
        bump_reference_version(&mut tx)?;
        tx.commit()?;
        self.refresh_reference(&mut *c)?;
        Ok(catalog.len())
    }

    fn publish_template(&self, json: &str) -> Result<Template> {
        let t = Template::from_json(json)?;
        let mut c = self.client();
        let mut tx = c.transaction()?;
        let existing =
            tx.query_opt("SELECT definition FROM checklist_template WHERE id = $1 AND version = $2", &[&t.id, &(t.version as i32)])?;
        if already_published(existing.map(|r| r.get::<_, String>(0)).as_deref(), &t)? {
            return Ok(t);
        }
        tx.execute(
            "INSERT INTO checklist_template (id, version, definition) VALUES ($1, $2, $3)",
            &[&t.id, &(t.version as i32), &serde_json::to_string(&t)?],
        )?;
        bump_reference_version(&mut tx)?;
        tx.commit()?;
        self.refresh_reference(&mut *c)?;
        Ok(t)
    }

    fn stats(&self) -> Result<Stats> {
        let mut c = self.client();
        let mut count = |sql: &str| -> Result<u64> { Ok(c.query_one(sql, &[])?.get::<_, i64>(0) as u64) };
        Ok(Stats {
            applied_ops: count("SELECT count(*) FROM applied_op")?,
            records: count("SELECT count(*) FROM record")?,
            conflicts: count("SELECT count(*) FROM conflict")?,
            feed_rows: count("SELECT count(*) FROM change_log")?,
        })
    }

    fn export(&self) -> Result<Export> {
        let mut c = self.client();
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
}
