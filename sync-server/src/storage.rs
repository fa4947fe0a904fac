//! The server's storage interface: everything the HTTP layer and the admin commands need. The
//! SQLite implementation is the embedded default.

use crate::error::{Result, ServerError};
use desmig_core::checklist::Template;
use desmig_core::date::Date;
use desmig_core::merge::Operation;
use desmig_core::merge::Versioned;
use desmig_core::model::{EntityKind, Reference};
use desmig_core::protocol::ConflictRecord;
use desmig_core::protocol::{LoginRequest, LoginResponse, OpResult, ReferenceResponse};
use desmig_core::reference::TemplateMap;
use desmig_core::region::RegionCatalog;
use desmig_core::scope::{Identity, Role};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub villages: Vec<String>,
    pub districts: Vec<String>,
    pub beneficiary_id: Option<String>,
    pub scope_version: i64,
}

impl User {
    pub fn identity(&self) -> Identity {
        Identity {
            user_id: self.id.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            villages: self.villages.clone(),
            districts: self.districts.clone(),
            beneficiary_id: self.beneficiary_id.clone(),
        }
    }
}

/// What an administrator enters to create a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub villages: Vec<String>,
    pub districts: Vec<String>,
    pub beneficiary_id: Option<String>,
}

/// An authenticated request: the user and the device the token was issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub device_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    pub applied_ops: u64,
    pub records: u64,
    pub conflicts: u64,
    pub feed_rows: u64,
}

pub trait Storage: Send + Sync + 'static {
    /// The reference data (and validation context) this storage decides with.
    fn reference_cache(&self) -> &ReferenceCache;
    /// Checks the password and issues a device token valid for `ttl_ms`.
    fn login(&self, req: &LoginRequest, ttl_ms: i64, now_ms: i64) -> Result<LoginResponse>;
    /// The session behind a bearer token, or 401.
    fn authenticate(&self, token: &str, now_ms: i64) -> Result<Session>;
    /// Applies a batch: one result per operation, in order. Idempotent by operation id.
    fn push(&self, session: &Session, ops: &[Operation], now_ms: i64) -> Result<Vec<OpResult>>;
    /// One page of the change feed visible to the session's user, as the JSON body to send.
    fn pull(&self, session: &Session, cursor: Option<&str>, limit: u32) -> Result<Vec<u8>>;
    fn reference(&self) -> Result<ReferenceResponse>;

    fn add_user(&self, user: &NewUser, now_ms: i64) -> Result<User>;
    fn set_password(&self, username: &str, password: &str) -> Result<()>;
    /// Changes a user's villages or districts; their next pull starts over in the new scope.
    fn assign(&self, username: &str, villages: &[String], districts: &[String]) -> Result<User>;
    /// Revokes every token of a device and refuses its future logins. Returns tokens revoked.
    fn revoke_device(&self, device_id: &str, now_ms: i64) -> Result<u64>;
    fn load_regions(&self, csv: &str) -> Result<usize>;
    fn publish_template(&self, json: &str) -> Result<Template>;
    fn stats(&self) -> Result<Stats>;
    /// Every record and conflict the server holds (an administrator's export; the end-to-end
    /// tests compare it with the phones').
    fn export(&self) -> Result<Export>;
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Export {
    pub records: Vec<(EntityKind, String, Versioned)>,
    pub conflicts: Vec<ConflictRecord>,
}

pub fn invalid_cursor() -> ServerError {
    ServerError::bad("invalid_cursor", "the cursor is not one this server issued; pull again from the start")
}

/// The sequence number to read after, and whether the feed starts over for this user. A cursor
/// this server cannot have issued (a scope version it never had, a negative position) is a 400;
/// so is one past the feed's end, which the storage checks ([`check_cursor_end`]).
pub fn parse_cursor(cursor: Option<&str>, scope_version: i64) -> Result<(i64, bool)> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else { return Ok((0, true)) };
    let (v, seq) = c.strip_prefix('v').and_then(|r| r.split_once('.')).ok_or_else(invalid_cursor)?;
    let digits = |t: &str| !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(v) || !digits(seq) {
        return Err(invalid_cursor());
    }
    let (v, seq): (i64, i64) = (v.parse().map_err(|_| invalid_cursor())?, seq.parse().map_err(|_| invalid_cursor())?);
    if v < 1 || v > scope_version {
        return Err(invalid_cursor());
    }
    // A user whose villages changed starts over, so that the new villages' history arrives.
    Ok(if v == scope_version { (seq, false) } else { (0, true) })
}

/// A cursor past the end of the feed was not issued by this server (or the server was restored
/// from an older backup): the phone starts over.
pub fn check_cursor_end(after: i64, page_empty: bool, feed_end: i64) -> Result<()> {
    if page_empty && after > feed_end {
        return Err(invalid_cursor());
    }
    Ok(())
}

pub fn valid_device_id(d: &str) -> bool {
    !d.is_empty() && d.len() <= 64 && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A user's scope must name real regions of the right level for their role.
pub fn validate_scope(ctx: &Reference, role: Role, villages: &[String], districts: &[String], beneficiary_id: Option<&str>) -> Result<()> {
    use desmig_core::region::{level_of, RegionLevel};
    let mut fields = Vec::new();
    for v in villages {
        if let Err(e) = ctx.regions.check_village("villages", v) {
            fields.push(e);
        }
    }
    for d in districts {
        if level_of(d) != Some(RegionLevel::District) || ctx.regions.get(d).is_none() {
            fields.push(desmig_core::FieldError::new(
                "districts",
                "unknown_district",
                format!("`{d}` is not a district code in the region list"),
            ));
        }
    }
    let need = match role {
        Role::Facilitator if villages.is_empty() => Some(("villages", "a facilitator needs at least one village")),
        Role::Supervisor if districts.is_empty() => Some(("districts", "a supervisor needs at least one district")),
        Role::Worker if beneficiary_id.is_none_or(|b| uuid::Uuid::parse_str(b).is_err()) => {
            Some(("beneficiary_id", "a worker is linked to their beneficiary record"))
        }
        _ => None,
    };
    if let Some((f, m)) = need {
        fields.push(desmig_core::FieldError::new(f, "required", m));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ServerError::BadRequest { code: "invalid", message: "the user's scope is not valid".into(), fields })
    }
}

/// Which feed rows a user may read: the scope rule of every pull, for every storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    All,
    Villages(Vec<String>),
    Districts(Vec<String>),
    Beneficiary(String),
}

impl FeedScope {
    pub fn of(user: &User) -> FeedScope {
        match user.role {
            Role::Admin => FeedScope::All,
            Role::Facilitator => FeedScope::Villages(user.villages.clone()),
            Role::Supervisor => FeedScope::Districts(user.districts.clone()),
            Role::Worker => FeedScope::Beneficiary(user.beneficiary_id.clone().unwrap_or_default()),
        }
    }
}

/// Builds a pull page's JSON from stored change bodies without parsing them again.
pub struct FeedPage {
    body: Vec<u8>,
    count: i64,
    limit: i64,
    last: i64,
    has_more: bool,
}

impl FeedPage {
    pub fn new(after: i64, limit: i64) -> FeedPage {
        let mut body = Vec::with_capacity(64 * 1024);
        body.extend_from_slice(b"{\"changes\":[");
        FeedPage { body, count: 0, limit, last: after, has_more: false }
    }

    /// Adds a row read in `seq` order (ask for `limit + 1`); returns false once the page is full.
    pub fn push(&mut self, seq: i64, change_json: &str) -> bool {
        if self.count == self.limit {
            self.has_more = true;
            return false;
        }
        if self.count > 0 {
            self.body.push(b',');
        }
        self.body.extend_from_slice(change_json.as_bytes());
        self.last = seq;
        self.count += 1;
        true
    }

    pub fn has_more(&self) -> bool {
        self.has_more
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Closes the page. `feed_end` is the feed's last sequence number in the same snapshot: on
    /// the last page the cursor moves there, past rows outside the user's scope.
    pub fn finish(mut self, user: &User, restart: bool, feed_end: i64, reference_version: i64) -> Result<Vec<u8>> {
        let last = if self.has_more { self.last } else { self.last.max(feed_end) };
        let identity = if restart { format!(",\"identity\":{}", serde_json::to_string(&user.identity())?) } else { String::new() };
        let tail = format!(
            "],\"next_cursor\":\"v{}.{last}\",\"has_more\":{},\"reference_version\":{reference_version}{identity}}}",
            user.scope_version, self.has_more
        );
        self.body.extend_from_slice(tail.as_bytes());
        Ok(self.body)
    }
}

/// A record change for the feed, from the already-serialised fields and clocks: the same JSON as
/// `Change::Record` (a test checks it), without serialising the record a second time.
pub fn record_change_json(
    kind: EntityKind,
    id: &str,
    fields_json: &str,
    created: &desmig_core::hlc::Hlc,
    clocks_json: &str,
) -> Result<String> {
    Ok(format!(
        "{{\"kind\":\"record\",\"entity\":\"{}\",\"id\":{},\"state\":{{\"fields\":{fields_json},\"created\":\"{}\",\"clocks\":{clocks_json}}}}}",
        kind.table(),
        serde_json::to_string(id)?,
        created.encode()
    ))
}

/// The feed entry that tells phones of the village a beneficiary left to forget their file.
pub fn evict_change_json(beneficiary_id: &str) -> Result<String> {
    Ok(format!("{{\"kind\":\"evict\",\"entity\":\"beneficiary\",\"id\":{}}}", serde_json::to_string(beneficiary_id)?))
}

/// Reference data (regions, checklist templates) cached by a storage, reloaded whenever its
/// version in the database moved: published by an admin command or another instance.
pub struct ReferenceCache(RwLock<ReferenceData>, AtomicU64);

pub struct ReferenceData {
    pub version: i64,
    pub regions: Arc<RegionCatalog>,
    pub templates: Arc<TemplateMap>,
}

impl ReferenceCache {
    pub fn new(data: ReferenceData) -> ReferenceCache {
        ReferenceCache(RwLock::new(data), AtomicU64::new(desmig_core::hlc::MAX_DRIFT_MS))
    }

    /// How far ahead of the server's clock an operation may be stamped.
    pub fn set_clock_bound_ms(&self, ms: u64) {
        self.1.store(ms, Ordering::Relaxed)
    }

    pub fn version(&self) -> i64 {
        self.0.read().unwrap_or_else(|e| e.into_inner()).version
    }

    /// The validation context of now, on the server's clock.
    pub fn ctx(&self) -> Reference {
        let r = self.0.read().unwrap_or_else(|e| e.into_inner());
        Reference {
            today: Date::today_utc(),
            now_ms: desmig_core::date::now_unix_ms(),
            clock_bound_ms: self.1.load(Ordering::Relaxed),
            regions: r.regions.clone(),
            templates: r.templates.clone(),
        }
    }

    /// Reloads with `load` when `stored` is not the cached version. Returns `stored`.
    pub fn refresh(&self, stored: i64, load: impl FnOnce() -> Result<ReferenceData>) -> Result<i64> {
        if stored != self.version() {
            *self.0.write().unwrap_or_else(|e| e.into_inner()) = load()?;
        }
        Ok(stored)
    }
}

/// Usernames are case-insensitive: stored and looked up lower-cased.
pub fn normalize_username(raw: &str) -> Result<String> {
    let username = raw.trim().to_lowercase();
    if username.is_empty() || !username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        return Err(ServerError::bad("invalid_username", "a username is letters, digits, '.', '_' or '-'"));
    }
    Ok(username)
}

/// The login rules, for every storage: a well-formed device id, a known user with this
/// password, an enabled account, a device that was not revoked.
pub fn check_login(req: &LoginRequest, found: Option<(User, String, bool)>, device_revoked: bool) -> Result<User> {
    if !valid_device_id(&req.device_id) {
        return Err(ServerError::bad("invalid_device", "device_id must be 1-64 letters, digits, - or _"));
    }
    let invalid = || ServerError::unauthorized("invalid_credentials", "wrong username or password");
    let Some((user, hash, disabled)) = found else {
        // The same work as for a real account, so that the answer's timing names no account.
        crate::auth::verify_password(&req.password, crate::auth::dummy_hash());
        return Err(invalid());
    };
    if !crate::auth::verify_password(&req.password, &hash) {
        return Err(invalid());
    }
    if disabled {
        return Err(ServerError::unauthorized("account_disabled", "this account is disabled; ask the administrator"));
    }
    if device_revoked {
        return Err(ServerError::unauthorized("device_revoked", "this device was revoked; ask the administrator"));
    }
    Ok(user)
}

/// A stored token as every storage reads it.
pub struct TokenRow {
    pub user: User,
    pub device_id: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub disabled: bool,
    pub device_revoked: bool,
}

/// The token rules, for every storage: known, not revoked (nor its device), not expired, and
/// the account enabled.
pub fn check_token(row: Option<TokenRow>, now_ms: i64) -> Result<Session> {
    let Some(t) = row else { return Err(ServerError::unauthorized("invalid_token", "unknown token; log in again")) };
    if t.revoked_at.is_some() || t.device_revoked {
        return Err(ServerError::unauthorized("token_revoked", "this device's access was revoked; log in again"));
    }
    if t.expires_at <= now_ms {
        return Err(ServerError::unauthorized("token_expired", "the session expired; log in again"));
    }
    if t.disabled {
        return Err(ServerError::unauthorized("account_disabled", "this account is disabled"));
    }
    Ok(Session { user: t.user, device_id: t.device_id })
}

/// Publishing a template version again is fine with the same content, refused with other
/// content. Returns whether the version is already published.
pub fn already_published(existing_definition: Option<&str>, t: &Template) -> Result<bool> {
    let Some(existing) = existing_definition else { return Ok(false) };
    if serde_json::from_str::<Template>(existing)? != *t {
        return Err(ServerError::Conflict(format!(
            "{} version {} is already published with other content; publish a new version",
            t.id, t.version
        )));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use desmig_core::merge::{FieldClock, Versioned};
    use desmig_core::protocol::Change;

    #[test]
    fn the_fast_record_json_is_the_change_json() {
        let created = desmig_core::hlc::Hlc { millis: 7, counter: 1, node: "dev".into() };
        let state = Versioned {
            fields: serde_json::json!({"full_name": "Siti \"Ani\"", "dependants": 2}).as_object().cloned().unwrap(),
            created: created.clone(),
            clocks: [("dependants".to_string(), FieldClock { hlc: created.clone(), base: None })].into_iter().collect(),
        };
        let fast = record_change_json(
            EntityKind::Visit,
            "v-1",
            &serde_json::to_string(&state.fields).unwrap(),
            &created,
            &serde_json::to_string(&state.clocks).unwrap(),
        )
        .unwrap();
        let parsed: Change = serde_json::from_str(&fast).unwrap();
        assert_eq!(parsed, Change::Record { entity: EntityKind::Visit, id: "v-1".into(), state });
    }
}
