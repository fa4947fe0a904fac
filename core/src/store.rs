//! [`FieldStore`], the handle an app holds: one SQLite file opened for one device. One writer
//! connection (behind a mutex) and one reader, in WAL mode, so reads never wait for a sync.
//! Every change goes through [`Batch::put`], which writes the record and its outbox operation in
//! one transaction.

use crate::checklist::Template;
use crate::cipher::{self, DbKey};
use crate::date::{now_unix_ms, Date};
use crate::error::{Error, Result};
use crate::hlc::{Clock, Hlc};
use crate::merge::{FieldChange, Operation, Versioned};
use crate::model::*;
use crate::outbox;
use crate::records::{self, load_versioned, save_versioned, Incoming, StoreLookup};
use crate::reference::{self, TemplateMap};
use crate::region::RegionCatalog;
use crate::schema;
use crate::scope::Identity;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

pub struct FieldStore {
    path: PathBuf,
    device_id: String,
    // The reader is declared (so dropped) first: the writer, closing last, checkpoints the WAL.
    reader: Mutex<Connection>,
    writer: Mutex<Writer>,
    regions: RwLock<Arc<RegionCatalog>>,
    templates: RwLock<Arc<TemplateMap>>,
    identity: RwLock<Option<Identity>>,
    /// Tests and the benchmark pin "today"; the apps use the real date.
    today_override: RwLock<Option<Date>>,
    /// The server's clock minus this device's, learned at every exchange with the server: the
    /// device stamps its changes with its own clock corrected by it.
    clock_offset_ms: AtomicI64,
    /// The phone's time zone, minutes east of UTC: "today" is the local date (WIB is +420).
    utc_offset_minutes: AtomicI64,
    /// Tests only: how wrong this device's own clock is.
    clock_skew_ms: AtomicI64,
}

struct Writer {
    conn: Connection,
    clock: Clock,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock rolled its transaction back; the connection is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
        .execute(params![key, value])?;
    Ok(())
}

impl FieldStore {
    /// Opens (creating or upgrading) a plain, unencrypted store at `path`: for tools and tests.
    /// The apps open theirs with [`FieldStore::open_encrypted`].
    pub fn open(path: impl AsRef<Path>) -> Result<FieldStore> {
        FieldStore::open_with(path.as_ref(), None)
    }

    /// Opens (creating or upgrading) the store at `path`, encrypted with `key`. A plain store is
    /// encrypted once, keeping every record; a key that does not open the store is
    /// [`Error::StoreKey`] and changes nothing.
    pub fn open_encrypted(path: impl AsRef<Path>, key: &DbKey) -> Result<FieldStore> {
        FieldStore::open_with(path.as_ref(), Some(key))
    }

    /// The first open gives the device its id.
    fn open_with(path: &Path, key: Option<&DbKey>) -> Result<FieldStore> {
        let path = path.to_path_buf();
        let mut conn = cipher::open(&path, key, OpenFlags::default())?;
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let tx = conn.transaction()?;
        let device_id = match meta_get(&tx, "device_id")? {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::now_v7().simple().to_string();
                meta_set(&tx, "device_id", &id)?;
                id
            }
        };
        let regions = reference::load_regions(&tx)?;
        let templates = reference::load_templates(&tx)?;
        let identity = meta_get(&tx, "identity")?.map(|j| serde_json::from_str::<Identity>(&j)).transpose()?;
        let last = meta_get(&tx, "hlc")?.and_then(|h| Hlc::parse(&h));
        let offset = meta_get(&tx, "clock_offset_ms")?.and_then(|o| o.parse().ok()).unwrap_or(0);
        let zone = meta_get(&tx, "utc_offset_minutes")?.and_then(|o| o.parse().ok()).unwrap_or(0);
        tx.commit()?;
        let reader = cipher::open_another(&path, key, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        reader.pragma_update(None, "busy_timeout", 5000)?;
        Ok(FieldStore {
            path,
            writer: Mutex::new(Writer { conn, clock: Clock::new(&device_id, last) }),
            device_id,
            reader: Mutex::new(reader),
            regions: RwLock::new(Arc::new(regions)),
            templates: RwLock::new(Arc::new(templates)),
            identity: RwLock::new(identity),
            today_override: RwLock::new(None),
            clock_offset_ms: AtomicI64::new(offset),
            utc_offset_minutes: AtomicI64::new(zone),
            clock_skew_ms: AtomicI64::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Records who is signed in on this device (from login). Reads and writes are scoped to them.
    pub fn set_identity(&self, identity: Option<Identity>) -> Result<()> {
        let w = lock(&self.writer);
        if self.identity().as_ref() != identity.as_ref() {
            // Another user or scope: the change feed starts over for them.
            // The team list goes with the scope; the next pull brings the new one.
            // So do the regions: the server sends only those the scope needs.
            w.conn.execute("DELETE FROM meta WHERE key IN ('pull_cursor', 'team', 'team_tag', 'reference_version')", [])?;
        }
        match &identity {
            Some(i) => meta_set(&w.conn, "identity", &serde_json::to_string(i)?)?,
            None => {
                w.conn.execute("DELETE FROM meta WHERE key = 'identity'", [])?;
            }
        }
        *self.identity.write().unwrap_or_else(|e| e.into_inner()) = identity;
        Ok(())
    }

    pub fn identity(&self) -> Option<Identity> {
        self.identity.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn require_identity(&self) -> Result<Identity> {
        self.identity().ok_or_else(|| Error::not_allowed("signed_out", "nobody is signed in on this device"))
    }

    pub fn set_today(&self, today: Option<Date>) {
        *self.today_override.write().unwrap_or_else(|e| e.into_inner()) = today;
    }

    /// Today in the phone's time zone ([`FieldStore::set_utc_offset_minutes`]) on its clock
    /// corrected by the server's, or the pinned day in tests.
    pub fn today(&self) -> Date {
        let pinned = *self.today_override.read().unwrap_or_else(|e| e.into_inner());
        pinned.unwrap_or_else(|| Date::from_unix_ms(self.now_ms() + self.utc_offset_minutes.load(Ordering::Relaxed) * 60_000))
    }

    /// The phone's time zone, in minutes east of UTC (WIB 420, WITA 480, WIT 540), from the
    /// platform's zone at start and whenever it changes: dates the phone records and shows
    /// ("today", the month, what is overdue) are local ones.
    pub fn set_utc_offset_minutes(&self, minutes: i32) -> Result<()> {
        if !(-720..=840).contains(&minutes) {
            return Err(Error::field("utc_offset_minutes", "out_of_range", "a time zone is UTC-12:00 to UTC+14:00"));
        }
        let w = lock(&self.writer);
        meta_set(&w.conn, "utc_offset_minutes", &minutes.to_string())?;
        self.utc_offset_minutes.store(i64::from(minutes), Ordering::Relaxed);
        Ok(())
    }

    /// "Now" in Unix ms: this device's clock corrected by the server's time, or noon of the
    /// pinned day in tests.
    pub(crate) fn now_ms(&self) -> i64 {
        match *self.today_override.read().unwrap_or_else(|e| e.into_inner()) {
            Some(d) => d.start_unix_ms() + 12 * 3600 * 1000,
            None => self.device_clock_ms() + self.clock_offset_ms.load(Ordering::Relaxed),
        }
    }

    /// This device's own clock, as wrong as it is.
    pub(crate) fn device_clock_ms(&self) -> i64 {
        now_unix_ms() + self.clock_skew_ms.load(Ordering::Relaxed)
    }

    /// Tests: makes this device's own clock wrong by `skew_ms` (a phone set a year ahead).
    pub fn set_device_clock_skew(&self, skew_ms: i64) {
        self.clock_skew_ms.store(skew_ms, Ordering::Relaxed);
    }

    /// How far this device's clock is from the server's (server minus device), as last learned.
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Learns the server's clock from one exchange: the server said `server_ms` while this
    /// device's own clock went from `sent_ms` to `received_ms`. Kept across restarts.
    pub(crate) fn observe_server_time(&self, server_ms: i64, sent_ms: i64, received_ms: i64) -> Result<()> {
        let offset = server_ms - (sent_ms + received_ms) / 2;
        let before = self.clock_offset_ms.load(Ordering::Relaxed);
        // A slow exchange (a long upload on 2G) says when the server answered, not when it was
        // asked: its midpoint can be seconds off. It is taken only when the clocks moved a lot.
        if received_ms - sent_ms > 10_000 && (offset - before).abs() < 60_000 {
            return Ok(());
        }
        self.clock_offset_ms.store(offset, Ordering::Relaxed);
        // A second either way is network jitter; only a real change is written down.
        if (offset - before).abs() > 1000 {
            let w = lock(&self.writer);
            meta_set(&w.conn, "clock_offset_ms", &offset.to_string())?;
        }
        Ok(())
    }

    /// Restamps what this device wrote while its clock ran ahead of the server's (see
    /// [`heal_clock`]); returns how many operations were restamped, and how many of those the
    /// server had refused.
    pub(crate) fn heal_clock(&self) -> Result<Healed> {
        let now = self.now_ms().max(0) as u64;
        let user = self.require_identity()?.user_id;
        self.with_writer(|tx, clock| heal_clock(tx, clock, now, &user))
    }

    pub fn regions(&self) -> Arc<RegionCatalog> {
        self.regions.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn reference(&self) -> Reference {
        Reference {
            today: self.today(),
            now_ms: self.now_ms(),
            clock_bound_ms: crate::hlc::MAX_DRIFT_MS,
            regions: self.regions(),
            templates: self.templates.read().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }

    /// The newest version of each checklist template on this device.
    pub fn templates(&self) -> Vec<Arc<Template>> {
        let all = self.templates.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut newest: BTreeMap<&str, &Arc<Template>> = BTreeMap::new();
        for ((id, _), t) in all.iter() {
            if newest.get(id.as_str()).is_none_or(|n| n.version < t.version) {
                newest.insert(id, t);
            }
        }
        newest.into_values().cloned().collect()
    }

    pub fn template(&self, id: &str, version: Option<u32>) -> Result<Arc<Template>> {
        let found = match version {
            Some(v) => self.reference().template(id, v),
            None => self.templates().into_iter().find(|t| t.id == id),
        };
        found.ok_or_else(|| Error::not_found("checklist_template", id))
    }

    /// Stores a template version (downloaded from the server); an existing version is kept as is.
    pub fn add_template(&self, definition_json: &str) -> Result<Arc<Template>> {
        let t = Arc::new(Template::from_json(definition_json)?);
        let w = lock(&self.writer);
        reference::insert_template(&w.conn, &t)?;
        let mut map = (**self.templates.read().unwrap_or_else(|e| e.into_inner())).clone();
        map.entry((t.id.clone(), t.version)).or_insert_with(|| t.clone());
        *self.templates.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(map);
        Ok(t)
    }

    /// Stores newer reference data from the server: templates added, regions replaced.
    pub(crate) fn apply_reference(&self, templates: &[Template], regions: Option<RegionCatalog>, version: i64) -> Result<()> {
        {
            let mut w = lock(&self.writer);
            let tx = w.conn.transaction()?;
            for t in templates {
                reference::insert_template(&tx, t)?;
            }
            if let Some(r) = &regions {
                reference::replace_regions(&tx, r)?;
            }
            meta_set(&tx, "reference_version", &version.to_string())?;
            tx.commit()?;
        }
        let mut map = (**self.templates.read().unwrap_or_else(|e| e.into_inner())).clone();
        for t in templates {
            map.entry((t.id.clone(), t.version)).or_insert_with(|| Arc::new(t.clone()));
        }
        *self.templates.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(map);
        if let Some(r) = regions {
            *self.regions.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(r);
        }
        Ok(())
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| meta_get(c, key))
    }

    /// Runs `f` on the reader connection (a consistent snapshot per statement, never blocked by
    /// the writer).
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let conn = lock(&self.reader);
        f(&conn)
    }

    /// Runs `f` in one write transaction as the signed-in user; every record `f` puts gets its
    /// outbox operation in the same transaction, and nothing is kept if `f` fails.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Batch<'_>) -> Result<R>) -> Result<R> {
        let identity = self.require_identity()?;
        let reference = self.reference();
        let now_ms = self.now_ms();
        self.with_writer(|tx, clock| {
            // Only a clock that ran ahead is healed here (a comparison, no query, on every write);
            // operations the server refused for their clock are healed by the sync.
            let now = now_ms.max(0) as u64;
            if clock.last().millis > now.saturating_add(crate::hlc::MAX_DRIFT_MS) {
                heal_clock(tx, clock, now, &identity.user_id)?;
            }
            let mut batch = Batch { tx, ctx: &reference, clock, identity: &identity, device_id: &self.device_id, now_ms };
            f(&mut batch)
        })
    }

    /// Runs `f` in one write transaction with the raw connection and the device's clock. The
    /// clock advances only if the transaction commits.
    pub(crate) fn with_writer<R>(&self, f: impl FnOnce(&Transaction<'_>, &mut Clock) -> Result<R>) -> Result<R> {
        let mut guard = lock(&self.writer);
        let Writer { conn, clock } = &mut *guard;
        let mut working_clock = clock.clone();
        let tx = conn.transaction()?;
        let out = f(&tx, &mut working_clock)?;
        meta_set(&tx, "hlc", &working_clock.last().encode())?;
        tx.commit()?;
        *clock = working_clock;
        Ok(out)
    }

    /// Erases everything this device holds about people — every record, the search index, the
    /// outbox (changes not yet sent are lost with it), conflicts, the signed-in identity and the
    /// feed's cursor — and overwrites the freed space, so that the file keeps no trace of them.
    /// The device keeps its id, its clock and the reference data. Run when the server says the
    /// device was revoked (a lost phone).
    pub fn wipe(&self) -> Result<()> {
        {
            let mut w = lock(&self.writer);
            w.conn.pragma_update(None, "secure_delete", "ON")?;
            let tx = w.conn.transaction()?;
            for kind in EntityKind::ALL {
                tx.execute(&format!("DELETE FROM {}", kind.table()), [])?;
            }
            // The search index's own segments would keep the names until merged.
            tx.execute("INSERT INTO beneficiary_search (beneficiary_search) VALUES ('delete-all')", [])?;
            tx.execute("DELETE FROM outbox", [])?;
            tx.execute("DELETE FROM conflict", [])?;
            tx.execute("DELETE FROM bundle", [])?;
            tx.execute(
                "DELETE FROM meta WHERE key IN ('identity', 'pull_cursor', 'team', 'team_tag', 'device_sign_seed', 'device_seal_seed', 'keys_user')",
                [],
            )?;
            tx.commit()?;
            w.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        }
        *self.identity.write().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    pub fn outbox_counts(&self) -> Result<outbox::OutboxCounts> {
        self.read(outbox::counts)
    }

    /// Operations not yet acknowledged by the server, oldest first.
    pub fn pending_operations(&self, limit: u32) -> Result<Vec<outbox::OutboxEntry>> {
        self.read(|c| outbox::pending(c, i64::from(limit)))
    }

    pub fn rejected_operations(&self) -> Result<Vec<outbox::OutboxEntry>> {
        self.read(outbox::rejected)
    }

    /// `PRAGMA integrity_check` and the outbox invariant: every pending operation's record
    /// exists. Returns the problems found (empty when healthy).
    pub fn check_integrity(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut problems = Vec::new();
            let ic: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if ic != "ok" {
                problems.push(format!("integrity_check: {ic}"));
            }
            for kind in EntityKind::ALL {
                let orphans: i64 = c.query_row(
                    &format!(
                        "SELECT count(*) FROM outbox o WHERE o.entity = ?1 AND NOT EXISTS (SELECT 1 FROM {} r WHERE r.id = o.entity_id)",
                        kind.table()
                    ),
                    [kind.table()],
                    |r| r.get(0),
                )?;
                if orphans > 0 {
                    problems.push(format!("{orphans} outbox operations on missing {} records", kind.table()));
                }
            }
            Ok(problems)
        })
    }
}

/// One write transaction in progress, as one user on one device.
pub struct Batch<'a> {
    pub(crate) tx: &'a Transaction<'a>,
    pub(crate) ctx: &'a Reference,
    clock: &'a mut Clock,
    pub(crate) identity: &'a Identity,
    device_id: &'a str,
    pub(crate) now_ms: i64,
}

impl Batch<'_> {
    pub(crate) fn conn(&self) -> &Connection {
        self.tx
    }

    /// Writes `record` (new or changed): validates it, checks the user may, turns the difference
    /// from the stored version into one operation, applies it through the merge path and appends
    /// it to the outbox. An unchanged record writes nothing.
    pub(crate) fn put<T: Entity>(&mut self, record: T) -> Result<T> {
        self.put_noted(record, None)
    }

    /// [`Batch::put`], with a note for the status history when the record's status changes.
    pub(crate) fn put_noted<T: Entity>(&mut self, mut record: T, note: Option<String>) -> Result<T> {
        // Normalise first (trimmed names, canonical NIK and phone), so that the operation carries
        // only what really changed; the rules below validate the result again.
        let valid = record.validate(self.ctx);
        let current = load_versioned(self.tx, T::KIND, record.id())?;
        let fields = to_fields(&record)?;
        let changes: BTreeMap<String, FieldChange> = fields
            .into_iter()
            .filter(|(k, v)| current.as_ref().is_none_or(|c| c.fields.get(k) != Some(v)))
            .map(|(k, v)| {
                let base = current.as_ref().map(|c| c.clock_of(&k).hlc);
                (k, FieldChange { value: v, base })
            })
            .collect();
        let unchanged = changes.is_empty();
        let old: Option<T> = current.as_ref().map(|c| from_fields(record.id(), &c.fields)).transpose()?;
        // An unchanged record writes nothing, but is refused as a change would be.
        let decided = self.decide_op(T::KIND, record.id(), current.as_ref(), changes, Vec::new());
        // A refusal for who or what state wins; otherwise the problems with the values as the
        // user entered them (normalising may have dropped a wrong answer). On any error the
        // caller's transaction rolls back what was written.
        let decision = match (decided, valid) {
            (Err(e), _) if !matches!(e, Error::Validation(_)) => return Err(e),
            (_, Err(e)) | (Err(e), Ok(())) => return Err(e),
            (Ok(d), Ok(())) => d,
        };
        if unchanged || !decision.changed {
            return Ok(record);
        }
        if let Some((subject, from, to)) = record.stage_event(old.as_ref()) {
            self.history(subject, record.id(), record.beneficiary_id(), from, to, note)?;
        }
        Ok(record)
    }

    /// Makes one operation of `fields`, decides it through the write rules and the merge (the
    /// same [`records::decide`] the server runs on it), stores the result and queues the
    /// operation in the outbox. Nothing is written when a rule refuses it.
    fn decide_op(
        &mut self,
        entity: EntityKind,
        entity_id: &str,
        current: Option<&Versioned>,
        fields: BTreeMap<String, FieldChange>,
        resolves: Vec<String>,
    ) -> Result<records::Decision> {
        let now = self.now_ms.max(0) as u64;
        // The operation orders after every value it replaces.
        for base in fields.values().filter_map(|c| c.base.as_ref()) {
            self.clock.observe(base, now);
        }
        let op = Operation {
            op_id: uuid::Uuid::now_v7().to_string(),
            device_id: self.device_id.to_string(),
            user_id: self.identity.user_id.clone(),
            entity,
            entity_id: entity_id.to_string(),
            hlc: self.clock.tick(now),
            fields,
            resolves,
        };
        let decision = records::decide(entity, entity_id, current, Incoming::Op(&op, self.identity), self.ctx, &mut StoreLookup(self.tx))?;
        if op.fields.is_empty() {
            return Ok(decision);
        }
        if decision.changed {
            save_versioned(self.tx, entity, entity_id, &decision.state)?;
        }
        outbox::append(self.tx, &op, self.now_ms)?;
        Ok(decision)
    }

    /// Writes a prepared set of field changes as one operation (a conflict resolution), through
    /// the same rules, merge and outbox as every other change.
    pub(crate) fn put_fields(
        &mut self,
        entity: EntityKind,
        entity_id: &str,
        fields: BTreeMap<String, FieldChange>,
        resolves: Vec<String>,
    ) -> Result<()> {
        let current = load_versioned(self.tx, entity, entity_id)?;
        self.decide_op(entity, entity_id, current.as_ref(), fields, resolves)?;
        Ok(())
    }

    /// Appends a status-history entry.
    pub(crate) fn history(
        &mut self,
        subject: StageSubject,
        subject_id: &str,
        beneficiary_id: &str,
        from: Option<String>,
        to: String,
        note: Option<String>,
    ) -> Result<()> {
        let change = StageChange {
            id: new_id(),
            beneficiary_id: beneficiary_id.to_string(),
            subject,
            subject_id: subject_id.to_string(),
            from,
            to,
            at: self.now_ms,
            by: self.identity.user_id.clone(),
            note,
        };
        self.put(change)?;
        Ok(())
    }

    pub(crate) fn get<T: Entity>(&self, id: &str) -> Result<T> {
        records::load::<T>(self.tx, id)?.ok_or_else(|| Error::not_found(T::KIND.table(), id))
    }
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// How a device heals a clock that ran ahead (its own clock was set wrong): when its last stamp
/// is further ahead of `now` (the clock corrected by the server's time) than the server accepts,
/// or the server refused operations as `clock_ahead`, the clock is set back to `now` and the
/// signed-in user's operations in the outbox are stamped again, in order, from the first such
/// operation on (so that later edits still order after earlier ones), with their records'
/// clocks. A restamped operation is another change: it gets a new id.
pub(crate) fn heal_clock(tx: &Transaction<'_>, clock: &mut Clock, now: u64, user_id: &str) -> Result<Healed> {
    let limit = now.saturating_add(crate::hlc::MAX_DRIFT_MS);
    let ran_ahead = clock.last().millis > limit;
    let refused = tx.prepare_cached("SELECT 1 FROM outbox WHERE state = 'rejected' AND reject_code = 'clock_ahead'")?.exists([])?;
    if !ran_ahead && !refused {
        return Ok(Healed::default());
    }
    if ran_ahead {
        clock.reset(now);
    }
    let mut renamed: HashMap<Hlc, Hlc> = HashMap::new();
    let mut healed = Healed::default();
    let mut restamping = false;
    for mut entry in outbox::all(tx)? {
        if entry.op.user_id != user_id {
            continue;
        }
        let refused_here = entry.reject_code.as_deref() == Some("clock_ahead");
        restamping |= entry.op.hlc.millis > limit || refused_here;
        // Rejected for another reason: it stays as it is, for the user to see.
        if !restamping || (entry.reject_code.is_some() && !refused_here) {
            continue;
        }
        let old = entry.op.hlc.clone();
        for base in entry.op.fields.values().filter_map(|c| c.base.as_ref()).filter(|b| !renamed.contains_key(*b)) {
            clock.observe(base, now);
        }
        let new = clock.tick(now);
        // Moments the record states were read from the same wrong clock: they move back by as
        // much as the stamp does.
        let shift = old.millis.saturating_sub(new.millis) as i64;
        let mut moments = Vec::new();
        for (field, change) in entry.op.fields.iter_mut() {
            if let Some(b) = change.base.as_ref().and_then(|b| renamed.get(b)) {
                change.base = Some(b.clone());
            }
            if let Some(ms) = change.value.as_i64().filter(|ms| *ms > limit as i64 && crate::rules::MOMENT_FIELDS.contains(&field.as_str()))
            {
                change.value = serde_json::Value::from(ms - shift);
                moments.push((field.clone(), ms, ms - shift));
            }
        }
        if let Some(mut state) = load_versioned(tx, entry.op.entity, &entry.op.entity_id)? {
            if state.created == old {
                // A record's creation clock never changes otherwise (`save_versioned` keeps it).
                tx.execute(
                    &format!("UPDATE {} SET created = ?2 WHERE id = ?1", entry.op.entity.table()),
                    params![entry.op.entity_id, new.encode()],
                )?;
                state.created = new.clone();
            }
            for (field, change) in &entry.op.fields {
                if let Some(c) = state.clocks.get_mut(field).filter(|c| c.hlc == old) {
                    c.hlc = new.clone();
                    c.base = change.base.clone();
                }
            }
            for (field, was, now_value) in &moments {
                if state.fields.get(field).and_then(|v| v.as_i64()) == Some(*was) {
                    state.fields.insert(field.clone(), serde_json::Value::from(*now_value));
                }
            }
            save_versioned(tx, entry.op.entity, &entry.op.entity_id, &state)?;
        }
        entry.op.hlc = new.clone();
        entry.op.op_id = uuid::Uuid::now_v7().to_string();
        outbox::replace(tx, entry.seq, &entry.op)?;
        renamed.insert(old, new);
        healed.restamped += 1;
        healed.were_refused += u64::from(refused_here);
    }
    Ok(healed)
}

/// What healing the clock did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Healed {
    pub restamped: u64,
    pub were_refused: u64,
}
