//! Registering and finding beneficiaries: validation, the outbox, scope and search.

mod common;
use common::*;
use desmig_core::field::BeneficiaryInput;
use desmig_core::model::*;
use desmig_core::scope::{Identity, Role};
use desmig_core::Error;

#[test]
fn registering_a_worker_stores_clean_values_and_one_outbox_operation() {
    let d = device(facilitator());
    let b = d.store.register_beneficiary(siti()).unwrap();
    assert_eq!(b.full_name, "Siti Aminah");
    assert_eq!(b.phone.as_deref(), Some("+6281234567890"));
    assert_eq!(b.last_country.as_deref(), Some("TW"));
    assert_eq!(b.masked_nik().as_deref(), Some("321201**********"));
    assert_eq!(b.registered_by, "fasilitator-sri");

    let pending = d.store.pending_operations(10).unwrap();
    assert_eq!(pending.len(), 1);
    let op = &pending[0].op;
    assert_eq!((op.entity, op.entity_id.as_str()), (EntityKind::Beneficiary, b.id.as_str()));
    assert_eq!(op.fields["full_name"].value, "Siti Aminah");
    assert_eq!(op.device_id, d.store.device_id());
    assert!(uuid::Uuid::parse_str(&op.op_id).unwrap().get_version_num() == 7);
    assert_eq!(d.store.beneficiary(&b.id).unwrap(), b);
}

#[test]
fn an_edit_sends_only_the_changed_fields_based_on_what_the_device_saw() {
    let d = device(facilitator());
    let b = d.store.register_beneficiary(siti()).unwrap();
    let created = d.store.pending_operations(1).unwrap()[0].op.hlc.clone();
    let edited = d.store.update_beneficiary(&b.id, BeneficiaryInput { phone: Some("+62 857 1111 2222".into()), ..siti() }).unwrap();
    assert_eq!(edited.phone.as_deref(), Some("+6285711112222"));
    assert_eq!(edited.registered_at, b.registered_at);
    let ops = d.store.pending_operations(10).unwrap();
    assert_eq!(ops.len(), 2);
    let fields: Vec<_> = ops[1].op.fields.keys().cloned().collect();
    assert_eq!(fields, ["phone"]);
    assert_eq!(ops[1].op.fields["phone"].base.as_ref(), Some(&created));
    assert!(ops[1].op.hlc > created);
    // Saving the same form again changes nothing and queues nothing.
    d.store.update_beneficiary(&b.id, BeneficiaryInput { phone: Some("0857-1111-2222".into()), ..siti() }).unwrap();
    assert_eq!(d.store.outbox_counts().unwrap().pending, 2);
}

#[test]
fn bad_input_is_refused_with_every_offending_field_and_nothing_is_stored() {
    let d = device(facilitator());
    let bad = BeneficiaryInput {
        nik: Some("3212011708900001".into()), // encodes a man born 17-08-1990
        birth_date: Some("1990-08-18".into()),
        phone: Some("12345".into()),
        last_country: Some("Taiwan".into()),
        village_code: "32.12.01.9999".into(),
        full_name: "   ".into(),
        return_month: Some("2025-13".into()),
        ..siti()
    };
    let err = d.store.register_beneficiary(bad).unwrap_err();
    let mut codes = field_codes(&err);
    codes.sort();
    assert_eq!(
        codes,
        [
            ("full_name", "required"),
            ("last_country", "invalid_country"),
            ("nik", "birth_date_mismatch"),
            ("nik", "sex_mismatch"),
            ("phone", "invalid_format"),
            ("return_month", "invalid_date"),
            ("village_code", "unknown_village"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(d.store.outbox_counts().unwrap().pending, 0);
    assert!(d.store.list_beneficiaries(VILLAGE, 0, 10).unwrap().items.is_empty());
}

#[test]
fn nik_structure_is_checked() {
    let d = device(facilitator());
    for (nik, code) in [
        ("321201570890", "invalid_format"),
        ("9912015708900001", "invalid_area_code"), // province 99 does not exist
        ("3212015708900000", "invalid_serial"),
        ("3212017102900001", "invalid_birth_date"), // 31 February
    ] {
        let err = d.store.register_beneficiary(BeneficiaryInput { nik: Some(nik.into()), birth_date: None, ..siti() }).unwrap_err();
        assert!(field_codes(&err).contains(&("nik".into(), code.into())), "{nik}: {err}");
    }
    // A single name and no NIK is a complete registration.
    let b = d.store.register_beneficiary(BeneficiaryInput::new("Sutinah", Sex::Female, VILLAGE)).unwrap();
    assert_eq!(b.full_name, "Sutinah");
    // The NIK gives the birth date when none was entered.
    let c = d.store.register_beneficiary(BeneficiaryInput { birth_date: None, ..siti() }).unwrap();
    assert_eq!(c.birth_date.unwrap().to_string(), "1990-08-17");
}

#[test]
fn a_nik_cannot_be_registered_twice() {
    let d = device(facilitator());
    d.store.register_beneficiary(siti()).unwrap();
    let err = d.store.register_beneficiary(siti()).unwrap_err();
    assert_eq!(field_codes(&err), [("nik".to_string(), "duplicate".to_string())]);
}

#[test]
fn a_facilitator_cannot_register_outside_their_villages() {
    let d = device(facilitator());
    let err = d.store.register_beneficiary(BeneficiaryInput { village_code: SUBANG_VILLAGE.into(), ..siti() }).unwrap_err();
    assert!(matches!(err, Error::NotAllowed { .. }), "{err}");
    assert_eq!(d.store.outbox_counts().unwrap().pending, 0);
}

#[test]
fn family_members_are_linked_to_their_worker() {
    let d = device(facilitator());
    let siti = d.store.register_beneficiary(siti()).unwrap();
    let child = BeneficiaryInput {
        kind: BeneficiaryKind::FamilyMember,
        family_of: Some(siti.id.clone()),
        ..BeneficiaryInput::new("Dewi", Sex::Female, VILLAGE)
    };
    assert_eq!(d.store.register_beneficiary(child).unwrap().family_of, Some(siti.id));
    let orphan = BeneficiaryInput { kind: BeneficiaryKind::FamilyMember, ..BeneficiaryInput::new("Dewi", Sex::Female, VILLAGE) };
    assert_eq!(field_codes(&d.store.register_beneficiary(orphan).unwrap_err()), [("family_of".to_string(), "required".to_string())]);
}

#[test]
fn name_search_ignores_case_and_accents_and_matches_word_prefixes() {
    let d = device(facilitator());
    for name in ["Siti Aminah", "Sítí Nurhaliza", "Nur Aisyah", "Budi Santoso", "Ásih"] {
        d.store.register_beneficiary(BeneficiaryInput::new(name, Sex::Female, VILLAGE)).unwrap();
    }
    let names = |q: &str| -> Vec<String> { d.store.search_beneficiaries(q, 20).unwrap().into_iter().map(|b| b.full_name).collect() };
    assert_eq!(names("sit"), ["Siti Aminah", "Sítí Nurhaliza"]);
    assert_eq!(names("NUR"), ["Nur Aisyah", "Sítí Nurhaliza"]);
    assert_eq!(names("asih"), ["Ásih"]);
    assert_eq!(names("siti nur"), ["Sítí Nurhaliza"]);
    assert!(names("\"*)(").is_empty(), "search syntax is never passed through");
}

#[test]
fn nik_prefix_search_finds_and_masks() {
    let d = device(facilitator());
    d.store.register_beneficiary(siti()).unwrap();
    let found = d.store.search_beneficiaries("32120157", 10).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].masked_nik.as_deref(), Some("321201**********"));
    assert!(d.store.search_beneficiaries("3213", 10).unwrap().is_empty());
}

#[test]
fn a_village_list_pages_in_name_order() {
    let d = device(facilitator());
    for i in 0..25 {
        d.store.register_beneficiary(BeneficiaryInput::new(&format!("Warga {}", (b'A' + i) as char), Sex::Male, VILLAGE)).unwrap();
    }
    let p1 = d.store.list_beneficiaries(VILLAGE, 0, 10).unwrap();
    assert_eq!(p1.items.len(), 10);
    assert_eq!(p1.items[0].full_name, "Warga A");
    assert_eq!(p1.next_offset, Some(10));
    let p3 = d.store.list_beneficiaries(VILLAGE, 20, 10).unwrap();
    assert_eq!(p3.items.iter().map(|b| b.full_name.as_str()).collect::<Vec<_>>(), ["Warga U", "Warga V", "Warga W", "Warga X", "Warga Y"]);
    assert_eq!(p3.next_offset, None);
}

#[test]
fn a_worker_store_shows_only_the_workers_own_record() {
    let d = device(facilitator());
    let siti = d.store.register_beneficiary(siti()).unwrap();
    let other = d.store.register_beneficiary(BeneficiaryInput::new("Rina", Sex::Female, VILLAGE)).unwrap();
    d.store.set_identity(Some(worker(&siti.id))).unwrap();
    assert_eq!(d.store.my_file().unwrap().beneficiary.id, siti.id);
    assert!(matches!(d.store.beneficiary(&other.id), Err(Error::NotFound { .. })));
    assert!(matches!(d.store.beneficiary_file(&other.id), Err(Error::NotFound { .. })));
    let listed: Vec<_> = d.store.list_beneficiaries(VILLAGE, 0, 50).unwrap().items.into_iter().map(|b| b.id).collect();
    assert_eq!(listed, std::slice::from_ref(&siti.id));
    assert_eq!(d.store.search_beneficiaries("rina", 10).unwrap().len(), 0);
    assert!(matches!(d.store.village_indicators(VILLAGE, d.store.this_month()), Err(Error::NotAllowed { .. })));
    // And a worker cannot change anything, not even their own record.
    assert!(matches!(d.store.update_beneficiary(&siti.id, common::siti()), Err(Error::NotAllowed { .. })));
}

#[test]
fn a_supervisor_sees_the_whole_district_but_not_the_next() {
    let d = device(Identity { villages: vec![VILLAGE.into(), OTHER_VILLAGE_SAME_DISTRICT.into(), SUBANG_VILLAGE.into()], ..facilitator() });
    d.store.register_beneficiary(BeneficiaryInput::new("Ani", Sex::Female, VILLAGE)).unwrap();
    d.store.register_beneficiary(BeneficiaryInput::new("Ana", Sex::Female, OTHER_VILLAGE_SAME_DISTRICT)).unwrap();
    d.store.register_beneficiary(BeneficiaryInput::new("Anu", Sex::Female, SUBANG_VILLAGE)).unwrap();
    d.store.set_identity(Some(supervisor())).unwrap();
    let names: Vec<_> = d.store.search_beneficiaries("an", 10).unwrap().into_iter().map(|b| b.full_name).collect();
    assert_eq!(names, ["Ana", "Ani"]);
    d.store.set_identity(Some(Identity { role: Role::Admin, ..supervisor() })).unwrap();
    assert_eq!(d.store.search_beneficiaries("an", 10).unwrap().len(), 3);
}

#[test]
fn nobody_signed_in_means_nothing_to_read_or_write() {
    let d = device(facilitator());
    d.store.set_identity(None).unwrap();
    assert!(matches!(d.store.register_beneficiary(siti()), Err(Error::NotAllowed { .. })));
    assert!(matches!(d.store.search_beneficiaries("x", 5), Err(Error::NotAllowed { .. })));
}

#[test]
fn withdrawn_consent_stops_new_records() {
    let d = device(facilitator());
    let b = d.store.register_beneficiary(siti()).unwrap();
    d.store.withdraw_consent(&b.id).unwrap();
    let err = d.store.start_visit(&b.id, "initial_assessment", None).unwrap_err();
    assert!(matches!(err, Error::NotAllowed { .. }), "{err}");
}
