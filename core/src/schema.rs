//! Schema migrations, keyed on `PRAGMA user_version`: one numbered SQL file per version, applied
//! in order, each in its own transaction.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// The migrations, in order. Version N is reached by applying the first N.
pub const MIGRATIONS: &[&str] =
    &[RECORDS, include_str!("../sql/002_search.sql"), include_str!("../sql/003_sales.sql"), include_str!("../sql/004_bundles.sql")];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// The record tables, shared with the sync server's SQLite store.
pub const RECORDS: &str = include_str!("../sql/001_records.sql");

/// Applies the first `target` of `migrations` that are not applied yet, one transaction each.
pub fn migrate_list(conn: &mut Connection, migrations: &[&str], target: i64) -> Result<()> {
    let known = migrations.len() as i64;
    let current = version(conn)?;
    if current > known {
        return Err(Error::SchemaTooNew { found: current, supported: known });
    }
    for v in current..target.min(known) {
        let tx = conn.transaction()?;
        tx.execute_batch(migrations[v as usize])?;
        tx.pragma_update(None, "user_version", v + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Brings the database up to `target` (normally [`VERSION`]).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    migrate_list(conn, MIGRATIONS, target)
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, VERSION)
}

/// Sets the pragmas every connection uses.
pub fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "busy_timeout", 5000)?;
    // WAL: readers never block the writer. FULL: a committed visit survives a flat battery, not
    // only an app crash (NORMAL could roll the last commits back); the benchmark shows it costs
    // about 0.15 ms a transaction here, and sync applies whole pages in one transaction.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}
