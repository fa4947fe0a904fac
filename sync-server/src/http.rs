//! The HTTP API (protocol v1): routes, authentication, compression (gzip in, zstd or gzip out), body limits and
//! typed error bodies. Storage calls run on the blocking pool.

use crate::edge::EdgeConfig;
use crate::error::{Result, ServerError};
use crate::metrics::Metrics;
use crate::storage::{Session, Storage};
use crate::throttle::{LoginThrottle, ThrottleConfig};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use desmig_core::date::now_unix_ms;
use desmig_core::protocol::{
    LoginRequest, PushRequest, PushResponse, NEXT_CURSOR_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION, SERVER_TIME_HEADER,
};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub const OPENAPI: &str = include_str!("../openapi.json");

/// Limits and lifetimes, from the command line.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest request body accepted on the wire (compressed).
    pub max_body_bytes: usize,
    /// Largest request body once decompressed. A push of 200 visits is about 400 KB.
    pub max_decompressed_bytes: usize,
    pub token_ttl_ms: i64,
    /// A request body must arrive within this.
    pub body_timeout: Duration,
    /// How far ahead of the server's clock an operation may be stamped.
    pub clock_bound_ms: u64,
    pub throttle: ThrottleConfig,
    pub edge: EdgeConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client (login throttling counts the
    /// client's address, not the proxy's).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// gzip level of pull pages (1 to 9), for clients that do not accept zstd.
    pub pull_gzip_level: u32,
    /// zstd level of pull pages (1 to 19), for clients that accept it (`Accept-Encoding: zstd`).
    pub pull_zstd_level: i32,
}

/// Pull pages are gzipped at level 6 for clients that take only gzip: measured on records shaped
/// like real ones (`tests/examples/wire_format`), level 1 sends 1.55x the bytes of gzip of the
/// bare records, level 6 1.03x; bytes, not the server's CPU, are what a field link is short of.
pub const DEFAULT_PULL_GZIP_LEVEL: u32 = 6;

/// zstd level of pull pages: measured the same way, level 9 sends 0.90x the bytes of gzip -6 of
/// the bare records and 1.03x zstd -9 of them, at 15 ms per 1,000-record page (gzip -6: 9 ms);
/// 12 saves 3% more for twice the time, 19 saves 10% for 35 times the time.
pub const DEFAULT_PULL_ZSTD_LEVEL: i32 = 9;

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: 2 << 20,
            max_decompressed_bytes: 8 << 20,
            token_ttl_ms: 30 * 24 * 3600 * 1000,
            body_timeout: Duration::from_secs(60),
            clock_bound_ms: desmig_core::hlc::MAX_DRIFT_MS,
            throttle: ThrottleConfig::default(),
            edge: EdgeConfig::default(),
            trusted_proxies: Vec::new(),
            pull_gzip_level: DEFAULT_PULL_GZIP_LEVEL,
            pull_zstd_level: DEFAULT_PULL_ZSTD_LEVEL,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub config: Arc<HttpConfig>,
    pub metrics: Arc<Metrics>,
    pub throttle: Arc<LoginThrottle>,
    /// Password checks at once (each takes ~19 MiB and a core for a few milliseconds): one per
    /// core, so a flood of logins queues instead of exhausting memory.
    pub password_checks: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, config: HttpConfig) -> AppState {
        let throttle = Arc::new(LoginThrottle::new(config.throttle.clone()));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState {
            storage,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            throttle,
            password_checks: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }
}

/// The largest login request, once decompressed.
pub const MAX_LOGIN_BYTES: usize = 4096;

/// Headers on every answer: the server's clock (phones correct theirs by it), and nothing an
/// answer holds (tokens, NIKs) is kept by a cache or sniffed as another type.
async fn answer_headers(request: Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&now_unix_ms().to_string()) {
        h.insert(SERVER_TIME_HEADER, v);
    }
    response
}

/// Times every request and counts its outcome by route.
async fn track(State(state): State<AppState>, request: Request, next: axum::middleware::Next) -> Response {
    let route = crate::metrics::route_of(request.uri().path());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(route, response.status().as_u16(), started.elapsed());
    response
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        if let ServerError::Internal(detail) = &self {
            eprintln!("error: {detail}");
        }
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = self.body();
        let retry_after = body.error.retry_after_s;
        let mut response =
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], serde_json::to_vec(&body).unwrap_or_default())
                .into_response();
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if matches!(self, ServerError::MethodNotAllowed) {
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        }
        response
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{\"status\":\"ok\"}") }))
        .route("/v1/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/v1/auth/login", post(login))
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", get(pull))
        .route("/v1/bundles", post(deliver_bundle))
        .route("/v1/reference", get(reference))
        .route("/v1/export/{what}", get(export))
        .route("/v1/beneficiaries/{id}/export", get(export_person))
        .route("/v1/beneficiaries/{id}/erasure", post(erase_person))
        .route("/v1/beneficiaries/{id}/access-log", get(access_log))
        .merge(crate::console::router())
        .route("/metrics", get(|State(state): State<AppState>| async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()) }))
        .fallback(|| async { ServerError::NotFound("no such endpoint; see /v1/openapi.json".into()) })
        .method_not_allowed_fallback(|| async { ServerError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(answer_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServerError::Internal(format!("task failed: {e}")))?
}

fn check_protocol(headers: &HeaderMap) -> Result<()> {
    match headers.get(PROTOCOL_HEADER).map(|v| v.to_str().unwrap_or("")) {
        None => Err(ServerError::bad(
            "protocol_required",
            format!("send the `{PROTOCOL_HEADER}` header (this server speaks {PROTOCOL_VERSION})"),
        )),
        Some(v) if v.trim() == PROTOCOL_VERSION.to_string() => Ok(()),
        Some(v) => Err(ServerError::bad(
            "unsupported_protocol",
            format!("protocol version `{v}` is not supported; this server speaks {PROTOCOL_VERSION}; update the app"),
        )),
    }
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<Session> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ServerError::unauthorized("missing_token", "log in first: send `Authorization: Bearer <token>`"))?
        .to_string();
    let storage = state.storage.clone();
    blocking(move || storage.authenticate(&token, now_unix_ms())).await
}

/// Reads the whole body within the limits (`max_plain` once decompressed), gunzipping it when it
/// says it is gzip, and parses it.
async fn json_body<T: DeserializeOwned>(state: &AppState, request: Request, max_plain: usize) -> Result<T> {
    let (parts, body) = request.into_parts();
    let limit = state.config.max_body_bytes;
    let too_large = || ServerError::TooLarge(format!("the request body is larger than {limit} bytes; send smaller batches"));
    // A body announced larger than the limit is refused before a byte of it is read.
    let announced = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).map(|v| v.trim().parse::<u64>());
    match announced {
        Some(Ok(n)) if n > limit as u64 => return Err(too_large()),
        Some(Err(_)) => return Err(ServerError::bad("malformed_body", "Content-Length is not a number")),
        _ => {}
    }
    let raw = tokio::time::timeout(state.config.body_timeout, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| ServerError::Timeout("the request body did not arrive in time".into()))?
        .map_err(|e| {
            let over = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                || e.into_inner().is::<http_body_util::LengthLimitError>();
            if over {
                too_large()
            } else {
                ServerError::Timeout("the request body broke off or stalled".into())
            }
        })?;
    let encoding = parts.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    let plain: Bytes = match encoding {
        "identity" if raw.len() > max_plain => {
            return Err(ServerError::TooLarge(format!("the request body is larger than {max_plain} bytes")));
        }
        "identity" => raw,
        "gzip" => {
            let max = max_plain;
            let mut out = Vec::new();
            GzDecoder::new(&raw[..])
                .take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| ServerError::bad("malformed_body", format!("the gzip body is broken: {e}")))?;
            if out.len() > max {
                return Err(ServerError::TooLarge(format!("the request body is larger than {max} bytes uncompressed")));
            }
            out.into()
        }
        other => return Err(ServerError::bad("unsupported_encoding", format!("content encoding `{other}` is not supported; use gzip"))),
    };
    serde_json::from_slice(&plain).map_err(|e| ServerError::bad("malformed_json", format!("the body is not a valid request: {e}")))
}

/// A JSON response, compressed when the client accepts it and it is worth it.
fn json_response(headers: &HeaderMap, body: Vec<u8>) -> Response {
    json_response_at(headers, body, 1, 3)
}

/// Whether the client's `Accept-Encoding` allows `coding`; one listed with `q=0` is refused, as
/// RFC 9110 says.
fn accepted(headers: &HeaderMap, coding: &str) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts.next().is_some_and(|name| name.eq_ignore_ascii_case(coding))
            && !parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0)))
    })
}

/// A JSON response compressed with zstd at `zstd_level` when the client accepts it, else with
/// gzip at `gzip_level` when it accepts that.
fn json_response_at(headers: &HeaderMap, body: Vec<u8>, gzip_level: u32, zstd_level: i32) -> Response {
    let mut builder = Response::builder().status(StatusCode::OK).header(header::CONTENT_TYPE, "application/json");
    let failed = || ServerError::Internal("compression failed".into()).into_response();
    if body.len() > 512 {
        builder = builder.header(header::VARY, "accept-encoding");
    }
    let body = if body.len() <= 512 {
        body
    } else if accepted(headers, "zstd") {
        match zstd::bulk::compress(&body, zstd_level.clamp(1, 19)) {
            Ok(z) => {
                builder = builder.header(header::CONTENT_ENCODING, "zstd");
                z
            }
            Err(_) => return failed(),
        }
    } else if accepted(headers, "gzip") {
        let mut enc = GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(gzip_level.clamp(1, 9)));
        if enc.write_all(&body).is_err() {
            return failed();
        }
        match enc.finish() {
            Ok(z) => {
                builder = builder.header(header::CONTENT_ENCODING, "gzip");
                z
            }
            Err(_) => return failed(),
        }
    } else {
        body
    };
    builder.body(Body::from(body)).unwrap_or_else(|_| ServerError::Internal("response".into()).into_response())
}

/// Who made the request: the peer, or — when the peer is a trusted proxy — the address it
/// names last in `X-Forwarded-For` (the one it saw itself; earlier entries are the client's word).
pub fn client_address(config: &HttpConfig, peer: std::net::IpAddr, headers: &HeaderMap) -> std::net::IpAddr {
    if !config.trusted_proxies.contains(&peer) {
        return peer;
    }
    // The last entry is the one the proxy wrote; anything before it is the client's word.
    let last = headers.get_all("x-forwarded-for").iter().next_back().and_then(|v| v.to_str().ok()).and_then(|v| v.rsplit(',').next());
    last.and_then(|a| a.trim().parse().ok()).unwrap_or(peer)
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response> {
    check_protocol(&headers)?;
    let client = client_address(&state.config, peer.ip(), &headers);
    let req: LoginRequest = json_body(&state, request, MAX_LOGIN_BYTES).await?;
    if req.username.len() > crate::storage::MAX_USERNAME_BYTES {
        return Err(ServerError::bad("invalid_username", "no username is that long"));
    }
    let resp = throttled_login(&state, client, req, state.config.token_ttl_ms).await?;
    Ok(json_response(&headers, serde_json::to_vec(&resp)?))
}

/// A login as the app and the console make it: throttled per account and per address, one
/// password check per core at a time, a token for `ttl_ms`.
pub async fn throttled_login(
    state: &AppState,
    client: std::net::IpAddr,
    req: LoginRequest,
    ttl_ms: i64,
) -> Result<desmig_core::protocol::LoginResponse> {
    let keys = LoginThrottle::keys(&req.username, client);
    // Counted before the password is checked, refunded when it was right: attempts made at
    // once cannot all slip in before the first failure is counted.
    state.throttle.attempt(&keys, now_unix_ms())?;
    let _slot = state.password_checks.clone().acquire_owned().await.map_err(|e| ServerError::Internal(e.to_string()))?;
    let storage = state.storage.clone();
    let resp = blocking(move || storage.login(&req, ttl_ms, now_unix_ms())).await?;
    state.throttle.succeeded(&keys);
    Ok(resp)
}

async fn push(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Result<Response> {
    check_protocol(&headers)?;
    let session = session(&state, &headers).await?;
    let req: PushRequest = json_body(&state, request, state.config.max_decompressed_bytes).await?;
    let storage = state.storage.clone();
    let results = blocking(move || storage.push(&session, &req.ops, now_unix_ms())).await?;
    state.metrics.operations(&results);
    Ok(json_response(&headers, serde_json::to_vec(&PushResponse { results })?))
}

/// A carrier delivers a store-and-forward bundle (`crate::bundles`): the answer carries the
/// origin's receipt and inbound bundle, sealed to it.
async fn deliver_bundle(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Result<Response> {
    check_protocol(&headers)?;
    let session = session(&state, &headers).await?;
    let req: desmig_core::protocol::DeliverRequest = json_body(&state, request, state.config.max_decompressed_bytes).await?;
    use base64::Engine as _;
    let file = base64::engine::general_purpose::STANDARD
        .decode(req.bundle.as_bytes())
        .map_err(|e| ServerError::bad("bundle_malformed", format!("the bundle is not base64: {e}")))?;
    let storage = state.storage.clone();
    let answer = blocking(move || crate::bundles::deliver(&*storage, &session, &file, now_unix_ms())).await?;
    Ok(json_response(&headers, serde_json::to_vec(&answer)?))
}

/// The most changes one pull page holds.
pub const MAX_PULL_LIMIT: u32 = 5000;

#[derive(Debug, Deserialize)]
struct PullParams {
    cursor: Option<String>,
    limit: Option<u32>,
    /// The tag of the team list the phone holds: the last page brings the list only if it changed.
    team: Option<String>,
}

async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    check_protocol(&headers)?;
    let session = session(&state, &headers).await?;
    let Query(p) = params.map_err(|e| ServerError::bad("invalid_query", e.body_text()))?;
    let limit = p.limit.unwrap_or(500);
    if !(1..=MAX_PULL_LIMIT).contains(&limit) {
        return Err(ServerError::bad("invalid_limit", format!("limit is 1 to {MAX_PULL_LIMIT} changes per page")));
    }
    let storage = state.storage.clone();
    let page = blocking(move || storage.pull(&session, p.cursor.as_deref(), limit, p.team.as_deref())).await?;
    let mut response = json_response_at(&headers, page.body, state.config.pull_gzip_level, state.config.pull_zstd_level);
    if let Some(v) = page.next_cursor.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(NEXT_CURSOR_HEADER, v);
    }
    Ok(response)
}

async fn reference(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    check_protocol(&headers)?;
    let session = session(&state, &headers).await?;
    let storage = state.storage.clone();
    let resp = blocking(move || storage.reference(&session.user)).await?;
    Ok(json_response(&headers, serde_json::to_vec(&resp)?))
}

/// The console's exports for other systems: the same tables, over the user's scope, with a
/// bearer token (`?lang=en` for English headers).
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(what): Path<String>,
    Query(p): Query<ExportApiParams>,
) -> Result<Response> {
    check_protocol(&headers)?;
    let session = session(&state, &headers).await?;
    let storage = state.storage.clone();
    let lang = if p.lang.as_deref() == Some("en") { crate::console::Lang::En } else { crate::console::Lang::Id };
    let file =
        blocking(move || crate::console::pages::export_file(storage.as_ref(), &session.user, &what, p.month.as_deref(), lang)).await?;
    Ok(file.into_response())
}

#[derive(Debug, Deserialize)]
struct ExportApiParams {
    month: Option<String>,
    lang: Option<String>,
}

// ---- A person's data requests (UU 27/2022): export, erasure, access log. Answered to the
// person's district supervisor or an administrator; see docs/privacy.md.

#[derive(Debug, Deserialize)]
struct ExportParams {
    format: Option<String>,
}

fn person_id(id: &str) -> Result<String> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ServerError::bad("invalid_id", "a beneficiary id is 1-64 letters, digits, - or _"));
    }
    Ok(id.to_string())
}

async fn export_person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: std::result::Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let session = session(&state, &headers).await?;
    let id = person_id(&id)?;
    let Query(p) = params.map_err(|e| ServerError::bad("invalid_query", e.body_text()))?;
    let html = match p.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => return Err(ServerError::bad("invalid_format", format!("format `{other}`: use json or html"))),
    };
    let storage = state.storage.clone();
    let export = blocking(move || storage.export_person(&session, &id, now_unix_ms())).await?;
    if html {
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'")
            .body(Body::from(crate::privacy::export_html(&export)))
            .map_err(|e| ServerError::Internal(e.to_string()));
    }
    Ok(json_response(&headers, serde_json::to_vec(&export)?))
}

#[derive(Debug, Deserialize)]
struct ErasureRequest {
    reason: String,
}

async fn erase_person(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, request: Request) -> Result<Response> {
    let session = session(&state, &headers).await?;
    let id = person_id(&id)?;
    let req: ErasureRequest = json_body(&state, request, 4096).await?;
    let storage = state.storage.clone();
    let erasure = blocking(move || storage.erase_person(&session, &id, &req.reason, now_unix_ms())).await?;
    Ok(json_response(&headers, serde_json::to_vec(&erasure)?))
}

async fn access_log(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response> {
    let session = session(&state, &headers).await?;
    let id = person_id(&id)?;
    let storage = state.storage.clone();
    let entries = blocking(move || storage.person_access_log(&session, &id)).await?;
    Ok(json_response(&headers, serde_json::to_vec(&serde_json::json!({ "entries": entries }))?))
}
