//! The one merge function. Phones and the sync server apply every operation through [`merge`],
//! so all replicas converge by construction: field-level last-writer-wins ordered by the hybrid
//! logical clock (its node id is the stable tie-break), and concurrent writes to one field keep
//! the losing value as a [`Conflict`] a supervisor can resolve.

use crate::hlc::Hlc;
use crate::model::EntityKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A new value for one field, with the clock of the value its writer saw (`None` when the writer
/// created the record). The base is what tells a concurrent write from a later one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Bounded while it is decoded (a phone's operation arrives from the network).
    #[serde(rename = "v", deserialize_with = "crate::bounded::value")]
    pub value: Value,
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Hlc>,
}

/// One change to one record, made on one device: the unit of the outbox and of sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Client-made UUID v7: the server applies each at most once.
    pub op_id: String,
    pub device_id: String,
    pub user_id: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub hlc: Hlc,
    pub fields: BTreeMap<String, FieldChange>,
    /// Conflicts this write settles (a supervisor's resolution), by conflict id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolves: Vec<String>,
}

/// The clock of one stored field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldClock {
    pub hlc: Hlc,
    pub base: Option<Hlc>,
}

/// A record as stored: its fields, and when each was written. Fields written by the creating
/// operation carry its clock implicitly (`created`), so a record that never changed stores no
/// per-field clocks at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versioned {
    pub fields: Map<String, Value>,
    pub created: Hlc,
    #[serde(default)]
    pub clocks: BTreeMap<String, FieldClock>,
}

impl Versioned {
    pub fn clock_of(&self, field: &str) -> FieldClock {
        self.clocks.get(field).cloned().unwrap_or_else(|| FieldClock { hlc: self.created.clone(), base: None })
    }

    /// The newest clock of any field: when the record last changed.
    pub fn last_changed(&self) -> &Hlc {
        self.clocks.values().map(|c| &c.hlc).chain(std::iter::once(&self.created)).max().unwrap_or(&self.created)
    }
}

/// A value that lost to a concurrent write of the same field. Its id is the same on every
/// replica, whatever the order in which the two writes arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub field: String,
    pub losing_value: Value,
    pub losing_hlc: Hlc,
}

impl Conflict {
    fn new(op: &Operation, field: &str, losing_value: Value, losing_hlc: Hlc) -> Conflict {
        Conflict {
            id: format!("{}:{}:{}:{}", op.entity.table(), op.entity_id, field, losing_hlc),
            entity: op.entity,
            entity_id: op.entity_id.clone(),
            field: field.to_string(),
            losing_value,
            losing_hlc,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub state: Versioned,
    /// Fields whose value this operation set.
    pub changed: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

/// Applies `op` to the stored record `current` (or creates it). Pure and deterministic.
pub fn merge(current: Option<&Versioned>, op: &Operation) -> Merged {
    let Some(current) = current else {
        let fields = op.fields.iter().map(|(k, c)| (k.clone(), c.value.clone())).collect();
        let state = Versioned { fields, created: op.hlc.clone(), clocks: BTreeMap::new() };
        return Merged { state, changed: op.fields.keys().cloned().collect(), conflicts: vec![] };
    };
    let mut state = current.clone();
    let mut changed = Vec::new();
    let mut conflicts = Vec::new();
    for (field, change) in &op.fields {
        let cur = current.clock_of(field);
        let cur_value = current.fields.get(field).cloned().unwrap_or(Value::Null);
        let other_device = cur.hlc.node != op.hlc.node;
        match op.hlc.cmp(&cur.hlc) {
            std::cmp::Ordering::Equal => {} // the same write again
            std::cmp::Ordering::Greater => {
                // The writer's base is older than our value: it had not seen it, so the two
                // writes were concurrent. (Clocks grow along every chain of writes, so a base at
                // or after our clock means the writer saw ours, or something that replaced it.)
                if other_device && change.base.as_ref().is_none_or(|b| b < &cur.hlc) && cur_value != change.value {
                    conflicts.push(Conflict::new(op, field, cur_value, cur.hlc.clone()));
                }
                state.fields.insert(field.clone(), change.value.clone());
                state.clocks.insert(field.clone(), FieldClock { hlc: op.hlc.clone(), base: change.base.clone() });
                changed.push(field.clone());
            }
            std::cmp::Ordering::Less => {
                // An older write arriving late; it loses, and is kept if it was concurrent.
                if other_device && cur.base.as_ref().is_none_or(|b| b < &op.hlc) && cur_value != change.value {
                    conflicts.push(Conflict::new(op, field, change.value.clone(), op.hlc.clone()));
                }
            }
        }
    }
    Merged { state, changed, conflicts }
}

/// Splits a stored record into the operations that would have produced it: the creating one
/// (fields never changed since) and one per later clock, oldest first.
pub fn state_to_ops(entity: EntityKind, entity_id: &str, state: &Versioned) -> Vec<Operation> {
    let mut groups: BTreeMap<&Hlc, BTreeMap<String, FieldChange>> = BTreeMap::new();
    for (field, value) in &state.fields {
        let clock = state.clocks.get(field);
        let hlc = clock.map_or(&state.created, |c| &c.hlc);
        let base = clock.and_then(|c| c.base.clone());
        groups.entry(hlc).or_default().insert(field.clone(), FieldChange { value: value.clone(), base });
    }
    groups
        .into_iter()
        .map(|(hlc, fields)| Operation {
            op_id: String::new(),
            device_id: hlc.node.clone(),
            user_id: String::new(),
            entity,
            entity_id: entity_id.to_string(),
            hlc: hlc.clone(),
            fields,
            resolves: Vec::new(),
        })
        .collect()
}

/// Merges a whole record as another replica stores it (a pulled change) into ours, through
/// [`merge`]: the same outcome as receiving the operations that made it.
pub fn merge_state(current: Option<&Versioned>, entity: EntityKind, entity_id: &str, incoming: &Versioned) -> Merged {
    let Some(current) = current else {
        return Merged { state: incoming.clone(), changed: incoming.fields.keys().cloned().collect(), conflicts: vec![] };
    };
    let mut state = current.clone();
    let mut changed = Vec::new();
    let mut conflicts = Vec::new();
    for op in state_to_ops(entity, entity_id, incoming) {
        let m = merge(Some(&state), &op);
        state = m.state;
        changed.extend(m.changed);
        conflicts.extend(m.conflicts);
    }
    changed.sort();
    changed.dedup();
    Merged { state, changed, conflicts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hlc(ms: u64, node: &str) -> Hlc {
        Hlc { millis: ms, counter: 0, node: node.into() }
    }

    fn op(id: &str, at: Hlc, fields: &[(&str, Value, Option<Hlc>)]) -> Operation {
        Operation {
            op_id: id.into(),
            device_id: at.node.clone(),
            user_id: "u".into(),
            entity: EntityKind::Business,
            entity_id: "b1".into(),
            hlc: at,
            fields: fields.iter().map(|(k, v, b)| (k.to_string(), FieldChange { value: v.clone(), base: b.clone() })).collect(),
            resolves: vec![],
        }
    }

    fn apply_all(ops: &[&Operation]) -> (Versioned, Vec<String>) {
        let mut state: Option<Versioned> = None;
        let mut conflicts = Vec::new();
        for o in ops {
            let m = merge(state.as_ref(), o);
            conflicts.extend(m.conflicts.into_iter().map(|c| c.id));
            state = Some(m.state);
        }
        conflicts.sort();
        (state.unwrap(), conflicts)
    }

    #[test]
    fn concurrent_edits_converge_in_any_order_and_keep_the_loser() {
        let c0 = hlc(100, "a");
        let create = op("0", c0.clone(), &[("name", json!("Warung"), None), ("workers", json!(1), None)]);
        let a = op("1", hlc(200, "a"), &[("name", json!("Warung Bu Sri"), Some(c0.clone()))]);
        let b = op("2", hlc(201, "b"), &[("name", json!("Warung Sri Rejeki"), Some(c0.clone())), ("workers", json!(2), Some(c0.clone()))]);
        let (s1, k1) = apply_all(&[&create, &a, &b]);
        let (s2, k2) = apply_all(&[&create, &b, &a]);
        assert_eq!(s1, s2);
        assert_eq!(s1.fields["name"], json!("Warung Sri Rejeki"));
        assert_eq!(s1.fields["workers"], json!(2));
        assert_eq!(k1, k2);
        assert_eq!(k1.len(), 1, "exactly one conflict: a's name lost");
        assert!(k1[0].contains(&hlc(200, "a").encode()));
    }

    #[test]
    fn a_later_edit_that_saw_the_value_is_not_a_conflict() {
        let c0 = hlc(100, "a");
        let create = op("0", c0.clone(), &[("name", json!("x"), None)]);
        let a = op("1", hlc(200, "a"), &[("name", json!("y"), Some(c0))]);
        let b = op("2", hlc(300, "b"), &[("name", json!("z"), Some(hlc(200, "a")))]);
        let (s, k) = apply_all(&[&create, &a, &b]);
        assert_eq!(s.fields["name"], json!("z"));
        assert!(k.is_empty());
        // Applying an operation twice changes nothing.
        let again = merge(Some(&s), &b);
        assert_eq!(again.state, s);
        assert!(again.changed.is_empty() && again.conflicts.is_empty());
    }

    #[test]
    fn merging_a_pulled_state_equals_receiving_its_operations() {
        let c0 = hlc(100, "a");
        let create = op("0", c0.clone(), &[("name", json!("x"), None), ("workers", json!(1), None)]);
        let a = op("1", hlc(200, "a"), &[("name", json!("y"), Some(c0.clone()))]);
        let b = op("2", hlc(150, "b"), &[("workers", json!(3), Some(c0.clone())), ("name", json!("q"), Some(c0.clone()))]);
        let (server, server_conflicts) = apply_all(&[&create, &a, &b]);
        // A phone that had only the creation and its own edit b receives the server's state.
        let (phone, _) = apply_all(&[&create, &b]);
        let m = merge_state(Some(&phone), EntityKind::Business, "b1", &server);
        assert_eq!(m.state, server);
        let ids: Vec<_> = m.conflicts.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, server_conflicts);
        // A fresh phone takes the state as it is.
        assert_eq!(merge_state(None, EntityKind::Business, "b1", &server).state, server);
    }

    #[test]
    fn two_edits_in_a_row_on_one_phone_are_not_a_conflict_for_anyone() {
        let c0 = hlc(100, "a");
        let create = op("0", c0.clone(), &[("name", json!("x"), None)]);
        let first = op("1", hlc(200, "b"), &[("name", json!("y"), Some(c0.clone()))]);
        let second = op("2", hlc(300, "b"), &[("name", json!("z"), Some(hlc(200, "b")))]);
        let (server, conflicts) = apply_all(&[&create, &first, &second]);
        assert!(conflicts.is_empty());
        // Another phone that only had the creation receives the final state, without the
        // intermediate write: still no conflict.
        let (other, _) = apply_all(&[&create]);
        let m = merge_state(Some(&other), EntityKind::Business, "b1", &server);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(m.state, server);
    }
}
