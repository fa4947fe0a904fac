//! The programme's records: beneficiaries, Kartu Prakerja, trainings, capital applications,
//! businesses, follow-ups, visits and their status history. Each record validates itself, so the
//! phone and the server apply exactly the same rules.

use crate::checklist::Template;
use crate::date::{Date, Month};
use crate::error::{Error, Result};
use crate::nik::Nik;
use crate::region::RegionCatalog;
use crate::status::{BusinessStatus, CapitalStage, PrakerjaStage, Stage, TrainingStatus, PRAKERJA_PURCHASE_DAYS};
use crate::validate::{self, Problems, NAME_MAX_CHARS, TEXT_MAX_CHARS};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

/// What validation needs to know about the world.
pub trait Context {
    fn today(&self) -> Date;
    /// Now, in Unix ms, on the clock the writer is checked against (the server's; a phone's
    /// corrected by the server's time).
    fn now_ms(&self) -> i64;
    /// How far ahead of [`Context::now_ms`] an operation may be stamped.
    fn clock_bound_ms(&self) -> u64;
    fn regions(&self) -> &RegionCatalog;
    fn template(&self, id: &str, version: u32) -> Option<Arc<Template>>;
}

/// The kinds of record that sync. The string form names the table and travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Beneficiary,
    Prakerja,
    Training,
    CapitalApplication,
    Business,
    FollowUp,
    Visit,
    StageChange,
    ProductSale,
}

impl EntityKind {
    pub const ALL: [EntityKind; 9] = [
        EntityKind::Beneficiary,
        EntityKind::Prakerja,
        EntityKind::Training,
        EntityKind::CapitalApplication,
        EntityKind::Business,
        EntityKind::FollowUp,
        EntityKind::Visit,
        EntityKind::StageChange,
        EntityKind::ProductSale,
    ];

    pub fn table(self) -> &'static str {
        match self {
            EntityKind::Beneficiary => "beneficiary",
            EntityKind::Prakerja => "prakerja",
            EntityKind::Training => "training",
            EntityKind::CapitalApplication => "capital_application",
            EntityKind::Business => "business",
            EntityKind::FollowUp => "follow_up",
            EntityKind::Visit => "visit",
            EntityKind::StageChange => "stage_change",
            EntityKind::ProductSale => "product_sale",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.table() == s)
    }

    /// Append-only records: created once, never changed (their merge is a union).
    pub fn is_append_only(self) -> bool {
        matches!(self, EntityKind::StageChange)
    }
}

/// A record that lives in the store and syncs field by field.
pub trait Entity: Serialize + DeserializeOwned + Clone + std::fmt::Debug {
    const KIND: EntityKind;
    fn id(&self) -> &str;
    /// The beneficiary whose file this record belongs to (itself, for a beneficiary).
    fn beneficiary_id(&self) -> &str;
    /// Checks the whole record and normalises it in place (trims, canonical forms).
    fn validate(&mut self, ctx: &dyn Context) -> Result<()>;
    /// Rules for changing a stored record: status transitions, immutability.
    fn check_change(&self, _old: &Self) -> Result<()> {
        Ok(())
    }
    /// The status this record is in, for records whose status changes are kept as history.
    fn stage(&self) -> Option<(StageSubject, String)> {
        None
    }
    /// The status change that writing `self` over `old` makes, to be kept as history:
    /// (subject, from, to).
    fn stage_event(&self, old: Option<&Self>) -> Option<(StageSubject, Option<String>, String)> {
        let (subject, to) = self.stage()?;
        let from = old.and_then(|o| o.stage()).map(|(_, s)| s);
        (from.as_deref() != Some(to.as_str())).then_some((subject, from, to))
    }
}

fn check_transition<S: Stage>(field: &str, from: S, to: S) -> Result<()> {
    if from == to || from.can_move_to(to) {
        Ok(())
    } else {
        Err(Error::StateConflict(format!("{field} cannot change from `{}` to `{}`", from.name(), to.name())))
    }
}

/// A moment (Unix ms) a record states, not later than the writer's clock allows.
fn check_moment(p: &mut Problems, field: &str, ms: Option<i64>, ctx: &dyn Context) {
    if ms.is_some_and(|ms| ms > ctx.now_ms().saturating_add(ctx.clock_bound_ms() as i64)) {
        p.push(field, "in_future", "this moment is in the future");
    }
}

fn check_id(p: &mut Problems, field: &str, id: &str) {
    if uuid::Uuid::parse_str(id).is_err() {
        p.push(field, "invalid_id", "not a record id (UUID)");
    }
}

// ---------------------------------------------------------------------------------------------
// Beneficiary

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeneficiaryKind {
    /// PMI purna: a migrant worker who came home.
    ReturningWorker,
    /// A family member of a (returning) migrant worker.
    FamilyMember,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobSector {
    DomesticWork,
    Caregiving,
    Manufacturing,
    Construction,
    PlantationAgriculture,
    Fishing,
    Hospitality,
    Retail,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavingsBand {
    None,
    #[serde(rename = "under_10m")]
    Under10Million,
    #[serde(rename = "10m_to_50m")]
    From10To50Million,
    #[serde(rename = "50m_to_100m")]
    From50To100Million,
    #[serde(rename = "over_100m")]
    Over100Million,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    SignedForm,
    VerbalWitnessed,
    InApp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Beneficiary {
    #[serde(default)]
    pub id: String,
    pub kind: BeneficiaryKind,
    /// For a family member: the worker's beneficiary id.
    #[serde(default)]
    pub family_of: Option<String>,
    #[serde(default)]
    pub nik: Option<String>,
    pub full_name: String,
    pub sex: Sex,
    #[serde(default)]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub phone: Option<String>,
    pub village_code: String,
    #[serde(default)]
    pub address: Option<String>,
    /// Last destination country (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub last_country: Option<String>,
    #[serde(default)]
    pub job_sector_abroad: Option<JobSector>,
    #[serde(default)]
    pub years_abroad: Option<u8>,
    #[serde(default)]
    pub return_month: Option<Month>,
    #[serde(default)]
    pub savings_band: Option<SavingsBand>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub networks: Option<String>,
    #[serde(default)]
    pub dependants: u8,
    /// Consent to data processing: when (Unix ms) and how; withdrawal stops new records.
    pub consent_given_at: i64,
    pub consent_method: ConsentMethod,
    #[serde(default)]
    pub consent_withdrawn_at: Option<i64>,
    pub registered_by: String,
    pub registered_at: i64,
}

impl Beneficiary {
    pub fn masked_nik(&self) -> Option<String> {
        self.nik.as_deref().map(crate::nik::mask)
    }
    pub fn consent_active(&self) -> bool {
        self.consent_withdrawn_at.is_none()
    }
}

impl Entity for Beneficiary {
    const KIND: EntityKind = EntityKind::Beneficiary;
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.id
    }
    fn validate(&mut self, ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        if let Some(name) = p.check(validate::person_name("full_name", &self.full_name)) {
            self.full_name = name;
        }
        if let Some(v) = p.check(ctx.regions().check_village("village_code", &self.village_code)) {
            self.village_code = v;
        }
        if let Some(d) = self.birth_date {
            if d > ctx.today() {
                p.push("birth_date", "in_future", "birth date is in the future");
            }
        }
        if let Some(raw) = self.nik.clone() {
            match Nik::parse(&raw, ctx.today()) {
                Err(e) => p.push("nik", e.code(), e.message()),
                Ok(nik) => {
                    if !ctx.regions().knows_province(nik.province()) {
                        p.push("nik", "invalid_area_code", format!("NIK province `{}` does not exist", nik.province()));
                    }
                    if self.birth_date.is_some_and(|d| d != nik.birth_date) {
                        p.push("nik", "birth_date_mismatch", format!("NIK encodes birth date {}, not the one entered", nik.birth_date));
                    }
                    if nik.sex != self.sex {
                        p.push("nik", "sex_mismatch", "NIK encodes the other sex (women: day + 40)");
                    }
                    self.birth_date.get_or_insert(nik.birth_date);
                    self.nik = Some(nik.as_str().to_string());
                }
            }
        }
        if let Some(raw) = self.phone.clone() {
            self.phone = p.check(validate::phone("phone", &raw));
        }
        if let Some(addr) = p.check(validate::optional_text("address", self.address.as_deref(), 300)) {
            self.address = addr;
        }
        if let Some(c) = self.last_country.clone() {
            self.last_country = p.check(validate::country("last_country", &c));
        }
        if self.years_abroad.is_some_and(|y| y > 60) {
            p.push("years_abroad", "out_of_range", "years abroad must be 0 to 60");
        }
        if let Some(m) = self.return_month {
            if m > Month::of(ctx.today()) {
                p.push("return_month", "in_future", "return month is in the future");
            }
        }
        let mut skills = Vec::new();
        for s in &self.skills {
            if let Some(Some(s)) = p.check(validate::optional_text("skills", Some(s), NAME_MAX_CHARS)) {
                if !skills.contains(&s) {
                    skills.push(s);
                }
            }
        }
        if skills.len() > 30 {
            p.push("skills", "too_many", "at most 30 skills");
        }
        self.skills = skills;
        if let Some(n) = p.check(validate::optional_text("networks", self.networks.as_deref(), TEXT_MAX_CHARS)) {
            self.networks = n;
        }
        if self.dependants > 30 {
            p.push("dependants", "out_of_range", "dependants must be 0 to 30");
        }
        match (self.kind, &self.family_of) {
            (BeneficiaryKind::FamilyMember, None) => p.push("family_of", "required", "a family member is linked to a worker"),
            (BeneficiaryKind::ReturningWorker, Some(_)) => {
                p.push("family_of", "not_applicable", "a returning worker is not linked to another")
            }
            (_, Some(f)) if f == &self.id => p.push("family_of", "invalid_id", "cannot be linked to itself"),
            (_, Some(f)) => check_id(&mut p, "family_of", f),
            _ => {}
        }
        if self.consent_given_at <= 0 {
            p.push("consent_given_at", "required", "consent to data processing is required");
        }
        if self.consent_withdrawn_at.is_some_and(|w| w < self.consent_given_at) {
            p.push("consent_withdrawn_at", "out_of_range", "withdrawal is before consent");
        }
        check_moment(&mut p, "consent_given_at", Some(self.consent_given_at), ctx);
        check_moment(&mut p, "consent_withdrawn_at", self.consent_withdrawn_at, ctx);
        check_moment(&mut p, "registered_at", Some(self.registered_at), ctx);
        p.into_result()
    }
}

// ---------------------------------------------------------------------------------------------
// Kartu Prakerja (one record per beneficiary: its id is the beneficiary's id)

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prakerja {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub stage: PrakerjaStage,
    /// Wave (gelombang) in which the card was selected.
    #[serde(default)]
    pub wave: Option<u32>,
    #[serde(default)]
    pub selected_on: Option<Date>,
    /// Selected participants must buy a first training by this date (selected + 30 days).
    #[serde(default)]
    pub purchase_deadline: Option<Date>,
    #[serde(default)]
    pub training_id: Option<String>,
    #[serde(default)]
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub incentive_instalments: u8,
    #[serde(default)]
    pub incentive_received: i64,
}

impl Entity for Prakerja {
    const KIND: EntityKind = EntityKind::Prakerja;
    fn stage(&self) -> Option<(StageSubject, String)> {
        Some((StageSubject::Prakerja, self.stage.name()))
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, _ctx: &dyn Context) -> Result<()> {
        use PrakerjaStage::*;
        let mut p = Problems::default();
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        if self.id != self.beneficiary_id {
            p.push("id", "invalid_id", "a Prakerja record has its beneficiary's id");
        }
        let past_selection = matches!(self.stage, Selected | TrainingPurchased | Certified | Rated | IncentivePaid | Revoked);
        if past_selection && self.selected_on.is_none() {
            p.push("selected_on", "required", "the selection date is needed from `selected` on");
        }
        if past_selection && self.wave.is_none() {
            p.push("wave", "required", "the wave is needed from `selected` on");
        }
        if self.wave.is_some_and(|w| w == 0 || w > 999) {
            p.push("wave", "out_of_range", "wave must be 1 to 999");
        }
        self.purchase_deadline = self.selected_on.map(|d| d.add_days(PRAKERJA_PURCHASE_DAYS));
        if let Some(c) = p.check(validate::optional_text("certificate_no", self.certificate_no.as_deref(), 100)) {
            self.certificate_no = c;
        }
        p.check(validate::rupiah("incentive_received", self.incentive_received, false));
        if self.stage == IncentivePaid && (self.incentive_instalments == 0 || self.incentive_received == 0) {
            p.push("incentive_received", "required", "record the instalments and amount received");
        }
        p.into_result()
    }
    fn stage_event(&self, old: Option<&Self>) -> Option<(StageSubject, Option<String>, String)> {
        // Each incentive instalment is a step of its own, though the stage stays `incentive_paid`.
        let from = old.map(|o| o.stage.name());
        let new_instalment = old.is_some_and(|o| self.incentive_instalments > o.incentive_instalments);
        (from.as_deref() != Some(self.stage.name().as_str()) || new_instalment).then(|| (StageSubject::Prakerja, from, self.stage.name()))
    }
    fn check_change(&self, old: &Self) -> Result<()> {
        check_transition("Prakerja stage", old.stage, self.stage)?;
        if self.incentive_instalments < old.incentive_instalments {
            return Err(Error::StateConflict("incentive instalments cannot go down".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Trainings

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingKind {
    Vocational,
    Entrepreneurship,
    FinancialLiteracy,
    DigitalMarketing,
    Language,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingMode {
    Online,
    Offline,
    Blended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub title: String,
    pub provider: String,
    pub kind: TrainingKind,
    pub mode: TrainingMode,
    /// Paid with Kartu Prakerja.
    #[serde(default)]
    pub via_prakerja: bool,
    #[serde(default)]
    pub start_date: Option<Date>,
    #[serde(default)]
    pub end_date: Option<Date>,
    pub status: TrainingStatus,
    #[serde(default)]
    pub certificate_no: Option<String>,
}

impl Entity for Training {
    const KIND: EntityKind = EntityKind::Training;
    fn stage(&self) -> Option<(StageSubject, String)> {
        Some((StageSubject::Training, self.status.name()))
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, _ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        if let Some(t) = p.check(validate::required_text("title", &self.title, 200)) {
            self.title = t;
        }
        if let Some(t) = p.check(validate::required_text("provider", &self.provider, 200)) {
            self.provider = t;
        }
        if let (Some(s), Some(e)) = (self.start_date, self.end_date) {
            if e < s {
                p.push("end_date", "out_of_range", "ends before it starts");
            }
        }
        if let Some(c) = p.check(validate::optional_text("certificate_no", self.certificate_no.as_deref(), 100)) {
            self.certificate_no = c;
        }
        if self.certificate_no.is_some() && self.status != TrainingStatus::Completed {
            p.push("certificate_no", "not_applicable", "only a completed training has a certificate");
        }
        p.into_result()
    }
    fn check_change(&self, old: &Self) -> Result<()> {
        check_transition("training status", old.status, self.status)
    }
}

// ---------------------------------------------------------------------------------------------
// Capital applications

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapitalSource {
    /// Kredit Usaha Rakyat through a bank.
    Kur,
    /// The programme's start-up incentive (insentif modal awal).
    ProgrammeIncentive,
    /// Village fund (dana desa) / BUMDes.
    VillageFund,
    Cooperative,
    Other,
}

impl CapitalSource {
    /// Capital that is paid back (KUR, a cooperative, other lenders); the programme's incentive
    /// and village-fund support are grants.
    pub fn is_loan(self) -> bool {
        !matches!(self, CapitalSource::ProgrammeIncentive | CapitalSource::VillageFund)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bank {
    Bri,
    Bni,
    Mandiri,
    Bsi,
    Btn,
    RegionalBank,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KurScheme {
    /// Up to Rp 10 million.
    SuperMikro,
    /// Up to Rp 100 million.
    Mikro,
    /// Up to Rp 500 million.
    Kecil,
}

impl KurScheme {
    pub fn ceiling(self) -> i64 {
        match self {
            KurScheme::SuperMikro => 10_000_000,
            KurScheme::Mikro => 100_000_000,
            KurScheme::Kecil => 500_000_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapitalApplication {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub source: CapitalSource,
    #[serde(default)]
    pub bank: Option<Bank>,
    #[serde(default)]
    pub kur_scheme: Option<KurScheme>,
    #[serde(default)]
    pub business_id: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    /// Whole rupiah.
    pub amount_requested: i64,
    #[serde(default)]
    pub amount_approved: Option<i64>,
    #[serde(default)]
    pub amount_disbursed: Option<i64>,
    pub stage: CapitalStage,
    #[serde(default)]
    pub submitted_on: Option<Date>,
    #[serde(default)]
    pub disbursed_on: Option<Date>,
    #[serde(default)]
    pub rejection_reason: Option<String>,
}

impl Entity for CapitalApplication {
    const KIND: EntityKind = EntityKind::CapitalApplication;
    fn stage(&self) -> Option<(StageSubject, String)> {
        Some((StageSubject::CapitalApplication, self.stage.name()))
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, _ctx: &dyn Context) -> Result<()> {
        use CapitalStage::*;
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        if let Some(b) = &self.business_id {
            check_id(&mut p, "business_id", b);
        }
        p.check(validate::rupiah("amount_requested", self.amount_requested, true));
        if self.source == CapitalSource::Kur {
            if self.bank.is_none() {
                p.push("bank", "required", "KUR goes through a bank: choose one");
            }
            match self.kur_scheme {
                None => p.push("kur_scheme", "required", "choose the KUR scheme"),
                Some(s) if self.amount_requested > s.ceiling() => {
                    p.push("amount_requested", "over_ceiling", format!("{s:?} KUR is at most Rp {}", s.ceiling()))
                }
                Some(_) => {}
            }
        } else if self.kur_scheme.is_some() {
            p.push("kur_scheme", "not_applicable", "only KUR has a scheme");
        }
        if let Some(a) = self.amount_approved {
            if p.check(validate::rupiah("amount_approved", a, true)).is_some() && a > self.amount_requested {
                p.push("amount_approved", "out_of_range", "approved more than requested");
            }
        }
        if let Some(d) = self.amount_disbursed {
            if p.check(validate::rupiah("amount_disbursed", d, true)).is_some() && self.amount_approved.is_some_and(|a| d > a) {
                p.push("amount_disbursed", "out_of_range", "disbursed more than approved");
            }
        }
        if !self.stage.applies_to(self.source) {
            let why = if self.source.is_loan() { "a loan is repaid, not used" } else { "a grant is not a loan: it is used, not repaid" };
            p.push("stage", "not_applicable", why);
        }
        let approved_or_later = matches!(self.stage, Approved | Disbursed | Repaying | Repaid | Used);
        if approved_or_later && self.amount_approved.is_none() {
            p.push("amount_approved", "required", "record the approved amount");
        }
        if self.stage.is_disbursed() {
            if self.amount_disbursed.is_none() {
                p.push("amount_disbursed", "required", "record the disbursed amount");
            }
            if self.disbursed_on.is_none() {
                p.push("disbursed_on", "required", "record the disbursement date");
            }
        } else if self.amount_disbursed.is_some() {
            p.push("amount_disbursed", "not_applicable", "nothing is disbursed at this stage");
        }
        if let Some(r) = p.check(validate::optional_text("rejection_reason", self.rejection_reason.as_deref(), 500)) {
            self.rejection_reason = r;
        }
        if self.stage == Rejected && self.rejection_reason.is_none() {
            p.push("rejection_reason", "required", "say why it was rejected");
        }
        if let Some(r) = p.check(validate::optional_text("purpose", self.purpose.as_deref(), 500)) {
            self.purpose = r;
        }
        p.into_result()
    }
    fn check_change(&self, old: &Self) -> Result<()> {
        check_transition("capital stage", old.stage, self.stage)?;
        if old.stage != self.stage && !old.stage.next_for(self.source).contains(&self.stage) {
            let kind = if self.source.is_loan() { "a loan" } else { "a grant" };
            return Err(Error::StateConflict(format!("{kind} cannot move from `{}` to `{}`", old.stage.name(), self.stage.name())));
        }
        if old.stage != CapitalStage::Interest && old.stage != CapitalStage::PreparingDocuments && self.source != old.source {
            return Err(Error::StateConflict("the source cannot change after submission".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Businesses

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessSector {
    FoodBeverage,
    Agriculture,
    Livestock,
    Fisheries,
    Handicraft,
    Fashion,
    Retail,
    Services,
    Transport,
    Tourism,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesChannel {
    Shop,
    Market,
    Reseller,
    Marketplace,
    SocialMedia,
    Cooperative,
    Export,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Business {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub name: String,
    pub sector: BusinessSector,
    pub status: BusinessStatus,
    #[serde(default)]
    pub started_on: Option<Date>,
    /// Whole rupiah per month.
    #[serde(default)]
    pub monthly_revenue: Option<i64>,
    #[serde(default)]
    pub workers: u32,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub sales_channels: Vec<SalesChannel>,
    #[serde(default)]
    pub export_ready: bool,
}

impl Entity for Business {
    const KIND: EntityKind = EntityKind::Business;
    fn stage(&self) -> Option<(StageSubject, String)> {
        Some((StageSubject::Business, self.status.name()))
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        if let Some(n) = p.check(validate::required_text("name", &self.name, 150)) {
            self.name = n;
        }
        if let Some(r) = self.monthly_revenue {
            p.check(validate::rupiah("monthly_revenue", r, false));
        }
        if self.started_on.is_some_and(|d| d > ctx.today()) {
            p.push("started_on", "in_future", "start date is in the future");
        }
        if self.workers > 10_000 {
            p.push("workers", "out_of_range", "workers must be 0 to 10000");
        }
        let mut products = Vec::new();
        for s in &self.products {
            if let Some(Some(s)) = p.check(validate::optional_text("products", Some(s), 150)) {
                if !products.contains(&s) {
                    products.push(s);
                }
            }
        }
        self.products = products;
        self.sales_channels.sort_by_key(|c| *c as u8);
        self.sales_channels.dedup();
        p.into_result()
    }
    fn check_change(&self, old: &Self) -> Result<()> {
        check_transition("business status", old.status, self.status)
    }
}

// ---------------------------------------------------------------------------------------------
// Product sales: what a business sold, where, for how much (the programme's aim is returning
// workers who not only open a business but distribute their products)

/// Where a sale went, from nearest to farthest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleMarket {
    OwnVillage,
    OtherVillages,
    /// The district's or another district's town or city.
    DistrictCity,
    /// An online marketplace (Shopee, Tokopedia, …), whoever bought.
    OnlineMarketplace,
    /// Abroad: the country is recorded.
    Export,
}

impl SaleMarket {
    /// Sold outside the business's own village.
    pub fn is_beyond_village(self) -> bool {
        self != SaleMarket::OwnVillage
    }
}

/// The largest quantity one sale may state.
pub const MAX_SALE_QUANTITY: f64 = 1_000_000_000.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSale {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    /// A business of the same beneficiary.
    pub business_id: String,
    pub sold_on: Date,
    pub product: String,
    pub quantity: f64,
    /// `kg`, `pcs`, `liter`, `paket`, …
    pub unit: String,
    pub market: SaleMarket,
    /// ISO 3166-1 alpha-2, for an export (not `ID`).
    #[serde(default)]
    pub export_country: Option<String>,
    /// The buyer or the market's name, if the business wants it kept.
    #[serde(default)]
    pub buyer: Option<String>,
    /// Whole rupiah.
    pub revenue: i64,
    /// The user who recorded the sale.
    pub recorded_by: String,
}

impl Entity for ProductSale {
    const KIND: EntityKind = EntityKind::ProductSale;
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        check_id(&mut p, "business_id", &self.business_id);
        if self.sold_on > ctx.today() {
            p.push("sold_on", "in_future", "the sale date is in the future");
        }
        if let Some(n) = p.check(validate::required_text("product", &self.product, 150)) {
            self.product = n;
        }
        if !(self.quantity.is_finite() && self.quantity > 0.0 && self.quantity <= MAX_SALE_QUANTITY) {
            p.push("quantity", "out_of_range", "the quantity is more than 0 and at most 1,000,000,000");
        }
        if let Some(u) = p.check(validate::required_text("unit", &self.unit, 20)) {
            self.unit = u;
        }
        p.check(validate::rupiah("revenue", self.revenue, true));
        match (self.market, self.export_country.clone()) {
            (SaleMarket::Export, None) => p.push("export_country", "required", "an export names the country it went to"),
            (SaleMarket::Export, Some(c)) => {
                self.export_country = p.check(validate::country("export_country", &c));
                if self.export_country.as_deref() == Some("ID") {
                    p.push("export_country", "not_applicable", "a sale in Indonesia is not an export");
                }
            }
            (_, Some(_)) => p.push("export_country", "not_applicable", "only an export has a country"),
            (_, None) => {}
        }
        if let Some(b) = p.check(validate::optional_text("buyer", self.buyer.as_deref(), 150)) {
            self.buyer = b;
        }
        p.into_result()
    }
}

// ---------------------------------------------------------------------------------------------
// Follow-ups agreed in a visit

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    #[serde(default)]
    pub visit_id: Option<String>,
    pub action: String,
    pub due_date: Date,
    #[serde(default)]
    pub done_on: Option<Date>,
    pub created_by: String,
}

impl Entity for FollowUp {
    const KIND: EntityKind = EntityKind::FollowUp;
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, _ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        if let Some(v) = &self.visit_id {
            check_id(&mut p, "visit_id", v);
        }
        if let Some(a) = p.check(validate::required_text("action", &self.action, 500)) {
            self.action = a;
        }
        p.into_result()
    }
}

// ---------------------------------------------------------------------------------------------
// Visits

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    Draft,
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    /// Horizontal accuracy in metres, as the phone reports it.
    pub accuracy_m: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub facilitator_id: String,
    pub template_id: String,
    pub template_version: u32,
    pub started_at: i64,
    #[serde(default)]
    pub ended_at: Option<i64>,
    #[serde(default)]
    pub location: Option<GeoPoint>,
    #[serde(default)]
    pub answers: Map<String, Value>,
    #[serde(default)]
    pub notes: Option<String>,
    pub status: VisitStatus,
    /// Computed by core from the template: shown required items answered, in percent.
    #[serde(default)]
    pub completeness: u8,
    /// A correction of a completed visit points at the original, which is kept.
    #[serde(default)]
    pub amends: Option<String>,
    #[serde(default)]
    pub verified_by: Option<String>,
    #[serde(default)]
    pub verified_at: Option<i64>,
}

impl Entity for Visit {
    const KIND: EntityKind = EntityKind::Visit;
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        if let Some(a) = &self.amends {
            check_id(&mut p, "amends", a);
        }
        if let Some(e) = self.ended_at {
            if e < self.started_at {
                p.push("ended_at", "out_of_range", "the visit ends before it starts");
            }
        }
        if self.status == VisitStatus::Completed && self.ended_at.is_none() {
            p.push("ended_at", "required", "a completed visit has an end time");
        }
        if let Some(g) = self.location {
            let ok = (-90.0..=90.0).contains(&g.lat) && (-180.0..=180.0).contains(&g.lon) && (0.0..=100_000.0).contains(&g.accuracy_m);
            if !ok || !g.lat.is_finite() || !g.lon.is_finite() {
                p.push("location", "out_of_range", "not a valid GPS point");
            }
        }
        if let Some(n) = p.check(validate::optional_text("notes", self.notes.as_deref(), TEXT_MAX_CHARS)) {
            self.notes = n;
        }
        if self.verified_by.is_some() != self.verified_at.is_some() {
            p.push("verified_at", "required", "verification needs both who and when");
        }
        if self.verified_by.is_some() && self.status != VisitStatus::Completed {
            p.push("verified_by", "not_applicable", "only a completed visit can be verified");
        }
        check_moment(&mut p, "started_at", Some(self.started_at), ctx);
        check_moment(&mut p, "ended_at", self.ended_at, ctx);
        check_moment(&mut p, "verified_at", self.verified_at, ctx);
        match ctx.template(&self.template_id, self.template_version) {
            None => p.push(
                "template_id",
                "unknown_template",
                format!("checklist {} v{} is not on this device", self.template_id, self.template_version),
            ),
            Some(t) => {
                let checked = t.check(&self.answers, self.status == VisitStatus::Completed);
                p.0.extend(checked.problems);
                self.answers = checked.answers;
                self.completeness = checked.completeness;
            }
        }
        p.into_result()
    }
    fn check_change(&self, old: &Self) -> Result<()> {
        if old.status == VisitStatus::Completed {
            // A completed visit is immutable but for its verification; corrections are amendments.
            let mut unverified = self.clone();
            unverified.verified_by = old.verified_by.clone();
            unverified.verified_at = old.verified_at;
            if &unverified != old {
                return Err(Error::StateConflict("a completed visit cannot be changed; record an amendment".into()));
            }
            if old.verified_by.is_some() && (self.verified_by != old.verified_by || self.verified_at != old.verified_at) {
                return Err(Error::StateConflict("the visit is already verified".into()));
            }
        } else if self.verified_by.is_some() && self.status != VisitStatus::Completed {
            return Err(Error::StateConflict("only a completed visit can be verified".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Status history (append-only)

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageSubject {
    Prakerja,
    Training,
    CapitalApplication,
    Business,
}

/// One recorded status change: who moved what from where to where, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChange {
    #[serde(default)]
    pub id: String,
    pub beneficiary_id: String,
    pub subject: StageSubject,
    pub subject_id: String,
    #[serde(default)]
    pub from: Option<String>,
    pub to: String,
    pub at: i64,
    pub by: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl Entity for StageChange {
    const KIND: EntityKind = EntityKind::StageChange;
    fn id(&self) -> &str {
        &self.id
    }
    fn beneficiary_id(&self) -> &str {
        &self.beneficiary_id
    }
    fn validate(&mut self, ctx: &dyn Context) -> Result<()> {
        let mut p = Problems::default();
        check_id(&mut p, "id", &self.id);
        check_id(&mut p, "beneficiary_id", &self.beneficiary_id);
        check_id(&mut p, "subject_id", &self.subject_id);
        check_moment(&mut p, "at", Some(self.at), ctx);
        if let Some(n) = p.check(validate::optional_text("note", self.note.as_deref(), 500)) {
            self.note = n;
        }
        p.into_result()
    }
    fn check_change(&self, old: &Self) -> Result<()> {
        if self != old {
            return Err(Error::StateConflict("status history cannot be rewritten".into()));
        }
        Ok(())
    }
}

/// Turns a record into its field map (without `id`, which the operation carries).
pub fn to_fields<T: Entity>(e: &T) -> Result<Map<String, Value>> {
    match serde_json::to_value(e)? {
        Value::Object(mut m) => {
            m.remove("id");
            Ok(m)
        }
        _ => Err(Error::Corrupt("record did not serialise to an object".into())),
    }
}

/// Rebuilds a record from its id and field map; a type error is a validation error on that field.
pub fn from_fields<T: Entity>(id: &str, fields: &Map<String, Value>) -> Result<T> {
    let mut m = fields.clone();
    from_fields_in(id, &mut m)
}

/// [`from_fields`] without copying the map: the record is read from `fields` in place, which is
/// left as it was.
pub fn from_fields_in<T: Entity>(id: &str, fields: &mut Map<String, Value>) -> Result<T> {
    let previous = fields.insert("id".into(), Value::String(id.to_string()));
    let object = Value::Object(std::mem::take(fields));
    // Most records read: track the path to the failing field only when one does not.
    let read = T::deserialize(&object).or_else(|_| serde_path_to_error::deserialize(&object));
    if let Value::Object(mut m) = object {
        match previous {
            Some(v) => m.insert("id".into(), v),
            None => m.remove("id"),
        };
        *fields = m;
    }
    read.map_err(|e| {
        let path = e.path().to_string();
        let field = path.split(['.', '[']).next().filter(|f| !f.is_empty() && *f != "?").unwrap_or("record").to_string();
        let msg = e.into_inner().to_string();
        let missing = msg.split('`').nth(1).filter(|_| msg.starts_with("missing field"));
        match missing {
            Some(f) => Error::field(f, "required", msg.clone()),
            None => Error::field(&field, "invalid_value", msg),
        }
    })
}

/// Reference data at a point in time: the [`Context`] that the phone and the server validate with.
#[derive(Debug, Clone)]
pub struct Reference {
    pub today: Date,
    pub now_ms: i64,
    pub clock_bound_ms: u64,
    pub regions: Arc<RegionCatalog>,
    pub templates: Arc<std::collections::HashMap<(String, u32), Arc<Template>>>,
}

impl Context for Reference {
    fn today(&self) -> Date {
        self.today
    }
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    fn clock_bound_ms(&self) -> u64 {
        self.clock_bound_ms
    }
    fn regions(&self) -> &RegionCatalog {
        &self.regions
    }
    fn template(&self, id: &str, version: u32) -> Option<Arc<Template>> {
        self.templates.get(&(id.to_string(), version)).cloned()
    }
}
