//! Store-and-forward: a village's changes travel by file. A phone that never reaches coverage
//! hands a sealed, signed bundle to a carrier; the carrier (who cannot read it) delivers it at
//! its next sync and brings back the receipt and the village's news, sealed to the origin. A
//! bundle that was altered, signed by another device, sent by a revoked one or made for another
//! server is refused with a typed code and nothing is applied; a bundle delivered twice, or
//! beside a direct sync of the same operations, applies once.

use base64::Engine as _;
use desmig_core::bundle::{self, BundleKind, Manifest};
use desmig_core::carry::ImportOutcome;
use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::protocol::{DeliverRequest, DeliverResponse};
use desmig_core::scope::Role;
use desmig_e2e::raw::{error_code, raw_client, Client};
use desmig_e2e::*;

fn deliver(c: &Client, file: &[u8]) -> (u16, Vec<u8>) {
    let body = serde_json::to_vec(&DeliverRequest { bundle: base64::engine::general_purpose::STANDARD.encode(file) }).unwrap();
    c.post("/v1/bundles", body, "1", true)
}

fn answer(c: &Client, file: &[u8]) -> DeliverResponse {
    let (status, body) = deliver(c, file);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn a_phone_never_online_again_delivers_500_visits_through_a_carrier_and_gets_its_receipt_and_news_back() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    // Sri signs in once at the district office (her keys are registered), then works offline.
    let sri = Device::login(&server.url, "sri");
    sri.sync().unwrap();
    let t = sri.store.template("initial_assessment", None).unwrap();
    let mut visits = vec![];
    for i in 0..100 {
        let name = format!("Siti {}", ["Aminah", "Rahayu", "Wulandari", "Susanti", "Lestari"][i % 5]);
        let b = sri.store.register_beneficiary(BeneficiaryInput::new(&name, Sex::Female, VILLAGE)).unwrap();
        for _ in 0..5 {
            visits.push(sri.store.record_visit(&b.id, &t.id, t.sample_answers(), Some("Kunjungan rutin".into()), vec![]).unwrap().id);
        }
    }
    assert_eq!(visits.len(), 500);
    let pending = sri.store.outbox_counts().unwrap().pending;
    assert_eq!(pending, 600, "100 files and 500 visits wait");
    // Meanwhile Wati, in coverage, registers someone in the same village.
    let wati = Device::login(&server.url, "wati");
    wati.store.register_beneficiary(BeneficiaryInput::new("Ratna Dewi", Sex::Female, VILLAGE)).unwrap();
    wati.sync().unwrap();

    let started = std::time::Instant::now();
    let out = sri.store.export_bundle().unwrap();
    let exported_in = started.elapsed();
    assert_eq!(out.count, 600);
    let m = bundle::read_manifest(&out.file).unwrap();
    assert_eq!((m.kind, m.from.as_str(), m.count), (BundleKind::Outbound, sri.store.device_id(), 600));
    assert!(!contains(&out.file, "Siti") && !contains(&out.file, VILLAGE), "the carrier cannot read names or places");
    println!("bundle of 600 operations (500 visits): {} bytes, exported in {exported_in:?}", out.file.len());

    // Budi, the supervisor, is given the file (Bluetooth, a messaging app, a USB stick)…
    let budi = Device::login(&server.url, "budi");
    let took = budi.store.import_bundle(&out.file).unwrap();
    assert_eq!(took.outcome, ImportOutcome::ToDeliver);
    assert_eq!(budi.store.import_bundle(&out.file).unwrap().outcome, ImportOutcome::AlreadyHad);
    assert_eq!(server.storage.stats().unwrap().records, 1, "nothing arrived before the carrier syncs");
    // …and his next sync delivers it.
    budi.sync().unwrap();
    assert_eq!(server.storage.stats().unwrap().records, 601, "Wati's file, Sri's 100 files and 500 visits");
    let carried = budi.store.bundles().unwrap();
    let state_of = |id: &str| carried.iter().find(|b| b.bundle_id == id).map(|b| b.state.clone());
    assert_eq!(state_of(&out.bundle_id).as_deref(), Some("delivered"));
    let for_sri: Vec<_> = carried.iter().filter(|b| b.peer == sri.store.device_id() && b.state == "to_hand_on").collect();
    assert_eq!(for_sri.len(), 2, "a receipt and an inbound bundle to take back: {carried:?}");
    // The core says where each stands, for both apps' lists, and which files are worth sharing.
    let delivered = carried.iter().find(|b| b.bundle_id == out.bundle_id).unwrap();
    assert_eq!((delivered.group, delivered.shareable), (desmig_core::carry::BundleGroup::Delivered, false));
    assert!(for_sri.iter().all(|b| b.group == desmig_core::carry::BundleGroup::ToHandOn && b.shareable));

    // Back in the village, Sri takes the receipt: her outbox empties as a push's answer would.
    let receipt = for_sri.iter().find(|b| b.kind == BundleKind::Receipt).unwrap();
    let file = budi.store.bundle_file(&receipt.bundle_id).unwrap();
    let r = sri.store.import_bundle(&file).unwrap();
    assert_eq!((r.outcome, r.count), (ImportOutcome::Acknowledged, 600));
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 0);
    let sent = sri.store.bundles().unwrap().into_iter().find(|b| b.bundle_id == out.bundle_id).unwrap();
    assert_eq!(sent.state, "acknowledged");
    assert_eq!((sent.group, sent.shareable), (desmig_core::carry::BundleGroup::Acknowledged, false));
    // And the village's news: Wati's registration reaches her offline phone.
    assert!(sri.store.search_beneficiaries("Ratna", 10).unwrap().is_empty());
    let inbound = for_sri.iter().find(|b| b.kind == BundleKind::Inbound).unwrap();
    let file = budi.store.bundle_file(&inbound.bundle_id).unwrap();
    assert_eq!(sri.store.import_bundle(&file).unwrap().outcome, ImportOutcome::Applied);
    assert_eq!(sri.store.search_beneficiaries("Ratna", 10).unwrap().len(), 1);
    assert_eq!(sri.store.import_bundle(&file).unwrap().outcome, ImportOutcome::AlreadyHad);
    // Her feed continues from the bundle's end: the next direct sync brings nothing again.
    let report = sri.sync().unwrap();
    assert_eq!((report.pushed, report.duplicates), (0, 0));
    assert!(report.pulled <= 1, "{report:?}");
    wati.sync().unwrap();
    assert_eq!(canonical_dump(&open_db(&sri.path)), canonical_dump(&open_db(&wati.path)), "every phone of the village holds the same");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn altered_foreign_revoked_and_misaddressed_bundles_are_refused_and_nothing_is_applied() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let wati = Device::login(&server.url, "wati");
    let (_budi, carrier) = raw_client(&server, "budi");
    let siti = sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    sri.sync().unwrap();
    server.add_user("siti", Role::Worker, &[], &[], Some(&siti.id));
    sri.store.register_beneficiary(BeneficiaryInput::new("Sari Wulandari", Sex::Female, VILLAGE)).unwrap();
    let out = sri.store.export_bundle().unwrap();
    let before = server.storage.stats().unwrap();

    // A flipped byte, in the manifest or the sealed part.
    for at in [20, out.file.len() / 2, out.file.len() - 1] {
        let mut bent = out.file.clone();
        bent[at] ^= 0x40;
        let (status, body) = deliver(&carrier, &bent);
        let code = error_code(&body);
        assert!(status == 400 && (code == "bundle_damaged" || code == "bundle_malformed"), "byte {at}: {status} {code}");
    }
    // Sri's operations in a bundle that says it is from Sri but is signed by Wati's phone.
    let ops: Vec<_> = sri.store.pending_operations(100).unwrap().into_iter().map(|e| e.op).collect();
    let server_keys = sri.store.server_keys().unwrap();
    let forged = Manifest { bundle_id: uuid::Uuid::now_v7().to_string(), ..bundle::read_manifest(&out.file).unwrap() };
    let payload = serde_json::to_vec(&bundle::OutboundPayload { ops: ops.clone(), cursor: String::new() }).unwrap();
    let file = bundle::seal(&forged, &payload, &wati.store.device_keys().unwrap(), &server_keys.seal).unwrap();
    let (status, body) = deliver(&carrier, &file);
    assert_eq!((status, error_code(&body).as_str()), (403, "bundle_bad_signature"));
    // Wati's own signed bundle carrying Sri's operations: they name another device and user.
    let wati_says = Manifest { from: wati.store.device_id().into(), user: Some(wati.store.identity().unwrap().user_id), ..forged.clone() };
    let file = bundle::seal(&wati_says, &payload, &wati.store.device_keys().unwrap(), &server_keys.seal).unwrap();
    let (status, body) = deliver(&carrier, &file);
    assert_eq!((status, error_code(&body).as_str()), (403, "forged_operation"));
    // A worker's token cannot carry bundles.
    let (_w, worker) = raw_client(&server, "siti");
    let (status, body) = deliver(&worker, &out.file);
    assert_eq!((status, error_code(&body).as_str()), (403, "not_a_carrier"));
    // A bundle made for another server: the carrier's phone refuses it, and so does this server.
    let other = TestServer::start();
    other.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let elsewhere = Device::login(&other.url, "sri");
    elsewhere.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE)).unwrap();
    let foreign = elsewhere.store.export_bundle().unwrap();
    let (status, body) = deliver(&carrier, &foreign.file);
    assert_eq!((status, error_code(&body).as_str()), (400, "bundle_wrong_server"));
    let budi = Device::login(&server.url, "budi");
    assert_eq!(budi.store.import_bundle(&foreign.file).unwrap_err().code(), "bundle_wrong_server");
    assert_eq!(sri.store.import_bundle(&out.file).unwrap_err().code(), "bundle_own");
    // A revoked phone's bundle.
    wati.store.register_beneficiary(BeneficiaryInput::new("Ratna Dewi", Sex::Female, VILLAGE)).unwrap();
    let wati_out = wati.store.export_bundle().unwrap();
    server.storage.revoke_device(wati.store.device_id(), desmig_core::date::now_unix_ms()).unwrap();
    let (status, body) = deliver(&carrier, &wati_out.file);
    assert_eq!((status, error_code(&body).as_str()), (403, "device_revoked"));
    // Garbage, and a file that is no bundle at all.
    let (status, body) = carrier.post("/v1/bundles", br#"{"bundle": "***"}"#.to_vec(), "1", true);
    assert_eq!((status, error_code(&body).as_str()), (400, "bundle_malformed"));
    let (status, body) = deliver(&carrier, b"PK\x03\x04 a zip file");
    assert_eq!((status, error_code(&body).as_str()), (400, "bundle_malformed"));

    // Wati signs in claiming Sri's device id, with keys of her own: Sri's keys stay bound to Sri,
    // and a bundle in Sri's name signed with Wati's keys is still refused.
    let hijack = desmig_core::protocol::LoginRequest {
        username: "wati".into(),
        password: PASSWORD.into(),
        device_id: sri.store.device_id().into(),
        device_keys: Some(wati.store.device_keys().unwrap().public().clone()),
    };
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/auth/login", server.url))
        .header("x-desmig-protocol", "1")
        .json(&hijack)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) =
        deliver(&carrier, &bundle::seal(&forged, &payload, &wati.store.device_keys().unwrap(), &server_keys.seal).unwrap());
    assert_eq!((status, error_code(&body).as_str()), (403, "bundle_bad_signature"));
    let unnamed = Manifest { user: None, ..forged.clone() };
    let (status, body) =
        deliver(&carrier, &bundle::seal(&unnamed, &payload, &sri.store.device_keys().unwrap(), &server_keys.seal).unwrap());
    assert_eq!((status, error_code(&body).as_str()), (400, "bundle_malformed"));

    assert_eq!(server.storage.stats().unwrap(), before, "nothing was applied");
    // The untouched bundle still goes through.
    assert_eq!(answer(&carrier, &out.file).applied, 1);
}

#[test]
fn a_bundle_delivered_twice_or_beside_a_direct_sync_applies_once() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let (_budi, carrier) = raw_client(&server, "budi");
    for name in ["Siti Aminah", "Rina Marlina", "Dewi Lestari"] {
        sri.store.register_beneficiary(BeneficiaryInput::new(name, Sex::Female, VILLAGE)).unwrap();
    }
    let first = sri.store.export_bundle().unwrap();
    let a = answer(&carrier, &first.file);
    assert_eq!((a.applied, a.duplicates, a.rejected), (3, 0, 0));
    let again = answer(&carrier, &first.file);
    assert_eq!((again.applied, again.duplicates), (0, 3), "the same bundle twice applies once");
    assert_eq!(server.storage.stats().unwrap().applied_ops, 3);

    // Sri reaches coverage before the receipt reaches her: her direct sync finds them applied.
    let report = sri.sync().unwrap();
    assert_eq!((report.pushed, report.duplicates), (0, 3));
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 0);
    let sent = sri.store.bundles().unwrap().into_iter().find(|b| b.bundle_id == first.bundle_id).unwrap();
    assert_eq!(sent.state, "acknowledged", "answered by the direct sync");
    // The late receipt changes nothing.
    let r = sri.store.import_bundle(&b64(&a.receipt)).unwrap();
    assert_eq!(r.outcome, ImportOutcome::Acknowledged);
    // The other way round: synced first, then the bundle arrives.
    sri.store.register_beneficiary(BeneficiaryInput::new("Wulan Sari", Sex::Female, VILLAGE)).unwrap();
    let second = sri.store.export_bundle().unwrap();
    sri.sync().unwrap();
    let late = answer(&carrier, &second.file);
    assert_eq!((late.applied, late.duplicates), (0, 1));
    assert_eq!(server.storage.stats().unwrap().applied_ops, 4);
    // An inbound bundle made before the phone's own sync is stale: refused, nothing changes.
    if let Some(inbound) = &again.inbound {
        assert_eq!(sri.store.import_bundle(&b64(inbound)).unwrap_err().code(), "bundle_stale");
    }
}

#[test]
fn a_new_password_a_new_user_on_the_phone_and_a_junk_copy_cannot_misuse_a_bundle() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let mut sri = Device::login(&server.url, "sri");
    let (_budi, carrier) = raw_client(&server, "budi");

    // A junk file that copies a real bundle's clear manifest does not stand in for it.
    sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let out = sri.store.export_bundle().unwrap();
    let mut junk = out.file.clone();
    let last = junk.len() - 1;
    junk[last] ^= 0x01;
    let budi = Device::login(&server.url, "budi");
    assert_eq!(budi.store.import_bundle(&junk).unwrap().outcome, ImportOutcome::ToDeliver);
    assert_eq!(budi.store.import_bundle(&out.file).unwrap().outcome, ImportOutcome::ToDeliver, "the real file is kept too");
    budi.sync().unwrap();
    let states: Vec<_> = budi.store.bundles().unwrap().into_iter().filter(|b| b.bundle_id == out.bundle_id).map(|b| b.state).collect();
    assert!(states.contains(&"refused".to_string()) && states.contains(&"delivered".to_string()), "{states:?}");
    assert_eq!(server.storage.stats().unwrap().records, 1);

    // A new password ends Sri's sessions, and her bundles with them until she signs in again.
    sri.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE)).unwrap();
    let before_reset = sri.store.export_bundle().unwrap();
    server.storage.set_password("sri", "kata-sandi-baru-2026").unwrap();
    let (status, body) = deliver(&carrier, &before_reset.file);
    assert_eq!((status, error_code(&body).as_str()), (403, "bundle_unknown_device"));
    assert_eq!(server.storage.stats().unwrap().records, 1, "nothing applied");
    sri.settings.token = sri.store.login(&server.url, "sri", "kata-sandi-baru-2026").unwrap().token;
    assert_eq!(answer(&carrier, &before_reset.file).applied, 1, "her keys are registered again at her login");

    // Wati signs in on Sri's phone (Sri's changes are all sent): the phone makes keys of its own
    // for Wati, and Sri's answers can no longer be opened there.
    sri.sync().unwrap();
    let for_sri = answer(&carrier, &sri.store.export_bundle().unwrap().file);
    sri.store.login(&server.url, "wati", PASSWORD).unwrap();
    assert_eq!(sri.store.import_bundle(&b64(&for_sri.receipt)).unwrap_err().code(), "bundle_wrong_user");
    let wati_out = sri.store.export_bundle().unwrap();
    assert_eq!(bundle::read_manifest(&wati_out.file).unwrap().user, Some(sri.store.identity().unwrap().user_id));
    assert_eq!(answer(&carrier, &wati_out.file).rejected, 0);
}

#[test]
fn operations_the_server_refuses_stay_on_the_phone_with_their_reason_after_the_receipt() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE, VILLAGE_2], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let (_budi, carrier) = raw_client(&server, "budi");
    sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    sri.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE_2)).unwrap();
    let out = sri.store.export_bundle().unwrap();
    // While the file travels, the second village is given to another facilitator.
    server.storage.assign("sri", &[VILLAGE.into()], &[]).unwrap();
    let a = answer(&carrier, &out.file);
    assert_eq!((a.applied, a.rejected), (1, 1));
    let r = sri.store.import_bundle(&b64(&a.receipt)).unwrap();
    assert_eq!(r.outcome, ImportOutcome::Acknowledged);
    let counts = sri.store.outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.rejected), (0, 1), "the refused one stays, visibly");
    let refused = sri.store.rejected_operations().unwrap();
    assert_eq!(refused[0].reject_code.as_deref(), Some("out_of_scope"));
}
