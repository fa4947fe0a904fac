//! HTTPS end to end: the server serves TLS itself, a phone that trusts its certificate syncs over
//! it, and a phone that does not refuses to send anything.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_core::sync::{CancelToken, SyncSettings};
use desmig_core::FieldStore;
use desmig_e2e::*;

#[test]
fn a_phone_syncs_over_https_with_a_server_it_trusts() {
    let server = TestServer::start_tls();
    assert!(server.url.starts_with("https://127.0.0.1:"));
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let dir = tempfile::tempdir().unwrap();
    let phone = FieldStore::open(dir.path().join("f.db")).unwrap();
    phone.trust_certificate(Some(&test_certificate())).unwrap();
    let login = phone.login(&server.url, "sri", PASSWORD).unwrap();
    phone.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let report = phone.sync(&SyncSettings::new(&server.url, &login.token), None, &CancelToken::new()).unwrap();
    assert_eq!((report.pushed, report.rejected), (1, 0));
    assert!(server.dump().contains("Siti Aminah"));
    // Plain HTTP to the TLS port gets nothing.
    let plain = server.url.replace("https://", "http://");
    let answer = reqwest::blocking::Client::new().get(format!("{plain}/healthz")).send();
    assert!(answer.is_err() || !answer.unwrap().status().is_success());
}

#[test]
fn a_phone_refuses_a_server_whose_certificate_it_does_not_trust() {
    let server = TestServer::start_tls();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let dir = tempfile::tempdir().unwrap();
    let phone = FieldStore::open(dir.path().join("f.db")).unwrap();
    let e = phone.login(&server.url, "sri", PASSWORD).unwrap_err();
    assert_eq!(e.code(), "network", "{e}");
    assert!(e.to_string().to_lowercase().contains("certificate"), "says why: {e}");
    assert!(phone.identity().is_none());
    let bad = phone.trust_certificate(Some("not a certificate")).unwrap_err();
    assert!(matches!(&bad, desmig_core::Error::Validation(f) if f[0].code == "invalid_certificate"), "{bad}");
}
