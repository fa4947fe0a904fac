//! The sync client. One call pushes the outbox in small batches and then pulls the change feed
//! until nothing is left, retrying through bad networks, reporting progress, and recording the
//! outcome so the app can say why a phone has not synced.
//!
//! Safety: an operation leaves the outbox only in the transaction that records the server's
//! acknowledgement, and a pulled page is applied together with its cursor in one transaction, so
//! a connection cut at any moment loses nothing and the next sync resumes where this one stopped.

use crate::checklist::Template;
use crate::date::now_unix_ms;
use crate::error::{with_causes, Error, Result};
use crate::merge::FieldChange;
use crate::model::EntityKind;
use crate::outbox;
use crate::protocol::*;
use crate::records::{self, load_versioned, village_of, Incoming};
use crate::region::RegionCatalog;
use crate::store::{meta_set, FieldStore};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// How to reach the server, and how hard to try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    /// Base URL, e.g. `https://sync.desmigratif.example` or `http://127.0.0.1:8080`.
    pub server_url: String,
    /// The device token from [`FieldStore::login`].
    pub token: String,
    /// A push batch holds at most this many operations…
    pub push_batch_ops: usize,
    /// …and at most this many bytes of JSON before compression (small enough for 2G).
    pub push_batch_bytes: usize,
    /// Changes asked for in the first pull page, and the least asked for in any page.
    pub pull_page: u32,
    /// The most asked for in a page. Pages grow from `pull_page` towards this while they come
    /// faster than [`PULL_PAGE_SECS`] each: bigger pages on fast links (less work per record),
    /// and few enough round trips on slow ones that the link's delay costs little. 2,500: a
    /// first sync of a district took as long as with 5,000 (3.06–3.24 s against 2.83–3.24 s,
    /// interleaved) with half the memory (+33 MB against +63 MB).
    pub pull_page_max: u32,
    /// Attempts per request on network errors and server errors (5xx, 429).
    pub max_attempts: u32,
    /// First backoff; it doubles per attempt, with jitter, up to `retry_max_ms`.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// Per-request timeout.
    pub timeout_ms: u64,
    /// Keep connections open between requests (off in fault-injection tests).
    pub reuse_connections: bool,
}

impl SyncSettings {
    pub fn new(server_url: &str, token: &str) -> SyncSettings {
        SyncSettings {
            server_url: server_url.trim_end_matches('/').to_string(),
            token: token.to_string(),
            push_batch_ops: 200,
            push_batch_bytes: 128 * 1024,
            pull_page: 500,
            pull_page_max: 2500,
            max_attempts: 6,
            retry_base_ms: 500,
            retry_max_ms: 30_000,
            timeout_ms: 60_000,
            reuse_connections: true,
        }
    }
}

/// How long a pull page should take to arrive: pages are sized from the records per second the
/// last one came at. Long enough that a round trip on a slow link (150 ms) is 5% of a page; short
/// enough that a page cut off on a bad link loses little.
pub const PULL_PAGE_SECS: f64 = 3.0;

/// The size of the next pull page, from the last: `asked` changes asked for, `got` received in
/// `secs`. Only a full page says how fast the link is; growth is at most 4x a page.
pub fn next_pull_page(settings: &SyncSettings, asked: u32, got: usize, secs: f64) -> u32 {
    let least = settings.pull_page.max(1);
    let most = settings.pull_page_max.max(least);
    if (got as u64) < asked as u64 {
        return asked.clamp(least, most);
    }
    let fits = (got as f64 / secs.max(0.001) * PULL_PAGE_SECS) as u64;
    fits.min(asked as u64 * 4).clamp(least as u64, most as u64) as u32
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Pushing,
    Pulling,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Operations pushed or changes pulled so far in this phase.
    pub done: u64,
    /// Operations to push (0 while pulling: the feed's length is not known ahead).
    pub total: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// How long a pull page took: seconds until its headers arrived, then until its body had.
struct Timing {
    headers: f64,
    body: f64,
}

/// A pull page on its way: the download, where it hears the next page's cursor from the
/// headers, and how many changes it asked for.
struct Pending<'scope> {
    fetch: std::thread::ScopedJoinHandle<'scope, Result<(ReadyPage, Timing)>>,
    ahead: mpsc::Receiver<String>,
    limit: u32,
}

/// A pulled page with each record in it made ready to store (`rows[i]` for `page.changes[i]`):
/// checked to read as its kind, its row's document made and its last clock read. This happens on
/// the thread that downloads the page, so the store's transaction only writes.
pub(crate) struct ReadyPage {
    pub(crate) page: PullPage,
    rows: Vec<Option<ReadyRow>>,
}

struct ReadyRow {
    row: records::PulledRow,
    last: crate::hlc::Hlc,
}

impl ReadyPage {
    pub(crate) fn new(page: PullPage) -> ReadyPage {
        let rows = page
            .changes
            .iter()
            .map(|c| {
                let kind = EntityKind::parse(c.entity.as_deref()?)?;
                // Not ready (it does not read): the store's transaction says why.
                (c.kind == "record").then(|| Self::prepare(kind, c.id.as_deref()?, c.state.as_ref()?).ok()).flatten()
            })
            .collect();
        ReadyPage { page, rows }
    }

    fn prepare(kind: EntityKind, id: &str, state: &RawState) -> Result<ReadyRow> {
        let row = records::prepare_pulled(kind, id, state.fields.get())?;
        let last = if state.clocks_json() == "{}" { state.created.clone() } else { state.parse()?.last_changed().clone() };
        Ok(ReadyRow { row, last })
    }
}

/// Receives progress while a sync runs (on the syncing thread).
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: &SyncProgress);
}

/// Cancels a running sync from another thread; it stops at the next batch or page boundary.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst)
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The outcome of one sync, stored for the app's sync screen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncReport {
    pub started_at: i64,
    pub finished_at: i64,
    /// Operations the server applied now.
    pub pushed: u64,
    /// Operations it already had (a retry after a lost reply).
    pub duplicates: u64,
    /// Operations it refused; they stay on the phone with their reason.
    pub rejected: u64,
    pub pulled: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub round_trips: u64,
    /// Operations still waiting when the sync finished: changes made while it ran (everything
    /// pending when it started was sent).
    #[serde(default)]
    pub more_pending: u64,
    /// Why the sync stopped early, in words; `None` when it finished.
    pub error: Option<String>,
    /// The same as a stable code for the app's message: `network`, `login_required`,
    /// `cancelled`, `storage`, or the server's error code.
    pub error_code: Option<String>,
}

pub(crate) struct Http<'a> {
    client: reqwest::blocking::Client,
    /// Learns the server's time from every answer.
    store: &'a FieldStore,
    settings: &'a SyncSettings,
    pub(crate) cancel: &'a CancelToken,
    sent: AtomicU64,
    received: AtomicU64,
    round_trips: AtomicU64,
    seed: AtomicU64,
}

fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), flate2::Compression::default());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

impl<'a> Http<'a> {
    fn new(store: &'a FieldStore, settings: &'a SyncSettings, cancel: &'a CancelToken) -> Result<Http<'a>> {
        check_server_url(&settings.server_url)?;
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .connect_timeout(Duration::from_secs(15))
            .https_only(!settings.server_url.starts_with("http://"));
        if let Some(pem) = store.trusted_certificate()? {
            for cert in parse_certificates(&pem)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        if !settings.reuse_connections {
            builder = builder.pool_max_idle_per_host(0);
        }
        let client = builder.build().map_err(|e| Error::Network(format!("cannot set up HTTP: {e}")))?;
        let seed = now_unix_ms() as u64 ^ 0x9e37_79b9_7f4a_7c15;
        Ok(Http {
            client,
            store,
            settings,
            cancel,
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            round_trips: AtomicU64::new(0),
            seed: AtomicU64::new(seed | 1),
        })
    }

    fn jitter(&self) -> f64 {
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        0.5 + (x % 1000) as f64 / 1000.0
    }

    /// One request with retries on network errors, 5xx and 429; gzip both ways; typed errors.
    pub(crate) fn call(&self, method: reqwest::Method, path: &str, body: Option<&[u8]>, auth: bool) -> Result<Vec<u8>> {
        self.call_seeing(method, path, body, auth, &mut |_| {})
    }

    /// As [`Http::call`]; `on_headers` sees the headers of each successful answer as soon as they
    /// arrive, before its body (once per attempt that got that far).
    pub(crate) fn call_seeing(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&[u8]>,
        auth: bool,
        on_headers: &mut dyn FnMut(&reqwest::header::HeaderMap),
    ) -> Result<Vec<u8>> {
        let url = format!("{}{}", self.settings.server_url, path);
        let compressed = body.map(gzip).transpose()?;
        let mut attempt = 0;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            attempt += 1;
            let outcome = self.once(&method, &url, compressed.as_deref(), auth, on_headers);
            match outcome {
                Ok(bytes) => return Ok(bytes),
                Err(Retry::Yes(_)) if attempt < self.settings.max_attempts => {
                    let backoff = (self.settings.retry_base_ms.saturating_mul(1 << (attempt - 1).min(20))).min(self.settings.retry_max_ms);
                    let wait = Duration::from_millis((backoff as f64 * self.jitter()) as u64);
                    // Sleep in small steps so that a cancel is honoured quickly.
                    let until = std::time::Instant::now() + wait;
                    while std::time::Instant::now() < until {
                        if self.cancel.is_cancelled() {
                            return Err(Error::Cancelled);
                        }
                        std::thread::sleep(Duration::from_millis(20).min(wait));
                    }
                }
                Err(Retry::Yes(msg)) => return Err(Error::Network(msg)),
                Err(Retry::No(e)) => return Err(e),
            }
        }
    }

    fn once(
        &self,
        method: &reqwest::Method,
        url: &str,
        body: Option<&[u8]>,
        auth: bool,
        on_headers: &mut dyn FnMut(&reqwest::header::HeaderMap),
    ) -> Result<Vec<u8>, Retry> {
        let mut req = self
            .client
            .request(method.clone(), url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(reqwest::header::ACCEPT_ENCODING, "zstd, gzip");
        if auth {
            req = req.bearer_auth(&self.settings.token);
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::CONTENT_ENCODING, "gzip")
                .body(b.to_vec());
            self.sent.fetch_add(b.len() as u64, Ordering::Relaxed);
        }
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let sent_at = self.store.device_clock_ms();
        let resp = req.send().map_err(|e| Retry::Yes(format!("no answer from the server: {}", with_causes(&e))))?;
        let status = resp.status().as_u16();
        let server_time = resp.headers().get(SERVER_TIME_HEADER).and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
        if let Some(t) = server_time {
            self.store.observe_server_time(t, sent_at, self.store.device_clock_ms()).map_err(Retry::No)?;
        }
        if resp.status().is_success() {
            on_headers(resp.headers());
        }
        let coding = resp.headers().get(reqwest::header::CONTENT_ENCODING).map(|v| v.as_bytes().to_ascii_lowercase());
        let raw = resp.bytes().map_err(|e| Retry::Yes(format!("the answer broke off: {e}")))?;
        self.received.fetch_add(raw.len() as u64, Ordering::Relaxed);
        let damaged = |e: std::io::Error| Retry::Yes(format!("the answer arrived damaged: {e}"));
        let bytes = match coding.as_deref() {
            None | Some(b"identity") => raw.to_vec(),
            Some(b"gzip") => {
                let mut out = Vec::with_capacity(raw.len() * 4);
                GzDecoder::new(&raw[..]).read_to_end(&mut out).map_err(damaged)?;
                out
            }
            Some(b"zstd") => {
                let mut out = Vec::with_capacity(raw.len() * 6);
                let mut decoder = ruzstd::decoding::StreamingDecoder::new(&raw[..])
                    .map_err(|e| damaged(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())))?;
                decoder.read_to_end(&mut out).map_err(damaged)?;
                out
            }
            Some(other) => {
                return Err(Retry::No(Error::Network(format!(
                    "the server answered in an encoding this app cannot read: {}",
                    String::from_utf8_lossy(other)
                ))))
            }
        };
        match status {
            200..=299 => Ok(bytes),
            401 if error_code_of(&bytes).as_deref() == Some("device_revoked") => {
                Err(Retry::No(Error::DeviceRevoked(error_message(&bytes))))
            }
            401 => Err(Retry::No(Error::LoginRequired(error_message(&bytes)))),
            // Too many wrong passwords: trying again now only extends the lock.
            429 if error_code_of(&bytes).as_deref() == Some("login_throttled") => {
                Err(Retry::No(Error::Server { status, code: "login_throttled".into(), message: error_message(&bytes) }))
            }
            429 | 500..=599 => Err(Retry::Yes(format!("server error {status}: {}", error_message(&bytes)))),
            _ => {
                let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
                    Ok(b) => (b.error.code, b.error.message),
                    Err(_) => (format!("http_{status}"), String::from_utf8_lossy(&bytes).chars().take(200).collect()),
                };
                Err(Retry::No(Error::Server { status, code, message }))
            }
        }
    }

    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        // A 200 whose body does not parse was damaged on the way; the caller's retry is the sync.
        serde_json::from_slice(bytes).map_err(|e| Error::Network(format!("the server's answer was incomplete: {e}")))
    }

    fn counters(&self) -> (u64, u64, u64) {
        (self.sent.load(Ordering::Relaxed), self.received.load(Ordering::Relaxed), self.round_trips.load(Ordering::Relaxed))
    }
}

/// The server's answers to operations, as the outbox keeps them: an applied or duplicate one
/// leaves it, a rejected one stays with its reason. The same for a push and a bundle's receipt.
pub(crate) fn record_results<'r>(tx: &rusqlite::Connection, results: impl Iterator<Item = &'r OpResult>) -> Result<()> {
    for r in results {
        match r.status {
            OpStatus::Applied | OpStatus::Duplicate => outbox::acknowledge(tx, &r.op_id)?,
            OpStatus::Rejected => {
                let mut message = r.message.clone().unwrap_or_default();
                for f in &r.fields {
                    message.push_str(&format!("; {}: {}", f.field, f.message));
                }
                outbox::reject(tx, &r.op_id, r.code.as_deref().unwrap_or("rejected"), &message)?;
            }
        }
    }
    // Bundles this phone sent whose operations have all been answered (by a receipt or by a
    // direct sync) are acknowledged.
    tx.execute(
        "UPDATE bundle SET state = 'acknowledged', updated_at = ?1
          WHERE role = 'sent' AND state = 'waiting'
            AND NOT EXISTS (SELECT 1 FROM json_each(bundle.op_ids) j JOIN outbox o ON o.op_id = j.value WHERE o.state = 'pending')",
        [now_unix_ms()],
    )?;
    Ok(())
}

/// The certificates of a PEM text (at least one), as the HTTP client trusts them.
fn parse_certificates(pem: &str) -> Result<Vec<reqwest::Certificate>> {
    let bad = |why: String| Error::field("certificate", "invalid_certificate", why);
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| bad(format!("not a PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(bad("no PEM certificate in the text".into()));
    }
    Ok(certs)
}

/// The server is reached over HTTPS: a token, NIKs and a person's file never cross a network in
/// clear. Plain `http://` is accepted only for this machine itself (tests, a developer's laptop).
pub fn check_server_url(url: &str) -> Result<()> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| Error::field("server_url", "invalid_url", format!("`{url}` is not a web address: {e}")))?;
    let host = parsed.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::not_allowed(
            "insecure_server_url",
            "the server must be reached over https:// (plain http:// only on this device itself)",
        )),
        other => Err(Error::field("server_url", "invalid_url", format!("`{other}://` is not a web address the app can use; use https://"))),
    }
}

enum Retry {
    Yes(String),
    No(Error),
}

fn error_code_of(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(bytes).ok().map(|b| b.error.code)
}

fn error_message(bytes: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(bytes)
        .map(|b| b.error.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(bytes).chars().take(200).collect())
}

/// A conflict as a supervisor sees it: the value kept, the value that lost, and whose file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictView {
    pub id: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub field: String,
    pub current_value: Value,
    pub losing_value: Value,
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub detected_at: i64,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<i64>,
}

/// Which value a supervisor keeps when resolving a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    KeepCurrent,
    TakeLosing,
}

impl FieldStore {
    /// Logs in to the server as this device; the identity is stored, the token returned for the
    /// app to keep in the platform's secure storage. Another user may not log in while this
    /// device still holds the previous user's unsent changes.
    pub fn login(&self, server_url: &str, username: &str, password: &str) -> Result<LoginResponse> {
        let settings = SyncSettings { max_attempts: 2, ..SyncSettings::new(server_url, "") };
        let cancel = CancelToken::new();
        let http = Http::new(self, &settings, &cancel)?;
        let login = |keys: &crate::bundle::PublicKeys| -> Result<LoginResponse> {
            let req = LoginRequest {
                username: username.into(),
                password: password.into(),
                device_id: self.device_id().into(),
                device_keys: Some(keys.clone()),
            };
            let bytes = http.call(reqwest::Method::POST, "/v1/auth/login", Some(&serde_json::to_vec(&req)?), false)?;
            http.json(&bytes)
        };
        let mut resp = login(self.device_keys()?.public())?;
        if let Some(previous) = self.identity().filter(|p| p.user_id != resp.identity.user_id) {
            let pending = self.outbox_counts()?.pending;
            if pending > 0 {
                return Err(Error::not_allowed(
                    "unsent_changes",
                    format!("{pending} changes by {} are not sent yet; sync as them first", previous.display_name),
                ));
            }
        }
        // The bundle keys were another user's: this user gets keys of their own, registered by a
        // second login, so that nothing sealed for or signed by a previous user of this phone
        // works for this one (the server forgets the previous user's keys for this device).
        let user = resp.identity.user_id.clone();
        match self.meta("keys_user")? {
            Some(owner) if owner != user => {
                self.forget_device_keys()?;
                resp = login(self.device_keys()?.public())?;
            }
            _ => {}
        }
        self.with_writer(|tx, _| meta_set(tx, "keys_user", &user))?;
        self.set_identity(Some(resp.identity.clone()))?;
        if let Some(keys) = &resp.server_keys {
            self.set_server_keys(keys)?;
        }
        Ok(resp)
    }

    /// Trusts one more certificate (PEM) for the server, beside the public roots the app ships:
    /// a programme server with a certificate of its own (a ministry CA, a test server). Kept
    /// across restarts; `None` forgets it.
    pub fn trust_certificate(&self, pem: Option<&str>) -> Result<()> {
        if let Some(pem) = pem {
            parse_certificates(pem)?;
        }
        self.with_writer(|tx, _| {
            match pem {
                Some(pem) => meta_set(tx, "trusted_certificate", pem)?,
                None => {
                    tx.execute("DELETE FROM meta WHERE key = 'trusted_certificate'", [])?;
                }
            }
            Ok(())
        })
    }

    fn trusted_certificate(&self) -> Result<Option<String>> {
        self.meta("trusted_certificate")
    }

    /// The last sync's outcome, if this device ever synced.
    pub fn last_sync(&self) -> Result<Option<SyncReport>> {
        self.meta("last_sync")?.map(|j| serde_json::from_str(&j).map_err(Error::from)).transpose()
    }

    /// Pushes the outbox, then pulls until the feed is drained. The report is stored whatever
    /// the outcome; an error is returned after storing it.
    pub fn sync(&self, settings: &SyncSettings, listener: Option<&dyn SyncListener>, cancel: &CancelToken) -> Result<SyncReport> {
        self.require_identity()?;
        let http = Http::new(self, settings, cancel)?;
        let mut report = SyncReport { started_at: now_unix_ms(), ..SyncReport::default() };
        let outcome = self
            .push_all(&http, settings, listener, &mut report)
            .and_then(|()| self.pull_all(&http, settings, listener, &mut report))
            .and_then(|()| self.deliver_carried(&http).map(|_| ()));
        let (sent, received, trips) = http.counters();
        report.bytes_sent = sent;
        report.bytes_received = received;
        report.round_trips = trips;
        report.finished_at = now_unix_ms();
        report.error = outcome.as_ref().err().map(|e| e.to_string());
        report.error_code = outcome.as_ref().err().map(|e| e.code().to_string());
        if matches!(outcome, Err(Error::DeviceRevoked(_))) {
            // A lost phone: what it holds goes, and it says why at its next start.
            self.wipe()?;
        }
        report.more_pending = self.outbox_counts().map(|c| c.pending).unwrap_or_default();
        self.with_writer(|tx, _| meta_set(tx, "last_sync", &serde_json::to_string(&report)?))?;
        if let Some(l) = listener {
            l.on_progress(&SyncProgress {
                phase: SyncPhase::Done,
                done: report.pulled,
                total: 0,
                bytes_sent: sent,
                bytes_received: received,
            });
        }
        outcome.map(|()| report)
    }

    fn push_all(
        &self,
        http: &Http<'_>,
        settings: &SyncSettings,
        listener: Option<&dyn SyncListener>,
        report: &mut SyncReport,
    ) -> Result<()> {
        // Everything pending now is sent, however the batches are cut; changes made while this
        // sync runs wait for the next one (and are counted in `more_pending`).
        let upto = self.read(outbox::last_seq)?;
        let mut total = self.outbox_counts()?.pending;
        let mut healed = false;
        loop {
            if http.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let entries = self.read(|c| outbox::pending_upto(c, upto, settings.push_batch_ops.max(1) as i64))?;
            if entries.is_empty() {
                // Operations the server refused for a clock that ran ahead are stamped again
                // now that the phone knows the server's time, and sent once more.
                if !healed {
                    healed = true;
                    let healed = self.heal_clock()?;
                    if healed.were_refused > 0 {
                        total += healed.were_refused;
                        report.rejected = report.rejected.saturating_sub(healed.were_refused);
                        continue;
                    }
                }
                break;
            }
            let mut ops = Vec::new();
            let mut size = 0;
            for e in entries {
                let s = serde_json::to_vec(&e.op)?.len();
                if !ops.is_empty() && size + s > settings.push_batch_bytes {
                    break;
                }
                size += s;
                ops.push(e.op);
            }
            let sent: std::collections::HashSet<String> = ops.iter().map(|o| o.op_id.clone()).collect();
            let body = serde_json::to_vec(&PushRequest { ops })?;
            let bytes = http.call(reqwest::Method::POST, "/v1/sync/push", Some(&body), true)?;
            let resp: PushResponse = http.json(&bytes)?;
            let answered: std::collections::HashSet<&str> =
                resp.results.iter().map(|r| r.op_id.as_str()).filter(|id| sent.contains(*id)).collect();
            if answered.len() != sent.len() {
                // Every operation sent is answered; otherwise the same batch would go round forever.
                return Err(Error::Network("the server did not answer every operation sent; sync again later".into()));
            }
            self.with_writer(|tx, _| record_results(tx, resp.results.iter().filter(|r| sent.contains(&r.op_id))))?;
            for r in resp.results.iter().filter(|r| sent.contains(&r.op_id)) {
                match r.status {
                    OpStatus::Applied => report.pushed += 1,
                    OpStatus::Duplicate => report.duplicates += 1,
                    OpStatus::Rejected => report.rejected += 1,
                }
            }
            if let Some(l) = listener {
                let (sent, received, _) = http.counters();
                l.on_progress(&SyncProgress {
                    phase: SyncPhase::Pushing,
                    done: report.pushed + report.duplicates + report.rejected,
                    total,
                    bytes_sent: sent,
                    bytes_received: received,
                });
            }
        }
        Ok(())
    }

    fn pull_all(
        &self,
        http: &Http<'_>,
        settings: &SyncSettings,
        listener: Option<&dyn SyncListener>,
        report: &mut SyncReport,
    ) -> Result<()> {
        // The tag of the team list this phone holds: the server sends the list only if it changed.
        let team_tag = self.meta("team_tag")?.filter(|t| t.bytes().all(|b| b.is_ascii_hexdigit())).unwrap_or_default();
        let team_tag = team_tag.as_str();
        // A page asked for `limit` changes. The server names the next page's cursor in a header
        // too: `ahead` hears of it as soon as the headers arrive, before the page itself.
        let fetch = move |cursor: String, limit: u32, ahead: mpsc::Sender<String>| -> Result<(ReadyPage, Timing)> {
            if !cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
                return Err(Error::Corrupt(format!("cursor `{cursor}` is not valid")));
            }
            let path = format!("/v1/sync/pull?cursor={cursor}&limit={limit}&team={team_tag}");
            let (asked, mut arrived) = (std::time::Instant::now(), std::time::Instant::now());
            let bytes = http.call_seeing(reqwest::Method::GET, &path, None, true, &mut |headers| {
                arrived = std::time::Instant::now();
                if let Some(next) = headers.get(NEXT_CURSOR_HEADER).and_then(|v| v.to_str().ok()) {
                    let _ = ahead.send(next.to_string());
                }
            })?;
            let timing = Timing { headers: (arrived - asked).as_secs_f64(), body: arrived.elapsed().as_secs_f64() };
            let page: PullPage = http.json(&bytes)?;
            Ok((ReadyPage::new(page), timing))
        };
        let mut limit = settings.pull_page.max(1);
        // While one page is stored, the next is already on its way: the network and the
        // database work at the same time. Where the link is what takes the time (the last
        // page's body took longer to arrive than its headers), the page after that is asked for
        // as soon as the next one's headers name its cursor, so one page follows another without
        // a round trip between them; on a fast link it would only hold a third page in memory.
        // Pages are still stored strictly in order, each with its cursor, so an interruption
        // anywhere resumes after the last page stored.
        std::thread::scope(|scope| {
            let spawn = |cursor: String, limit: u32| {
                let (tx, rx) = mpsc::channel();
                Pending { fetch: scope.spawn(move || fetch(cursor, limit, tx)), ahead: rx, limit }
            };
            let first = self.meta("pull_cursor")?.unwrap_or_default();
            let mut restartable = !first.is_empty();
            let mut next = Some(spawn(first, limit));
            // Nothing is known of the link before the first page, whose next is asked for ahead.
            let mut link_bound = true;
            while let Some(pending) = next.take() {
                // The headers of this page (or its end, if they name no next page) come first.
                let ahead = if link_bound { pending.ahead.recv().ok() } else { None };
                let ahead = ahead.map(|cursor| (cursor.clone(), spawn(cursor, limit)));
                let (ready, timing) = match pending.fetch.join().map_err(|_| Error::Network("the download stopped unexpectedly".into()))? {
                    // A cursor the server no longer knows (it was restored from an older backup)
                    // starts the feed over: every record arrives again and merges unchanged.
                    Err(Error::Server { code, .. }) if code == "invalid_cursor" && restartable => {
                        restartable = false;
                        self.with_writer(|tx, _| Ok(tx.execute("DELETE FROM meta WHERE key = 'pull_cursor'", [])?))?;
                        next = Some(spawn(String::new(), limit));
                        continue;
                    }
                    other => other?,
                };
                restartable = false;
                if http.cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                let page = &ready.page;
                link_bound = timing.body > timing.headers;
                if page.has_more {
                    // Pages are sized by how long their bodies take to arrive: waiting behind the
                    // page before, or for the server, is not a slow link.
                    limit = next_pull_page(settings, pending.limit, page.changes.len(), timing.body);
                    // The page asked for ahead is used only if it starts where this page ends (a
                    // retried answer may end elsewhere); otherwise it is left to finish unread.
                    next = Some(match ahead {
                        Some((cursor, fetching)) if cursor == page.next_cursor => fetching,
                        _ => spawn(page.next_cursor.clone(), limit),
                    });
                }
                // A new scope first: it also needs the regions of the new scope.
                if let Some(identity) = page.identity.as_ref().filter(|i| Some(*i) != self.identity().as_ref()) {
                    self.set_identity(Some(identity.clone()))?;
                    self.evict_out_of_scope()?;
                }
                let local_ref: i64 = self.meta("reference_version")?.and_then(|v| v.parse().ok()).unwrap_or(0);
                if page.reference_version > local_ref {
                    self.pull_reference(http)?;
                }
                self.apply_page(&ready)?;
                report.pulled += page.changes.len() as u64;
                if let Some(l) = listener {
                    let (sent, received, _) = http.counters();
                    l.on_progress(&SyncProgress {
                        phase: SyncPhase::Pulling,
                        done: report.pulled,
                        total: 0,
                        bytes_sent: sent,
                        bytes_received: received,
                    });
                }
            }
            Ok(())
        })
    }

    fn pull_reference(&self, http: &Http<'_>) -> Result<()> {
        let bytes = http.call(reqwest::Method::GET, "/v1/reference", None, true)?;
        let r: ReferenceResponse = http.json(&bytes)?;
        let templates = r
            .templates
            .into_iter()
            .map(|v| {
                let t: Template = serde_json::from_value(v)?;
                t.check_definition()?;
                Ok(t)
            })
            .collect::<Result<Vec<_>>>()?;
        let regions = RegionCatalog::from_csv(&r.regions_csv).map_err(Error::Validation)?;
        self.apply_reference(&templates, Some(regions), r.version)
    }

    /// Applies one pulled page and its cursor in one transaction.
    pub(crate) fn apply_page(&self, ready: &ReadyPage) -> Result<()> {
        let page = &ready.page;
        let ctx = self.reference();
        let now = self.now_ms();
        let corrupt = |what: &str| Error::Corrupt(format!("the server sent a change without {what}"));
        self.with_writer(|tx, clock| {
            for (change, prepared) in page.changes.iter().zip(&ready.rows) {
                match change.kind.as_str() {
                    "record" => {
                        let entity = change.entity.as_deref().ok_or_else(|| corrupt("entity"))?;
                        // A kind of record a newer server knows and this app does not: skipped.
                        let Some(kind) = EntityKind::parse(entity) else { continue };
                        let (kind, id, state) = (kind, change.id.as_deref().ok_or_else(|| corrupt("id"))?, change.state.as_ref().ok_or_else(|| corrupt("state"))?);
                        // A record new to this phone is stored as it came (made ready while the
                        // previous page was written); one it has is merged into what it holds.
                        let inserted = match prepared {
                            Some(p) => records::insert_pulled(tx, kind, id, &p.row, &state.created, state.clocks_json())
                                .map_err(|e| Error::Corrupt(format!("pulled {} {id} cannot be stored: {e}", kind.table())))?
                                .then(|| p.last.clone()),
                            None => None,
                        };
                        let last = match inserted {
                            Some(last) => last,
                            None => {
                                let stored = if records::exists(tx, kind, id)? {
                                    state.parse().map_err(Error::from).and_then(|state| {
                                        let last = state.last_changed().clone();
                                        records::apply(tx, &ctx, kind, id, Incoming::State(&state), now).map(|_| last)
                                    })
                                } else {
                                    // Only a record that cannot be read gets here (it was not made ready).
                                    ReadyPage::prepare(kind, id, state).and_then(|p| {
                                        records::insert_pulled(tx, kind, id, &p.row, &state.created, state.clocks_json()).map(|_| p.last)
                                    })
                                };
                                stored.map_err(|e| Error::Corrupt(format!("pulled {} {id} cannot be stored: {e}", kind.table())))?
                            }
                        };
                        clock.observe(&last, now.max(0) as u64);
                    }
                    "conflict" => {
                        let c = change.conflict.as_ref().ok_or_else(|| corrupt("conflict"))?;
                        tx.prepare_cached(
                            "INSERT INTO conflict (id, entity, entity_id, field, losing_value, losing_hlc, detected_at, resolved_by, resolved_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                             ON CONFLICT (id) DO UPDATE SET resolved_by = coalesce(excluded.resolved_by, resolved_by),
                                                            resolved_at = coalesce(excluded.resolved_at, resolved_at)",
                        )?
                        .execute(params![c.id, c.entity.table(), c.entity_id, c.field, serde_json::to_string(&c.losing_value)?, c.losing_hlc, c.detected_at, c.resolved_by, c.resolved_at])?;
                    }
                    // The beneficiary left this user's scope (moved to another village).
                    "evict" => {
                        records::evict_beneficiary(tx, change.id.as_deref().ok_or_else(|| corrupt("id"))?)?;
                    }
                    // The person's file was erased at their request: it goes from this phone too.
                    "erase" => {
                        records::erase_beneficiary(tx, change.id.as_deref().ok_or_else(|| corrupt("id"))?)?;
                    }
                    // A newer server may send kinds this app does not know: skip, do not fail.
                    _ => {}
                }
            }
            if let Some(team) = &page.team {
                meta_set(tx, "team", &serde_json::to_string(&team.people)?)?;
                meta_set(tx, "team_tag", &team.tag)?;
            }
            meta_set(tx, "pull_cursor", &page.next_cursor)
        })
    }

    /// Forgets the files this user may no longer read (their villages changed), keeping any with
    /// changes still waiting to be sent.
    pub(crate) fn evict_out_of_scope(&self) -> Result<()> {
        let who = self.require_identity()?;
        self.with_writer(|tx, _| {
            let files: Vec<(String, String)> = tx
                .prepare("SELECT id, village_code FROM beneficiary")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, village) in files {
                if !who.can_read(&village, &id) {
                    records::evict_beneficiary(tx, &id)?;
                }
            }
            Ok(())
        })
    }

    /// Conflicts in the user's scope, newest first; open ones only unless `include_resolved`.
    pub fn conflicts(&self, include_resolved: bool) -> Result<Vec<ConflictView>> {
        let who = self.require_identity()?;
        type Row = (String, String, String, String, String, i64, Option<String>, Option<i64>);
        let rows: Vec<Row> = self.read(|c| {
            let sql = format!(
                "SELECT id, entity, entity_id, field, losing_value, detected_at, resolved_by, resolved_at FROM conflict {} ORDER BY detected_at DESC, id",
                if include_resolved { "" } else { "WHERE resolved_at IS NULL" }
            );
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let mut out = Vec::new();
        for (id, entity, entity_id, field, losing, detected_at, resolved_by, resolved_at) in rows {
            let Some(kind) = EntityKind::parse(&entity) else { continue };
            let view = self.read(|c| {
                let Some(state) = load_versioned(c, kind, &entity_id)? else { return Ok(None) };
                let beneficiary_id = if kind == EntityKind::Beneficiary {
                    entity_id.clone()
                } else {
                    state.fields.get("beneficiary_id").and_then(Value::as_str).unwrap_or_default().to_string()
                };
                let Some(village) = village_of(c, &beneficiary_id)? else { return Ok(None) };
                if !who.can_read(&village, &beneficiary_id) {
                    return Ok(None);
                }
                let name: Option<String> =
                    c.query_row("SELECT full_name FROM beneficiary WHERE id = ?1", [&beneficiary_id], |r| r.get(0)).optional()?;
                Ok(Some(ConflictView {
                    id: id.clone(),
                    entity: kind,
                    entity_id: entity_id.clone(),
                    current_value: state.fields.get(&field).cloned().unwrap_or(Value::Null),
                    losing_value: serde_json::from_str(&losing)?,
                    field: field.clone(),
                    beneficiary_name: name.unwrap_or_default(),
                    beneficiary_id,
                    detected_at,
                    resolved_by: resolved_by.clone(),
                    resolved_at,
                }))
            })?;
            out.extend(view);
        }
        Ok(out)
    }

    /// A supervisor settles a conflict, keeping the current value or taking the one that lost.
    /// The decision is itself a change that syncs, and marks the conflict resolved everywhere.
    pub fn resolve_conflict(&self, conflict_id: &str, resolution: Resolution) -> Result<()> {
        let conflict =
            self.conflicts(true)?.into_iter().find(|c| c.id == conflict_id).ok_or_else(|| Error::not_found("conflict", conflict_id))?;
        if conflict.resolved_at.is_some() {
            return Err(Error::StateConflict("the conflict is already resolved".into()));
        }
        self.write(|batch| {
            let state = load_versioned(batch.conn(), conflict.entity, &conflict.entity_id)?
                .ok_or_else(|| Error::not_found(conflict.entity.table(), &conflict.entity_id))?;
            let value = match resolution {
                Resolution::KeepCurrent => conflict.current_value.clone(),
                Resolution::TakeLosing => conflict.losing_value.clone(),
            };
            let base = Some(state.clock_of(&conflict.field).hlc);
            let fields = BTreeMap::from([(conflict.field.clone(), FieldChange { value, base })]);
            batch.put_fields(conflict.entity, &conflict.entity_id, fields, vec![conflict.id.clone()])?;
            batch.conn().execute(
                "UPDATE conflict SET resolved_by = ?2, resolved_at = ?3 WHERE id = ?1",
                params![conflict.id, batch.identity.user_id, batch.now_ms],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page is stored whole or not at all: a record in it that does not read as its kind is a
    /// typed error, and neither the page's good records nor its cursor are kept.
    #[test]
    fn a_pulled_page_with_an_unreadable_record_stores_nothing_of_it() {
        use crate::field::BeneficiaryInput;
        use crate::model::Sex;
        use crate::scope::{Identity, Role};
        let dir = tempfile::tempdir().unwrap();
        let store = FieldStore::open(dir.path().join("s.db")).unwrap();
        let village = "32.12.01.2007";
        store
            .set_identity(Some(Identity {
                user_id: "f".into(),
                display_name: "F".into(),
                role: Role::Facilitator,
                villages: vec![village.into()],
                districts: vec![],
                beneficiary_id: None,
            }))
            .unwrap();
        let siti = store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, village)).unwrap();
        let mut fields = serde_json::to_value(&siti).unwrap();
        fields.as_object_mut().unwrap().remove("id");
        let created = "0193a7a20000-0001-server";
        let change = |id: &str, fields: &Value| serde_json::json!({"kind": "record", "entity": "beneficiary", "id": id, "state": {"fields": fields, "created": created}});
        let page = |changes: Vec<Value>, cursor: &str| -> ReadyPage {
            let page = serde_json::json!({"changes": changes, "next_cursor": cursor, "has_more": false, "reference_version": 0});
            ReadyPage::new(serde_json::from_value(page).unwrap())
        };
        let new_id = "0193a7a2-0000-7000-8000-0000000000aa";
        let bad =
            page(vec![change(new_id, &fields), change("0193a7a2-0000-7000-8000-0000000000bb", &serde_json::json!({"full_name": 5}))], "c1");
        let err = store.apply_page(&bad).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
        assert!(store.beneficiary(new_id).is_err(), "the page's good record is not kept either");
        assert_eq!(store.meta("pull_cursor").unwrap(), None);

        // The same page without it: the new record is stored, the one the phone has is merged.
        store.apply_page(&page(vec![change(new_id, &fields), change(&siti.id, &fields)], "c2")).unwrap();
        assert_eq!(store.beneficiary(new_id).unwrap().full_name, "Siti Aminah");
        assert_eq!(store.beneficiary(&siti.id).unwrap(), siti);
        assert_eq!(store.meta("pull_cursor").unwrap().as_deref(), Some("c2"));
    }

    #[test]
    fn pull_pages_grow_on_a_fast_link_and_fit_a_slow_one() {
        let s = SyncSettings::new("http://127.0.0.1:1", "t");
        // 500 records in 50 ms: the link takes 30,000 in 3 s, but a page grows at most 4x.
        assert_eq!(next_pull_page(&s, 500, 500, 0.05), 2000);
        assert_eq!(next_pull_page(&s, 2000, 2000, 0.1), 2500, "never past pull_page_max");
        // A 1 Mbit/s link: 1,000 records in 1.5 s, so 2,000 fit in the page's 3 s.
        assert_eq!(next_pull_page(&s, 1000, 1000, 1.5), 2000);
        // A link that got slower shrinks the page, but never under pull_page.
        assert_eq!(next_pull_page(&s, 4000, 4000, 12.0), 1000);
        assert_eq!(next_pull_page(&s, 4000, 4000, 600.0), 500);
        // A short page (the feed's end, or a page the server cut) says nothing of the link.
        assert_eq!(next_pull_page(&s, 2000, 10, 0.001), 2000);
        let fixed = SyncSettings { pull_page: 10, pull_page_max: 10, ..s };
        assert_eq!(next_pull_page(&fixed, 10, 10, 0.001), 10);
    }
}
