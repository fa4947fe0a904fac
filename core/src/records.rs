//! Generic record storage: load and save any [`Entity`] in its table, and [`apply_op`], the one
//! path by which an operation (local or pulled) reaches the store through [`merge`].

use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::merge::{merge, merge_state, Conflict, FieldClock, Operation, Versioned};
use crate::model::*;
use crate::rules::{self, FileInfo, Lookup};
use crate::scope::Identity;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn sql_load(kind: EntityKind) -> String {
    format!("SELECT doc, created, clocks FROM {} WHERE id = ?1", kind.table())
}

pub fn load_versioned(conn: &Connection, kind: EntityKind, id: &str) -> Result<Option<Versioned>> {
    let row = conn
        .prepare_cached(&sql_load(kind))?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .optional()?;
    let Some((doc, created, clocks)) = row else { return Ok(None) };
    let mut fields: Map<String, Value> = serde_json::from_str(&doc)?;
    fields.remove("id");
    let created = Hlc::parse(&created).ok_or_else(|| Error::Corrupt(format!("bad clock on {} {id}", kind.table())))?;
    let clocks: BTreeMap<String, FieldClock> = serde_json::from_str(&clocks)?;
    Ok(Some(Versioned { fields, created, clocks }))
}

pub fn load<T: Entity>(conn: &Connection, id: &str) -> Result<Option<T>> {
    let doc: Option<String> =
        conn.prepare_cached(&format!("SELECT doc FROM {} WHERE id = ?1", T::KIND.table()))?.query_row([id], |r| r.get(0)).optional()?;
    doc.map(|d| serde_json::from_str(&d).map_err(Error::from)).transpose()
}

/// Records of one kind matching `where_sql` (on the table's columns), in `order_sql` order.
pub fn load_where<T: Entity>(conn: &Connection, where_sql: &str, order_sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<T>> {
    let sql = format!("SELECT doc FROM {} WHERE {where_sql} ORDER BY {order_sql}", T::KIND.table());
    let mut stmt = conn.prepare_cached(&sql)?;
    let docs = stmt.query_map(args, |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    docs.iter().map(|d| serde_json::from_str(d).map_err(Error::from)).collect()
}

pub fn save_versioned(conn: &Connection, kind: EntityKind, id: &str, v: &Versioned) -> Result<()> {
    // The stored document is the fields with the id in front: spliced, not rebuilt.
    let fields = serde_json::to_string(&v.fields)?;
    let id_json = serde_json::to_string(id)?;
    let doc = match fields.strip_prefix('{').filter(|rest| *rest != "}") {
        Some(rest) => format!("{{\"id\":{id_json},{rest}"),
        None => format!("{{\"id\":{id_json}}}"),
    };
    let sql = format!(
        "INSERT INTO {} (id, doc, created, clocks) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, clocks = excluded.clocks",
        kind.table()
    );
    conn.prepare_cached(&sql)?.execute(params![id, doc, v.created.encode(), serde_json::to_string(&v.clocks)?])?;
    Ok(())
}

/// The village a beneficiary lives in, which decides every scope question about their file.
pub fn village_of(conn: &Connection, beneficiary_id: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT village_code FROM beneficiary WHERE id = ?1")?.query_row([beneficiary_id], |r| r.get(0)).optional()?)
}

pub fn record_conflicts(conn: &Connection, conflicts: &[Conflict], now_ms: i64) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO conflict (id, entity, entity_id, field, losing_value, losing_hlc, detected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in conflicts {
        stmt.execute(params![
            c.id,
            c.entity.table(),
            c.entity_id,
            c.field,
            serde_json::to_string(&c.losing_value)?,
            c.losing_hlc.encode(),
            now_ms
        ])?;
    }
    Ok(())
}

/// A change arriving at a replica: one operation (local or pushed) with the user who makes it,
/// or a record's whole state (pulled).
#[derive(Debug, Clone, Copy)]
pub enum Incoming<'a> {
    Op(&'a Operation, &'a Identity),
    State(&'a Versioned),
}

/// What merging a change into a stored record decided, before anything is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The record to store (validated and normalised).
    pub state: Versioned,
    pub changed: bool,
    pub conflicts: Vec<Conflict>,
    pub beneficiary_id: String,
    /// The village whose scope the record is in now, and was in before when that differs
    /// (a beneficiary who moved). Decided for operations; for a pulled record only a
    /// beneficiary's own village is filled in.
    pub village_code: String,
    pub previous_village: Option<String>,
}

/// Merges `incoming` into `current` and checks the result: for an operation, every write rule
/// ([`crate::rules`]: clock, known fields, writer, status transition, immutability, values, NIK)
/// and the record's own validation. Pure but for `lookup`, which reads from whatever storage the
/// caller has: the phone and the server (on either database) decide through this one function.
pub fn decide(
    kind: EntityKind,
    id: &str,
    current: Option<&Versioned>,
    incoming: Incoming<'_>,
    ctx: &dyn Context,
    lookup: &mut dyn Lookup,
) -> Result<Decision> {
    match kind {
        EntityKind::Beneficiary => decide_typed::<Beneficiary>(id, current, incoming, ctx, lookup),
        EntityKind::Prakerja => decide_typed::<Prakerja>(id, current, incoming, ctx, lookup),
        EntityKind::Training => decide_typed::<Training>(id, current, incoming, ctx, lookup),
        EntityKind::CapitalApplication => decide_typed::<CapitalApplication>(id, current, incoming, ctx, lookup),
        EntityKind::Business => decide_typed::<Business>(id, current, incoming, ctx, lookup),
        EntityKind::FollowUp => decide_typed::<FollowUp>(id, current, incoming, ctx, lookup),
        EntityKind::Visit => decide_typed::<Visit>(id, current, incoming, ctx, lookup),
        EntityKind::StageChange => decide_typed::<StageChange>(id, current, incoming, ctx, lookup),
        EntityKind::ProductSale => decide_typed::<ProductSale>(id, current, incoming, ctx, lookup),
    }
}

fn decide_typed<T: Entity>(
    id: &str,
    current: Option<&Versioned>,
    incoming: Incoming<'_>,
    ctx: &dyn Context,
    lookup: &mut dyn Lookup,
) -> Result<Decision> {
    let (op, writer) = match incoming {
        Incoming::State(state) => {
            // A pulled record was validated by the server, operation by operation: the phone
            // only checks that it can read it, and stores it as the server holds it.
            let merged = merge_state(current, T::KIND, id, state);
            let changed = !merged.changed.is_empty();
            let record = T::deserialize(&merged.state.fields).map_err(|e| Error::Corrupt(format!("{} {id}: {e}", T::KIND.table())))?;
            let beneficiary_id = if T::KIND == EntityKind::Beneficiary { id.to_string() } else { record.beneficiary_id().to_string() };
            // Scope is the server's business for pulled records; only a beneficiary's own village
            // is at hand without a lookup. (A visit may even arrive before its since-edited
            // beneficiary: the feed orders records by their last change.)
            let village_code = merged.state.fields.get("village_code").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            return Ok(Decision {
                state: merged.state,
                changed,
                conflicts: merged.conflicts,
                beneficiary_id,
                village_code,
                previous_village: None,
            });
        }
        Incoming::Op(op, writer) => (op, writer),
    };
    rules::check_role(writer)?;
    if op.fields.contains_key("id") {
        return Err(Error::field("id", "not_allowed", "the record id is not a field"));
    }
    rules::check_clock(op, ctx)?;
    if current.is_none() && op.fields.values().any(|c| c.base.is_some()) {
        return Err(Error::not_found(T::KIND.table(), id));
    }
    let mut merged = merge(current, op);
    if !op.resolves.is_empty() && op.fields.keys().any(|f| !merged.changed.contains(f)) {
        // A resolution takes effect, or is refused: never marked done while the value stays.
        return Err(Error::refused("resolution_outdated", "the value changed after this conflict was seen; resolve it again"));
    }
    let mut record: T = from_fields_in(id, &mut merged.state.fields)?;
    let old: Option<T> = current.map(|c| from_fields(id, &c.fields)).transpose()?;
    let valid = record.validate(ctx);
    let fields = to_fields(&record)?;
    rules::check_known_fields(op, &fields)?;
    let beneficiary_id = record.beneficiary_id().to_string();
    if let Some(old) = &old {
        if old.beneficiary_id() != beneficiary_id {
            return Err(Error::StateConflict("a record cannot move to another beneficiary's file".into()));
        }
    }
    let file = if T::KIND == EntityKind::Beneficiary { None } else { lookup.file(&beneficiary_id)? };
    let (village_code, previous_village, consent_active) = if T::KIND == EntityKind::Beneficiary {
        let before = current.and_then(|c| c.fields.get("village_code")).and_then(Value::as_str);
        let now = fields.get("village_code").and_then(Value::as_str).unwrap_or_default().to_string();
        let previous = before.filter(|b| *b != now).map(str::to_string);
        (now, previous, true)
    } else {
        let f = file.ok_or_else(|| Error::not_found("beneficiary", &beneficiary_id))?;
        (f.village_code, None, f.consent_active)
    };
    let write = rules::Write {
        writer,
        op,
        old: current.map(|c| &c.fields),
        new: &fields,
        beneficiary_id: &beneficiary_id,
        village: &village_code,
        previous_village: previous_village.as_deref(),
        consent_active,
    };
    rules::check_writer(&write)?;
    // A refused status change says so, rather than listing what the new status would need.
    if let Some(old) = &old {
        record.check_change(old)?;
    }
    valid?;
    rules::check_family_link(&write, lookup)?;
    rules::check_nik_unique(&write, lookup)?;
    rules::check_references(&write, lookup)?;
    let changed = !merged.changed.is_empty();
    let mut state = merged.state;
    if changed {
        state.fields = fields;
    }
    Ok(Decision { state, changed, conflicts: merged.conflicts, beneficiary_id, village_code, previous_village })
}

/// The rules' reads from this SQLite store (the phone's, or the server's SQLite).
pub struct StoreLookup<'a>(pub &'a Connection);

impl Lookup for StoreLookup<'_> {
    fn file(&mut self, beneficiary_id: &str) -> Result<Option<FileInfo>> {
        file_of(self.0, beneficiary_id)
    }

    fn nik_holder(&mut self, nik: &str, except: &str) -> Result<Option<String>> {
        Ok(self
            .0
            .prepare_cached("SELECT id FROM beneficiary WHERE nik = ?1 AND id <> ?2 LIMIT 1")?
            .query_row(params![nik, except], |r| r.get(0))
            .optional()?)
    }

    fn owner_of(&mut self, kind: EntityKind, id: &str) -> Result<Option<String>> {
        let sql = format!("SELECT beneficiary_id FROM {} WHERE id = ?1", kind.table());
        Ok(self.0.prepare_cached(&sql)?.query_row([id], |r| r.get(0)).optional()?)
    }
}

/// A beneficiary's village and consent, as the rules need them.
pub fn file_of(conn: &Connection, beneficiary_id: &str) -> Result<Option<FileInfo>> {
    Ok(conn
        .prepare_cached("SELECT village_code, doc ->> '$.consent_withdrawn_at' IS NULL FROM beneficiary WHERE id = ?1")?
        .query_row([beneficiary_id], |r| Ok(FileInfo { village_code: r.get(0)?, consent_active: r.get(1)? }))
        .optional()?)
}

/// What applying one change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub changed: bool,
    pub conflicts: usize,
}

/// Merges a change into this SQLite store: decide, then write the record and any conflicts.
/// Nothing is written when it fails.
pub fn apply(conn: &Connection, ctx: &dyn Context, kind: EntityKind, id: &str, incoming: Incoming<'_>, now_ms: i64) -> Result<Decision> {
    let current = load_versioned(conn, kind, id)?;
    let decision = decide(kind, id, current.as_ref(), incoming, ctx, &mut StoreLookup(conn))?;
    // Conflicts are decided where every operation meets, on the server, and reach the phones in
    // the feed: a pulled state lacks the intermediate writes that tell a real conflict apart.
    if matches!(incoming, Incoming::Op(..)) {
        record_conflicts(conn, &decision.conflicts, now_ms)?;
    }
    if decision.changed {
        save_versioned(conn, kind, id, &decision.state)?;
    }
    Ok(decision)
}

fn typecheck<T: Entity>(fields_json: &str) -> Result<String> {
    let record: T = serde_json::from_str(fields_json).map_err(|e| Error::Corrupt(format!("{}: {e}", T::KIND.table())))?;
    Ok(record.beneficiary_id().to_string())
}

/// A pulled record made ready to store, before the store's transaction (while the previous page
/// is written): it reads as its kind, and `doc` is its row, exactly as the server holds it.
#[derive(Debug)]
pub struct PulledRow {
    pub doc: String,
}

/// Checks that a pulled record reads as its kind and makes its row's document.
pub fn prepare_pulled(kind: EntityKind, id: &str, fields_json: &str) -> Result<PulledRow> {
    match kind {
        EntityKind::Beneficiary => typecheck::<Beneficiary>(fields_json),
        EntityKind::Prakerja => typecheck::<Prakerja>(fields_json),
        EntityKind::Training => typecheck::<Training>(fields_json),
        EntityKind::CapitalApplication => typecheck::<CapitalApplication>(fields_json),
        EntityKind::Business => typecheck::<Business>(fields_json),
        EntityKind::FollowUp => typecheck::<FollowUp>(fields_json),
        EntityKind::Visit => typecheck::<Visit>(fields_json),
        EntityKind::StageChange => typecheck::<StageChange>(fields_json),
        EntityKind::ProductSale => typecheck::<ProductSale>(fields_json),
    }?;
    let trimmed = fields_json.trim();
    let body = trimmed.strip_prefix('{').ok_or_else(|| Error::Corrupt(format!("{} {id} is not an object", kind.table())))?;
    let id_json = serde_json::to_string(id)?;
    let doc = if body.trim_start().starts_with('}') { format!("{{\"id\":{id_json}}}") } else { format!("{{\"id\":{id_json},{body}") };
    Ok(PulledRow { doc })
}

/// Stores a pulled record unless this phone has it already; returns whether it was stored (if
/// not, the caller merges it into the stored one).
pub fn insert_pulled(conn: &Connection, kind: EntityKind, id: &str, row: &PulledRow, created: &Hlc, clocks_json: &str) -> Result<bool> {
    let sql = format!("INSERT INTO {} (id, doc, created, clocks) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING", kind.table());
    Ok(conn.prepare_cached(&sql)?.execute(params![id, row.doc, created.encode(), clocks_json])? == 1)
}

pub fn exists(conn: &Connection, kind: EntityKind, id: &str) -> Result<bool> {
    Ok(conn.prepare_cached(&format!("SELECT 1 FROM {} WHERE id = ?1", kind.table()))?.exists([id])?)
}

/// Merges one operation by `writer` into this SQLite store.
pub fn apply_op(conn: &Connection, ctx: &dyn Context, op: &Operation, writer: &Identity, now_ms: i64) -> Result<Applied> {
    let d = apply(conn, ctx, op.entity, &op.entity_id, Incoming::Op(op, writer), now_ms)?;
    Ok(Applied { changed: d.changed, conflicts: d.conflicts.len() })
}

/// Forgets a beneficiary's whole file on this phone (it left the user's scope), unless some of it
/// still has changes in the outbox: those are kept until the server has answered them. Returns
/// whether the file was removed.
pub fn evict_beneficiary(conn: &Connection, beneficiary_id: &str) -> Result<bool> {
    let ids = file_record_ids(conn, beneficiary_id)?;
    let mut waiting = conn.prepare_cached("SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2")?;
    for (kind, id) in &ids {
        if waiting.exists(params![kind.table(), id])? {
            return Ok(false);
        }
    }
    delete_records(conn, &ids)?;
    Ok(!ids.is_empty())
}

/// Deletes a beneficiary's whole file on this phone because it was erased at their request:
/// every record, their conflicts, and every change to them still in the outbox (sent or refused
/// or not) — nothing of the person stays. The search index's segments are merged so that the
/// name does not linger in them. Returns the records deleted.
pub fn erase_beneficiary(conn: &Connection, beneficiary_id: &str) -> Result<usize> {
    let ids = file_record_ids(conn, beneficiary_id)?;
    let mut unsent = conn.prepare_cached("DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2")?;
    for (kind, id) in &ids {
        unsent.execute(params![kind.table(), id])?;
    }
    // Changes whose record never reached this table (refused at creation) name the file only in
    // their operation.
    conn.prepare_cached("DELETE FROM outbox WHERE entity_id = ?1 OR (op ->> '$.fields.beneficiary_id.v') = ?1")?
        .execute([beneficiary_id])?;
    delete_records(conn, &ids)?;
    if !ids.is_empty() {
        conn.execute("INSERT INTO beneficiary_search (beneficiary_search) VALUES ('optimize')", [])?;
    }
    Ok(ids.len())
}

/// Every record of a beneficiary's file on this phone.
fn file_record_ids(conn: &Connection, beneficiary_id: &str) -> Result<Vec<(EntityKind, String)>> {
    let mut ids: Vec<(EntityKind, String)> = Vec::new();
    for kind in EntityKind::ALL {
        let column = if kind == EntityKind::Beneficiary { "id" } else { "beneficiary_id" };
        let mut stmt = conn.prepare_cached(&format!("SELECT id FROM {} WHERE {column} = ?1", kind.table()))?;
        let found = stmt.query_map([beneficiary_id], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.extend(found.into_iter().map(|id| (kind, id)));
    }
    Ok(ids)
}

fn delete_records(conn: &Connection, ids: &[(EntityKind, String)]) -> Result<()> {
    for (kind, id) in ids {
        conn.prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", kind.table()))?.execute([id])?;
        conn.prepare_cached("DELETE FROM conflict WHERE entity = ?1 AND entity_id = ?2")?.execute(params![kind.table(), id])?;
    }
    Ok(())
}
