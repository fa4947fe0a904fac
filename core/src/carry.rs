//! Store-and-forward on the phone (the file format is [`crate::bundle`]):
//! - a phone out of coverage exports its pending operations as one sealed, signed bundle
//!   ([`FieldStore::export_bundle`]) that the app shares over any channel;
//! - any phone it reaches imports it ([`FieldStore::import_bundle`]) and, unable to read it,
//!   forwards it on its next sync; the server's receipt and inbound bundle come back with that
//!   sync, sealed to the origin, for the carrier to hand back;
//! - the origin imports them: the receipt clears its outbox exactly as a push's answer does, the
//!   inbound bundle brings its feed's pages, each with its cursor in one transaction.
//!
//! Every bundle the phone made, carries or opened is listed ([`FieldStore::bundles`]).

use crate::bundle::{self, BundleKind, InboundPayload, Manifest, OutboundPayload, PublicKeys, ReceiptPayload, SecretKeys};
use crate::error::{Error, Result};
use crate::outbox;
use crate::protocol::{DeliverRequest, DeliverResponse, PullPage};
use crate::store::{meta_set, FieldStore};
use crate::sync::Http;
use base64::Engine as _;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// A bundle file made by [`FieldStore::export_bundle`], to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedBundle {
    pub bundle_id: String,
    /// Operations inside (the oldest pending ones, at most [`bundle::MAX_BUNDLE_OPS`]).
    pub count: u64,
    pub file: Vec<u8>,
}

/// What importing a bundle file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Another phone's changes: kept, and delivered to the server at this phone's next sync.
    ToDeliver,
    /// The server's answer for another phone: kept, to hand on to it.
    ToHandOn,
    /// This phone's receipt: the operations it answers left the outbox (rejected ones stay,
    /// with their reason).
    Acknowledged,
    /// This phone's inbound bundle: its changes are stored.
    Applied,
    /// This bundle was imported before; nothing changed.
    AlreadyHad,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedBundle {
    pub bundle_id: String,
    pub kind: BundleKind,
    pub outcome: ImportOutcome,
    /// Operations, results or changes inside.
    pub count: u64,
}

/// Where a bundle stands, in the order the apps list them: this phone's own, what it carries
/// for others (what needs the user first), what it opened. Decided here, from the stored role
/// and state, so that the two apps cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleGroup {
    /// Made here; no receipt yet (share it again if the first copy was lost).
    Waiting,
    /// Made here; its receipt (or a direct sync) answered it.
    Acknowledged,
    /// The server's answer for another phone: give it to that phone.
    ToHandOn,
    /// Another phone's changes: delivered at this phone's next sync.
    ToDeliver,
    /// Carried and refused by the server (the reason is `note`).
    Refused,
    /// Carried and delivered.
    Delivered,
    /// The server's answer for this phone, applied here.
    Received,
}

impl BundleGroup {
    fn of(role: &str, state: &str) -> BundleGroup {
        match (role, state) {
            ("sent", "acknowledged") => BundleGroup::Acknowledged,
            ("sent", _) => BundleGroup::Waiting,
            ("carried", "to_hand_on") => BundleGroup::ToHandOn,
            ("carried", "refused") => BundleGroup::Refused,
            ("carried", "delivered") => BundleGroup::Delivered,
            ("carried", _) => BundleGroup::ToDeliver,
            _ => BundleGroup::Received,
        }
    }
}

/// One bundle as the phone lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleEntry {
    pub bundle_id: String,
    /// `sent` (made here), `carried` (for someone else) or `received` (opened here).
    pub role: String,
    pub kind: BundleKind,
    /// Who it is for (sent, carried) or from (received): a device id or `server:<key id>`.
    pub peer: String,
    pub count: u64,
    /// sent: `waiting`, `acknowledged`; carried: `to_deliver`, `delivered`, `refused`,
    /// `to_hand_on`; received: `applied`.
    pub state: String,
    /// Where it stands, for the list.
    pub group: BundleGroup,
    /// Its file is here and still worth sharing: made here and not answered, or carried and on
    /// its way (to the server, or back to its phone).
    pub shareable: bool,
    /// Why the server refused a carried bundle.
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub answers: Option<String>,
}

/// A file's SHA-256, hex: how the phone keeps a file once.
fn digest(file: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(file).iter().map(|b| format!("{b:02x}")).collect()
}

fn insert_carried(tx: &rusqlite::Transaction<'_>, m: &Manifest, file: &[u8], digest: &str, state: &str, now: i64) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO bundle (digest, bundle_id, role, kind, peer, count, state, created_at, updated_at, answers, file)
         VALUES (?1, ?2, 'carried', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![digest, m.bundle_id, m.kind.as_str(), m.to, m.count as i64, state, m.created, now, m.answers, file],
    )?;
    Ok(())
}

fn kind_of(s: &str) -> BundleKind {
    match s {
        "receipt" => BundleKind::Receipt,
        "inbound" => BundleKind::Inbound,
        _ => BundleKind::Outbound,
    }
}

impl FieldStore {
    /// This device's bundle keys: made on first use, kept in the (encrypted) store, forgotten
    /// when the store is wiped.
    pub fn device_keys(&self) -> Result<SecretKeys> {
        if let (Some(sign), Some(seal)) = (self.meta("device_sign_seed")?, self.meta("device_seal_seed")?) {
            return SecretKeys::from_seeds(&sign, &seal);
        }
        let (sign, seal) = bundle::fresh_seeds()?;
        self.with_writer(|tx, _| {
            // Another thread may have made them meanwhile: the first ones stay.
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('device_sign_seed', ?1), ('device_seal_seed', ?2)",
                params![sign, seal],
            )?;
            Ok(())
        })?;
        SecretKeys::from_seeds(&self.meta("device_sign_seed")?.unwrap_or(sign), &self.meta("device_seal_seed")?.unwrap_or(seal))
    }

    /// Forgets this device's bundle keys: the next use makes new ones (another user signs in
    /// on the phone, so bundles for the previous one can no longer be opened or made here).
    pub(crate) fn forget_device_keys(&self) -> Result<()> {
        self.with_writer(|tx, _| {
            tx.execute("DELETE FROM meta WHERE key IN ('device_sign_seed', 'device_seal_seed', 'keys_user')", [])?;
            Ok(())
        })
    }

    pub(crate) fn set_server_keys(&self, keys: &PublicKeys) -> Result<()> {
        let json = serde_json::to_string(keys)?;
        self.with_writer(|tx, _| meta_set(tx, "server_keys", &json))
    }

    /// The server's public keys, learnt at login.
    pub fn server_keys(&self) -> Result<PublicKeys> {
        let json = self
            .meta("server_keys")?
            .ok_or_else(|| Error::not_allowed("no_server_keys", "sign in once while online: bundles are sealed to the server's key"))?;
        Ok(serde_json::from_str(&json)?)
    }

    /// The pending operations (oldest first, at most [`bundle::MAX_BUNDLE_OPS`]) and the feed's
    /// cursor, sealed to the server and signed by this device: a file to share. The operations
    /// stay in the outbox until a receipt (or a direct sync) answers them. With nothing pending
    /// the bundle still asks the server for this phone's news (an inbound bundle).
    pub fn export_bundle(&self) -> Result<ExportedBundle> {
        let who = self.require_identity()?;
        let server = self.server_keys()?;
        let keys = self.device_keys()?;
        let cursor = self.meta("pull_cursor")?.unwrap_or_default();
        let mut take = bundle::MAX_BUNDLE_OPS;
        loop {
            let ops: Vec<_> = self.read(|c| outbox::pending(c, take as i64))?.into_iter().map(|e| e.op).collect();
            let manifest = Manifest {
                format: 1,
                kind: BundleKind::Outbound,
                bundle_id: uuid::Uuid::now_v7().to_string(),
                from: self.device_id().to_string(),
                to: bundle::server_address(&server.seal),
                user: Some(who.user_id.clone()),
                count: ops.len() as u64,
                created: self.now_ms(),
                answers: None,
            };
            let payload = serde_json::to_vec(&OutboundPayload { ops, cursor: cursor.clone() })?;
            let file = match bundle::seal(&manifest, &payload, &keys, &server.seal) {
                // Too big for one file: half as many operations (the rest go in the next one).
                Err(Error::Refused { code: "bundle_too_large", .. }) if take > 1 => {
                    take /= 2;
                    continue;
                }
                other => other?,
            };
            let op_ids: Vec<String> = serde_json::from_slice::<OutboundPayload>(&payload)?.ops.into_iter().map(|o| o.op_id).collect();
            let now = self.now_ms();
            self.with_writer(|tx, _| {
                tx.execute(
                    "INSERT INTO bundle (digest, bundle_id, role, kind, peer, count, state, created_at, updated_at, op_ids, file)
                     VALUES (?1, ?2, 'sent', 'outbound', ?3, ?4, 'waiting', ?5, ?5, ?6, ?7)",
                    params![
                        digest(&file),
                        manifest.bundle_id,
                        manifest.to,
                        manifest.count as i64,
                        now,
                        serde_json::to_string(&op_ids)?,
                        file
                    ],
                )?;
                Ok(())
            })?;
            return Ok(ExportedBundle { bundle_id: manifest.bundle_id, count: manifest.count, file });
        }
    }

    /// Takes a bundle file given to this phone: another phone's changes to deliver, the server's
    /// answer for another phone to hand on, or this phone's own receipt or inbound bundle,
    /// which it opens and applies. A damaged, altered or foreign file is refused with a typed
    /// code (`bundle_malformed`, `bundle_damaged`, `bundle_bad_signature`,
    /// `bundle_wrong_server`, `bundle_stale`, …) and nothing is stored.
    pub fn import_bundle(&self, file: &[u8]) -> Result<ImportedBundle> {
        let m = bundle::read_manifest(file)?;
        let server = self.server_keys()?;
        let server_address = bundle::server_address(&server.seal);
        let me = self.device_id().to_string();
        let imported = |outcome| ImportedBundle { bundle_id: m.bundle_id.clone(), kind: m.kind, outcome, count: m.count };
        if m.kind == BundleKind::Outbound && m.from == me {
            return Err(Error::refused("bundle_own", "this phone made this bundle: give it to a phone that will reach coverage"));
        }
        // The same file again changes nothing; one the server refused may be tried again.
        let digest = digest(file);
        let known: Option<String> =
            self.read(|c| Ok(c.query_row("SELECT state FROM bundle WHERE digest = ?1", [&digest], |r| r.get(0)).optional()?))?;
        match known.as_deref() {
            Some("refused") => {
                self.with_writer(|tx, _| Ok(tx.execute("DELETE FROM bundle WHERE digest = ?1", [&digest]).map(|_| ())?))?
            }
            Some(_) => return Ok(imported(ImportOutcome::AlreadyHad)),
            None => {}
        }
        match m.kind {
            BundleKind::Outbound => {
                if m.to != server_address {
                    return Err(Error::refused("bundle_wrong_server", format!("this bundle is for {}, not this phone's server", m.to)));
                }
                self.keep_carried(&m, file, &digest, "to_deliver")?;
                Ok(imported(ImportOutcome::ToDeliver))
            }
            BundleKind::Receipt | BundleKind::Inbound if m.to != me => {
                if m.from != server_address {
                    return Err(Error::refused(
                        "bundle_wrong_server",
                        format!("this bundle comes from {}, not this phone's server", m.from),
                    ));
                }
                self.keep_carried(&m, file, &digest, "to_hand_on")?;
                Ok(imported(ImportOutcome::ToHandOn))
            }
            BundleKind::Receipt | BundleKind::Inbound => {
                if m.from != server_address {
                    return Err(Error::refused(
                        "bundle_wrong_server",
                        format!("this bundle comes from {}, not this phone's server", m.from),
                    ));
                }
                // Sealed to this device for the user signed in on it now, not a previous one.
                let who = self.require_identity()?;
                if m.user.as_deref() != Some(who.user_id.as_str()) {
                    return Err(Error::refused("bundle_wrong_user", "this bundle is for another user of this phone"));
                }
                let keys = self.device_keys()?;
                let (m, payload) = bundle::open(file, &keys, |_| Ok(server.sign.clone()))?;
                if m.user.as_deref() != Some(who.user_id.as_str()) {
                    return Err(Error::refused("bundle_wrong_user", "this bundle is for another user of this phone"));
                }
                let outcome = if m.kind == BundleKind::Receipt {
                    self.apply_receipt(&m, &payload, &digest)?
                } else {
                    self.apply_inbound(&m, &payload, &digest)?
                };
                Ok(ImportedBundle { bundle_id: m.bundle_id, kind: m.kind, outcome, count: m.count })
            }
        }
    }

    fn keep_carried(&self, m: &Manifest, file: &[u8], digest: &str, state: &str) -> Result<()> {
        let now = self.now_ms();
        self.with_writer(|tx, _| insert_carried(tx, m, file, digest, state, now))
    }

    fn mark_received(tx: &rusqlite::Transaction<'_>, m: &Manifest, digest: &str, now: i64) -> Result<()> {
        tx.execute(
            "INSERT OR IGNORE INTO bundle (digest, bundle_id, role, kind, peer, count, state, created_at, updated_at, answers)
             VALUES (?1, ?2, 'received', ?3, ?4, ?5, 'applied', ?6, ?7, ?8)",
            params![digest, m.bundle_id, m.kind.as_str(), m.from, m.count as i64, m.created, now, m.answers],
        )?;
        Ok(())
    }

    /// Whether this phone already applied the (authenticated) bundle `bundle_id`.
    fn received(&self, bundle_id: &str) -> Result<bool> {
        self.read(|c| Ok(c.prepare_cached("SELECT 1 FROM bundle WHERE bundle_id = ?1 AND role = 'received'")?.exists([bundle_id])?))
    }

    fn apply_receipt(&self, m: &Manifest, payload: &[u8], digest: &str) -> Result<ImportOutcome> {
        if self.received(&m.bundle_id)? {
            return Ok(ImportOutcome::AlreadyHad);
        }
        let receipt: ReceiptPayload = serde_json::from_slice(payload)?;
        let now = self.now_ms();
        self.with_writer(|tx, _| {
            crate::sync::record_results(tx, receipt.results.iter())?;
            if let Some(answered) = &m.answers {
                tx.execute(
                    "UPDATE bundle SET state = 'acknowledged', updated_at = ?2 WHERE bundle_id = ?1 AND role = 'sent'",
                    params![answered, now],
                )?;
            }
            Self::mark_received(tx, m, digest, now)
        })?;
        Ok(ImportOutcome::Acknowledged)
    }

    fn apply_inbound(&self, m: &Manifest, payload: &[u8], digest: &str) -> Result<ImportOutcome> {
        if self.received(&m.bundle_id)? {
            return Ok(ImportOutcome::AlreadyHad);
        }
        let inbound: InboundPayload = serde_json::from_slice(payload)?;
        let mine = self.meta("pull_cursor")?.unwrap_or_default();
        if inbound.from_cursor != mine {
            return Err(Error::refused(
                "bundle_stale",
                "this phone's feed moved on since the bundle was made (it synced meanwhile): it already has these changes or newer",
            ));
        }
        // Each page with its cursor in one transaction, in order, as a pull stores them.
        for page in &inbound.pages {
            let page: PullPage = serde_json::from_str(page.get())?;
            if let Some(identity) = page.identity.as_ref().filter(|i| Some(*i) != self.identity().as_ref()) {
                self.set_identity(Some(identity.clone()))?;
                self.evict_out_of_scope()?;
            }
            self.apply_page(&crate::sync::ReadyPage::new(page))?;
        }
        let now = self.now_ms();
        self.with_writer(|tx, _| Self::mark_received(tx, m, digest, now))?;
        Ok(ImportOutcome::Applied)
    }

    /// Every bundle this phone made, carries or opened, newest first.
    pub fn bundles(&self) -> Result<Vec<BundleEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT bundle_id, role, kind, peer, count, state, note, created_at, updated_at, answers FROM bundle
                  ORDER BY updated_at DESC, bundle_id DESC LIMIT 1000",
            )?;
            let rows = stmt.query_map([], |r| {
                let (role, state): (String, String) = (r.get(1)?, r.get(5)?);
                let group = BundleGroup::of(&role, &state);
                Ok(BundleEntry {
                    bundle_id: r.get(0)?,
                    role,
                    kind: kind_of(&r.get::<_, String>(2)?),
                    peer: r.get(3)?,
                    count: r.get::<_, i64>(4)? as u64,
                    state,
                    group,
                    shareable: matches!(group, BundleGroup::Waiting | BundleGroup::ToDeliver | BundleGroup::ToHandOn),
                    note: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                    answers: r.get(9)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The file of a bundle this phone made or carries, to share (again).
    pub fn bundle_file(&self, bundle_id: &str) -> Result<Vec<u8>> {
        self.read(|c| {
            // A refused copy (a junk file copying the real one's manifest) only if nothing better.
            c.query_row(
                "SELECT file FROM bundle WHERE bundle_id = ?1 AND file IS NOT NULL ORDER BY state = 'refused', updated_at DESC LIMIT 1",
                [bundle_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::not_found("bundle", bundle_id))
        })
    }

    /// Delivers the bundles this phone carries for the server; keeps each answer (receipt,
    /// inbound bundle) to hand back to its origin. A bundle the server refuses is marked so,
    /// with the reason, and the sync goes on. Returns how many were delivered.
    pub(crate) fn deliver_carried(&self, http: &Http<'_>) -> Result<u64> {
        let waiting: Vec<(String, Vec<u8>)> = self.read(|c| {
            let mut stmt =
                c.prepare("SELECT digest, file FROM bundle WHERE role = 'carried' AND state = 'to_deliver' ORDER BY created_at")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let engine = base64::engine::general_purpose::STANDARD;
        let mut delivered = 0;
        for (held, file) in waiting {
            if http.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let body = serde_json::to_vec(&DeliverRequest { bundle: engine.encode(&file) })?;
            let answer = match http.call(reqwest::Method::POST, "/v1/bundles", Some(&body), true) {
                Ok(bytes) => http.json::<DeliverResponse>(&bytes)?,
                Err(Error::Server { status, code, message }) if (400..500).contains(&status) && status != 401 => {
                    let now = self.now_ms();
                    self.with_writer(|tx, _| {
                        tx.execute(
                            "UPDATE bundle SET state = 'refused', note = ?2, updated_at = ?3 WHERE digest = ?1",
                            params![held, format!("{code}: {message}"), now],
                        )?;
                        Ok(())
                    })?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let decode = |b64: &str| engine.decode(b64).map_err(|e| Error::Network(format!("the server's answer was damaged: {e}")));
            let mut answers = vec![decode(&answer.receipt)?];
            if let Some(inbound) = &answer.inbound {
                answers.push(decode(inbound)?);
            }
            let now = self.now_ms();
            let manifests = answers.iter().map(|a| bundle::read_manifest(a)).collect::<Result<Vec<_>>>()?;
            self.with_writer(|tx, _| {
                for (m, file) in manifests.iter().zip(&answers) {
                    insert_carried(tx, m, file, &digest(file), "to_hand_on", now)?;
                }
                // Delivered: the file is no longer needed here.
                tx.execute("UPDATE bundle SET state = 'delivered', file = NULL, updated_at = ?2 WHERE digest = ?1", params![held, now])?;
                Ok(())
            })?;
            delivered += 1;
        }
        Ok(delivered)
    }
}
