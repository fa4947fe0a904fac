//! The embedded default storage: one SQLite file with the same record tables as the phones, one
//! writer connection and a few readers in WAL mode.

use crate::auth;
use crate::batch::check_batch;
use crate::error::{Result, ServerError};
use crate::plan::{plan, BatchSource, Key, Plan};
use crate::storage::{
    already_published, check_cursor_end, check_login, check_token, evict_change_json, normalize_username, parse_cursor, record_change_json,
    validate_scope, Export, FeedPage, FeedScope, NewUser, ReferenceCache, ReferenceData, Session, Stats, Storage, TokenRow, User,
};
use desmig_core::checklist::Template;
use desmig_core::merge::Operation;
use desmig_core::merge::Versioned;
use desmig_core::model::EntityKind;
use desmig_core::protocol::{Change, ConflictRecord, LoginRequest, LoginResponse, OpResult, ReferenceResponse};
use desmig_core::records::{file_of, load_versioned, record_conflicts, save_versioned};
use desmig_core::reference;
use desmig_core::region::{district_of, RegionCatalog};
use desmig_core::rules::FileInfo;
use desmig_core::schema;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const MIGRATIONS: &[&str] = &[schema::RECORDS, include_str!("../sql/001_server.sql"), include_str!("../sql/002_trust.sql")];
const READERS: usize = 3;

pub struct SqliteStorage {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    reference: ReferenceCache,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn meta_get(c: &Connection, key: &str) -> Result<Option<String>> {
    Ok(c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn bump_reference_version(tx: &Connection) -> Result<i64> {
    let v = meta_get(tx, "reference_version")?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(1) + 1;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('reference_version', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [v.to_string()],
    )?;
    Ok(v)
}

const USER_COLUMNS: &str = "id, username, display_name, role, villages, districts, beneficiary_id, scope_version";

/// id, username, display name, role, villages, districts, beneficiary, scope version.
type UserRow = (String, String, String, String, String, String, Option<String>, i64);

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

fn to_user(row: UserRow) -> Result<User> {
    let (id, username, display_name, role, villages, districts, beneficiary_id, scope_version) = row;
    Ok(User {
        id,
        username,
        display_name,
        role: serde_json::from_value(serde_json::Value::String(role))?,
        villages: serde_json::from_str(&villages)?,
        districts: serde_json::from_str(&districts)?,
        beneficiary_id,
        scope_version,
    })
}

fn find_user(c: &Connection, username: &str) -> Result<Option<(User, String, bool)>> {
    let row = c
        .query_row(&format!("SELECT {USER_COLUMNS}, password_hash, disabled FROM app_user WHERE username = ?1"), [username], |r| {
            Ok((user_from_row(r)?, r.get::<_, String>(8)?, r.get::<_, i64>(9)? != 0))
        })
        .optional()?;
    row.map(|(u, h, d)| Ok((to_user(u)?, h, d))).transpose()
}

impl SqliteStorage {
    /// Opens (creating) the database file and its schema, loading the shipped reference data on
    /// first start.
    pub fn open(path: &Path) -> Result<SqliteStorage> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ServerError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        schema::configure(&conn)?;
        schema::migrate_list(&mut conn, MIGRATIONS, MIGRATIONS.len() as i64)?;
        let tx = conn.transaction()?;
        let regions = reference::load_regions(&tx)?;
        let templates = reference::load_templates(&tx)?;
        let version = meta_get(&tx, "reference_version")?.and_then(|v| v.parse().ok()).unwrap_or(1);
        tx.commit()?;
        let mut readers = Vec::new();
        for _ in 0..READERS {
            let r = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            r.pragma_update(None, "busy_timeout", 5000)?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStorage {
            writer: Mutex::new(conn),
            readers,
            next_reader: AtomicUsize::new(0),
            reference: ReferenceCache::new(ReferenceData { version, regions: Arc::new(regions), templates: Arc::new(templates) }),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(g) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return g;
            }
        }
        lock(&self.readers[start % self.readers.len()])
    }

    /// Another process (an admin command) may have published reference data: reload it when the
    /// stored version moved. Returns the current version.
    fn refresh_reference(&self) -> Result<i64> {
        let c = self.reader();
        let stored = meta_get(&c, "reference_version")?.and_then(|v| v.parse().ok()).unwrap_or(1);
        self.reference.refresh(stored, || {
            Ok(ReferenceData {
                version: stored,
                regions: Arc::new(reference::load_regions(&c)?),
                templates: Arc::new(reference::load_templates(&c)?),
            })
        })
    }
}

/// Writes a record's current state into the change feed, under the village it belongs to.
fn log_state(tx: &Connection, kind: EntityKind, id: &str, state: &Versioned, beneficiary_id: &str, village: &str) -> Result<()> {
    let body =
        record_change_json(kind, id, &serde_json::to_string(&state.fields)?, &state.created, &serde_json::to_string(&state.clocks)?)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
         VALUES ('record', ?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![kind.table(), id, beneficiary_id, village, district_of(village).unwrap_or(village), body])?;
    Ok(())
}

fn log_record(tx: &Connection, kind: EntityKind, id: &str, beneficiary_id: &str, village: &str) -> Result<()> {
    match load_versioned(tx, kind, id)? {
        Some(state) => log_state(tx, kind, id, &state, beneficiary_id, village),
        None => Ok(()),
    }
}

fn load_conflict(tx: &Connection, id: &str) -> Result<Option<ConflictRecord>> {
    let row = tx
        .prepare_cached("SELECT id, entity, entity_id, field, losing_value, losing_hlc, detected_at, resolved_by, resolved_at FROM conflict WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .optional()?;
    let Some((id, entity, entity_id, field, value, losing_hlc, detected_at, resolved_by, resolved_at)) = row else { return Ok(None) };
    Ok(Some(ConflictRecord {
        id,
        entity: EntityKind::parse(&entity).ok_or_else(|| ServerError::Internal(format!("bad entity {entity}")))?,
        entity_id,
        field,
        losing_value: serde_json::from_str(&value)?,
        losing_hlc,
        detected_at,
        resolved_by,
        resolved_at,
    }))
}

fn log_conflict(tx: &Connection, id: &str, beneficiary_id: &str, village: &str) -> Result<()> {
    let Some(conflict) = load_conflict(tx, id)? else { return Ok(()) };
    let body = serde_json::to_string(&Change::Conflict { conflict })?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
         VALUES ('conflict', 'conflict', ?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, beneficiary_id, village, district_of(village).unwrap_or(village), body])?;
    Ok(())
}

/// A beneficiary moved village: every record of their file moves in the feed too, so the new
/// village's facilitator receives it.
fn relog_file(tx: &Connection, beneficiary_id: &str, village: &str) -> Result<()> {
    for kind in EntityKind::ALL {
        let column = if kind == EntityKind::Beneficiary { "id" } else { "beneficiary_id" };
        let ids: Vec<String> = tx
            .prepare(&format!("SELECT id FROM {} WHERE {column} = ?1", kind.table()))?
            .query_map([beneficiary_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in ids {
            log_record(tx, kind, &id, beneficiary_id, village)?;
        }
    }
    let conflicts: Vec<String> = tx
        .prepare("SELECT entity_id FROM change_log WHERE kind = 'conflict' AND beneficiary_id = ?1")?
        .query_map([beneficiary_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in conflicts {
        log_conflict(tx, &id, beneficiary_id, village)?;
    }
    Ok(())
}

/// Reads for the batch planner, inside the push's transaction.
struct Source<'a>(&'a Connection);

impl BatchSource for Source<'_> {
    fn known_ops(&mut self, op_ids: &[String]) -> Result<HashMap<String, Option<String>>> {
        let mut stmt = self.0.prepare_cached("SELECT content_hash FROM applied_op WHERE op_id = ?1")?;
        let mut known = HashMap::new();
        for id in op_ids {
            if let Some(hash) = stmt.query_row([id], |r| r.get::<_, Option<String>>(0)).optional()? {
                known.insert(id.clone(), hash);
            }
        }
        Ok(known)
    }

    fn records(&mut self, keys: &[Key]) -> Result<HashMap<Key, Versioned>> {
        let mut out = HashMap::new();
        for (kind, id) in keys {
            if let Some(v) = load_versioned(self.0, *kind, id)? {
                out.insert((*kind, id.clone()), v);
            }
        }
        Ok(out)
    }

    fn files(&mut self, beneficiary_ids: &[String]) -> Result<HashMap<String, FileInfo>> {
        let mut out = HashMap::new();
        for id in beneficiary_ids {
            if let Some(f) = file_of(self.0, id)? {
                out.insert(id.clone(), f);
            }
        }
        Ok(out)
    }

    fn nik_holders(&mut self, niks: &[String]) -> Result<HashMap<String, String>> {
        let mut stmt = self.0.prepare_cached("SELECT id FROM beneficiary WHERE nik = ?1 LIMIT 1")?;
        let mut out = HashMap::new();
        for nik in niks {
            if let Some(id) = stmt.query_row([nik], |r| r.get::<_, String>(0)).optional()? {
                out.insert(nik.clone(), id);
            }
        }
        Ok(out)
    }

    fn open_conflicts(&mut self, ids: &[String]) -> Result<HashMap<String, Key>> {
        let mut stmt = self.0.prepare_cached("SELECT entity, entity_id FROM conflict WHERE id = ?1 AND resolved_at IS NULL")?;
        let mut out = HashMap::new();
        for id in ids {
            let row: Option<(String, String)> = stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((entity, entity_id)) = row {
                if let Some(kind) = EntityKind::parse(&entity) {
                    out.insert(id.clone(), (kind, entity_id));
                }
            }
        }
        Ok(out)
    }
}

/// Persists a plan in the push's transaction.
fn write_plan(tx: &Connection, plan: &Plan, now_ms: i64) -> Result<()> {
    for r in &plan.records {
        save_versioned(tx, r.kind, &r.id, &r.state)?;
        log_state(tx, r.kind, &r.id, &r.state, &r.beneficiary_id, &r.village)?;
    }
    for c in &plan.conflicts {
        record_conflicts(tx, std::slice::from_ref(&c.conflict), now_ms)?;
        log_conflict(tx, &c.conflict.id, &c.beneficiary_id, &c.village)?;
    }
    for r in &plan.resolutions {
        let n = tx.execute(
            "UPDATE conflict SET resolved_by = ?2, resolved_at = ?3 WHERE id = ?1 AND resolved_at IS NULL",
            params![r.conflict_id, r.resolved_by, now_ms],
        )?;
        if n == 1 {
            log_conflict(tx, &r.conflict_id, &r.beneficiary_id, &r.village)?;
        }
    }
    for m in &plan.moved {
        // First the village left forgets the file, then the file arrives where it moved (a
        // supervisor of both sees the two in this order).
        tx.prepare_cached(
            "INSERT OR REPLACE INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
             VALUES ('evict', 'beneficiary', ?1, ?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            m.beneficiary_id,
            m.previous_village,
            district_of(&m.previous_village).unwrap_or(&m.previous_village),
            evict_change_json(&m.beneficiary_id)?
        ])?;
        relog_file(tx, &m.beneficiary_id, &m.village)?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO applied_op (op_id, device_id, user_id, entity, entity_id, applied_at, content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (op, hash) in &plan.applied {
        stmt.execute(params![op.op_id, op.device_id, op.user_id, op.entity.table(), op.entity_id, now_ms, hash])?;
    }
    Ok(())
}

impl Storage for SqliteStorage {
    fn reference_cache(&self) -> &ReferenceCache {
        &self.reference
    }

    fn login(&self, req: &LoginRequest, ttl_ms: i64, now_ms: i64) -> Result<LoginResponse> {
        let found = find_user(&self.reader(), &req.username.trim().to_lowercase())?;
        let w = lock(&self.writer);
        let revoked: bool = w.prepare_cached("SELECT 1 FROM revoked_device WHERE device_id = ?1")?.exists([&req.device_id])?;
        let user = check_login(req, found, revoked)?;
        let (token, hash) = auth::new_token()?;
        let expires_at = now_ms + ttl_ms;
        w.execute(
            "INSERT INTO device_token (token_hash, user_id, device_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash, user.id, req.device_id, now_ms, expires_at],
        )?;
        Ok(LoginResponse { token, expires_at, identity: user.identity() })
    }

    fn authenticate(&self, token: &str, now_ms: i64) -> Result<Session> {
        let c = self.reader();
        let row = c
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, t.device_id, t.expires_at, t.revoked_at, u.disabled,
                        EXISTS (SELECT 1 FROM revoked_device r WHERE r.device_id = t.device_id)
                 FROM device_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ?1"
            ))?
            .query_row([auth::token_hash(token)], |r| {
                Ok((
                    user_from_row(r)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, i64>(11)?,
                    r.get::<_, bool>(12)?,
                ))
            })
            .optional()?;
        let row = row
            .map(|(user, device_id, expires_at, revoked_at, disabled, device_revoked)| -> Result<TokenRow> {
                Ok(TokenRow { user: to_user(user)?, device_id, expires_at, revoked_at, disabled: disabled != 0, device_revoked })
            })
            .transpose()?;
        check_token(row, now_ms)
    }

    fn push(&self, session: &Session, ops: &[Operation], now_ms: i64) -> Result<Vec<OpResult>> {
        check_batch(session, ops)?;
        self.refresh_reference()?;
        let ctx = self.reference.ctx();
        let mut w = lock(&self.writer);
        let tx = w.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let plan = plan(session, ops, &ctx, &mut Source(&tx))?;
        write_plan(&tx, &plan, now_ms)?;
        tx.commit()?;
        Ok(plan.results)
    }

    fn pull(&self, session: &Session, cursor: Option<&str>, limit: u32) -> Result<Vec<u8>> {
        let user = &session.user;
        let (after, restart) = parse_cursor(cursor, user.scope_version)?;
        let limit = i64::from(limit.clamp(1, crate::http::MAX_PULL_LIMIT));
        let reference_version = self.refresh_reference()?;
        let (filter, args): (String, Vec<String>) = match FeedScope::of(user) {
            FeedScope::All => ("1".into(), vec![]),
            FeedScope::Villages(v) => (format!("village_code IN ({})", vec!["?"; v.len()].join(",")), v),
            FeedScope::Districts(d) => (format!("district IN ({})", vec!["?"; d.len()].join(",")), d),
            FeedScope::Beneficiary(b) => ("beneficiary_id = ?".into(), vec![b]),
        };
        let mut c = self.reader();
        // One read transaction: the page and the feed's end are the same snapshot.
        let tx = c.transaction()?;
        let sql = format!("SELECT seq, body FROM change_log WHERE seq > ? AND {filter} ORDER BY seq LIMIT ?");
        let mut params: Vec<&dyn rusqlite::ToSql> = vec![&after];
        params.extend(args.iter().map(|a| a as &dyn rusqlite::ToSql));
        let fetch = limit + 1;
        params.push(&fetch);
        let mut page = FeedPage::new(after, limit);
        {
            let mut stmt = tx.prepare_cached(&sql)?;
            let mut rows = stmt.query(params.as_slice())?;
            while let Some(row) = rows.next()? {
                let body = row.get_ref(1)?.as_str().map_err(|e| ServerError::Internal(e.to_string()))?;
                if !page.push(row.get(0)?, body) {
                    break;
                }
            }
        }
        let end: i64 = if page.has_more() { 0 } else { tx.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| r.get(0))? };
        if !page.has_more() {
            check_cursor_end(after, page.is_empty(), end)?;
        }
        page.finish(user, restart, end, reference_version)
    }

    fn reference(&self) -> Result<ReferenceResponse> {
        let version = self.refresh_reference()?;
        let c = self.reader();
        let definitions: Vec<String> = c
            .prepare("SELECT definition FROM checklist_template ORDER BY id, version")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let templates = definitions.iter().map(|t| serde_json::from_str(t)).collect::<Result<Vec<_>, _>>()?;
        let mut csv = String::from("code,name\n");
        let rows: Vec<(String, String)> = c
            .prepare("SELECT code, name FROM region ORDER BY code")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (code, name) in rows {
            csv.push_str(&format!("{code},{name}\n"));
        }
        Ok(ReferenceResponse { version, templates, regions_csv: csv })
    }

    fn add_user(&self, u: &NewUser, now_ms: i64) -> Result<User> {
        let username = normalize_username(&u.username)?;
        self.refresh_reference()?;
        validate_scope(&self.reference.ctx(), u.role, &u.villages, &u.districts, u.beneficiary_id.as_deref())?;
        let hash = auth::hash_password(&u.password)?;
        let id = uuid::Uuid::now_v7().to_string();
        let w = lock(&self.writer);
        if find_user(&w, &username)?.is_some() {
            return Err(ServerError::Conflict(format!("user {username} already exists")));
        }
        w.execute(
            "INSERT INTO app_user (id, username, display_name, role, password_hash, villages, districts, beneficiary_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                username,
                u.display_name.trim(),
                serde_json::to_value(u.role)?.as_str().unwrap_or_default(),
                hash,
                serde_json::to_string(&u.villages)?,
                serde_json::to_string(&u.districts)?,
                u.beneficiary_id,
                now_ms
            ],
        )?;
        find_user(&w, &username)?.map(|(u, _, _)| u).ok_or_else(|| ServerError::Internal("user vanished".into()))
    }

    fn set_password(&self, username: &str, password: &str) -> Result<()> {
        let hash = auth::hash_password(password)?;
        let w = lock(&self.writer);
        let n = w.execute("UPDATE app_user SET password_hash = ?2 WHERE username = ?1", params![username.trim().to_lowercase(), hash])?;
        if n == 0 {
            return Err(ServerError::NotFound(format!("user {username} not found")));
        }
        Ok(())
    }

    fn assign(&self, username: &str, villages: &[String], districts: &[String]) -> Result<User> {
        let username = username.trim().to_lowercase();
        let w = lock(&self.writer);
        let (user, _, _) = find_user(&w, &username)?.ok_or_else(|| ServerError::NotFound(format!("user {username} not found")))?;
        validate_scope(&self.reference.ctx(), user.role, villages, districts, user.beneficiary_id.as_deref())?;
        w.execute(
            "UPDATE app_user SET villages = ?2, districts = ?3, scope_version = scope_version + 1 WHERE id = ?1",
            params![user.id, serde_json::to_string(villages)?, serde_json::to_string(districts)?],
        )?;
        find_user(&w, &username)?.map(|(u, _, _)| u).ok_or_else(|| ServerError::Internal("user vanished".into()))
    }

    fn revoke_device(&self, device_id: &str, now_ms: i64) -> Result<u64> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        tx.execute("INSERT OR IGNORE INTO revoked_device (device_id, revoked_at) VALUES (?1, ?2)", params![device_id, now_ms])?;
        let n =
            tx.execute("UPDATE device_token SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL", params![device_id, now_ms])?;
        tx.commit()?;
        Ok(n as u64)
    }

    fn load_regions(&self, csv: &str) -> Result<usize> {
        let catalog = RegionCatalog::from_csv(csv).map_err(|fields| ServerError::BadRequest {
            code: "invalid_regions",
            message: "the region file has errors".into(),
            fields,
        })?;
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        reference::replace_regions(&tx, &catalog)?;
        bump_reference_version(&tx)?;
        tx.commit()?;
        drop(w);
        self.refresh_reference()?;
        Ok(catalog.len())
    }

    fn publish_template(&self, json: &str) -> Result<Template> {
        let t = Template::from_json(json)?;
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        let existing: Option<String> = tx
            .query_row("SELECT definition FROM checklist_template WHERE id = ?1 AND version = ?2", params![t.id, t.version], |r| r.get(0))
            .optional()?;
        if already_published(existing.as_deref(), &t)? {
            return Ok(t);
        }
        reference::insert_template(&tx, &t)?;
        bump_reference_version(&tx)?;
        tx.commit()?;
        drop(w);
        self.refresh_reference()?;
        Ok(t)
    }

    fn export(&self) -> Result<Export> {
        let c = self.reader();
        let mut export = Export::default();
        for kind in EntityKind::ALL {
            let ids: Vec<String> = c
                .prepare(&format!("SELECT id FROM {} ORDER BY id", kind.table()))?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids {
                if let Some(v) = load_versioned(&c, kind, &id)? {
                    export.records.push((kind, id, v));
                }
            }
        }
        let ids: Vec<String> =
            c.prepare("SELECT id FROM conflict ORDER BY id")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for id in ids {
            export.conflicts.extend(load_conflict(&c, &id)?);
        }
        Ok(export)
    }

    fn stats(&self) -> Result<Stats> {
        let c = self.reader();
        let count = |sql: &str| -> Result<u64> { Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        let mut records = 0;
        for kind in EntityKind::ALL {
            records += count(&format!("SELECT count(*) FROM {}", kind.table()))?;
        }
        Ok(Stats {
            applied_ops: count("SELECT count(*) FROM applied_op")?,
            records,
            conflicts: count("SELECT count(*) FROM conflict")?,
            feed_rows: count("SELECT count(*) FROM change_log")?,
        })
    }
}
