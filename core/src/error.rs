//! Errors: a rich internal [`Error`] for the crate, and the small public [`ApiError`] that crosses
//! the FFI and the wire, mapped in one place ([`From<Error> for ApiError`]).

use serde::{Deserialize, Serialize};

/// One problem with one field or checklist item, in words a UI can show next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field name (`nik`, `full_name`) or the checklist item id (`kur_ektp`).
    pub field: String,
    /// A stable machine code (`required`, `invalid_format`, `out_of_range`, …).
    pub code: String,
    /// A short English explanation for logs and developers; UIs translate `code`.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code: code.to_string(), message: message.into() }
    }
}

/// Internal error: rich, with sources.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input: {}", summarize(.0))]
    Validation(Vec<FieldError>),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The writer's role, scope or authorship does not allow this; `code` is stable (the same
    /// on the phone and the server: `out_of_scope`, `read_only`, `not_supervisor`, …).
    #[error("not allowed ({code}): {message}")]
    NotAllowed { code: &'static str, message: String },
    #[error("conflict with stored state: {0}")]
    StateConflict(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("data encoding error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("corrupt or unexpected stored data: {0}")]
    Corrupt(String),
    #[error("database schema version {found} is newer than this app supports ({supported}); update the app")]
    SchemaTooNew { found: i64, supported: i64 },
    /// The server could not be reached or did not answer in full; try again later.
    #[error("network error: {0}")]
    Network(String),
    /// The server no longer accepts this device's token.
    #[error("log in again: {0}")]
    LoginRequired(String),
    /// An administrator revoked this device (a lost phone): the store wiped itself.
    #[error("this device was revoked and its data erased: {0}")]
    DeviceRevoked(String),
    /// The server refused the request; `code` says why.
    #[error("the server refused the request ({code}): {message}")]
    Server { status: u16, code: String, message: String },
    #[error("sync cancelled")]
    Cancelled,
    /// The store cannot be opened with this key (`wrong_key`), or the key is malformed
    /// (`invalid_key`). Nothing was created or changed.
    #[error("store key refused ({code}): {message}")]
    StoreKey { code: &'static str, message: String },
    /// An operation refused for what it claims rather than for its values: a clock from the
    /// future or older than the value it replaces, an operation id reused for other content.
    #[error("operation refused ({code}): {message}")]
    Refused { code: &'static str, message: String },
}

fn summarize(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl Error {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, code, message)])
    }
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound { kind, id: id.into() }
    }
    pub fn not_allowed(code: &'static str, message: impl Into<String>) -> Self {
        Error::NotAllowed { code, message: message.into() }
    }
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Error::Refused { code, message: message.into() }
    }
    pub fn store_key(code: &'static str, message: impl Into<String>) -> Self {
        Error::StoreKey { code, message: message.into() }
    }

    /// The stable code of a refusal, the same wherever the rule ran: the phone shows it, the
    /// server answers it per operation.
    pub fn code(&self) -> &str {
        match self {
            Error::Validation(_) => "invalid",
            Error::NotFound { .. } => "not_found",
            Error::NotAllowed { code, .. } | Error::Refused { code, .. } | Error::StoreKey { code, .. } => code,
            Error::StateConflict(_) => "state_conflict",
            Error::Network(_) => "network",
            Error::LoginRequired(_) => "login_required",
            Error::DeviceRevoked(_) => "device_revoked",
            Error::Server { code, .. } => code,
            Error::Cancelled => "cancelled",
            _ => "storage",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error with what caused it, in one line (a refused certificate says why only in its
/// sources).
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The public error: few variants, each one a UI can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// Fix the listed fields or checklist items and try again.
    #[error("invalid input: {}", summarize(errors))]
    Validation { errors: Vec<FieldError> },
    #[error("{entity} {id} not found")]
    NotFound { entity: String, id: String },
    /// The user's role or scope does not allow this; `code` says which rule.
    #[error("not allowed ({code}): {reason}")]
    NotAllowed { code: String, reason: String },
    /// The action does not fit the current state (a completed visit, a refused status transition).
    #[error("conflict: {reason}")]
    Conflict { reason: String },
    /// The local database failed; the message says what to report.
    #[error("storage error: {message}")]
    Storage { message: String },
    /// No connection to the server (or it broke off): the changes are safe; sync again later.
    #[error("network error: {message}")]
    Network { message: String },
    /// The session ended (expired or revoked token): log in again.
    #[error("log in again: {message}")]
    LoginRequired { message: String },
    /// The server refused the sync; `code` is stable, `message` is for people.
    #[error("sync refused ({code}): {message}")]
    Sync { code: String, message: String },
    #[error("sync cancelled")]
    Cancelled,
    /// The store's key is wrong or malformed (`code`: `wrong_key`, `invalid_key`); the store is
    /// untouched. The app must not make a new store: unsent changes are in the old one.
    #[error("store key refused ({code}): {message}")]
    StoreKey { code: String, message: String },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Validation(errors) => ApiError::Validation { errors },
            Error::NotFound { kind, id } => ApiError::NotFound { entity: kind.to_string(), id },
            Error::NotAllowed { code, message } => ApiError::NotAllowed { code: code.to_string(), reason: message },
            Error::Refused { code, message } => ApiError::Sync { code: code.to_string(), message },
            Error::StateConflict(reason) => ApiError::Conflict { reason },
            Error::Network(message) => ApiError::Network { message },
            Error::LoginRequired(message) => ApiError::LoginRequired { message },
            // The app reads `device_revoked` from the stored sync report to say why.
            e @ Error::DeviceRevoked(_) => ApiError::LoginRequired { message: e.to_string() },
            Error::Server { code, message, .. } => ApiError::Sync { code, message },
            Error::Cancelled => ApiError::Cancelled,
            Error::StoreKey { code, message } => ApiError::StoreKey { code: code.to_string(), message },
            other => ApiError::Storage { message: other.to_string() },
        }
    }
}
