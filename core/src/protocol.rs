//! Sync protocol v1: the JSON bodies the phones and the server exchange. Documented in
//! `docs/sync-protocol.md`; the server serves its OpenAPI description at `/v1/openapi.json`.

use crate::error::FieldError;
use crate::hlc::Hlc;
use crate::merge::{FieldClock, Operation, Versioned};
use crate::model::EntityKind;
use crate::scope::{Identity, Role};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

pub const PROTOCOL_VERSION: u32 = 1;
/// Every request names the protocol version it speaks in this header.
pub const PROTOCOL_HEADER: &str = "x-desmig-protocol";
/// Every answer of the server carries its clock (Unix ms) in this header: phones stamp their
/// changes with their own clock corrected by it.
pub const SERVER_TIME_HEADER: &str = "x-desmig-server-time";
/// A pull page that has more after it names the next page's cursor in this header too (the same
/// as its `next_cursor`): the header arrives before the page, so a phone on a slow link asks for
/// the next page while this one is still on its way.
pub const NEXT_CURSOR_HEADER: &str = "x-desmig-next-cursor";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device_id: String,
    /// The device's public keys (store-and-forward bundles): the server binds them to this
    /// device and user. Older apps send none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_keys: Option<crate::bundle::PublicKeys>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for this device; the app keeps it in the platform's secure storage.
    pub token: String,
    /// Unix ms.
    pub expires_at: i64,
    pub identity: Identity,
    /// The server's public keys: bundles for it are sealed to `seal`; its receipts and inbound
    /// bundles are signed with `sign`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_keys: Option<crate::bundle::PublicKeys>,
}

/// `POST /v1/bundles`: a bundle file a carrier delivers (base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverRequest {
    pub bundle: String,
}

/// The answer to a delivered bundle: the receipt and (when the origin's feed had changes) the
/// inbound bundle, both sealed to the origin device (base64), for the carrier to take back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverResponse {
    pub bundle_id: String,
    pub origin: String,
    pub applied: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub receipt: String,
    #[serde(default)]
    pub inbound: Option<String>,
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
    /// On the last page, when the user's team changed since the tag the phone sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Team>,
}

/// A member of staff as their team's phones list them: a supervisor's facilitators, a worker's
/// facilitator. Workers are never listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// A work phone number (`+62…`), when the administrator entered one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default)]
    pub villages: Vec<String>,
    #[serde(default)]
    pub districts: Vec<String>,
}

/// The people a user works with, and a tag the phone sends back (`team=`) so that the list
/// comes again only when it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub tag: String,
    pub people: Vec<Person>,
}

/// How the phone reads a pull page: the same JSON as [`PullResponse`], but each record's state
/// stays raw JSON until it is needed, so that a record new to the phone is type-checked and
/// stored without building a tree of values (the bulk of a first sync).
#[derive(Debug, Deserialize)]
pub struct PullPage {
    pub changes: Vec<PulledChange>,
    pub next_cursor: String,
    pub has_more: bool,
    pub reference_version: i64,
    #[serde(default)]
    pub identity: Option<Identity>,
    #[serde(default)]
    pub team: Option<Team>,
}

/// One change as read by the phone: `kind` is `record` (with `entity`, `id`, `state`) or
/// `conflict` (with `conflict`). A plain struct, because raw JSON cannot sit inside a tagged enum.
#[derive(Debug, Deserialize)]
pub struct PulledChange {
    pub kind: String,
    /// A record kind's table name; one this app does not know (from a newer server) is skipped.
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub state: Option<RawState>,
    #[serde(default)]
    pub conflict: Option<ConflictRecord>,
}

#[derive(Debug, Deserialize)]
pub struct RawState {
    pub fields: Box<RawValue>,
    pub created: Hlc,
    #[serde(default)]
    pub clocks: Option<Box<RawValue>>,
}

impl RawState {
    pub fn clocks_json(&self) -> &str {
        self.clocks.as_deref().map_or("{}", RawValue::get)
    }

    pub fn parse(&self) -> serde_json::Result<Versioned> {
        Ok(Versioned {
            fields: serde_json::from_str(self.fields.get())?,
            created: self.created.clone(),
            clocks: serde_json::from_str::<BTreeMap<String, FieldClock>>(self.clocks_json())?,
        })
    }
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
    /// When trying again makes sense (`login_throttled`): in this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_phone_reads_exactly_what_the_server_writes() {
        let state = Versioned {
            fields: json!({"full_name": "Siti", "dependants": 2}).as_object().cloned().unwrap(),
            created: Hlc { millis: 5, counter: 1, node: "dev".into() },
            clocks: BTreeMap::from([(
                "dependants".to_string(),
                FieldClock { hlc: Hlc { millis: 9, counter: 0, node: "dev".into() }, base: None },
            )]),
        };
        let written = PullResponse {
            changes: vec![Change::Record { entity: EntityKind::Beneficiary, id: "b1".into(), state: state.clone() }],
            next_cursor: "v1.7".into(),
            has_more: false,
            reference_version: 3,
            identity: None,
            team: None,
        };
        let read: PullPage = serde_json::from_str(&serde_json::to_string(&written).unwrap()).unwrap();
        let change = &read.changes[0];
        assert_eq!((change.kind.as_str(), change.entity.as_deref(), change.id.as_deref()), ("record", Some("beneficiary"), Some("b1")));
        assert_eq!(change.state.as_ref().unwrap().parse().unwrap(), state);
        assert_eq!((read.next_cursor.as_str(), read.has_more, read.reference_version), ("v1.7", false, 3));
    }
}
