//! The rights of the people in the data (UU 27/2022), through the real server and phones: a
//! person's data exported on request by their supervisor, their file erased everywhere by one
//! request and one sync of each phone, and a log of who read or erased it. Nobody else may.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::{EntityKind, Sex};
use desmig_core::scope::Role;
use desmig_e2e::raw::{error_code, raw_client};
use desmig_e2e::*;
use serde_json::{json, Value};

const NIK: &str = "3212015708900001";

/// An authenticated request to the data-requests API, as `device`'s user.
fn call(server: &TestServer, device: &Device, method: &str, path: &str, body: Option<Value>) -> (u16, Vec<u8>) {
    let http = reqwest::blocking::Client::new();
    let url = format!("{}{path}", server.url);
    let req = match method {
        "POST" => http.post(url).json(&body.unwrap_or(Value::Null)),
        _ => http.get(url),
    };
    let resp = req.bearer_auth(&device.settings.token).send().unwrap();
    (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

/// Sri (facilitator of the village) registers Siti with a visit and a follow-up, and syncs;
/// Budi (the district's supervisor) syncs too.
fn village_with_siti(server: &TestServer) -> (Device, Device, String) {
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let siti = sri
        .store
        .register_beneficiary(BeneficiaryInput {
            nik: Some(NIK.into()),
            phone: Some("0812-3456-7890".into()),
            ..BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)
        })
        .unwrap();
    let t = sri.store.template("initial_assessment", None).unwrap();
    let visit = sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), Some("Usaha warung Bu Siti".into()), vec![]).unwrap();
    sri.store.add_follow_up(&siti.id, Some(&visit.id), "Antar ke pelatihan", desmig_core::date::Date::new(2026, 12, 20).unwrap()).unwrap();
    sri.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE)).unwrap();
    sri.sync().unwrap();
    let budi = Device::login(&server.url, "budi");
    budi.sync().unwrap();
    assert_eq!(budi.store.search_beneficiaries("siti", 10).unwrap().len(), 1);
    (sri, budi, siti.id)
}

#[test]
fn an_erased_person_disappears_from_every_phone_after_one_sync_and_the_server_keeps_only_the_tombstone() {
    let server = TestServer::start();
    let (sri, budi, siti) = village_with_siti(&server);
    server.add_user("pmi-siti", Role::Worker, &[], &[], Some(&siti));
    let worker = Device::login(&server.url, "pmi-siti");
    worker.sync().unwrap();
    // Sri changes Siti's phone number offline: the change is still in her outbox at the erasure.
    let mut edit = BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE);
    edit.nik = Some(NIK.into());
    edit.phone = Some("0857-1111-2222".into());
    sri.store.update_beneficiary(&siti, edit).unwrap();
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 1);

    let (status, body) = call(
        &server,
        &budi,
        "POST",
        &format!("/v1/beneficiaries/{siti}/erasure"),
        Some(json!({"reason": "Permintaan tertulis no. 12/XII/2026"})),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let tombstone = json_of(&body);
    assert_eq!(tombstone["beneficiary_id"], siti.as_str());
    assert_eq!(tombstone["reason"], "Permintaan tertulis no. 12/XII/2026");

    // The server: nothing of Siti but the tombstone; Rina untouched.
    let dump = server.dump();
    for secret in ["Siti Aminah", NIK, "Usaha warung", "+6281234567890"] {
        assert!(!dump.contains(secret), "{secret} is gone from the server");
    }
    assert!(dump.contains("Rina Marlina"));
    if let Some(path) = server.sqlite_path() {
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(format!("{}-wal", path.display())).unwrap_or_default());
        for secret in ["Siti Aminah", NIK, "Usaha warung"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} is not in the server's file or WAL");
        }
    }
    let kept = server.storage.find_erasure(&siti).unwrap().expect("tombstone");
    assert_eq!((kept.village_code.as_str(), kept.reason.as_str()), (VILLAGE, "Permintaan tertulis no. 12/XII/2026"));
    assert!(server.storage.read_person(&siti).unwrap().is_none());

    // Every phone, after one sync: no record, no search hit, no waiting change.
    let report = sri.sync().unwrap();
    assert!(report.error.is_none(), "{report:?}");
    budi.sync().unwrap();
    for device in [&sri, &budi] {
        assert!(device.store.beneficiary(&siti).is_err(), "the file is gone");
        assert!(device.store.search_beneficiaries("siti", 10).unwrap().is_empty(), "the name is out of the search");
        assert!(device.store.search_beneficiaries(&NIK[..8], 10).unwrap().is_empty(), "the NIK is out of the search");
        assert_eq!(device.store.search_beneficiaries("rina", 10).unwrap().len(), 1, "other files stay");
        for table in ["visit", "follow_up", "conflict"] {
            assert_eq!(count(&device.path, table), 0, "{table}");
        }
        assert!(!device.dump().contains("Siti Aminah"));
    }
    assert!(sri.store.pending_operations(10).unwrap().is_empty() && sri.store.rejected_operations().unwrap().is_empty());
    assert_eq!(count(&sri.path, "outbox"), 0, "the refused change to Siti went with her file");
    // Her own phone held nothing but her file: it is revoked, and wipes itself at its next sync.
    assert!(worker.store.beneficiary(&siti).is_ok(), "until it syncs");
    let err = worker.sync().unwrap_err();
    assert_eq!(err.code(), "device_revoked", "{err}");
    assert_eq!(count(&worker.path, "beneficiary"), 0);
    assert!(worker.store.identity().is_none());

    // A phone that still holds the file (offline all along) cannot bring it back.
    let (stale, raw) = raw_client(&server, "sri");
    let op = desmig_e2e::raw::beneficiary_op(&stale, json!({"full_name": "Siti Aminah", "nik": NIK}));
    let op = desmig_core::merge::Operation { entity_id: siti.clone(), ..op };
    let (status, body) = raw.push(vec![op]);
    assert_eq!(status, 200);
    let results = json_of(&body);
    assert_eq!(results["results"][0]["status"], "rejected");
    assert_eq!(results["results"][0]["code"], "erased", "{results}");
    assert!(!server.dump().contains("Siti Aminah"));

    // Erasing again answers the same tombstone; the log shows the erasure.
    let (status, body) = call(&server, &budi, "POST", &format!("/v1/beneficiaries/{siti}/erasure"), Some(json!({"reason": "lagi"})));
    assert_eq!((status, json_of(&body)["erased_at"].clone()), (200, tombstone["erased_at"].clone()));
    let (status, body) = call(&server, &budi, "GET", &format!("/v1/beneficiaries/{siti}/access-log"), None);
    assert_eq!(status, 200);
    let log = json_of(&body);
    assert_eq!(log["entries"][0]["action"], "erase");
    assert_eq!(log["entries"][0]["username"], "budi");
    assert_eq!(log["entries"][0]["device_id"], budi.store.device_id());
}

#[test]
fn a_supervisor_exports_a_persons_data_as_json_and_as_a_page_and_each_read_is_logged() {
    let server = TestServer::start();
    let (_sri, budi, siti) = village_with_siti(&server);
    let (status, body) = call(&server, &budi, "GET", &format!("/v1/beneficiaries/{siti}/export"), None);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let export = json_of(&body);
    let kinds: Vec<&str> = export["records"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    for kind in [EntityKind::Beneficiary, EntityKind::Visit, EntityKind::FollowUp] {
        assert!(kinds.contains(&kind.table()), "{kind:?} in {kinds:?}");
    }
    let person = export["records"].as_array().unwrap().iter().find(|r| r["kind"] == "beneficiary").unwrap();
    assert_eq!((person["fields"]["full_name"].as_str(), person["fields"]["nik"].as_str()), (Some("Siti Aminah"), Some(NIK)));
    assert!(!body.windows(12).any(|w| w == b"Rina Marlina"), "only her own file");
    assert_eq!(export["exported_by"], "budi");

    let (status, page) = call(&server, &budi, "GET", &format!("/v1/beneficiaries/{siti}/export?format=html"), None);
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, 200);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("Siti Aminah") && page.contains("Usaha warung Bu Siti"));
    assert!(page.contains("Siapa yang membuka data ini"), "the page shows who read the file before");

    let (_, body) = call(&server, &budi, "GET", &format!("/v1/beneficiaries/{siti}/access-log"), None);
    let entries = json_of(&body)["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2, "two exports: {entries:?}");
    assert!(entries.iter().all(|e| e["action"] == "export" && e["username"] == "budi"));

    let (status, body) = call(&server, &budi, "GET", &format!("/v1/beneficiaries/{siti}/export?format=pdf"), None);
    assert_eq!((status, error_code(&body)), (400, "invalid_format".to_string()));
    let (status, _) = call(&server, &budi, "GET", "/v1/beneficiaries/no-such-person/export", None);
    assert_eq!(status, 404);
}

#[test]
fn only_the_persons_district_supervisor_or_an_admin_may_export_erase_or_read_the_log() {
    let server = TestServer::start();
    let (sri, budi, siti) = village_with_siti(&server);
    server.add_user("dewi", Role::Supervisor, &[], &["32.13"], None);
    server.add_user("pmi-siti", Role::Worker, &[], &[], Some(&siti));
    server.add_user("admin", Role::Admin, &[], &[], None);
    let dewi = Device::login(&server.url, "dewi");
    let worker = Device::login(&server.url, "pmi-siti");
    let erase = json!({"reason": "Permintaan 1"});
    for (who, device) in [("facilitator", &sri), ("other district's supervisor", &dewi), ("the worker", &worker)] {
        for (method, path, body) in [
            ("GET", format!("/v1/beneficiaries/{siti}/export"), None),
            ("POST", format!("/v1/beneficiaries/{siti}/erasure"), Some(erase.clone())),
            ("GET", format!("/v1/beneficiaries/{siti}/access-log"), None),
        ] {
            let (status, body) = call(&server, device, method, &path, body);
            assert_eq!((status, error_code(&body)), (403, "not_supervisor".to_string()), "{who}: {method} {path}");
        }
    }
    assert!(server.storage.read_person(&siti).unwrap().is_some(), "nothing was erased");
    assert!(server.storage.read_access(&siti).unwrap().is_empty(), "refused reads are not reads");
    // No token, a bad id, a bad reason.
    let (status, body) = reqwest::blocking::get(format!("{}/v1/beneficiaries/{siti}/export", server.url))
        .map(|r| (r.status().as_u16(), r.bytes().unwrap().to_vec()))
        .unwrap();
    assert_eq!((status, error_code(&body)), (401, "missing_token".to_string()));
    let (status, body) = call(&server, &budi, "GET", "/v1/beneficiaries/..%2Fetc/export", None);
    assert_eq!((status, error_code(&body)), (400, "invalid_id".to_string()));
    for reason in [json!({"reason": ""}), json!({"reason": "x".repeat(201)}), json!({"alasan": "?"})] {
        let (status, _) = call(&server, &budi, "POST", &format!("/v1/beneficiaries/{siti}/erasure"), Some(reason.clone()));
        assert_eq!(status, 400, "{reason}");
    }
    // An administrator may, anywhere.
    let admin = Device::login(&server.url, "admin");
    let (status, _) = call(&server, &admin, "GET", &format!("/v1/beneficiaries/{siti}/export"), None);
    assert_eq!(status, 200);
}
