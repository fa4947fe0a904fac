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
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(op)?;
    Ok(Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
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
