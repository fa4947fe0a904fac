//! Generic record storage: load and save any [`Entity`] in its table, and [`apply_op`], the one
//! path by which an operation (local or pulled) reaches the store through [`merge`].

use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::merge::{merge, Conflict, FieldClock, Operation, Versioned};
use crate::model::*;
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
    let doc: Option<String> = conn
        .prepare_cached(&format!("SELECT doc FROM {} WHERE id = ?1", T::KIND.table()))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    doc.map(|d| serde_json::from_str(&d).map_err(Error::from)).transpose()
}

/// Records of one kind matching `where_sql` (on the table's columns), in `order_sql` order.
pub fn load_where<T: Entity>(conn: &Connection, where_sql: &str, order_sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<T>> {
    let sql = format!("SELECT doc FROM {} WHERE {where_sql} ORDER BY {order_sql}", T::KIND.table());
    let mut stmt = conn.prepare_cached(&sql)?;
    let docs = stmt.query_map(args, |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    docs.iter().map(|d| serde_json::from_str(d).map_err(Error::from)).collect()
}

fn save_versioned(conn: &Connection, kind: EntityKind, id: &str, v: &Versioned) -> Result<()> {
    let mut doc = Map::with_capacity(v.fields.len() + 1);
    doc.insert("id".into(), Value::String(id.to_string()));
    doc.extend(v.fields.iter().map(|(k, x)| (k.clone(), x.clone())));
    let sql = format!(
        "INSERT INTO {} (id, doc, created, clocks) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, clocks = excluded.clocks",
        kind.table()
    );
    conn.prepare_cached(&sql)?.execute(params![
        id,
        serde_json::to_string(&doc)?,
        v.created.encode(),
        serde_json::to_string(&v.clocks)?
    ])?;
    Ok(())
}

/// The village a beneficiary lives in, which decides every scope question about their file.
pub fn village_of(conn: &Connection, beneficiary_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT village_code FROM beneficiary WHERE id = ?1")?
        .query_row([beneficiary_id], |r| r.get(0))
        .optional()?)
}

fn record_conflicts(conn: &Connection, conflicts: &[Conflict], now_ms: i64) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO conflict (id, entity, entity_id, field, losing_value, losing_hlc, detected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in conflicts {
        stmt.execute(params![c.id, c.entity.table(), c.entity_id, c.field, serde_json::to_string(&c.losing_value)?, c.losing_hlc.encode(), now_ms])?;
    }
    Ok(())
}

/// What applying one operation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub changed: bool,
    pub conflicts: usize,
}

/// Merges `op` into the store, validating the merged record with the same rules the phone used
/// to make it. Nothing is written when it fails.
pub fn apply_op(conn: &Connection, ctx: &dyn Context, op: &Operation, now_ms: i64) -> Result<Applied> {
    match op.entity {
        EntityKind::Beneficiary => apply_typed::<Beneficiary>(conn, ctx, op, now_ms),
        EntityKind::Prakerja => apply_typed::<Prakerja>(conn, ctx, op, now_ms),
        EntityKind::Training => apply_typed::<Training>(conn, ctx, op, now_ms),
        EntityKind::CapitalApplication => apply_typed::<CapitalApplication>(conn, ctx, op, now_ms),
        EntityKind::Business => apply_typed::<Business>(conn, ctx, op, now_ms),
        EntityKind::FollowUp => apply_typed::<FollowUp>(conn, ctx, op, now_ms),
        EntityKind::Visit => apply_typed::<Visit>(conn, ctx, op, now_ms),
        EntityKind::StageChange => apply_typed::<StageChange>(conn, ctx, op, now_ms),
    }
}

fn apply_typed<T: Entity>(conn: &Connection, ctx: &dyn Context, op: &Operation, now_ms: i64) -> Result<Applied> {
    if op.fields.contains_key("id") {
        return Err(Error::field("id", "not_allowed", "the record id is not a field"));
    }
    let current = load_versioned(conn, T::KIND, &op.entity_id)?;
    if current.is_none() && op.fields.values().any(|c| c.base.is_some()) {
        return Err(Error::not_found(T::KIND.table(), &op.entity_id));
    }
    let merged = merge(current.as_ref(), op);
    record_conflicts(conn, &merged.conflicts, now_ms)?;
    let applied = Applied { changed: !merged.changed.is_empty(), conflicts: merged.conflicts.len() };
    if !applied.changed {
        return Ok(applied);
    }
    let mut record: T = from_fields(&op.entity_id, &merged.state.fields)?;
    let valid = record.validate(ctx);
    if let Some(cur) = &current {
        let old: T = from_fields(&op.entity_id, &cur.fields)?;
        record.check_change(&old)?;
    }
    valid?;
    if T::KIND != EntityKind::Beneficiary && village_of(conn, record.beneficiary_id())?.is_none() {
        return Err(Error::not_found("beneficiary", record.beneficiary_id()));
    }
    let mut state = merged.state;
    state.fields = to_fields(&record)?;
    save_versioned(conn, T::KIND, &op.entity_id, &state)?;
    Ok(applied)
}
