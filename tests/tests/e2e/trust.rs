//! The server trusts nothing it can check: each test is an attack a phone (or someone holding a
//! phone's token) could make, refused with the same code the phone's own rules give, and leaving
//! what is stored as it was. Runs on SQLite and on PostgreSQL.

use desmig_core::field::BeneficiaryInput;
use desmig_core::hlc::Hlc;
use desmig_core::model::{EntityKind, Sex};
use desmig_core::records::load_versioned;
use desmig_core::scope::Role;
use desmig_core::sync::Resolution;
use desmig_core::Error;
use desmig_e2e::raw::*;
use desmig_e2e::*;
use serde_json::json;

const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

/// The clock of a record as `device` stores it.
fn created(device: &Device, kind: EntityKind, id: &str) -> Hlc {
    let conn = open_db(&device.path);
    load_versioned(&conn, kind, id).unwrap().expect("record on the device").created
}

fn code_of(e: &Error) -> String {
    e.code().to_string()
}

fn register(d: &Device, name: &str) -> desmig_core::model::Beneficiary {
    d.store.register_beneficiary(BeneficiaryInput::new(name, Sex::Female, VILLAGE)).unwrap()
}

#[test]
fn a_facilitator_cannot_name_another_user_as_the_author_of_a_record() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let wati = server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, c) = raw_client(&server, "sri");
    let siti = register(&sri, "Siti");
    sri.sync().unwrap();
    let before = server.storage.stats().unwrap();

    let as_wati = beneficiary_op(&sri, json!({"registered_by": wati.id}));
    let t = sri.store.template("initial_assessment", None).unwrap();
    let visit_fields = |author: &str| {
        vec![
            ("beneficiary_id", json!(siti.id)),
            ("facilitator_id", json!(author)),
            ("template_id", json!(t.id)),
            ("template_version", json!(t.version)),
            ("started_at", json!(now())),
            ("status", json!("draft")),
        ]
    };
    let fields = |pairs: Vec<(&'static str, serde_json::Value)>| pairs.into_iter().map(|(k, v)| (k, v, None)).collect::<Vec<_>>();
    let visit = op_on(&sri, EntityKind::Visit, &uuid::Uuid::now_v7().to_string(), now(), &fields(visit_fields(&wati.id)));
    let follow_up = op_on(
        &sri,
        EntityKind::FollowUp,
        &uuid::Uuid::now_v7().to_string(),
        now(),
        &fields(vec![
            ("beneficiary_id", json!(siti.id)),
            ("action", json!("Antar ke BRI")),
            ("due_date", json!("2027-01-05")),
            ("created_by", json!(wati.id)),
        ]),
    );
    // Rewriting who registered an existing record is refused too.
    let rewrite = op_on(
        &sri,
        EntityKind::Beneficiary,
        &siti.id,
        now(),
        &[("registered_by", json!(wati.id), Some(created(&sri, EntityKind::Beneficiary, &siti.id)))],
    );
    let codes = codes(&c, vec![as_wati, visit, follow_up, rewrite]);
    assert_eq!(codes, vec![Some("wrong_author".to_string()); 4]);
    assert_eq!(server.storage.stats().unwrap(), before, "nothing was stored");
    // The honest version of the same visit is applied.
    let mine = op_on(
        &sri,
        EntityKind::Visit,
        &uuid::Uuid::now_v7().to_string(),
        now(),
        &fields(visit_fields(&sri.store.identity().unwrap().user_id)),
    );
    assert_eq!(desmig_e2e::raw::codes(&c, vec![mine]), vec![None]);
}

#[test]
fn only_a_supervisor_of_the_district_verifies_and_nobody_verifies_their_own_visit() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let budi = server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let andi = server.add_user("andi", Role::Supervisor, &[], &["32.12"], None);
    server.add_user("ayu", Role::Supervisor, &[], &["32.13"], None);
    server.add_user("admin", Role::Admin, &[], &[], None);
    let (sri, sri_raw) = raw_client(&server, "sri");
    let siti = register(&sri, "Siti");
    let t = sri.store.template("initial_assessment", None).unwrap();
    let visit = sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    sri.sync().unwrap();
    let base = Some(created(&sri, EntityKind::Visit, &visit.id));
    let verify = |d: &Device, by: &str| {
        op_on(
            d,
            EntityKind::Visit,
            &visit.id,
            now(),
            &[("verified_by", json!(by), base.clone()), ("verified_at", json!(now()), base.clone())],
        )
    };
    let sri_id = sri.store.identity().unwrap().user_id;

    // The facilitator verifying her own visit, or naming her supervisor as verifier.
    let server_codes = codes(&sri_raw, vec![verify(&sri, &sri_id), verify(&sri, &budi.id)]);
    assert_eq!(server_codes, [Some("not_supervisor".to_string()), Some("not_supervisor".to_string())]);
    // Her phone refuses the same, with the same code.
    let phone = sri.store.verify_visit(&visit.id).unwrap_err();
    assert_eq!(code_of(&phone), "not_supervisor");

    // A supervisor naming another supervisor; a supervisor of another district.
    let (budi_phone, budi_raw) = raw_client(&server, "budi");
    budi_phone.sync().unwrap();
    assert_eq!(codes(&budi_raw, vec![verify(&budi_phone, &andi.id)]), [Some("wrong_author".to_string())]);
    let (ayu, ayu_raw) = raw_client(&server, "ayu");
    assert_eq!(codes(&ayu_raw, vec![verify(&ayu, &ayu.store.identity().unwrap().user_id)]), [Some("out_of_scope".to_string())]);

    // An administrator who recorded a visit cannot verify it either: phone and server agree.
    let (admin, admin_raw) = raw_client(&server, "admin");
    admin.sync().unwrap();
    let own = admin.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    admin.sync().unwrap();
    assert_eq!(code_of(&admin.store.verify_visit(&own.id).unwrap_err()), "self_verification");
    let own_base = Some(created(&admin, EntityKind::Visit, &own.id));
    let admin_id = admin.store.identity().unwrap().user_id;
    let self_verify = op_on(
        &admin,
        EntityKind::Visit,
        &own.id,
        now(),
        &[("verified_by", json!(admin_id), own_base.clone()), ("verified_at", json!(now()), own_base)],
    );
    assert_eq!(codes(&admin_raw, vec![self_verify]), [Some("self_verification".to_string())]);

    // The district's supervisor verifies through the phone, and it counts.
    budi_phone.store.verify_visit(&visit.id).unwrap();
    let report = budi_phone.sync().unwrap();
    assert_eq!((report.pushed, report.rejected), (1, 0));
    sri.sync().unwrap();
    let file = sri.store.beneficiary_file(&siti.id).unwrap();
    let verified = file.visits.iter().find(|v| v.id == visit.id).unwrap();
    assert_eq!(verified.verified_by.as_deref(), Some(budi.id.as_str()));
}

#[test]
fn the_phone_and_the_server_refuse_the_same_writes_with_the_same_codes() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, raw) = raw_client(&server, "sri");
    // Out of scope: a beneficiary in Subang.
    let phone = sri.store.register_beneficiary(BeneficiaryInput::new("Nining", Sex::Female, SUBANG)).unwrap_err();
    let on_server = codes(&raw, vec![beneficiary_op(&sri, json!({"village_code": SUBANG}))]);
    assert_eq!(Some(code_of(&phone)), on_server[0]);
    assert_eq!(on_server[0].as_deref(), Some("out_of_scope"));
    // A NIK registered twice.
    let nik = "3212015708900002";
    let first = BeneficiaryInput { nik: Some(nik.into()), ..BeneficiaryInput::new("Siti", Sex::Female, VILLAGE) };
    sri.store.register_beneficiary(first.clone()).unwrap();
    sri.sync().unwrap();
    let phone = sri.store.register_beneficiary(BeneficiaryInput { full_name: "Siti Lain".into(), ..first }).unwrap_err();
    let (status, body) = raw.push(vec![beneficiary_op(&sri, json!({"nik": nik}))]);
    assert_eq!(status, 200);
    let resp: desmig_core::protocol::PushResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(Some(code_of(&phone)), resp.results[0].code);
    assert_eq!((resp.results[0].fields[0].field.as_str(), resp.results[0].fields[0].code.as_str()), ("nik", "duplicate"));
    // Written another way (spaces, as a form may send it), it is still the same NIK.
    let spaced = format!("{} {} {} ", &nik[..6], &nik[6..12], &nik[12..]);
    let (_, body) = raw.push(vec![beneficiary_op(&sri, json!({"nik": spaced}))]);
    let resp: desmig_core::protocol::PushResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(resp.results[0].fields.first().map(|f| f.code.as_str()), Some("duplicate"), "{:?}", resp.results[0]);
    // A family member linked to nobody the store has.
    let nobody = uuid::Uuid::now_v7().to_string();
    let family = BeneficiaryInput {
        kind: desmig_core::model::BeneficiaryKind::FamilyMember,
        family_of: Some(nobody.clone()),
        ..BeneficiaryInput::new("Adi", Sex::Male, VILLAGE)
    };
    let phone = sri.store.register_beneficiary(family).unwrap_err();
    let on_server = codes(&raw, vec![beneficiary_op(&sri, json!({"kind": "family_member", "family_of": nobody, "sex": "male"}))]);
    assert_eq!((Some(code_of(&phone)), on_server[0].clone()), (Some("not_found".to_string()), Some("not_found".to_string())));
    // Consent withdrawn: nothing more is written to the file.
    let rina = register(&sri, "Rina");
    sri.store.withdraw_consent(&rina.id).unwrap();
    sri.sync().unwrap();
    let t = sri.store.template("initial_assessment", None).unwrap();
    let phone = sri.store.record_visit(&rina.id, &t.id, t.sample_answers(), None, vec![]).unwrap_err();
    let follow_up = op_on(
        &sri,
        EntityKind::FollowUp,
        &uuid::Uuid::now_v7().to_string(),
        now(),
        &[
            ("beneficiary_id", json!(rina.id), None),
            ("action", json!("Kunjungan"), None),
            ("due_date", json!("2027-01-05"), None),
            ("created_by", json!(sri.store.identity().unwrap().user_id), None),
        ],
    );
    assert_eq!(Some(code_of(&phone)), codes(&raw, vec![follow_up])[0]);
    assert_eq!(code_of(&phone), "consent_withdrawn");
}

#[test]
fn an_operation_id_names_one_content_by_one_author() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, c) = raw_client(&server, "sri");
    let (wati, wc) = raw_client(&server, "wati");
    let original = beneficiary_op(&sri, json!({"full_name": "Siti"}));
    assert_eq!(codes(&c, vec![original.clone()]), [None]);
    // A retry of the same operation is acknowledged again and changes nothing.
    let (status, body) = c.push(vec![original.clone()]);
    assert_eq!(status, 200);
    let resp: desmig_core::protocol::PushResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(resp.results[0].status, desmig_core::protocol::OpStatus::Duplicate);
    // The same id with another name, for another record, or by another user: refused.
    let mut other_name = original.clone();
    other_name.fields.get_mut("full_name").unwrap().value = json!("Siti Palsu");
    let other_record = desmig_core::merge::Operation { entity_id: uuid::Uuid::now_v7().to_string(), ..original.clone() };
    let by_wati =
        desmig_core::merge::Operation { op_id: original.op_id.clone(), ..beneficiary_op(&wati, json!({"full_name": "Siti Wati"})) };
    assert_eq!(codes(&c, vec![other_name, other_record]), vec![Some("op_id_reused".to_string()); 2]);
    assert_eq!(codes(&wc, vec![by_wati]), [Some("op_id_reused".to_string())]);
    // Within one batch as well.
    let fresh = beneficiary_op(&sri, json!({"full_name": "Rina"}));
    let mut twin = fresh.clone();
    twin.fields.get_mut("full_name").unwrap().value = json!("Rina Palsu");
    assert_eq!(codes(&c, vec![fresh, twin]), [None, Some("op_id_reused".to_string())]);
    let names: Vec<String> = server
        .storage
        .export()
        .unwrap()
        .records
        .iter()
        .filter_map(|(_, _, v)| v.fields.get("full_name").and_then(|n| n.as_str()).map(str::to_string))
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Siti".to_string()) && names.contains(&"Rina".to_string()), "{names:?}");
}

#[test]
fn clocks_from_the_future_or_before_desmig_and_edits_older_than_their_base_are_refused() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, c) = raw_client(&server, "sri");
    let year_2100 = 4_102_444_800_000;
    let stamped = |millis: u64| desmig_core::merge::Operation {
        hlc: Hlc { millis, counter: 0, node: sri.store.device_id().into() },
        ..beneficiary_op(&sri, json!({}))
    };
    let ten_minutes = 10 * 60 * 1000;
    let codes_seen = codes(&c, vec![stamped(year_2100), stamped(now() + ten_minutes), stamped(0), stamped(now() + 60_000)]);
    assert_eq!(codes_seen, [Some("clock_ahead".into()), Some("clock_ahead".into()), Some("clock_invalid".into()), None]);
    // An edit stamped before the value it says it replaces.
    let siti = register(&sri, "Siti");
    sri.sync().unwrap();
    let base = created(&sri, EntityKind::Beneficiary, &siti.id);
    let stale = op_on(&sri, EntityKind::Beneficiary, &siti.id, base.millis - 1000, &[("full_name", json!("Siti Lama"), Some(base))]);
    assert_eq!(codes(&c, vec![stale]), [Some("stale_clock".into())]);
    assert_eq!(server.storage.stats().unwrap().applied_ops, 2);
    let wati_view = server.storage.export().unwrap();
    assert!(wati_view.records.iter().all(|(_, _, v)| v.fields.get("full_name") != Some(&json!("Siti Lama"))));
}

#[test]
fn a_phone_whose_clock_runs_a_year_ahead_heals_and_later_edits_still_win() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    let wati = Device::login(&server.url, "wati");
    // After logging in, Sri's phone clock is set a year ahead; she works offline.
    sri.store.set_device_clock_skew(YEAR_MS);
    let siti = register(&sri, "Siti");
    let with_phone = |p: &str| BeneficiaryInput { phone: Some(p.into()), ..BeneficiaryInput::new("Siti", Sex::Female, VILLAGE) };
    sri.store.update_beneficiary(&siti.id, with_phone("0812 1111 1111")).unwrap();
    assert!(created(&sri, EntityKind::Beneficiary, &siti.id).millis > now() + 300 * 24 * 3600 * 1000);
    // Her sync is told the server's time, restamps what she wrote, and delivers it all.
    let report = sri.sync().unwrap();
    assert_eq!((report.pushed, report.rejected, report.more_pending), (2, 0, 0), "{report:?}");
    assert!(sri.store.rejected_operations().unwrap().is_empty());
    let stamped = created(&sri, EntityKind::Beneficiary, &siti.id).millis;
    assert!(stamped <= now() + 60_000, "the record clock is the server one, not a year ahead: {stamped} vs {}", now());
    let registered_at = sri.store.beneficiary(&siti.id).unwrap().registered_at;
    assert!(registered_at as u64 <= now() + 60_000, "the moments it states were corrected too: {registered_at}");
    // Wati's later edit wins, on the server and on Sri's phone.
    wati.sync().unwrap();
    wati.store.update_beneficiary(&siti.id, with_phone("0813 2222 2222")).unwrap();
    wati.sync().unwrap();
    sri.sync().unwrap();
    assert_eq!(sri.store.beneficiary(&siti.id).unwrap().phone.as_deref(), Some("+6281322222222"));
    // And Sri's next edit, with her clock still wrong, orders after Wati's.
    sri.store.update_beneficiary(&siti.id, with_phone("0814 3333 3333")).unwrap();
    sri.sync().unwrap();
    wati.sync().unwrap();
    assert_eq!(wati.store.beneficiary(&siti.id).unwrap().phone.as_deref(), Some("+6281433333333"));
    assert_eq!(sri.dump(), server.dump());
    assert_eq!(wati.dump(), server.dump());
}

#[test]
fn a_phone_whose_clock_is_a_year_behind_or_at_1970_stamps_with_the_servers_time() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let wati = Device::login(&server.url, "wati");
    for skew in [-YEAR_MS, -(now() as i64)] {
        let dir = tempfile::tempdir().unwrap();
        let store = desmig_core::FieldStore::open(dir.path().join("field.db")).unwrap();
        store.set_device_clock_skew(skew);
        let login = store.login(&server.url, "sri", PASSWORD).unwrap();
        assert!((store.clock_offset_ms() + skew).abs() < 60_000, "the offset undoes the skew: {}", store.clock_offset_ms());
        let settings = desmig_core::sync::SyncSettings::new(&server.url, &login.token);
        let siti = store.register_beneficiary(BeneficiaryInput::new("Siti", Sex::Female, VILLAGE)).unwrap();
        store.sync(&settings, None, &desmig_core::sync::CancelToken::new()).unwrap();
        wati.sync().unwrap();
        // Wati edits first; Sri, not having seen it, edits after: Sri's later edit wins.
        let named = |n: &str| BeneficiaryInput::new(n, Sex::Female, VILLAGE);
        wati.store.update_beneficiary(&siti.id, named("Siti Wati")).unwrap();
        wati.sync().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        store.update_beneficiary(&siti.id, named("Siti Sri")).unwrap();
        let report = store.sync(&settings, None, &desmig_core::sync::CancelToken::new()).unwrap();
        assert_eq!(report.rejected, 0, "{report:?}");
        wati.sync().unwrap();
        assert_eq!(wati.store.beneficiary(&siti.id).unwrap().full_name, "Siti Sri", "skew {skew}");
    }
}

#[test]
fn a_supervisors_resolution_takes_effect_even_over_a_value_stamped_ahead() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let (wati, wati_raw) = raw_client(&server, "wati");
    let budi = Device::login(&server.url, "budi");
    let siti = register(&sri, "Siti");
    sri.sync().unwrap();
    wati.sync().unwrap();
    let base = created(&wati, EntityKind::Beneficiary, &siti.id);
    // Wati's phone runs four minutes fast (within what the server accepts); Sri edits now.
    let ahead = op_on(&wati, EntityKind::Beneficiary, &siti.id, now() + 4 * 60 * 1000, &[("address", json!("Blok A"), Some(base))]);
    assert_eq!(codes(&wati_raw, vec![ahead]), [None]);
    sri.store
        .update_beneficiary(
            &siti.id,
            BeneficiaryInput { address: Some("Blok B".into()), ..BeneficiaryInput::new("Siti", Sex::Female, VILLAGE) },
        )
        .unwrap();
    sri.sync().unwrap();
    budi.sync().unwrap();
    let conflict = budi.store.conflicts(false).unwrap().pop().expect("a conflict");
    assert_eq!((conflict.current_value.clone(), conflict.losing_value.clone()), (json!("Blok A"), json!("Blok B")));
    budi.store.resolve_conflict(&conflict.id, Resolution::TakeLosing).unwrap();
    let report = budi.sync().unwrap();
    assert_eq!((report.pushed, report.rejected), (1, 0), "{report:?}");
    sri.sync().unwrap();
    assert_eq!(sri.store.beneficiary(&siti.id).unwrap().address.as_deref(), Some("Blok B"), "the resolution took effect");
    let export = server.storage.export().unwrap();
    assert!(export.conflicts.iter().all(|c| c.resolved_by.is_some()));
}

#[test]
fn an_operation_naming_fields_its_record_does_not_have_is_rejected_with_them_listed() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, c) = raw_client(&server, "sri");
    let siti = register(&sri, "Siti");
    sri.sync().unwrap();
    let base = Some(created(&sri, EntityKind::Beneficiary, &siti.id));
    let update = op_on(
        &sri,
        EntityKind::Beneficiary,
        &siti.id,
        now(),
        &[("full_name", json!("Siti A"), base.clone()), ("hobby", json!("x"), base.clone()), ("shoe_size", json!(40), base.clone())],
    );
    let (status, body) = c.push(vec![update]);
    assert_eq!(status, 200);
    let resp: desmig_core::protocol::PushResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(resp.results[0].code.as_deref(), Some("invalid"));
    let mut listed: Vec<_> = resp.results[0].fields.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
    listed.sort();
    assert_eq!(listed, [("hobby", "unknown_field"), ("shoe_size", "unknown_field")]);
    // Two thousand invented fields do not even reach the record.
    let many: Vec<(String, serde_json::Value, Option<Hlc>)> = (0..2000).map(|i| (format!("f{i}"), json!(i), base.clone())).collect();
    let many: Vec<(&str, serde_json::Value, Option<Hlc>)> = many.iter().map(|(k, v, b)| (k.as_str(), v.clone(), b.clone())).collect();
    let (status, body) = c.push(vec![op_on(&sri, EntityKind::Beneficiary, &siti.id, now(), &many)]);
    assert_eq!((status, error_code(&body).as_str()), (400, "invalid_operation"));
    let export = server.storage.export().unwrap();
    let (_, _, stored) = export.records.iter().find(|(_, id, _)| id == &siti.id).unwrap();
    assert_eq!(stored.fields["full_name"], json!("Siti"));
    assert!(stored.clocks.is_empty(), "no clock was kept for an invented field: {:?}", stored.clocks);
}

#[test]
fn a_sync_sends_everything_that_was_pending_whatever_the_batch_sizes() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let mut sri = Device::login(&server.url, "sri");
    let n = 1200;
    for i in 0..n {
        register(&sri, &format!("Warga {}", char::from(b'A' + (i % 26) as u8)));
    }
    // Batches are cut by bytes (about five registrations each) long before they reach their
    // operation count: a push loop bounded by count alone (the old one stopped after
    // pending / 200 + 2 batches) would leave most of these on the phone.
    sri.settings.push_batch_ops = 200;
    sri.settings.push_batch_bytes = 4 * 1024;
    let report = sri.sync().unwrap();
    assert_eq!((report.pushed, report.rejected, report.more_pending), (n, 0, 0), "{report:?}");
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 0);
    assert_eq!(server.storage.stats().unwrap().applied_ops, n);
}
