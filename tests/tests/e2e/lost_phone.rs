//! Lost phones and ended sessions: a revoked phone erases what it holds at its next contact; a
//! new password or a disabled account ends every session; the app reaches a server only over
//! HTTPS (plain HTTP only to this machine).

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_core::Error;
use desmig_e2e::*;

fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        bytes.extend(std::fs::read(std::path::PathBuf::from(p)).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_revoked_phone_erases_what_it_holds_at_its_next_sync() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    let nik = "3212015708900002";
    let siti = sri
        .store
        .register_beneficiary(BeneficiaryInput { nik: Some(nik.into()), ..BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE) })
        .unwrap();
    let t = sri.store.template("initial_assessment", None).unwrap();
    sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), Some("Usaha warung Bu Siti".into()), vec![]).unwrap();
    sri.sync().unwrap();
    // A change made after the last sync, then the phone is reported lost.
    sri.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE)).unwrap();
    assert!(sri.dump().contains("Siti Aminah"), "the phone holds her file (encrypted: not in the file's bytes)");
    assert!(!contains(&file_bytes(&sri.path), "Siti Aminah"));
    server.storage.revoke_device(sri.store.device_id(), desmig_core::date::now_unix_ms()).unwrap();

    let err = sri.sync().unwrap_err();
    assert!(matches!(err, Error::DeviceRevoked(_)), "{err}");
    assert_eq!(sri.store.last_sync().unwrap().unwrap().error_code.as_deref(), Some("device_revoked"));
    assert!(sri.store.identity().is_none());
    for table in ["beneficiary", "visit", "outbox", "conflict"] {
        assert_eq!(count(&sri.path, table), 0, "{table} is empty");
    }
    assert!(sri.store.check_integrity().unwrap().is_empty());
    let bytes = file_bytes(&sri.path);
    for secret in ["Siti Aminah", "Rina Marlina", nik, "Usaha warung"] {
        assert!(!contains(&bytes, secret), "{secret} is gone from the file");
    }
    // The server still has what the phone had sent; the phone cannot sign in again.
    assert!(server.dump().contains("Siti Aminah"));
    let again = sri.store.login(&server.url, "sri", PASSWORD).unwrap_err();
    assert_eq!(again.code(), "device_revoked");
}

#[test]
fn a_new_password_or_a_disabled_account_ends_every_session() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let phone = Device::login(&server.url, "sri");
    let tablet = Device::login(&server.url, "sri");
    phone.store.register_beneficiary(BeneficiaryInput::new("Siti", Sex::Female, VILLAGE)).unwrap();
    server.storage.set_password("sri", "sandi-baru-2026").unwrap();
    for d in [&phone, &tablet] {
        match d.sync() {
            Err(Error::LoginRequired(m)) => assert!(m.contains("ended"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    // Nothing is erased: the unsent registration waits for the new login.
    assert_eq!(phone.store.outbox_counts().unwrap().pending, 1);
    let relogged = Device::login_with(&server.url, "sri", "sandi-baru-2026");
    relogged.sync().unwrap();

    server.storage.set_disabled("sri", true).unwrap();
    assert!(matches!(relogged.sync(), Err(Error::LoginRequired(_))));
    let dir = tempfile::tempdir().unwrap();
    let fresh = desmig_core::FieldStore::open(dir.path().join("f.db")).unwrap();
    match fresh.login(&server.url, "sri", "sandi-baru-2026") {
        Err(Error::LoginRequired(m)) => assert!(m.contains("disabled"), "{m}"),
        other => panic!("{other:?}"),
    }
    server.storage.set_disabled("sri", false).unwrap();
    fresh.login(&server.url, "sri", "sandi-baru-2026").unwrap();
}

#[test]
fn the_app_reaches_a_server_only_over_https_but_on_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let store = desmig_core::FieldStore::open(dir.path().join("f.db")).unwrap();
    let refused = store.login("http://sync.desmigratif.example", "sri", PASSWORD).unwrap_err();
    assert_eq!(refused.code(), "insecure_server_url", "{refused}");
    let odd = store.login("ftp://sync.desmigratif.example", "sri", PASSWORD).unwrap_err();
    assert!(matches!(&odd, Error::Validation(f) if f[0].field == "server_url"), "{odd}");
    for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        // Allowed (this machine): it fails only because nothing listens there.
        let e = store.login(url, "sri", PASSWORD).unwrap_err();
        assert_eq!(e.code(), "network", "{url}: {e}");
    }
}
