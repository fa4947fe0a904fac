//! The console's reports: the programme's indicators per village and per facilitator, computed
//! from the server's records with the same definitions as the phones' (`VillageIndicators`; a
//! test checks both agree), and their exports as XLSX and CSV.

use crate::error::{Result, ServerError};
use crate::storage::{FeedScope, Storage};
use desmig_core::date::{Date, Month};
use desmig_core::model::{
    Beneficiary, Business, CapitalApplication, CapitalSource, EntityKind, Prakerja, ProductSale, SaleMarket, Training, VisitStatus,
};
use desmig_core::query::{CapitalBySource, VillageIndicators};
use desmig_core::region::RegionCatalog;
use desmig_core::status::{BusinessStatus, CapitalStage, PrakerjaStage, Stage, TrainingStatus};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The records of a scope, typed. Records that do not parse as their kind are left out.
#[derive(Default)]
pub struct Dataset {
    pub beneficiaries: Vec<Beneficiary>,
    pub prakerja: Vec<(String, Prakerja)>,
    pub trainings: Vec<(String, Training)>,
    pub capital: Vec<(String, CapitalApplication)>,
    pub businesses: Vec<(String, Business)>,
    pub visits: Vec<(String, VisitFacts)>,
    pub sales: Vec<(String, ProductSale)>,
}

/// What the reports count of a visit: its answers and notes are never parsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct VisitFacts {
    /// Not in the stored fields: set from the record's id when it is read.
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub template_id: String,
    pub template_version: u32,
    pub facilitator_id: String,
    pub started_at: i64,
    pub status: VisitStatus,
    #[serde(default)]
    pub verified_by: Option<String>,
}

impl VisitFacts {
    /// The facts of a stored visit (`fields` as stored, without its id).
    pub fn read(id: &str, fields: &str) -> Option<VisitFacts> {
        serde_json::from_str::<VisitFacts>(fields).ok().map(|f| VisitFacts { id: id.to_string(), ..f })
    }
}

/// A stored record's fields as its typed entity, with its id.
fn typed<T: serde::de::DeserializeOwned>(id: &str, fields: &str) -> Option<T> {
    let mut map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(fields).ok()?;
    map.insert("id".into(), serde_json::Value::String(id.to_string()));
    serde_json::from_value(serde_json::Value::Object(map)).ok()
}

impl Dataset {
    pub fn load(storage: &dyn Storage, scope: &FeedScope) -> Result<Dataset> {
        let kinds = [
            EntityKind::Beneficiary,
            EntityKind::Prakerja,
            EntityKind::Training,
            EntityKind::CapitalApplication,
            EntityKind::Business,
            EntityKind::Visit,
            EntityKind::ProductSale,
        ];
        let mut ds = Dataset::default();
        let v = |village: &str| village.to_string();
        storage.scan_records(scope, &kinds, &mut |kind, id, village, fields| {
            match kind {
                EntityKind::Beneficiary => ds.beneficiaries.extend(typed::<Beneficiary>(id, fields)),
                EntityKind::Prakerja => ds.prakerja.extend(typed(id, fields).map(|t| (v(village), t))),
                EntityKind::Training => ds.trainings.extend(typed(id, fields).map(|t| (v(village), t))),
                EntityKind::CapitalApplication => ds.capital.extend(typed(id, fields).map(|t| (v(village), t))),
                EntityKind::Business => ds.businesses.extend(typed(id, fields).map(|t| (v(village), t))),
                EntityKind::ProductSale => ds.sales.extend(typed(id, fields).map(|t| (v(village), t))),
                EntityKind::Visit => ds.visits.extend(VisitFacts::read(id, fields).map(|t| (v(village), t))),
                _ => {}
            }
            Ok(())
        })?;
        Ok(ds)
    }
}

impl Dataset {
    /// Keeps only the records of villages in `area` (a province `32`, a district `32.12`, a
    /// sub-district or a village code).
    pub fn narrow(&mut self, area: &str) {
        let within = |v: &str| v == area || v.starts_with(&format!("{area}."));
        self.beneficiaries.retain(|b| within(&b.village_code));
        self.prakerja.retain(|(v, _)| within(v));
        self.trainings.retain(|(v, _)| within(v));
        self.capital.retain(|(v, _)| within(v));
        self.businesses.retain(|(v, _)| within(v));
        self.visits.retain(|(v, _)| within(v));
        self.sales.retain(|(v, _)| within(v));
    }
}

/// Village indicators added up per district.
pub fn by_district(villages: &BTreeMap<String, VillageIndicators>) -> BTreeMap<String, VillageIndicators> {
    let mut out: BTreeMap<String, VillageIndicators> = BTreeMap::new();
    for (code, i) in villages {
        if let Some(d) = desmig_core::region::district_of(code) {
            out.entry(d.to_string()).or_default().add(i);
        }
    }
    out
}

fn in_month(ms: i64, month: Month) -> bool {
    let from = month.first_day().start_unix_ms();
    let to = month.first_day().first_of_next_month().start_unix_ms();
    (from..to).contains(&ms)
}

fn date_in_month(d: Date, month: Month) -> bool {
    d.first_of_month() == month.first_day()
}

const DISBURSED: [CapitalStage; 4] = [CapitalStage::Disbursed, CapitalStage::Repaying, CapitalStage::Repaid, CapitalStage::Used];

/// The indicators of every village with records, for `month` (visits and sales counted in it).
pub fn village_indicators(ds: &Dataset, month: Month) -> BTreeMap<String, VillageIndicators> {
    let mut out: BTreeMap<String, VillageIndicators> = BTreeMap::new();
    for b in &ds.beneficiaries {
        out.entry(b.village_code.clone()).or_default().beneficiaries += 1;
    }
    let distinct = |pairs: &mut dyn Iterator<Item = (&String, &String)>| -> BTreeMap<String, u64> {
        let set: BTreeSet<(&String, &String)> = pairs.collect();
        let mut counts = BTreeMap::new();
        for (village, _) in set {
            *counts.entry(village.clone()).or_insert(0) += 1;
        }
        counts
    };
    for (v, n) in
        distinct(&mut ds.trainings.iter().filter(|(_, t)| t.status == TrainingStatus::Completed).map(|(v, t)| (v, &t.beneficiary_id)))
    {
        out.entry(v).or_default().trained = n;
    }
    for (v, p) in &ds.prakerja {
        if p.stage == PrakerjaStage::IncentivePaid {
            out.entry(v.clone()).or_default().prakerja_incentive_received += 1;
        }
    }
    let mut by_source: BTreeMap<String, BTreeMap<u8, (CapitalSource, u64, i64)>> = BTreeMap::new();
    for (v, c) in &ds.capital {
        if DISBURSED.contains(&c.stage) {
            let i = out.entry(v.clone()).or_default();
            i.capital_disbursed_count += 1;
            i.capital_disbursed_rupiah += c.amount_disbursed.unwrap_or(0);
            let e = by_source.entry(v.clone()).or_default().entry(c.source as u8).or_insert((c.source, 0, 0));
            e.1 += 1;
            e.2 += c.amount_disbursed.unwrap_or(0);
        }
    }
    for (v, sources) in by_source {
        out.entry(v).or_default().capital_by_source =
            sources.into_values().map(|(source, count, rupiah)| CapitalBySource { source, count, rupiah }).collect();
    }
    for (v, n) in
        distinct(&mut ds.businesses.iter().filter(|(_, b)| b.status == BusinessStatus::Running).map(|(v, b)| (v, &b.beneficiary_id)))
    {
        out.entry(v).or_default().running_businesses = n;
    }
    for (v, visit) in &ds.visits {
        if visit.status == VisitStatus::Completed && in_month(visit.started_at, month) {
            out.entry(v.clone()).or_default().visits_this_month += 1;
        }
    }
    for (v, n) in distinct(&mut ds.sales.iter().filter(|(_, s)| s.market != SaleMarket::OwnVillage).map(|(v, s)| (v, &s.business_id))) {
        out.entry(v).or_default().businesses_selling_beyond_village = n;
    }
    for (v, n) in distinct(&mut ds.sales.iter().filter(|(_, s)| s.market == SaleMarket::Export).map(|(v, s)| (v, &s.business_id))) {
        out.entry(v).or_default().businesses_exporting = n;
    }
    for (v, s) in &ds.sales {
        if date_in_month(s.sold_on, month) {
            out.entry(v.clone()).or_default().sales_revenue_this_month += s.revenue;
        }
    }
    out
}

/// Businesses started in `month`, per village: new entrepreneurs of the period.
pub fn businesses_started(ds: &Dataset, month: Month) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (v, b) in &ds.businesses {
        if b.started_on.is_some_and(|d| date_in_month(d, month)) {
            *out.entry(v.clone()).or_insert(0) += 1;
        }
    }
    out
}

/// How many beneficiaries stand at each Prakerja stage, in the machine's order.
pub fn prakerja_funnel(ds: &Dataset) -> Vec<(String, u64)> {
    use PrakerjaStage::*;
    [Registered, TestPassed, Selected, TrainingPurchased, Certified, Rated, IncentivePaid, Revoked]
        .into_iter()
        .map(|s| (format!("prakerja_{}", s.name()), ds.prakerja.iter().filter(|(_, p)| p.stage == s).count() as u64))
        .collect()
}

/// One facilitator's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacilitatorMonth {
    pub user_id: String,
    pub visits: u64,
    pub people_visited: u64,
    pub to_verify: u64,
}

pub fn by_facilitator(ds: &Dataset, month: Month) -> Vec<FacilitatorMonth> {
    let mut rows: HashMap<&str, (u64, BTreeSet<&str>, u64)> = HashMap::new();
    for (_, v) in &ds.visits {
        let row = rows.entry(v.facilitator_id.as_str()).or_default();
        if v.status == VisitStatus::Completed && in_month(v.started_at, month) {
            row.0 += 1;
            row.1.insert(v.beneficiary_id.as_str());
        }
        if v.status == VisitStatus::Completed && v.verified_by.is_none() {
            row.2 += 1;
        }
    }
    let mut out: Vec<FacilitatorMonth> = rows
        .into_iter()
        .map(|(id, (visits, people, to_verify))| FacilitatorMonth {
            user_id: id.to_string(),
            visits,
            people_visited: people.len() as u64,
            to_verify,
        })
        .collect();
    out.sort_by(|a, b| b.visits.cmp(&a.visits).then_with(|| a.user_id.cmp(&b.user_id)));
    out
}

/// A NIK as the console shows it to whoever does not need it whole: `3212••••••••0001`.
pub fn masked_nik(nik: &str) -> String {
    if nik.len() != 16 {
        return "••••".into();
    }
    format!("{}{}{}", &nik[..4], "•".repeat(8), &nik[12..])
}

// ---- Exports

/// A table to export: a header and rows of cells.
pub struct Table {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

pub enum Cell {
    Text(String),
    Number(f64),
}

impl Table {
    pub fn csv(&self) -> String {
        fn quote(s: &str) -> String {
            // A leading =, +, - or @ would be a formula in a spreadsheet: quoted as text.
            let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        }
        let mut out = String::new();
        out.push_str(&self.header.iter().map(|h| quote(h)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => quote(t),
                    Cell::Number(n) => n.to_string(),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let xerr = |e: rust_xlsxwriter::XlsxError| ServerError::Internal(format!("xlsx: {e}"));
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.name).map_err(xerr)?;
        for (c, h) in self.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(xerr)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, t).map_err(xerr)?,
                    Cell::Number(n) => sheet.write_number(r, c, *n).map_err(xerr)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xerr)?;
        book.save_to_buffer().map_err(xerr)
    }
}

fn n(v: impl Into<f64>) -> Cell {
    Cell::Number(v.into())
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The indicators per village as a table (the header in `words` order).
pub fn indicators_table(ds: &Dataset, month: Month, regions: &RegionCatalog, header: Vec<String>) -> Table {
    let started = businesses_started(ds, month);
    let rows = village_indicators(ds, month)
        .into_iter()
        .map(|(code, i)| {
            let source = |s: CapitalSource| i.capital_by_source.iter().find(|c| c.source == s).map_or(0.0, |c| c.rupiah as f64);
            let district = desmig_core::region::district_of(&code).unwrap_or_default().to_string();
            vec![
                text(district.clone()),
                text(regions.get(&district).map(|r| r.name.clone()).unwrap_or_default()),
                text(code.clone()),
                text(regions.get(&code).map(|r| r.name.clone()).unwrap_or_default()),
                n(i.beneficiaries as f64),
                n(i.trained as f64),
                n(i.prakerja_incentive_received as f64),
                n(i.capital_disbursed_count as f64),
                n(i.capital_disbursed_rupiah as f64),
                n(source(CapitalSource::Kur)),
                n(source(CapitalSource::ProgrammeIncentive)),
                n(source(CapitalSource::VillageFund)),
                n(i.running_businesses as f64),
                n(started.get(&code).copied().unwrap_or(0) as f64),
                n(i.businesses_selling_beyond_village as f64),
                n(i.businesses_exporting as f64),
                n(i.sales_revenue_this_month as f64),
                n(i.visits_this_month as f64),
            ]
        })
        .collect();
    Table { name: format!("Indikator {month}"), header, rows }
}

/// Beneficiaries as a table: NIKs masked unless `full_nik`.
pub fn beneficiaries_table(ds: &Dataset, regions: &RegionCatalog, full_nik: bool, header: Vec<String>) -> Table {
    let mut list: Vec<&Beneficiary> = ds.beneficiaries.iter().collect();
    list.sort_by(|a, b| (&a.village_code, &a.full_name).cmp(&(&b.village_code, &b.full_name)));
    let rows = list
        .into_iter()
        .map(|b| {
            let nik = b.nik.as_deref().map(|nik| if full_nik { nik.to_string() } else { masked_nik(nik) }).unwrap_or_default();
            vec![
                text(b.id.clone()),
                text(b.full_name.clone()),
                text(nik),
                text(serde_json::to_value(b.sex).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
                text(b.village_code.clone()),
                text(regions.get(&b.village_code).map(|r| r.name.clone()).unwrap_or_default()),
                text(b.last_country.clone().unwrap_or_default()),
                text(b.return_month.map(|m| m.to_string()).unwrap_or_default()),
                text(if b.consent_withdrawn_at.is_some() { "withdrawn" } else { "given" }),
            ]
        })
        .collect();
    Table { name: "Penerima manfaat".into(), header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        let t = Table {
            name: "x".into(),
            header: vec!["a".into(), "b".into()],
            rows: vec![vec![text("Siti, \"Bu\""), n(3.0)], vec![text("=HYPERLINK(\"x\")"), n(0.5)]],
        };
        assert_eq!(t.csv(), "a,b\r\n\"Siti, \"\"Bu\"\"\",3\r\n\"'=HYPERLINK(\"\"x\"\")\",0.5\r\n");
        assert!(t.xlsx().unwrap().starts_with(b"PK"), "an XLSX is a zip");
    }

    #[test]
    fn a_nik_is_masked_in_the_middle() {
        assert_eq!(masked_nik("3212014501900001"), "3212••••••••0001");
        assert_eq!(masked_nik("123"), "••••");
    }
}
