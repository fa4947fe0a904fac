//! Rules every storage applies to a pushed batch before touching the database, and the mapping
//! from the core's errors to per-operation rejections.

use crate::error::{Result, ServerError};
use crate::storage::Session;
use desmig_core::merge::Operation;
use desmig_core::protocol::{OpResult, OpStatus};

/// At most this many operations in one push.
pub const MAX_OPS_PER_PUSH: usize = 2000;
/// At most this many fields in one operation (the largest record has fewer than 30).
pub const MAX_FIELDS_PER_OP: usize = 64;
/// At most this many conflicts settled by one operation.
pub const MAX_RESOLVES_PER_OP: usize = 16;

/// What an operation is: its author, device, record, clock, fields and resolutions, hashed
/// (SHA-256 of its canonical JSON: fields are kept in key order). The same operation id with
/// another hash is another change under a reused id.
pub fn content_hash(op: &Operation) -> Result<String> {
    content_hash_of(op, &serde_json::to_string(&op.fields)?)
}

/// [`content_hash`] of `op` whose fields' JSON is already made (`fields_json`, as
/// `serde_json::to_string(&op.fields)` makes it): the same bytes are hashed without serialising
/// the fields again.
pub fn content_hash_of(op: &Operation, fields_json: &str) -> Result<String> {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    // Operation's JSON, field by field in its declared order (what serde_json writes for it).
    let mut h = Sha256::new();
    let text = |v: &str| serde_json::to_string(v);
    h.update(b"{\"op_id\":");
    h.update(text(&op.op_id)?);
    h.update(b",\"device_id\":");
    h.update(text(&op.device_id)?);
    h.update(b",\"user_id\":");
    h.update(text(&op.user_id)?);
    h.update(b",\"entity\":");
    h.update(serde_json::to_string(&op.entity)?);
    h.update(b",\"entity_id\":");
    h.update(text(&op.entity_id)?);
    h.update(b",\"hlc\":");
    h.update(text(&op.hlc.encode())?);
    h.update(b",\"fields\":");
    h.update(fields_json);
    if !op.resolves.is_empty() {
        h.update(b",\"resolves\":");
        h.update(serde_json::to_string(&op.resolves)?);
    }
    h.update(b"}");
    let mut hex = String::with_capacity(64);
    for b in h.finalize() {
        let _ = write!(hex, "{b:02x}");
    }
    Ok(hex)
}

/// A batch is refused whole when it is not the caller's to send: an operation made on another
/// device or by another user is a forgery, not a mistake to reject one by one.
pub fn check_batch(session: &Session, ops: &[Operation]) -> Result<()> {
    if ops.len() > MAX_OPS_PER_PUSH {
        return Err(ServerError::TooLarge(format!("at most {MAX_OPS_PER_PUSH} operations per push")));
    }
    for op in ops {
        if op.device_id != session.device_id || op.hlc.node != session.device_id {
            return Err(ServerError::forbidden("forged_operation", format!("operation {} was not made on this device", op.op_id)));
        }
        if op.user_id != session.user.id {
            return Err(ServerError::forbidden("forged_operation", format!("operation {} was made by another user", op.op_id)));
        }
        if uuid::Uuid::parse_str(&op.op_id).is_err() || uuid::Uuid::parse_str(&op.entity_id).is_err() {
            return Err(ServerError::bad("invalid_operation", format!("operation {} has a malformed id", op.op_id)));
        }
        if op.fields.len() > MAX_FIELDS_PER_OP || op.resolves.len() > MAX_RESOLVES_PER_OP {
            return Err(ServerError::bad(
                "invalid_operation",
                format!("operation {} names more than {MAX_FIELDS_PER_OP} fields or {MAX_RESOLVES_PER_OP} conflicts", op.op_id),
            ));
        }
    }
    Ok(())
}

pub fn applied(op: &Operation, status: OpStatus) -> OpResult {
    OpResult { op_id: op.op_id.clone(), status, code: None, message: None, fields: vec![] }
}

pub fn rejected(op: &Operation, code: &str, message: impl Into<String>) -> OpResult {
    OpResult {
        op_id: op.op_id.clone(),
        status: OpStatus::Rejected,
        code: Some(code.to_string()),
        message: Some(message.into()),
        fields: vec![],
    }
}

/// Turns a core error on one operation into its rejection; storage failures abort the batch.
/// The code is the core's ([`desmig_core::Error::code`]): the phone refuses the same write with
/// the same one.
pub fn rejection(op: &Operation, e: desmig_core::Error) -> Result<OpResult> {
    use desmig_core::Error as E;
    let code = e.code().to_string();
    Ok(match e {
        E::Validation(fields) => OpResult { fields, ..rejected(op, &code, "the values are not valid") },
        E::NotFound { kind, id } => rejected(op, &code, format!("{kind} {id} is not on the server")),
        E::NotAllowed { message, .. } | E::Refused { message, .. } => rejected(op, &code, message),
        E::StateConflict(m) => rejected(op, &code, m),
        E::Json(m) => rejected(op, "invalid", m.to_string()),
        other => return Err(ServerError::Internal(other.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use desmig_core::hlc::Hlc;
    use desmig_core::merge::FieldChange;
    use desmig_core::model::EntityKind;

    /// Hashes stored before must still match the same operation sent again: the hash of the
    /// composed bytes is the hash of the operation's JSON.
    #[test]
    fn an_operations_hash_is_the_hash_of_its_json() {
        use sha2::{Digest, Sha256};
        let clock = |millis| Hlc { millis, counter: 3, node: "dev-1".into() };
        let mut op = Operation {
            op_id: "0193a7a2-0000-7000-8000-000000000001".into(),
            device_id: "dev-1".into(),
            user_id: "u\"1".into(),
            entity: EntityKind::CapitalApplication,
            entity_id: "0193a7a2-0000-7000-8000-000000000002".into(),
            hlc: clock(1_760_000_000_000),
            fields: [
                ("amount".to_string(), FieldChange { value: serde_json::json!(5_000_000), base: Some(clock(1_759_000_000_000)) }),
                ("notes".to_string(), FieldChange { value: serde_json::json!("Usaha \"warung\"\nbaru é"), base: None }),
            ]
            .into_iter()
            .collect(),
            resolves: vec![],
        };
        for resolves in [vec![], vec!["c1".to_string(), "c2".to_string()]] {
            op.resolves = resolves;
            let of_json: String = Sha256::digest(serde_json::to_vec(&op).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(content_hash(&op).unwrap(), of_json);
        }
    }
}
