//! The outbox: local operations waiting for the server. Appended in the transaction that changes
//! the record; removed only in the transaction that records the server's acknowledgement; a
//! rejected operation stays, with its reason, until someone deals with it.

use crate::error::Result;
use crate::merge::Operation;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub op: Operation,
    pub created_at: i64,
    pub state: OutboxState,
    pub attempts: i64,
    pub reject_code: Option<String>,
    pub reject_message: Option<String>,
}

pub fn append(conn: &Connection, op: &Operation, now_ms: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO outbox (op_id, entity, entity_id, op, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
        op.op_id,
        op.entity.table(),
        op.entity_id,
        serde_json::to_string(op)?,
        now_ms
    ])?;
    Ok(())
}

fn read(conn: &Connection, where_sql: &str, limit: i64) -> Result<Vec<OutboxEntry>> {
    let sql = format!(
        "SELECT seq, op, created_at, state, attempts, reject_code, reject_message FROM outbox WHERE {where_sql} ORDER BY seq LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(seq, op, created_at, state, attempts, reject_code, reject_message)| {
            Ok(OutboxEntry {
                seq,
                op: serde_json::from_str(&op)?,
                created_at,
                state: if state == "rejected" { OutboxState::Rejected } else { OutboxState::Pending },
                attempts,
                reject_code,
                reject_message,
            })
        })
        .collect()
}

/// The oldest pending operations, in the order they were made.
pub fn pending(conn: &Connection, limit: i64) -> Result<Vec<OutboxEntry>> {
    read(conn, "state = 'pending'", limit)
}

/// The oldest pending operations made up to outbox position `max_seq` (a sync drains what was
/// pending when it started).
pub fn pending_upto(conn: &Connection, max_seq: i64, limit: i64) -> Result<Vec<OutboxEntry>> {
    read(conn, &format!("state = 'pending' AND seq <= {max_seq}"), limit)
}

/// The newest outbox position (0 when empty).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM outbox")?.query_row([], |r| r.get(0))?)
}

/// Every operation in the outbox, pending or rejected, in the order they were made.
pub fn all(conn: &Connection) -> Result<Vec<OutboxEntry>> {
    read(conn, "1", i64::MAX)
}

/// Replaces an operation (restamped with a corrected clock) and queues it again.
pub fn replace(conn: &Connection, seq: i64, op: &Operation) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET op_id = ?3, op = ?2, state = 'pending', reject_code = NULL, reject_message = NULL WHERE seq = ?1",
    )?
    .execute(params![seq, serde_json::to_string(op)?, op.op_id])?;
    Ok(())
}

pub fn rejected(conn: &Connection) -> Result<Vec<OutboxEntry>> {
    read(conn, "state = 'rejected'", i64::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutboxCounts {
    pub pending: u64,
    pub rejected: u64,
}

pub fn counts(conn: &Connection) -> Result<OutboxCounts> {
    Ok(conn
        .prepare_cached("SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'rejected') FROM outbox")?
        .query_row([], |r| Ok(OutboxCounts { pending: r.get::<_, i64>(0)? as u64, rejected: r.get::<_, i64>(1)? as u64 }))?)
}

/// The server has the operation (applied now or before): it leaves the outbox.
pub fn acknowledge(conn: &Connection, op_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?.execute([op_id])?;
    Ok(())
}

/// The server refused the operation: it stays, visibly, with the reason.
pub fn reject(conn: &Connection, op_id: &str, code: &str, message: &str) -> Result<()> {
    conn.prepare_cached("UPDATE outbox SET state = 'rejected', reject_code = ?2, reject_message = ?3 WHERE op_id = ?1")?
        .execute(params![op_id, code, message])?;
    Ok(())
}
