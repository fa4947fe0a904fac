//! End-to-end sync: phones with real database files and a real sync server over loopback HTTP.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::*;
use desmig_core::scope::Role;
use desmig_core::sync::Resolution;
use desmig_core::Error;
use desmig_e2e::*;

fn register(d: &Device, name: &str, village: &str) -> Beneficiary {
    d.store.register_beneficiary(BeneficiaryInput::new(name, Sex::Female, village)).unwrap()
}

fn with_phone(b: &Beneficiary, phone: &str) -> BeneficiaryInput {
    BeneficiaryInput { phone: Some(phone.into()), ..BeneficiaryInput::new(&b.full_name, b.sex, &b.village_code) }
}

#[test]
fn two_facilitators_and_a_supervisor_converge_and_see_the_conflict() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let wati = Device::login(&server.url, "wati");
    let budi = Device::login(&server.url, "budi");

    let siti = register(&sri, "Siti Aminah", VILLAGE);
    let t = sri.store.template("initial_assessment", None).unwrap();
    sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    sri.sync().unwrap();
    wati.sync().unwrap();
    assert_eq!(wati.store.beneficiary(&siti.id).unwrap().full_name, "Siti Aminah");

    // Offline, both change Siti's phone number; Wati also registers someone.
    sri.store.update_beneficiary(&siti.id, with_phone(&siti, "0812 1111 1111")).unwrap();
    wati.store.update_beneficiary(&siti.id, with_phone(&siti, "0813 2222 2222")).unwrap();
    register(&wati, "Rina", VILLAGE);

    for d in [&wati, &sri, &budi, &wati, &sri] {
        d.sync().unwrap();
    }
    let expected = server.dump();
    assert!(expected.contains("Rina"));
    for d in [&sri, &wati, &budi] {
        assert_eq!(d.dump(), expected, "every replica holds the same data");
    }
    // The later write won; the other is kept as a conflict the supervisor can see.
    let phone = budi.store.beneficiary(&siti.id).unwrap().phone.unwrap();
    let conflicts = budi.store.conflicts(false).unwrap();
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!((c.field.as_str(), c.beneficiary_name.as_str()), ("phone", "Siti Aminah"));
    assert_eq!(c.current_value, serde_json::json!(phone));
    assert_ne!(c.losing_value, c.current_value);

    // A facilitator cannot resolve it; the supervisor takes the losing value, and it syncs.
    assert!(matches!(sri.store.resolve_conflict(&c.id, Resolution::TakeLosing), Err(Error::NotAllowed { .. })));
    budi.store.resolve_conflict(&c.id, Resolution::TakeLosing).unwrap();
    for d in [&budi, &sri, &wati] {
        d.sync().unwrap();
    }
    let expected = server.dump();
    for d in [&sri, &wati, &budi] {
        assert_eq!(d.dump(), expected);
        assert!(d.store.conflicts(false).unwrap().is_empty() || d.store.identity().unwrap().role != Role::Supervisor);
    }
    assert_eq!(sri.store.beneficiary(&siti.id).unwrap().phone, c.losing_value.as_str().map(String::from));
    assert_eq!(budi.store.conflicts(true).unwrap()[0].resolved_by.as_deref(), Some(budi.store.identity().unwrap().user_id.as_str()));
}

#[test]
fn a_facilitator_only_ever_receives_their_villages() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("ayu", Role::Facilitator, &[SUBANG], &[], None);
    let sri = Device::login(&server.url, "sri");
    let ayu = Device::login(&server.url, "ayu");
    register(&sri, "Siti", VILLAGE);
    register(&ayu, "Nining", SUBANG);
    sri.sync().unwrap();
    ayu.sync().unwrap();
    sri.sync().unwrap();
    assert_eq!(count(&sri.path, "beneficiary"), 1);
    assert_eq!(count(&ayu.path, "beneficiary"), 1);
    assert!(!sri.dump().contains("Nining"));
}

#[test]
fn a_worker_receives_only_their_own_file() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    let siti = register(&sri, "Siti Aminah", VILLAGE);
    register(&sri, "Rina", VILLAGE);
    let app = desmig_core::model::CapitalApplication {
        id: String::new(),
        beneficiary_id: siti.id.clone(),
        source: CapitalSource::Kur,
        bank: Some(Bank::Bri),
        kur_scheme: Some(KurScheme::SuperMikro),
        business_id: None,
        purpose: None,
        amount_requested: 10_000_000,
        amount_approved: None,
        amount_disbursed: None,
        stage: desmig_core::status::CapitalStage::Submitted,
        submitted_on: None,
        disbursed_on: None,
        rejection_reason: None,
    };
    sri.store.save_capital_application(app, None).unwrap();
    sri.sync().unwrap();
    server.add_user("siti", Role::Worker, &[], &[], Some(&siti.id));
    let phone = Device::login(&server.url, "siti");
    phone.sync().unwrap();
    let mine = phone.store.my_file().unwrap();
    assert_eq!(mine.beneficiary.full_name, "Siti Aminah");
    assert_eq!(mine.capital_applications[0].stage, desmig_core::status::CapitalStage::Submitted);
    assert_eq!(count(&phone.path, "beneficiary"), 1, "Rina never reaches Siti's phone");
}

#[test]
fn a_rejected_operation_stays_visible_with_its_reason_and_does_not_block_the_rest() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE, VILLAGE_2], &[], None);
    let sri = Device::login(&server.url, "sri");
    // The server's region list drops Haurgeulis; the phone still has it.
    let csv: String =
        desmig_core::region::BUILTIN_REGIONS_CSV.lines().filter(|l| !l.starts_with(VILLAGE_2)).map(|l| format!("{l}\n")).collect();
    server.storage.load_regions(&csv).unwrap();
    register(&sri, "Siti", VILLAGE_2);
    register(&sri, "Rina", VILLAGE);
    let report = sri.sync().unwrap();
    assert_eq!((report.pushed, report.rejected), (1, 1));
    let rejected = sri.store.rejected_operations().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].reject_code.as_deref(), Some("invalid"));
    assert!(rejected[0].reject_message.as_deref().unwrap().contains("village_code"), "{:?}", rejected[0].reject_message);
    assert!(server.dump().contains("Rina") && !server.dump().contains("Siti"));
    // The rejected change is still on the phone, and a later sync does not resend it.
    assert_eq!(sri.store.search_beneficiaries("siti", 5).unwrap().len(), 1);
    assert_eq!(sri.sync().unwrap().rejected, 0);
    assert_eq!(sri.store.last_sync().unwrap().unwrap().error, None);
}

#[test]
fn expired_and_revoked_tokens_must_log_in_again() {
    let server = TestServer::start_with(desmig_sync_server::http::HttpConfig { token_ttl_ms: 1500, ..Default::default() });
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    sri.sync().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1700));
    let err = sri.sync().unwrap_err();
    assert!(matches!(err, Error::LoginRequired(_)), "{err}");
    assert!(sri.store.last_sync().unwrap().unwrap().error.unwrap().contains("log in again"));

    let sri = Device::login(&server.url, "sri");
    sri.sync().unwrap();
    server.storage.revoke_device(sri.store.device_id(), desmig_core::date::now_unix_ms()).unwrap();
    // A revoked device is a lost phone: it erases itself (tests/tests/e2e/lost_phone.rs) and cannot
    // log in again.
    assert!(matches!(sri.sync(), Err(Error::DeviceRevoked(_))));
    let again = sri.store.login(&server.url, "sri", PASSWORD).unwrap_err();
    assert!(matches!(again, Error::DeviceRevoked(_)), "a revoked device cannot log in again: {again}");
    let wrong = Device::login(&server.url, "sri").store.login(&server.url, "sri", "salah-sandi").unwrap_err();
    assert!(matches!(wrong, Error::LoginRequired(_)), "{wrong}");
}

#[test]
fn a_moved_beneficiary_reaches_the_new_villages_facilitator_with_their_file() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE, VILLAGE_2], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE_2], &[], None);
    let sri = Device::login(&server.url, "sri");
    let wati = Device::login(&server.url, "wati");
    let siti = register(&sri, "Siti", VILLAGE);
    let t = sri.store.template("business_plan", None).unwrap();
    sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    sri.sync().unwrap();
    wati.sync().unwrap();
    assert_eq!(count(&wati.path, "beneficiary"), 0);
    sri.store.update_beneficiary(&siti.id, BeneficiaryInput::new("Siti", Sex::Female, VILLAGE_2)).unwrap();
    sri.sync().unwrap();
    wati.sync().unwrap();
    let file = wati.store.beneficiary_file(&siti.id).unwrap();
    assert_eq!(file.visits.len(), 1, "the visit made before the move arrives with the file");

    // And a facilitator of only the village she left forgets her file on the next sync.
    server.add_user("ani", Role::Facilitator, &[VILLAGE_2], &[], None);
    let ani = Device::login(&server.url, "ani");
    ani.sync().unwrap();
    assert_eq!(count(&ani.path, "visit"), 1);
    sri.store.update_beneficiary(&siti.id, BeneficiaryInput::new("Siti", Sex::Female, VILLAGE)).unwrap();
    sri.sync().unwrap();
    ani.sync().unwrap();
    assert_eq!((count(&ani.path, "beneficiary"), count(&ani.path, "visit")), (0, 0), "NIKs do not linger on phones out of scope");
    wati.sync().unwrap();
    assert_eq!(count(&wati.path, "beneficiary"), 0);
}

#[test]
fn a_village_given_to_another_facilitator_arrives_on_their_next_sync() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE_2], &[], None);
    let sri = Device::login(&server.url, "sri");
    let wati = Device::login(&server.url, "wati");
    register(&sri, "Siti", VILLAGE);
    sri.sync().unwrap();
    wati.sync().unwrap();
    assert_eq!(count(&wati.path, "beneficiary"), 0);
    server.storage.assign("wati", &[VILLAGE_2.into(), VILLAGE.into()], &[]).unwrap();
    wati.sync().unwrap();
    assert_eq!(wati.store.identity().unwrap().villages, [VILLAGE_2, VILLAGE]);
    assert_eq!(wati.store.search_beneficiaries("siti", 5).unwrap().len(), 1);

    // Taken away again: the village's files leave her phone, except what she has not sent yet.
    let rina = wati.store.register_beneficiary(BeneficiaryInput::new("Rina", Sex::Female, VILLAGE)).unwrap();
    assert_eq!(rina.village_code, VILLAGE);
    server.storage.assign("wati", &[VILLAGE_2.into()], &[]).unwrap();
    let report = wati.sync().unwrap();
    assert_eq!(report.rejected, 1, "her unsent registration in the old village is refused, visibly");
    assert_eq!(count(&wati.path, "beneficiary"), 1, "only the refused change stays on the phone");
    assert_eq!(count(&wati.path, "outbox"), 1);
    assert_eq!(wati.store.rejected_operations().unwrap()[0].op.entity_id, rina.id);
}

#[test]
fn a_new_checklist_version_reaches_the_phones() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    sri.sync().unwrap();
    let mut t: serde_json::Value = serde_json::from_str(desmig_core::checklist::BUILTIN_TEMPLATES[4]).unwrap();
    t["version"] = serde_json::json!(2);
    t["items"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": "pakai_qris_baru", "kind": "yes_no", "label": {"id": "Sudah pakai QRIS?", "en": "Uses QRIS?"}}));
    server.storage.publish_template(&t.to_string()).unwrap();
    sri.sync().unwrap();
    let v2 = sri.store.template("business_monitoring", None).unwrap();
    assert_eq!(v2.version, 2);
    assert!(v2.item("pakai_qris_baru").is_some());
    assert_eq!(sri.store.template("business_monitoring", Some(1)).unwrap().version, 1, "old visits keep their version");
}

#[test]
fn a_no_change_sync_is_one_small_round_trip() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    register(&sri, "Siti", VILLAGE);
    sri.sync().unwrap();
    sri.sync().unwrap();
    let idle = sri.sync().unwrap();
    assert_eq!(idle.round_trips, 1);
    assert!(idle.bytes_sent + idle.bytes_received < 2048, "{idle:?}");
}

#[test]
fn a_pull_page_with_more_after_it_names_the_next_cursor_in_its_headers() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    for name in ["Aminah", "Ratna", "Wulan", "Dewi", "Sari"].iter().flat_map(|a| ["Siti", "Nur", "Sri", "Tuti"].map(|b| format!("{b} {a}")))
    {
        register(&sri, &name, VILLAGE);
    }
    sri.sync().unwrap();

    // 20 records in pages of 8: the header, which arrives before the page, says where the next
    // page starts, exactly as the page itself does; the last page names no next page.
    let (_budi_raw, c) = desmig_e2e::raw::raw_client(&server, "budi");
    let mut cursor = String::new();
    let mut pages = vec![];
    loop {
        let resp = c
            .http
            .get(format!("{}/v1/sync/pull?limit=8&cursor={cursor}", c.url))
            .header("x-desmig-protocol", "1")
            .bearer_auth(&c.token)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let header = resp.headers().get("x-desmig-next-cursor").map(|v| v.to_str().unwrap().to_string());
        let page: serde_json::Value = resp.json().unwrap();
        let next = page["next_cursor"].as_str().unwrap().to_string();
        let more = page["has_more"].as_bool().unwrap();
        pages.push(page["changes"].as_array().unwrap().len());
        if !more {
            assert_eq!(header, None, "the last page names no next page");
            break;
        }
        assert_eq!(header.as_deref(), Some(next.as_str()));
        cursor = next;
    }
    assert_eq!(pages, [8, 8, 4]);

    // The phone asks for each next page as soon as that header arrives, and stores all of them
    // in order, once each.
    let mut budi = Device::login(&server.url, "budi");
    budi.settings.pull_page = 3;
    budi.settings.pull_page_max = 3;
    let report = budi.sync().unwrap();
    assert_eq!(report.pulled, 20);
    assert_eq!(budi.dump(), server.dump());
    register(&sri, "Yani Baru", VILLAGE);
    sri.sync().unwrap();
    assert_eq!(budi.sync().unwrap().pulled, 1, "the cursor kept is the last page's");
}

#[test]
fn pull_pages_come_in_zstd_to_phones_that_take_it_and_in_gzip_to_older_clients() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    for name in ["Aminah", "Ratna", "Wulan", "Dewi", "Sari"]
        .iter()
        .flat_map(|a| ["Siti", "Nur", "Sri", "Tuti", "Yani", "Rina", "Eka", "Lina"].map(|b| format!("Siti {b} {a}")))
    {
        register(&sri, &name, VILLAGE);
    }
    sri.sync().unwrap();

    // The same page, asked for as each kind of client asks.
    let (_budi_raw, c) = desmig_e2e::raw::raw_client(&server, "budi");
    let page = |accept: Option<&str>| {
        let mut req = c.http.get(format!("{}/v1/sync/pull?limit=100", c.url)).header("x-desmig-protocol", "1").bearer_auth(&c.token);
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        let resp = req.send().unwrap();
        assert_eq!(resp.status(), 200);
        let coding = resp.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_string());
        (coding, resp.bytes().unwrap().to_vec())
    };
    let gunzip = |b: &[u8]| {
        let mut out = vec![];
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(b), &mut out).unwrap();
        out
    };
    let (coding, plain) = page(None);
    assert_eq!(coding, None, "a client that accepts no compression gets plain JSON");
    let records = |json: &[u8]| serde_json::from_slice::<serde_json::Value>(json).unwrap()["changes"].as_array().unwrap().len();
    assert_eq!(records(&plain), 40);

    let (coding, zstd_body) = page(Some("zstd, gzip"));
    assert_eq!(coding.as_deref(), Some("zstd"));
    let (coding, gzip_body) = page(Some("gzip"));
    assert_eq!(coding.as_deref(), Some("gzip"), "an older phone (gzip only) still gets gzip");
    let (coding, refused) = page(Some("zstd;q=0, gzip"));
    assert_eq!(coding.as_deref(), Some("gzip"), "a coding refused with q=0 is not used");
    // Each decodes to the same records (the cursor is the same page's; only timing fields differ).
    assert_eq!(records(&zstd::decode_all(&zstd_body[..]).unwrap()), 40);
    assert_eq!(records(&gunzip(&gzip_body)), 40);
    assert_eq!(records(&gunzip(&refused)), 40);
    assert!(zstd_body.len() < gzip_body.len(), "zstd {} bytes, gzip {} bytes", zstd_body.len(), gzip_body.len());

    // The phone's own client asks for zstd, reads it, and stores every record.
    let budi = Device::login(&server.url, "budi");
    let report = budi.sync().unwrap();
    assert_eq!(report.pulled, 40);
    assert_eq!(budi.store.search_beneficiaries("Siti", 100).unwrap().len(), 40);
}
