//! Encryption at rest: every store is a SQLCipher database (AES-256 pages with an HMAC each,
//! SQLCipher 4's defaults) opened with a raw 256-bit key, so no key derivation runs at open. The
//! phone's key is random, made on first run and kept by the platform (Android Keystore, iOS
//! Keychain); the server's comes from a file or the environment.
//!
//! A store that cannot be read with the key given is an error ([`Error::StoreKey`]), never a new
//! empty store. A plain store from before encryption is encrypted once, in a copy that replaces
//! it only when complete.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The first 16 bytes of every plain SQLite file; an encrypted file starts with random salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A store's 256-bit key. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey([u8; 32]);

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(…)")
    }
}

impl DbKey {
    /// Exactly 32 bytes, else `invalid_key`.
    pub fn from_bytes(bytes: &[u8]) -> Result<DbKey> {
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::store_key("invalid_key", format!("a store key is 32 bytes (256 bits), this one is {}", bytes.len())))?;
        Ok(DbKey(key))
    }

    /// 64 hexadecimal digits (surrounding white space ignored), else `invalid_key`.
    pub fn from_hex(text: &str) -> Result<DbKey> {
        let text = text.trim();
        let bad = || Error::store_key("invalid_key", "a store key is 64 hexadecimal digits (256 bits)");
        if text.len() != 64 || !text.is_ascii() {
            return Err(bad());
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(DbKey(key))
    }

    fn pragma_value(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!("\"x'{hex}'\"")
    }
}

/// What is at a path before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file, or an empty one: a new store.
    New,
    Plain,
    Encrypted,
}

pub fn file_state(path: &Path) -> Result<FileState> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::New),
        Err(e) => return Err(e.into()),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileState::New,
        16 if &header == PLAIN_HEADER => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

/// Opens the first connection of this process to the store at `path` with `key` (or a plain one
/// without), and proves the key by reading the schema. A plain file opened with a key is
/// encrypted first. Further connections: [`open_another`].
pub fn open(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    match (file_state(path)?, key) {
        (FileState::Plain, Some(key)) if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) => encrypt_plain_file(path, key)?,
        (FileState::Encrypted, None) => {
            return Err(Error::store_key("wrong_key", format!("{} is encrypted and no key was given", path.display())))
        }
        _ => {}
    }
    if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) && file_state(path)? != FileState::New {
        // Prove the key read-only first: a writable connection refused would still checkpoint
        // the WAL into the file when it closes.
        keyed(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    }
    keyed(path, key, flags)
}

/// Opens one more connection to a store this process already opened with [`open`] (the key is
/// proved, the file is what it is). It never opens the file outside SQLite: on POSIX, closing any
/// descriptor of a file drops every lock this process holds on it, and a server that lost its
/// lock on the database would let another process (an admin command) think it was the last one
/// and delete the WAL under the server.
pub fn open_another(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    keyed(path, key, flags)
}

fn keyed(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = {};", key.pragma_value()))?;
    }
    prove(&conn, path)?;
    Ok(conn)
}

/// Reads the schema: the first read that needs the key.
fn prove(conn: &Connection, path: &Path) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            Err(Error::store_key("wrong_key", format!("the key does not open {}", path.display())))
        }
        Err(e) => Err(e.into()),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Encrypts a plain store in place: exports it, pages and schema version, into an encrypted
/// copy beside it, then renames the copy over it. A crash before the rename leaves the plain
/// store whole (the copy is redone at the next open); after it, the encrypted one.
pub fn encrypt_plain_file(path: &Path, key: &DbKey) -> Result<()> {
    let copy = sibling(path, ".encrypting");
    let _ = std::fs::remove_file(&copy);
    {
        let conn = Connection::open(path)?;
        // Bring every committed change in from the WAL: the copy is made from the main file.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ''", [copy.to_string_lossy()])?;
        conn.execute_batch(&format!(
            "PRAGMA encrypted.key = {};
             SELECT sqlcipher_export('encrypted');
             PRAGMA encrypted.user_version = {version};
             DETACH DATABASE encrypted;",
            key.pragma_value()
        ))?;
    }
    std::fs::File::open(&copy)?.sync_all()?;
    std::fs::rename(&copy, path)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_exactly_256_bits() {
        assert!(DbKey::from_bytes(&[7; 32]).is_ok());
        assert_eq!(DbKey::from_bytes(&[7; 16]).unwrap_err().code(), "invalid_key");
        assert!(DbKey::from_hex(&"ab".repeat(32)).is_ok());
        assert_eq!(DbKey::from_hex("abc").unwrap_err().code(), "invalid_key");
        assert_eq!(DbKey::from_hex(&"zz".repeat(32)).unwrap_err().code(), "invalid_key");
        assert_eq!(format!("{:?}", DbKey::from_bytes(&[7; 32]).unwrap()), "DbKey(…)");
    }
}
