//! The server's storage: everything the HTTP layer and the admin commands need, written once
//! over the SQL of each backend (SQLite, the embedded default, and PostgreSQL): the login and
//! token rules, users and their scope, reference data, the feed's pages and the rows a push
//! writes to it.

use crate::error::{Result, ServerError};
use crate::privacy::{Access, AccessEntry, Erasure, ExportedRecord, PersonExport, PersonFile};
use desmig_core::bundle::PublicKeys;
use desmig_core::checklist::Template;
use desmig_core::date::Date;
use desmig_core::merge::Operation;
use desmig_core::merge::Versioned;
use desmig_core::model::{EntityKind, Reference};
use desmig_core::protocol::ConflictRecord;
use desmig_core::protocol::{LoginRequest, LoginResponse, OpResult, Person, ReferenceResponse, Team};
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
    /// A work phone number the user's team sees (`0812…` or `+62…`).
    #[serde(default)]
    pub phone: Option<String>,
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

/// A user as an administrator creates it, ready to store (password hashed, scope as JSON).
pub struct UserRecord<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub villages: String,
    pub districts: String,
    pub beneficiary_id: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub created_at: i64,
}

/// The server's storage. Each backend (SQLite, PostgreSQL) writes only the SQL: the required
/// methods read and write rows; everything else — the login, token and scope rules, reference
/// data, the batch planner, the feed's rules — is written once, in the provided methods and the
/// functions they call.
pub trait Storage: Send + Sync + 'static {
    // ---- Per backend: the SQL.

    /// The reference data (and validation context) this storage decides with.
    fn reference_cache(&self) -> &ReferenceCache;
    /// The version of the reference data in the database (moved by any instance or command).
    fn stored_reference_version(&self) -> Result<i64>;
    /// Regions and templates as stored, with their version.
    fn load_reference(&self) -> Result<ReferenceData>;
    /// Replaces the region list and moves the reference version, in one transaction.
    fn write_regions(&self, catalog: &RegionCatalog) -> Result<()>;
    /// The stored definition of a template version, if published.
    fn template_definition(&self, id: &str, version: u32) -> Result<Option<String>>;
    /// Stores a new template version and moves the reference version, in one transaction.
    fn write_template(&self, t: &Template) -> Result<()>;
    /// A user by (normalised) username, with their password hash and whether they are disabled.
    fn find_user(&self, username: &str) -> Result<Option<(User, String, bool)>>;
    fn device_revoked(&self, device_id: &str) -> Result<bool>;
    /// Binds a device's public keys (store-and-forward bundles) to it and the user who signed in
    /// on it, replacing that user's earlier ones on it (a phone reset). Per device and user:
    /// another account signing in with the same device id binds keys of its own, and cannot
    /// replace these.
    fn write_device_key(&self, device_id: &str, user_id: &str, keys: &PublicKeys, now_ms: i64) -> Result<()>;
    /// The keys `user_id` registered on a device, with the user and whether that account is
    /// disabled.
    fn read_device_key(&self, device_id: &str, user_id: &str) -> Result<Option<(User, bool, PublicKeys)>>;
    /// The value of a server-wide setting, stored first as `value` if it has none (every
    /// instance then reads the same).
    fn meta_or_insert(&self, key: &str, value: &str) -> Result<String>;
    fn insert_token(&self, token_hash: &str, user_id: &str, device_id: &str, created_at: i64, expires_at: i64) -> Result<()>;
    fn find_token(&self, token_hash: &str) -> Result<Option<TokenRow>>;
    /// Stores a new user; false when the username is taken.
    fn insert_user(&self, user: &UserRecord<'_>) -> Result<bool>;
    /// Sets a password hash and revokes the user's tokens; false when there is no such user.
    fn write_password(&self, username: &str, password_hash: &str, now_ms: i64) -> Result<bool>;
    /// Disables (revoking the user's tokens) or enables an account; false when there is no such
    /// user.
    fn write_disabled(&self, username: &str, disabled: bool, now_ms: i64) -> Result<bool>;
    /// Sets a user's villages and districts (JSON lists) and moves their scope version.
    fn write_scope(&self, user_id: &str, villages: &str, districts: &str) -> Result<()>;
    /// Sets (or clears) a user's phone number; false when no such user.
    fn write_phone(&self, username: &str, phone: Option<&str>) -> Result<bool>;
    /// Every enabled user who is not a worker, as a team list shows them.
    fn read_staff(&self) -> Result<Vec<Person>>;
    /// The village of a beneficiary record on the server.
    fn beneficiary_village(&self, beneficiary_id: &str) -> Result<Option<String>>;
    /// Records of `kinds` in `scope`, for the console's reports, lists and exports.
    fn read_records(&self, scope: &FeedScope, kinds: &[EntityKind]) -> Result<Vec<ScopedRecord>>;
    /// Each record of `kinds` in `scope` as stored, without building its JSON tree: `f` gets
    /// the kind, id, village and the fields' JSON text (the console's reports parse only what
    /// they count).
    fn scan_records(
        &self,
        scope: &FeedScope,
        kinds: &[EntityKind],
        f: &mut dyn FnMut(EntityKind, &str, &str, &str) -> Result<()>,
    ) -> Result<()>;
    /// One record, with its file and village.
    fn read_record(&self, kind: EntityKind, id: &str) -> Result<Option<ScopedRecord>>;
    /// The operations applied to one record, oldest first: its audit trail.
    fn read_record_ops(&self, kind: EntityKind, id: &str) -> Result<Vec<AppliedOp>>;
    /// Every account, for administration.
    fn read_users(&self) -> Result<Vec<UserRow>>;
    /// Devices that signed in, newest first, at most 1000: who, when first and last, whether
    /// revoked.
    fn read_devices(&self) -> Result<Vec<DeviceRow>>;
    /// Conflicts, newest first (open ones only unless `include_resolved`), at most 1000.
    fn read_conflicts(&self, include_resolved: bool) -> Result<Vec<ConflictRecord>>;
    /// Records the device as revoked and revokes its tokens; returns how many.
    fn write_revocation(&self, device_id: &str, now_ms: i64) -> Result<u64>;
    /// Plans the batch ([`crate::plan::plan`]) and persists the plan, in one transaction.
    fn apply_batch(&self, session: &Session, ops: &[Operation], ctx: &Reference, now_ms: i64) -> Result<Vec<OpResult>>;
    /// Reads feed rows after `after` in `scope` into `page` (asking for one more than it holds),
    /// and returns the feed's last sequence number, in the same snapshot.
    fn read_feed(&self, scope: &FeedScope, after: i64, page: &mut FeedPage) -> Result<i64>;
    fn stats(&self) -> Result<Stats>;
    /// Every record and conflict the server holds (an administrator's export; the end-to-end
    /// tests compare it with the phones').
    fn export(&self) -> Result<Export>;
    /// A beneficiary's file: every record under it and their conflicts (`None`: no such person).
    fn read_person(&self, beneficiary_id: &str) -> Result<Option<PersonFile>>;
    fn find_erasure(&self, beneficiary_id: &str) -> Result<Option<Erasure>>;
    /// In one transaction: deletes the file's records, conflicts and feed rows, keeps the
    /// tombstone and the log entry, writes the feed row that erases it on the phones, and ends
    /// the sessions of a worker account linked to the person (unlinking it). Returns the records
    /// deleted.
    fn write_erasure(&self, erasure: &Erasure, access: &AccessEntry) -> Result<u64>;
    fn insert_access(&self, entry: &AccessEntry) -> Result<()>;
    /// The file's access log, oldest first.
    fn read_access(&self, beneficiary_id: &str) -> Result<Vec<AccessEntry>>;

    // ---- Behaviour, written once.

    /// A person's data on request, by their district supervisor or an administrator: logged.
    fn export_person(&self, session: &Session, beneficiary_id: &str, now_ms: i64) -> Result<PersonExport> {
        let file =
            self.read_person(beneficiary_id)?.ok_or_else(|| ServerError::NotFound(format!("beneficiary {beneficiary_id} not found")))?;
        crate::privacy::check_may_answer(session, &file.village_code)?;
        let access_log = self.read_access(beneficiary_id)?;
        self.insert_access(&access_entry(session, beneficiary_id, Access::Export, now_ms))?;
        let records = file
            .records
            .into_iter()
            .map(|r| Ok(ExportedRecord { kind: r.kind.table().to_string(), id: r.id, fields: serde_json::from_str(&r.fields_json)? }))
            .collect::<Result<Vec<_>>>()?;
        Ok(PersonExport {
            beneficiary_id: beneficiary_id.to_string(),
            village_code: file.village_code,
            exported_at: now_ms,
            exported_by: session.user.username.clone(),
            records,
            conflicts: file.conflicts,
            access_log,
        })
    }

    /// Erases a person's file on request, everywhere: the server keeps the tombstone only, and
    /// every phone deletes the file at its next sync. Erasing again answers the same tombstone.
    fn erase_person(&self, session: &Session, beneficiary_id: &str, reason: &str, now_ms: i64) -> Result<Erasure> {
        let reason = crate::privacy::check_reason(reason)?;
        if let Some(done) = self.find_erasure(beneficiary_id)? {
            crate::privacy::check_may_answer(session, &done.village_code)?;
            return Ok(done);
        }
        let file =
            self.read_person(beneficiary_id)?.ok_or_else(|| ServerError::NotFound(format!("beneficiary {beneficiary_id} not found")))?;
        crate::privacy::check_may_answer(session, &file.village_code)?;
        let erasure = Erasure {
            beneficiary_id: beneficiary_id.to_string(),
            village_code: file.village_code,
            erased_at: now_ms,
            erased_by: session.user.id.clone(),
            reason,
        };
        self.write_erasure(&erasure, &access_entry(session, beneficiary_id, Access::Erase, now_ms))?;
        Ok(erasure)
    }

    /// Who read or erased a file, for its supervisor or an administrator.
    fn person_access_log(&self, session: &Session, beneficiary_id: &str) -> Result<Vec<AccessEntry>> {
        let village = match (self.read_person(beneficiary_id)?, self.find_erasure(beneficiary_id)?) {
            (Some(f), _) => f.village_code,
            (None, Some(e)) => e.village_code,
            (None, None) => return Err(ServerError::NotFound(format!("beneficiary {beneficiary_id} not found"))),
        };
        crate::privacy::check_may_answer(session, &village)?;
        self.read_access(beneficiary_id)
    }

    /// Reloads the reference data when another instance or an admin command changed it.
    /// Returns the current version.
    fn refresh_reference(&self) -> Result<i64> {
        let stored = self.stored_reference_version()?;
        self.reference_cache().refresh(stored, || self.load_reference())
    }

    /// Checks the password and issues a device token valid for `ttl_ms`.
    fn login(&self, req: &LoginRequest, ttl_ms: i64, now_ms: i64) -> Result<LoginResponse> {
        let found = self.find_user(&req.username.trim().to_lowercase())?;
        let revoked = valid_device_id(&req.device_id) && self.device_revoked(&req.device_id)?;
        let user = check_login(req, found, revoked)?;
        if let Some(keys) = &req.device_keys {
            crate::bundles::check_public_keys(keys)?;
        }
        let (token, hash) = crate::auth::new_token()?;
        let expires_at = now_ms + ttl_ms;
        self.insert_token(&hash, &user.id, &req.device_id, now_ms, expires_at)?;
        if let Some(keys) = &req.device_keys {
            self.write_device_key(&req.device_id, &user.id, keys, now_ms)?;
        }
        let server_keys = Some(crate::bundles::ServerKeys::of(self)?.public().clone());
        Ok(LoginResponse { token, expires_at, identity: user.identity(), server_keys })
    }

    /// The session behind a bearer token, or 401.
    fn authenticate(&self, token: &str, now_ms: i64) -> Result<Session> {
        check_token(self.find_token(&crate::auth::token_hash(token))?, now_ms)
    }

    /// Applies a batch: one result per operation, in order. Idempotent by operation id and
    /// content.
    fn push(&self, session: &Session, ops: &[Operation], now_ms: i64) -> Result<Vec<OpResult>> {
        crate::batch::check_batch(session, ops)?;
        self.refresh_reference()?;
        let ctx = self.reference_cache().ctx();
        self.apply_batch(session, ops, &ctx, now_ms)
    }

    /// One page of the change feed visible to the session's user, as the JSON body to send.
    fn pull(&self, session: &Session, cursor: Option<&str>, limit: u32, team_tag: Option<&str>) -> Result<PullAnswer> {
        let user = &session.user;
        let (after, restart) = parse_cursor(cursor, user.scope_version)?;
        let limit = i64::from(limit.clamp(1, crate::http::MAX_PULL_LIMIT));
        let reference_version = self.refresh_reference()?;
        let mut page = FeedPage::new(after, limit);
        let end = self.read_feed(&FeedScope::of(user), after, &mut page)?;
        if !page.has_more() {
            check_cursor_end(after, page.is_empty(), end)?;
        }
        // The last page carries the user's team when it changed since the phone's copy.
        let team = if page.has_more() {
            None
        } else {
            let team = team(self.team_of(user)?)?;
            (team_tag != Some(team.tag.as_str())).then_some(team)
        };
        page.finish(user, restart, end, reference_version, team.as_ref())
    }

    /// Checklist templates and the regions `user`'s scope needs, as the phones download them.
    fn reference(&self, user: &User) -> Result<ReferenceResponse> {
        let version = self.refresh_reference()?;
        let ctx = self.reference_cache().ctx();
        let mut templates: Vec<&Arc<Template>> = ctx.templates.values().collect();
        templates.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));
        let templates = templates.into_iter().map(|t| serde_json::to_value(&**t)).collect::<Result<Vec<_>, _>>()?;
        let worker_village = match (user.role, user.beneficiary_id.as_deref()) {
            (Role::Worker, Some(b)) => self.beneficiary_village(b)?,
            _ => None,
        };
        let regions_csv = crate::regions::scoped_csv(&ctx.regions, user, worker_village.as_deref());
        Ok(ReferenceResponse { version, templates, regions_csv })
    }

    fn add_user(&self, u: &NewUser, now_ms: i64) -> Result<User> {
        let username = normalize_username(&u.username)?;
        self.refresh_reference()?;
        validate_scope(&self.reference_cache().ctx(), u.role, &u.villages, &u.districts, u.beneficiary_id.as_deref())?;
        let phone = match u.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(desmig_core::validate::phone("phone", p).map_err(|e| ServerError::bad("invalid_phone", e.message))?),
            None => None,
        };
        let hash = crate::auth::hash_password(&u.password)?;
        let id = uuid::Uuid::now_v7().to_string();
        let role = serde_json::to_value(u.role)?.as_str().unwrap_or_default().to_string();
        let record = UserRecord {
            id: &id,
            username: &username,
            display_name: u.display_name.trim(),
            role: &role,
            password_hash: &hash,
            villages: serde_json::to_string(&u.villages)?,
            districts: serde_json::to_string(&u.districts)?,
            beneficiary_id: u.beneficiary_id.as_deref(),
            phone: phone.as_deref(),
            created_at: now_ms,
        };
        if !self.insert_user(&record)? {
            return Err(ServerError::Conflict(format!("user {username} already exists")));
        }
        self.find_user(&username)?.map(|(u, _, _)| u).ok_or_else(|| ServerError::Internal("user vanished".into()))
    }

    /// Sets a new password; every session of the user ends (their phones log in again).
    fn set_password(&self, username: &str, password: &str) -> Result<()> {
        let hash = crate::auth::hash_password(password)?;
        if !self.write_password(&username.trim().to_lowercase(), &hash, desmig_core::date::now_unix_ms())? {
            return Err(ServerError::NotFound(format!("user {username} not found")));
        }
        Ok(())
    }

    /// Sets a user's work phone number, or clears it (empty).
    fn set_phone(&self, username: &str, phone: &str) -> Result<()> {
        let phone = match phone.trim() {
            "" => None,
            p => Some(desmig_core::validate::phone("phone", p).map_err(|e| ServerError::bad("invalid_phone", e.message))?),
        };
        if !self.write_phone(&username.trim().to_lowercase(), phone.as_deref())? {
            return Err(ServerError::NotFound(format!("user {username} not found")));
        }
        Ok(())
    }

    /// The people a user works with, as their phone lists them: a facilitator's supervisors and
    /// fellow facilitators, a supervisor's facilitators, a worker's facilitator and supervisor.
    /// Workers are never listed; an administrator sees every member of staff.
    fn team_of(&self, user: &User) -> Result<Vec<Person>> {
        let staff = self.read_staff()?;
        let worker_village = match (user.role, user.beneficiary_id.as_deref()) {
            (Role::Worker, Some(b)) => self.beneficiary_village(b)?,
            _ => None,
        };
        Ok(team_for(user, worker_village.as_deref(), staff))
    }

    /// Disables an account (its sessions end and it cannot log in) or enables it again.
    fn set_disabled(&self, username: &str, disabled: bool) -> Result<()> {
        if !self.write_disabled(&username.trim().to_lowercase(), disabled, desmig_core::date::now_unix_ms())? {
            return Err(ServerError::NotFound(format!("user {username} not found")));
        }
        Ok(())
    }

    /// Changes a user's villages or districts; their next pull starts over in the new scope.
    fn assign(&self, username: &str, villages: &[String], districts: &[String]) -> Result<User> {
        let username = username.trim().to_lowercase();
        let (user, _, _) = self.find_user(&username)?.ok_or_else(|| ServerError::NotFound(format!("user {username} not found")))?;
        self.refresh_reference()?;
        validate_scope(&self.reference_cache().ctx(), user.role, villages, districts, user.beneficiary_id.as_deref())?;
        self.write_scope(&user.id, &serde_json::to_string(villages)?, &serde_json::to_string(districts)?)?;
        self.find_user(&username)?.map(|(u, _, _)| u).ok_or_else(|| ServerError::Internal("user vanished".into()))
    }

    /// Revokes every token of a device and refuses its future logins. Returns tokens revoked.
    fn revoke_device(&self, device_id: &str, now_ms: i64) -> Result<u64> {
        if !valid_device_id(device_id) {
            return Err(ServerError::bad("invalid_device", "device_id must be 1-64 letters, digits, - or _"));
        }
        self.write_revocation(device_id, now_ms)
    }

    /// Loads region reference data from a `code,name` CSV (replaces the current list).
    fn load_regions(&self, csv: &str) -> Result<usize> {
        let catalog = RegionCatalog::from_csv(csv).map_err(|fields| ServerError::BadRequest {
            code: "invalid_regions",
            message: "the region file has errors".into(),
            fields,
        })?;
        self.write_regions(&catalog)?;
        self.refresh_reference()?;
        Ok(catalog.len())
    }

    /// Publishes a checklist template version; the same version again with the same content is
    /// fine, with other content refused.
    fn publish_template(&self, json: &str) -> Result<Template> {
        let t = Template::from_json(json)?;
        if already_published(self.template_definition(&t.id, t.version)?.as_deref(), &t)? {
            return Ok(t);
        }
        self.write_template(&t)?;
        self.refresh_reference()?;
        Ok(t)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Export {
    pub records: Vec<(EntityKind, String, Versioned)>,
    pub conflicts: Vec<ConflictRecord>,
}

pub fn access_entry(session: &Session, beneficiary_id: &str, action: Access, now_ms: i64) -> AccessEntry {
    AccessEntry {
        beneficiary_id: beneficiary_id.to_string(),
        user_id: session.user.id.clone(),
        username: session.user.username.clone(),
        device_id: session.device_id.clone(),
        action,
        at: now_ms,
    }
}

/// The easternmost time zone's lead on UTC (Kiribati, UTC+14).
pub const LATEST_ZONE_MS: i64 = 14 * 3600 * 1000;

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

/// Who is in `user`'s team, from every enabled member of staff (see [`Storage::team_of`]).
pub fn team_for(user: &User, worker_village: Option<&str>, staff: Vec<Person>) -> Vec<Person> {
    use desmig_core::region::district_of;
    let districts_of =
        |villages: &[String]| -> Vec<String> { villages.iter().filter_map(|v| district_of(v)).map(str::to_string).collect() };
    let works_in = |p: &Person, villages: &[String], districts: &[String]| -> bool {
        match p.role {
            Role::Facilitator => {
                p.villages.iter().any(|v| villages.contains(v) || district_of(v).is_some_and(|d| districts.contains(&d.to_string())))
            }
            Role::Supervisor => p.districts.iter().any(|d| districts.contains(d)),
            _ => false,
        }
    };
    let mut team: Vec<Person> = staff
        .into_iter()
        .filter(|p| p.user_id != user.id)
        .filter(|p| match user.role {
            Role::Admin => true,
            // A facilitator's supervisors and the facilitators of the same villages.
            Role::Facilitator => {
                let districts = districts_of(&user.villages);
                match p.role {
                    Role::Supervisor => works_in(p, &[], &districts),
                    Role::Facilitator => works_in(p, &user.villages, &[]),
                    _ => false,
                }
            }
            // A supervisor's facilitators and fellow supervisors of the same districts.
            Role::Supervisor => works_in(p, &[], &user.districts),
            // A worker's facilitators and their supervisor.
            Role::Worker => match worker_village {
                Some(v) => {
                    let village = [v.to_string()];
                    match p.role {
                        Role::Facilitator => works_in(p, &village, &[]),
                        Role::Supervisor => works_in(p, &[], &districts_of(&village)),
                        _ => false,
                    }
                }
                None => false,
            },
        })
        .collect();
    team.sort_by(|a, b| (a.role as u8, &a.display_name, &a.user_id).cmp(&(b.role as u8, &b.display_name, &b.user_id)));
    team
}

/// The team with its tag: the phone sends the tag back and gets the list again only when it
/// changed.
pub fn team(people: Vec<Person>) -> Result<Team> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(serde_json::to_vec(&people)?);
    let tag = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    Ok(Team { tag, people })
}

/// A record as the console reads it: its file, its village and its state.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopedRecord {
    pub kind: EntityKind,
    pub id: String,
    pub beneficiary_id: String,
    pub village_code: String,
    pub state: Versioned,
}

impl ScopedRecord {
    /// The record as its typed entity (`id` included), for the rules and reports.
    pub fn entity<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let mut fields = self.state.fields.clone();
        fields.insert("id".into(), serde_json::Value::String(self.id.clone()));
        Ok(serde_json::from_value(serde_json::Value::Object(fields))?)
    }
}

/// One applied operation as the audit trail shows it; operations applied before the server kept
/// their content have no `hlc` or `fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedOp {
    pub op_id: String,
    pub device_id: String,
    pub user_id: String,
    pub applied_at: i64,
    pub hlc: Option<desmig_core::hlc::Hlc>,
    pub fields: Option<std::collections::BTreeMap<String, desmig_core::merge::FieldChange>>,
}

pub fn applied_op(
    op_id: String,
    device_id: String,
    user_id: String,
    applied_at: i64,
    hlc: Option<String>,
    fields: Option<String>,
) -> Result<AppliedOp> {
    Ok(AppliedOp {
        op_id,
        device_id,
        user_id,
        applied_at,
        hlc: hlc.as_deref().and_then(desmig_core::hlc::Hlc::parse),
        fields: fields.as_deref().map(serde_json::from_str).transpose()?,
    })
}

/// A device as administration lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: String,
    pub username: String,
    pub first_login: i64,
    pub last_login: i64,
    pub revoked: bool,
}

pub const DEVICES_SQL: &str = "SELECT t.device_id, u.username, min(t.created_at), max(t.created_at),
        EXISTS (SELECT 1 FROM revoked_device r WHERE r.device_id = t.device_id)
     FROM device_token t JOIN app_user u ON u.id = t.user_id
     GROUP BY t.device_id, u.username ORDER BY max(t.created_at) DESC LIMIT 1000";

/// An account as administration lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub user: User,
    pub phone: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
}

/// The SQL filter of a scope over the `record` table (`village_code`), with its arguments;
/// `mark` is `?` (SQLite) or `$` (PostgreSQL, numbered from 1).
pub fn scope_filter(scope: &FeedScope, mark: &str) -> (String, Vec<String>) {
    let marks = |n: usize| -> String {
        if mark == "$" {
            (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
        } else {
            vec!["?"; n].join(",")
        }
    };
    match scope {
        FeedScope::All => ("1 = 1".into(), vec![]),
        FeedScope::Villages(v) if v.is_empty() => ("1 = 0".into(), vec![]),
        FeedScope::Villages(v) => (format!("village_code IN ({})", marks(v.len())), v.clone()),
        FeedScope::Districts(d) if d.is_empty() => ("1 = 0".into(), vec![]),
        FeedScope::Districts(d) => (format!("substr(village_code, 1, 5) IN ({})", marks(d.len())), d.clone()),
        FeedScope::Beneficiary(b) => (format!("beneficiary_id = {}", marks(1)), vec![b.clone()]),
    }
}

/// A pull page as it is sent: its JSON and, when more follows, the next page's cursor (also in
/// the page), which the server sends ahead of the page as a header so that a phone on a slow
/// link asks for the next page while this one is still arriving.
#[derive(Debug)]
pub struct PullAnswer {
    pub body: Vec<u8>,
    pub next_cursor: Option<String>,
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

    /// Makes room for the next change: false once the page is full (it has more after it).
    fn room(&mut self, seq: i64) -> bool {
        if self.count == self.limit {
            self.has_more = true;
            return false;
        }
        if self.count > 0 {
            self.body.push(b',');
        }
        self.last = seq;
        self.count += 1;
        true
    }

    /// Adds a row read with [`FEED_SELECT`] (ask for `limit + 1`); returns false once the page
    /// is full. A record's row is written from the record itself.
    pub fn push_row(&mut self, row: FeedRow<'_>) -> Result<bool> {
        let record = match (row.fields, row.created, row.clocks) {
            (Some(fields), Some(created), Some(clocks)) => Some((fields, created, clocks)),
            _ if row.kind == "record" => {
                return Err(ServerError::Internal(format!("the feed names {} {} and it is not stored", row.entity, row.entity_id)))
            }
            _ => None,
        };
        if !self.room(row.seq) {
            return Ok(false);
        }
        match record {
            Some((fields, created, clocks)) => write_record_change(&mut self.body, row.entity, row.entity_id, fields, created, clocks)?,
            None => self.body.extend_from_slice(row.body.as_bytes()),
        }
        Ok(true)
    }

    pub fn has_more(&self) -> bool {
        self.has_more
    }

    /// The changes written so far, as the page will hold them.
    #[cfg(test)]
    pub fn changes_json(&self) -> &str {
        std::str::from_utf8(&self.body[b"{\"changes\":[".len()..]).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many changes the page holds at most.
    pub fn limit(&self) -> i64 {
        self.limit
    }

    /// Closes the page. `feed_end` is the feed's last sequence number in the same snapshot: on
    /// the last page the cursor moves there, past rows outside the user's scope.
    pub fn finish(mut self, user: &User, restart: bool, feed_end: i64, reference_version: i64, team: Option<&Team>) -> Result<PullAnswer> {
        let last = if self.has_more { self.last } else { self.last.max(feed_end) };
        let mut identity = if restart { format!(",\"identity\":{}", serde_json::to_string(&user.identity())?) } else { String::new() };
        if let Some(team) = team {
            identity.push_str(&format!(",\"team\":{}", serde_json::to_string(team)?));
        }
        let cursor = format!("v{}.{last}", user.scope_version);
        let tail =
            format!("],\"next_cursor\":\"{cursor}\",\"has_more\":{},\"reference_version\":{reference_version}{identity}}}", self.has_more);
        self.body.extend_from_slice(tail.as_bytes());
        Ok(PullAnswer { body: self.body, next_cursor: self.has_more.then_some(cursor) })
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
    let mut out = Vec::with_capacity(fields_json.len() + clocks_json.len() + 128);
    write_record_change(&mut out, kind.table(), id, fields_json, &created.encode(), clocks_json)?;
    String::from_utf8(out).map_err(|e| ServerError::Internal(e.to_string()))
}

/// Writes a record change's JSON from the record's stored columns (the kind's table name, the
/// fields and clocks as JSON, the created clock encoded), parsing none of them.
fn write_record_change(out: &mut Vec<u8>, entity: &str, id: &str, fields_json: &str, created: &str, clocks_json: &str) -> Result<()> {
    out.extend_from_slice(b"{\"kind\":\"record\",\"entity\":");
    serde_json::to_writer(&mut *out, entity)?;
    out.extend_from_slice(b",\"id\":");
    serde_json::to_writer(&mut *out, id)?;
    out.extend_from_slice(b",\"state\":{\"fields\":");
    out.extend_from_slice(fields_json.as_bytes());
    out.extend_from_slice(b",\"created\":");
    serde_json::to_writer(&mut *out, created)?;
    out.extend_from_slice(b",\"clocks\":");
    out.extend_from_slice(clocks_json.as_bytes());
    out.extend_from_slice(b"}}");
    Ok(())
}

/// How both stores read the feed: each row with, for a record's row, the record's current state
/// from `record` (the feed keeps no copy of it: its body is empty). Filters name `c.` columns.
pub const FEED_SELECT: &str = "SELECT c.seq, c.kind, c.body, c.entity, c.entity_id, r.fields, r.created, r.clocks
     FROM change_log c LEFT JOIN record r ON c.kind = 'record' AND r.kind = c.entity AND r.id = c.entity_id";

/// One row read with [`FEED_SELECT`], its columns in order: for a record's row, the joined
/// record's fields, created clock and clocks (NULL for other rows).
pub struct FeedRow<'a> {
    pub seq: i64,
    pub kind: &'a str,
    pub body: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub fields: Option<&'a str>,
    pub created: Option<&'a str>,
    pub clocks: Option<&'a str>,
}

/// The feed entry that tells phones of the village a beneficiary left to forget their file.
pub fn evict_change_json(beneficiary_id: &str) -> Result<String> {
    Ok(format!("{{\"kind\":\"evict\",\"entity\":\"beneficiary\",\"id\":{}}}", serde_json::to_string(beneficiary_id)?))
}

/// One row of the change feed to write: its body (empty for a record's row, which the feed reads
/// from `record`), and whose scope it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub kind: &'static str,
    pub entity: String,
    pub entity_id: String,
    pub beneficiary_id: String,
    pub village: String,
    pub body: String,
}

impl FeedEntry {
    pub fn district(&self) -> &str {
        desmig_core::region::district_of(&self.village).unwrap_or(&self.village)
    }
}

/// A record as stored, its fields and clocks still JSON.
pub struct StoredRecord {
    pub kind: EntityKind,
    pub id: String,
    pub fields_json: String,
    pub created: desmig_core::hlc::Hlc,
    pub clocks_json: String,
}

/// What writing a plan's feed reads, in the push's transaction, after the plan's own writes.
pub trait FeedSource {
    /// Every record of a beneficiary's file.
    fn file_records(&mut self, beneficiary_id: &str) -> Result<Vec<StoredRecord>>;
    /// The ids of conflicts in the feed under a beneficiary's file.
    fn file_conflicts(&mut self, beneficiary_id: &str) -> Result<Vec<String>>;
    fn conflict(&mut self, id: &str) -> Result<Option<ConflictRecord>>;
}

/// The feed rows a plan writes, in the order to write them: the villages that beneficiaries
/// left forget their files first; then every record changed, every conflict found or settled,
/// and the whole file of a beneficiary who moved, under their new village. A row appears once
/// (its last place): each becomes the row's new, higher sequence number.
pub fn feed_entries(plan: &crate::plan::Plan, source: &mut dyn FeedSource) -> Result<Vec<FeedEntry>> {
    let mut entries = Vec::new();
    for m in &plan.moved {
        entries.push(FeedEntry {
            kind: "evict",
            entity: "beneficiary".into(),
            // One row per village left: a file that moves on again leaves each village its own.
            entity_id: format!("{}@{}", m.beneficiary_id, m.previous_village),
            beneficiary_id: m.beneficiary_id.clone(),
            village: m.previous_village.clone(),
            body: evict_change_json(&m.beneficiary_id)?,
        });
    }
    // A record's row keeps no copy of the record: the feed reads it from `record`.
    for r in &plan.records {
        entries.push(FeedEntry {
            kind: "record",
            entity: r.kind.table().into(),
            entity_id: r.id.clone(),
            beneficiary_id: r.beneficiary_id.clone(),
            village: r.village.clone(),
            body: String::new(),
        });
    }
    let mut conflicts: Vec<(String, String, String)> = plan
        .conflicts
        .iter()
        .map(|c| (c.conflict.id.clone(), c.beneficiary_id.clone(), c.village.clone()))
        .chain(plan.resolutions.iter().map(|r| (r.conflict_id.clone(), r.beneficiary_id.clone(), r.village.clone())))
        .collect();
    for m in &plan.moved {
        for r in source.file_records(&m.beneficiary_id)? {
            entries.push(FeedEntry {
                kind: "record",
                entity: r.kind.table().into(),
                entity_id: r.id,
                beneficiary_id: m.beneficiary_id.clone(),
                village: m.village.clone(),
                body: String::new(),
            });
        }
        conflicts.extend(source.file_conflicts(&m.beneficiary_id)?.into_iter().map(|id| (id, m.beneficiary_id.clone(), m.village.clone())));
    }
    for (id, beneficiary_id, village) in conflicts {
        if let Some(conflict) = source.conflict(&id)? {
            let body = serde_json::to_string(&desmig_core::protocol::Change::Conflict { conflict })?;
            entries.push(FeedEntry { kind: "conflict", entity: "conflict".into(), entity_id: id, beneficiary_id, village, body });
        }
    }
    // Keep each row's last place only.
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<FeedEntry> =
        entries.into_iter().rev().filter(|e| seen.insert((e.kind, e.entity.clone(), e.entity_id.clone()))).collect();
    kept.reverse();
    Ok(kept)
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
        let now_ms = desmig_core::date::now_unix_ms();
        Reference {
            // The writer's "today" is their phone's local date, in a zone this server does not
            // know: a date is in the future only once it is in the future everywhere (UTC+14).
            today: Date::from_unix_ms(now_ms + LATEST_ZONE_MS),
            now_ms,
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

/// The longest username.
pub const MAX_USERNAME_BYTES: usize = 64;

/// Usernames are case-insensitive: stored and looked up lower-cased.
pub fn normalize_username(raw: &str) -> Result<String> {
    let username = raw.trim().to_lowercase();
    if username.is_empty()
        || username.len() > MAX_USERNAME_BYTES
        || !username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
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
    if t.device_revoked {
        return Err(ServerError::unauthorized("device_revoked", "an administrator revoked this device (a lost phone); its data is erased"));
    }
    if t.revoked_at.is_some() {
        return Err(ServerError::unauthorized(
            "token_revoked",
            "this session was ended (a new password, or the account was disabled); log in again",
        ));
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
    fn a_date_is_in_the_future_only_once_it_is_everywhere() {
        let cache = ReferenceCache::new(ReferenceData {
            version: 1,
            regions: Arc::new(RegionCatalog::builtin()),
            templates: Arc::new(Default::default()),
        });
        let now = desmig_core::date::now_unix_ms();
        let today = cache.ctx().today;
        // A facilitator in WIT (UTC+9) at 08:00 local time, when UTC is still on yesterday.
        assert!(today >= Date::from_unix_ms(now + 9 * 3600 * 1000));
        assert!(today <= Date::from_unix_ms(now + LATEST_ZONE_MS + 60_000));
    }

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
