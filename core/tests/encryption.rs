//! Encryption at rest: a lost phone's file gives away nothing without its key; a wrong key is a
//! typed error that changes nothing; a plain store from an older app is encrypted once and keeps
//! every record and every unsent change.

mod common;
use common::*;
use desmig_core::cipher::{self, DbKey, FileState};
use desmig_core::FieldStore;
use std::path::{Path, PathBuf};

const NIK: &str = "3212015708900001";
const NOTE: &str = "Usaha warung kelontong Bu Siti";

fn key(byte: u8) -> DbKey {
    DbKey::from_bytes(&[byte; 32]).unwrap()
}

/// The file and its WAL, as a thief copying them would have them.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A facilitator's store with one registered worker and one visit with notes, none synced.
fn fill(store: &FieldStore) -> String {
    store.set_today(Some(today()));
    store.set_identity(Some(facilitator())).unwrap();
    let siti = store.register_beneficiary(siti()).unwrap();
    let t = store.template("initial_assessment", None).unwrap();
    store.record_visit(&siti.id, &t.id, t.sample_answers(), Some(NOTE.into()), vec![]).unwrap();
    siti.id
}

#[test]
fn an_encrypted_store_holds_no_name_nik_or_note_in_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("field.db");
    let store = FieldStore::open_encrypted(&path, &key(1)).unwrap();
    let id = fill(&store);
    assert_eq!(store.beneficiary(&id).unwrap().full_name, "Siti Aminah");
    assert_eq!(cipher::file_state(&path).unwrap(), FileState::Encrypted);
    let bytes = file_bytes(&path);
    for secret in ["Siti Aminah", NIK, NOTE, "SQLite format 3"] {
        assert!(!contains(&bytes, secret), "{secret} is not readable in the file");
    }

    // The same data in a plain store, for contrast: the test would see it.
    let plain_path = dir.path().join("plain.db");
    fill(&FieldStore::open(&plain_path).unwrap());
    let plain = file_bytes(&plain_path);
    assert!(contains(&plain, "Siti Aminah") && contains(&plain, NIK));
}

#[test]
fn a_wrong_or_missing_key_is_refused_typed_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("field.db");
    // The phone's app is still running: its changes are in the WAL, not yet in the file.
    let running = FieldStore::open_encrypted(&path, &key(1)).unwrap();
    let id = fill(&running);
    let before = file_bytes(&path);

    let wrong = FieldStore::open_encrypted(&path, &key(2)).err().expect("a wrong key is refused");
    assert_eq!(wrong.code(), "wrong_key", "{wrong}");
    let missing = FieldStore::open(&path).err().expect("no key is refused");
    assert_eq!(missing.code(), "wrong_key", "{missing}");
    assert_eq!(
        desmig_core::ApiError::from(wrong),
        desmig_core::ApiError::StoreKey { code: "wrong_key".into(), message: format!("the key does not open {}", path.display()) }
    );
    assert!(file_bytes(&path) == before, "the refused opens wrote nothing");
    drop(running);

    let store = FieldStore::open_encrypted(&path, &key(1)).unwrap();
    store.set_identity(Some(facilitator())).unwrap();
    assert_eq!(store.beneficiary(&id).unwrap().nik.as_deref(), Some(NIK));
    assert_eq!(store.pending_operations(10).unwrap().len(), 2, "the unsent changes are still there");
    assert_eq!(DbKey::from_bytes(&[1; 31]).unwrap_err().code(), "invalid_key");
}

#[test]
fn a_plain_store_is_encrypted_once_and_keeps_every_record_and_unsent_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("field.db");
    let (id, device_id, pending) = {
        let store = FieldStore::open(&path).unwrap();
        let id = fill(&store);
        (id, store.device_id().to_string(), store.pending_operations(10).unwrap())
    };
    assert_eq!(cipher::file_state(&path).unwrap(), FileState::Plain);

    let store = FieldStore::open_encrypted(&path, &key(3)).unwrap();
    assert_eq!(cipher::file_state(&path).unwrap(), FileState::Encrypted);
    store.set_identity(Some(facilitator())).unwrap();
    assert_eq!(store.device_id(), device_id, "the device keeps its id");
    assert_eq!(store.beneficiary_file(&id).unwrap().visits.len(), 1);
    assert_eq!(store.search_beneficiaries("siti", 10).unwrap().len(), 1, "the search index came along");
    let after = store.pending_operations(10).unwrap();
    assert_eq!(after.iter().map(|e| &e.op).collect::<Vec<_>>(), pending.iter().map(|e| &e.op).collect::<Vec<_>>());
    assert!(store.check_integrity().unwrap().is_empty());
    // It keeps working as the same store: a new change, then a reopen.
    store
        .register_beneficiary(desmig_core::field::BeneficiaryInput::new("Rina Marlina", desmig_core::model::Sex::Female, VILLAGE))
        .unwrap();
    drop(store);
    let again = FieldStore::open_encrypted(&path, &key(3)).unwrap();
    again.set_identity(Some(facilitator())).unwrap();
    assert_eq!(again.pending_operations(10).unwrap().len(), 3);
    assert!(!contains(&file_bytes(&path), "Siti Aminah"));
    assert!(!dir.path().join("field.db.encrypting").exists());
}
