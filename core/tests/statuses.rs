//! Programme statuses: Kartu Prakerja, trainings, capital applications and businesses move only
//! along the programme's steps, and every move is kept as history.

mod common;
use common::*;
use desmig_core::date::Date;
use desmig_core::model::*;
use desmig_core::status::*;
use desmig_core::Error;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn prakerja(beneficiary_id: &str, stage: PrakerjaStage) -> Prakerja {
    Prakerja {
        id: String::new(),
        beneficiary_id: beneficiary_id.into(),
        stage,
        wave: None,
        selected_on: None,
        purchase_deadline: None,
        training_id: None,
        certificate_no: None,
        incentive_instalments: 0,
        incentive_received: 0,
    }
}

#[test]
fn prakerja_moves_step_by_step_and_keeps_its_history() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    dev.store.save_prakerja(prakerja(&b.id, PrakerjaStage::Registered), Some("Didaftarkan di balai desa".into())).unwrap();
    dev.store.move_prakerja_stage(&b.id, PrakerjaStage::TestPassed, |_| {}, None).unwrap();

    // Skipping selection is refused, and nothing changes.
    let err = dev.store.move_prakerja_stage(&b.id, PrakerjaStage::TrainingPurchased, |_| {}, None).unwrap_err();
    assert!(matches!(err, Error::StateConflict(_)), "{err}");

    // Selection needs its wave and date; the purchase deadline follows from the date.
    let err = dev.store.move_prakerja_stage(&b.id, PrakerjaStage::Selected, |_| {}, None).unwrap_err();
    let mut codes = field_codes(&err);
    codes.sort();
    assert_eq!(codes, [("selected_on".to_string(), "required".to_string()), ("wave".to_string(), "required".to_string())]);
    let p = dev
        .store
        .move_prakerja_stage(
            &b.id,
            PrakerjaStage::Selected,
            |p| {
                p.wave = Some(72);
                p.selected_on = Some(d("2026-11-10"));
            },
            None,
        )
        .unwrap();
    assert_eq!(p.purchase_deadline, Some(d("2026-12-10")));

    // An instalment before the rating is refused: the machine goes rated → incentive paid.
    dev.store.move_prakerja_stage(&b.id, PrakerjaStage::TrainingPurchased, |_| {}, None).unwrap();
    let err = dev.store.record_incentive_instalment(&b.id, 600_000, None).unwrap_err();
    assert!(matches!(err, Error::StateConflict(_)), "{err}");
    for stage in [PrakerjaStage::Certified, PrakerjaStage::Rated] {
        dev.store.move_prakerja_stage(&b.id, stage, |_| {}, None).unwrap();
    }
    // The core counts the instalments and adds their amounts: the app only says how much came.
    let p = dev.store.record_incentive_instalment(&b.id, 600_000, Some("Termin 1".into())).unwrap();
    assert_eq!((p.stage, p.incentive_instalments, p.incentive_received), (PrakerjaStage::IncentivePaid, 1, 600_000));
    let err = dev.store.record_incentive_instalment(&b.id, 0, None).unwrap_err();
    assert_eq!(field_codes(&err), [("incentive_received".to_string(), "out_of_range".to_string())]);
    let p = dev.store.record_incentive_instalment(&b.id, 600_000, None).unwrap();
    assert_eq!((p.incentive_instalments, p.incentive_received), (2, 1_200_000));

    let file = dev.store.beneficiary_file(&b.id).unwrap();
    let steps: Vec<_> = file.history.iter().filter(|h| h.subject == StageSubject::Prakerja).map(|h| h.to.as_str()).collect();
    assert_eq!(
        steps,
        ["registered", "test_passed", "selected", "training_purchased", "certified", "rated", "incentive_paid", "incentive_paid"]
    );
    assert_eq!(file.history[0].note.as_deref(), Some("Didaftarkan di balai desa"));
    assert_eq!(file.history[1].from.as_deref(), Some("registered"));
    assert!(file.history.iter().all(|h| h.by == "fasilitator-sri"));
    assert_eq!(file.prakerja.unwrap().incentive_received, 1_200_000);
}

fn kur(beneficiary_id: &str, amount: i64) -> CapitalApplication {
    CapitalApplication {
        id: String::new(),
        beneficiary_id: beneficiary_id.into(),
        source: CapitalSource::Kur,
        bank: Some(Bank::Bri),
        kur_scheme: Some(KurScheme::SuperMikro),
        business_id: None,
        purpose: Some("Modal warung sembako".into()),
        amount_requested: amount,
        amount_approved: None,
        amount_disbursed: None,
        stage: CapitalStage::Interest,
        submitted_on: None,
        disbursed_on: None,
        rejection_reason: None,
    }
}

#[test]
fn kur_amounts_are_whole_rupiah_within_the_scheme_ceiling() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let over = dev.store.save_capital_application(kur(&b.id, 10_000_001), None).unwrap_err();
    assert_eq!(field_codes(&over), [("amount_requested".to_string(), "over_ceiling".to_string())]);
    let zero = dev.store.save_capital_application(kur(&b.id, 0), None).unwrap_err();
    assert_eq!(field_codes(&zero), [("amount_requested".to_string(), "out_of_range".to_string())]);
    let no_bank =
        dev.store.save_capital_application(CapitalApplication { bank: None, kur_scheme: None, ..kur(&b.id, 5_000_000) }, None).unwrap_err();
    assert_eq!(field_codes(&no_bank).len(), 2);
    let grant = CapitalApplication {
        source: CapitalSource::ProgrammeIncentive,
        bank: None,
        kur_scheme: Some(KurScheme::Mikro),
        ..kur(&b.id, 2_500_000)
    };
    assert_eq!(
        field_codes(&dev.store.save_capital_application(grant, None).unwrap_err()),
        [("kur_scheme".to_string(), "not_applicable".to_string())]
    );
    // A typed amount arriving as a fraction never becomes a record.
    let fraction = serde_json::json!({"id": "x", "beneficiary_id": b.id, "source": "kur", "amount_requested": 1.5, "stage": "interest"});
    assert!(serde_json::from_value::<CapitalApplication>(fraction).is_err());
}

#[test]
fn a_kur_application_goes_from_interest_to_repaid_and_cannot_skip_approval() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let app = dev.store.save_capital_application(kur(&b.id, 10_000_000), Some("Tertarik KUR super mikro".into())).unwrap();
    dev.store.move_capital_stage(&app.id, CapitalStage::PreparingDocuments, |_| {}, None).unwrap();
    dev.store.move_capital_stage(&app.id, CapitalStage::Submitted, |c| c.submitted_on = Some(d("2026-11-20")), None).unwrap();
    let skip = dev.store.move_capital_stage(
        &app.id,
        CapitalStage::Disbursed,
        |c| {
            c.amount_disbursed = Some(10_000_000);
            c.disbursed_on = Some(d("2026-11-25"));
        },
        None,
    );
    assert!(matches!(skip, Err(Error::StateConflict(_))));
    let approve_more =
        dev.store.move_capital_stage(&app.id, CapitalStage::Approved, |c| c.amount_approved = Some(12_000_000), None).unwrap_err();
    assert_eq!(field_codes(&approve_more), [("amount_approved".to_string(), "out_of_range".to_string())]);
    dev.store.move_capital_stage(&app.id, CapitalStage::Approved, |c| c.amount_approved = Some(8_000_000), None).unwrap();
    dev.store
        .move_capital_stage(
            &app.id,
            CapitalStage::Disbursed,
            |c| {
                c.amount_disbursed = Some(8_000_000);
                c.disbursed_on = Some(d("2026-11-25"));
            },
            Some("Cair di BRI unit Haurgeulis".into()),
        )
        .unwrap();
    dev.store.move_capital_stage(&app.id, CapitalStage::Repaying, |_| {}, None).unwrap();

    let file = dev.store.beneficiary_file(&b.id).unwrap();
    let stages: Vec<_> = file.history.iter().filter(|h| h.subject_id == app.id).map(|h| (h.from.clone(), h.to.clone())).collect();
    assert_eq!(stages.len(), 6);
    assert_eq!(stages[0], (None, "interest".to_string()));
    assert_eq!(stages[5], (Some("disbursed".to_string()), "repaying".to_string()));
    assert_eq!(file.capital_applications[0].amount_disbursed, Some(8_000_000));
}

#[test]
fn a_village_fund_grant_is_used_and_reported_never_repaid() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let grant = CapitalApplication {
        source: CapitalSource::VillageFund,
        bank: None,
        kur_scheme: None,
        stage: CapitalStage::Submitted,
        ..kur(&b.id, 3_000_000)
    };
    let app = dev.store.save_capital_application(grant, Some("Usulan ke BUMDes".into())).unwrap();
    dev.store.move_capital_stage(&app.id, CapitalStage::Approved, |c| c.amount_approved = Some(3_000_000), None).unwrap();
    let disburse = |c: &mut CapitalApplication| {
        c.amount_disbursed = Some(3_000_000);
        c.disbursed_on = Some(d("2026-11-25"));
    };
    dev.store.move_capital_stage(&app.id, CapitalStage::Disbursed, disburse, None).unwrap();
    let repay = dev.store.move_capital_stage(&app.id, CapitalStage::Repaying, |_| {}, None).unwrap_err();
    assert!(matches!(&repay, Error::StateConflict(m) if m.contains("grant")), "{repay}");
    let used = dev.store.move_capital_stage(&app.id, CapitalStage::Used, |_| {}, Some("Dibelikan oven dan bahan".into())).unwrap();
    assert_eq!(used.stage, CapitalStage::Used);
    // A grant is never stored as being repaid, and a loan is never "used".
    let odd = CapitalApplication {
        source: CapitalSource::ProgrammeIncentive,
        bank: None,
        kur_scheme: None,
        stage: CapitalStage::Repaid,
        ..kur(&b.id, 1_000_000)
    };
    let err = dev.store.save_capital_application(odd, None).unwrap_err();
    assert!(field_codes(&err).contains(&("stage".to_string(), "not_applicable".to_string())), "{err}");
    let loan = CapitalApplication { stage: CapitalStage::Used, ..kur(&b.id, 1_000_000) };
    assert!(field_codes(&dev.store.save_capital_application(loan, None).unwrap_err())
        .contains(&("stage".to_string(), "not_applicable".to_string())));
    let month = desmig_core::date::Month::parse("2026-11").unwrap();
    let shown = dev.store.village_indicators(VILLAGE, month).unwrap();
    assert_eq!(shown.capital_disbursed_count, 1);
    assert_eq!(
        shown.capital_by_source,
        [desmig_core::query::CapitalBySource { source: CapitalSource::VillageFund, count: 1, rupiah: 3_000_000 }]
    );
    // A KUR loan disbursed too: by source, each its own line; the scope's total adds them up.
    let loan = CapitalApplication {
        stage: CapitalStage::Disbursed,
        amount_approved: Some(8_000_000),
        amount_disbursed: Some(8_000_000),
        disbursed_on: Some(d("2026-11-26")),
        ..kur(&b.id, 8_000_000)
    };
    dev.store.save_capital_application(loan, None).unwrap();
    let overview = dev.store.team_overview(month).unwrap();
    let total = desmig_core::query::VillageIndicators::total(overview.iter().map(|v| &v.indicators));
    let sources: Vec<(CapitalSource, u64, i64)> = total.capital_by_source.iter().map(|c| (c.source, c.count, c.rupiah)).collect();
    assert_eq!(sources, [(CapitalSource::Kur, 1, 8_000_000), (CapitalSource::VillageFund, 1, 3_000_000)]);
    assert_eq!((total.capital_disbursed_count, total.capital_disbursed_rupiah), (2, 11_000_000));
}

#[test]
fn a_rejection_needs_a_reason() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let app =
        dev.store.save_capital_application(CapitalApplication { stage: CapitalStage::Submitted, ..kur(&b.id, 5_000_000) }, None).unwrap();
    let err = dev.store.move_capital_stage(&app.id, CapitalStage::Rejected, |_| {}, None).unwrap_err();
    assert_eq!(field_codes(&err), [("rejection_reason".to_string(), "required".to_string())]);
    let rejected = dev
        .store
        .move_capital_stage(&app.id, CapitalStage::Rejected, |c| c.rejection_reason = Some("Riwayat kredit (SLIK) bermasalah".into()), None)
        .unwrap();
    assert_eq!(rejected.stage, CapitalStage::Rejected);
    assert!(matches!(dev.store.move_capital_stage(&app.id, CapitalStage::Submitted, |_| {}, None), Err(Error::StateConflict(_))));
}

#[test]
fn trainings_and_businesses_follow_their_status_rules() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let t = Training {
        id: String::new(),
        beneficiary_id: b.id.clone(),
        title: "Pemasaran digital untuk UMKM".into(),
        provider: "BLK Indramayu".into(),
        kind: TrainingKind::DigitalMarketing,
        mode: TrainingMode::Offline,
        via_prakerja: false,
        start_date: Some(d("2026-11-01")),
        end_date: Some(d("2026-10-01")),
        status: TrainingStatus::Enrolled,
        certificate_no: Some("C-1".into()),
    };
    let mut codes = field_codes(&dev.store.save_training(t.clone(), None).unwrap_err());
    codes.sort();
    assert_eq!(codes, [("certificate_no".to_string(), "not_applicable".to_string()), ("end_date".to_string(), "out_of_range".to_string())]);
    let t = dev.store.save_training(Training { end_date: Some(d("2026-11-05")), certificate_no: None, ..t }, None).unwrap();
    let done = dev
        .store
        .save_training(Training { status: TrainingStatus::Completed, certificate_no: Some("BLK/2026/0042".into()), ..t.clone() }, None)
        .unwrap();
    assert!(matches!(dev.store.save_training(Training { status: TrainingStatus::Ongoing, ..done }, None), Err(Error::StateConflict(_))));

    let biz = Business {
        id: String::new(),
        beneficiary_id: b.id.clone(),
        name: "Warung Siti".into(),
        sector: BusinessSector::FoodBeverage,
        status: BusinessStatus::Idea,
        started_on: None,
        monthly_revenue: Some(-5),
        workers: 0,
        products: vec!["Nasi uduk".into(), "Nasi uduk".into(), " Es teh ".into()],
        sales_channels: vec![SalesChannel::SocialMedia, SalesChannel::Shop, SalesChannel::Shop],
        export_ready: false,
    };
    assert_eq!(
        field_codes(&dev.store.save_business(biz.clone(), None).unwrap_err()),
        [("monthly_revenue".to_string(), "out_of_range".to_string())]
    );
    let biz = dev.store.save_business(Business { monthly_revenue: None, ..biz }, None).unwrap();
    assert_eq!(biz.products, ["Nasi uduk", "Es teh"]);
    assert_eq!(biz.sales_channels, [SalesChannel::Shop, SalesChannel::SocialMedia]);
    let running = dev
        .store
        .save_business(
            Business { status: BusinessStatus::Running, started_on: Some(d("2026-11-15")), monthly_revenue: Some(4_500_000), ..biz },
            None,
        )
        .unwrap();
    let closed = dev.store.save_business(Business { status: BusinessStatus::Closed, ..running }, None).unwrap();
    assert!(matches!(dev.store.save_business(Business { status: BusinessStatus::Running, ..closed }, None), Err(Error::StateConflict(_))));
}
