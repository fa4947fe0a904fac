//! UniFFI bindings of the desmig core: the typed API that the Android (Kotlin) and iOS (Swift)
//! apps call. Thin by design: every rule lives in `desmig-core`; this crate only shapes records
//! for the FFI and maps errors to one enum a UI can act on. All functions block; the apps call
//! them off the main thread, from as many threads as they like.

mod enums;
mod records;

use desmig_core::sync::{CancelToken, SyncListener};
use desmig_core::{ApiError, FieldError};
use records::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use records::{AnswerValue, Beneficiary, BeneficiaryFile, ChecklistTemplate, Visit};

uniffi::setup_scaffolding!();

/// The one error the apps handle. Each variant says what the user can do next.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum DesmigError {
    /// Fix these fields or checklist items (ids and reasons) and try again.
    #[error("invalid input: {}", errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Validation { errors: Vec<FieldError> },
    #[error("{entity} {id} not found")]
    NotFound { entity: String, id: String },
    /// The user's role or villages do not allow this.
    #[error("not allowed ({code}): {reason}")]
    NotAllowed { code: String, reason: String },
    /// Not possible in the current state (a completed visit, a refused status change).
    #[error("conflict: {reason}")]
    Conflict { reason: String },
    /// The phone's database failed.
    #[error("storage error: {reason}")]
    Storage { reason: String },
    /// No connection, or it broke off: everything is kept; sync again later.
    #[error("network error: {reason}")]
    Network { reason: String },
    /// The session ended: log in again.
    #[error("log in again: {reason}")]
    LoginRequired { reason: String },
    /// The server refused the sync; `code` is stable.
    #[error("sync refused ({code}): {reason}")]
    Sync { code: String, reason: String },
    #[error("sync cancelled")]
    Cancelled,
    /// The store's key does not open it (`wrong_key`) or is not 32 bytes (`invalid_key`).
    /// Nothing was changed; do not make a new store (unsent changes are in this one).
    #[error("store key refused ({code}): {reason}")]
    StoreKey { code: String, reason: String },
}

impl DesmigError {
    pub(crate) fn invalid(field: &str, code: &str, message: impl Into<String>) -> DesmigError {
        DesmigError::Validation { errors: vec![FieldError::new(field, code, message)] }
    }
}

impl From<desmig_core::Error> for DesmigError {
    fn from(e: desmig_core::Error) -> Self {
        match ApiError::from(e) {
            ApiError::Validation { errors } => DesmigError::Validation { errors },
            ApiError::NotFound { entity, id } => DesmigError::NotFound { entity, id },
            ApiError::NotAllowed { code, reason } => DesmigError::NotAllowed { code, reason },
            ApiError::Conflict { reason } => DesmigError::Conflict { reason },
            ApiError::Storage { message } => DesmigError::Storage { reason: message },
            ApiError::Network { message } => DesmigError::Network { reason: message },
            ApiError::LoginRequired { message } => DesmigError::LoginRequired { reason: message },
            ApiError::Sync { code, message } => DesmigError::Sync { code, reason: message },
            ApiError::Cancelled => DesmigError::Cancelled,
            ApiError::StoreKey { code, message } => DesmigError::StoreKey { code, reason: message },
        }
    }
}

type Result<T, E = DesmigError> = std::result::Result<T, E>;

/// Receives sync progress, on the thread that runs the sync.
#[uniffi::export(foreign)]
pub trait SyncProgressListener: Send + Sync {
    fn on_progress(&self, progress: desmig_core::sync::SyncProgress);
}

struct Listener(Arc<dyn SyncProgressListener>);

impl SyncListener for Listener {
    fn on_progress(&self, progress: &desmig_core::sync::SyncProgress) {
        self.0.on_progress(progress.clone());
    }
}

/// The handle an app holds: one database file for one device.
#[derive(uniffi::Object)]
pub struct FieldStore {
    inner: desmig_core::FieldStore,
    running_sync: Mutex<Option<CancelToken>>,
}

#[uniffi::export]
impl FieldStore {
    /// Opens (creating or upgrading) the encrypted database at `path` with its 32-byte key,
    /// which the app keeps in the Android Keystore / iOS Keychain. A plain database from an
    /// older version is encrypted once; a wrong key is `StoreKey`, and changes nothing.
    #[uniffi::constructor]
    pub fn open(path: String, key: Vec<u8>) -> Result<Arc<FieldStore>> {
        let key = desmig_core::cipher::DbKey::from_bytes(&key)?;
        Ok(Arc::new(FieldStore { inner: desmig_core::FieldStore::open_encrypted(path, &key)?, running_sync: Mutex::new(None) }))
    }

    pub fn device_id(&self) -> String {
        self.inner.device_id().to_string()
    }

    /// Who is signed in on this device, if anyone.
    pub fn identity(&self) -> Option<desmig_core::scope::Identity> {
        self.inner.identity()
    }

    /// The phone's time zone in minutes east of UTC (WIB 420): "today", months and overdue
    /// follow-ups are local. Call at start and when the zone changes.
    pub fn set_utc_offset_minutes(&self, minutes: i32) -> Result<()> {
        Ok(self.inner.set_utc_offset_minutes(minutes)?)
    }

    /// Logs in; returns the token for the app's secure storage.
    pub fn login(&self, server_url: String, username: String, password: String) -> Result<LoginResult> {
        let r = self.inner.login(&server_url, &username, &password)?;
        Ok(LoginResult { token: r.token, expires_at: r.expires_at, identity: r.identity })
    }

    /// Forgets who is signed in. Unsent changes stay, and go with the next sync of that user.
    pub fn sign_out(&self) -> Result<()> {
        Ok(self.inner.set_identity(None)?)
    }

    /// The villages the user works in.
    pub fn villages(&self) -> Result<Vec<desmig_core::region::Region>> {
        Ok(self.inner.villages_in_scope()?)
    }

    pub fn register_beneficiary(&self, input: desmig_core::field::BeneficiaryInput) -> Result<Beneficiary> {
        Ok(self.inner.register_beneficiary(input)?.into())
    }

    pub fn update_beneficiary(&self, id: String, input: desmig_core::field::BeneficiaryInput) -> Result<Beneficiary> {
        Ok(self.inner.update_beneficiary(&id, input)?.into())
    }

    pub fn withdraw_consent(&self, id: String) -> Result<Beneficiary> {
        Ok(self.inner.withdraw_consent(&id)?.into())
    }

    pub fn list_beneficiaries(&self, village_code: String, offset: u32, limit: u32) -> Result<BeneficiaryPage> {
        let p = self.inner.list_beneficiaries(&village_code, offset, limit)?;
        Ok(BeneficiaryPage { items: p.items, next_offset: p.next_offset })
    }

    /// By name (word prefixes, any case or accents) or, for digits, by NIK prefix.
    pub fn search_beneficiaries(&self, text: String, limit: u32) -> Result<Vec<desmig_core::query::BeneficiarySummary>> {
        Ok(self.inner.search_beneficiaries(&text, limit)?)
    }

    pub fn beneficiary_file(&self, id: String) -> Result<BeneficiaryFile> {
        let f = self.inner.beneficiary_file(&id)?;
        Ok(BeneficiaryFile {
            beneficiary: f.beneficiary.into(),
            village_name: f.village_name,
            prakerja: f.prakerja.map(Into::into),
            trainings: f.trainings.into_iter().map(Into::into).collect(),
            capital_applications: f.capital_applications.into_iter().map(Into::into).collect(),
            businesses: f.businesses.into_iter().map(Into::into).collect(),
            visits: f.visits.into_iter().map(|v| visit_out(&self.inner, v)).collect(),
            follow_ups: f.follow_ups.into_iter().map(Into::into).collect(),
            history: f.history,
            product_sales: f.product_sales.into_iter().map(Into::into).collect(),
        })
    }

    /// The newest version of each checklist.
    pub fn templates(&self) -> Vec<ChecklistTemplate> {
        self.inner.templates().iter().map(|t| t.as_ref().into()).collect()
    }

    /// One checklist: a given version, or the newest.
    pub fn template(&self, id: String, version: Option<u32>) -> Result<ChecklistTemplate> {
        Ok(self.inner.template(&id, version)?.as_ref().into())
    }

    /// Which items to show, what is wrong, and how complete: call as the user answers.
    pub fn check_answers(
        &self,
        template_id: String,
        version: u32,
        answers: HashMap<String, AnswerValue>,
        complete: bool,
    ) -> Result<AnswerCheck> {
        let c = self.inner.check_answers(&template_id, version, &answers_in(answers), complete)?;
        Ok(AnswerCheck { visible_items: c.visible, problems: c.problems, completeness: c.completeness })
    }

    pub fn start_visit(
        &self,
        beneficiary_id: String,
        template_id: String,
        location: Option<desmig_core::model::GeoPoint>,
    ) -> Result<Visit> {
        Ok(visit_out(&self.inner, self.inner.start_visit(&beneficiary_id, &template_id, location)?))
    }

    pub fn save_visit_draft(
        &self,
        visit_id: String,
        answers: HashMap<String, AnswerValue>,
        notes: Option<String>,
        location: Option<desmig_core::model::GeoPoint>,
    ) -> Result<Visit> {
        Ok(visit_out(&self.inner, self.inner.save_visit_draft(&visit_id, answers_in(answers), notes, location)?))
    }

    /// Completes a visit, or lists every problem (item ids and reasons) and keeps the draft.
    pub fn complete_visit(
        &self,
        visit_id: String,
        answers: HashMap<String, AnswerValue>,
        notes: Option<String>,
        follow_ups: Vec<NewFollowUp>,
    ) -> Result<Visit> {
        let mut agreed = Vec::with_capacity(follow_ups.len());
        for f in follow_ups {
            agreed.push(desmig_core::field::NewFollowUp { due_date: required_date("due_date", &f.due_date)?, action: f.action });
        }
        Ok(visit_out(&self.inner, self.inner.complete_visit(&visit_id, answers_in(answers), notes, agreed)?))
    }

    /// A correction of a completed visit: a new draft that keeps the original.
    pub fn amend_visit(&self, visit_id: String) -> Result<Visit> {
        Ok(visit_out(&self.inner, self.inner.amend_visit(&visit_id)?))
    }

    pub fn save_prakerja(&self, prakerja: Prakerja, note: Option<String>) -> Result<Prakerja> {
        Ok(self.inner.save_prakerja(prakerja.try_into()?, note)?.into())
    }

    /// One more Prakerja incentive instalment of `amount` rupiah (the stage becomes
    /// `incentive_paid`; the count and the total are kept by the core).
    pub fn record_incentive_instalment(&self, beneficiary_id: String, amount: i64, note: Option<String>) -> Result<Prakerja> {
        Ok(self.inner.record_incentive_instalment(&beneficiary_id, amount, note)?.into())
    }

    /// The status cards of a beneficiary's file: titles, stages, lines and warnings as keys
    /// for the app's strings, and only the next steps the core allows.
    pub fn status_cards(&self, beneficiary_id: String) -> Result<Vec<desmig_core::present::StatusCard>> {
        Ok(self.inner.status_cards(&beneficiary_id)?)
    }

    /// A visit as a person reads it (answers with their labels, notes, place), and whether this
    /// user may verify or amend it: what a completed visit and the supervisor's check show.
    pub fn visit_view(&self, visit_id: String) -> Result<desmig_core::present::VisitView> {
        Ok(self.inner.visit_view(&visit_id)?)
    }

    /// Adds (empty id) or updates a training.
    pub fn save_training(&self, training: Training, note: Option<String>) -> Result<Training> {
        Ok(self.inner.save_training(training.try_into()?, note)?.into())
    }

    /// Adds (empty id) or updates a capital application; stage changes follow the programme.
    pub fn save_capital_application(&self, application: CapitalApplication, note: Option<String>) -> Result<CapitalApplication> {
        Ok(self.inner.save_capital_application(application.try_into()?, note)?.into())
    }

    /// Records (empty id) or corrects a sale of one of the beneficiary's businesses.
    pub fn save_product_sale(&self, sale: records::ProductSale) -> Result<records::ProductSale> {
        Ok(self.inner.save_product_sale(sale.try_into()?)?.into())
    }

    /// Adds (empty id) or updates a business.
    pub fn save_business(&self, business: Business, note: Option<String>) -> Result<Business> {
        Ok(self.inner.save_business(business.try_into()?, note)?.into())
    }

    pub fn add_follow_up(&self, beneficiary_id: String, visit_id: Option<String>, action: String, due_date: String) -> Result<FollowUp> {
        let due = required_date("due_date", &due_date)?;
        Ok(self.inner.add_follow_up(&beneficiary_id, visit_id.as_deref(), &action, due)?.into())
    }

    pub fn complete_follow_up(&self, id: String, done_on: String) -> Result<FollowUp> {
        Ok(self.inner.complete_follow_up(&id, required_date("done_on", &done_on)?)?.into())
    }

    /// Open follow-ups due within `within_days`, overdue first.
    pub fn follow_ups_due(&self, within_days: u32) -> Result<Vec<DueFollowUp>> {
        Ok(self
            .inner
            .follow_ups_due(within_days)?
            .into_iter()
            .map(|d| DueFollowUp {
                follow_up: d.follow_up.into(),
                beneficiary_name: d.beneficiary_name,
                village_code: d.village_code,
                days_overdue: d.days_overdue,
            })
            .collect())
    }

    /// This month, `YYYY-MM`.
    pub fn this_month(&self) -> String {
        self.inner.this_month().to_string()
    }

    /// A village's indicators; visits are counted in `month` (`YYYY-MM`).
    pub fn village_indicators(&self, village_code: String, month: String) -> Result<desmig_core::query::VillageIndicators> {
        Ok(self.inner.village_indicators(&village_code, month_in(&month)?)?)
    }

    /// A returning worker's own status.
    pub fn my_status(&self) -> Result<WorkerStatus> {
        let s = self.inner.my_status()?;
        Ok(WorkerStatus {
            beneficiary: s.beneficiary.into(),
            village_name: s.village_name,
            prakerja: s.prakerja.map(Into::into),
            trainings: s.trainings.into_iter().map(Into::into).collect(),
            capital: s.capital.into_iter().map(|c| CapitalProgress { application: c.application.into(), history: c.history }).collect(),
            businesses: s.businesses.into_iter().map(Into::into).collect(),
            next_steps: s.next_steps.into_iter().map(Into::into).collect(),
            facilitators: s.facilitators,
        })
    }

    /// The people this user works with (from the last sync): a supervisor's facilitators, a
    /// facilitator's supervisor, a worker's facilitator.
    pub fn team(&self) -> Result<Vec<desmig_core::protocol::Person>> {
        Ok(self.inner.team()?)
    }

    /// A supervisor's team view per facilitator for `month` (`YYYY-MM`).
    pub fn facilitator_overview(&self, month: String) -> Result<Vec<desmig_core::query::FacilitatorOverview>> {
        Ok(self.inner.facilitator_overview(month_in(&month)?)?)
    }

    /// A supervisor's villages with their indicators and visits waiting for verification.
    pub fn team_overview(&self, month: String) -> Result<Vec<desmig_core::query::VillageOverview>> {
        Ok(self.inner.team_overview(month_in(&month)?)?)
    }

    pub fn visits_to_verify(&self, limit: u32) -> Result<Vec<VisitToVerify>> {
        Ok(self
            .inner
            .visits_to_verify(limit)?
            .into_iter()
            .map(|v| VisitToVerify {
                visit: visit_out(&self.inner, v.visit),
                beneficiary_name: v.beneficiary_name,
                village_code: v.village_code,
            })
            .collect())
    }

    pub fn verify_visit(&self, visit_id: String) -> Result<Visit> {
        Ok(visit_out(&self.inner, self.inner.verify_visit(&visit_id)?))
    }

    pub fn conflicts(&self, include_resolved: bool) -> Result<Vec<Conflict>> {
        Ok(self
            .inner
            .conflicts(include_resolved)?
            .into_iter()
            .map(|c| Conflict {
                id: c.id,
                entity: c.entity.table().to_string(),
                entity_id: c.entity_id,
                field_key: desmig_core::labels::field_key(&c.field),
                current: desmig_core::labels::shown(c.entity, &c.field, &c.current_value),
                losing: desmig_core::labels::shown(c.entity, &c.field, &c.losing_value),
                field: c.field,
                current_value: shown(&c.current_value),
                losing_value: shown(&c.losing_value),
                beneficiary_id: c.beneficiary_id,
                beneficiary_name: c.beneficiary_name,
                detected_at: c.detected_at,
                resolved_by: c.resolved_by,
                resolved_at: c.resolved_at,
            })
            .collect())
    }

    pub fn resolve_conflict(&self, conflict_id: String, resolution: desmig_core::sync::Resolution) -> Result<()> {
        Ok(self.inner.resolve_conflict(&conflict_id, resolution)?)
    }

    /// Pushes local changes and pulls the user's scope. Local edits go on while it runs.
    pub fn sync_now(&self, config: SyncConfig, listener: Option<Arc<dyn SyncProgressListener>>) -> Result<desmig_core::sync::SyncReport> {
        let cancel = CancelToken::new();
        *self.running_sync.lock().unwrap_or_else(|e| e.into_inner()) = Some(cancel.clone());
        let settings = desmig_core::sync::SyncSettings::new(&config.server_url, &config.token);
        let adapter = listener.map(Listener);
        let result = self.inner.sync(&settings, adapter.as_ref().map(|l| l as &dyn SyncListener), &cancel);
        *self.running_sync.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(result?)
    }

    /// Stops a running sync at its next batch or page; what was stored stays stored.
    pub fn cancel_sync(&self) {
        if let Some(c) = self.running_sync.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            c.cancel();
        }
    }

    /// The last sync's outcome, to show why the phone has (not) synced.
    pub fn last_sync(&self) -> Result<Option<desmig_core::sync::SyncReport>> {
        Ok(self.inner.last_sync()?)
    }

    /// Trusts one more certificate (PEM) for the server, beside the public roots: a programme
    /// server with a certificate of its own. Kept across restarts; null forgets it.
    pub fn trust_certificate(&self, pem: Option<String>) -> Result<()> {
        Ok(self.inner.trust_certificate(pem.as_deref())?)
    }

    /// Store-and-forward: the pending changes (oldest first, at most 5000) as one file, sealed to
    /// the server and signed by this phone, to share with a phone or laptop that will reach
    /// coverage. The changes stay waiting until a receipt (or a direct sync) answers them.
    pub fn export_bundle(&self) -> Result<desmig_core::carry::ExportedBundle> {
        Ok(self.inner.export_bundle()?)
    }

    /// Takes a bundle file given to this phone: another phone's changes (delivered at the next
    /// sync), the server's answer for another phone (to hand on), or this phone's own receipt or
    /// news (applied now). A damaged or foreign file is refused with its code; nothing changes.
    pub fn import_bundle(&self, file: Vec<u8>) -> Result<desmig_core::carry::ImportedBundle> {
        Ok(self.inner.import_bundle(&file)?)
    }

    /// Every bundle this phone made, carries or opened, newest first.
    pub fn bundles(&self) -> Result<Vec<desmig_core::carry::BundleEntry>> {
        Ok(self.inner.bundles()?)
    }

    /// The file of a bundle this phone made or carries, to share (again).
    pub fn bundle_file(&self, bundle_id: String) -> Result<Vec<u8>> {
        Ok(self.inner.bundle_file(&bundle_id)?)
    }

    /// Changes waiting to be sent, and changes the server refused.
    pub fn outbox_status(&self) -> Result<desmig_core::outbox::OutboxCounts> {
        Ok(self.inner.outbox_counts()?)
    }

    pub fn rejected_changes(&self) -> Result<Vec<RejectedChange>> {
        Ok(self
            .inner
            .rejected_operations()?
            .into_iter()
            .map(|e| RejectedChange {
                op_id: e.op.op_id,
                entity: e.op.entity.table().to_string(),
                entity_id: e.op.entity_id,
                reason: desmig_core::labels::Code::of(e.reject_code.as_deref().unwrap_or_default()),
                code: e.reject_code.unwrap_or_default(),
                message: e.reject_message.unwrap_or_default(),
                created_at: e.created_at,
            })
            .collect())
    }
}

// ---- The status machines, as the screens offer them: only the next steps the core allows.

use desmig_core::model::CapitalSource;
use desmig_core::status::{BusinessStatus, CapitalStage, PrakerjaStage, Stage, TrainingStatus};

/// The Kartu Prakerja steps that may follow `stage`.
#[uniffi::export]
pub fn prakerja_next_stages(stage: PrakerjaStage) -> Vec<PrakerjaStage> {
    stage.next().to_vec()
}

/// The training statuses that may follow `status`.
#[uniffi::export]
pub fn training_next_statuses(status: TrainingStatus) -> Vec<TrainingStatus> {
    status.next().to_vec()
}

/// The stages that may follow `stage` for capital from `source`: a loan is repaid, a grant used.
#[uniffi::export]
pub fn capital_next_stages(source: CapitalSource, stage: CapitalStage) -> Vec<CapitalStage> {
    stage.next_for(source)
}

/// Whether capital from `source` is paid back (KUR, a cooperative) or a grant.
#[uniffi::export]
pub fn capital_is_loan(source: CapitalSource) -> bool {
    source.is_loan()
}

/// The business statuses that may follow `status`.
#[uniffi::export]
pub fn business_next_statuses(status: BusinessStatus) -> Vec<BusinessStatus> {
    status.next().to_vec()
}

/// Villages' indicators added up (the supervisor's total, from the team overview she already has).
#[uniffi::export]
pub fn indicators_total(parts: Vec<desmig_core::query::VillageIndicators>) -> desmig_core::query::VillageIndicators {
    desmig_core::query::VillageIndicators::total(&parts)
}

// ---- Words decided once (desmig_core::labels): the apps map keys and cases to their strings.

/// The case of a stable code (a sync report's `error_code`, a refusal's `code`).
#[uniffi::export]
pub fn code_of(code: String) -> desmig_core::labels::Code {
    desmig_core::labels::Code::of(&code)
}

/// Whether a code ends the session (the app asks for the password again).
#[uniffi::export]
pub fn code_needs_login(code: desmig_core::labels::Code) -> bool {
    code.needs_login()
}

/// A country's names from its ISO code; `None` for a code that is not one.
#[uniffi::export]
pub fn country(code: String) -> Option<desmig_core::labels::Country> {
    desmig_core::labels::country(&code)
}

/// The countries a form offers: the common destinations first, then by Indonesian name.
#[uniffi::export]
pub fn countries() -> Vec<desmig_core::labels::Country> {
    desmig_core::labels::countries()
}

/// `YYYY-MM` as a heading reads (`Desember 2026`); a malformed month is a validation error.
#[uniffi::export]
pub fn month_label(month: String) -> Result<desmig_core::checklist::Text> {
    Ok(desmig_core::labels::month_label(month_in(&month)?))
}

/// `YYYY-MM-DD` as a person reads it (`2 Desember 2026`); a malformed date is a validation error.
#[uniffi::export]
pub fn date_label(date: String) -> Result<desmig_core::checklist::Text> {
    let d = desmig_core::date::Date::parse(&date).ok_or_else(|| DesmigError::invalid("date", "invalid_date", "expected YYYY-MM-DD"))?;
    Ok(desmig_core::labels::date_label(d))
}
