//! The records the apps see. Core records whose fields all cross the FFI as they are, are
//! exported as they are (`#[uniffi::remote]`); those with dates or checklist answers have a
//! mirror here, with dates as `YYYY-MM-DD` strings and answers as a typed [`AnswerValue`], and a
//! conversion each way. A malformed date from an app is a validation error naming the field.

use crate::DesmigError;
use desmig_core::bundle::BundleKind;
use desmig_core::carry::{BundleEntry, BundleGroup, ExportedBundle, ImportOutcome, ImportedBundle};
use desmig_core::checklist::{ChoiceOption, ItemKind, Text};
use desmig_core::date::{Date, Month};
use desmig_core::field::BeneficiaryInput;
use desmig_core::labels::{Code, Country, Shown};
use desmig_core::model::{self as m, GeoPoint, StageChange};
use desmig_core::outbox::OutboxCounts;
use desmig_core::present::{AnswerLine, CardAction, CardKind, CardLine, InputKind, MoveField, MoveOption, StatusCard, VisitView};
use desmig_core::protocol::Person;
use desmig_core::query::{BeneficiarySummary, CapitalBySource, FacilitatorOverview, VillageIndicators, VillageOverview};
use desmig_core::region::Region;
use desmig_core::scope::Identity;
use desmig_core::sync::{SyncProgress, SyncReport};
use desmig_core::FieldError;
use serde_json::Value;
use std::collections::HashMap;

#[uniffi::remote(Enum)]
pub enum BundleKind {
    Outbound,
    Receipt,
    Inbound,
}

#[uniffi::remote(Enum)]
pub enum ImportOutcome {
    ToDeliver,
    ToHandOn,
    Acknowledged,
    Applied,
    AlreadyHad,
}

#[uniffi::remote(Record)]
pub struct ExportedBundle {
    pub bundle_id: String,
    pub count: u64,
    pub file: Vec<u8>,
}

#[uniffi::remote(Record)]
pub struct ImportedBundle {
    pub bundle_id: String,
    pub kind: BundleKind,
    pub outcome: ImportOutcome,
    pub count: u64,
}

#[uniffi::remote(Enum)]
pub enum BundleGroup {
    Waiting,
    Acknowledged,
    ToHandOn,
    ToDeliver,
    Refused,
    Delivered,
    Received,
}

#[uniffi::remote(Record)]
pub struct BundleEntry {
    pub bundle_id: String,
    pub role: String,
    pub kind: BundleKind,
    pub peer: String,
    pub count: u64,
    pub state: String,
    pub group: BundleGroup,
    pub shareable: bool,
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub answers: Option<String>,
}

#[uniffi::remote(Record)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[uniffi::remote(Record)]
pub struct Identity {
    pub user_id: String,
    pub display_name: String,
    pub role: desmig_core::scope::Role,
    pub villages: Vec<String>,
    pub districts: Vec<String>,
    pub beneficiary_id: Option<String>,
}

#[uniffi::remote(Record)]
pub struct BeneficiaryInput {
    pub kind: m::BeneficiaryKind,
    pub family_of: Option<String>,
    pub nik: Option<String>,
    pub full_name: String,
    pub sex: m::Sex,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub village_code: String,
    pub address: Option<String>,
    pub last_country: Option<String>,
    pub job_sector_abroad: Option<m::JobSector>,
    pub years_abroad: Option<u8>,
    pub return_month: Option<String>,
    pub savings_band: Option<m::SavingsBand>,
    pub skills: Vec<String>,
    pub networks: Option<String>,
    pub dependants: u8,
    pub consent_method: m::ConsentMethod,
}

#[uniffi::remote(Record)]
pub struct BeneficiarySummary {
    pub id: String,
    pub full_name: String,
    pub masked_nik: Option<String>,
    pub sex: m::Sex,
    pub kind: m::BeneficiaryKind,
    pub village_code: String,
    pub phone: Option<String>,
}

#[uniffi::remote(Record)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

#[uniffi::remote(Record)]
pub struct StageChange {
    pub id: String,
    pub beneficiary_id: String,
    pub subject: m::StageSubject,
    pub subject_id: String,
    pub from: Option<String>,
    pub to: String,
    pub at: i64,
    pub by: String,
    pub note: Option<String>,
}

#[uniffi::remote(Record)]
pub struct VillageIndicators {
    pub beneficiaries: u64,
    pub trained: u64,
    pub prakerja_incentive_received: u64,
    pub capital_disbursed_count: u64,
    pub capital_disbursed_rupiah: i64,
    pub running_businesses: u64,
    pub visits_this_month: u64,
    pub businesses_selling_beyond_village: u64,
    pub businesses_exporting: u64,
    pub sales_revenue_this_month: i64,
    pub capital_by_source: Vec<CapitalBySource>,
}

#[uniffi::remote(Record)]
pub struct CapitalBySource {
    pub source: m::CapitalSource,
    pub count: u64,
    pub rupiah: i64,
}

#[uniffi::remote(Enum)]
pub enum CardKind {
    Prakerja,
    Training,
    Capital,
    Business,
}

#[uniffi::remote(Enum)]
pub enum CardLine {
    Wave { wave: u32 },
    PurchaseDeadline { date: String, days_left: i64 },
    Incentive { instalments: u8, rupiah: i64 },
    Provider { text: String },
    Dates { start: Option<String>, end: Option<String> },
    Certificate { number: String },
    Source { source_key: String, loan: bool },
    Amount { key: String, rupiah: i64 },
    Rejection { reason: String },
    Revenue { rupiah: i64 },
    Workers { count: u32 },
    SalesThisMonth { rupiah: i64, count: u32 },
    FurthestMarket { market_key: String, country: Option<String> },
}

#[uniffi::remote(Record)]
pub struct CardAction {
    pub stage_key: String,
    pub fields: Vec<MoveField>,
}

#[uniffi::remote(Enum)]
pub enum InputKind {
    Rupiah,
    Date,
    Integer,
    Text,
    Choice,
}

#[uniffi::remote(Record)]
pub struct MoveOption {
    pub value: String,
    pub label: String,
}

#[uniffi::remote(Record)]
pub struct MoveField {
    pub name: String,
    pub kind: InputKind,
    pub required: bool,
    pub options: Vec<MoveOption>,
}

#[uniffi::remote(Record)]
pub struct StatusCard {
    pub kind: CardKind,
    pub subject_id: String,
    pub title_key: String,
    pub title: Option<String>,
    pub stage_key: String,
    pub lines: Vec<CardLine>,
    pub warnings: Vec<String>,
    pub actions: Vec<CardAction>,
}

#[uniffi::remote(Record)]
pub struct AnswerLine {
    pub item_id: String,
    pub label: Text,
    pub kind: ItemKind,
    pub yes: Option<bool>,
    pub choices: Vec<Text>,
    pub value: Option<String>,
}

#[uniffi::remote(Record)]
pub struct VisitView {
    pub visit_id: String,
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub village_code: String,
    pub village_name: String,
    pub template_title: Text,
    pub template_version: u32,
    pub facilitator_id: String,
    pub status_key: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub completeness: u8,
    pub location: Option<GeoPoint>,
    pub notes: Option<String>,
    pub answers: Vec<AnswerLine>,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    pub amends: Option<String>,
    pub can_verify: bool,
    pub can_amend: bool,
}

#[uniffi::remote(Record)]
pub struct VillageOverview {
    pub village_code: String,
    pub village_name: String,
    pub indicators: VillageIndicators,
    pub visits_to_verify: u64,
}

#[uniffi::remote(Record)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: desmig_core::region::RegionLevel,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    pub started_at: i64,
    pub finished_at: i64,
    pub pushed: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub pulled: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub round_trips: u64,
    pub more_pending: u64,
    pub error: Option<String>,
    pub error_code: Option<String>,
}

#[uniffi::remote(Record)]
pub struct SyncProgress {
    pub phase: desmig_core::sync::SyncPhase,
    pub done: u64,
    pub total: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

#[uniffi::remote(Record)]
pub struct OutboxCounts {
    pub pending: u64,
    pub rejected: u64,
}

#[uniffi::remote(Record)]
pub struct Country {
    pub code: String,
    pub name: Text,
}

#[uniffi::remote(Enum)]
pub enum Shown {
    Empty,
    Key { key: String },
    Rupiah { rupiah: i64 },
    Date { date: String, label: Text },
    Country { code: String, name: Text },
    YesNo { yes: bool },
    Text { text: String },
}

#[uniffi::remote(Record)]
pub struct Text {
    pub id: String,
    pub en: String,
}

#[uniffi::remote(Record)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

// ---------------------------------------------------------------------------------------------
// Dates

pub(crate) fn date_in(field: &str, raw: &Option<String>) -> Result<Option<Date>, DesmigError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            Date::parse(s).map(Some).ok_or_else(|| DesmigError::invalid(field, "invalid_date", format!("`{s}` is not a date (YYYY-MM-DD)")))
        }
    }
}

pub(crate) fn required_date(field: &str, raw: &str) -> Result<Date, DesmigError> {
    date_in(field, &Some(raw.to_string()))?.ok_or_else(|| DesmigError::invalid(field, "required", "a date is required"))
}

fn date_out(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub(crate) fn month_in(raw: &str) -> Result<Month, DesmigError> {
    Month::parse(raw.trim()).ok_or_else(|| DesmigError::invalid("month", "invalid_date", format!("`{raw}` is not a month (YYYY-MM)")))
}

// ---------------------------------------------------------------------------------------------
// Records with dates

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Beneficiary {
    pub id: String,
    pub kind: m::BeneficiaryKind,
    pub family_of: Option<String>,
    /// The full NIK (lists show [`BeneficiarySummary::masked_nik`]).
    pub nik: Option<String>,
    pub full_name: String,
    pub sex: m::Sex,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub village_code: String,
    pub address: Option<String>,
    pub last_country: Option<String>,
    pub job_sector_abroad: Option<m::JobSector>,
    pub years_abroad: Option<u8>,
    pub return_month: Option<String>,
    pub savings_band: Option<m::SavingsBand>,
    pub skills: Vec<String>,
    pub networks: Option<String>,
    pub dependants: u8,
    pub consent_given_at: i64,
    pub consent_method: m::ConsentMethod,
    pub consent_withdrawn_at: Option<i64>,
    pub registered_by: String,
    pub registered_at: i64,
}

impl From<m::Beneficiary> for Beneficiary {
    fn from(b: m::Beneficiary) -> Self {
        Beneficiary {
            id: b.id,
            kind: b.kind,
            family_of: b.family_of,
            nik: b.nik,
            full_name: b.full_name,
            sex: b.sex,
            birth_date: date_out(b.birth_date),
            phone: b.phone,
            village_code: b.village_code,
            address: b.address,
            last_country: b.last_country,
            job_sector_abroad: b.job_sector_abroad,
            years_abroad: b.years_abroad,
            return_month: b.return_month.map(|m| m.to_string()),
            savings_band: b.savings_band,
            skills: b.skills,
            networks: b.networks,
            dependants: b.dependants,
            consent_given_at: b.consent_given_at,
            consent_method: b.consent_method,
            consent_withdrawn_at: b.consent_withdrawn_at,
            registered_by: b.registered_by,
            registered_at: b.registered_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Prakerja {
    pub beneficiary_id: String,
    pub stage: desmig_core::status::PrakerjaStage,
    pub wave: Option<u32>,
    pub selected_on: Option<String>,
    /// Computed by core: selected + 30 days.
    pub purchase_deadline: Option<String>,
    pub training_id: Option<String>,
    pub certificate_no: Option<String>,
    pub incentive_instalments: u8,
    pub incentive_received: i64,
}

impl From<m::Prakerja> for Prakerja {
    fn from(p: m::Prakerja) -> Self {
        Prakerja {
            beneficiary_id: p.beneficiary_id,
            stage: p.stage,
            wave: p.wave,
            selected_on: date_out(p.selected_on),
            purchase_deadline: date_out(p.purchase_deadline),
            training_id: p.training_id,
            certificate_no: p.certificate_no,
            incentive_instalments: p.incentive_instalments,
            incentive_received: p.incentive_received,
        }
    }
}

impl TryFrom<Prakerja> for m::Prakerja {
    type Error = DesmigError;
    fn try_from(p: Prakerja) -> Result<Self, DesmigError> {
        Ok(m::Prakerja {
            id: p.beneficiary_id.clone(),
            beneficiary_id: p.beneficiary_id,
            stage: p.stage,
            wave: p.wave,
            selected_on: date_in("selected_on", &p.selected_on)?,
            purchase_deadline: None,
            training_id: p.training_id,
            certificate_no: p.certificate_no,
            incentive_instalments: p.incentive_instalments,
            incentive_received: p.incentive_received,
        })
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Training {
    /// Empty for a new training.
    pub id: String,
    pub beneficiary_id: String,
    pub title: String,
    pub provider: String,
    pub kind: m::TrainingKind,
    pub mode: m::TrainingMode,
    pub via_prakerja: bool,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub status: desmig_core::status::TrainingStatus,
    pub certificate_no: Option<String>,
}

impl From<m::Training> for Training {
    fn from(t: m::Training) -> Self {
        Training {
            id: t.id,
            beneficiary_id: t.beneficiary_id,
            title: t.title,
            provider: t.provider,
            kind: t.kind,
            mode: t.mode,
            via_prakerja: t.via_prakerja,
            start_date: date_out(t.start_date),
            end_date: date_out(t.end_date),
            status: t.status,
            certificate_no: t.certificate_no,
        }
    }
}

impl TryFrom<Training> for m::Training {
    type Error = DesmigError;
    fn try_from(t: Training) -> Result<Self, DesmigError> {
        Ok(m::Training {
            start_date: date_in("start_date", &t.start_date)?,
            end_date: date_in("end_date", &t.end_date)?,
            id: t.id,
            beneficiary_id: t.beneficiary_id,
            title: t.title,
            provider: t.provider,
            kind: t.kind,
            mode: t.mode,
            via_prakerja: t.via_prakerja,
            status: t.status,
            certificate_no: t.certificate_no,
        })
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CapitalApplication {
    /// Empty for a new application.
    pub id: String,
    pub beneficiary_id: String,
    pub source: m::CapitalSource,
    pub bank: Option<m::Bank>,
    pub kur_scheme: Option<m::KurScheme>,
    pub business_id: Option<String>,
    pub purpose: Option<String>,
    /// Whole rupiah.
    pub amount_requested: i64,
    pub amount_approved: Option<i64>,
    pub amount_disbursed: Option<i64>,
    pub stage: desmig_core::status::CapitalStage,
    pub submitted_on: Option<String>,
    pub disbursed_on: Option<String>,
    pub rejection_reason: Option<String>,
}

impl From<m::CapitalApplication> for CapitalApplication {
    fn from(c: m::CapitalApplication) -> Self {
        CapitalApplication {
            id: c.id,
            beneficiary_id: c.beneficiary_id,
            source: c.source,
            bank: c.bank,
            kur_scheme: c.kur_scheme,
            business_id: c.business_id,
            purpose: c.purpose,
            amount_requested: c.amount_requested,
            amount_approved: c.amount_approved,
            amount_disbursed: c.amount_disbursed,
            stage: c.stage,
            submitted_on: date_out(c.submitted_on),
            disbursed_on: date_out(c.disbursed_on),
            rejection_reason: c.rejection_reason,
        }
    }
}

impl TryFrom<CapitalApplication> for m::CapitalApplication {
    type Error = DesmigError;
    fn try_from(c: CapitalApplication) -> Result<Self, DesmigError> {
        Ok(m::CapitalApplication {
            submitted_on: date_in("submitted_on", &c.submitted_on)?,
            disbursed_on: date_in("disbursed_on", &c.disbursed_on)?,
            id: c.id,
            beneficiary_id: c.beneficiary_id,
            source: c.source,
            bank: c.bank,
            kur_scheme: c.kur_scheme,
            business_id: c.business_id,
            purpose: c.purpose,
            amount_requested: c.amount_requested,
            amount_approved: c.amount_approved,
            amount_disbursed: c.amount_disbursed,
            stage: c.stage,
            rejection_reason: c.rejection_reason,
        })
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Business {
    /// Empty for a new business.
    pub id: String,
    pub beneficiary_id: String,
    pub name: String,
    pub sector: m::BusinessSector,
    pub status: desmig_core::status::BusinessStatus,
    pub started_on: Option<String>,
    /// Whole rupiah per month.
    pub monthly_revenue: Option<i64>,
    pub workers: u32,
    pub products: Vec<String>,
    pub sales_channels: Vec<m::SalesChannel>,
    pub export_ready: bool,
}

impl From<m::Business> for Business {
    fn from(b: m::Business) -> Self {
        Business {
            id: b.id,
            beneficiary_id: b.beneficiary_id,
            name: b.name,
            sector: b.sector,
            status: b.status,
            started_on: date_out(b.started_on),
            monthly_revenue: b.monthly_revenue,
            workers: b.workers,
            products: b.products,
            sales_channels: b.sales_channels,
            export_ready: b.export_ready,
        }
    }
}

impl TryFrom<Business> for m::Business {
    type Error = DesmigError;
    fn try_from(b: Business) -> Result<Self, DesmigError> {
        Ok(m::Business {
            started_on: date_in("started_on", &b.started_on)?,
            id: b.id,
            beneficiary_id: b.beneficiary_id,
            name: b.name,
            sector: b.sector,
            status: b.status,
            monthly_revenue: b.monthly_revenue,
            workers: b.workers,
            products: b.products,
            sales_channels: b.sales_channels,
            export_ready: b.export_ready,
        })
    }
}

/// One sale of a business's products.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductSale {
    /// Empty for a new sale.
    pub id: String,
    pub beneficiary_id: String,
    pub business_id: String,
    /// YYYY-MM-DD.
    pub sold_on: String,
    pub product: String,
    pub quantity: f64,
    pub unit: String,
    pub market: m::SaleMarket,
    /// ISO country code of an export.
    pub export_country: Option<String>,
    pub buyer: Option<String>,
    /// Whole rupiah.
    pub revenue: i64,
    /// Set by the core for a new sale.
    pub recorded_by: String,
}

impl From<m::ProductSale> for ProductSale {
    fn from(s: m::ProductSale) -> Self {
        ProductSale {
            id: s.id,
            beneficiary_id: s.beneficiary_id,
            business_id: s.business_id,
            sold_on: s.sold_on.to_string(),
            product: s.product,
            quantity: s.quantity,
            unit: s.unit,
            market: s.market,
            export_country: s.export_country,
            buyer: s.buyer,
            revenue: s.revenue,
            recorded_by: s.recorded_by,
        }
    }
}

impl TryFrom<ProductSale> for m::ProductSale {
    type Error = DesmigError;
    fn try_from(s: ProductSale) -> Result<Self, DesmigError> {
        Ok(m::ProductSale {
            sold_on: date_in("sold_on", &Some(s.sold_on))?
                .ok_or_else(|| DesmigError::invalid("sold_on", "required", "the sale date is required"))?,
            id: s.id,
            beneficiary_id: s.beneficiary_id,
            business_id: s.business_id,
            product: s.product,
            quantity: s.quantity,
            unit: s.unit,
            market: s.market,
            export_country: s.export_country,
            buyer: s.buyer,
            revenue: s.revenue,
            recorded_by: s.recorded_by,
        })
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FollowUp {
    pub id: String,
    pub beneficiary_id: String,
    pub visit_id: Option<String>,
    pub action: String,
    pub due_date: String,
    pub done_on: Option<String>,
    pub created_by: String,
}

impl From<m::FollowUp> for FollowUp {
    fn from(f: m::FollowUp) -> Self {
        FollowUp {
            id: f.id,
            beneficiary_id: f.beneficiary_id,
            visit_id: f.visit_id,
            action: f.action,
            due_date: f.due_date.to_string(),
            done_on: date_out(f.done_on),
            created_by: f.created_by,
        }
    }
}

/// A follow-up agreed during a visit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewFollowUp {
    pub action: String,
    pub due_date: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DueFollowUp {
    pub follow_up: FollowUp,
    pub beneficiary_name: String,
    pub village_code: String,
    /// Days past due (negative: still ahead).
    pub days_overdue: i64,
}

// ---------------------------------------------------------------------------------------------
// Checklists and visits

/// One answer, typed by the item's kind.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnswerValue {
    YesNo { value: bool },
    Choice { value: String },
    Choices { values: Vec<String> },
    Number { value: i64 },
    Text { value: String },
    Date { value: String },
}

impl AnswerValue {
    fn to_json(&self) -> Value {
        match self {
            AnswerValue::YesNo { value } => Value::Bool(*value),
            AnswerValue::Choice { value } | AnswerValue::Text { value } | AnswerValue::Date { value } => Value::String(value.clone()),
            AnswerValue::Choices { values } => Value::Array(values.iter().cloned().map(Value::String).collect()),
            AnswerValue::Number { value } => Value::from(*value),
        }
    }

    /// Reads a stored answer back, by the kind of its item.
    fn from_json(kind: ItemKind, v: &Value) -> Option<AnswerValue> {
        Some(match kind {
            ItemKind::YesNo => AnswerValue::YesNo { value: v.as_bool()? },
            ItemKind::SingleChoice => AnswerValue::Choice { value: v.as_str()?.to_string() },
            ItemKind::MultiChoice => {
                AnswerValue::Choices { values: v.as_array()?.iter().filter_map(|x| x.as_str().map(String::from)).collect() }
            }
            ItemKind::Integer | ItemKind::Rupiah => AnswerValue::Number { value: v.as_i64()? },
            ItemKind::Text => AnswerValue::Text { value: v.as_str()?.to_string() },
            ItemKind::Date => AnswerValue::Date { value: v.as_str()?.to_string() },
        })
    }
}

pub(crate) fn answers_in(answers: HashMap<String, AnswerValue>) -> serde_json::Map<String, Value> {
    answers.into_iter().map(|(k, v)| (k, v.to_json())).collect()
}

pub(crate) fn answers_out(
    template: Option<&desmig_core::checklist::Template>,
    answers: &serde_json::Map<String, Value>,
) -> HashMap<String, AnswerValue> {
    answers
        .iter()
        .filter_map(|(k, v)| {
            let kind = template.and_then(|t| t.item(k)).map(|i| i.kind)?;
            Some((k.clone(), AnswerValue::from_json(kind, v)?))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistItem {
    pub id: String,
    pub kind: ItemKind,
    pub label: Text,
    pub help: Option<Text>,
    /// Required when shown.
    pub required: bool,
    pub options: Vec<ChoiceOption>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Shown or hidden by earlier answers: ask [`crate::FieldStore::check_answers`] which.
    pub conditional: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistTemplate {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub description: Text,
    pub items: Vec<ChecklistItem>,
}

impl From<&desmig_core::checklist::Template> for ChecklistTemplate {
    fn from(t: &desmig_core::checklist::Template) -> Self {
        ChecklistTemplate {
            id: t.id.clone(),
            version: t.version,
            title: t.title.clone(),
            description: t.description.clone(),
            items: t
                .items
                .iter()
                .map(|i| ChecklistItem {
                    id: i.id.clone(),
                    kind: i.kind,
                    label: i.label.clone(),
                    help: i.help.clone(),
                    required: i.required,
                    options: i.options.clone(),
                    min: i.min,
                    max: i.max,
                    conditional: i.show_if.is_some(),
                })
                .collect(),
        }
    }
}

/// What a visit form shows as the user answers: which items are shown, every problem, and how
/// complete the visit is.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AnswerCheck {
    pub visible_items: Vec<String>,
    pub problems: Vec<FieldError>,
    pub completeness: u8,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Visit {
    pub id: String,
    pub beneficiary_id: String,
    pub facilitator_id: String,
    pub template_id: String,
    pub template_version: u32,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub location: Option<GeoPoint>,
    pub answers: HashMap<String, AnswerValue>,
    pub notes: Option<String>,
    pub status: m::VisitStatus,
    pub completeness: u8,
    pub amends: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
}

pub(crate) fn visit_out(store: &desmig_core::FieldStore, v: m::Visit) -> Visit {
    let template = store.template(&v.template_id, Some(v.template_version)).ok();
    Visit {
        answers: answers_out(template.as_deref(), &v.answers),
        id: v.id,
        beneficiary_id: v.beneficiary_id,
        facilitator_id: v.facilitator_id,
        template_id: v.template_id,
        template_version: v.template_version,
        started_at: v.started_at,
        ended_at: v.ended_at,
        location: v.location,
        notes: v.notes,
        status: v.status,
        completeness: v.completeness,
        amends: v.amends,
        verified_by: v.verified_by,
        verified_at: v.verified_at,
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitToVerify {
    pub visit: Visit,
    pub beneficiary_name: String,
    pub village_code: String,
}

// ---------------------------------------------------------------------------------------------
// Screens' aggregates

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BeneficiaryPage {
    pub items: Vec<BeneficiarySummary>,
    pub next_offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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
    pub history: Vec<m::StageChange>,
    /// The businesses' sales, newest first.
    pub product_sales: Vec<ProductSale>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CapitalProgress {
    pub application: CapitalApplication,
    pub history: Vec<m::StageChange>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkerStatus {
    pub beneficiary: Beneficiary,
    pub village_name: String,
    pub prakerja: Option<Prakerja>,
    pub trainings: Vec<Training>,
    pub capital: Vec<CapitalProgress>,
    pub businesses: Vec<Business>,
    pub next_steps: Vec<FollowUp>,
    /// The facilitators of the worker's village, with their work phone.
    pub facilitators: Vec<desmig_core::protocol::Person>,
}

#[uniffi::remote(Record)]
pub struct Person {
    pub user_id: String,
    pub display_name: String,
    pub role: desmig_core::scope::Role,
    pub phone: Option<String>,
    pub villages: Vec<String>,
    pub districts: Vec<String>,
}

#[uniffi::remote(Record)]
pub struct FacilitatorOverview {
    pub user_id: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub villages: Vec<String>,
    pub beneficiaries: u64,
    pub visits_this_month: u64,
    pub beneficiaries_visited: u64,
    pub visits_to_verify: u64,
    pub last_visit_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LoginResult {
    /// Keep it in the platform's secure storage; pass it to every sync.
    pub token: String,
    pub expires_at: i64,
    pub identity: Identity,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncConfig {
    pub server_url: String,
    pub token: String,
}

/// A change the server refused: it stays on the phone with the reason.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectedChange {
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub code: String,
    /// `code` as a case the app maps to its words.
    pub reason: Code,
    pub message: String,
    pub created_at: i64,
}

/// A conflict as a supervisor sees it; values are shown as text.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Conflict {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    /// The field's label key (`field_amount_disbursed`).
    pub field_key: String,
    pub current_value: String,
    pub losing_value: String,
    /// The two values as a person reads them (a stage's key, rupiah, a date, a country).
    pub current: Shown,
    pub losing: Shown,
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub detected_at: i64,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<i64>,
}

pub(crate) fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
