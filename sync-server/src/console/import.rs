//! Importing beneficiaries from a spreadsheet (XLSX or CSV): a dry run first that lists every
//! row's problems (the core's validation, the user's scope, NIKs already registered or twice in
//! the file), nothing written; then, for a file without problems, the rows become operations of
//! the console's device through the same planner as a phone's push.

use super::i18n::t;
use super::{blocking, console, error_page, page, Console};
use crate::error::{Result, ServerError};
use crate::http::AppState;
use crate::storage::{FeedScope, Session, Storage};
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use desmig_core::date::now_unix_ms;
use desmig_core::field::{beneficiary_from_input, BeneficiaryInput};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::{Beneficiary, BeneficiaryKind, ConsentMethod, EntityKind, Sex};
use desmig_core::protocol::OpStatus;
use desmig_core::scope::Role;
use desmig_core::FieldError;
use maud::html;
use std::collections::{BTreeMap, HashMap};

/// The most rows one import takes.
pub const MAX_ROWS: usize = 5000;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/import", get(form).post(upload))
}

/// One row as read, with its number in the file (the header is row 1).
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub cells: HashMap<String, String>,
}

/// A row's problem, as the dry run lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub line: usize,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The column a header names, in Indonesian or English or as the field itself.
fn column(header: &str) -> Option<&'static str> {
    let h = header.trim().to_lowercase().replace([' ', '-'], "_");
    Some(match h.as_str() {
        "full_name" | "name" | "nama" | "nama_lengkap" => "full_name",
        "sex" | "jenis_kelamin" | "jk" => "sex",
        "village_code" | "kode_desa" | "village" | "desa" => "village_code",
        "nik" => "nik",
        "birth_date" | "tanggal_lahir" | "date_of_birth" => "birth_date",
        "phone" | "telepon" | "no_hp" | "hp" => "phone",
        "last_country" | "negara" | "negara_penempatan" | "country" => "last_country",
        "return_month" | "bulan_pulang" | "bulan_kepulangan" => "return_month",
        "address" | "alamat" => "address",
        "kind" | "jenis" => "kind",
        _ => return None,
    })
}

/// Reads a CSV file (`,` or `;`, quoted cells, a header row).
pub fn read_csv(text: &str) -> Result<Vec<Row>> {
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = if text.lines().next().is_some_and(|l| l.matches(';').count() > l.matches(',').count()) { ';' } else { ',' };
    let mut records: Vec<Vec<String>> = Vec::new();
    let (mut record, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (c, false) if c == delimiter => record.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    rows_of(records)
}

/// Reads the first sheet of an XLSX file.
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Vec<Row>> {
    use calamine::Reader;
    let bad = |e: String| ServerError::bad("unreadable_file", format!("not an XLSX file this server can read: {e}"));
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let range = book.worksheet_range_at(0).ok_or_else(|| bad("it has no sheet".into()))?.map_err(|e| bad(e.to_string()))?;
    let records = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    rows_of(records)
}

fn rows_of(records: Vec<Vec<String>>) -> Result<Vec<Row>> {
    let mut records = records.into_iter();
    let header = records.next().ok_or_else(|| ServerError::bad("empty_file", "the file has no header row"))?;
    let columns: Vec<Option<&str>> = header.iter().map(|h| column(h)).collect();
    for needed in ["full_name", "sex", "village_code"] {
        if !columns.contains(&Some(needed)) {
            return Err(ServerError::bad(
                "missing_column",
                format!("the header has no `{needed}` column (nama, jenis_kelamin, kode_desa)"),
            ));
        }
    }
    let mut rows = Vec::new();
    for (i, cells) in records.enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(ServerError::bad("too_many_rows", format!("one import takes at most {MAX_ROWS} rows; split the file")));
        }
        let cells = columns
            .iter()
            .zip(cells)
            .filter_map(|(c, v)| c.map(|c| (c.to_string(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.push(Row { line: i + 2, cells });
    }
    Ok(rows)
}

fn sex_of(raw: &str) -> Option<Sex> {
    match raw.trim().to_lowercase().as_str() {
        "female" | "perempuan" | "p" | "f" | "wanita" => Some(Sex::Female),
        "male" | "laki-laki" | "laki laki" | "l" | "m" | "pria" => Some(Sex::Male),
        _ => None,
    }
}

/// A country as a code, or by its name in either language.
fn country_of(raw: &str) -> String {
    if desmig_core::labels::country(raw).is_some() {
        return raw.to_string();
    }
    let lower = raw.to_lowercase();
    desmig_core::labels::countries()
        .into_iter()
        .find(|c| c.name.id.to_lowercase() == lower || c.name.en.to_lowercase() == lower)
        .map_or_else(|| raw.to_string(), |c| c.code)
}

/// Checks every row as the phones would and as the server will: returns the records that would
/// be written, or every problem found.
pub fn check(storage: &dyn Storage, session: &Session, rows: &[Row]) -> Result<(Vec<Beneficiary>, Vec<RowProblem>)> {
    let ctx = storage.reference_cache().ctx();
    let who = session.user.identity();
    let existing: HashMap<String, String> = storage
        .read_records(&FeedScope::All, &[EntityKind::Beneficiary])?
        .iter()
        .filter_map(|r| r.entity::<Beneficiary>().ok())
        .filter_map(|b| b.nik.map(|n| (n, b.full_name)))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut ok, mut problems) = (Vec::new(), Vec::new());
    let now = now_unix_ms();
    for row in rows {
        let cell = |k: &str| row.cells.get(k).cloned();
        let mut row_problems: Vec<FieldError> = Vec::new();
        let sex = match cell("sex").as_deref().map(sex_of) {
            Some(Some(s)) => s,
            _ => {
                row_problems.push(FieldError::new("sex", "invalid_format", "perempuan/laki-laki (female/male)"));
                Sex::Female
            }
        };
        let input = BeneficiaryInput {
            kind: if cell("kind").is_some_and(|k| k.to_lowercase().contains("famil") || k.to_lowercase().contains("keluarga")) {
                BeneficiaryKind::FamilyMember
            } else {
                BeneficiaryKind::ReturningWorker
            },
            nik: cell("nik").map(|n| n.chars().filter(char::is_ascii_digit).collect()),
            birth_date: cell("birth_date"),
            phone: cell("phone"),
            address: cell("address"),
            last_country: cell("last_country").map(|c| country_of(&c)),
            return_month: cell("return_month"),
            consent_method: ConsentMethod::SignedForm,
            ..BeneficiaryInput::new(&cell("full_name").unwrap_or_default(), sex, &cell("village_code").unwrap_or_default())
        };
        let village = input.village_code.clone();
        // A NIK twice in the file, whatever else is wrong with either row.
        if let Some(nik) = input.nik.clone().filter(|n| !n.is_empty()) {
            if let Some(first) = seen.get(&nik) {
                row_problems.push(FieldError::new("nik", "duplicate", format!("also on row {first}")));
            } else {
                seen.insert(nik, row.line);
            }
        }
        match beneficiary_from_input(uuid::Uuid::now_v7().to_string(), input, None, &session.user.id, now, &ctx) {
            Ok(b) => {
                if !who.can_write(&b.village_code, &b.id) {
                    row_problems.push(FieldError::new("village_code", "out_of_scope", format!("village {village} is not in your area")));
                }
                if let Some(name) = b.nik.as_ref().and_then(|nik| existing.get(nik)) {
                    row_problems.push(FieldError::new("nik", "duplicate", format!("already registered for {name}")));
                }
                if row_problems.is_empty() {
                    ok.push(b);
                }
            }
            Err(desmig_core::Error::Validation(errors)) => row_problems.extend(errors),
            Err(e) => return Err(e.into()),
        }
        problems.extend(row_problems.into_iter().map(|e| RowProblem { line: row.line, field: e.field, code: e.code, message: e.message }));
    }
    Ok((ok, problems))
}

/// Writes checked records as operations of the session's device (the console), in batches.
/// Returns how many were applied and the refusals by row order.
pub fn write(storage: &dyn Storage, session: &Session, records: &[Beneficiary]) -> Result<(usize, Vec<String>)> {
    let mut applied = 0;
    let mut refused = Vec::new();
    for chunk in records.chunks(500) {
        let now = now_unix_ms();
        let ops: Vec<Operation> = chunk
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let mut fields = match serde_json::to_value(b)? {
                    serde_json::Value::Object(m) => m,
                    _ => return Err(ServerError::Internal("a beneficiary is an object".into())),
                };
                fields.remove("id");
                Ok(Operation {
                    op_id: uuid::Uuid::now_v7().to_string(),
                    device_id: session.device_id.clone(),
                    user_id: session.user.id.clone(),
                    entity: EntityKind::Beneficiary,
                    entity_id: b.id.clone(),
                    hlc: Hlc { millis: now.max(0) as u64, counter: i as u16, node: session.device_id.clone() },
                    fields: fields.into_iter().map(|(k, v)| (k, FieldChange { value: v, base: None })).collect::<BTreeMap<_, _>>(),
                    resolves: vec![],
                })
            })
            .collect::<Result<_>>()?;
        for (r, b) in storage.push(session, &ops, now)?.into_iter().zip(chunk) {
            match r.status {
                OpStatus::Applied | OpStatus::Duplicate => applied += 1,
                _ => refused.push(format!("{}: {} ({})", b.full_name, r.message.unwrap_or_default(), r.code.unwrap_or_default())),
            }
        }
    }
    Ok((applied, refused))
}

async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let c = match console(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !matches!(c.role(), Role::Supervisor | Role::Admin) {
        return error_page(c.lang, ServerError::forbidden("not_supervisor", "imports are for supervisors and administrators"));
    }
    import_page(&c, None)
}

fn import_page(c: &Console, result: Option<maud::Markup>) -> Response {
    let lang = c.lang;
    let body = html! {
        @if let Some(r) = result { (r) }
        form.card method="post" action="/console/import" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(c.csrf);
            p.hint { (t(lang, "import_hint")) }
            label { (t(lang, "import_file")) input type="file" name="file" accept=".xlsx,.csv" required; }
            label { input type="checkbox" name="write" value="1"; " " (t(lang, "import_write")) }
            button type="submit" { (t(lang, "import_check")) }
        }
    };
    page(Some(c), lang, t(lang, "import_title"), body)
}

async fn upload(State(state): State<AppState>, headers: HeaderMap, mut multipart: Multipart) -> Response {
    let c = match console(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = c.lang;
    if !matches!(c.role(), Role::Supervisor | Role::Admin) {
        return error_page(lang, ServerError::forbidden("not_supervisor", "imports are for supervisors and administrators"));
    }
    let (mut csrf, mut file, mut name, mut write_now) = (String::new(), Vec::new(), String::new(), false);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let field_name = field.name().unwrap_or_default().to_string();
                if field_name == "file" {
                    name = field.file_name().unwrap_or_default().to_lowercase();
                }
                let Ok(bytes) = field.bytes().await else {
                    return error_page(lang, ServerError::bad("malformed_body", "the upload broke off"));
                };
                match field_name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&bytes).to_string(),
                    "file" => file = bytes.to_vec(),
                    "write" => write_now = bytes.as_ref() == b"1",
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => return error_page(lang, ServerError::bad("malformed_body", e.body_text())),
        }
    }
    if let Err(e) = c.check_csrf(&csrf) {
        return error_page(lang, e);
    }
    let storage = state.storage.clone();
    let session = c.session.clone();
    let outcome = blocking(move || {
        let rows = if name.ends_with(".xlsx") || file.starts_with(b"PK") {
            read_xlsx(file)?
        } else {
            read_csv(&String::from_utf8(file).map_err(|_| ServerError::bad("unreadable_file", "a CSV file must be UTF-8 text"))?)?
        };
        let (records, problems) = check(storage.as_ref(), &session, &rows)?;
        let written = if write_now && problems.is_empty() { Some(write(storage.as_ref(), &session, &records)?) } else { None };
        Ok((rows.len(), records.len(), problems, written))
    })
    .await;
    let (rows, good, problems, written) = match outcome {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let result = html! {
        div #import-result {
            p { (rows) " " (t(lang, "import_rows")) ", " (good) " " (t(lang, "import_ok")) ", " (problems.len()) " " (t(lang, "import_problems")) }
            @if !problems.is_empty() {
                div.table { table #import-problems {
                    tr { th { (t(lang, "import_row")) } th { (t(lang, "field")) } th { "code" } th { (t(lang, "import_problem")) } }
                    @for p in &problems { tr { td { (p.line) } td { (p.field) } td { code { (p.code) } } td { (p.message) } } }
                } }
                p.error { (t(lang, "import_nothing_written")) }
            }
            @match &written {
                Some((applied, refused)) => {
                    p.ok #imported { (applied) " " (t(lang, "import_written")) }
                    @for r in refused { p.error { (r) } }
                }
                None => @if problems.is_empty() { p.ok { (t(lang, "import_dry_run_ok")) } },
            }
        }
    };
    import_page(&c, Some(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_read_by_their_headers_in_either_language() {
        let rows = read_csv(
            "Nama;Jenis Kelamin;Kode Desa;NIK\r\n\"Siti; Aminah\";P;32.12.01.2007;3212015708900001\r\n;;;\r\nAgus;L;32.12.01.2008;\r\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].cells["full_name"], "Siti; Aminah");
        assert_eq!(rows[1].line, 4, "the blank row is skipped, the numbering is the file's");
        assert!(!rows[1].cells.contains_key("nik"));
        assert!(matches!(read_csv("nik,phone\n1,2\n"), Err(ServerError::BadRequest { code: "missing_column", .. })));
        assert_eq!(country_of("Arab Saudi"), "SA");
        assert_eq!(country_of("Malaysia"), "MY");
        assert_eq!(sex_of("Laki-laki"), Some(Sex::Male));
    }
}
