//! Mentoring visits: checklists with skip logic, drafts, completion with every problem reported
//! at once, immutability and amendments, follow-ups and village indicators.

mod common;
use common::*;
use desmig_core::checklist::{builtin_templates, Condition, ItemKind, Template};
use desmig_core::date::Date;
use desmig_core::field::NewFollowUp;
use desmig_core::model::*;
use desmig_core::status::*;
use desmig_core::Error;
use serde_json::{json, Map, Value};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A value for `item`'s target that makes a simple condition false, if there is one.
fn falsifying(t: &Template, cond: &Condition) -> Option<(String, Value)> {
    let other_option = |item: &str, avoid: &[&str]| -> Option<Value> {
        t.item(item)?.options.iter().find(|o| !avoid.contains(&o.value.as_str())).map(|o| json!(o.value))
    };
    match cond {
        Condition::Equals { item, equals: Value::Bool(b) } => Some((item.clone(), json!(!b))),
        Condition::Equals { item, equals: Value::String(s) } => Some((item.clone(), other_option(item, &[s])?)),
        Condition::In { item, r#in } => Some((item.clone(), other_option(item, &r#in.iter().map(String::as_str).collect::<Vec<_>>())?)),
        Condition::Includes { item, includes } => Some((item.clone(), json!([other_option(item, &[includes])?]))),
        Condition::AtLeast { item, at_least } => Some((item.clone(), json!(at_least - 1))),
        _ => None,
    }
}

fn satisfying(t: &Template, cond: &Condition) -> Option<(String, Value)> {
    match cond {
        Condition::Equals { item, equals } => Some((item.clone(), equals.clone())),
        Condition::In { item, r#in } => Some((item.clone(), json!(r#in[0]))),
        Condition::Includes { item, includes } => Some((item.clone(), json!([includes]))),
        Condition::AtLeast { item, at_least } => {
            let max = t.item(item)?.max.unwrap_or(i64::MAX);
            Some((item.clone(), json!((*at_least).min(max))))
        }
        _ => None,
    }
}

#[test]
fn every_builtin_checklist_shows_and_hides_items_by_its_skip_logic() {
    for t in builtin_templates().unwrap() {
        let base = t.sample_answers();
        let mut tested = 0;
        for item in t.items.iter().filter(|i| i.show_if.is_some()) {
            let cond = item.show_if.as_ref().unwrap();
            let (Some((target, yes)), Some((_, no))) = (satisfying(&t, cond), falsifying(&t, cond)) else { continue };
            if !t.check(&base, false).visible.contains(&target) {
                continue; // the condition's own item is hidden by the sample answers
            }
            let mut shown = base.clone();
            shown.insert(target.clone(), yes);
            let mut hidden = base.clone();
            hidden.insert(target.clone(), no);
            let c_shown = t.check(&shown, false);
            let c_hidden = t.check(&hidden, false);
            assert!(c_shown.visible.contains(&item.id), "{}: {} should show when {target} satisfies it", t.id, item.id);
            assert!(!c_hidden.visible.contains(&item.id), "{}: {} should hide", t.id, item.id);
            assert!(!c_hidden.answers.contains_key(&item.id), "{}: a hidden item's answer is dropped", t.id);
            tested += 1;
        }
        assert!(tested >= 3, "{}: only {tested} skip rules exercised", t.id);
    }
}

#[test]
fn every_builtin_checklist_completes_with_valid_answers_and_lists_every_missing_required_item() {
    for t in builtin_templates().unwrap() {
        let full = t.check(&t.sample_answers(), true);
        assert!(full.problems.is_empty(), "{}: {:?}", t.id, full.problems);
        assert_eq!(full.completeness, 100);
        let empty = t.check(&Map::new(), true);
        let required_shown: Vec<_> = t.items.iter().filter(|i| i.required && empty.visible.contains(&i.id)).map(|i| i.id.clone()).collect();
        let reported: Vec<_> = empty.problems.iter().map(|p| p.field.clone()).collect();
        assert_eq!(reported, required_shown, "{}", t.id);
        assert!(empty.problems.iter().all(|p| p.code == "required"));
        assert_eq!(empty.completeness, 0);
    }
}

#[test]
fn kur_readiness_asks_for_the_ektp_appointment_only_without_an_ektp() {
    let t = builtin_templates().unwrap().into_iter().find(|t| t.id == "kur_readiness").unwrap();
    let has = t.check(&json!({"punya_ektp": true, "jadwal_rekam_ektp": "2026-12-01"}).as_object().unwrap().clone(), false);
    assert!(!has.visible.contains(&"jadwal_rekam_ektp".to_string()));
    assert!(!has.answers.contains_key("jadwal_rekam_ektp"));
    let lacks = t.check(&json!({"punya_ektp": false, "jadwal_rekam_ektp": "2026-12-01"}).as_object().unwrap().clone(), false);
    assert_eq!(lacks.answers["jadwal_rekam_ektp"], json!("2026-12-01"));
    let bad_date = t.check(&json!({"punya_ektp": false, "jadwal_rekam_ektp": "besok"}).as_object().unwrap().clone(), false);
    assert_eq!(bad_date.problems[0].field, "jadwal_rekam_ektp");
    assert_eq!(bad_date.problems[0].code, "invalid_date");
}

#[test]
fn a_draft_keeps_partial_answers_and_completion_reports_every_problem_at_once() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let v = dev.store.start_visit(&b.id, "kur_readiness", Some(GeoPoint { lat: -6.45, lon: 107.95, accuracy_m: 12.0 })).unwrap();
    assert_eq!((v.status, v.template_version), (VisitStatus::Draft, 1));

    let partial = json!({"punya_ektp": true, "punya_kk": true}).as_object().unwrap().clone();
    let draft = dev.store.save_visit_draft(&v.id, partial.clone(), Some("Bu Siti sedang menyiapkan dokumen".into()), None).unwrap();
    assert!(draft.completeness > 0 && draft.completeness < 100, "{}", draft.completeness);

    let mut wrong = partial.clone();
    wrong.insert("sudah_menikah".into(), json!("ya"));
    let err = dev.store.complete_visit(&v.id, wrong, None, vec![]).unwrap_err();
    let problems = field_codes(&err);
    assert!(problems.contains(&("sudah_menikah".into(), "wrong_type".into())));
    assert!(problems.iter().filter(|(_, c)| c == "required").count() >= 5, "{problems:?}");
    // The failed completion left the draft as it was.
    let stored = dev.store.beneficiary_file(&b.id).unwrap().visits.remove(0);
    assert_eq!((stored.status, stored.answers), (VisitStatus::Draft, partial));
}

#[test]
fn a_completed_visit_is_immutable_and_an_amendment_keeps_the_original() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let t = dev.store.template("business_monitoring", None).unwrap();
    let v = dev.store.start_visit(&b.id, &t.id, None).unwrap();
    let answers = t.sample_answers();
    let follow = vec![NewFollowUp { action: "Antar ke BRI untuk KUR".into(), due_date: d("2026-12-05") }];
    let done = dev.store.complete_visit(&v.id, answers.clone(), None, follow).unwrap();
    assert_eq!((done.status, done.completeness), (VisitStatus::Completed, 100));
    assert!(done.ended_at.is_some());

    assert!(matches!(dev.store.save_visit_draft(&v.id, Map::new(), None, None), Err(Error::StateConflict(_))));
    assert!(matches!(dev.store.complete_visit(&v.id, answers.clone(), None, vec![]), Err(Error::StateConflict(_))));

    let amendment = dev.store.amend_visit(&v.id).unwrap();
    assert_eq!(amendment.amends.as_deref(), Some(v.id.as_str()));
    assert_eq!(amendment.answers, done.answers);
    dev.store.complete_visit(&amendment.id, answers.clone(), Some("Koreksi omzet".into()), vec![]).unwrap();
    let file = dev.store.beneficiary_file(&b.id).unwrap();
    assert_eq!(file.visits.len(), 2);
    let original = file.visits.iter().find(|x| x.id == v.id).unwrap();
    assert_eq!(original, &done);
    assert_eq!(file.follow_ups.len(), 1);
    assert_eq!(file.follow_ups[0].visit_id.as_deref(), Some(v.id.as_str()));
}

#[test]
fn only_the_districts_supervisor_verifies_a_completed_visit() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let t = dev.store.template("initial_assessment", None).unwrap();
    let v = dev.store.start_visit(&b.id, &t.id, None).unwrap();
    assert!(matches!(dev.store.verify_visit(&v.id), Err(Error::NotAllowed { .. })));
    dev.store.complete_visit(&v.id, t.sample_answers(), None, vec![]).unwrap();
    let draft = dev.store.start_visit(&b.id, &t.id, None).unwrap();
    dev.store.set_identity(Some(supervisor())).unwrap();
    // A draft cannot be verified: the record's own rule, the same on the server.
    assert!(matches!(dev.store.verify_visit(&draft.id), Err(Error::StateConflict(_))));
    let verified = dev.store.verify_visit(&v.id).unwrap();
    assert_eq!(verified.verified_by.as_deref(), Some("koordinator-budi"));
    assert!(matches!(dev.store.verify_visit(&v.id), Err(Error::StateConflict(_))));
    // A facilitator cannot verify their own work.
    dev.store.set_identity(Some(facilitator())).unwrap();
    let other = dev.store.record_visit(&b.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    assert_eq!(other.status, VisitStatus::Completed);
    assert!(matches!(dev.store.verify_visit(&other.id), Err(Error::NotAllowed { .. })));
}

#[test]
fn follow_ups_due_and_overdue_come_first_and_done_ones_leave_the_list() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let overdue = dev.store.add_follow_up(&b.id, None, "Cek dokumen NIB", d("2026-11-20")).unwrap();
    dev.store.add_follow_up(&b.id, None, "Kunjungan monitoring", d("2026-11-30")).unwrap();
    dev.store.add_follow_up(&b.id, None, "Evaluasi tahunan", d("2027-06-01")).unwrap();
    let due = dev.store.follow_ups_due(7).unwrap();
    let seen: Vec<_> = due.iter().map(|f| (f.follow_up.action.as_str(), f.days_overdue)).collect();
    assert_eq!(seen, [("Cek dokumen NIB", 8), ("Kunjungan monitoring", -2)]);
    assert_eq!(due[0].beneficiary_name, "Siti Aminah");
    dev.store.complete_follow_up(&overdue.id, d("2026-11-28")).unwrap();
    assert_eq!(dev.store.follow_ups_due(7).unwrap().len(), 1);
}

#[test]
fn village_indicators_count_what_the_programme_reports() {
    let dev = device(facilitator());
    let siti = dev.store.register_beneficiary(siti()).unwrap();
    let rina = dev.store.register_beneficiary(desmig_core::field::BeneficiaryInput::new("Rina", Sex::Female, VILLAGE)).unwrap();
    let training = Training {
        id: String::new(),
        beneficiary_id: siti.id.clone(),
        title: "Tata boga".into(),
        provider: "LPK Mandiri".into(),
        kind: TrainingKind::Vocational,
        mode: TrainingMode::Online,
        via_prakerja: true,
        start_date: None,
        end_date: None,
        status: TrainingStatus::Completed,
        certificate_no: None,
    };
    dev.store.save_training(training.clone(), None).unwrap();
    dev.store.save_training(training, None).unwrap(); // a second completed training: still one person
    let grant = CapitalApplication {
        id: String::new(),
        beneficiary_id: rina.id.clone(),
        source: CapitalSource::ProgrammeIncentive,
        bank: None,
        kur_scheme: None,
        business_id: None,
        purpose: None,
        amount_requested: 2_500_000,
        amount_approved: Some(2_500_000),
        amount_disbursed: Some(2_500_000),
        stage: CapitalStage::Disbursed,
        submitted_on: None,
        disbursed_on: Some(d("2026-11-03")),
        rejection_reason: None,
    };
    dev.store.save_capital_application(grant, None).unwrap();
    let biz = Business {
        id: String::new(),
        beneficiary_id: rina.id.clone(),
        name: "Keripik Rina".into(),
        sector: BusinessSector::FoodBeverage,
        status: BusinessStatus::Running,
        started_on: Some(d("2026-11-05")),
        monthly_revenue: Some(3_000_000),
        workers: 1,
        products: vec![],
        sales_channels: vec![],
        export_ready: false,
    };
    dev.store.save_business(biz, None).unwrap();
    let t = dev.store.template("business_monitoring", None).unwrap();
    let v = dev.store.start_visit(&rina.id, &t.id, None).unwrap();
    dev.store.complete_visit(&v.id, t.sample_answers(), None, vec![]).unwrap();
    dev.store.start_visit(&siti.id, &t.id, None).unwrap(); // a draft is not a visit made

    let ind = dev.store.village_indicators(VILLAGE, dev.store.this_month()).unwrap();
    assert_eq!(ind.beneficiaries, 2);
    assert_eq!(ind.trained, 1);
    assert_eq!((ind.capital_disbursed_count, ind.capital_disbursed_rupiah), (1, 2_500_000));
    assert_eq!(ind.running_businesses, 1);
    assert_eq!(ind.visits_this_month, 1);
    assert_eq!(ind.prakerja_incentive_received, 0);
    let last_month = desmig_core::date::Month { year: 2026, month: 10 };
    assert_eq!(dev.store.village_indicators(VILLAGE, last_month).unwrap().visits_this_month, 0);
    assert!(matches!(dev.store.village_indicators(SUBANG_VILLAGE, last_month), Err(Error::NotAllowed { .. })));
}

#[test]
fn every_answer_kind_is_typed_and_bounded() {
    let t = builtin_templates().unwrap().into_iter().find(|t| t.id == "business_plan").unwrap();
    for item in t.items.iter().filter(|i| i.show_if.is_none()) {
        let wrong = match item.kind {
            ItemKind::YesNo => json!("yes"),
            ItemKind::SingleChoice => json!("tidak_ada_opsi_ini"),
            ItemKind::MultiChoice => json!("bukan_daftar"),
            ItemKind::Integer | ItemKind::Rupiah => json!(1.5),
            ItemKind::Text => json!(42),
            ItemKind::Date => json!("31-12-2026"),
        };
        let c = t.check(&[(item.id.clone(), wrong)].into_iter().collect(), false);
        assert_eq!(c.problems.len(), 1, "{}", item.id);
        assert_eq!(c.problems[0].field, item.id);
    }
}

#[test]
fn a_supervisors_overview_shows_each_village_and_the_visits_waiting_for_verification() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let t = dev.store.template("initial_assessment", None).unwrap();
    dev.store.record_visit(&b.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    dev.store.record_visit(&b.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    dev.store.start_visit(&b.id, &t.id, None).unwrap(); // a draft waits for nobody
    dev.store.set_identity(Some(supervisor())).unwrap();
    let waiting = dev.store.visits_to_verify(50).unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].beneficiary_name, "Siti Aminah");
    dev.store.verify_visit(&waiting[0].visit.id).unwrap();
    let overview = dev.store.team_overview(dev.store.this_month()).unwrap();
    assert!(overview.len() >= 10, "every village of Indramayu in the list: {}", overview.len());
    let haurkolot = overview.iter().find(|v| v.village_code == VILLAGE).unwrap();
    assert_eq!((haurkolot.village_name.as_str(), haurkolot.visits_to_verify, haurkolot.indicators.visits_this_month), ("Haurkolot", 1, 2));
    assert!(overview.iter().all(|v| v.village_code.starts_with("32.12.")));
}

#[test]
fn a_worker_sees_where_each_capital_application_stands_and_the_next_steps() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let app = CapitalApplication {
        id: String::new(),
        beneficiary_id: b.id.clone(),
        source: CapitalSource::VillageFund,
        bank: None,
        kur_scheme: None,
        business_id: None,
        purpose: Some("Gerobak dan kompor".into()),
        amount_requested: 3_000_000,
        amount_approved: None,
        amount_disbursed: None,
        stage: CapitalStage::Interest,
        submitted_on: None,
        disbursed_on: None,
        rejection_reason: None,
    };
    let app = dev.store.save_capital_application(app, None).unwrap();
    dev.store
        .move_capital_stage(&app.id, CapitalStage::Submitted, |c| c.submitted_on = Some(d("2026-11-25")), Some("Diajukan ke BUMDes".into()))
        .unwrap();
    dev.store.add_follow_up(&b.id, None, "Tanyakan hasil rapat BUMDes", d("2026-12-03")).unwrap();
    let done = dev.store.add_follow_up(&b.id, None, "Lengkapi fotokopi KK", d("2026-11-26")).unwrap();
    dev.store.complete_follow_up(&done.id, d("2026-11-27")).unwrap();
    dev.store.set_identity(Some(worker(&b.id))).unwrap();
    let me = dev.store.my_status().unwrap();
    assert_eq!(me.village_name, "Haurkolot");
    assert_eq!(me.capital.len(), 1);
    assert_eq!(me.capital[0].application.stage, CapitalStage::Submitted);
    let steps: Vec<_> = me.capital[0].history.iter().map(|h| h.to.as_str()).collect();
    assert_eq!(steps, ["interest", "submitted"]);
    assert_eq!(me.capital[0].history[1].note.as_deref(), Some("Diajukan ke BUMDes"));
    assert_eq!(me.next_steps.iter().map(|f| f.action.as_str()).collect::<Vec<_>>(), ["Tanyakan hasil rapat BUMDes"]);
    assert!(matches!(dev.store.visits_to_verify(5), Err(Error::NotAllowed { .. })));
}

#[test]
fn the_supervisor_opens_a_visit_with_its_labels_before_verifying_and_the_facilitator_may_amend_it() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let t = dev.store.template("initial_assessment", None).unwrap();
    let v = dev.store.record_visit(&b.id, &t.id, t.sample_answers(), Some("Usaha warung berjalan".into()), vec![]).unwrap();
    // What was kept: answers to items the skip logic hid are dropped.
    let answers = v.answers.clone();
    let draft = dev.store.start_visit(&b.id, &t.id, None).unwrap();

    let mine = dev.store.visit_view(&v.id).unwrap();
    assert_eq!((mine.beneficiary_name.as_str(), mine.template_title.id.as_str()), ("Siti Aminah", t.title.id.as_str()));
    assert_eq!((mine.status_key.as_str(), mine.notes.as_deref()), ("visit_completed", Some("Usaha warung berjalan")));
    assert!(mine.can_amend && !mine.can_verify, "the facilitator amends, never verifies her own visit");
    assert!(!dev.store.visit_view(&draft.id).unwrap().can_amend, "a draft is edited, not amended");
    // Every answered item, in the template's order, with its label; choices with their options' labels.
    let order: Vec<&str> = t.items.iter().filter(|i| answers.contains_key(&i.id)).map(|i| i.id.as_str()).collect();
    assert_eq!(mine.answers.iter().map(|a| a.item_id.as_str()).collect::<Vec<_>>(), order);
    for line in &mine.answers {
        let item = t.items.iter().find(|i| i.id == line.item_id).unwrap();
        assert_eq!(line.label, item.label);
        match item.kind {
            ItemKind::YesNo => assert_eq!(line.yes, answers[&item.id].as_bool()),
            ItemKind::SingleChoice | ItemKind::MultiChoice => {
                assert!(!line.choices.is_empty() && line.choices.iter().all(|c| item.options.iter().any(|o| &o.label == c)), "{}", item.id)
            }
            _ => assert!(line.value.is_some(), "{}", item.id),
        }
    }

    dev.store.set_identity(Some(supervisor())).unwrap();
    let opened = dev.store.visit_view(&v.id).unwrap();
    assert!(opened.can_verify, "the district's supervisor verifies it");
    dev.store.verify_visit(&v.id).unwrap();
    let verified = dev.store.visit_view(&v.id).unwrap();
    assert!(!verified.can_verify && verified.verified_by.as_deref() == Some("koordinator-budi"));
    // Someone else's visit is as absent as someone else's file.
    dev.store.set_identity(Some(worker("someone-else"))).unwrap();
    assert_eq!(dev.store.visit_view(&v.id).unwrap_err().code(), "not_found");
}
