//! The server's storage interface: everything the HTTP layer and the admin commands need. The
//! SQLite implementation is the embedded default.

use crate::error::Result;
use desmig_core::checklist::Template;
use desmig_core::merge::Operation;
use desmig_core::protocol::{LoginRequest, LoginResponse, OpResult, ReferenceResponse};
use desmig_core::scope::{Identity, Role};
use serde::{Deserialize, Serialize};

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
}
