//! The console's pages for supervisors (and, reading, facilitators and administrators): the
//! dashboard, beneficiaries and their files, visits to verify, conflicts, a record's history,
//! and the exports. Every page reads only the signed-in user's scope.

use super::i18n::{t, Lang};
use super::report::{self, Dataset, Table};
use super::{blocking, console, error_page, page, Console};
use crate::error::{Result, ServerError};
use crate::http::AppState;
use crate::privacy::Access;
use crate::storage::{FeedScope, ScopedRecord, Storage};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use desmig_core::date::{now_unix_ms, Date, Month};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::{Beneficiary, EntityKind, Visit, VisitStatus};
use desmig_core::protocol::OpStatus;
use desmig_core::query::VillageIndicators;
use desmig_core::region::RegionCatalog;
use desmig_core::scope::Role;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(dashboard))
        .route("/console/beneficiaries", get(beneficiaries))
        .route("/console/beneficiaries/{id}", get(beneficiary_file))
        .route("/console/visits", get(visits))
        .route("/console/visits/{id}", get(visit_page))
        .route("/console/visits/{id}/verify", post(verify_visit))
        .route("/console/conflicts", get(conflicts))
        .route("/console/conflicts/{id}/resolve", post(resolve_conflict))
        .route("/console/history/{kind}/{id}", get(history))
        .route("/console/export/{what}", get(export))
}

/// Runs a page handler: sign-in first, then the page, an error as an error page.
macro_rules! signed_in {
    ($state:expr, $headers:expr) => {
        match console(&$state, &$headers).await {
            Ok(c) => c,
            Err(r) => return r,
        }
    };
}

fn or_error(lang: Lang, r: Result<Response>) -> Response {
    r.unwrap_or_else(|e| error_page(lang, e))
}

fn scope_of(c: &Console) -> FeedScope {
    FeedScope::of(&c.session.user)
}

fn identity(c: &Console) -> desmig_core::scope::Identity {
    c.session.user.identity()
}

fn regions(state: &AppState) -> Arc<RegionCatalog> {
    state.storage.reference_cache().ctx().regions.clone()
}

fn village_name(regions: &RegionCatalog, code: &str) -> String {
    regions.get(code).map(|r| r.name.clone()).unwrap_or_else(|| code.to_string())
}

fn rupiah(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("Rp {}{out}", if n < 0 { "-" } else { "" })
}

fn when(lang: Lang, ms: i64) -> String {
    let d = Date::from_unix_ms(ms);
    let label = desmig_core::labels::date_label(d);
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{} {:02}:{:02} UTC", lang.pick(&label), secs / 3600, secs / 60 % 60)
}

fn date_text(lang: Lang, d: Date) -> String {
    lang.pick(&desmig_core::labels::date_label(d)).to_string()
}

// ---- Dashboard

#[derive(Deserialize, Default)]
struct DashboardParams {
    month: Option<String>,
    /// A province, district or sub-district within the user's scope.
    area: Option<String>,
}

async fn dashboard(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<DashboardParams>) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let month = match p.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => match Month::parse(m) {
            Some(m) => m,
            None => return error_page(lang, ServerError::bad("invalid_month", "the period is a month: YYYY-MM")),
        },
        None => Month::of(Date::from_unix_ms(now_unix_ms())),
    };
    let storage = state.storage.clone();
    let scope = scope_of(&c);
    let data = blocking(move || {
        let ds = Dataset::load(storage.as_ref(), &scope)?;
        let staff = storage.read_staff()?;
        Ok((ds, staff))
    })
    .await;
    let (mut ds, staff) = match data {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let regions = regions(&state);
    // The areas the user may narrow to: the districts (and, across several, their provinces)
    // the scope's records lie in.
    let mut areas: Vec<String> =
        ds.beneficiaries.iter().filter_map(|b| desmig_core::region::district_of(&b.village_code)).map(str::to_string).collect();
    areas.sort();
    areas.dedup();
    let mut provinces: Vec<String> = areas.iter().filter_map(|d| d.split('.').next()).map(str::to_string).collect();
    provinces.dedup();
    if provinces.len() > 1 {
        areas.extend(provinces);
        areas.sort();
    }
    let area = p.area.filter(|a| !a.is_empty());
    if let Some(a) = &area {
        if desmig_core::region::level_of(a).is_none() {
            return error_page(lang, ServerError::bad("invalid_area", "the area is a region code (32, 32.12, …)"));
        }
        ds.narrow(a);
    }
    let villages = report::village_indicators(&ds, month);
    let started = report::businesses_started(&ds, month);
    let total = VillageIndicators::total(villages.values());
    let districts = report::by_district(&villages);
    let funnel = report::prakerja_funnel(&ds);
    let names: HashMap<&str, &str> = staff.iter().map(|p| (p.user_id.as_str(), p.display_name.as_str())).collect();
    let facilitators = report::by_facilitator(&ds, month);
    let tiles = [
        ("ind_beneficiaries", total.beneficiaries.to_string()),
        ("ind_trained", total.trained.to_string()),
        ("ind_incentive", total.prakerja_incentive_received.to_string()),
        ("ind_capital", format!("{} · {}", total.capital_disbursed_count, rupiah(total.capital_disbursed_rupiah))),
        ("ind_running", total.running_businesses.to_string()),
        ("ind_started", started.values().sum::<u64>().to_string()),
        ("ind_beyond", total.businesses_selling_beyond_village.to_string()),
        ("ind_export", total.businesses_exporting.to_string()),
        ("ind_revenue", rupiah(total.sales_revenue_this_month)),
        ("ind_visits", total.visits_this_month.to_string()),
    ];
    let month_label = lang.pick(&desmig_core::labels::month_label(month)).to_string();
    let body = html! {
        form.filters method="get" action="/console" {
            label { (t(lang, "period")) input type="month" name="month" value=(month.to_string()); }
            @if areas.len() > 1 || area.is_some() {
                label { (t(lang, "area")) select name="area" {
                    option value="" { (t(lang, "all_areas")) }
                    @for a in &areas { option value=(a) selected[area.as_deref() == Some(a.as_str())] { (village_name(&regions, a)) } }
                } }
            }
            button.secondary type="submit" { (t(lang, "show")) }
            a href={ "/console/export/indicators.xlsx?month=" (month) } { (t(lang, "download_xlsx")) }
            a href={ "/console/export/indicators.csv?month=" (month) } { "CSV" }
        }
        p.muted { (t(lang, "scope_is")) " " (area.as_deref().map(|a| village_name(&regions, a)).unwrap_or_else(|| scope_label(&c, &regions))) " · " (month_label) }
        div.tiles {
            @for (key, value) in &tiles {
                div.tile data-indicator=(key) { b { (value) } (t(lang, key)) }
            }
        }
        h2 { (t(lang, "capital_by_source")) }
        div.table { table {
            tr { th { (t(lang, "source")) } th.n { (t(lang, "count")) } th.n { (t(lang, "rupiah")) } }
            @for s in &total.capital_by_source {
                tr { td { (t(lang, &format!("source_{}", enum_name(s.source)))) } td.n { (s.count) } td.n { (rupiah(s.rupiah)) } }
            }
        } }
        h2 { (t(lang, "prakerja_funnel")) }
        (bar_chart(&funnel.iter().map(|(k, n)| (t(lang, k).to_string(), *n)).collect::<Vec<_>>()))
        @if districts.len() > 1 {
            h2 { (t(lang, "by_district")) }
            div.table { table #districts {
                tr { th { (t(lang, "district")) } th.n { (t(lang, "ind_beneficiaries")) } th.n { (t(lang, "ind_trained")) } th.n { (t(lang, "ind_capital")) } th.n { (t(lang, "ind_running")) } th.n { (t(lang, "ind_export")) } th.n { (t(lang, "ind_visits")) } }
                @for (code, i) in &districts {
                    tr { td { a href={ "/console?month=" (month) "&area=" (code) } { (village_name(&regions, code)) } } td.n { (i.beneficiaries) } td.n { (i.trained) } td.n { (i.capital_disbursed_count) " · " (rupiah(i.capital_disbursed_rupiah)) } td.n { (i.running_businesses) } td.n { (i.businesses_exporting) } td.n { (i.visits_this_month) } }
                }
            } }
        }
        h2 { (t(lang, "by_village")) }
        (bar_chart(&villages.iter().map(|(v, i)| (village_name(&regions, v), i.visits_this_month)).collect::<Vec<_>>()))
        div.table { table #villages {
            tr {
                th { (t(lang, "village")) } th.n { (t(lang, "ind_beneficiaries")) } th.n { (t(lang, "ind_trained")) }
                th.n { (t(lang, "ind_capital")) } th.n { (t(lang, "ind_running")) } th.n { (t(lang, "ind_started")) }
                th.n { (t(lang, "ind_beyond")) } th.n { (t(lang, "ind_export")) } th.n { (t(lang, "ind_revenue")) } th.n { (t(lang, "ind_visits")) }
            }
            @for (code, i) in &villages {
                tr data-village=(code) {
                    td { (village_name(&regions, code)) }
                    td.n { (i.beneficiaries) } td.n { (i.trained) }
                    td.n { (i.capital_disbursed_count) " · " (rupiah(i.capital_disbursed_rupiah)) }
                    td.n { (i.running_businesses) } td.n { (started.get(code).copied().unwrap_or(0)) }
                    td.n { (i.businesses_selling_beyond_village) } td.n { (i.businesses_exporting) }
                    td.n { (rupiah(i.sales_revenue_this_month)) } td.n { (i.visits_this_month) }
                }
            }
        } }
        h2 { (t(lang, "by_facilitator")) }
        div.table { table #facilitators {
            tr { th { (t(lang, "facilitator")) } th.n { (t(lang, "ind_visits")) } th.n { (t(lang, "people_visited")) } th.n { (t(lang, "to_verify")) } }
            @for f in &facilitators {
                tr { td { (names.get(f.user_id.as_str()).copied().unwrap_or(f.user_id.as_str())) } td.n { (f.visits) } td.n { (f.people_visited) } td.n { (f.to_verify) } }
            }
        } }
        h2 { (t(lang, "downloads")) }
        ul #downloads {
            @for (what, key) in [("indicators", "by_village"), ("beneficiaries", "nav_beneficiaries"), ("visits", "nav_visits"), ("statuses", "statuses"), ("sales", "sales")] {
                li { (t(lang, key)) ": "
                    a href={ "/console/export/" (what) ".xlsx?month=" (month) } { "XLSX" } " · "
                    a href={ "/console/export/" (what) ".csv?month=" (month) } { "CSV" } }
            }
        }
    };
    page(Some(&c), lang, t(lang, "nav_dashboard"), body)
}

fn enum_name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn scope_label(c: &Console, regions: &RegionCatalog) -> String {
    let u = &c.session.user;
    match u.role {
        Role::Admin => "Indonesia".into(),
        Role::Supervisor => u.districts.iter().map(|d| village_name(regions, d)).collect::<Vec<_>>().join(", "),
        _ => u.villages.iter().map(|v| village_name(regions, v)).collect::<Vec<_>>().join(", "),
    }
}

/// Horizontal bars drawn on the server: no script, no library.
fn bar_chart(bars: &[(String, u64)]) -> Markup {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let row = 22.0;
    let height = (bars.len() as f64 * row + 8.0).max(30.0);
    html! {
        svg.chart viewBox={ "0 0 640 " (height) } role="img" xmlns="http://www.w3.org/2000/svg" {
            @for (i, (label, value)) in bars.iter().enumerate() {
                @let y = 4.0 + i as f64 * row;
                @let w = (*value as f64 / max) * 380.0;
                text x="4" y=(y + 15.0) font-size="12" fill="#1f2933" { (label) }
                rect x="210" y=(y + 3.0) width=(format!("{w:.1}")) height="14" fill="#0b6e4f" rx="2" {}
                text x=(format!("{:.1}", 216.0 + w)) y=(y + 15.0) font-size="12" fill="#616e7c" { (value) }
            }
        }
    }
}

// ---- Beneficiaries

#[derive(Deserialize, Default)]
struct SearchParams {
    #[serde(default)]
    q: String,
}

async fn beneficiaries(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<SearchParams>) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let storage = state.storage.clone();
    let scope = scope_of(&c);
    let q = p.q.trim().to_lowercase();
    let found = blocking(move || {
        let records = storage.read_records(&scope, &[EntityKind::Beneficiary])?;
        let mut list: Vec<Beneficiary> = records.iter().filter_map(|r| r.entity::<Beneficiary>().ok()).collect();
        if !q.is_empty() {
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            list.retain(|b| b.full_name.to_lowercase().contains(&q) || (digits.len() == 16 && b.nik.as_deref() == Some(digits.as_str())));
        }
        list.sort_by(|a, b| (&a.village_code, &a.full_name).cmp(&(&b.village_code, &b.full_name)));
        Ok(list)
    })
    .await;
    let list = match found {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let regions = regions(&state);
    let shown = list.len().min(200);
    let body = html! {
        form.filters method="get" action="/console/beneficiaries" {
            label { (t(lang, "search_name_nik")) input type="search" name="q" value=(p.q); }
            button.secondary type="submit" { (t(lang, "search")) }
            a href="/console/export/beneficiaries.xlsx" { (t(lang, "download_xlsx")) }
            a href="/console/export/beneficiaries.csv" { "CSV" }
        }
        p.muted { (list.len()) " " (t(lang, "found")) @if list.len() > shown { " · " (t(lang, "first_200")) } }
        div.table { table #beneficiaries {
            tr { th { (t(lang, "name")) } th { "NIK" } th { (t(lang, "village")) } }
            @for b in list.iter().take(shown) {
                tr {
                    td { a href={ "/console/beneficiaries/" (b.id) } { (b.full_name) } }
                    td { (b.nik.as_deref().map(report::masked_nik).unwrap_or_default()) }
                    td { (village_name(&regions, &b.village_code)) }
                }
            }
        } }
    };
    page(Some(&c), lang, t(lang, "nav_beneficiaries"), body)
}

/// A file the user may read, or "not found" (another scope's file is not acknowledged).
fn readable(c: &Console, r: Option<ScopedRecord>, kind: &str, id: &str) -> Result<ScopedRecord> {
    match r {
        Some(r) if identity(c).can_read(&r.village_code, &r.beneficiary_id) => Ok(r),
        _ => Err(ServerError::NotFound(format!("{kind} {id} not found"))),
    }
}

async fn beneficiary_file(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let storage = state.storage.clone();
    let session = c.session.clone();
    let who = identity(&c);
    let loaded = blocking(move || {
        let record = storage.read_record(EntityKind::Beneficiary, &id)?;
        let record = match record {
            Some(r) if who.can_read(&r.village_code, &r.beneficiary_id) => r,
            _ => return Err(ServerError::NotFound(format!("beneficiary {id} not found"))),
        };
        let file = storage.read_records(&FeedScope::Beneficiary(id.clone()), &desmig_core::model::EntityKind::ALL)?;
        // Opening a file in the console is a read of personal data: it goes in the file's log.
        storage.insert_access(&crate::storage::access_entry(&session, &id, Access::View, now_unix_ms()))?;
        Ok((record, file))
    })
    .await;
    let (record, file) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let b: Beneficiary = match record.entity() {
        Ok(b) => b,
        Err(e) => return error_page(lang, e),
    };
    let regions = regions(&state);
    let ctx = state.storage.reference_cache().ctx();
    let full_nik = c.role() == Role::Admin;
    let country = b.last_country.as_deref().and_then(desmig_core::labels::country).map(|c| lang.pick(&c.name).to_string());
    let of_kind = |k: EntityKind| file.iter().filter(move |r| r.kind == k);
    let body = html! {
        dl.fields {
            dt { (t(lang, "name")) } dd #name { (b.full_name) }
            dt { "NIK" } dd #nik { (b.nik.as_deref().map(|n| if full_nik { n.to_string() } else { report::masked_nik(n) }).unwrap_or_default()) }
            dt { (t(lang, "sex")) } dd { (t(lang, &format!("sex_{}", enum_name(b.sex)))) }
            dt { (t(lang, "village")) } dd { (village_name(&regions, &b.village_code)) }
            @if let Some(d) = b.birth_date { dt { (t(lang, "birth_date")) } dd { (date_text(lang, d)) } }
            @if let Some(c) = &country { dt { (t(lang, "last_country")) } dd { (c) } }
            @if let Some(m) = b.return_month { dt { (t(lang, "return_month")) } dd { (lang.pick(&desmig_core::labels::month_label(m))) } }
            dt { (t(lang, "consent")) } dd {
                @if let Some(at) = b.consent_withdrawn_at { span.error { (t(lang, "consent_withdrawn")) " " (when(lang, at)) } }
                @else { (t(lang, "consent_given")) " " (when(lang, b.consent_given_at)) }
            }
        }
        p { a href={ "/console/history/beneficiary/" (b.id) } { (t(lang, "history")) } }
        h2 { (t(lang, "statuses")) }
        div.table { table #statuses {
            tr { th { (t(lang, "record")) } th { (t(lang, "stage")) } th {} }
            @for r in file.iter().filter(|r| matches!(r.kind, EntityKind::Prakerja | EntityKind::Training | EntityKind::CapitalApplication | EntityKind::Business)) {
                tr {
                    td { (t(lang, &format!("kind_{}", r.kind.table()))) @if let Some(n) = r.state.fields.get("title").or(r.state.fields.get("name")).and_then(Value::as_str) { ": " (n) } }
                    td { (stage_text(lang, r)) }
                    td { a href={ "/console/history/" (r.kind.table()) "/" (r.id) } { (t(lang, "history")) } }
                }
            }
        } }
        h2 { (t(lang, "sales")) }
        div.table { table {
            tr { th { (t(lang, "date")) } th { (t(lang, "product")) } th { (t(lang, "market")) } th.n { (t(lang, "rupiah")) } }
            @for r in of_kind(EntityKind::ProductSale) {
                @if let Ok(s) = r.entity::<desmig_core::model::ProductSale>() {
                    tr { td { (date_text(lang, s.sold_on)) } td { (s.product) } td { (t(lang, &format!("market_{}", enum_name(s.market)))) @if let Some(cc) = s.export_country.as_deref().and_then(desmig_core::labels::country) { " (" (lang.pick(&cc.name)) ")" } } td.n { (rupiah(s.revenue)) } }
                }
            }
        } }
        h2 { (t(lang, "nav_visits")) }
        div.table { table #visits {
            tr { th { (t(lang, "date")) } th { (t(lang, "checklist")) } th { (t(lang, "status")) } }
            @for r in of_kind(EntityKind::Visit) {
                @if let Ok(v) = r.entity::<Visit>() {
                    tr {
                        td { a href={ "/console/visits/" (v.id) } { (when(lang, v.started_at)) } }
                        td { (template_title(&ctx, &v, lang)) }
                        td { (visit_status(lang, &v)) }
                    }
                }
            }
        } }
    };
    page(Some(&c), lang, &b.full_name, body)
}

fn stage_text(lang: Lang, r: &ScopedRecord) -> String {
    let (prefix, field) = match r.kind {
        EntityKind::Prakerja => ("prakerja", "stage"),
        EntityKind::Training => ("training", "status"),
        EntityKind::CapitalApplication => ("capital", "stage"),
        EntityKind::Business => ("business", "status"),
        _ => return String::new(),
    };
    r.state.fields.get(field).and_then(Value::as_str).map(|s| t(lang, &format!("{prefix}_{s}")).to_string()).unwrap_or_default()
}

fn template_title(ctx: &desmig_core::model::Reference, v: &Visit, lang: Lang) -> String {
    title_of(ctx, &v.template_id, v.template_version, lang)
}

fn title_of(ctx: &desmig_core::model::Reference, id: &str, version: u32, lang: Lang) -> String {
    ctx.templates.get(&(id.to_string(), version)).map(|t| lang.pick(&t.title).to_string()).unwrap_or_else(|| id.to_string())
}

fn visit_status(lang: Lang, v: &Visit) -> &'static str {
    match (v.status, v.verified_by.is_some()) {
        (VisitStatus::Draft, _) => t(lang, "visit_draft"),
        (VisitStatus::Completed, false) => t(lang, "visit_completed"),
        (VisitStatus::Completed, true) => t(lang, "visit_verified"),
    }
}

// ---- Visits

async fn visits(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let storage = state.storage.clone();
    let scope = scope_of(&c);
    let loaded = blocking(move || {
        // Visits are read as their facts: their answers are not parsed for a list.
        #[derive(Deserialize)]
        struct Name {
            full_name: String,
        }
        let (mut names, mut waiting): (HashMap<String, (String, String)>, Vec<report::VisitFacts>) = Default::default();
        storage.scan_records(&scope, &[EntityKind::Visit, EntityKind::Beneficiary], &mut |kind, id, village, fields| {
            match kind {
                EntityKind::Beneficiary => {
                    if let Ok(n) = serde_json::from_str::<Name>(fields) {
                        names.insert(id.to_string(), (n.full_name, village.to_string()));
                    }
                }
                _ => waiting
                    .extend(report::VisitFacts::read(id, fields).filter(|v| v.status == VisitStatus::Completed && v.verified_by.is_none())),
            }
            Ok(())
        })?;
        waiting.sort_by_key(|v| v.started_at);
        let staff: HashMap<String, String> = storage.read_staff()?.into_iter().map(|p| (p.user_id, p.display_name)).collect();
        Ok((waiting, names, staff))
    })
    .await;
    let (waiting, names, staff) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let regions = regions(&state);
    let ctx = state.storage.reference_cache().ctx();
    let body = html! {
        p.muted { (waiting.len()) " " (t(lang, "visits_waiting")) }
        div.table { table #to-verify {
            tr { th { (t(lang, "date")) } th { (t(lang, "name")) } th { (t(lang, "village")) } th { (t(lang, "checklist")) } th { (t(lang, "facilitator")) } }
            @for v in waiting.iter().take(500) {
                @let (name, village) = names.get(&v.beneficiary_id).cloned().unwrap_or_default();
                tr {
                    td { a href={ "/console/visits/" (v.id) } { (when(lang, v.started_at)) } }
                    td { (name) } td { (village_name(&regions, &village)) }
                    td { (title_of(&ctx, &v.template_id, v.template_version, lang)) }
                    td { (staff.get(&v.facilitator_id).cloned().unwrap_or_else(|| v.facilitator_id.clone())) }
                }
            }
        } }
    };
    page(Some(&c), lang, t(lang, "visits_to_verify"), body)
}

async fn visit_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let storage = state.storage.clone();
    let loaded = blocking(move || {
        let visit = storage.read_record(EntityKind::Visit, &id)?;
        let staff: HashMap<String, String> = storage.read_staff()?.into_iter().map(|p| (p.user_id, p.display_name)).collect();
        let beneficiary = match &visit {
            Some(v) => storage.read_record(EntityKind::Beneficiary, &v.beneficiary_id)?,
            None => None,
        };
        Ok((visit, beneficiary, staff, id))
    })
    .await;
    let (visit, beneficiary, staff, id) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let record = match readable(&c, visit, "visit", &id) {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let v: Visit = match record.entity() {
        Ok(v) => v,
        Err(e) => return error_page(lang, e),
    };
    let b = beneficiary.and_then(|b| b.entity::<Beneficiary>().ok());
    let regions = regions(&state);
    let ctx = state.storage.reference_cache().ctx();
    let template = ctx.templates.get(&(v.template_id.clone(), v.template_version)).cloned();
    let answers = template.as_ref().map(|t| desmig_core::present::answer_lines(t, &v.answers)).unwrap_or_default();
    let can_verify = desmig_core::present::can_verify(&v, &identity(&c), &record.village_code);
    let body = html! {
        dl.fields {
            dt { (t(lang, "name")) } dd { @if let Some(b) = &b { a href={ "/console/beneficiaries/" (b.id) } { (b.full_name) } } }
            dt { (t(lang, "village")) } dd { (village_name(&regions, &record.village_code)) }
            dt { (t(lang, "checklist")) } dd #checklist { (template_title(&ctx, &v, lang)) }
            dt { (t(lang, "facilitator")) } dd { (staff.get(&v.facilitator_id).cloned().unwrap_or_else(|| v.facilitator_id.clone())) }
            dt { (t(lang, "date")) } dd { (when(lang, v.started_at)) }
            dt { (t(lang, "status")) } dd #status { (visit_status(lang, &v)) }
            @if let Some(by) = &v.verified_by { dt { (t(lang, "verified_by")) } dd { (staff.get(by).cloned().unwrap_or_else(|| by.clone())) @if let Some(at) = v.verified_at { ", " (when(lang, at)) } } }
            @if let Some(g) = &v.location { dt { "GPS" } dd { (format!("{:.5}, {:.5}", g.lat, g.lon)) } }
            @if let Some(n) = &v.notes { dt { (t(lang, "notes")) } dd #notes { (n) } }
        }
        h2 { (t(lang, "answers")) }
        div.table { table #answers {
            @for a in &answers {
                tr {
                    td { (lang.pick(&a.label)) }
                    td {
                        @if let Some(yes) = a.yes { (if yes { t(lang, "yes") } else { t(lang, "no") }) }
                        @for ch in &a.choices { (lang.pick(ch)) " " }
                        @if let Some(val) = &a.value { (val) }
                    }
                }
            }
        } }
        @if can_verify {
            form.actions method="post" action={ "/console/visits/" (v.id) "/verify" } {
                input type="hidden" name="csrf" value=(c.csrf);
                button #verify type="submit" { (t(lang, "verify")) }
            }
        }
        p { a href={ "/console/history/visit/" (v.id) } { (t(lang, "history")) } }
    };
    page(Some(&c), lang, t(lang, "visit"), body)
}

/// A clock for a write by the console that comes after `after` (the value it replaces).
fn next_clock(now_ms: i64, after: &Hlc, node: &str) -> Hlc {
    let now = now_ms.max(0) as u64;
    if now > after.millis {
        Hlc { millis: now, counter: 0, node: node.to_string() }
    } else {
        Hlc { millis: after.millis, counter: after.counter.saturating_add(1), node: node.to_string() }
    }
}

/// Writes `fields` of a record as the console's device of the signed-in user: one operation,
/// through the same planner, rules and merge as a phone's push. Returns the refusal, if any.
pub fn write_as_console(
    storage: &dyn Storage,
    c: &crate::storage::Session,
    record: &ScopedRecord,
    fields: Vec<(&str, Value)>,
    resolves: Vec<String>,
) -> Result<()> {
    let now = now_unix_ms();
    let newest = fields.iter().map(|(f, _)| record.state.clock_of(f).hlc).max().unwrap_or_else(|| record.state.created.clone());
    let op = Operation {
        op_id: uuid::Uuid::now_v7().to_string(),
        device_id: c.device_id.clone(),
        user_id: c.user.id.clone(),
        entity: record.kind,
        entity_id: record.id.clone(),
        hlc: next_clock(now, &newest, &c.device_id),
        fields: fields
            .into_iter()
            .map(|(f, value)| (f.to_string(), FieldChange { value, base: Some(record.state.clock_of(f).hlc) }))
            .collect::<BTreeMap<_, _>>(),
        resolves,
    };
    let result = storage.push(c, &[op], now)?.into_iter().next().ok_or_else(|| ServerError::Internal("no result".into()))?;
    match result.status {
        OpStatus::Applied | OpStatus::Duplicate => Ok(()),
        _ => Err(ServerError::Forbidden {
            code: static_code(result.code.unwrap_or_else(|| "rejected".into())),
            message: result.message.unwrap_or_default(),
        }),
    }
}

/// Codes from the rules are few and fixed (the core's `Code`); the error type wants them static.
fn static_code(code: String) -> &'static str {
    match desmig_core::labels::Code::of(&code) {
        desmig_core::labels::Code::Other => "rejected",
        known => known.name(),
    }
}

async fn verify_visit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(lang, e);
    }
    let storage = state.storage.clone();
    let session = c.session.clone();
    let who = identity(&c);
    let visit_id = id.clone();
    let done = blocking(move || {
        let record = storage.read_record(EntityKind::Visit, &visit_id)?;
        let record = match record {
            Some(r) if who.can_read(&r.village_code, &r.beneficiary_id) => r,
            _ => return Err(ServerError::NotFound(format!("visit {visit_id} not found"))),
        };
        let now = now_unix_ms();
        write_as_console(
            storage.as_ref(),
            &session,
            &record,
            vec![("verified_by", json!(session.user.id)), ("verified_at", json!(now))],
            vec![],
        )
    })
    .await;
    or_error(lang, done.map(|()| Redirect::to(&format!("/console/visits/{id}")).into_response()))
}

// ---- Conflicts

async fn conflicts(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let storage = state.storage.clone();
    let who = identity(&c);
    let loaded = blocking(move || {
        let mut out = Vec::new();
        for k in storage.read_conflicts(false)? {
            let Some(record) = storage.read_record(k.entity, &k.entity_id)? else { continue };
            if !who.can_read(&record.village_code, &record.beneficiary_id) {
                continue;
            }
            let name = storage
                .read_record(EntityKind::Beneficiary, &record.beneficiary_id)?
                .and_then(|b| b.state.fields.get("full_name").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default();
            out.push((k, record, name));
        }
        Ok(out)
    })
    .await;
    let list = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let may_resolve = matches!(c.role(), Role::Supervisor | Role::Admin);
    let body = html! {
        p.muted { (list.len()) " " (t(lang, "conflicts_open")) }
        div.table { table #conflicts {
            tr { th { (t(lang, "name")) } th { (t(lang, "field")) } th { (t(lang, "kept_value")) } th { (t(lang, "other_value")) } th {} }
            @for (k, record, name) in &list {
                tr {
                    td { a href={ "/console/beneficiaries/" (record.beneficiary_id) } { (name) } }
                    td { (field_label(lang, &k.field)) }
                    td { (shown(lang, record.kind, &k.field, record.state.fields.get(&k.field).unwrap_or(&Value::Null))) }
                    td { (shown(lang, record.kind, &k.field, &k.losing_value)) }
                    td {
                        @if may_resolve {
                            form.inline method="post" action={ "/console/conflicts/" (k.id) "/resolve" } {
                                input type="hidden" name="csrf" value=(c.csrf);
                                button.secondary type="submit" name="keep" value="current" { (t(lang, "keep_current")) }
                                " "
                                button type="submit" name="keep" value="other" { (t(lang, "take_other")) }
                            }
                        }
                    }
                }
            }
        } }
    };
    page(Some(&c), lang, t(lang, "nav_conflicts"), body)
}

fn field_label(lang: Lang, field: &str) -> String {
    let key = desmig_core::labels::field_key(field);
    let text = t(lang, &key);
    if text == key {
        field.to_string()
    } else {
        text.to_string()
    }
}

/// A stored value as a person reads it (the core's `labels::shown`).
fn shown(lang: Lang, kind: EntityKind, field: &str, value: &Value) -> String {
    use desmig_core::labels::Shown;
    match desmig_core::labels::shown(kind, field, value) {
        Shown::Empty => "—".into(),
        Shown::Key { key } => {
            let text = t(lang, &key);
            if text == key {
                key
            } else {
                text.to_string()
            }
        }
        Shown::Rupiah { rupiah: r } => rupiah(r),
        Shown::Date { label, .. } => lang.pick(&label).to_string(),
        Shown::Country { name, .. } => lang.pick(&name).to_string(),
        Shown::YesNo { yes } => t(lang, if yes { "yes" } else { "no" }).to_string(),
        Shown::Text { text } => text,
    }
}

#[derive(Deserialize)]
struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    keep: String,
}

async fn resolve_conflict(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ResolveForm>,
) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(lang, e);
    }
    let take_other = match form.keep.as_str() {
        "current" => false,
        "other" => true,
        _ => return error_page(lang, ServerError::bad("invalid_choice", "choose the value to keep")),
    };
    let storage = state.storage.clone();
    let session = c.session.clone();
    let who = identity(&c);
    let done = blocking(move || {
        let conflict = storage
            .read_conflicts(false)?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or_else(|| ServerError::NotFound(format!("open conflict {id} not found")))?;
        let record = storage.read_record(conflict.entity, &conflict.entity_id)?;
        let record = match record {
            Some(r) if who.can_read(&r.village_code, &r.beneficiary_id) => r,
            _ => return Err(ServerError::NotFound(format!("open conflict {id} not found"))),
        };
        let value = if take_other {
            conflict.losing_value.clone()
        } else {
            record.state.fields.get(&conflict.field).cloned().unwrap_or(Value::Null)
        };
        write_as_console(storage.as_ref(), &session, &record, vec![(conflict.field.as_str(), value)], vec![conflict.id.clone()])
    })
    .await;
    or_error(lang, done.map(|()| Redirect::to("/console/conflicts").into_response()))
}

// ---- A record's history

async fn history(State(state): State<AppState>, headers: HeaderMap, Path((kind, id)): Path<(String, String)>) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let Some(kind) = EntityKind::parse(&kind) else {
        return error_page(lang, ServerError::NotFound(format!("{kind} {id} not found")));
    };
    let storage = state.storage.clone();
    let loaded = blocking(move || {
        let record = storage.read_record(kind, &id)?;
        let ops = storage.read_record_ops(kind, &id)?;
        let users: HashMap<String, String> = storage.read_users()?.into_iter().map(|u| (u.user.id, u.user.display_name)).collect();
        Ok((record, ops, users, id))
    })
    .await;
    let (record, ops, users, id) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let record = match readable(&c, record, kind.table(), &id) {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let full_nik = c.role() == Role::Admin;
    // Old → new: each field's value before an operation is what the previous one wrote.
    let mut last: HashMap<String, Value> = HashMap::new();
    let mut rows = Vec::new();
    for op in &ops {
        let Some(fields) = &op.fields else {
            rows.push((op, "—".to_string(), String::new(), String::new()));
            continue;
        };
        for (field, change) in fields {
            let old = last.get(field).cloned().unwrap_or(Value::Null);
            let hide = field == "nik" && !full_nik;
            let show = |v: &Value| if hide && !v.is_null() { "••••".to_string() } else { shown(lang, kind, field, v) };
            rows.push((op, field_label(lang, field), show(&old), show(&change.value)));
            last.insert(field.clone(), change.value.clone());
        }
    }
    let body = html! {
        p.muted { (t(lang, &format!("kind_{}", kind.table()))) " · " code { (record.id) } }
        div.table { table #history {
            tr { th { (t(lang, "when")) } th { (t(lang, "who")) } th { (t(lang, "device")) } th { (t(lang, "field")) } th { (t(lang, "old_value")) } th { (t(lang, "new_value")) } }
            @for (op, field, old, new) in &rows {
                tr {
                    td { (when(lang, op.hlc.as_ref().map_or(op.applied_at, |h| h.millis as i64))) }
                    td { (users.get(&op.user_id).cloned().unwrap_or_else(|| op.user_id.clone())) }
                    td { code { (op.device_id) } }
                    td { (field) } td { (old) } td { (new) }
                }
            }
        } }
        @if ops.iter().any(|o| o.fields.is_none()) { p.hint { (t(lang, "history_before_audit")) } }
    };
    page(Some(&c), lang, t(lang, "history"), body)
}

// ---- Exports (the same tables as the pages)

#[derive(Deserialize, Default)]
pub struct ExportParams {
    pub month: Option<String>,
}

async fn export(State(state): State<AppState>, headers: HeaderMap, Path(what): Path<String>, Query(p): Query<ExportParams>) -> Response {
    let c = signed_in!(state, headers);
    let lang = c.lang;
    let storage = state.storage.clone();
    let user = c.session.user.clone();
    match blocking(move || export_file(storage.as_ref(), &user, &what, p.month.as_deref(), lang)).await {
        Ok(file) => file.into_response(),
        Err(e) => error_page(lang, e),
    }
}

/// A file to download.
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub name: String,
}

impl IntoResponse for ExportFile {
    fn into_response(self) -> Response {
        let mut r = (StatusCode::OK, self.bytes).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(self.mime));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", self.name)) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        r
    }
}

/// An export of `user`'s scope: `indicators`, `beneficiaries` or `visits`, as `.xlsx` or `.csv`
/// (`what` = `indicators.xlsx`), for the console and for other systems on the API.
pub fn export_file(storage: &dyn Storage, user: &crate::storage::User, what: &str, month: Option<&str>, lang: Lang) -> Result<ExportFile> {
    let (name, format) = match what.rsplit_once('.') {
        Some((n, f @ ("xlsx" | "csv"))) => (n.to_string(), f),
        _ => return Err(ServerError::NotFound(format!("no export {what}: indicators, beneficiaries or visits, .xlsx or .csv"))),
    };
    let month = match month.filter(|m| !m.is_empty()).map(Month::parse) {
        Some(Some(m)) => m,
        Some(None) => return Err(ServerError::bad("invalid_month", "the period is a month: YYYY-MM")),
        None => Month::of(Date::from_unix_ms(now_unix_ms())),
    };
    if user.role == Role::Worker {
        return Err(ServerError::forbidden("not_staff", "exports are for programme staff"));
    }
    let scope = FeedScope::of(user);
    let ctx = storage.reference_cache().ctx();
    let full_nik = user.role == Role::Admin;
    let words = |keys: &[&str]| keys.iter().map(|k| t(lang, k).to_string()).collect::<Vec<_>>();
    let table = match name.as_str() {
        "indicators" => {
            let header = words(&[
                "district_code",
                "district",
                "code",
                "village",
                "ind_beneficiaries",
                "ind_trained",
                "ind_incentive",
                "ind_capital_count",
                "ind_capital_rupiah",
                "source_kur",
                "source_programme_incentive",
                "source_village_fund",
                "ind_running",
                "ind_started",
                "ind_beyond",
                "ind_export",
                "ind_revenue",
                "ind_visits",
            ]);
            report::indicators_table(&Dataset::load(storage, &scope)?, month, &ctx.regions, header)
        }
        "beneficiaries" => {
            let header = words(&["id", "name", "nik", "sex", "code", "village", "last_country", "return_month", "consent"]);
            report::beneficiaries_table(&Dataset::load(storage, &scope)?, &ctx.regions, full_nik, header)
        }
        "visits" => visits_table(storage, &scope, &ctx, month, lang)?,
        "statuses" => statuses_table(storage, &scope, lang)?,
        "sales" => sales_table(storage, &scope, lang)?,
        _ => {
            return Err(ServerError::NotFound(format!(
                "no export {what}: indicators, beneficiaries, visits, statuses or sales, .xlsx or .csv"
            )))
        }
    };
    let (bytes, mime) = if format == "xlsx" {
        (table.xlsx()?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else {
        (table.csv().into_bytes(), "text/csv; charset=utf-8")
    };
    Ok(ExportFile { bytes, mime, name: format!("desmig-{name}-{month}.{format}") })
}

/// Every programme status (Prakerja, trainings, capital, businesses), one row per record.
fn statuses_table(storage: &dyn Storage, scope: &FeedScope, lang: Lang) -> Result<Table> {
    use report::Cell;
    let kinds = [EntityKind::Beneficiary, EntityKind::Prakerja, EntityKind::Training, EntityKind::CapitalApplication, EntityKind::Business];
    let records = storage.read_records(scope, &kinds)?;
    let names: HashMap<&str, &str> = records
        .iter()
        .filter(|r| r.kind == EntityKind::Beneficiary)
        .filter_map(|r| r.state.fields.get("full_name").and_then(Value::as_str).map(|n| (r.id.as_str(), n)))
        .collect();
    let number = |r: &ScopedRecord, f: &str| {
        r.state.fields.get(f).and_then(Value::as_i64).map_or(Cell::Text(String::new()), |n| Cell::Number(n as f64))
    };
    let rows = records
        .iter()
        .filter(|r| r.kind != EntityKind::Beneficiary)
        .map(|r| {
            let title = ["title", "name", "source"].iter().find_map(|f| r.state.fields.get(*f).and_then(Value::as_str)).unwrap_or_default();
            vec![
                Cell::Text(r.beneficiary_id.clone()),
                Cell::Text(names.get(r.beneficiary_id.as_str()).copied().unwrap_or_default().to_string()),
                Cell::Text(r.village_code.clone()),
                Cell::Text(t(lang, &format!("kind_{}", r.kind.table())).to_string()),
                Cell::Text(title.to_string()),
                Cell::Text(stage_text(lang, r)),
                number(r, "amount_requested"),
                number(r, "amount_disbursed"),
                number(r, "monthly_revenue"),
            ]
        })
        .collect();
    let header =
        ["id", "name", "code", "record", "title", "stage", "field_amount_requested", "field_amount_disbursed", "field_monthly_revenue"];
    Ok(Table { name: "Status".into(), header: header.iter().map(|k| t(lang, k).to_string()).collect(), rows })
}

/// Every product sale, one row each.
fn sales_table(storage: &dyn Storage, scope: &FeedScope, lang: Lang) -> Result<Table> {
    use report::Cell;
    let records = storage.read_records(scope, &[EntityKind::Beneficiary, EntityKind::Business, EntityKind::ProductSale])?;
    let name_of = |kind: EntityKind, field: &str| -> HashMap<String, String> {
        records
            .iter()
            .filter(|r| r.kind == kind)
            .filter_map(|r| r.state.fields.get(field).and_then(Value::as_str).map(|n| (r.id.clone(), n.to_string())))
            .collect()
    };
    let (people, businesses) = (name_of(EntityKind::Beneficiary, "full_name"), name_of(EntityKind::Business, "name"));
    let mut sales: Vec<(String, desmig_core::model::ProductSale)> = records
        .iter()
        .filter(|r| r.kind == EntityKind::ProductSale)
        .filter_map(|r| r.entity().ok().map(|s| (r.village_code.clone(), s)))
        .collect();
    sales.sort_by_key(|(_, s)| s.sold_on);
    let rows = sales
        .into_iter()
        .map(|(village, s)| {
            vec![
                Cell::Text(s.sold_on.to_string()),
                Cell::Text(people.get(&s.beneficiary_id).cloned().unwrap_or_default()),
                Cell::Text(village),
                Cell::Text(businesses.get(&s.business_id).cloned().unwrap_or_default()),
                Cell::Text(s.product.clone()),
                Cell::Number(s.quantity),
                Cell::Text(s.unit.clone()),
                Cell::Text(t(lang, &format!("market_{}", enum_name(s.market))).to_string()),
                Cell::Text(s.export_country.clone().unwrap_or_default()),
                Cell::Number(s.revenue as f64),
            ]
        })
        .collect();
    let header =
        ["date", "name", "code", "kind_business", "product", "quantity", "unit", "market", "field_export_country", "field_revenue"];
    Ok(Table { name: "Penjualan".into(), header: header.iter().map(|k| t(lang, k).to_string()).collect(), rows })
}

/// The visits started in `month`, one row per answer: who, where, which checklist, the item's
/// label and the answer as read.
fn visits_table(storage: &dyn Storage, scope: &FeedScope, ctx: &desmig_core::model::Reference, month: Month, lang: Lang) -> Result<Table> {
    use report::Cell;
    let records = storage.read_records(scope, &[EntityKind::Visit, EntityKind::Beneficiary])?;
    let names: HashMap<String, String> = records
        .iter()
        .filter(|r| r.kind == EntityKind::Beneficiary)
        .filter_map(|r| r.entity::<Beneficiary>().ok())
        .map(|b| (b.id, b.full_name))
        .collect();
    let staff: HashMap<String, String> = storage.read_staff()?.into_iter().map(|p| (p.user_id, p.display_name)).collect();
    let from = month.first_day().start_unix_ms();
    let to = month.first_day().first_of_next_month().start_unix_ms();
    let mut visits: Vec<(String, Visit)> = records
        .iter()
        .filter(|r| r.kind == EntityKind::Visit)
        .filter_map(|r| r.entity::<Visit>().ok().map(|v| (r.village_code.clone(), v)))
        .filter(|(_, v)| (from..to).contains(&v.started_at))
        .collect();
    visits.sort_by_key(|(_, v)| v.started_at);
    let mut rows = Vec::new();
    for (village, v) in &visits {
        let template = ctx.templates.get(&(v.template_id.clone(), v.template_version));
        let title = template_title(ctx, v, lang);
        let lines = template.map(|t| desmig_core::present::answer_lines(t, &v.answers)).unwrap_or_default();
        for a in lines {
            let answer = match (a.yes, a.choices.is_empty(), &a.value) {
                (Some(yes), _, _) => t(lang, if yes { "yes" } else { "no" }).to_string(),
                (None, false, _) => a.choices.iter().map(|c| lang.pick(c).to_string()).collect::<Vec<_>>().join("; "),
                (None, true, Some(v)) => v.clone(),
                _ => String::new(),
            };
            rows.push(vec![
                Cell::Text(v.id.clone()),
                Cell::Text(when(lang, v.started_at)),
                Cell::Text(names.get(&v.beneficiary_id).cloned().unwrap_or_default()),
                Cell::Text(village.clone()),
                Cell::Text(staff.get(&v.facilitator_id).cloned().unwrap_or_else(|| v.facilitator_id.clone())),
                Cell::Text(title.clone()),
                Cell::Text(visit_status(lang, v).to_string()),
                Cell::Text(a.item_id.clone()),
                Cell::Text(lang.pick(&a.label).to_string()),
                Cell::Text(answer),
            ]);
        }
    }
    let header = ["id", "date", "name", "code", "facilitator", "checklist", "status", "item", "question", "answer"];
    Ok(Table { name: format!("Kunjungan {month}"), header: header.iter().map(|k| t(lang, k).to_string()).collect(), rows })
}
