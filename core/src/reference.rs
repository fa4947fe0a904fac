//! Reference data in a SQLite database: region codes and checklist templates. Loaded when a store
//! opens (the shipped data on first open), replaced when the server publishes newer data.

use crate::checklist::{builtin_templates, Template};
use crate::error::{Error, Result};
use crate::region::{RegionCatalog, BUILTIN_REGIONS_CSV};
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::sync::Arc;

pub type TemplateMap = HashMap<(String, u32), Arc<Template>>;

/// Replaces the stored regions with `catalog`.
pub fn replace_regions(tx: &Connection, catalog: &RegionCatalog) -> Result<()> {
    tx.execute("DELETE FROM region", [])?;
    let mut stmt = tx.prepare("INSERT INTO region (code, name, level) VALUES (?1, ?2, ?3)")?;
    for r in catalog.iter() {
        stmt.execute(params![r.code, r.name, serde_json::to_value(r.level)?.as_str().unwrap_or_default()])?;
    }
    Ok(())
}

/// Stores a template version; an existing version is kept as it is. Returns whether it was new.
pub fn insert_template(tx: &Connection, t: &Template) -> Result<bool> {
    let n = tx.execute(
        "INSERT OR IGNORE INTO checklist_template (id, version, definition) VALUES (?1, ?2, ?3)",
        params![t.id, t.version, serde_json::to_string(t)?],
    )?;
    Ok(n == 1)
}

pub fn load_regions(tx: &Connection) -> Result<RegionCatalog> {
    let count: i64 = tx.query_row("SELECT count(*) FROM region", [], |r| r.get(0))?;
    if count == 0 {
        let catalog = RegionCatalog::from_csv(BUILTIN_REGIONS_CSV).map_err(Error::Validation)?;
        replace_regions(tx, &catalog)?;
        return Ok(catalog);
    }
    let mut stmt = tx.prepare("SELECT code, name FROM region ORDER BY code")?;
    let mut csv = String::from("code,name\n");
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    // Stored codes sort with parents first (`32` < `32.12`), as the CSV reader requires.
    for row in rows {
        let (code, name) = row?;
        csv.push_str(&code);
        csv.push(',');
        csv.push_str(&name);
        csv.push('\n');
    }
    RegionCatalog::from_csv(&csv).map_err(Error::Validation)
}

pub fn load_templates(tx: &Connection) -> Result<TemplateMap> {
    let have: i64 = tx.query_row("SELECT count(*) FROM checklist_template", [], |r| r.get(0))?;
    if have == 0 {
        for t in builtin_templates()? {
            insert_template(tx, &t)?;
        }
    }
    let mut stmt = tx.prepare("SELECT definition FROM checklist_template")?;
    let defs = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut map = HashMap::new();
    for d in defs {
        let t: Template = serde_json::from_str(&d)?;
        map.insert((t.id.clone(), t.version), Arc::new(t));
    }
    Ok(map)
}
