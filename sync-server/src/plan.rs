//! Applying a pushed batch, decided once for every storage: [`plan`] reads what it needs through
//! [`BatchSource`] (in the push's transaction), checks each operation's id against its content,
//! runs it through the core's `decide` — the same merge and write rules as the phones, as the
//! token's user — and returns the writes to make. A rejected operation contributes no write.
//! Each storage then persists the plan in the same transaction.

use crate::batch::{applied, content_hash_of, rejected, rejection};
use crate::error::Result;
use crate::storage::Session;
use desmig_core::merge::{Conflict, Operation, Versioned};
use desmig_core::model::{EntityKind, Reference};
use desmig_core::protocol::{OpResult, OpStatus};
use desmig_core::records::{decide, Incoming};
use desmig_core::rules::{FileInfo, Lookup};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub type Key = (EntityKind, String);

/// What the planner reads from storage.
pub trait BatchSource {
    /// The ids among `op_ids` that were applied before, with the hash of what each was
    /// ([`content_hash`]; `None` for operations stored before hashes were kept).
    fn known_ops(&mut self, op_ids: &[String]) -> Result<HashMap<String, Option<String>>>;
    /// The stored state of these records (absent ones are missing from the map). A storage with
    /// concurrent writers locks them until the push commits.
    fn records(&mut self, keys: &[Key]) -> Result<HashMap<Key, Versioned>>;
    /// The village and consent of each of these beneficiaries that exists.
    fn files(&mut self, beneficiary_ids: &[String]) -> Result<HashMap<String, FileInfo>>;
    /// Which beneficiary holds each of these NIKs, for those registered.
    fn nik_holders(&mut self, niks: &[String]) -> Result<HashMap<String, String>>;
    /// The file (beneficiary id) of each of these records that is stored; read without locking.
    fn owners(&mut self, keys: &[Key]) -> Result<HashMap<Key, String>>;
    /// The beneficiaries among these whose files were erased on request.
    fn erased(&mut self, beneficiary_ids: &[String]) -> Result<HashSet<String>>;
    /// For each of these conflict ids that exists and is unresolved: the record it is about.
    fn open_conflicts(&mut self, ids: &[String]) -> Result<HashMap<String, Key>>;
}

/// A record's new state, with where it belongs in the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordWrite {
    pub kind: EntityKind,
    pub id: String,
    /// The record was stored before this batch (else the batch creates it).
    pub existed: bool,
    pub state: Versioned,
    pub beneficiary_id: String,
    pub village: String,
    /// The fields' and clocks' JSON, made once for the record's row and its feed row.
    json: std::cell::OnceCell<(String, String)>,
}

impl RecordWrite {
    /// The fields' JSON and the clocks' JSON, as stored and as the feed sends them.
    pub fn json(&self) -> (&str, &str) {
        // A map of JSON values always serialises.
        let (fields, clocks) = self.json.get_or_init(|| {
            (serde_json::to_string(&self.state.fields).unwrap_or_default(), serde_json::to_string(&self.state.clocks).unwrap_or_default())
        });
        (fields, clocks)
    }
}

/// An operation applied now, as the audit trail keeps it (its fields as JSON), with its content
/// hash for idempotency.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedWrite {
    pub op_id: String,
    pub device_id: String,
    pub user_id: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub hlc: String,
    pub hash: String,
    pub fields: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub beneficiary_id: String,
    pub village: String,
    pub previous_village: String,
}

/// A conflict found, or settled, with where it belongs in the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictWrite {
    pub conflict: Conflict,
    pub beneficiary_id: String,
    pub village: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub conflict_id: String,
    pub resolved_by: String,
    pub beneficiary_id: String,
    pub village: String,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub results: Vec<OpResult>,
    /// Final state of each record changed by the batch (one entry per record, in first-change order).
    pub records: Vec<RecordWrite>,
    pub conflicts: Vec<ConflictWrite>,
    pub resolutions: Vec<Resolution>,
    /// Beneficiaries who moved village: their whole file moves in the feed, and the village they
    /// left is told to forget it.
    pub moved: Vec<Moved>,
    /// Operations applied now, with their content hash, for idempotency.
    pub applied: Vec<AppliedWrite>,
}

/// What the rules read while a batch is planned: the files read for it, and NIKs as the rules
/// ask for them (normalised), both updated by the operations the batch accepts.
struct BatchLookup<'a> {
    files: HashMap<String, FileInfo>,
    /// NIK → who holds it now (`None`: released by an operation of this batch).
    niks: HashMap<String, Option<String>>,
    /// Record → its file, as read or as made by this batch.
    owners: HashMap<Key, String>,
    source: &'a mut dyn BatchSource,
}

impl Lookup for BatchLookup<'_> {
    fn file(&mut self, beneficiary_id: &str) -> desmig_core::Result<Option<FileInfo>> {
        Ok(self.files.get(beneficiary_id).cloned())
    }

    fn nik_holder(&mut self, nik: &str, except: &str) -> desmig_core::Result<Option<String>> {
        if !self.niks.contains_key(nik) {
            let stored = self.source.nik_holders(&[nik.to_string()]).map_err(|e| desmig_core::Error::Corrupt(e.to_string()))?;
            self.niks.insert(nik.to_string(), stored.get(nik).cloned());
        }
        Ok(self.niks.get(nik).cloned().flatten().filter(|id| id.as_str() != except))
    }

    fn owner_of(&mut self, kind: EntityKind, id: &str) -> desmig_core::Result<Option<String>> {
        let key = (kind, id.to_string());
        if !self.owners.contains_key(&key) {
            let stored = self.source.owners(std::slice::from_ref(&key)).map_err(|e| desmig_core::Error::Corrupt(e.to_string()))?;
            self.owners.extend(stored);
        }
        Ok(self.owners.get(&key).cloned())
    }
}

/// The beneficiary whose file an operation is in: the record's own, or the one it names.
fn file_named<'a>(op: &'a Operation, current: Option<&'a Versioned>) -> Option<&'a str> {
    if op.entity == EntityKind::Beneficiary {
        return Some(&op.entity_id);
    }
    current
        .and_then(|s| s.fields.get("beneficiary_id"))
        .or_else(|| op.fields.get("beneficiary_id").map(|c| &c.value))
        .and_then(Value::as_str)
}

/// Decides a batch. Reads happen through `source`; nothing is written.
pub fn plan(session: &Session, ops: &[Operation], ctx: &Reference, source: &mut dyn BatchSource) -> Result<Plan> {
    let op_ids: Vec<String> = ops.iter().map(|o| o.op_id.clone()).collect();
    let known = source.known_ops(&op_ids)?;
    let mut keys: Vec<Key> = ops.iter().map(|o| (o.entity, o.entity_id.clone())).collect();
    keys.sort();
    keys.dedup();
    let states = source.records(&keys)?;
    let existed: HashSet<Key> = states.keys().cloned().collect();
    // Every beneficiary the batch may touch: its own records, and those its children name.
    let mut beneficiaries: Vec<String> = Vec::new();
    for o in ops {
        if o.entity == EntityKind::Beneficiary {
            beneficiaries.push(o.entity_id.clone());
        }
        for field in ["beneficiary_id", "family_of"] {
            if let Some(Value::String(b)) = o.fields.get(field).map(|c| &c.value) {
                beneficiaries.push(b.clone());
            }
        }
        if let Some(Value::String(b)) = states.get(&(o.entity, o.entity_id.clone())).and_then(|s| s.fields.get("beneficiary_id")) {
            beneficiaries.push(b.clone());
        }
    }
    beneficiaries.sort();
    beneficiaries.dedup();
    let files = source.files(&beneficiaries)?;
    let erased = source.erased(&beneficiaries)?;
    let resolve_ids: Vec<String> = ops.iter().flat_map(|o| o.resolves.iter().cloned()).collect();
    let mut open_conflicts = if resolve_ids.is_empty() { HashMap::new() } else { source.open_conflicts(&resolve_ids)? };
    let mut lookup = BatchLookup { files, niks: HashMap::new(), owners: HashMap::new(), source };

    let who = session.user.identity();
    let mut plan = Plan::default();
    let mut seen_now: HashMap<String, String> = HashMap::new();
    let mut record_index: HashMap<Key, usize> = HashMap::new();
    for op in ops {
        // An operation id names one content by one author: the same again is a retry; other
        // content under a known id is refused, never acknowledged.
        let fields_json = serde_json::to_string(&op.fields)?;
        let hash = content_hash_of(op, &fields_json)?;
        let before = known.get(&op.op_id).cloned().or_else(|| seen_now.get(&op.op_id).map(|h| Some(h.clone())));
        if let Some(before) = before {
            match before {
                Some(h) if h != hash => {
                    plan.results.push(rejected(op, "op_id_reused", "this operation id was used before for another change"))
                }
                _ => plan.results.push(applied(op, OpStatus::Duplicate)),
            }
            continue;
        }
        let key = (op.entity, op.entity_id.clone());
        // What the batch wrote to this record so far, else what was stored.
        let current = record_index.get(&key).map(|&i| &plan.records[i].state).or_else(|| states.get(&key));
        if !erased.is_empty() && file_named(op, current).is_some_and(|b| erased.contains(b)) {
            plan.results.push(rejected(op, "erased", "this person's data was erased at their request; the change is dropped"));
            continue;
        }
        let decision = match decide(op.entity, &op.entity_id, current, Incoming::Op(op, &who), ctx, &mut lookup) {
            Ok(d) => d,
            Err(e) => {
                plan.results.push(rejection(op, e)?);
                continue;
            }
        };
        // Accepted: record its effects, and let later operations of the batch see them.
        for c in decision.conflicts {
            plan.conflicts.push(ConflictWrite {
                conflict: c,
                beneficiary_id: decision.beneficiary_id.clone(),
                village: decision.village_code.clone(),
            });
        }
        for id in &op.resolves {
            if open_conflicts.get(id) == Some(&key) {
                open_conflicts.remove(id);
                plan.resolutions.push(Resolution {
                    conflict_id: id.clone(),
                    resolved_by: session.user.id.clone(),
                    beneficiary_id: decision.beneficiary_id.clone(),
                    village: decision.village_code.clone(),
                });
            }
        }
        if decision.changed {
            if op.entity == EntityKind::Beneficiary {
                let consent_active = decision.state.fields.get("consent_withdrawn_at").is_none_or(Value::is_null);
                lookup.files.insert(op.entity_id.clone(), FileInfo { village_code: decision.village_code.clone(), consent_active });
                for holder in lookup.niks.values_mut().filter(|h| h.as_deref() == Some(op.entity_id.as_str())) {
                    *holder = None;
                }
                if let Some(nik) = decision.state.fields.get("nik").and_then(Value::as_str) {
                    lookup.niks.insert(nik.to_string(), Some(op.entity_id.clone()));
                }
            }
            if let Some(previous) = &decision.previous_village {
                plan.moved.push(Moved {
                    beneficiary_id: decision.beneficiary_id.clone(),
                    village: decision.village_code.clone(),
                    previous_village: previous.clone(),
                });
            }
            lookup.owners.insert(key.clone(), decision.beneficiary_id.clone());
            let write = RecordWrite {
                kind: op.entity,
                id: op.entity_id.clone(),
                existed: existed.contains(&key),
                state: decision.state,
                beneficiary_id: decision.beneficiary_id,
                village: decision.village_code,
                json: std::cell::OnceCell::new(),
            };
            match record_index.get(&key) {
                Some(&i) => plan.records[i] = write,
                None => {
                    record_index.insert(key, plan.records.len());
                    plan.records.push(write);
                }
            }
        }
        seen_now.insert(op.op_id.clone(), hash.clone());
        plan.applied.push(AppliedWrite {
            op_id: op.op_id.clone(),
            device_id: op.device_id.clone(),
            user_id: op.user_id.clone(),
            entity: op.entity,
            entity_id: op.entity_id.clone(),
            hlc: op.hlc.encode(),
            hash,
            fields: fields_json,
        });
        plan.results.push(applied(op, OpStatus::Applied));
    }
    Ok(plan)
}
