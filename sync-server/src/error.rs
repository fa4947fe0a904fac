//! Server errors: each maps to one HTTP status and a typed body (`{"error": {code, message,
//! fields}}`) that tells the client what to do next.

use desmig_core::protocol::{ErrorBody, ErrorDetail};
use desmig_core::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// 400: the request itself is wrong (malformed JSON, unknown protocol version, bad values).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String, fields: Vec<FieldError> },
    /// 401: log in again.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// 403: authenticated, but this is not theirs to do.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// 409: the name is taken, the state does not allow it.
    #[error("{0}")]
    Conflict(String),
    /// 405: the endpoint exists, the method does not.
    #[error("this endpoint does not take that method; see /v1/openapi.json")]
    MethodNotAllowed,
    /// 408: the request did not arrive in time.
    #[error("{0}")]
    Timeout(String),
    /// 413: the body is larger than the server accepts.
    #[error("{0}")]
    TooLarge(String),
    /// 429: too many failed logins for this account or address; try again after the wait.
    #[error("too many failed logins; try again in {retry_after_s} s")]
    Throttled { retry_after_s: u64 },
    /// 500: the server's fault; details go to the log, not the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServerError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        ServerError::BadRequest { code, message: message.into(), fields: vec![] }
    }
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        ServerError::Unauthorized { code, message: message.into() }
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        ServerError::Forbidden { code, message: message.into() }
    }

    pub fn status(&self) -> u16 {
        match self {
            ServerError::BadRequest { .. } => 400,
            ServerError::Unauthorized { .. } => 401,
            ServerError::Forbidden { .. } => 403,
            ServerError::NotFound(_) => 404,
            ServerError::Conflict(_) => 409,
            ServerError::MethodNotAllowed => 405,
            ServerError::Timeout(_) => 408,
            ServerError::TooLarge(_) => 413,
            ServerError::Throttled { .. } => 429,
            ServerError::Internal(_) => 500,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, fields) = match self {
            ServerError::BadRequest { code, fields, .. } => (*code, fields.clone()),
            ServerError::Unauthorized { code, .. } | ServerError::Forbidden { code, .. } => (*code, vec![]),
            ServerError::NotFound(_) => ("not_found", vec![]),
            ServerError::Conflict(_) => ("conflict", vec![]),
            ServerError::TooLarge(_) => ("payload_too_large", vec![]),
            ServerError::MethodNotAllowed => ("method_not_allowed", vec![]),
            ServerError::Timeout(_) => ("request_timeout", vec![]),
            ServerError::Throttled { .. } => ("login_throttled", vec![]),
            ServerError::Internal(_) => ("internal", vec![]),
        };
        let message = match self {
            ServerError::Internal(_) => "the server failed; try again later".to_string(),
            other => other.to_string(),
        };
        let retry_after_s = match self {
            ServerError::Throttled { retry_after_s } => Some(*retry_after_s),
            _ => None,
        };
        ErrorBody { error: ErrorDetail { code: code.to_string(), message, fields, retry_after_s } }
    }
}

impl From<rusqlite::Error> for ServerError {
    fn from(e: rusqlite::Error) -> Self {
        ServerError::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for ServerError {
    fn from(e: serde_json::Error) -> Self {
        ServerError::Internal(format!("encoding: {e}"))
    }
}

impl From<desmig_core::Error> for ServerError {
    fn from(e: desmig_core::Error) -> Self {
        use desmig_core::Error as E;
        match e {
            E::Validation(fields) => ServerError::BadRequest { code: "invalid", message: "invalid input".into(), fields },
            E::NotFound { kind, id } => ServerError::NotFound(format!("{kind} {id} not found")),
            E::NotAllowed { message, .. } => ServerError::forbidden("not_allowed", message),
            E::StateConflict(m) => ServerError::Conflict(m),
            E::StoreKey { code, message } => ServerError::bad(code, message),
            other => ServerError::Internal(other.to_string()),
        }
    }
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
