//! The district console: server-rendered pages for supervisors and administrators (and, read
//! only, facilitators), on the same accounts, roles and scopes as the sync API. Bahasa Indonesia
//! first, English by choice; no JavaScript; usable on a 360-px screen.
//!
//! - Sign-in issues an ordinary device token (device `console-…`, 12 hours), kept in an
//!   HttpOnly, SameSite=Strict cookie (Secure behind TLS). Everything that ends a phone's session
//!   ends it too: a new password, a disabled account, `device revoke`. Login throttling is the
//!   API's.
//! - Every form carries a CSRF token (the sign-in form a random one tied to a cookie; the others
//!   one derived from the session); a post without the right one is refused (403).
//! - Writes are operations through the same planner and merge as a phone's push: the console is
//!   one more device of the signed-in user.

mod admin;
mod i18n;
pub mod import;
pub mod pages;
pub mod report;

use crate::error::{Result, ServerError};
use crate::http::{AppState, MAX_LOGIN_BYTES};
use crate::storage::Session;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use desmig_core::date::now_unix_ms;
use desmig_core::protocol::LoginRequest;
use desmig_core::scope::Role;
pub use i18n::Lang;
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use sha2::Digest;
use std::net::SocketAddr;

const SESSION_COOKIE: &str = "desmig_console";
const LOGIN_CSRF_COOKIE: &str = "desmig_login_csrf";
const LANG_COOKIE: &str = "desmig_lang";
/// A console session lasts a working day.
const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
const CSS: &str = include_str!("console.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console") }))
        .route("/console/console.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/lang/{lang}", get(set_lang))
        .merge(pages::router())
        .merge(admin::router())
        .merge(import::router())
}

/// A signed-in console user on this request.
pub struct Console {
    pub session: Session,
    pub lang: Lang,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
}

impl Console {
    pub fn role(&self) -> Role {
        self.session.user.role
    }

    /// Refuses a form post whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<()> {
        if sent.is_empty() || sent != self.csrf {
            return Err(ServerError::forbidden("csrf", "this form is not from this session; open the page again"));
        }
        Ok(())
    }

    pub fn require_admin(&self) -> Result<()> {
        if self.role() != Role::Admin {
            return Err(ServerError::forbidden("not_admin", "only an administrator may open this page"));
        }
        Ok(())
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Id,
    }
}

fn csrf_of(token: &str) -> String {
    let digest = sha2::Sha256::digest(format!("desmig-console-csrf:{token}"));
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Whether the browser reached us over HTTPS (directly, or through a trusted proxy that says so).
fn over_https(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> bool {
    state.config.edge.tls.is_some()
        || (state.config.trusted_proxies.contains(&peer.ip())
            && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
}

fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The signed-in user of a request, or why not: no cookie or an ended session sends the
/// browser to the sign-in page; a worker is refused.
pub async fn console(state: &AppState, headers: &HeaderMap) -> std::result::Result<Console, Response> {
    let lang = lang_of(headers);
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()).map(str::to_string) else {
        return Err(Redirect::to("/console/login").into_response());
    };
    let storage = state.storage.clone();
    let t = token.clone();
    let session = match tokio::task::spawn_blocking(move || storage.authenticate(&t, now_unix_ms())).await {
        Ok(Ok(s)) => s,
        Ok(Err(ServerError::Unauthorized { .. })) => return Err(Redirect::to("/console/login").into_response()),
        Ok(Err(e)) => return Err(error_page(lang, e)),
        Err(e) => return Err(error_page(lang, ServerError::Internal(e.to_string()))),
    };
    if session.user.role == Role::Worker {
        return Err(error_page(lang, ServerError::forbidden("not_staff", "the console is for programme staff")));
    }
    Ok(Console { csrf: csrf_of(&token), session, lang })
}

/// Runs storage work off the async threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServerError::Internal(format!("task failed: {e}")))?
}

/// A page: the layout around `body`, with the navigation the user's role has.
pub fn page(c: Option<&Console>, lang: Lang, title: &str, body: Markup) -> Response {
    let t = |k: &'static str| i18n::t(lang, k);
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · desmig" }
                link rel="stylesheet" href="/console/console.css";
            }
            body {
                header {
                    a.brand href="/console" { "desmig" }
                    @if let Some(c) = c {
                        nav {
                            a href="/console" { (t("nav_dashboard")) }
                            a href="/console/beneficiaries" { (t("nav_beneficiaries")) }
                            a href="/console/visits" { (t("nav_visits")) }
                            a href="/console/conflicts" { (t("nav_conflicts")) }
                            @if matches!(c.role(), Role::Supervisor | Role::Admin) {
                                a href="/console/import" { (t("nav_import")) }
                            }
                            @if c.role() == Role::Admin {
                                a href="/console/admin/users" { (t("nav_users")) }
                            }
                        }
                        form.logout method="post" action="/console/logout" {
                            input type="hidden" name="csrf" value=(c.csrf);
                            span.who { (c.session.user.display_name) }
                            button type="submit" { (t("sign_out")) }
                        }
                    }
                    span.lang {
                        a href="/console/lang/id" lang="id" { "ID" } " · " a href="/console/lang/en" lang="en" { "EN" }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    };
    html_response(StatusCode::OK, markup)
}

pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response();
    // No script runs on these pages, none is loaded, and no other site may frame them.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    r.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    r
}

/// An error as a page, with the server's status code and the stable code.
pub fn error_page(lang: Lang, e: ServerError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let ServerError::Internal(detail) = &e {
        eprintln!("error: {detail}");
    }
    let body = e.body();
    let markup = html! {
        p.error { (i18n::t(lang, "error_intro")) " " code { (body.error.code) } }
        p { (body.error.message) }
        @for f in &body.error.fields { p { code { (f.field) } ": " (f.message) } }
        p { a href="/console" { (i18n::t(lang, "back_to_console")) } }
    };
    let mut r = page(None, lang, i18n::t(lang, "error_title"), markup);
    *r.status_mut() = status;
    r
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login_page(State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    login_form(&state, peer, &headers, None)
}

fn login_form(state: &AppState, peer: SocketAddr, headers: &HeaderMap, problem: Option<&str>) -> Response {
    let lang = lang_of(headers);
    let t = |k: &'static str| i18n::t(lang, k);
    let token = match crate::auth::new_token() {
        Ok((token, _)) => csrf_of(&token),
        Err(e) => return error_page(lang, e),
    };
    let markup = html! {
        form.card method="post" action="/console/login" {
            input type="hidden" name="csrf" value=(token);
            @if let Some(p) = problem { p.error role="alert" { (p) } }
            label { (t("username")) input name="username" autocomplete="username" required autofocus; }
            label { (t("password")) input name="password" type="password" autocomplete="current-password" required; }
            button type="submit" { (t("sign_in")) }
        }
        p.hint { (t("first_admin_hint")) }
    };
    let mut r = page(None, lang, t("sign_in_title"), markup);
    r.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &token, 1800, over_https(state, peer, headers)));
    r
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let lang = lang_of(&headers);
    if body.len() > MAX_LOGIN_BYTES {
        return error_page(lang, ServerError::TooLarge("the sign-in form is too large".into()));
    }
    let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(&body) else {
        return error_page(lang, ServerError::bad("malformed_body", "not a sign-in form"));
    };
    // The sign-in form's own token must match its cookie: another site cannot sign a browser in.
    if form.csrf.is_empty() || cookie(&headers, LOGIN_CSRF_COOKIE) != Some(form.csrf.as_str()) {
        return error_page(lang, ServerError::forbidden("csrf", "this form is not from this browser; open the sign-in page again"));
    }
    if form.username.len() > crate::storage::MAX_USERNAME_BYTES {
        return login_form(&state, peer, &headers, Some(i18n::t(lang, "wrong_credentials")));
    }
    let client = crate::http::client_address(&state.config, peer.ip(), &headers);
    let device_id = match crate::auth::new_token() {
        Ok((t, _)) => format!("console-{}", &csrf_of(&t)[..20]),
        Err(e) => return error_page(lang, e),
    };
    let req = LoginRequest { username: form.username.clone(), password: form.password.clone(), device_id, device_keys: None };
    match crate::http::throttled_login(&state, client, req, SESSION_TTL_MS).await {
        Ok(resp) if resp.identity.role == Role::Worker => {
            // A worker's password was right, but the console is not theirs: the token just made
            // is revoked at once.
            let storage = state.storage.clone();
            let token = resp.token.clone();
            let _ = blocking(move || {
                let s = storage.authenticate(&token, now_unix_ms())?;
                storage.revoke_device(&s.device_id, now_unix_ms())
            })
            .await;
            error_page(lang, ServerError::forbidden("not_staff", "the console is for programme staff; workers see their status in the app"))
        }
        Ok(resp) => {
            let mut r = Redirect::to("/console").into_response();
            let secure = over_https(&state, peer, &headers);
            r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &resp.token, SESSION_TTL_MS / 1000, secure));
            r.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure));
            r
        }
        Err(ServerError::Unauthorized { code: "invalid_credentials", .. }) => {
            login_form(&state, peer, &headers, Some(i18n::t(lang, "wrong_credentials")))
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Signs out: the session's token is revoked on the server, not only forgotten by the browser.
async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let c = match console(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(c.lang, e);
    }
    let storage = state.storage.clone();
    let device = c.session.device_id.clone();
    if let Err(e) = blocking(move || storage.revoke_device(&device, now_unix_ms())).await {
        return error_page(c.lang, e);
    }
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, over_https(&state, peer, &headers)));
    r
}

async fn set_lang(axum::extract::Path(lang): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "en" { "en" } else { "id" };
    // Back to the page the link was on (same site only), else the dashboard.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("/console").map(|i| r[i..].to_string()))
        .filter(|p| !p.starts_with("/console/lang"))
        .unwrap_or_else(|| "/console".into());
    let mut r = Redirect::to(&back).into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang, 365 * 24 * 3600, false));
    r
}
