//! Mentoring checklists: versioned templates as data, answer validation with skip logic
//! (`show_if`), and completeness. A screen renders a template; it never decides what is valid.

use crate::date::Date;
use crate::error::{Error, FieldError, Result};
use crate::validate::{RUPIAH_MAX, TEXT_MAX_CHARS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The five templates every Desmigratif facilitator starts with.
pub const BUILTIN_TEMPLATES: [&str; 5] = [
    include_str!("../templates/initial_assessment.json"),
    include_str!("../templates/business_plan.json"),
    include_str!("../templates/prakerja_assistance.json"),
    include_str!("../templates/kur_readiness.json"),
    include_str!("../templates/business_monitoring.json"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Bahasa Indonesia (the default language).
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn in_lang(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.en
        } else {
            &self.id
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    YesNo,
    SingleChoice,
    MultiChoice,
    Integer,
    Rupiah,
    Text,
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

/// Skip logic: when an item is shown, decided on the answers to earlier items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    All { all: Vec<Condition> },
    Any { any: Vec<Condition> },
    Equals { item: String, equals: Value },
    In { item: String, r#in: Vec<String> },
    Includes { item: String, includes: String },
    AtLeast { item: String, at_least: i64 },
}

impl Condition {
    pub fn holds(&self, answers: &Map<String, Value>) -> bool {
        match self {
            Condition::All { all } => all.iter().all(|c| c.holds(answers)),
            Condition::Any { any } => any.iter().any(|c| c.holds(answers)),
            Condition::Equals { item, equals } => answers.get(item) == Some(equals),
            Condition::In { item, r#in } => answers.get(item).and_then(Value::as_str).is_some_and(|v| r#in.iter().any(|o| o == v)),
            Condition::Includes { item, includes } => {
                answers.get(item).and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v.as_str() == Some(includes)))
            }
            Condition::AtLeast { item, at_least } => answers.get(item).and_then(Value::as_i64).is_some_and(|v| v >= *at_least),
        }
    }

    fn referenced(&self, out: &mut Vec<(String, Option<Vec<String>>)>) {
        match self {
            Condition::All { all: cs } | Condition::Any { any: cs } => cs.iter().for_each(|c| c.referenced(out)),
            Condition::Equals { item, equals } => out.push((item.clone(), equals.as_str().map(|s| vec![s.to_string()]))),
            Condition::In { item, r#in } => out.push((item.clone(), Some(r#in.clone()))),
            Condition::Includes { item, includes } => out.push((item.clone(), Some(vec![includes.clone()]))),
            Condition::AtLeast { item, .. } => out.push((item.clone(), None)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub kind: ItemKind,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Required when shown: a hidden item is never required.
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Value bounds (integer, rupiah), length bounds (text) or selection counts (multi choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub description: Text,
    pub items: Vec<Item>,
}

/// One problem with one answer.
pub type ItemProblem = FieldError;

/// The outcome of checking answers against a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The answers to keep: typed, trimmed, with answers to hidden or unknown items dropped.
    pub answers: Map<String, Value>,
    /// Every problem at once; empty when the answers may be completed.
    pub problems: Vec<ItemProblem>,
    /// Items currently shown, in template order.
    pub visible: Vec<String>,
    /// Percentage of shown required items answered (of shown items, when none is required).
    pub completeness: u8,
}

impl Template {
    /// Parses and checks a template definition (shipped, or published by an administrator).
    pub fn from_json(json: &str) -> Result<Template> {
        let t: Template = serde_json::from_str(json).map_err(|e| Error::field("template", "invalid_format", e.to_string()))?;
        t.check_definition()?;
        Ok(t)
    }

    /// A template must be self-consistent: unique ids, options where needed, skip logic that only
    /// looks back at earlier items and names options that exist.
    pub fn check_definition(&self) -> Result<()> {
        let mut problems = Vec::new();
        let mut p = |field: &str, msg: String| problems.push(FieldError::new(field, "invalid_template", msg));
        if !is_snake_id(&self.id) {
            p("id", format!("template id `{}` must be snake_case", self.id));
        }
        if self.version == 0 {
            p("version", "version must be 1 or more".into());
        }
        if self.items.is_empty() {
            p("items", "a template needs at least one item".into());
        }
        let mut seen: HashMap<&str, &Item> = HashMap::new();
        for item in &self.items {
            if !is_snake_id(&item.id) {
                p(&item.id, "item id must be snake_case".into());
            }
            if item.label.id.trim().is_empty() || item.label.en.trim().is_empty() {
                p(&item.id, "label needs Indonesian and English text".into());
            }
            let choice = matches!(item.kind, ItemKind::SingleChoice | ItemKind::MultiChoice);
            if choice {
                let mut values: Vec<&str> = item.options.iter().map(|o| o.value.as_str()).collect();
                values.sort_unstable();
                values.dedup();
                if item.options.len() < 2 || values.len() != item.options.len() {
                    p(&item.id, "a choice needs at least two options with distinct values".into());
                }
            } else if !item.options.is_empty() {
                p(&item.id, "only choice items have options".into());
            }
            let bounded = matches!(item.kind, ItemKind::Integer | ItemKind::Rupiah | ItemKind::Text | ItemKind::MultiChoice);
            if !bounded && (item.min.is_some() || item.max.is_some()) {
                p(&item.id, "min/max apply only to integer, rupiah, text and multi-choice items".into());
            }
            if let (Some(lo), Some(hi)) = (item.min, item.max) {
                if lo > hi {
                    p(&item.id, "min is larger than max".into());
                }
            }
            if let Some(cond) = &item.show_if {
                let mut refs = Vec::new();
                cond.referenced(&mut refs);
                for (rid, values) in refs {
                    match seen.get(rid.as_str()) {
                        None => p(&item.id, format!("show_if refers to `{rid}`, which is not an earlier item")),
                        Some(target) => {
                            let has_options = !target.options.is_empty();
                            for v in values.into_iter().flatten() {
                                if has_options && !target.options.iter().any(|o| o.value == v) {
                                    p(&item.id, format!("show_if names option `{v}` that `{rid}` does not have"));
                                }
                            }
                        }
                    }
                }
            }
            if seen.insert(&item.id, item).is_some() {
                p(&item.id, "item id is used twice".into());
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(problems))
        }
    }

    /// A valid answer to every item (the first option, the smallest allowed number, a date), for
    /// demo data, tests and benchmarks.
    pub fn sample_answers(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for item in &self.items {
            let n = item.min.unwrap_or(1).max(1).min(item.max.unwrap_or(i64::MAX));
            let v = match item.kind {
                ItemKind::YesNo => Value::Bool(true),
                ItemKind::SingleChoice => Value::String(item.options[0].value.clone()),
                ItemKind::MultiChoice => {
                    Value::Array(item.options.iter().take(n as usize).map(|o| Value::String(o.value.clone())).collect())
                }
                ItemKind::Integer => Value::from(n),
                ItemKind::Rupiah => Value::from(item.min.unwrap_or(1_000_000).max(0).min(item.max.unwrap_or(i64::MAX))),
                ItemKind::Text => Value::String("Catatan pendamping".chars().cycle().take(n.max(18) as usize).collect()),
                ItemKind::Date => Value::String("2026-11-02".into()),
            };
            out.insert(item.id.clone(), v);
        }
        out
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Checks answers. `complete` adds the rule that every shown required item is answered.
    /// Answers to items that are hidden, or unknown to this template, are dropped, not refused:
    /// a facilitator who changes an earlier answer must not be stuck on a question now hidden.
    pub fn check(&self, answers: &Map<String, Value>, complete: bool) -> Checked {
        let mut kept = Map::new();
        let mut problems = Vec::new();
        let mut visible = Vec::new();
        let (mut required_shown, mut required_answered, mut answered_shown) = (0u32, 0u32, 0u32);
        for item in &self.items {
            // Conditions see only the kept (valid, visible) answers of earlier items.
            if !item.show_if.as_ref().is_none_or(|c| c.holds(&kept)) {
                continue;
            }
            visible.push(item.id.clone());
            let raw = answers.get(&item.id).filter(|v| !is_blank(v));
            let answered = match raw {
                None => false,
                Some(v) => match check_answer(item, v) {
                    Ok(clean) => {
                        kept.insert(item.id.clone(), clean);
                        true
                    }
                    Err((code, msg)) => {
                        problems.push(FieldError::new(&item.id, code, msg));
                        false
                    }
                },
            };
            answered_shown += u32::from(answered);
            if item.required {
                required_shown += 1;
                required_answered += u32::from(answered);
                if complete && raw.is_none() {
                    problems.push(FieldError::new(&item.id, "required", "this question must be answered"));
                }
            }
        }
        let completeness = (required_answered * 100)
            .checked_div(required_shown)
            .or_else(|| (answered_shown * 100).checked_div(visible.len() as u32))
            .unwrap_or(100);
        Checked { answers: kept, problems, visible, completeness: completeness as u8 }
    }
}

fn is_snake_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

type AnswerError = (&'static str, String);

fn check_answer(item: &Item, v: &Value) -> Result<Value, AnswerError> {
    let wrong = |what: &str| ("wrong_type", format!("expected {what}"));
    let bounds = |n: i64, unit: &str| -> Result<(), AnswerError> {
        if let Some(lo) = item.min.filter(|lo| n < *lo) {
            return Err(("out_of_range", format!("must be at least {lo}{unit}")));
        }
        if let Some(hi) = item.max.filter(|hi| n > *hi) {
            return Err(("out_of_range", format!("must be at most {hi}{unit}")));
        }
        Ok(())
    };
    let option = |s: &str| item.options.iter().any(|o| o.value == s);
    match item.kind {
        ItemKind::YesNo => v.as_bool().map(Value::Bool).ok_or_else(|| wrong("yes or no")),
        ItemKind::SingleChoice => {
            let s = v.as_str().ok_or_else(|| wrong("one option"))?;
            if option(s) {
                Ok(Value::String(s.to_string()))
            } else {
                Err(("unknown_option", format!("`{s}` is not one of the options")))
            }
        }
        ItemKind::MultiChoice => {
            let arr = v.as_array().ok_or_else(|| wrong("a list of options"))?;
            let mut picked: Vec<&str> = Vec::new();
            for x in arr {
                let s = x.as_str().ok_or_else(|| wrong("a list of options"))?;
                if !option(s) {
                    return Err(("unknown_option", format!("`{s}` is not one of the options")));
                }
                if !picked.contains(&s) {
                    picked.push(s);
                }
            }
            bounds(picked.len() as i64, " choices")?;
            // Keep the template's option order so equal selections compare equal.
            let ordered = item.options.iter().filter(|o| picked.contains(&o.value.as_str())).map(|o| Value::String(o.value.clone()));
            Ok(Value::Array(ordered.collect()))
        }
        ItemKind::Integer | ItemKind::Rupiah => {
            let n = v.as_i64().ok_or_else(|| wrong(if item.kind == ItemKind::Rupiah { "whole rupiah" } else { "a whole number" }))?;
            if item.kind == ItemKind::Rupiah && !(0..=RUPIAH_MAX).contains(&n) {
                return Err(("out_of_range", "amount must be between Rp 0 and Rp 100.000.000.000".into()));
            }
            bounds(n, "")?;
            Ok(Value::from(n))
        }
        ItemKind::Text => {
            let s = v.as_str().ok_or_else(|| wrong("text"))?.trim();
            let len = s.chars().count() as i64;
            if len > TEXT_MAX_CHARS as i64 {
                return Err(("too_long", format!("longer than {TEXT_MAX_CHARS} characters")));
            }
            bounds(len, " characters")?;
            Ok(Value::String(s.to_string()))
        }
        ItemKind::Date => {
            let s = v.as_str().ok_or_else(|| wrong("a date"))?;
            Date::parse(s)
                .map(|d| Value::String(d.to_string()))
                .ok_or_else(|| ("invalid_date", format!("`{s}` is not a date (YYYY-MM-DD)")))
        }
    }
}

/// The shipped templates, parsed and checked.
pub fn builtin_templates() -> Result<Vec<Template>> {
    BUILTIN_TEMPLATES.iter().map(|j| Template::from_json(j)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn every_builtin_template_is_well_formed() {
        let ts = builtin_templates().expect("built-in templates");
        let ids: Vec<_> = ts.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["initial_assessment", "business_plan", "prakerja_assistance", "kur_readiness", "business_monitoring"]);
        for t in &ts {
            assert!(t.items.iter().any(|i| i.show_if.is_some()), "{} has skip logic", t.id);
            assert!(t.items.iter().any(|i| i.required), "{} has required items", t.id);
        }
    }

    #[test]
    fn a_template_that_looks_forward_is_refused() {
        let t = json!({"id": "x", "version": 1, "title": {"id": "a", "en": "a"}, "description": {"id": "a", "en": "a"},
        "items": [
            {"id": "a", "kind": "yes_no", "label": {"id": "a", "en": "a"}, "show_if": {"item": "b", "equals": true}},
            {"id": "b", "kind": "single_choice", "label": {"id": "b", "en": "b"}, "options": [{"value": "p", "label": {"id": "p", "en": "p"}}]},
            {"id": "b", "kind": "text", "label": {"id": "", "en": "b"}, "min": 3, "max": 1}
        ]});
        let Err(Error::Validation(errs)) = Template::from_json(&t.to_string()) else { panic!("accepted") };
        let msgs: Vec<_> = errs.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        assert_eq!(msgs.len(), 5, "{msgs:#?}");
    }

    #[test]
    fn wrong_types_and_unknown_options_are_reported_per_item() {
        let t = builtin_templates().unwrap().into_iter().find(|t| t.id == "kur_readiness").unwrap();
        let first_choice = t.items.iter().find(|i| i.kind == ItemKind::SingleChoice && i.show_if.is_none()).unwrap();
        let first_yes_no = t.items.iter().find(|i| i.kind == ItemKind::YesNo && i.show_if.is_none()).unwrap();
        let a = answers(json!({ first_choice.id.clone(): "no_such_option", first_yes_no.id.clone(): "ya" }));
        let c = t.check(&a, false);
        let mut got: Vec<_> = c.problems.iter().map(|p| (p.field.clone(), p.code.clone())).collect();
        got.sort();
        let mut want = vec![(first_choice.id.clone(), "unknown_option".to_string()), (first_yes_no.id.clone(), "wrong_type".to_string())];
        want.sort();
        assert_eq!(got, want);
    }
}
