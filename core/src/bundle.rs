//! Store-and-forward: a phone's changes travel to the server as one file that any phone, laptop
//! or USB stick can carry, and the server's answer comes back the same way, without the carrier
//! being able to read or alter either.
//!
//! A bundle file is, in order:
//! - [`MAGIC`] (8 bytes);
//! - the manifest's length (4 bytes, big-endian) and the [`Manifest`] (JSON, in clear: what a
//!   carrier may know — which bundle, from whom, to whom, how many changes, when);
//! - the HPKE encapsulated key (32 bytes);
//! - the ciphertext: HPKE (RFC 9180, base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//!   ChaCha20-Poly1305; the `hpke` crate) sealed to the recipient's public key, with the
//!   manifest as associated data, of: the sender's Ed25519 signature (64 bytes, over
//!   [`SIGNED_CONTEXT`] ‖ manifest ‖ body) followed by the body (gzip of the payload's JSON).
//!
//! So a flipped byte anywhere, a manifest changed by the carrier, or a file sealed for another
//! recipient fails to open (`bundle_damaged`); a bundle signed by any key but the sender's
//! registered one is refused (`bundle_bad_signature`). Three kinds: `outbound` (a phone's
//! pending operations and its feed cursor, phone → server), `receipt` (the server's result for
//! each operation, server → phone) and `inbound` (the feed pages after the phone's cursor,
//! server → phone). Documented in docs/sync-protocol.md.

use crate::error::{Error, Result};
use crate::merge::Operation;
use crate::protocol::OpResult;
use ed25519_dalek::Signer;
use hpke::{Deserializable, Kem as _, Serializable};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::io::{Read, Write};

pub const MAGIC: &[u8; 8] = b"DESMIGB1";
/// HPKE's `info`: binds every bundle to this format.
pub const INFO: &[u8] = b"desmig bundle v1";
/// What the sender's signature covers, before the manifest and the body.
pub const SIGNED_CONTEXT: &[u8] = b"desmig bundle v1 signature";
/// A bundle file is at most this long (in base64 it still fits the HTTP body limit, 2 MiB)…
pub const MAX_BUNDLE_BYTES: usize = 3 << 19;
/// …and its body inflates to at most this.
pub const MAX_PAYLOAD_BYTES: usize = 8 << 20;
/// An outbound bundle carries at most this many operations (the oldest pending first).
pub const MAX_BUNDLE_OPS: usize = 5000;

type Kem = hpke::kem::X25519HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;
type Kdf = hpke::kdf::HkdfSha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    Outbound,
    Receipt,
    Inbound,
}

impl BundleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleKind::Outbound => "outbound",
            BundleKind::Receipt => "receipt",
            BundleKind::Inbound => "inbound",
        }
    }
}

/// The clear part of a bundle: enough to route and list it, nothing of its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub kind: BundleKind,
    pub bundle_id: String,
    /// The sending device's id, or `server:<key id>`.
    pub from: String,
    /// `server:<key id>`, or the receiving device's id.
    pub to: String,
    /// The user signed in on the device that made (outbound) or receives (receipt, inbound) the
    /// bundle: keys are registered per device and user, so another account signing in with a
    /// device's id cannot take over that device's keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Operations (outbound), results (receipt) or changes (inbound) inside.
    pub count: u64,
    /// Unix ms, on the sender's clock.
    pub created: i64,
    /// A receipt's or an inbound bundle's: the outbound bundle it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

/// How a server is named in manifests: `server:` and its key id.
pub fn server_address(seal_public: &str) -> String {
    format!("server:{}", key_id(seal_public))
}

/// A public key's short id: its first 8 bytes in hex.
pub fn key_id(public_hex: &str) -> String {
    public_hex.chars().take(16).collect()
}

/// What an outbound bundle carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundPayload {
    pub ops: Vec<Operation>,
    /// Where the phone's feed stands: the server answers with the pages after it.
    pub cursor: String,
}

/// What a receipt carries: the server's result for each operation of one bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptPayload {
    pub results: Vec<OpResult>,
}

/// What an inbound bundle carries: pull pages (as the pull answers them), in order, starting
/// after `from_cursor`.
#[derive(Debug, Serialize, Deserialize)]
pub struct InboundPayload {
    pub from_cursor: String,
    pub pages: Vec<Box<RawValue>>,
}

/// The public half of a party's keys, in hex: `sign` (Ed25519) checks its signatures, `seal`
/// (X25519) is what bundles for it are sealed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    pub sign: String,
    pub seal: String,
}

/// A party's secret keys, from two 32-byte seeds (kept in the encrypted store on a phone, in the
/// database on the server).
pub struct SecretKeys {
    sign: ed25519_dalek::SigningKey,
    seal: <Kem as hpke::Kem>::PrivateKey,
    public: PublicKeys,
}

fn bad(code: &'static str, message: impl Into<String>) -> Error {
    Error::refused(code, message)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str, what: &str) -> Result<[u8; N]> {
    let invalid = || bad("invalid_key", format!("{what} is not {N} bytes of hex"));
    if s.len() != N * 2 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).map_err(|_| invalid())?;
    }
    Ok(out)
}

/// Two fresh seeds (hex), from the operating system's randomness.
pub fn fresh_seeds() -> Result<(String, String)> {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    for seed in [&mut a, &mut b] {
        rand_core::TryRngCore::try_fill_bytes(&mut rand_core::OsRng, seed).map_err(|e| Error::Corrupt(format!("no randomness: {e}")))?;
    }
    Ok((hex(&a), hex(&b)))
}

impl PublicKeys {
    /// Both keys are real keys: an Ed25519 point and a 32-byte X25519 key (what a login
    /// registers; a malformed one is refused there, not when a bundle is answered).
    pub fn check(&self) -> Result<()> {
        ed25519_dalek::VerifyingKey::from_bytes(&unhex::<32>(&self.sign, "the signing key")?)
            .map_err(|e| bad("invalid_key", format!("the signing key is not an Ed25519 key: {e}")))?;
        <Kem as hpke::Kem>::PublicKey::from_bytes(&unhex::<32>(&self.seal, "the sealing key")?)
            .map_err(|e| bad("invalid_key", format!("the sealing key is not an X25519 key: {e}")))?;
        Ok(())
    }
}

impl SecretKeys {
    pub fn from_seeds(sign_seed: &str, seal_seed: &str) -> Result<SecretKeys> {
        let sign = ed25519_dalek::SigningKey::from_bytes(&unhex::<32>(sign_seed, "signing seed")?);
        let (seal, seal_public) = Kem::derive_keypair(&unhex::<32>(seal_seed, "sealing seed")?);
        let public = PublicKeys { sign: hex(sign.verifying_key().as_bytes()), seal: hex(&seal_public.to_bytes()) };
        Ok(SecretKeys { sign, seal, public })
    }

    pub fn public(&self) -> &PublicKeys {
        &self.public
    }
}

fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), flate2::Compression::default());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

fn gunzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .take(MAX_PAYLOAD_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| bad("bundle_damaged", format!("the bundle's content does not inflate: {e}")))?;
    if out.len() > MAX_PAYLOAD_BYTES {
        return Err(bad("bundle_too_large", format!("a bundle's content is at most {MAX_PAYLOAD_BYTES} bytes")));
    }
    Ok(out)
}

/// Seals `payload` (JSON) from `sender` to the holder of `recipient_seal` (hex): a bundle file.
pub fn seal(manifest: &Manifest, payload: &[u8], sender: &SecretKeys, recipient_seal: &str) -> Result<Vec<u8>> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(bad(
            "bundle_too_large",
            format!("a bundle's content is at most {MAX_PAYLOAD_BYTES} bytes; this one is {}", payload.len()),
        ));
    }
    let manifest_json = serde_json::to_vec(manifest)?;
    let body = gzip(payload)?;
    let mut signed = Vec::with_capacity(SIGNED_CONTEXT.len() + manifest_json.len() + body.len());
    signed.extend_from_slice(SIGNED_CONTEXT);
    signed.extend_from_slice(&manifest_json);
    signed.extend_from_slice(&body);
    let signature = sender.sign.sign(&signed);
    let mut plaintext = Vec::with_capacity(64 + body.len());
    plaintext.extend_from_slice(&signature.to_bytes());
    plaintext.extend_from_slice(&body);
    let recipient = <Kem as hpke::Kem>::PublicKey::from_bytes(&unhex::<32>(recipient_seal, "the recipient's key")?)
        .map_err(|e| bad("invalid_key", format!("the recipient's key is not an X25519 key: {e}")))?;
    let (encapped, ciphertext) = hpke::single_shot_seal::<Aead, Kdf, Kem, _>(
        &hpke::OpModeS::Base,
        &recipient,
        INFO,
        &plaintext,
        &manifest_json,
        &mut rand_core::TryRngCore::unwrap_err(rand_core::OsRng),
    )
    .map_err(|e| Error::Corrupt(format!("cannot seal the bundle: {e}")))?;
    let mut file = Vec::with_capacity(MAGIC.len() + 4 + manifest_json.len() + 32 + ciphertext.len());
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&(manifest_json.len() as u32).to_be_bytes());
    file.extend_from_slice(&manifest_json);
    file.extend_from_slice(&encapped.to_bytes());
    file.extend_from_slice(&ciphertext);
    if file.len() > MAX_BUNDLE_BYTES {
        return Err(bad("bundle_too_large", format!("the bundle would be {} bytes; at most {MAX_BUNDLE_BYTES}", file.len())));
    }
    Ok(file)
}

/// The clear parts of a bundle file: its manifest (parsed), the manifest's bytes, and the rest.
fn split(file: &[u8]) -> Result<(Manifest, &[u8], &[u8])> {
    let malformed = |why: &str| bad("bundle_malformed", format!("not a desmig bundle: {why}"));
    if file.len() > MAX_BUNDLE_BYTES {
        return Err(bad("bundle_too_large", format!("a bundle is at most {MAX_BUNDLE_BYTES} bytes")));
    }
    if file.len() < MAGIC.len() + 4 || &file[..MAGIC.len()] != MAGIC {
        return Err(malformed("it does not start as one"));
    }
    let len = u32::from_be_bytes(file[8..12].try_into().expect("4 bytes")) as usize;
    if len > 4096 || file.len() < 12 + len + 32 + 16 {
        return Err(malformed("its parts do not add up"));
    }
    let manifest_json = &file[12..12 + len];
    let manifest: Manifest = serde_json::from_slice(manifest_json).map_err(|e| malformed(&format!("its manifest does not read: {e}")))?;
    if manifest.format != 1 {
        return Err(bad("bundle_unsupported", format!("bundle format {} is not supported; update the app", manifest.format)));
    }
    Ok((manifest, manifest_json, &file[12 + len..]))
}

/// The manifest of a bundle file, read without any key (what a carrier sees).
pub fn read_manifest(file: &[u8]) -> Result<Manifest> {
    split(file).map(|(m, _, _)| m)
}

/// Opens a bundle sealed to `recipient`, and checks its signature with the key `sender_sign`
/// (hex) returns for its manifest (the registered key of the device it claims to come from, or
/// the server's). Returns the manifest and the payload's JSON.
pub fn open(file: &[u8], recipient: &SecretKeys, sender_sign: impl FnOnce(&Manifest) -> Result<String>) -> Result<(Manifest, Vec<u8>)> {
    let (manifest, manifest_json, rest) = split(file)?;
    let damaged = || bad("bundle_damaged", "the bundle was altered, damaged, or sealed for someone else: it does not open");
    let encapped = <Kem as hpke::Kem>::EncappedKey::from_bytes(&rest[..32]).map_err(|_| damaged())?;
    let plaintext =
        hpke::single_shot_open::<Aead, Kdf, Kem>(&hpke::OpModeR::Base, &recipient.seal, &encapped, INFO, &rest[32..], manifest_json)
            .map_err(|_| damaged())?;
    if plaintext.len() < 64 {
        return Err(damaged());
    }
    let (signature, body) = plaintext.split_at(64);
    let key = sender_sign(&manifest)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&unhex::<32>(&key, "the sender's key")?)
        .map_err(|e| bad("invalid_key", format!("the sender's key is not an Ed25519 key: {e}")))?;
    let mut signed = Vec::with_capacity(SIGNED_CONTEXT.len() + manifest_json.len() + body.len());
    signed.extend_from_slice(SIGNED_CONTEXT);
    signed.extend_from_slice(manifest_json);
    signed.extend_from_slice(body);
    let signature = ed25519_dalek::Signature::from_bytes(signature.try_into().expect("64 bytes"));
    key.verify_strict(&signed, &signature)
        .map_err(|_| bad("bundle_bad_signature", format!("the bundle is not signed by {}'s registered key", manifest.from)))?;
    Ok((manifest, gunzip(body)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SecretKeys {
        let (a, b) = fresh_seeds().unwrap();
        SecretKeys::from_seeds(&a, &b).unwrap()
    }

    fn manifest(from: &str, to: &str) -> Manifest {
        Manifest {
            format: 1,
            kind: BundleKind::Outbound,
            bundle_id: "b1".into(),
            from: from.into(),
            to: to.into(),
            user: Some("u1".into()),
            count: 1,
            created: 1_765_000_000_000,
            answers: None,
        }
    }

    #[test]
    fn a_bundle_opens_only_for_its_recipient_and_only_as_signed() {
        let (phone, server, other) = (keys(), keys(), keys());
        let file = seal(&manifest("phone-1", "server:x"), b"{\"ops\":[]}", &phone, &server.public().seal).unwrap();
        assert_eq!(read_manifest(&file).unwrap().from, "phone-1");
        let (m, payload) = open(&file, &server, |_| Ok(phone.public().sign.clone())).unwrap();
        assert_eq!((m.bundle_id.as_str(), payload.as_slice()), ("b1", b"{\"ops\":[]}".as_slice()));

        let code = |r: Result<(Manifest, Vec<u8>)>| r.map(|_| ()).unwrap_err().code().to_string();
        // Sealed for the server: another key cannot open it.
        assert_eq!(code(open(&file, &other, |_| Ok(phone.public().sign.clone()))), "bundle_damaged");
        // Signed by the phone: checked against another device's key, refused.
        assert_eq!(code(open(&file, &server, |_| Ok(other.public().sign.clone()))), "bundle_bad_signature");
        // Any byte flipped, in the manifest or the ciphertext.
        for i in [13, 40, file.len() / 2, file.len() - 1] {
            let mut bent = file.clone();
            bent[i] ^= 0x01;
            let c = code(open(&bent, &server, |_| Ok(phone.public().sign.clone())));
            assert!(c == "bundle_damaged" || c == "bundle_malformed", "byte {i}: {c}");
        }
        assert_eq!(code(open(b"not a bundle at all", &server, |_| Ok(String::new()))), "bundle_malformed");
    }

    #[test]
    fn the_same_seeds_give_the_same_keys() {
        let (a, b) = fresh_seeds().unwrap();
        assert_eq!(SecretKeys::from_seeds(&a, &b).unwrap().public(), SecretKeys::from_seeds(&a, &b).unwrap().public());
        assert_eq!(SecretKeys::from_seeds("zz", &b).err().unwrap().code(), "invalid_key");
    }
}
