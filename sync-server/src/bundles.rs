//! Store-and-forward on the server: a bundle a carrier delivers (`POST /v1/bundles`, or an
//! administrator's upload in the console) is opened with the server's key, checked against the
//! registered key of the device it claims to come from, and its operations applied through the
//! same path as that device's own push — as that device and its user, every rule applied,
//! idempotent by operation id. The answer, sealed to the origin device and signed by the
//! server: a receipt (one result per operation) and, when the origin's feed has news, an inbound
//! bundle of its pull pages after the cursor it sent. File format: `desmig_core::bundle`.

use crate::error::{Result, ServerError};
use crate::storage::{Session, Storage};
use desmig_core::bundle::{self, BundleKind, InboundPayload, Manifest, OutboundPayload, PublicKeys, ReceiptPayload, SecretKeys};
use desmig_core::protocol::{DeliverResponse, OpStatus};
use desmig_core::scope::Role;
use serde_json::value::RawValue;

/// Operations applied per transaction (a push's batch limit).
const CHUNK: usize = 500;
/// An inbound bundle holds pull pages up to this many bytes of JSON, below the 8 MiB a bundle's
/// content may inflate to (the sealed file must also stay under 1.5 MiB: fewer pages if not).
const INBOUND_BYTES: usize = 6 << 20;
const INBOUND_PAGE: u32 = 1000;

/// The server's bundle keys, made once per database (every instance reads the same).
pub struct ServerKeys(SecretKeys);

impl ServerKeys {
    pub fn of(storage: &(impl Storage + ?Sized)) -> Result<ServerKeys> {
        let (sign, seal) = bundle::fresh_seeds().map_err(|e| ServerError::Internal(e.to_string()))?;
        let sign = storage.meta_or_insert("bundle_sign_seed", &sign)?;
        let seal = storage.meta_or_insert("bundle_seal_seed", &seal)?;
        Ok(ServerKeys(SecretKeys::from_seeds(&sign, &seal).map_err(|e| ServerError::Internal(e.to_string()))?))
    }

    pub fn public(&self) -> &PublicKeys {
        self.0.public()
    }

    /// How manifests name this server.
    pub fn address(&self) -> String {
        bundle::server_address(&self.public().seal)
    }
}

/// Keys a phone registers must be real keys: an Ed25519 key and an X25519 key, in hex.
pub fn check_public_keys(keys: &PublicKeys) -> Result<()> {
    keys.check()
        .map_err(|e| ServerError::bad("invalid_device_keys", format!("device keys are an Ed25519 and an X25519 public key in hex: {e}")))
}

fn refused(e: desmig_core::Error) -> ServerError {
    match e {
        desmig_core::Error::Refused { code: "bundle_bad_signature", message } => ServerError::forbidden("bundle_bad_signature", message),
        desmig_core::Error::Refused { code: "bundle_too_large", message } => ServerError::TooLarge(message),
        desmig_core::Error::Refused { code, message } => ServerError::bad(code, message),
        other => ServerError::Internal(other.to_string()),
    }
}

/// Opens, checks and applies a bundle delivered by `carrier`; returns the sealed answers.
pub fn deliver(storage: &dyn Storage, carrier: &Session, file: &[u8], now_ms: i64) -> Result<DeliverResponse> {
    if carrier.user.role == Role::Worker {
        return Err(ServerError::forbidden("not_a_carrier", "bundles are carried by staff (facilitators, supervisors, administrators)"));
    }
    let keys = ServerKeys::of(storage)?;
    let manifest = bundle::read_manifest(file).map_err(refused)?;
    if manifest.kind != BundleKind::Outbound {
        return Err(ServerError::bad("bundle_not_outbound", "only a phone's outbound bundle can be delivered to the server"));
    }
    if manifest.to != keys.address() {
        return Err(ServerError::bad(
            "bundle_wrong_server",
            format!("this bundle is for {}, not this server ({})", manifest.to, keys.address()),
        ));
    }
    // The device it claims to come from: known, not revoked, its account enabled.
    let origin = manifest.from.clone();
    if storage.device_revoked(&origin)? {
        return Err(ServerError::forbidden("device_revoked", "this bundle comes from a revoked device; nothing was applied"));
    }
    let user_id = manifest.user.clone().ok_or_else(|| ServerError::bad("bundle_malformed", "the bundle does not name its user"))?;
    let (user, disabled, device_keys) = storage.read_device_key(&origin, &user_id)?.ok_or_else(|| {
        ServerError::forbidden("bundle_unknown_device", format!("device {origin} never registered keys here for this user"))
    })?;
    if disabled {
        return Err(ServerError::forbidden("account_disabled", "the account of this bundle's device is disabled"));
    }
    let (manifest, payload) = bundle::open(file, &keys.0, |_| Ok(device_keys.sign.clone())).map_err(refused)?;
    let payload: OutboundPayload = serde_json::from_slice(&payload)
        .map_err(|e| ServerError::bad("bundle_malformed", format!("the bundle's content is not a list of operations: {e}")))?;
    if payload.ops.len() as u64 != manifest.count || payload.ops.len() > bundle::MAX_BUNDLE_OPS {
        return Err(ServerError::bad("bundle_malformed", "the bundle's operation count does not match its manifest"));
    }
    // As the device itself: every operation must name it and its user (`forged_operation`
    // otherwise), and passes the planner's rules as a push would.
    let session = Session { user, device_id: origin.clone() };
    // Every operation is checked before any is applied: a forged one refuses the whole bundle.
    for chunk in payload.ops.chunks(CHUNK) {
        crate::batch::check_batch(&session, chunk)?;
    }
    let mut results = Vec::with_capacity(payload.ops.len());
    for chunk in payload.ops.chunks(CHUNK) {
        results.extend(storage.push(&session, chunk, now_ms)?);
    }
    let count = |s: OpStatus| results.iter().filter(|r| r.status == s).count() as u64;
    let (applied, duplicates, rejected) = (count(OpStatus::Applied), count(OpStatus::Duplicate), count(OpStatus::Rejected));

    let answer = |kind: BundleKind, count: u64, payload: &[u8]| -> Result<Vec<u8>> {
        let m = Manifest {
            format: 1,
            kind,
            bundle_id: uuid::Uuid::now_v7().to_string(),
            from: keys.address(),
            to: origin.clone(),
            user: Some(session.user.id.clone()),
            count,
            created: now_ms,
            answers: Some(manifest.bundle_id.clone()),
        };
        bundle::seal(&m, payload, &keys.0, &device_keys.seal).map_err(refused)
    };
    let receipt = answer(BundleKind::Receipt, results.len() as u64, &serde_json::to_vec(&ReceiptPayload { results })?)?;
    // The operations are applied: whatever happens to the news, the receipt goes back. News too
    // big for one file comes with fewer pages (the rest at the phone's next sync or bundle).
    let mut inbound = None;
    let mut budget = INBOUND_BYTES;
    while budget >= 64 << 10 {
        match inbound_for(storage, &session, &payload.cursor, budget) {
            Ok(Some((changes, news))) => match answer(BundleKind::Inbound, changes, &news) {
                Ok(file) => {
                    inbound = Some(file);
                    break;
                }
                Err(ServerError::TooLarge(_)) => budget /= 2,
                Err(_) => break,
            },
            _ => break,
        }
    }
    let engine = base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    Ok(DeliverResponse {
        bundle_id: manifest.bundle_id,
        origin,
        applied,
        duplicates,
        rejected,
        receipt: engine.encode(receipt),
        inbound: inbound.map(|b| engine.encode(b)),
    })
}

/// The origin's feed after `cursor` as pull pages (its scope, its rules), up to
/// [`INBOUND_BYTES`]; `None` when there is nothing new or the cursor is not one this server
/// issued (the phone then catches up at its next direct sync).
fn inbound_for(storage: &dyn Storage, session: &Session, cursor: &str, budget: usize) -> Result<Option<(u64, Vec<u8>)>> {
    let mut pages: Vec<Box<RawValue>> = Vec::new();
    let mut changes = 0u64;
    let mut bytes = 0usize;
    let mut at = cursor.to_string();
    loop {
        let page = match storage.pull(session, (!at.is_empty()).then_some(at.as_str()), INBOUND_PAGE, None) {
            Ok(p) => p.body,
            Err(ServerError::BadRequest { code: "invalid_cursor", .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        #[derive(serde::Deserialize)]
        struct Head {
            changes: Vec<serde::de::IgnoredAny>,
            next_cursor: String,
            has_more: bool,
        }
        let head: Head = serde_json::from_slice(&page)?;
        if head.changes.is_empty() && pages.is_empty() && at == head.next_cursor {
            return Ok(None);
        }
        // A page that would cross the budget waits for the next bundle (the first one always
        // goes: a page is at most a few MB).
        if !pages.is_empty() && bytes + page.len() > budget {
            break;
        }
        changes += head.changes.len() as u64;
        bytes += page.len();
        pages.push(RawValue::from_string(String::from_utf8(page).map_err(|e| ServerError::Internal(e.to_string()))?)?);
        at = head.next_cursor;
        if !head.has_more || bytes >= budget {
            break;
        }
    }
    if changes == 0 {
        return Ok(None);
    }
    Ok(Some((changes, serde_json::to_vec(&InboundPayload { from_cursor: cursor.to_string(), pages })?)))
}
