//! What the apps show of a beneficiary's statuses, decided once: each card's title, its stage,
//! its lines and warnings, and the next steps the status machines allow. Everything a person
//! reads is a key (`card_capital`, `capital_disbursed`, `prakerja_deadline_soon`) that Kotlin and
//! Swift map to their own strings in Indonesian and English; numbers and dates travel as values.

use crate::checklist::{ItemKind, Template, Text};
use crate::date::Date;
use crate::model::{Business, CapitalApplication, GeoPoint, Prakerja, ProductSale, SaleMarket, Training};
use crate::query::BeneficiaryFile;
use crate::status::{PrakerjaStage, Stage};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Days before the Prakerja purchase deadline from which the card warns.
pub const DEADLINE_WARNING_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Prakerja,
    Training,
    Capital,
    Business,
}

/// One line of a card: a key, and its value when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum CardLine {
    /// `line_wave`: selected in wave N.
    Wave { wave: u32 },
    /// `line_purchase_deadline`: buy a training by this date (YYYY-MM-DD), in so many days.
    PurchaseDeadline { date: String, days_left: i64 },
    /// `line_incentive`: instalments received and their total.
    Incentive { instalments: u8, rupiah: i64 },
    /// `line_provider`.
    Provider { text: String },
    /// `line_dates` (YYYY-MM-DD).
    Dates { start: Option<String>, end: Option<String> },
    /// `line_certificate`.
    Certificate { number: String },
    /// `line_source` with the source's key (`source_kur`, `source_village_fund`, …) and whether
    /// it is a loan or a grant.
    Source { source_key: String, loan: bool },
    /// `line_requested`, `line_approved`, `line_disbursed`: rupiah.
    Amount { key: String, rupiah: i64 },
    /// `line_rejection`: the reason given.
    Rejection { reason: String },
    /// `line_revenue`: monthly revenue.
    Revenue { rupiah: i64 },
    /// `line_workers`.
    Workers { count: u32 },
    /// `line_sales_this_month`: the business's sales in the current month.
    SalesThisMonth { rupiah: i64, count: u32 },
    /// `line_furthest_market` with the market's key (`market_export`, …) and an export's country.
    FurthestMarket { market_key: String, country: Option<String> },
}

/// What kind of input a move's field takes: the app shows the matching control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Whole rupiah.
    Rupiah,
    /// `YYYY-MM-DD`.
    Date,
    /// A whole number (a wave, a number of workers).
    Integer,
    Text,
    /// One of `options` (their values are record ids, their labels what to show).
    Choice,
}

/// One choice of a [`InputKind::Choice`] field: a record's id and what the person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveOption {
    pub value: String,
    pub label: String,
}

/// A field a move asks for: the record's field name (its label key is `field_` + name), the
/// control it takes, and whether the move is refused without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveField {
    pub name: String,
    pub kind: InputKind,
    pub required: bool,
    #[serde(default)]
    pub options: Vec<MoveOption>,
}

/// A next step the screen may offer: the stage to move to, as a key (`capital_approved`), and
/// the record's fields the move asks for (`amount_disbursed`, `disbursed_on`): what that stage's
/// validation requires, or what is worth recording then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardAction {
    pub stage_key: String,
    pub fields: Vec<MoveField>,
}

/// The fields a move to `stage_key` asks for; `trainings` are the file's trainings (a Prakerja
/// purchase names the training bought).
fn move_fields(stage_key: &str, trainings: &[Training]) -> Vec<MoveField> {
    use InputKind::*;
    let field = |name: &str, kind: InputKind, required: bool| MoveField { name: name.into(), kind, required, options: vec![] };
    match stage_key {
        "prakerja_selected" => vec![field("wave", Integer, true), field("selected_on", Date, true)],
        "prakerja_training_purchased" if !trainings.is_empty() => vec![MoveField {
            options: trainings.iter().map(|t| MoveOption { value: t.id.clone(), label: t.title.clone() }).collect(),
            ..field("training_id", Choice, false)
        }],
        "prakerja_certified" => vec![field("certificate_no", Text, false)],
        // One more instalment: its amount is added to what was received before
        // (`record_incentive_instalment`).
        "prakerja_incentive_paid" => vec![field("incentive_received", Rupiah, true)],
        "training_enrolled" | "training_ongoing" => vec![field("start_date", Date, false)],
        "training_completed" => vec![field("end_date", Date, false), field("certificate_no", Text, false)],
        "capital_submitted" => vec![field("submitted_on", Date, false)],
        "capital_approved" => vec![field("amount_approved", Rupiah, true)],
        "capital_disbursed" => vec![field("amount_disbursed", Rupiah, true), field("disbursed_on", Date, true)],
        "capital_rejected" => vec![field("rejection_reason", Text, true)],
        "business_running" => {
            vec![field("started_on", Date, false), field("monthly_revenue", Rupiah, false), field("workers", Integer, false)]
        }
        _ => vec![],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCard {
    pub kind: CardKind,
    /// The record the card is about (empty for a Prakerja card not started yet).
    pub subject_id: String,
    /// `card_prakerja`, `card_training`, `card_capital`, `card_business`.
    pub title_key: String,
    /// The record's name, when it has one (a training's title, a business's name).
    pub title: Option<String>,
    /// The stage, as a key: `prakerja_selected`, `training_completed`, `capital_used`, …
    pub stage_key: String,
    pub lines: Vec<CardLine>,
    /// `prakerja_deadline_soon`, `prakerja_deadline_passed`.
    pub warnings: Vec<String>,
    /// Only what the status machine allows next (empty when the status is final).
    pub actions: Vec<CardAction>,
}

fn key<S: Stage>(prefix: &str, s: S) -> String {
    format!("{prefix}_{}", s.name())
}

fn enum_key<T: Serialize>(prefix: &str, v: T) -> String {
    let name = serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    format!("{prefix}_{name}")
}

fn actions<S: Stage>(prefix: &str, next: impl IntoIterator<Item = S>) -> Vec<CardAction> {
    actions_with(prefix, next, &[])
}

fn actions_with<S: Stage>(prefix: &str, next: impl IntoIterator<Item = S>, trainings: &[Training]) -> Vec<CardAction> {
    next.into_iter()
        .map(|s| {
            let stage_key = key(prefix, s);
            CardAction { fields: move_fields(&stage_key, trainings), stage_key }
        })
        .collect()
}

/// The cards of a beneficiary's file, in the order the file shows them: Prakerja (always, so
/// that registering is offered), each training, each capital application, each business.
pub fn status_cards(file: &BeneficiaryFile, today: Date) -> Vec<StatusCard> {
    let mut cards = vec![prakerja_card(file.prakerja.as_ref(), &file.trainings, today)];
    cards.extend(file.trainings.iter().map(training_card));
    cards.extend(file.capital_applications.iter().map(capital_card));
    cards.extend(file.businesses.iter().map(|b| business_card(b, &file.product_sales, today)));
    cards
}

fn prakerja_card(p: Option<&Prakerja>, trainings: &[Training], today: Date) -> StatusCard {
    let Some(p) = p else {
        return StatusCard {
            kind: CardKind::Prakerja,
            subject_id: String::new(),
            title_key: "card_prakerja".into(),
            title: None,
            stage_key: "prakerja_none".into(),
            lines: vec![],
            warnings: vec![],
            actions: actions("prakerja", [PrakerjaStage::Registered]),
        };
    };
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    if let Some(wave) = p.wave {
        lines.push(CardLine::Wave { wave });
    }
    if let (PrakerjaStage::Selected, Some(deadline)) = (p.stage, p.purchase_deadline) {
        let days_left = deadline.days_since_epoch() - today.days_since_epoch();
        lines.push(CardLine::PurchaseDeadline { date: deadline.to_string(), days_left });
        if days_left < 0 {
            warnings.push("prakerja_deadline_passed".into());
        } else if days_left <= DEADLINE_WARNING_DAYS {
            warnings.push("prakerja_deadline_soon".into());
        }
    }
    if p.incentive_instalments > 0 {
        lines.push(CardLine::Incentive { instalments: p.incentive_instalments, rupiah: p.incentive_received });
    }
    if let Some(c) = &p.certificate_no {
        lines.push(CardLine::Certificate { number: c.clone() });
    }
    StatusCard {
        kind: CardKind::Prakerja,
        subject_id: p.id.clone(),
        title_key: "card_prakerja".into(),
        title: None,
        stage_key: key("prakerja", p.stage),
        lines,
        warnings,
        actions: actions_with("prakerja", p.stage.next().iter().copied(), trainings),
    }
}

fn training_card(t: &Training) -> StatusCard {
    let mut lines = vec![CardLine::Provider { text: t.provider.clone() }];
    if t.start_date.is_some() || t.end_date.is_some() {
        lines.push(CardLine::Dates { start: t.start_date.map(|d| d.to_string()), end: t.end_date.map(|d| d.to_string()) });
    }
    if let Some(c) = &t.certificate_no {
        lines.push(CardLine::Certificate { number: c.clone() });
    }
    StatusCard {
        kind: CardKind::Training,
        subject_id: t.id.clone(),
        title_key: "card_training".into(),
        title: Some(t.title.clone()),
        stage_key: key("training", t.status),
        lines,
        warnings: vec![],
        actions: actions("training", t.status.next().iter().copied()),
    }
}

fn capital_card(c: &CapitalApplication) -> StatusCard {
    let mut lines = vec![
        CardLine::Source { source_key: enum_key("source", c.source), loan: c.source.is_loan() },
        CardLine::Amount { key: "line_requested".into(), rupiah: c.amount_requested },
    ];
    if let Some(a) = c.amount_approved {
        lines.push(CardLine::Amount { key: "line_approved".into(), rupiah: a });
    }
    if let Some(d) = c.amount_disbursed {
        lines.push(CardLine::Amount { key: "line_disbursed".into(), rupiah: d });
    }
    if let Some(r) = &c.rejection_reason {
        lines.push(CardLine::Rejection { reason: r.clone() });
    }
    StatusCard {
        kind: CardKind::Capital,
        subject_id: c.id.clone(),
        title_key: "card_capital".into(),
        title: None,
        stage_key: key("capital", c.stage),
        lines,
        warnings: vec![],
        actions: actions("capital", c.stage.next_for(c.source)),
    }
}

fn market_rank(m: SaleMarket) -> u8 {
    match m {
        SaleMarket::OwnVillage => 0,
        SaleMarket::OtherVillages => 1,
        SaleMarket::DistrictCity => 2,
        SaleMarket::OnlineMarketplace => 3,
        SaleMarket::Export => 4,
    }
}

fn business_card(b: &Business, sales: &[ProductSale], today: Date) -> StatusCard {
    let mut lines = Vec::new();
    if let Some(r) = b.monthly_revenue {
        lines.push(CardLine::Revenue { rupiah: r });
    }
    if b.workers > 0 {
        lines.push(CardLine::Workers { count: b.workers });
    }
    let own: Vec<&ProductSale> = sales.iter().filter(|s| s.business_id == b.id).collect();
    let month = today.first_of_month();
    let this_month: Vec<&&ProductSale> = own.iter().filter(|s| s.sold_on.first_of_month() == month).collect();
    if !this_month.is_empty() {
        lines.push(CardLine::SalesThisMonth { rupiah: this_month.iter().map(|s| s.revenue).sum(), count: this_month.len() as u32 });
    }
    if let Some(far) = own.iter().max_by_key(|s| market_rank(s.market)) {
        lines.push(CardLine::FurthestMarket { market_key: enum_key("market", far.market), country: far.export_country.clone() });
    }
    StatusCard {
        kind: CardKind::Business,
        subject_id: b.id.clone(),
        title_key: "card_business".into(),
        title: Some(b.name.clone()),
        stage_key: key("business", b.status),
        lines,
        warnings: vec![],
        actions: actions("business", b.status.next().iter().copied()),
    }
}

// ---------------------------------------------------------------------------------------------
// A visit as a person reads it: what the supervisor opens before verifying, and what a completed
// visit shows (read-only, with an amend action) everywhere.

/// One answered item: its label, and the answer as a person reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerLine {
    pub item_id: String,
    pub label: Text,
    pub kind: ItemKind,
    /// A yes/no answer.
    pub yes: Option<bool>,
    /// The labels of the options chosen (single or multiple choice).
    pub choices: Vec<Text>,
    /// A number, an amount in whole rupiah, a date (YYYY-MM-DD) or text, as recorded.
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitView {
    pub visit_id: String,
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub village_code: String,
    pub village_name: String,
    pub template_title: Text,
    pub template_version: u32,
    pub facilitator_id: String,
    /// `visit_draft`, `visit_completed`.
    pub status_key: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub completeness: u8,
    pub location: Option<GeoPoint>,
    pub notes: Option<String>,
    /// In the template's order; unanswered items are left out.
    pub answers: Vec<AnswerLine>,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    /// This amends that earlier visit.
    pub amends: Option<String>,
    /// The user may verify it now (a supervisor of the district, not its author, not yet verified).
    pub can_verify: bool,
    /// The user may amend it (it is completed and the file still takes new records).
    pub can_amend: bool,
}

/// Whether `who` may verify `visit` of a file in `village` now: completed, not yet verified, not
/// their own, and a supervisor of the district. What the phones and the console offer; the write
/// rules refuse the rest.
pub fn can_verify(visit: &crate::model::Visit, who: &crate::scope::Identity, village: &str) -> bool {
    visit.status == crate::model::VisitStatus::Completed
        && visit.verified_by.is_none()
        && visit.facilitator_id != who.user_id
        && who.can_supervise(village)
}

/// The answers of `visit` with the labels of `template` (answers to items the template does not
/// have are left out).
pub fn answer_lines(template: &Template, answers: &Map<String, Value>) -> Vec<AnswerLine> {
    let mut lines = Vec::new();
    for item in &template.items {
        let Some(answer) = answers.get(&item.id).filter(|v| !v.is_null()) else { continue };
        let label_of = |value: &str| item.options.iter().find(|o| o.value == value).map(|o| o.label.clone());
        let (yes, choices, value) = match item.kind {
            ItemKind::YesNo => (answer.as_bool(), vec![], None),
            ItemKind::SingleChoice => (None, answer.as_str().and_then(label_of).into_iter().collect(), None),
            ItemKind::MultiChoice => {
                (None, answer.as_array().into_iter().flatten().filter_map(|v| v.as_str().and_then(label_of)).collect(), None)
            }
            _ => (None, vec![], Some(answer.as_str().map(str::to_string).unwrap_or_else(|| answer.to_string()))),
        };
        lines.push(AnswerLine { item_id: item.id.clone(), label: item.label.clone(), kind: item.kind, yes, choices, value });
    }
    lines
}
