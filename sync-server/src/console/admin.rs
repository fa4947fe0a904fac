//! Administration in the console (administrators only): accounts (create, assign villages or
//! districts, reset a password, disable and enable, a worker linked to their file by name or
//! NIK, a work phone), devices (revoke a lost one) and checklist templates (publish, with the
//! validation errors shown). The same storage calls as the command line.

use super::i18n::t;
use super::{blocking, console, error_page, page, Console};
use crate::error::{Result, ServerError};
use crate::http::AppState;
use crate::storage::{FeedScope, NewUser};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use desmig_core::date::now_unix_ms;
use desmig_core::model::{Beneficiary, EntityKind};
use desmig_core::scope::Role;
use maud::html;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/users", get(users).post(create_user))
        .route("/console/admin/users/{username}/{action}", post(user_action))
        .route("/console/admin/devices/revoke", post(revoke_device))
        .route("/console/admin/templates", post(publish_template))
        .route("/console/admin/regions", post(load_regions).layer(axum::extract::DefaultBodyLimit::max(8 << 20)))
        .route("/console/admin/bundles", post(deliver_bundle).layer(axum::extract::DefaultBodyLimit::max(2 << 20)))
}

async fn admin(state: &AppState, headers: &HeaderMap) -> std::result::Result<Console, Response> {
    let c = console(state, headers).await?;
    c.require_admin().map_err(|e| error_page(c.lang, e))?;
    Ok(c)
}

macro_rules! admin_only {
    ($state:expr, $headers:expr) => {
        match admin(&$state, &$headers).await {
            Ok(c) => c,
            Err(r) => return r,
        }
    };
}

fn codes(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

async fn users(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let c = admin_only!(state, headers);
    users_page(&state, &c, None).await
}

async fn users_page(state: &AppState, c: &Console, notice: Option<(bool, String)>) -> Response {
    let lang = c.lang;
    let storage = state.storage.clone();
    let (list, devices, regions) = match blocking(move || {
        let regions = storage.reference_cache().ctx().regions.len();
        Ok((storage.read_users()?, storage.read_devices()?, regions))
    })
    .await
    {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let roles = [Role::Facilitator, Role::Supervisor, Role::Worker, Role::Admin];
    let role_name = |r: Role| {
        t(lang, &format!("role_{}", serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()))
            .to_string()
    };
    let body = html! {
        @if let Some((ok, text)) = &notice { p class=(if *ok { "ok" } else { "error" }) role="status" { (text) } }
        h2 { (t(lang, "new_user")) }
        form.card #new-user method="post" action="/console/admin/users" {
            input type="hidden" name="csrf" value=(c.csrf);
            label { (t(lang, "username")) input name="username" required; }
            label { (t(lang, "display_name")) input name="name" required; }
            label { (t(lang, "role")) select name="role" { @for r in roles { option value=(serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()) { (role_name(r)) } } } }
            label { (t(lang, "password")) input name="password" type="password" autocomplete="new-password" required; }
            label { (t(lang, "villages_codes")) input name="villages" placeholder="32.12.01.2007"; }
            label { (t(lang, "districts_codes")) input name="districts" placeholder="32.12"; }
            label { (t(lang, "worker_file")) input name="beneficiary" placeholder="Siti Aminah / 3212…"; }
            label { (t(lang, "phone")) input name="phone" type="tel"; }
            button type="submit" { (t(lang, "create")) }
        }
        h2 { (t(lang, "users")) }
        div.table { table #users {
            tr { th { (t(lang, "username")) } th { (t(lang, "display_name")) } th { (t(lang, "role")) } th { (t(lang, "scope")) } th { (t(lang, "phone")) } th { (t(lang, "state")) } th {} }
            @for u in &list {
                tr data-user=(u.user.username) {
                    td { (u.user.username) } td { (u.user.display_name) } td { (role_name(u.user.role)) }
                    td { (u.user.villages.join(", ")) (u.user.districts.join(", ")) @if let Some(b) = &u.user.beneficiary_id { code { (b) } } }
                    td { (u.phone.clone().unwrap_or_default()) }
                    td { @if u.disabled { span.error { (t(lang, "disabled")) } } @else { (t(lang, "active")) } }
                    td {
                        form.inline method="post" action={ "/console/admin/users/" (u.user.username) "/" (if u.disabled { "enable" } else { "disable" }) } {
                            input type="hidden" name="csrf" value=(c.csrf);
                            button.secondary type="submit" { (if u.disabled { t(lang, "enable") } else { t(lang, "disable") }) }
                        }
                        details {
                            summary { (t(lang, "change")) }
                            form method="post" action={ "/console/admin/users/" (u.user.username) "/password" } {
                                input type="hidden" name="csrf" value=(c.csrf);
                                label { (t(lang, "new_password")) input name="value" type="password" autocomplete="new-password"; }
                                button.secondary type="submit" { (t(lang, "reset_password")) }
                            }
                            @if matches!(u.user.role, Role::Facilitator | Role::Supervisor) {
                                form method="post" action={ "/console/admin/users/" (u.user.username) "/assign" } {
                                    input type="hidden" name="csrf" value=(c.csrf);
                                    label { (if u.user.role == Role::Facilitator { t(lang, "villages_codes") } else { t(lang, "districts_codes") })
                                        input name="value" value=(if u.user.role == Role::Facilitator { u.user.villages.join(" ") } else { u.user.districts.join(" ") }); }
                                    button.secondary type="submit" { (t(lang, "assign")) }
                                }
                            }
                            form method="post" action={ "/console/admin/users/" (u.user.username) "/phone" } {
                                input type="hidden" name="csrf" value=(c.csrf);
                                label { (t(lang, "phone")) input name="value" type="tel" value=(u.phone.clone().unwrap_or_default()); }
                                button.secondary type="submit" { (t(lang, "save")) }
                            }
                        }
                    }
                }
            }
        } }
        h2 { (t(lang, "devices")) }
        div.table { table #devices {
            tr { th { (t(lang, "device_id")) } th { (t(lang, "username")) } th { (t(lang, "last_login")) } th { (t(lang, "state")) } }
            @for d in &devices {
                tr {
                    td { code { (d.device_id) } } td { (d.username) }
                    td { (desmig_core::date::Date::from_unix_ms(d.last_login).to_string()) }
                    td { @if d.revoked { span.error { (t(lang, "revoked")) } } @else { (t(lang, "active")) } }
                }
            }
        } }
        form.card method="post" action="/console/admin/devices/revoke" {
            input type="hidden" name="csrf" value=(c.csrf);
            p.hint { (t(lang, "revoke_hint")) }
            label { (t(lang, "device_id")) input name="value" required; }
            button type="submit" { (t(lang, "revoke")) }
        }
        h2 { (t(lang, "regions")) }
        form.card method="post" action="/console/admin/regions" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(c.csrf);
            p.hint { (regions) " " (t(lang, "regions_loaded")) }
            label { (t(lang, "regions_file")) input type="file" name="file" accept=".csv" required; }
            button type="submit" { (t(lang, "load")) }
        }
        h2 { (t(lang, "bundles")) }
        form.card method="post" action="/console/admin/bundles" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(c.csrf);
            p.hint { (t(lang, "bundle_hint")) }
            label { (t(lang, "bundle_file")) input type="file" name="file" accept=".desmig" required; }
            button type="submit" { (t(lang, "deliver")) }
        }
        h2 { (t(lang, "templates")) }
        form.card method="post" action="/console/admin/templates" {
            input type="hidden" name="csrf" value=(c.csrf);
            label { (t(lang, "template_json")) textarea name="value" rows="6" {} }
            button type="submit" { (t(lang, "publish")) }
        }
    };
    page(Some(c), lang, t(lang, "administration"), body)
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    villages: String,
    #[serde(default)]
    districts: String,
    #[serde(default)]
    beneficiary: String,
    #[serde(default)]
    phone: String,
}

/// A worker's file, found by NIK (16 digits) or by a name only one file has.
fn find_file(storage: &dyn crate::storage::Storage, query: &str) -> Result<Option<String>> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(None);
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let files: Vec<Beneficiary> =
        storage.read_records(&FeedScope::All, &[EntityKind::Beneficiary])?.iter().filter_map(|r| r.entity::<Beneficiary>().ok()).collect();
    let lower = query.to_lowercase();
    let found: Vec<&Beneficiary> = if digits.len() == 16 && digits.len() == query.len() {
        files.iter().filter(|b| b.nik.as_deref() == Some(digits.as_str())).collect()
    } else {
        files.iter().filter(|b| b.full_name.to_lowercase().contains(&lower)).collect()
    };
    match found.as_slice() {
        [one] => Ok(Some(one.id.clone())),
        [] => Err(ServerError::bad("unknown_beneficiary", format!("no beneficiary matches `{query}`"))),
        many => Err(ServerError::bad(
            "ambiguous_beneficiary",
            format!(
                "{} beneficiaries match `{query}` ({}): enter the NIK",
                many.len(),
                many.iter().take(5).map(|b| format!("{} in {}", b.full_name, b.village_code)).collect::<Vec<_>>().join("; ")
            ),
        )),
    }
}

async fn create_user(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<NewUserForm>) -> Response {
    let c = admin_only!(state, headers);
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(c.lang, e);
    }
    let storage = state.storage.clone();
    let done = blocking(move || {
        let role: Role = serde_json::from_value(serde_json::Value::String(form.role.clone()))
            .map_err(|_| ServerError::bad("invalid_role", format!("unknown role `{}`", form.role)))?;
        let beneficiary_id = if role == Role::Worker { find_file(storage.as_ref(), &form.beneficiary)? } else { None };
        let user = NewUser {
            username: form.username,
            password: form.password,
            display_name: form.name,
            role,
            villages: codes(&form.villages),
            districts: codes(&form.districts),
            beneficiary_id,
            phone: Some(form.phone).filter(|p| !p.trim().is_empty()),
        };
        storage.add_user(&user, now_unix_ms())
    })
    .await;
    let notice = match done {
        Ok(u) => (true, format!("{} {}", t(c.lang, "created"), u.username)),
        Err(e) => (false, problem(e)),
    };
    users_page(&state, &c, Some(notice)).await
}

/// An error in words for the notice line: the message and each field's problem.
fn problem(e: ServerError) -> String {
    let body = e.body();
    let mut text = format!("{} ({})", body.error.message, body.error.code);
    for f in body.error.fields {
        text.push_str(&format!("; {}: {}", f.field, f.message));
    }
    text
}

#[derive(Deserialize)]
struct ValueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
}

async fn user_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((username, action)): Path<(String, String)>,
    Form(form): Form<ValueForm>,
) -> Response {
    let c = admin_only!(state, headers);
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(c.lang, e);
    }
    let storage = state.storage.clone();
    let name = username.clone();
    let done = blocking(move || match action.as_str() {
        "password" => storage.set_password(&name, &form.value),
        "disable" => storage.set_disabled(&name, true),
        "enable" => storage.set_disabled(&name, false),
        "phone" => storage.set_phone(&name, &form.value),
        "assign" => {
            let (user, _, _) =
                storage.find_user(&name.trim().to_lowercase())?.ok_or_else(|| ServerError::NotFound(format!("user {name} not found")))?;
            let list = codes(&form.value);
            match user.role {
                Role::Facilitator => storage.assign(&name, &list, &[]).map(drop),
                Role::Supervisor => storage.assign(&name, &[], &list).map(drop),
                _ => Err(ServerError::bad("invalid_role", "only facilitators and supervisors have villages or districts")),
            }
        }
        other => Err(ServerError::NotFound(format!("no action {other}"))),
    })
    .await;
    let notice = match done {
        Ok(()) => (true, format!("{} {username}", t(c.lang, "saved"))),
        Err(e) => (false, problem(e)),
    };
    users_page(&state, &c, Some(notice)).await
}

async fn revoke_device(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<ValueForm>) -> Response {
    let c = admin_only!(state, headers);
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(c.lang, e);
    }
    let storage = state.storage.clone();
    let device = form.value.trim().to_string();
    let done = blocking(move || storage.revoke_device(&device, now_unix_ms())).await;
    let notice = match done {
        Ok(n) => (true, format!("{} ({n})", t(c.lang, "revoked"))),
        Err(e) => (false, problem(e)),
    };
    users_page(&state, &c, Some(notice)).await
}

async fn publish_template(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<ValueForm>) -> Response {
    let c = admin_only!(state, headers);
    if let Err(e) = c.check_csrf(&form.csrf) {
        return error_page(c.lang, e);
    }
    let storage = state.storage.clone();
    let done = blocking(move || storage.publish_template(&form.value)).await;
    let notice = match done {
        Ok(tpl) => (true, format!("{} {} v{}", t(c.lang, "published"), tpl.id, tpl.version)),
        Err(e) => (false, problem(e)),
    };
    users_page(&state, &c, Some(notice)).await
}

/// The file of an uploaded form (`file`), once its CSRF token (`csrf`) is checked.
async fn uploaded(c: &Console, mut multipart: axum::extract::Multipart) -> std::result::Result<Vec<u8>, Response> {
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let Ok(bytes) = field.bytes().await else { break };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).to_string(),
            "file" => file = bytes.to_vec(),
            _ => {}
        }
    }
    c.check_csrf(&csrf).map_err(|e| error_page(c.lang, e))?;
    Ok(file)
}

/// A new region list (`code,name` CSV, parents first), uploaded: every line's problem listed,
/// nothing replaced unless the whole file is right.
async fn load_regions(State(state): State<AppState>, headers: HeaderMap, multipart: axum::extract::Multipart) -> Response {
    let c = admin_only!(state, headers);
    let file = match uploaded(&c, multipart).await {
        Ok(file) => file,
        Err(page) => return page,
    };
    let storage = state.storage.clone();
    let done = blocking(move || {
        let csv = String::from_utf8(file).map_err(|_| ServerError::bad("unreadable_file", "the region list must be UTF-8 text"))?;
        storage.load_regions(&csv)
    })
    .await;
    let notice = match done {
        Ok(n) => (true, format!("{n} {}", t(c.lang, "regions_loaded"))),
        Err(e) => (false, problem(e)),
    };
    users_page(&state, &c, Some(notice)).await
}

/// A store-and-forward bundle someone brought to the office (a USB stick, a laptop), uploaded:
/// delivered as a carrier's sync would (`crate::bundles::deliver`, every check and rule), and
/// its receipt and news offered as files to take back to the phone.
async fn deliver_bundle(State(state): State<AppState>, headers: HeaderMap, multipart: axum::extract::Multipart) -> Response {
    let c = admin_only!(state, headers);
    let file = match uploaded(&c, multipart).await {
        Ok(file) => file,
        Err(page) => return page,
    };
    let storage = state.storage.clone();
    let session = c.session.clone();
    let answer = match blocking(move || crate::bundles::deliver(&*storage, &session, &file, now_unix_ms())).await {
        Ok(a) => a,
        Err(e) => return users_page(&state, &c, Some((false, problem(e)))).await,
    };
    let lang = c.lang;
    // The bundle id comes from the phone: only id characters go into a file name.
    let safe = |id: &str| id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(64).collect::<String>();
    let link = |b64: &str, name: &str, label: &str| {
        html! { p { a.button download=(name) href=(format!("data:application/octet-stream;base64,{b64}")) { (label) } } }
    };
    let body = html! {
        p.notice.ok #delivered {
            (t(lang, "bundle_delivered")) " " code { (answer.origin) } ": "
            (answer.applied) " " (t(lang, "applied")) ", " (answer.duplicates) " " (t(lang, "duplicates")) ", "
            (answer.rejected) " " (t(lang, "rejected"))
        }
        p.hint { (t(lang, "bundle_answers_hint")) }
        (link(&answer.receipt, &format!("desmig-receipt-{}.desmig", safe(&answer.bundle_id)), t(lang, "download_receipt")))
        @if let Some(inbound) = &answer.inbound {
            (link(inbound, &format!("desmig-news-{}.desmig", safe(&answer.bundle_id)), t(lang, "download_inbound")))
        }
        p { a href="/console/admin/users" { (t(lang, "administration")) } }
    };
    page(Some(&c), lang, t(lang, "bundles"), body)
}
