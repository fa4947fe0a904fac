//! The embedded default storage: one SQLite file, one writer connection and a few readers in WAL
//! mode. Only the SQL lives here; the rules are the [`Storage`] trait's and the planner's.

use crate::error::{Result, ServerError};
use crate::plan::{plan, BatchSource, Key, Plan};
use crate::privacy::{Access, AccessEntry, Erasure, PersonFile};
use crate::storage::{
    applied_op, feed_entries, scope_filter, AppliedOp, FeedPage, FeedRow, FeedScope, FeedSource, ReferenceCache, ReferenceData,
    ScopedRecord, Session, Stats, Storage, StoredRecord, TokenRow, User, UserRecord, UserRow, FEED_SELECT,
};
use desmig_core::bundle::PublicKeys;
use desmig_core::checklist::Template;
use desmig_core::cipher::{self, DbKey};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{Operation, Versioned};
use desmig_core::model::{EntityKind, Reference};
use desmig_core::protocol::{ConflictRecord, OpResult, Person};
use desmig_core::records::record_conflicts;
use desmig_core::reference;
use desmig_core::region::RegionCatalog;
use desmig_core::rules::FileInfo;
use desmig_core::schema;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Numbered migrations: the reference and conflict tables the server shares with the phones
/// (core's first migration), then the server's own.
const MIGRATIONS: &[&str] = &[
    schema::RECORDS,
    include_str!("../sql/001_server.sql"),
    include_str!("../sql/002_trust.sql"),
    include_str!("../sql/003_privacy.sql"),
    include_str!("../sql/004_people.sql"),
    include_str!("../sql/005_audit.sql"),
    include_str!("../sql/006_bundles.sql"),
    include_str!("../sql/007_feed_once.sql"),
];
const READERS: usize = 3;
/// The writer folds the WAL into the database itself only once it holds this many pages (about
/// 40 MB): the checkpointer thread normally does it first, after each push.
const WRITER_AUTOCHECKPOINT: i64 = 10_000;

pub struct SqliteStorage {
    // The readers and the checkpointer are declared (so dropped) first: the writer, closing last,
    // checkpoints the WAL and removes it.
    readers: Vec<Mutex<Connection>>,
    checkpointer: Checkpointer,
    writer: Mutex<Connection>,
    next_reader: AtomicUsize,
    reference: ReferenceCache,
}

/// Copies the WAL's committed pages into the database file on a thread of its own, so a push's
/// commit does not wait for it (with SQLite's default, the commit that takes the WAL past 1,000
/// pages does the copying and its fsync itself: a sixth of a push's time in the ingest profile).
/// A passive checkpoint never blocks the writer or the readers; the writer starts the WAL again
/// from its beginning once a checkpoint has copied all of it.
struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path, key: Option<&DbKey>) -> Result<Checkpointer> {
        let conn = cipher::open_another(path, key, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        // Nudges made while a checkpoint runs fold into one.
        let (nudge, nudged) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while nudged.recv().is_ok() {
                    // Best effort: a checkpoint that cannot finish now is done by the next one,
                    // or by the writer's own at WRITER_AUTOCHECKPOINT pages.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| ServerError::Internal(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { nudge: Some(nudge), thread: Some(thread) })
    }

    /// Asks for a checkpoint after a commit; never waits.
    fn nudge(&self) {
        if let Some(n) = &self.nudge {
            let _ = n.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn meta_get(c: &Connection, key: &str) -> Result<Option<String>> {
    Ok(c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn reference_version(c: &Connection) -> Result<i64> {
    Ok(meta_get(c, "reference_version")?.and_then(|v| v.parse().ok()).unwrap_or(1))
}

fn bump_reference_version(tx: &Connection) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('reference_version', '2')
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
        [],
    )?;
    Ok(())
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.villages, u.districts, u.beneficiary_id, u.scope_version";

fn to_user(r: &rusqlite::Row<'_>) -> Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: serde_json::from_value(serde_json::Value::String(r.get(3)?))?,
        villages: serde_json::from_str(&r.get::<_, String>(4)?)?,
        districts: serde_json::from_str(&r.get::<_, String>(5)?)?,
        beneficiary_id: r.get(6)?,
        scope_version: r.get(7)?,
    })
}

fn scoped_record(r: &rusqlite::Row<'_>) -> Result<ScopedRecord> {
    Ok(ScopedRecord {
        kind: kind_of(&r.get::<_, String>(0)?)?,
        id: r.get(1)?,
        beneficiary_id: r.get(2)?,
        village_code: r.get(3)?,
        state: versioned(&r.get::<_, String>(4)?, &r.get::<_, String>(5)?, &r.get::<_, String>(6)?)?,
    })
}

fn kind_of(s: &str) -> Result<EntityKind> {
    EntityKind::parse(s).ok_or_else(|| ServerError::Internal(format!("bad record kind {s}")))
}

fn clock(s: &str) -> Result<Hlc> {
    Hlc::parse(s).ok_or_else(|| ServerError::Internal(format!("bad clock {s}")))
}

fn versioned(fields: &str, created: &str, clocks: &str) -> Result<Versioned> {
    Ok(Versioned { fields: serde_json::from_str(fields)?, created: clock(created)?, clocks: serde_json::from_str(clocks)? })
}

const CONFLICT_COLUMNS: &str = "id, entity, entity_id, field, losing_value, losing_hlc, detected_at, resolved_by, resolved_at";

fn to_conflict(r: &rusqlite::Row<'_>) -> Result<ConflictRecord> {
    Ok(ConflictRecord {
        id: r.get(0)?,
        entity: kind_of(&r.get::<_, String>(1)?)?,
        entity_id: r.get(2)?,
        field: r.get(3)?,
        losing_value: serde_json::from_str(&r.get::<_, String>(4)?)?,
        losing_hlc: r.get(5)?,
        detected_at: r.get(6)?,
        resolved_by: r.get(7)?,
        resolved_at: r.get(8)?,
    })
}

impl SqliteStorage {
    /// Opens (creating or upgrading) a plain database file, loading the shipped reference data
    /// on first start.
    pub fn open(path: &Path) -> Result<SqliteStorage> {
        SqliteStorage::open_with(path, None)
    }

    /// Opens the database file encrypted with `key` (SQLCipher), encrypting a plain one once.
    /// A key that does not open it is `wrong_key`, and nothing changes.
    pub fn open_encrypted(path: &Path, key: &DbKey) -> Result<SqliteStorage> {
        SqliteStorage::open_with(path, Some(key))
    }

    fn open_with(path: &Path, key: Option<&DbKey>) -> Result<SqliteStorage> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ServerError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut conn = cipher::open(path, key, OpenFlags::default())?;
        schema::configure(&conn)?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT)?;
        schema::migrate_list(&mut conn, MIGRATIONS, MIGRATIONS.len() as i64)?;
        let tx = conn.transaction()?;
        let regions = reference::load_regions(&tx)?;
        let templates = reference::load_templates(&tx)?;
        let version = reference_version(&tx)?;
        tx.commit()?;
        let mut readers = Vec::new();
        for _ in 0..READERS {
            let r = cipher::open_another(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            r.pragma_update(None, "busy_timeout", 5000)?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStorage {
            checkpointer: Checkpointer::start(path, key)?,
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
}

/// Reads for the batch planner and the feed, inside the push's transaction.
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
        let mut stmt = self.0.prepare_cached("SELECT fields, created, clocks FROM record WHERE kind = ?1 AND id = ?2")?;
        let mut out = HashMap::new();
        for (kind, id) in keys {
            let row: Option<(String, String, String)> =
                stmt.query_row(params![kind.table(), id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
            if let Some((fields, created, clocks)) = row {
                out.insert((*kind, id.clone()), versioned(&fields, &created, &clocks)?);
            }
        }
        Ok(out)
    }

    fn files(&mut self, beneficiary_ids: &[String]) -> Result<HashMap<String, FileInfo>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT village_code, (fields ->> '$.consent_withdrawn_at') IS NULL FROM record WHERE kind = 'beneficiary' AND id = ?1",
        )?;
        let mut out = HashMap::new();
        for id in beneficiary_ids {
            let row = stmt.query_row([id], |r| Ok(FileInfo { village_code: r.get(0)?, consent_active: r.get(1)? })).optional()?;
            out.extend(row.map(|f| (id.clone(), f)));
        }
        Ok(out)
    }

    fn nik_holders(&mut self, niks: &[String]) -> Result<HashMap<String, String>> {
        let mut stmt = self.0.prepare_cached("SELECT id FROM record WHERE kind = 'beneficiary' AND (fields ->> '$.nik') = ?1 LIMIT 1")?;
        let mut out = HashMap::new();
        for nik in niks {
            out.extend(stmt.query_row([nik], |r| r.get::<_, String>(0)).optional()?.map(|id| (nik.clone(), id)));
        }
        Ok(out)
    }

    fn owners(&mut self, keys: &[Key]) -> Result<HashMap<Key, String>> {
        let mut stmt = self.0.prepare_cached("SELECT beneficiary_id FROM record WHERE kind = ?1 AND id = ?2")?;
        let mut out = HashMap::new();
        for (kind, id) in keys {
            if let Some(owner) = stmt.query_row(params![kind.table(), id], |r| r.get::<_, String>(0)).optional()? {
                out.insert((*kind, id.clone()), owner);
            }
        }
        Ok(out)
    }

    fn erased(&mut self, beneficiary_ids: &[String]) -> Result<HashSet<String>> {
        let mut stmt = self.0.prepare_cached("SELECT 1 FROM erasure WHERE beneficiary_id = ?1")?;
        let mut out = HashSet::new();
        for id in beneficiary_ids {
            if stmt.exists([id])? {
                out.insert(id.clone());
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
                out.insert(id.clone(), (kind_of(&entity)?, entity_id));
            }
        }
        Ok(out)
    }
}

impl FeedSource for Source<'_> {
    fn file_records(&mut self, beneficiary_id: &str) -> Result<Vec<StoredRecord>> {
        let mut stmt =
            self.0.prepare_cached("SELECT kind, id, fields, created, clocks FROM record WHERE beneficiary_id = ?1 ORDER BY kind, id")?;
        let rows: Vec<(String, String, String, String, String)> = stmt
            .query_map([beneficiary_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(kind, id, fields_json, created, clocks_json)| {
                Ok(StoredRecord { kind: kind_of(&kind)?, id, fields_json, created: clock(&created)?, clocks_json })
            })
            .collect()
    }

    fn file_conflicts(&mut self, beneficiary_id: &str) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached("SELECT entity_id FROM change_log WHERE kind = 'conflict' AND beneficiary_id = ?1")?;
        let ids = stmt.query_map([beneficiary_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    fn conflict(&mut self, id: &str) -> Result<Option<ConflictRecord>> {
        let mut stmt = self.0.prepare_cached(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict WHERE id = ?1"))?;
        let mut rows = stmt.query([id])?;
        rows.next()?.map(to_conflict).transpose()
    }
}

/// Ends every session of a user.
/// A user's bundle keys, on every device: a new password or a disabled account ends their
/// sessions, and so their bundles too (the phone registers keys again at its next login).
fn forget_user_keys(tx: &Connection, username: &str) -> Result<()> {
    tx.execute("DELETE FROM device_key WHERE user_id IN (SELECT id FROM app_user WHERE username = ?1)", [username])?;
    Ok(())
}

fn revoke_user_tokens(tx: &Connection, username: &str, now_ms: i64) -> Result<()> {
    tx.execute(
        "UPDATE device_token SET revoked_at = ?2 WHERE revoked_at IS NULL AND user_id = (SELECT id FROM app_user WHERE username = ?1)",
        params![username, now_ms],
    )?;
    Ok(())
}

/// Persists a plan in the push's transaction.
fn write_plan(tx: &Connection, plan: &Plan, now_ms: i64) -> Result<()> {
    let mut save = tx.prepare_cached(
        "INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (kind, id) DO UPDATE SET fields = excluded.fields, clocks = excluded.clocks,
             beneficiary_id = excluded.beneficiary_id, village_code = excluded.village_code",
    )?;
    for r in &plan.records {
        let (fields, clocks) = r.json();
        save.execute(params![r.kind.table(), r.id, fields, r.state.created.encode(), clocks, r.beneficiary_id, r.village])?;
    }
    for m in &plan.moved {
        tx.prepare_cached("UPDATE record SET village_code = ?2 WHERE beneficiary_id = ?1")?
            .execute(params![m.beneficiary_id, m.village])?;
    }
    for c in &plan.conflicts {
        record_conflicts(tx, std::slice::from_ref(&c.conflict), now_ms)?;
    }
    for r in &plan.resolutions {
        tx.prepare_cached("UPDATE conflict SET resolved_by = ?2, resolved_at = ?3 WHERE id = ?1 AND resolved_at IS NULL")?
            .execute(params![r.conflict_id, r.resolved_by, now_ms])?;
    }
    let mut applied = tx.prepare_cached(
        "INSERT INTO applied_op (op_id, device_id, user_id, entity, entity_id, applied_at, content_hash, hlc, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for a in &plan.applied {
        applied.execute(params![a.op_id, a.device_id, a.user_id, a.entity.table(), a.entity_id, now_ms, a.hash, a.hlc, a.fields])?;
    }
    // SQLite has one writer at a time: rows become visible in sequence order.
    let mut feed = tx.prepare_cached(
        "INSERT OR REPLACE INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for e in feed_entries(plan, &mut Source(tx))? {
        feed.execute(params![e.kind, e.entity, e.entity_id, e.beneficiary_id, e.village, e.district(), e.body])?;
    }
    Ok(())
}

/// Column `i` of `row` as text, or None for NULL.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>> {
    row.get_ref(i)?.as_str_or_null().map_err(|e| ServerError::Internal(e.to_string()))
}

impl Storage for SqliteStorage {
    fn reference_cache(&self) -> &ReferenceCache {
        &self.reference
    }

    fn stored_reference_version(&self) -> Result<i64> {
        reference_version(&self.reader())
    }

    fn load_reference(&self) -> Result<ReferenceData> {
        let c = self.reader();
        Ok(ReferenceData {
            version: reference_version(&c)?,
            regions: Arc::new(reference::load_regions(&c)?),
            templates: Arc::new(reference::load_templates(&c)?),
        })
    }

    fn write_regions(&self, catalog: &RegionCatalog) -> Result<()> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        reference::replace_regions(&tx, catalog)?;
        bump_reference_version(&tx)?;
        Ok(tx.commit()?)
    }

    fn template_definition(&self, id: &str, version: u32) -> Result<Option<String>> {
        let c = self.reader();
        Ok(c.query_row("SELECT definition FROM checklist_template WHERE id = ?1 AND version = ?2", params![id, version], |r| r.get(0))
            .optional()?)
    }

    fn write_template(&self, t: &Template) -> Result<()> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        if reference::insert_template(&tx, t)? {
            bump_reference_version(&tx)?;
        }
        Ok(tx.commit()?)
    }

    fn find_user(&self, username: &str) -> Result<Option<(User, String, bool)>> {
        let c = self.reader();
        let mut stmt =
            c.prepare_cached(&format!("SELECT {USER_COLUMNS}, u.password_hash, u.disabled FROM app_user u WHERE u.username = ?1"))?;
        let mut rows = stmt.query([username])?;
        let Some(r) = rows.next()? else { return Ok(None) };
        Ok(Some((to_user(r)?, r.get(8)?, r.get::<_, i64>(9)? != 0)))
    }

    fn write_device_key(&self, device_id: &str, user_id: &str, keys: &PublicKeys, now_ms: i64) -> Result<()> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        tx.execute(
            "INSERT INTO device_key (device_id, user_id, sign_public, seal_public, registered_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (device_id, user_id) DO UPDATE SET sign_public = excluded.sign_public,
                                                   seal_public = excluded.seal_public, registered_at = excluded.registered_at",
            params![device_id, user_id, keys.sign, keys.seal, now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn read_device_key(&self, device_id: &str, user_id: &str) -> Result<Option<(User, bool, PublicKeys)>> {
        let c = self.reader();
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, u.disabled, k.sign_public, k.seal_public FROM device_key k JOIN app_user u ON u.id = k.user_id WHERE k.device_id = ?1 AND k.user_id = ?2"
        ))?;
        let mut rows = stmt.query([device_id, user_id])?;
        let Some(r) = rows.next()? else { return Ok(None) };
        Ok(Some((to_user(r)?, r.get::<_, i64>(8)? != 0, PublicKeys { sign: r.get(9)?, seal: r.get(10)? })))
    }

    fn meta_or_insert(&self, key: &str, value: &str) -> Result<String> {
        if let Some(v) = meta_get(&self.reader(), key)? {
            return Ok(v);
        }
        let w = lock(&self.writer);
        w.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING", params![key, value])?;
        Ok(w.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?)
    }

    fn device_revoked(&self, device_id: &str) -> Result<bool> {
        Ok(self.reader().prepare_cached("SELECT 1 FROM revoked_device WHERE device_id = ?1")?.exists([device_id])?)
    }

    fn insert_token(&self, token_hash: &str, user_id: &str, device_id: &str, created_at: i64, expires_at: i64) -> Result<()> {
        lock(&self.writer).execute(
            "INSERT INTO device_token (token_hash, user_id, device_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, user_id, device_id, created_at, expires_at],
        )?;
        Ok(())
    }

    fn find_token(&self, token_hash: &str) -> Result<Option<TokenRow>> {
        let c = self.reader();
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, t.device_id, t.expires_at, t.revoked_at, u.disabled,
                    EXISTS (SELECT 1 FROM revoked_device r WHERE r.device_id = t.device_id)
             FROM device_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ?1"
        ))?;
        let mut rows = stmt.query([token_hash])?;
        let Some(r) = rows.next()? else { return Ok(None) };
        Ok(Some(TokenRow {
            user: to_user(r)?,
            device_id: r.get(8)?,
            expires_at: r.get(9)?,
            revoked_at: r.get(10)?,
            disabled: r.get::<_, i64>(11)? != 0,
            device_revoked: r.get(12)?,
        }))
    }

    fn insert_user(&self, u: &UserRecord<'_>) -> Result<bool> {
        let n = lock(&self.writer).execute(
            "INSERT INTO app_user (id, username, display_name, role, password_hash, villages, districts, beneficiary_id, created_at, phone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (username) DO NOTHING",
            params![
                u.id,
                u.username,
                u.display_name,
                u.role,
                u.password_hash,
                u.villages,
                u.districts,
                u.beneficiary_id,
                u.created_at,
                u.phone
            ],
        )?;
        Ok(n == 1)
    }

    fn write_password(&self, username: &str, password_hash: &str, now_ms: i64) -> Result<bool> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        let n = tx.execute("UPDATE app_user SET password_hash = ?2 WHERE username = ?1", params![username, password_hash])?;
        revoke_user_tokens(&tx, username, now_ms)?;
        forget_user_keys(&tx, username)?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn write_disabled(&self, username: &str, disabled: bool, now_ms: i64) -> Result<bool> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        let n = tx.execute("UPDATE app_user SET disabled = ?2 WHERE username = ?1", params![username, i64::from(disabled)])?;
        if disabled {
            revoke_user_tokens(&tx, username, now_ms)?;
            forget_user_keys(&tx, username)?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    fn write_scope(&self, user_id: &str, villages: &str, districts: &str) -> Result<()> {
        lock(&self.writer).execute(
            "UPDATE app_user SET villages = ?2, districts = ?3, scope_version = scope_version + 1 WHERE id = ?1",
            params![user_id, villages, districts],
        )?;
        Ok(())
    }

    fn write_phone(&self, username: &str, phone: Option<&str>) -> Result<bool> {
        Ok(lock(&self.writer).execute("UPDATE app_user SET phone = ?2 WHERE username = ?1", params![username, phone])? == 1)
    }

    fn read_staff(&self) -> Result<Vec<Person>> {
        let c = self.reader();
        let mut stmt = c.prepare_cached(
            "SELECT id, display_name, role, phone, villages, districts FROM app_user WHERE disabled = 0 AND role <> 'worker' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (user_id, display_name, role, phone, villages, districts) = row?;
            Ok(Person {
                user_id,
                display_name,
                role: serde_json::from_value(serde_json::Value::String(role))?,
                phone,
                villages: serde_json::from_str(&villages)?,
                districts: serde_json::from_str(&districts)?,
            })
        })
        .collect()
    }

    fn read_records(&self, scope: &FeedScope, kinds: &[EntityKind]) -> Result<Vec<ScopedRecord>> {
        let (filter, mut args) = scope_filter(scope, "?");
        args.extend(kinds.iter().map(|k| k.table().to_string()));
        let sql = format!(
            "SELECT kind, id, beneficiary_id, village_code, fields, created, clocks FROM record WHERE {filter} AND kind IN ({}) ORDER BY kind, id",
            vec!["?"; kinds.len()].join(",")
        );
        let c = self.reader();
        let mut stmt = c.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(scoped_record(r)?);
        }
        Ok(out)
    }

    fn scan_records(
        &self,
        scope: &FeedScope,
        kinds: &[EntityKind],
        f: &mut dyn FnMut(EntityKind, &str, &str, &str) -> Result<()>,
    ) -> Result<()> {
        let (filter, mut args) = scope_filter(scope, "?");
        args.extend(kinds.iter().map(|k| k.table().to_string()));
        let sql =
            format!("SELECT kind, id, village_code, fields FROM record WHERE {filter} AND kind IN ({})", vec!["?"; kinds.len()].join(","));
        let c = self.reader();
        let mut stmt = c.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let text = |r: &rusqlite::Row<'_>, i: usize| -> Result<String> {
            Ok(r.get_ref(i)?.as_str().map_err(|e| ServerError::Internal(e.to_string()))?.to_string())
        };
        while let Some(r) = rows.next()? {
            let kind = kind_of(r.get_ref(0)?.as_str().map_err(|e| ServerError::Internal(e.to_string()))?)?;
            let (id, village) = (text(r, 1)?, text(r, 2)?);
            let fields = r.get_ref(3)?.as_str().map_err(|e| ServerError::Internal(e.to_string()))?;
            f(kind, &id, &village, fields)?;
        }
        Ok(())
    }

    fn read_record(&self, kind: EntityKind, id: &str) -> Result<Option<ScopedRecord>> {
        let c = self.reader();
        let mut stmt = c.prepare_cached(
            "SELECT kind, id, beneficiary_id, village_code, fields, created, clocks FROM record WHERE kind = ?1 AND id = ?2",
        )?;
        let mut rows = stmt.query(params![kind.table(), id])?;
        rows.next()?.map(scoped_record).transpose()
    }

    fn read_record_ops(&self, kind: EntityKind, id: &str) -> Result<Vec<AppliedOp>> {
        let c = self.reader();
        let mut stmt = c.prepare_cached(
            "SELECT op_id, device_id, user_id, applied_at, hlc, fields FROM applied_op WHERE entity = ?1 AND entity_id = ?2 ORDER BY applied_at, hlc",
        )?;
        let rows = stmt.query_map(params![kind.table(), id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (op_id, device_id, user_id, applied_at, hlc, fields) = row?;
            applied_op(op_id, device_id, user_id, applied_at, hlc, fields)
        })
        .collect()
    }

    fn read_devices(&self) -> Result<Vec<crate::storage::DeviceRow>> {
        let c = self.reader();
        let mut stmt = c.prepare(crate::storage::DEVICES_SQL)?;
        let rows = stmt.query_map([], |r| {
            Ok(crate::storage::DeviceRow {
                device_id: r.get(0)?,
                username: r.get(1)?,
                first_login: r.get(2)?,
                last_login: r.get(3)?,
                revoked: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn read_conflicts(&self, include_resolved: bool) -> Result<Vec<ConflictRecord>> {
        let c = self.reader();
        let filter = if include_resolved { "" } else { "WHERE resolved_at IS NULL" };
        let mut stmt = c.prepare(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict {filter} ORDER BY detected_at DESC, id LIMIT 1000"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(to_conflict(r)?);
        }
        Ok(out)
    }

    fn read_users(&self) -> Result<Vec<UserRow>> {
        let c = self.reader();
        let mut stmt =
            c.prepare(&format!("SELECT {USER_COLUMNS}, u.phone, u.disabled, u.created_at FROM app_user u ORDER BY u.username"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(UserRow { user: to_user(r)?, phone: r.get(8)?, disabled: r.get::<_, i64>(9)? != 0, created_at: r.get(10)? });
        }
        Ok(out)
    }

    fn beneficiary_village(&self, beneficiary_id: &str) -> Result<Option<String>> {
        Ok(self
            .reader()
            .prepare_cached("SELECT village_code FROM record WHERE kind = 'beneficiary' AND id = ?1")?
            .query_row([beneficiary_id], |r| r.get(0))
            .optional()?)
    }

    fn write_revocation(&self, device_id: &str, now_ms: i64) -> Result<u64> {
        let mut w = lock(&self.writer);
        let tx = w.transaction()?;
        tx.execute("INSERT OR IGNORE INTO revoked_device (device_id, revoked_at) VALUES (?1, ?2)", params![device_id, now_ms])?;
        let n =
            tx.execute("UPDATE device_token SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL", params![device_id, now_ms])?;
        tx.execute("DELETE FROM device_key WHERE device_id = ?1", [device_id])?;
        tx.commit()?;
        Ok(n as u64)
    }

    fn apply_batch(&self, session: &Session, ops: &[Operation], ctx: &Reference, now_ms: i64) -> Result<Vec<OpResult>> {
        let mut w = lock(&self.writer);
        let tx = w.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let plan = plan(session, ops, ctx, &mut Source(&tx))?;
        write_plan(&tx, &plan, now_ms)?;
        tx.commit()?;
        drop(w);
        self.checkpointer.nudge();
        Ok(plan.results)
    }

    fn read_feed(&self, scope: &FeedScope, after: i64, page: &mut FeedPage) -> Result<i64> {
        let (filter, args): (String, Vec<String>) = match scope {
            FeedScope::All => ("1".into(), vec![]),
            FeedScope::Villages(v) => (format!("c.village_code IN ({})", vec!["?"; v.len()].join(",")), v.clone()),
            FeedScope::Districts(d) => (format!("c.district IN ({})", vec!["?"; d.len()].join(",")), d.clone()),
            FeedScope::Beneficiary(b) => ("c.beneficiary_id = ?".into(), vec![b.clone()]),
        };
        let mut c = self.reader();
        // One read transaction: the page and the feed's end are the same snapshot.
        let tx = c.transaction()?;
        let sql = format!("{FEED_SELECT} WHERE c.seq > ? AND {filter} ORDER BY c.seq LIMIT ?");
        let fetch = page.limit() + 1;
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&after];
        values.extend(args.iter().map(|a| a as &dyn rusqlite::ToSql));
        values.push(&fetch);
        {
            let mut stmt = tx.prepare_cached(&sql)?;
            let mut rows = stmt.query(values.as_slice())?;
            while let Some(row) = rows.next()? {
                let feed_row = FeedRow {
                    seq: row.get(0)?,
                    kind: text(row, 1)?.unwrap_or_default(),
                    body: text(row, 2)?.unwrap_or_default(),
                    entity: text(row, 3)?.unwrap_or_default(),
                    entity_id: text(row, 4)?.unwrap_or_default(),
                    fields: text(row, 5)?,
                    created: text(row, 6)?,
                    clocks: text(row, 7)?,
                };
                if !page.push_row(feed_row)? {
                    break;
                }
            }
        }
        if page.has_more() {
            return Ok(0);
        }
        Ok(tx.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| r.get(0))?)
    }

    fn stats(&self) -> Result<Stats> {
        let c = self.reader();
        let count = |sql: &str| -> Result<u64> { Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(Stats {
            applied_ops: count("SELECT count(*) FROM applied_op")?,
            records: count("SELECT count(*) FROM record")?,
            conflicts: count("SELECT count(*) FROM conflict")?,
            feed_rows: count("SELECT count(*) FROM change_log")?,
        })
    }

    fn export(&self) -> Result<crate::storage::Export> {
        let c = self.reader();
        let mut export = crate::storage::Export::default();
        let mut stmt = c.prepare("SELECT kind, id, fields, created, clocks FROM record ORDER BY kind, id")?;
        let rows: Vec<(String, String, String, String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?.collect::<rusqlite::Result<_>>()?;
        for (kind, id, fields, created, clocks) in rows {
            export.records.push((kind_of(&kind)?, id, versioned(&fields, &created, &clocks)?));
        }
        let mut stmt = c.prepare(&format!("SELECT {CONFLICT_COLUMNS} FROM conflict ORDER BY id"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            export.conflicts.push(to_conflict(r)?);
        }
        Ok(export)
    }

    fn read_person(&self, beneficiary_id: &str) -> Result<Option<PersonFile>> {
        let c = self.reader();
        let tx = c.unchecked_transaction()?;
        let village: Option<String> = tx
            .prepare_cached("SELECT village_code FROM record WHERE kind = 'beneficiary' AND id = ?1")?
            .query_row([beneficiary_id], |r| r.get(0))
            .optional()?;
        let Some(village_code) = village else { return Ok(None) };
        let records = Source(&tx).file_records(beneficiary_id)?;
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflict WHERE (entity, entity_id) IN (SELECT kind, id FROM record WHERE beneficiary_id = ?1) ORDER BY id"
        ))?;
        let mut rows = stmt.query([beneficiary_id])?;
        let mut conflicts = Vec::new();
        while let Some(r) = rows.next()? {
            conflicts.push(to_conflict(r)?);
        }
        Ok(Some(PersonFile { village_code, records, conflicts }))
    }

    fn find_erasure(&self, beneficiary_id: &str) -> Result<Option<Erasure>> {
        let c = self.reader();
        let mut stmt =
            c.prepare_cached("SELECT beneficiary_id, village_code, erased_at, erased_by, reason FROM erasure WHERE beneficiary_id = ?1")?;
        Ok(stmt
            .query_row([beneficiary_id], |r| {
                Ok(Erasure {
                    beneficiary_id: r.get(0)?,
                    village_code: r.get(1)?,
                    erased_at: r.get(2)?,
                    erased_by: r.get(3)?,
                    reason: r.get(4)?,
                })
            })
            .optional()?)
    }

    fn write_erasure(&self, e: &Erasure, access: &AccessEntry) -> Result<u64> {
        let mut w = lock(&self.writer);
        // Deleted pages are overwritten, not only unlinked.
        w.pragma_update(None, "secure_delete", "ON")?;
        let result = (|| {
            let tx = w.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if tx.prepare_cached("SELECT 1 FROM erasure WHERE beneficiary_id = ?1")?.exists([&e.beneficiary_id])? {
                return Ok(0);
            }
            let id = &e.beneficiary_id;
            tx.execute("DELETE FROM conflict WHERE (entity, entity_id) IN (SELECT kind, id FROM record WHERE beneficiary_id = ?1)", [id])?;
            // The audit trail's copies of what the operations wrote go too; their ids stay, so a
            // phone resending one is acknowledged, not applied.
            tx.execute(
                "UPDATE applied_op SET fields = NULL WHERE fields IS NOT NULL AND (entity, entity_id) IN (SELECT kind, id FROM record WHERE beneficiary_id = ?1)",
                [id],
            )?;
            let n = tx.execute("DELETE FROM record WHERE beneficiary_id = ?1", [id])?;
            tx.execute("DELETE FROM change_log WHERE beneficiary_id = ?1", [id])?;
            tx.execute(
                "INSERT INTO erasure (beneficiary_id, village_code, erased_at, erased_by, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, e.village_code, e.erased_at, e.erased_by, e.reason],
            )?;
            insert_access(&tx, access)?;
            let f = crate::privacy::erase_feed_entry(e)?;
            tx.execute(
                "INSERT OR REPLACE INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![f.kind, f.entity, f.entity_id, f.beneficiary_id, f.village, f.district(), f.body],
            )?;
            // A worker account of the person: its phones hold nothing but this file, so they are
            // revoked (each wipes itself at its next contact); the account is disabled and no
            // longer names the person.
            tx.execute(
                "INSERT OR IGNORE INTO revoked_device (device_id, revoked_at)
                 SELECT DISTINCT t.device_id, ?2 FROM device_token t JOIN app_user u ON u.id = t.user_id WHERE u.beneficiary_id = ?1",
                params![id, e.erased_at],
            )?;
            let workers: Vec<String> = tx
                .prepare("SELECT username FROM app_user WHERE beneficiary_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for username in workers {
                revoke_user_tokens(&tx, &username, e.erased_at)?;
            }
            tx.execute("UPDATE app_user SET beneficiary_id = NULL, disabled = 1 WHERE beneficiary_id = ?1", [id])?;
            tx.commit()?;
            Ok(n as u64)
        })();
        w.pragma_update(None, "secure_delete", "OFF")?;
        if result.is_ok() {
            // The WAL still holds the file's old pages: fold it in and cut it to nothing (best
            // effort: a long read may keep it until the next checkpoint). A checkpoint the
            // checkpointer thread is running makes this one busy at once: wait for it, a while.
            for _ in 0..100 {
                let busy: i64 = w.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
                if busy == 0 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        result
    }

    fn insert_access(&self, entry: &AccessEntry) -> Result<()> {
        insert_access(&lock(&self.writer), entry)
    }

    fn read_access(&self, beneficiary_id: &str) -> Result<Vec<AccessEntry>> {
        let c = self.reader();
        let mut stmt = c.prepare_cached(
            "SELECT beneficiary_id, user_id, username, device_id, action, at FROM file_access WHERE beneficiary_id = ?1 ORDER BY id",
        )?;
        let rows: Vec<(String, String, String, String, String, i64)> = stmt
            .query_map([beneficiary_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(beneficiary_id, user_id, username, device_id, action, at)| {
                let action = Access::parse(&action).ok_or_else(|| ServerError::Internal(format!("bad access action {action}")))?;
                Ok(AccessEntry { beneficiary_id, user_id, username, device_id, action, at })
            })
            .collect()
    }
}

fn insert_access(c: &Connection, a: &AccessEntry) -> Result<()> {
    c.prepare_cached("INSERT INTO file_access (beneficiary_id, user_id, username, device_id, action, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![a.beneficiary_id, a.user_id, a.username, a.device_id, a.action.as_str(), a.at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use desmig_core::merge::Versioned;
    use serde_json::json;

    fn schema_of(c: &Connection) -> Vec<(String, String, Option<String>)> {
        let mut stmt = c.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn a_feed_written_before_the_feed_kept_one_copy_is_served_the_same_after_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.db");
        let clock = Hlc { millis: 1_750_000_000_000, counter: 3, node: "dev".into() };
        let (fields, clocks) = (r#"{"beneficiary_id":"b1","status":"completed"}"#, r#"{"status":{"hlc":"x"}}"#);
        let old_body = crate::storage::record_change_json(EntityKind::Visit, "v1", fields, &clock, clocks).unwrap();
        let evict = crate::storage::evict_change_json("b2").unwrap();
        {
            // The version before: a record's feed row held the record's change as its body.
            let mut c = Connection::open(&old).unwrap();
            schema::configure(&c).unwrap();
            schema::migrate_list(&mut c, MIGRATIONS, MIGRATIONS.len() as i64 - 1).unwrap();
            c.execute(
                "INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code) VALUES ('visit', 'v1', ?1, ?2, ?3, 'b1', '32.12.01.2007')",
                params![fields, clock.encode(), clocks],
            )
            .unwrap();
            let feed = "INSERT INTO change_log (kind, entity, entity_id, beneficiary_id, village_code, district, body) VALUES (?1, ?2, ?3, ?4, '32.12.01.2007', '32.12', ?5)";
            c.execute(feed, params!["record", "visit", "v1", "b1", old_body]).unwrap();
            c.execute(feed, params!["evict", "beneficiary", "b2@32.12.01.2007", "b2", evict]).unwrap();
        }
        let upgraded = SqliteStorage::open(&old).unwrap();
        let bodies: Vec<(String, String)> = {
            let c = upgraded.reader();
            let mut stmt = c.prepare("SELECT kind, body FROM change_log ORDER BY seq").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(bodies, [("record".to_string(), String::new()), ("evict".to_string(), evict.clone())], "no second copy is kept");
        let mut page = FeedPage::new(0, 10);
        upgraded.read_feed(&FeedScope::All, 0, &mut page).unwrap();
        assert_eq!(page.changes_json(), format!("{old_body},{evict}"), "the feed reads the record from its table, unchanged");
    }

    #[test]
    fn an_upgraded_database_equals_a_fresh_one_and_keeps_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.db");
        {
            // A store as the previous version left it: per-kind record tables.
            let mut c = Connection::open(&old).unwrap();
            schema::configure(&c).unwrap();
            schema::migrate_list(&mut c, MIGRATIONS, 2).unwrap();
            let clock = Hlc { millis: 1_750_000_000_000, counter: 0, node: "dev".into() };
            let fields = |v: serde_json::Value| v.as_object().cloned().unwrap();
            let b = Versioned {
                fields: fields(json!({"full_name": "Siti", "village_code": "32.12.01.2007", "nik": "3212015708900001"})),
                created: clock.clone(),
                clocks: Default::default(),
            };
            desmig_core::records::save_versioned(&c, EntityKind::Beneficiary, "b1", &b).unwrap();
            let v = Versioned {
                fields: fields(json!({"beneficiary_id": "b1", "status": "completed"})),
                created: clock,
                clocks: Default::default(),
            };
            desmig_core::records::save_versioned(&c, EntityKind::Visit, "v1", &v).unwrap();
            c.execute("INSERT INTO applied_op VALUES ('op1', 'dev', 'u1', 'visit', 'v1', 1)", []).unwrap();
        }
        let upgraded = SqliteStorage::open(&old).unwrap();
        let fresh = SqliteStorage::open(&dir.path().join("fresh.db")).unwrap();
        assert_eq!(schema_of(&upgraded.reader()), schema_of(&fresh.reader()));
        let version = |s: &SqliteStorage| schema::version(&s.reader()).unwrap();
        assert_eq!(version(&upgraded), version(&fresh));

        let export = upgraded.export().unwrap();
        let ids: Vec<(EntityKind, &str)> = export.records.iter().map(|(k, id, _)| (*k, id.as_str())).collect();
        assert_eq!(ids, [(EntityKind::Beneficiary, "b1"), (EntityKind::Visit, "v1")]);
        assert_eq!(export.records[0].2.fields["full_name"], json!("Siti"));
        assert!(!export.records[0].2.fields.contains_key("id"));
        let c = upgraded.reader();
        let village: String = c.query_row("SELECT village_code FROM record WHERE kind = 'visit' AND id = 'v1'", [], |r| r.get(0)).unwrap();
        assert_eq!(village, "32.12.01.2007", "a child record carries its file's village");
        drop(c);
        let mut source = Source(&upgraded.writer.lock().unwrap());
        let holders = source.nik_holders(&["3212015708900001".to_string()]).unwrap();
        assert_eq!(holders.get("3212015708900001").map(String::as_str), Some("b1"));
        let known = source.known_ops(&["op1".to_string()]).unwrap();
        assert_eq!(known.get("op1"), Some(&None), "an operation applied before keeps its id, without a hash");
    }
}
