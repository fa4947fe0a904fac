//! Field work: what a facilitator (or supervisor) does to a beneficiary's file — register and
//! edit, record programme statuses, run a visit from a checklist, agree follow-ups. Each command
//! is one transaction through [`crate::store::Batch`].

use crate::checklist::Checked;
use crate::date::{Date, Month};
use crate::error::{Error, Result};
use crate::model::*;
use crate::status::{CapitalStage, PrakerjaStage};
use crate::store::{new_id, Batch, FieldStore};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a registration or edit form sends. Dates and months are strings as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeneficiaryInput {
    pub kind: BeneficiaryKind,
    pub family_of: Option<String>,
    pub nik: Option<String>,
    pub full_name: String,
    pub sex: Sex,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub village_code: String,
    pub address: Option<String>,
    pub last_country: Option<String>,
    pub job_sector_abroad: Option<JobSector>,
    pub years_abroad: Option<u8>,
    pub return_month: Option<String>,
    pub savings_band: Option<SavingsBand>,
    pub skills: Vec<String>,
    pub networks: Option<String>,
    pub dependants: u8,
    pub consent_method: ConsentMethod,
}

impl BeneficiaryInput {
    /// A minimal form: a returning worker with a name, sex and village, who consented on paper.
    pub fn new(full_name: &str, sex: Sex, village_code: &str) -> BeneficiaryInput {
        BeneficiaryInput {
            kind: BeneficiaryKind::ReturningWorker,
            family_of: None,
            nik: None,
            full_name: full_name.into(),
            sex,
            birth_date: None,
            phone: None,
            village_code: village_code.into(),
            address: None,
            last_country: None,
            job_sector_abroad: None,
            years_abroad: None,
            return_month: None,
            savings_band: None,
            skills: vec![],
            networks: None,
            dependants: 0,
            consent_method: ConsentMethod::SignedForm,
        }
    }
}

/// Parses an optional date typed in a form, as a field error when it is not one.
pub fn parse_date(field: &str, raw: Option<&str>) -> Result<Option<Date>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Date::parse(s).map(Some).ok_or_else(|| Error::field(field, "invalid_date", format!("`{s}` is not a date (YYYY-MM-DD)"))),
    }
}

/// A follow-up agreed during a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFollowUp {
    pub action: String,
    pub due_date: Date,
}

/// A beneficiary record from a form (or an imported row): every problem of the form and of the
/// record at once. `registered` is the stored record when editing (its consent and registration
/// stay as they were).
pub fn beneficiary_from_input(
    id: String,
    input: BeneficiaryInput,
    registered: Option<&Beneficiary>,
    by: &str,
    now_ms: i64,
    ctx: &dyn Context,
) -> Result<Beneficiary> {
    let mut problems = Vec::new();
    let birth_date = parse_date("birth_date", input.birth_date.as_deref()).unwrap_or_else(|e| {
        if let Error::Validation(v) = e {
            problems.extend(v)
        }
        None
    });
    let return_month = match input.return_month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(m) => Month::parse(m).or_else(|| {
            problems.push(crate::FieldError::new("return_month", "invalid_date", format!("`{m}` is not a month (YYYY-MM)")));
            None
        }),
    };
    let nik = input.nik.filter(|n| !n.trim().is_empty());
    let b = Beneficiary {
        id,
        kind: input.kind,
        family_of: input.family_of.filter(|f| !f.is_empty()),
        nik,
        full_name: input.full_name,
        sex: input.sex,
        birth_date,
        phone: input.phone.filter(|p| !p.trim().is_empty()),
        village_code: input.village_code,
        address: input.address,
        last_country: input.last_country.filter(|c| !c.trim().is_empty()),
        job_sector_abroad: input.job_sector_abroad,
        years_abroad: input.years_abroad,
        return_month,
        savings_band: input.savings_band,
        skills: input.skills,
        networks: input.networks,
        dependants: input.dependants,
        consent_given_at: registered.map_or(now_ms, |r| r.consent_given_at),
        consent_method: input.consent_method,
        consent_withdrawn_at: registered.and_then(|r| r.consent_withdrawn_at),
        registered_by: registered.map_or(by.to_string(), |r| r.registered_by.clone()),
        registered_at: registered.map_or(now_ms, |r| r.registered_at),
    };
    // Report form-level problems together with the record's own.
    let mut checked = b.clone();
    match checked.validate(ctx) {
        Ok(()) if problems.is_empty() => Ok(b),
        Ok(()) => Err(Error::Validation(problems)),
        Err(Error::Validation(more)) => {
            problems.extend(more);
            Err(Error::Validation(problems))
        }
        Err(e) => Err(e),
    }
}

impl FieldStore {
    fn beneficiary_from(
        &self,
        id: String,
        input: BeneficiaryInput,
        registered: Option<&Beneficiary>,
        by: &str,
        now_ms: i64,
    ) -> Result<Beneficiary> {
        beneficiary_from_input(id, input, registered, by, now_ms, &self.reference())
    }

    /// Registers a returning worker or family member. A NIK already registered on this device is
    /// refused, naming the field.
    pub fn register_beneficiary(&self, input: BeneficiaryInput) -> Result<Beneficiary> {
        let who = self.require_identity()?;
        let b = self.beneficiary_from(new_id(), input, None, &who.user_id, self.now_ms())?;
        self.write(|batch| batch.put(b))
    }

    /// Saves an edited form over a beneficiary's record; only changed fields become an operation.
    pub fn update_beneficiary(&self, id: &str, input: BeneficiaryInput) -> Result<Beneficiary> {
        let who = self.require_identity()?;
        self.write(|batch| {
            let old = batch.get::<Beneficiary>(id)?;
            let b = self.beneficiary_from(id.to_string(), input, Some(&old), &who.user_id, batch.now_ms)?;
            batch.put(b)
        })
    }

    /// Records that the beneficiary withdrew consent: no new records are made for them.
    pub fn withdraw_consent(&self, id: &str) -> Result<Beneficiary> {
        self.write(|batch| {
            let mut b = batch.get::<Beneficiary>(id)?;
            if b.consent_withdrawn_at.is_none() {
                b.consent_withdrawn_at = Some(batch.now_ms);
            }
            batch.put(b)
        })
    }

    /// Records the beneficiary's Kartu Prakerja status. Stage changes must follow the programme's
    /// steps and each is kept in the history with `note`.
    pub fn save_prakerja(&self, mut record: Prakerja, note: Option<String>) -> Result<Prakerja> {
        record.id = record.beneficiary_id.clone();
        self.write(|batch| batch.put_noted(record, note))
    }

    /// Adds (empty `id`) or updates a training.
    pub fn save_training(&self, record: Training, note: Option<String>) -> Result<Training> {
        self.save_child(record, note, |r, id| r.id = id)
    }

    /// Adds (empty `id`) or updates a capital application; stage changes follow
    /// interest → documents → submitted → approved → disbursed → repaying → repaid for a loan,
    /// → used for a grant (the programme's incentive, village-fund support) (or rejected
    /// with a reason, or withdrawn).
    pub fn save_capital_application(&self, record: CapitalApplication, note: Option<String>) -> Result<CapitalApplication> {
        self.save_child(record, note, |r, id| r.id = id)
    }

    /// Adds (empty `id`) or updates a business.
    pub fn save_business(&self, record: Business, note: Option<String>) -> Result<Business> {
        self.save_child(record, note, |r, id| r.id = id)
    }

    fn save_child<T: Entity>(&self, mut record: T, note: Option<String>, set_id: impl FnOnce(&mut T, String)) -> Result<T> {
        if record.id().is_empty() {
            set_id(&mut record, new_id());
        }
        self.write(|batch| batch.put_noted(record, note))
    }

    /// Records (empty `id`) or corrects a product sale of one of the beneficiary's businesses.
    /// A new sale names the user who records it.
    pub fn save_product_sale(&self, mut record: ProductSale) -> Result<ProductSale> {
        self.write(|batch| {
            if record.id.is_empty() {
                record.id = new_id();
                record.recorded_by = batch.identity.user_id.clone();
            }
            batch.put(record)
        })
    }

    pub fn add_follow_up(&self, beneficiary_id: &str, visit_id: Option<&str>, action: &str, due_date: Date) -> Result<FollowUp> {
        self.write(|batch| {
            let f = FollowUp {
                id: new_id(),
                beneficiary_id: beneficiary_id.into(),
                visit_id: visit_id.map(str::to_string),
                action: action.into(),
                due_date,
                done_on: None,
                created_by: batch.identity.user_id.clone(),
            };
            batch.put(f)
        })
    }

    pub fn complete_follow_up(&self, id: &str, done_on: Date) -> Result<FollowUp> {
        self.write(|batch| {
            let mut f = batch.get::<FollowUp>(id)?;
            f.done_on = Some(done_on);
            batch.put(f)
        })
    }

    /// Checks answers against a template without saving: what a visit form shows as the user
    /// types (which items are shown, problems, completeness).
    pub fn check_answers(&self, template_id: &str, version: u32, answers: &Map<String, Value>, complete: bool) -> Result<Checked> {
        Ok(self.template(template_id, Some(version))?.check(answers, complete))
    }

    /// Starts a visit as a draft on the newest version of a checklist.
    pub fn start_visit(&self, beneficiary_id: &str, template_id: &str, location: Option<GeoPoint>) -> Result<Visit> {
        let template = self.template(template_id, None)?;
        self.write(|batch| {
            let v = new_visit(batch, beneficiary_id, &template, location, VisitStatus::Draft, Map::new(), None);
            batch.put(v)
        })
    }

    /// Saves a draft: partial answers are fine, wrong ones are reported per item.
    pub fn save_visit_draft(
        &self,
        visit_id: &str,
        answers: Map<String, Value>,
        notes: Option<String>,
        location: Option<GeoPoint>,
    ) -> Result<Visit> {
        self.write(|batch| {
            let mut v = batch.get::<Visit>(visit_id)?;
            if v.status == VisitStatus::Completed {
                return Err(Error::StateConflict("the visit is completed; record an amendment".into()));
            }
            v.answers = answers;
            v.notes = notes;
            if location.is_some() {
                v.location = location;
            }
            batch.put(v)
        })
    }

    /// Completes a visit: every problem with the answers is reported at once (item ids and
    /// reasons); when there are none the visit and its follow-ups are saved together.
    pub fn complete_visit(
        &self,
        visit_id: &str,
        answers: Map<String, Value>,
        notes: Option<String>,
        follow_ups: Vec<NewFollowUp>,
    ) -> Result<Visit> {
        self.write(|batch| {
            let mut v = batch.get::<Visit>(visit_id)?;
            if v.status == VisitStatus::Completed {
                return Err(Error::StateConflict("the visit is already completed".into()));
            }
            v.answers = answers;
            v.notes = notes;
            v.status = VisitStatus::Completed;
            v.ended_at = Some(batch.now_ms.max(v.started_at));
            let v = batch.put(v)?;
            put_follow_ups(batch, &v, follow_ups)?;
            Ok(v)
        })
    }

    /// Records a whole visit at once (entered after the fact, or from a paper form): started,
    /// answered and completed in one transaction.
    pub fn record_visit(
        &self,
        beneficiary_id: &str,
        template_id: &str,
        answers: Map<String, Value>,
        notes: Option<String>,
        follow_ups: Vec<NewFollowUp>,
    ) -> Result<Visit> {
        let template = self.template(template_id, None)?;
        self.write(|batch| {
            let v = new_visit(batch, beneficiary_id, &template, None, VisitStatus::Completed, answers, notes);
            let v = batch.put(v)?;
            put_follow_ups(batch, &v, follow_ups)?;
            Ok(v)
        })
    }

    /// Corrects a completed visit: a new draft that amends it, with its answers; the original
    /// stays as it was.
    pub fn amend_visit(&self, visit_id: &str) -> Result<Visit> {
        self.write(|batch| {
            let original = batch.get::<Visit>(visit_id)?;
            if original.status != VisitStatus::Completed {
                return Err(Error::StateConflict("only a completed visit is amended; edit the draft".into()));
            }
            let v = Visit {
                id: new_id(),
                status: VisitStatus::Draft,
                ended_at: None,
                amends: Some(original.id.clone()),
                facilitator_id: batch.identity.user_id.clone(),
                started_at: batch.now_ms,
                verified_by: None,
                verified_at: None,
                ..original
            };
            batch.put(v)
        })
    }

    /// A supervisor confirms a completed visit. Who may verify is the write rules' to say
    /// ([`crate::rules`]), before the visit's state.
    pub fn verify_visit(&self, visit_id: &str) -> Result<Visit> {
        self.write(|batch| {
            let mut v = batch.get::<Visit>(visit_id)?;
            let already = v.verified_by.is_some();
            v.verified_by = Some(batch.identity.user_id.clone());
            v.verified_at = Some(batch.now_ms);
            let verified = batch.put(v)?;
            // The same verifier again in the same millisecond changes nothing, and is still told.
            if already {
                return Err(Error::StateConflict("the visit is already verified".into()));
            }
            Ok(verified)
        })
    }

    /// Moves a capital application to its next stage, with the fields that stage needs.
    pub fn move_capital_stage(
        &self,
        id: &str,
        to: CapitalStage,
        change: impl FnOnce(&mut CapitalApplication),
        note: Option<String>,
    ) -> Result<CapitalApplication> {
        self.write(|batch| {
            let mut c = batch.get::<CapitalApplication>(id)?;
            c.stage = to;
            change(&mut c);
            batch.put_noted(c, note)
        })
    }

    /// Records one more Prakerja incentive instalment of `amount` rupiah: the stage becomes (or
    /// stays) `incentive_paid`, the instalments go up by one and the amount adds to what was
    /// received before. Only from `rated` or `incentive_paid`, as the status machine allows.
    pub fn record_incentive_instalment(&self, beneficiary_id: &str, amount: i64, note: Option<String>) -> Result<Prakerja> {
        let amount = crate::validate::rupiah("incentive_received", amount, true).map_err(|e| Error::Validation(vec![e]))?;
        self.write(|batch| {
            let mut p = batch.get::<Prakerja>(beneficiary_id)?;
            p.stage = PrakerjaStage::IncentivePaid;
            p.incentive_instalments = p
                .incentive_instalments
                .checked_add(1)
                .ok_or_else(|| Error::field("incentive_received", "too_many", "no more instalments can be recorded"))?;
            p.incentive_received = p.incentive_received.saturating_add(amount);
            batch.put_noted(p, note)
        })
    }

    /// Moves the Prakerja status to its next step.
    pub fn move_prakerja_stage(
        &self,
        beneficiary_id: &str,
        to: PrakerjaStage,
        change: impl FnOnce(&mut Prakerja),
        note: Option<String>,
    ) -> Result<Prakerja> {
        self.write(|batch| {
            let mut p = batch.get::<Prakerja>(beneficiary_id)?;
            p.stage = to;
            change(&mut p);
            batch.put_noted(p, note)
        })
    }
}

/// A visit by the signed-in user starting now; a completed one also ends now.
fn new_visit(
    batch: &Batch<'_>,
    beneficiary_id: &str,
    template: &crate::checklist::Template,
    location: Option<GeoPoint>,
    status: VisitStatus,
    answers: Map<String, Value>,
    notes: Option<String>,
) -> Visit {
    Visit {
        id: new_id(),
        beneficiary_id: beneficiary_id.into(),
        facilitator_id: batch.identity.user_id.clone(),
        template_id: template.id.clone(),
        template_version: template.version,
        started_at: batch.now_ms,
        ended_at: (status == VisitStatus::Completed).then_some(batch.now_ms),
        location,
        answers,
        notes,
        status,
        completeness: 0,
        amends: None,
        verified_by: None,
        verified_at: None,
    }
}

fn put_follow_ups(batch: &mut Batch<'_>, visit: &Visit, follow_ups: Vec<NewFollowUp>) -> Result<()> {
    for f in follow_ups {
        let f = FollowUp {
            id: new_id(),
            beneficiary_id: visit.beneficiary_id.clone(),
            visit_id: Some(visit.id.clone()),
            action: f.action,
            due_date: f.due_date,
            done_on: None,
            created_by: batch.identity.user_id.clone(),
        };
        batch.put(f)?;
    }
    Ok(())
}
