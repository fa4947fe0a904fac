//! The rights of the people in the data (UU 27/2022): a person's data exported on request, their
//! file erased on request, and a log of who read or erased it. Requests are answered by the
//! person's district supervisor or an administrator; everything here is written once over the
//! storage primitives of both backends.
//!
//! Erasure deletes every record of the file, its conflicts and its rows in the change feed, and
//! writes one feed row in their place that tells every phone holding the file to delete it too
//! (records, search index, waiting changes). The server keeps only a tombstone (who, when, why) and
//! the access log; operations for the file that arrive later are refused `erased`.

use crate::error::{Result, ServerError};
use crate::storage::{FeedEntry, Session, StoredRecord};
use desmig_core::protocol::ConflictRecord;
use serde::{Deserialize, Serialize};

/// The longest reason an erasure may give: a reference to the request, not a story (it is kept).
pub const MAX_REASON_CHARS: usize = 200;

/// What the server keeps of an erased person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub beneficiary_id: String,
    pub village_code: String,
    pub erased_at: i64,
    /// The user id of the supervisor or administrator who erased the file.
    pub erased_by: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The file was read on the server (its export, as JSON or as a page).
    Export,
    Erase,
    /// The file was opened in the console.
    View,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Export => "export",
            Access::Erase => "erase",
            Access::View => "view",
        }
    }

    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "export" => Some(Access::Export),
            "erase" => Some(Access::Erase),
            "view" => Some(Access::View),
            _ => None,
        }
    }
}

/// One line of a file's access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub beneficiary_id: String,
    pub user_id: String,
    pub username: String,
    pub device_id: String,
    pub action: Access,
    pub at: i64,
}

/// A person's file as stored: every record of it, and the conflicts about them.
pub struct PersonFile {
    pub village_code: String,
    pub records: Vec<StoredRecord>,
    pub conflicts: Vec<ConflictRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedRecord {
    pub kind: String,
    pub id: String,
    pub fields: serde_json::Value,
}

/// A person's data, as given to them on request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonExport {
    pub beneficiary_id: String,
    pub village_code: String,
    pub exported_at: i64,
    pub exported_by: String,
    pub records: Vec<ExportedRecord>,
    pub conflicts: Vec<ConflictRecord>,
    /// Who read or erased this file on the server before this export.
    pub access_log: Vec<AccessEntry>,
}

/// Only the district's supervisor or an administrator answers a person's request.
pub fn check_may_answer(session: &Session, village_code: &str) -> Result<()> {
    if session.user.identity().can_supervise(village_code) {
        Ok(())
    } else {
        Err(ServerError::forbidden(
            "not_supervisor",
            "only the person's district supervisor or an administrator handles their data requests",
        ))
    }
}

pub fn check_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
        return Err(ServerError::bad(
            "invalid_reason",
            format!("give the request's reference as the reason: 1 to {MAX_REASON_CHARS} characters on one line"),
        ));
    }
    Ok(reason.to_string())
}

/// The feed row that tells every phone holding the file to delete it.
pub fn erase_feed_entry(e: &Erasure) -> Result<FeedEntry> {
    Ok(FeedEntry {
        // The feed's "forget this file" rows; the body says it is for good.
        kind: "evict",
        entity: "erasure".into(),
        entity_id: e.beneficiary_id.clone(),
        beneficiary_id: e.beneficiary_id.clone(),
        village: e.village_code.clone(),
        body: format!("{{\"kind\":\"erase\",\"entity\":\"beneficiary\",\"id\":{}}}", serde_json::to_string(&e.beneficiary_id)?),
    })
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    }
}

fn kind_title(kind: &str) -> &'static str {
    match kind {
        "beneficiary" => "Data diri / Personal data",
        "prakerja" => "Kartu Prakerja",
        "training" => "Pelatihan / Training",
        "capital_application" => "Permodalan / Capital",
        "business" => "Usaha / Business",
        "follow_up" => "Tindak lanjut / Follow-up",
        "visit" => "Kunjungan / Visit",
        "stage_change" => "Riwayat tahap / Stage history",
        _ => "Catatan / Record",
    }
}

/// The export as a page a person can read (Indonesian first, English), every value escaped.
pub fn export_html(x: &PersonExport) -> String {
    let name =
        x.records.iter().find(|r| r.kind == "beneficiary").and_then(|r| r.fields.get("full_name")).map(value_text).unwrap_or_default();
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!("<title>Data pribadi / Personal data — {}</title>", escape(&name)));
    h.push_str("<style>body{font-family:sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}th,td{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top;word-break:break-word}th{width:35%;background:#f4f4f4}</style></head><body>");
    h.push_str(&format!("<h1>Data pribadi / Personal data: {}</h1>", escape(&name)));
    h.push_str(&format!(
        "<p>Diekspor / Exported {} (UTC) oleh / by {} — UU 27/2022.</p>",
        escape(&desmig_core::date::Date::from_unix_ms(x.exported_at).to_string()),
        escape(&x.exported_by)
    ));
    for r in &x.records {
        h.push_str(&format!("<h2>{}</h2><table>", kind_title(&r.kind)));
        if let Some(fields) = r.fields.as_object() {
            for (k, v) in fields {
                h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&value_text(v))));
            }
        }
        h.push_str("</table>");
    }
    if !x.access_log.is_empty() {
        h.push_str("<h2>Siapa yang membuka data ini / Who opened this data</h2><table>");
        for a in &x.access_log {
            h.push_str(&format!(
                "<tr><th>{}</th><td>{} ({}), {}</td></tr>",
                escape(&desmig_core::date::Date::from_unix_ms(a.at).to_string()),
                escape(&a.username),
                escape(a.action.as_str()),
                escape(&a.device_id)
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_what_people_typed() {
        let x = PersonExport {
            beneficiary_id: "b".into(),
            village_code: "32.12.01.2007".into(),
            exported_at: 1_780_000_000_000,
            exported_by: "budi".into(),
            records: vec![ExportedRecord {
                kind: "beneficiary".into(),
                id: "b".into(),
                fields: serde_json::json!({"full_name": "Siti <script>alert(1)</script>", "notes": "a & b"}),
            }],
            conflicts: vec![],
            access_log: vec![],
        };
        let page = export_html(&x);
        assert!(page.contains("Siti &lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>"));
        assert!(page.contains("a &amp; b"));
    }

    #[test]
    fn a_reason_is_a_short_reference() {
        assert_eq!(check_reason("  Permintaan tertulis 12/2026 ").unwrap(), "Permintaan tertulis 12/2026");
        for bad in ["", "   ", "a\nb", &"x".repeat(201)] {
            assert!(check_reason(bad).is_err(), "{bad:?}");
        }
    }
}
