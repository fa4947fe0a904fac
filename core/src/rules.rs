//! The write rules: who may make which change to which record, and what an operation may claim
//! (its clock, its fields, its author). [`crate::records::decide`] runs them on every operation,
//! on the phone before a change enters its outbox and on the server for every pushed operation,
//! so both refuse the same write with the same code ([`crate::Error::code`]).

use crate::error::{Error, FieldError, Result};
use crate::merge::Operation;
use crate::model::{Context, EntityKind};
use crate::scope::{Identity, Role};
use serde_json::{Map, Value};

/// What the rules need to know about a beneficiary's file, from whatever storage decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub village_code: String,
    pub consent_active: bool,
}

/// The reads the rules make beyond the record itself. The phone answers from its database; the
/// server from what it read for the batch, updated as the batch goes.
pub trait Lookup {
    /// The file of this beneficiary, if it is stored.
    fn file(&mut self, beneficiary_id: &str) -> Result<Option<FileInfo>>;
    /// A beneficiary other than `except` registered with this NIK.
    fn nik_holder(&mut self, nik: &str, except: &str) -> Result<Option<String>>;
    /// The beneficiary whose file holds this record, if it is stored.
    fn owner_of(&mut self, kind: EntityKind, id: &str) -> Result<Option<String>>;
}

/// The field of each kind that names the user who made the record: set by its creator to
/// themselves, never changed afterwards.
pub fn author_field(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Beneficiary => Some("registered_by"),
        EntityKind::Visit => Some("facilitator_id"),
        EntityKind::FollowUp => Some("created_by"),
        EntityKind::StageChange => Some("by"),
        EntityKind::ProductSale => Some("recorded_by"),
        EntityKind::Prakerja | EntityKind::Training | EntityKind::CapitalApplication | EntityKind::Business => None,
    }
}

/// Fields that hold a moment (Unix ms) read from the writer's clock; none may be later than the
/// clock allows (each record's `validate` checks its own), and a device that heals a clock that
/// ran ahead corrects them with its stamps.
pub const MOMENT_FIELDS: [&str; 7] =
    ["registered_at", "consent_given_at", "consent_withdrawn_at", "started_at", "ended_at", "verified_at", "at"];

/// The operation's own claims, before it meets the record: a clock neither from the future
/// (beyond the bound the context allows) nor before desmig existed, and no field stamped before
/// the value it says it replaces.
pub fn check_clock(op: &Operation, ctx: &dyn Context) -> Result<()> {
    let now = ctx.now_ms().max(0) as u64;
    if op.hlc.millis > now.saturating_add(ctx.clock_bound_ms()) {
        return Err(Error::refused(
            "clock_ahead",
            format!(
                "the operation is stamped {} s ahead of the server's clock; the phone corrects its clock at its next sync",
                (op.hlc.millis - now) / 1000
            ),
        ));
    }
    if op.hlc.millis < crate::hlc::EPOCH_MS {
        return Err(Error::refused("clock_invalid", "the operation is stamped before 2024; the phone's clock is wrong"));
    }
    if let Some((field, _)) = op.fields.iter().find(|(_, c)| c.base.as_ref().is_some_and(|b| b > &op.hlc)) {
        return Err(Error::refused("stale_clock", format!("`{field}` is stamped before the value it replaces")));
    }
    Ok(())
}

/// Fields an operation names that its record does not have (`known` is the record's full field
/// map, as it serialises).
pub fn check_known_fields(op: &Operation, known: &Map<String, Value>) -> Result<()> {
    const LISTED: usize = 20;
    let unknown: Vec<&String> = op.fields.keys().filter(|k| !known.contains_key(k.as_str())).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let mut errors: Vec<FieldError> = unknown
        .iter()
        .take(LISTED)
        .map(|f| FieldError::new(f.as_str(), "unknown_field", format!("{} has no field `{f}`", op.entity.table())))
        .collect();
    if unknown.len() > LISTED {
        errors.push(FieldError::new("fields", "unknown_field", format!("and {} more unknown fields", unknown.len() - LISTED)));
    }
    Err(Error::Validation(errors))
}

/// One write to check: by whom, to which record (its fields before and after), in which file.
pub struct Write<'a> {
    pub writer: &'a Identity,
    pub op: &'a Operation,
    pub old: Option<&'a Map<String, Value>>,
    pub new: &'a Map<String, Value>,
    pub beneficiary_id: &'a str,
    /// The file's village now, and the one it leaves when a beneficiary moves.
    pub village: &'a str,
    pub previous_village: Option<&'a str>,
    /// Whether the beneficiary's consent is active (as stored before this write); once it is
    /// withdrawn, nothing more is written to the file but the beneficiary record itself.
    pub consent_active: bool,
}

/// A worker's account reads; it never writes (checked before anything else about the write).
pub fn check_role(writer: &Identity) -> Result<()> {
    if writer.role == Role::Worker {
        return Err(Error::not_allowed("read_only", "a worker's account can read their record but not change it"));
    }
    Ok(())
}

/// Role, scope, consent, authorship, verification and resolution: every rule about *who* that
/// a write must pass.
pub fn check_writer(w: &Write<'_>) -> Result<()> {
    let who = w.writer;
    check_role(who)?;
    for v in std::iter::once(w.village).chain(w.previous_village) {
        if !who.can_write(v, w.beneficiary_id) {
            return Err(Error::not_allowed("out_of_scope", format!("village {v} is not assigned to {}", who.display_name)));
        }
    }
    let kind = w.op.entity;
    if kind != EntityKind::Beneficiary && !w.consent_active {
        return Err(Error::not_allowed("consent_withdrawn", "the beneficiary withdrew consent: their file is no longer processed"));
    }
    let text = |m: &Map<String, Value>, f: &str| m.get(f).and_then(Value::as_str).map(str::to_string);
    if let Some(field) = author_field(kind) {
        let now = text(w.new, field);
        let allowed = match w.old {
            None => now.as_deref() == Some(who.user_id.as_str()),
            Some(old) => now == text(old, field),
        };
        if !allowed {
            let message = match w.old {
                None => format!("`{field}` must name the user who makes the record"),
                Some(_) => format!("`{field}` names who made the record and cannot change"),
            };
            return Err(Error::not_allowed("wrong_author", message));
        }
    }
    if kind == EntityKind::Visit {
        let verifier = text(w.new, "verified_by");
        if verifier.is_some() && verifier != w.old.and_then(|o| text(o, "verified_by")) {
            if !who.can_supervise(w.village) {
                return Err(Error::not_allowed("not_supervisor", "only the district's supervisor verifies visits"));
            }
            if verifier.as_deref() != Some(who.user_id.as_str()) {
                return Err(Error::not_allowed("wrong_author", "`verified_by` must name the supervisor who verifies"));
            }
            if text(w.new, "facilitator_id").as_deref() == Some(who.user_id.as_str()) {
                return Err(Error::not_allowed("self_verification", "nobody verifies a visit they recorded themselves"));
            }
        }
    }
    if !w.op.resolves.is_empty() && !who.can_supervise(w.village) {
        return Err(Error::not_allowed("not_supervisor", "only the district's supervisor resolves conflicts"));
    }
    Ok(())
}

/// A text field of a beneficiary record this write sets or changes (not one it leaves as it was).
fn beneficiary_text_set<'a>(w: &'a Write<'_>, field: &str) -> Option<&'a str> {
    if w.op.entity != EntityKind::Beneficiary {
        return None;
    }
    let now = w.new.get(field).and_then(Value::as_str)?;
    (w.old.and_then(|o| o.get(field)).and_then(Value::as_str) != Some(now)).then_some(now)
}

/// A family member is linked to a beneficiary that exists.
pub fn check_family_link(w: &Write<'_>, lookup: &mut dyn Lookup) -> Result<()> {
    match beneficiary_text_set(w, "family_of") {
        Some(family_of) if lookup.file(family_of)?.is_none() => Err(Error::not_found("beneficiary", family_of)),
        _ => Ok(()),
    }
}

/// Fields that name another record of the same file: a sale's (or a capital application's)
/// business, a follow-up's visit.
const REFERENCES: [(&str, EntityKind); 3] =
    [("business_id", EntityKind::Business), ("visit_id", EntityKind::Visit), ("training_id", EntityKind::Training)];

/// A record names only records of its own file: a sale cannot be booked to another person's
/// business, a follow-up cannot hang on another person's visit, a Prakerja purchase cannot name
/// another person's training.
pub fn check_references(w: &Write<'_>, lookup: &mut dyn Lookup) -> Result<()> {
    for (field, kind) in REFERENCES {
        let Some(target) = w.new.get(field).and_then(Value::as_str) else { continue };
        if w.old.and_then(|o| o.get(field)).and_then(Value::as_str) == Some(target) {
            continue;
        }
        if lookup.owner_of(kind, target)?.as_deref() != Some(w.beneficiary_id) {
            return Err(Error::not_found(kind.table(), target));
        }
    }
    Ok(())
}

/// A NIK names one person: registering it again (on any phone, or on the server) is refused.
pub fn check_nik_unique(w: &Write<'_>, lookup: &mut dyn Lookup) -> Result<()> {
    match beneficiary_text_set(w, "nik") {
        Some(nik) if lookup.nik_holder(nik, w.beneficiary_id)?.is_some() => {
            Err(Error::field("nik", "duplicate", "this NIK is already registered for another beneficiary"))
        }
        _ => Ok(()),
    }
}
