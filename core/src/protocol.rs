//! Sync protocol v1: the JSON bodies the phones and the server exchange. Documented in
//! `docs/sync-protocol.md`; the server serves its OpenAPI description at `/v1/openapi.json`.

use crate::error::FieldError;
use crate::merge::{Operation, Versioned};
use crate::model::EntityKind;
use crate::scope::Identity;
use serde::{Deserialize, Serialize};

pub const PROTOCOL_VERSION: u32 = 1;
/// Every request names the protocol version it speaks in this header.
pub const PROTOCOL_HEADER: &str = "x-desmig-protocol";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for this device; the app keeps it in the platform's secure storage.
    pub token: String,
    /// Unix ms.
    pub expires_at: i64,
    pub identity: Identity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub ops: Vec<Operation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpStatus {
    /// Applied now.
    Applied,
    /// Applied before (a retried batch): acknowledged again, changed nothing.
    Duplicate,
    /// Refused; `code` and `message` say why. The phone keeps it, visibly.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpResult {
    pub op_id: String,
    pub status: OpStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<OpResult>,
}

/// A conflict as the server keeps it: the losing value of a concurrent write, and whether a
/// supervisor has settled it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub id: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub field: String,
    pub losing_value: serde_json::Value,
    pub losing_hlc: String,
    pub detected_at: i64,
    #[serde(default)]
    pub resolved_by: Option<String>,
    #[serde(default)]
    pub resolved_at: Option<i64>,
}

/// One entry of the change feed: the current state of a record, or of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Record { entity: EntityKind, id: String, state: Versioned },
    Conflict { conflict: ConflictRecord },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Opaque; send it back as `cursor` to continue.
    pub next_cursor: String,
    pub has_more: bool,
    /// Bumped when templates or regions change: fetch `/v1/reference` when it is newer.
    pub reference_version: i64,
    /// Who the server says the user is now, sent when the feed starts over (first pull, or the
    /// user's villages changed): the phone updates its scope from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceResponse {
    pub version: i64,
    /// Checklist template definitions (JSON documents as published).
    pub templates: Vec<serde_json::Value>,
    /// Region reference data as `code,name` CSV.
    pub regions_csv: String,
}

/// Every error response: a stable code a client can act on, words for a person, and the
/// offending fields for validation errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}
