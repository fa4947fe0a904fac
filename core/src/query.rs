//! What a facilitator looks up, fast and within the user's scope: a village's beneficiaries, name
//! and NIK search, a beneficiary's whole file, follow-ups due, and village indicators.

use crate::date::Month;
use crate::error::{Error, Result};
use crate::model::*;
use crate::protocol::Person;
use crate::records::{load, load_where, village_of};
use crate::scope::{Identity, Role};
use crate::store::FieldStore;
use rusqlite::{Connection, ToSql};
use serde::{Deserialize, Serialize};

/// A line in a list: enough to recognise a person, with the NIK masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeneficiarySummary {
    pub id: String,
    pub full_name: String,
    pub masked_nik: Option<String>,
    pub sex: Sex,
    pub kind: BeneficiaryKind,
    pub village_code: String,
    pub phone: Option<String>,
}

impl From<&Beneficiary> for BeneficiarySummary {
    fn from(b: &Beneficiary) -> Self {
        BeneficiarySummary {
            id: b.id.clone(),
            full_name: b.full_name.clone(),
            masked_nik: b.masked_nik(),
            sex: b.sex,
            kind: b.kind,
            village_code: b.village_code.clone(),
            phone: b.phone.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The offset of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// Everything about one beneficiary, for the beneficiary's file screen (and a worker's own view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeneficiaryFile {
    pub beneficiary: Beneficiary,
    pub village_name: String,
    pub prakerja: Option<Prakerja>,
    pub trainings: Vec<Training>,
    pub capital_applications: Vec<CapitalApplication>,
    pub businesses: Vec<Business>,
    /// Newest first.
    pub visits: Vec<Visit>,
    pub follow_ups: Vec<FollowUp>,
    /// Every status change, oldest first.
    pub history: Vec<StageChange>,
    /// The products the person's businesses sold, newest first.
    pub product_sales: Vec<ProductSale>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueFollowUp {
    pub follow_up: FollowUp,
    pub beneficiary_name: String,
    pub village_code: String,
    /// Days past the due date (0 when due today, negative when still ahead).
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VillageIndicators {
    pub beneficiaries: u64,
    /// Beneficiaries with at least one completed training.
    pub trained: u64,
    /// Beneficiaries whose Prakerja incentive has been paid (at least one instalment).
    pub prakerja_incentive_received: u64,
    pub capital_disbursed_count: u64,
    /// Whole rupiah.
    pub capital_disbursed_rupiah: i64,
    /// New entrepreneurs: beneficiaries with a running business.
    pub running_businesses: u64,
    pub visits_this_month: u64,
    /// Businesses that have sold outside their own village (ever).
    pub businesses_selling_beyond_village: u64,
    /// Businesses that have exported (ever).
    pub businesses_exporting: u64,
    /// Whole rupiah of product sales in the month.
    pub sales_revenue_this_month: i64,
    /// Capital that reached people, by source (KUR, the programme's incentive, village funds, …),
    /// sources with none left out.
    pub capital_by_source: Vec<CapitalBySource>,
}

/// Capital disbursed from one source: how many applications, how many rupiah.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapitalBySource {
    pub source: CapitalSource,
    pub count: u64,
    /// Whole rupiah.
    pub rupiah: i64,
}

impl VillageIndicators {
    /// Several villages' indicators added up: a district's, or a supervisor's, total.
    pub fn total<'a>(parts: impl IntoIterator<Item = &'a VillageIndicators>) -> VillageIndicators {
        let mut total = VillageIndicators::default();
        for p in parts {
            total.add(p);
        }
        total
    }

    /// Adds another village's indicators into these (a district's, or a supervisor's, total).
    pub fn add(&mut self, o: &VillageIndicators) {
        self.beneficiaries += o.beneficiaries;
        self.trained += o.trained;
        self.prakerja_incentive_received += o.prakerja_incentive_received;
        self.capital_disbursed_count += o.capital_disbursed_count;
        self.capital_disbursed_rupiah += o.capital_disbursed_rupiah;
        self.running_businesses += o.running_businesses;
        self.visits_this_month += o.visits_this_month;
        self.businesses_selling_beyond_village += o.businesses_selling_beyond_village;
        self.businesses_exporting += o.businesses_exporting;
        self.sales_revenue_this_month += o.sales_revenue_this_month;
        for c in &o.capital_by_source {
            match self.capital_by_source.iter_mut().find(|x| x.source == c.source) {
                Some(x) => {
                    x.count += c.count;
                    x.rupiah += c.rupiah;
                }
                None => self.capital_by_source.push(c.clone()),
            }
        }
        self.capital_by_source.sort_by_key(|c| c.source as u8);
    }
}

/// Turns what a user typed into an FTS5 query: each word a quoted prefix, all words required.
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn query_docs(conn: &Connection, sql: &str, args: &[&dyn ToSql]) -> Result<Vec<Beneficiary>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let docs = stmt.query_map(args, |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    docs.iter().map(|d| serde_json::from_str(d).map_err(Error::from)).collect()
}

impl FieldStore {
    fn readable(&self, who: &Identity, conn: &Connection, beneficiary_id: &str) -> Result<()> {
        let village = village_of(conn, beneficiary_id)?.ok_or_else(|| Error::not_found("beneficiary", beneficiary_id))?;
        if !who.can_read(&village, beneficiary_id) {
            // Out of scope looks like absent: a worker must not learn who else is registered.
            return Err(Error::not_found("beneficiary", beneficiary_id));
        }
        Ok(())
    }

    /// Beneficiaries of one village in name order, `limit` at a time.
    pub fn list_beneficiaries(&self, village_code: &str, offset: u32, limit: u32) -> Result<Page<BeneficiarySummary>> {
        let who = self.require_identity()?;
        let limit = limit.clamp(1, 500);
        let (filter, scope_args) = who.sql_filter();
        let sql =
            format!("SELECT b.doc FROM beneficiary b WHERE b.village_code = ? AND {filter} ORDER BY b.full_name, b.id LIMIT ? OFFSET ?");
        self.read(|c| {
            let mut args: Vec<&dyn ToSql> = vec![&village_code];
            args.extend(scope_args.iter().map(|a| a as &dyn ToSql));
            let lim = i64::from(limit) + 1;
            let off = i64::from(offset);
            args.push(&lim);
            args.push(&off);
            let mut rows = query_docs(c, &sql, &args)?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            Ok(Page { items: rows.iter().map(BeneficiarySummary::from).collect(), next_offset: more.then_some(offset + limit) })
        })
    }

    /// Finds beneficiaries by name (any word prefix, ignoring case and accents) or, when the text
    /// is digits, by NIK prefix.
    pub fn search_beneficiaries(&self, text: &str, limit: u32) -> Result<Vec<BeneficiarySummary>> {
        let who = self.require_identity()?;
        let limit = i64::from(limit.clamp(1, 200));
        let (filter, scope_args) = who.sql_filter();
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        self.read(|c| {
            let rows = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                let upper = format!("{digits}:"); // ':' sorts right after '9'
                let sql = format!("SELECT b.doc FROM beneficiary b WHERE b.nik >= ? AND b.nik < ? AND {filter} ORDER BY b.nik LIMIT ?");
                let mut args: Vec<&dyn ToSql> = vec![&digits, &upper];
                args.extend(scope_args.iter().map(|a| a as &dyn ToSql));
                args.push(&limit);
                query_docs(c, &sql, &args)?
            } else {
                let Some(q) = fts_query(text) else { return Ok(vec![]) };
                // CROSS JOIN: the name index first, then the matches' rows. (Left to itself, the
                // planner of some SQLite versions walks the village's people and runs the match
                // once for each: 60 ms instead of 1 on 10,000 people.)
                let sql = format!(
                    "SELECT b.doc FROM beneficiary_search s CROSS JOIN beneficiary b ON b.rowid = s.rowid
                     WHERE beneficiary_search MATCH ? AND {filter} ORDER BY b.full_name LIMIT ?"
                );
                let mut args: Vec<&dyn ToSql> = vec![&q];
                args.extend(scope_args.iter().map(|a| a as &dyn ToSql));
                args.push(&limit);
                query_docs(c, &sql, &args)?
            };
            Ok(rows.iter().map(BeneficiarySummary::from).collect())
        })
    }

    pub fn beneficiary(&self, id: &str) -> Result<Beneficiary> {
        let who = self.require_identity()?;
        self.read(|c| {
            self.readable(&who, c, id)?;
            load::<Beneficiary>(c, id)?.ok_or_else(|| Error::not_found("beneficiary", id))
        })
    }

    /// The whole file of one beneficiary.
    pub fn beneficiary_file(&self, id: &str) -> Result<BeneficiaryFile> {
        let who = self.require_identity()?;
        let regions = self.regions();
        self.read(|c| {
            self.readable(&who, c, id)?;
            let beneficiary = load::<Beneficiary>(c, id)?.ok_or_else(|| Error::not_found("beneficiary", id))?;
            let by = "beneficiary_id = ?1";
            Ok(BeneficiaryFile {
                village_name: regions.get(&beneficiary.village_code).map(|r| r.name.clone()).unwrap_or_default(),
                prakerja: load::<Prakerja>(c, id)?,
                trainings: load_where(c, by, "created", &[&id])?,
                capital_applications: load_where(c, by, "created", &[&id])?,
                businesses: load_where(c, by, "created", &[&id])?,
                visits: load_where(c, by, "started_at DESC", &[&id])?,
                follow_ups: load_where(c, by, "due_date", &[&id])?,
                history: load_where(c, by, "created", &[&id])?,
                product_sales: load_where(c, by, "sold_on DESC, created DESC", &[&id])?,
                beneficiary,
            })
        })
    }

    /// A returning worker's own file: the one record a worker's store shows.
    pub fn my_file(&self) -> Result<BeneficiaryFile> {
        let who = self.require_identity()?;
        match (who.role, &who.beneficiary_id) {
            (Role::Worker, Some(id)) => self.beneficiary_file(id),
            _ => Err(Error::not_allowed("not_a_worker", "only a returning worker has an own file")),
        }
    }

    /// Open follow-ups in scope due within `within_days` from today, overdue ones first.
    pub fn follow_ups_due(&self, within_days: u32) -> Result<Vec<DueFollowUp>> {
        let who = self.require_identity()?;
        let today = self.today();
        let until = today.add_days(i64::from(within_days)).to_string();
        let (filter, scope_args) = who.sql_filter();
        let sql = format!(
            "SELECT f.doc, b.full_name, b.village_code FROM follow_up f JOIN beneficiary b ON b.id = f.beneficiary_id
             WHERE f.done_on IS NULL AND f.due_date <= ? AND {filter} ORDER BY f.due_date, b.full_name"
        );
        self.read(|c| {
            let mut args: Vec<&dyn ToSql> = vec![&until];
            args.extend(scope_args.iter().map(|a| a as &dyn ToSql));
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(args.as_slice(), |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(doc, name, village)| {
                    let f: FollowUp = serde_json::from_str(&doc)?;
                    let days_overdue = today.days_since_epoch() - f.due_date.days_since_epoch();
                    Ok(DueFollowUp { follow_up: f, beneficiary_name: name, village_code: village, days_overdue })
                })
                .collect()
        })
    }

    /// The programme's indicators for one village, with visits counted in `month`.
    pub fn village_indicators(&self, village_code: &str, month: Month) -> Result<VillageIndicators> {
        let who = self.require_identity()?;
        if who.role == Role::Worker || !who.can_read(village_code, "") {
            return Err(Error::not_allowed("out_of_scope", format!("village {village_code} is not in your scope")));
        }
        let from = month.first_day().start_unix_ms();
        let to = month.first_day().first_of_next_month().start_unix_ms();
        self.read(|c| {
            let count = |sql: &str| -> Result<u64> {
                Ok(c.prepare_cached(sql)?.query_row([village_code], |r| r.get::<_, i64>(0))? as u64)
            };
            let (capital_count, capital_sum): (i64, i64) = c.prepare_cached(
                "SELECT count(*), coalesce(sum(x.amount_disbursed), 0) FROM capital_application x JOIN beneficiary b ON b.id = x.beneficiary_id
                 WHERE b.village_code = ?1 AND x.stage IN ('disbursed', 'repaying', 'repaid', 'used')",
            )?
            .query_row([village_code], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let visits: i64 = c
                .prepare_cached(
                    "SELECT count(*) FROM visit v JOIN beneficiary b ON b.id = v.beneficiary_id
                     WHERE b.village_code = ?1 AND v.status = 'completed' AND v.started_at >= ?2 AND v.started_at < ?3",
                )?
                .query_row(rusqlite::params![village_code, from, to], |r| r.get(0))?;
            let mut by_source: Vec<CapitalBySource> = c
                .prepare_cached(
                    "SELECT x.doc ->> '$.source', count(*), coalesce(sum(x.amount_disbursed), 0) FROM capital_application x
                     JOIN beneficiary b ON b.id = x.beneficiary_id
                     WHERE b.village_code = ?1 AND x.stage IN ('disbursed', 'repaying', 'repaid', 'used') GROUP BY 1",
                )?
                .query_map([village_code], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .filter_map(|(source, count, rupiah)| {
                    let source = serde_json::from_value(serde_json::Value::String(source)).ok()?;
                    Some(CapitalBySource { source, count: count as u64, rupiah })
                })
                .collect();
            by_source.sort_by_key(|c| c.source as u8);
            let (first, next) = (month.first_day().to_string(), month.first_day().first_of_next_month().to_string());
            let revenue: i64 = c
                .prepare_cached(
                    "SELECT coalesce(sum(s.doc ->> '$.revenue'), 0) FROM product_sale s JOIN beneficiary b ON b.id = s.beneficiary_id
                     WHERE b.village_code = ?1 AND s.sold_on >= ?2 AND s.sold_on < ?3",
                )?
                .query_row(rusqlite::params![village_code, first, next], |r| r.get(0))?;
            Ok(VillageIndicators {
                beneficiaries: count("SELECT count(*) FROM beneficiary b WHERE b.village_code = ?1")?,
                trained: count(
                    "SELECT count(DISTINCT x.beneficiary_id) FROM training x JOIN beneficiary b ON b.id = x.beneficiary_id
                     WHERE b.village_code = ?1 AND x.status = 'completed'",
                )?,
                prakerja_incentive_received: count(
                    "SELECT count(*) FROM prakerja x JOIN beneficiary b ON b.id = x.beneficiary_id
                     WHERE b.village_code = ?1 AND x.stage = 'incentive_paid'",
                )?,
                capital_disbursed_count: capital_count as u64,
                capital_disbursed_rupiah: capital_sum,
                running_businesses: count(
                    "SELECT count(DISTINCT x.beneficiary_id) FROM business x JOIN beneficiary b ON b.id = x.beneficiary_id
                     WHERE b.village_code = ?1 AND x.status = 'running'",
                )?,
                visits_this_month: visits as u64,
                businesses_selling_beyond_village: count(
                    "SELECT count(DISTINCT s.business_id) FROM product_sale s JOIN beneficiary b ON b.id = s.beneficiary_id
                     WHERE b.village_code = ?1 AND s.market <> 'own_village'",
                )?,
                businesses_exporting: count(
                    "SELECT count(DISTINCT s.business_id) FROM product_sale s JOIN beneficiary b ON b.id = s.beneficiary_id
                     WHERE b.village_code = ?1 AND s.market = 'export'",
                )?,
                sales_revenue_this_month: revenue,
                capital_by_source: by_source,
            })
        })
    }

    /// The status cards of a beneficiary's file: what each says and which next steps it offers
    /// ([`crate::present`]).
    pub fn status_cards(&self, beneficiary_id: &str) -> Result<Vec<crate::present::StatusCard>> {
        Ok(crate::present::status_cards(&self.beneficiary_file(beneficiary_id)?, self.today()))
    }

    /// A visit as a person reads it: whose, which checklist, the answers with their labels, notes
    /// and place, and whether this user may verify or amend it now.
    pub fn visit_view(&self, visit_id: &str) -> Result<crate::present::VisitView> {
        let who = self.require_identity()?;
        let regions = self.regions();
        let (visit, beneficiary) = self.read(|c| {
            let visit = load::<Visit>(c, visit_id)?.ok_or_else(|| Error::not_found("visit", visit_id))?;
            self.readable(&who, c, &visit.beneficiary_id).map_err(|_| Error::not_found("visit", visit_id))?;
            let beneficiary =
                load::<Beneficiary>(c, &visit.beneficiary_id)?.ok_or_else(|| Error::not_found("beneficiary", &visit.beneficiary_id))?;
            Ok((visit, beneficiary))
        })?;
        let template = self.template(&visit.template_id, Some(visit.template_version))?;
        let completed = visit.status == VisitStatus::Completed;
        Ok(crate::present::VisitView {
            can_verify: crate::present::can_verify(&visit, &who, &beneficiary.village_code),
            can_amend: completed && beneficiary.consent_withdrawn_at.is_none() && who.can_write(&beneficiary.village_code, &beneficiary.id),
            answers: crate::present::answer_lines(&template, &visit.answers),
            visit_id: visit.id,
            beneficiary_id: beneficiary.id,
            beneficiary_name: beneficiary.full_name,
            village_name: regions.get(&beneficiary.village_code).map(|r| r.name.clone()).unwrap_or_default(),
            village_code: beneficiary.village_code,
            template_title: template.title.clone(),
            template_version: visit.template_version,
            facilitator_id: visit.facilitator_id,
            status_key: format!("visit_{}", if completed { "completed" } else { "draft" }),
            started_at: visit.started_at,
            ended_at: visit.ended_at,
            completeness: visit.completeness,
            location: visit.location,
            notes: visit.notes,
            verified_by: visit.verified_by,
            verified_at: visit.verified_at,
            amends: visit.amends,
        })
    }

    /// Today's month, for the indicators screen.
    pub fn this_month(&self) -> Month {
        Month::of(self.today())
    }
}

/// One village as a supervisor's team overview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageOverview {
    pub village_code: String,
    pub village_name: String,
    pub indicators: VillageIndicators,
    /// Completed visits not yet verified.
    pub visits_to_verify: u64,
}

/// A completed visit waiting for the supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitToVerify {
    pub visit: Visit,
    pub beneficiary_name: String,
    pub village_code: String,
}

/// A capital application with the stages it went through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapitalProgress {
    pub application: CapitalApplication,
    /// Oldest first.
    pub history: Vec<StageChange>,
}

/// What a returning worker sees of their own record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerStatus {
    pub beneficiary: Beneficiary,
    pub village_name: String,
    pub prakerja: Option<Prakerja>,
    pub trainings: Vec<Training>,
    pub capital: Vec<CapitalProgress>,
    pub businesses: Vec<Business>,
    /// Next steps agreed with the facilitator: open follow-ups, soonest first.
    pub next_steps: Vec<FollowUp>,
    /// The facilitators of the worker's village, with their work phone (from the last sync).
    pub facilitators: Vec<Person>,
}

/// One facilitator as a supervisor's team view shows them, for a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilitatorOverview {
    pub user_id: String,
    /// Empty when the phone has not yet been told the name (a facilitator who left the team but
    /// whose visits are still in scope).
    pub display_name: String,
    pub phone: Option<String>,
    pub villages: Vec<String>,
    /// Beneficiaries in the facilitator's villages.
    pub beneficiaries: u64,
    /// Completed visits by the facilitator in the month.
    pub visits_this_month: u64,
    /// Distinct beneficiaries visited in the month.
    pub beneficiaries_visited: u64,
    /// Their completed visits not yet verified.
    pub visits_to_verify: u64,
    /// When their latest visit in scope started (Unix ms).
    pub last_visit_at: Option<i64>,
}

impl FieldStore {
    /// The villages this user works in, in code order: a facilitator's own, a supervisor's
    /// districts' villages, every village for an administrator.
    pub fn villages_in_scope(&self) -> Result<Vec<crate::region::Region>> {
        let who = self.require_identity()?;
        let regions = self.regions();
        Ok(match who.role {
            Role::Facilitator => who.villages.iter().filter_map(|v| regions.get(v).cloned()).collect(),
            Role::Supervisor => who.districts.iter().flat_map(|d| regions.villages_in(d).cloned().collect::<Vec<_>>()).collect(),
            Role::Admin => regions.iter().filter(|r| r.level == crate::region::RegionLevel::Village).cloned().collect(),
            Role::Worker => vec![],
        })
    }

    /// Completed visits in scope that no supervisor has verified, oldest first.
    pub fn visits_to_verify(&self, limit: u32) -> Result<Vec<VisitToVerify>> {
        let who = self.require_identity()?;
        if who.role == Role::Worker {
            return Err(Error::not_allowed("read_only", "workers do not verify visits"));
        }
        let (filter, scope_args) = who.sql_filter();
        let sql = format!(
            "SELECT v.doc, b.full_name, b.village_code FROM visit v JOIN beneficiary b ON b.id = v.beneficiary_id
             WHERE v.status = 'completed' AND v.doc ->> '$.verified_by' IS NULL AND {filter} ORDER BY v.started_at LIMIT ?"
        );
        let limit = i64::from(limit.clamp(1, 500));
        self.read(|c| {
            let mut args: Vec<&dyn ToSql> = scope_args.iter().map(|a| a as &dyn ToSql).collect();
            args.push(&limit);
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(args.as_slice(), |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(doc, name, village)| {
                    Ok(VisitToVerify { visit: serde_json::from_str(&doc)?, beneficiary_name: name, village_code: village })
                })
                .collect()
        })
    }

    /// The people this user works with, as the server last sent them: a supervisor's
    /// facilitators, a facilitator's supervisor, a worker's facilitator. Workers are never listed.
    pub fn team(&self) -> Result<Vec<Person>> {
        Ok(match self.meta("team")? {
            Some(json) => serde_json::from_str(&json)?,
            None => vec![],
        })
    }

    /// Each facilitator of the supervisor's districts with their month: visits, people
    /// visited, visits waiting for verification, the latest visit. Facilitators of the team
    /// first (by name), then anyone else whose visits are in scope.
    pub fn facilitator_overview(&self, month: Month) -> Result<Vec<FacilitatorOverview>> {
        let who = self.require_identity()?;
        if !matches!(who.role, Role::Supervisor | Role::Admin) {
            return Err(Error::not_allowed("not_supervisor", "the team view is for supervisors"));
        }
        let from = month.first_day().start_unix_ms();
        let to = month.first_day().first_of_next_month().start_unix_ms();
        let (filter, scope_args) = who.sql_filter();
        let sql = format!(
            "SELECT v.doc ->> '$.facilitator_id',
                    sum(v.status = 'completed' AND v.started_at >= ? AND v.started_at < ?),
                    count(DISTINCT CASE WHEN v.status = 'completed' AND v.started_at >= ? AND v.started_at < ? THEN v.beneficiary_id END),
                    sum(v.status = 'completed' AND v.doc ->> '$.verified_by' IS NULL),
                    max(v.started_at)
             FROM visit v JOIN beneficiary b ON b.id = v.beneficiary_id WHERE {filter} GROUP BY 1"
        );
        type Row = (String, i64, i64, i64, Option<i64>);
        let rows: Vec<Row> = self.read(|c| {
            let mut args: Vec<&dyn ToSql> = vec![&from, &to, &from, &to];
            args.extend(scope_args.iter().map(|a| a as &dyn ToSql));
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(args.as_slice(), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let mut people: Vec<Person> = self.team()?.into_iter().filter(|p| p.role == Role::Facilitator).collect();
        people.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        for (id, ..) in &rows {
            if !people.iter().any(|p| &p.user_id == id) {
                people.push(Person {
                    user_id: id.clone(),
                    display_name: String::new(),
                    role: Role::Facilitator,
                    phone: None,
                    villages: vec![],
                    districts: vec![],
                });
            }
        }
        people
            .into_iter()
            .map(|p| {
                let row = rows.iter().find(|r| r.0 == p.user_id);
                let mut beneficiaries = 0;
                for v in p.villages.iter().filter(|v| who.can_read(v, "")) {
                    beneficiaries += self.read(|c| {
                        Ok(c.prepare_cached("SELECT count(*) FROM beneficiary WHERE village_code = ?1")?
                            .query_row([v], |r| r.get::<_, i64>(0))?)
                    })? as u64;
                }
                Ok(FacilitatorOverview {
                    beneficiaries,
                    visits_this_month: row.map_or(0, |r| r.1 as u64),
                    beneficiaries_visited: row.map_or(0, |r| r.2 as u64),
                    visits_to_verify: row.map_or(0, |r| r.3 as u64),
                    last_visit_at: row.and_then(|r| r.4),
                    user_id: p.user_id,
                    display_name: p.display_name,
                    phone: p.phone,
                    villages: p.villages,
                })
            })
            .collect()
    }

    /// Every village in scope with its indicators for `month` and its visits waiting for
    /// verification: a supervisor's team overview.
    pub fn team_overview(&self, month: Month) -> Result<Vec<VillageOverview>> {
        let villages = self.villages_in_scope()?;
        let waiting = self.visits_to_verify(500)?;
        villages
            .into_iter()
            .map(|v| {
                Ok(VillageOverview {
                    indicators: self.village_indicators(&v.code, month)?,
                    visits_to_verify: waiting.iter().filter(|w| w.village_code == v.code).count() as u64,
                    village_code: v.code,
                    village_name: v.name,
                })
            })
            .collect()
    }

    /// A returning worker's own status: Prakerja, trainings, each capital application and where it
    /// stands, businesses, and the next steps agreed with the facilitator.
    pub fn my_status(&self) -> Result<WorkerStatus> {
        let file = self.my_file()?;
        let capital = file
            .capital_applications
            .iter()
            .map(|a| CapitalProgress {
                application: a.clone(),
                history: file.history.iter().filter(|h| h.subject_id == a.id).cloned().collect(),
            })
            .collect();
        let mut next_steps: Vec<FollowUp> = file.follow_ups.iter().filter(|f| f.done_on.is_none()).cloned().collect();
        next_steps.sort_by_key(|f| f.due_date);
        let village = file.beneficiary.village_code.clone();
        let facilitators = self.team()?.into_iter().filter(|p| p.role == Role::Facilitator && p.villages.contains(&village)).collect();
        Ok(WorkerStatus {
            facilitators,
            beneficiary: file.beneficiary,
            village_name: file.village_name,
            prakerja: file.prakerja,
            trainings: file.trainings,
            capital,
            businesses: file.businesses,
            next_steps,
        })
    }
}
