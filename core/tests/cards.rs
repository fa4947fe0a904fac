//! The status cards of a file, decided in the core: what each says (as keys and values) and
//! only the next steps its status machine allows — the same on Android and iOS.

mod common;
use common::*;
use desmig_core::date::Date;
use desmig_core::model::*;
use desmig_core::present::{CardKind, CardLine, InputKind, MoveOption};
use desmig_core::status::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn capital(beneficiary_id: &str, source: CapitalSource) -> CapitalApplication {
    let kur = source == CapitalSource::Kur;
    CapitalApplication {
        id: String::new(),
        beneficiary_id: beneficiary_id.into(),
        source,
        bank: kur.then_some(Bank::Bri),
        kur_scheme: kur.then_some(KurScheme::SuperMikro),
        business_id: None,
        purpose: None,
        amount_requested: 5_000_000,
        amount_approved: Some(5_000_000),
        amount_disbursed: Some(5_000_000),
        stage: CapitalStage::Disbursed,
        submitted_on: Some(d("2026-11-01")),
        disbursed_on: Some(d("2026-11-20")),
        rejection_reason: None,
    }
}

#[test]
fn each_card_says_its_stage_and_offers_only_the_steps_its_machine_allows() {
    let dev = device(facilitator());
    let b = dev.store.register_beneficiary(siti()).unwrap();
    let cards = dev.store.status_cards(&b.id).unwrap();
    assert_eq!(cards.len(), 1, "Prakerja's card is always there, to start");
    assert_eq!((cards[0].stage_key.as_str(), cards[0].actions[0].stage_key.as_str()), ("prakerja_none", "prakerja_registered"));

    dev.store
        .save_prakerja(
            Prakerja {
                id: String::new(),
                beneficiary_id: b.id.clone(),
                stage: PrakerjaStage::Selected,
                wave: Some(72),
                selected_on: Some(d("2026-11-10")),
                purchase_deadline: None,
                training_id: None,
                certificate_no: None,
                incentive_instalments: 0,
                incentive_received: 0,
            },
            None,
        )
        .unwrap();
    dev.store.save_capital_application(capital(&b.id, CapitalSource::Kur), None).unwrap();
    dev.store.save_capital_application(capital(&b.id, CapitalSource::VillageFund), None).unwrap();
    let biz = dev
        .store
        .save_business(
            Business {
                id: String::new(),
                beneficiary_id: b.id.clone(),
                name: "Keripik Tempe Bu Siti".into(),
                sector: BusinessSector::FoodBeverage,
                status: BusinessStatus::Running,
                started_on: None,
                monthly_revenue: Some(4_500_000),
                workers: 2,
                products: vec![],
                sales_channels: vec![],
                export_ready: true,
            },
            None,
        )
        .unwrap();
    for (market, country, revenue) in [(SaleMarket::OwnVillage, None, 300_000), (SaleMarket::Export, Some("TW"), 2_000_000)] {
        dev.store
            .save_product_sale(ProductSale {
                id: String::new(),
                beneficiary_id: b.id.clone(),
                business_id: biz.id.clone(),
                sold_on: d("2026-11-25"),
                product: "Keripik".into(),
                quantity: 10.0,
                unit: "kg".into(),
                market,
                export_country: country.map(str::to_string),
                buyer: None,
                revenue,
                recorded_by: String::new(),
            })
            .unwrap();
    }

    let cards = dev.store.status_cards(&b.id).unwrap();
    let kinds: Vec<CardKind> = cards.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [CardKind::Prakerja, CardKind::Capital, CardKind::Capital, CardKind::Business]);
    let prakerja = &cards[0];
    assert_eq!(prakerja.stage_key, "prakerja_selected");
    assert!(prakerja.lines.contains(&CardLine::Wave { wave: 72 }));
    assert!(prakerja.lines.contains(&CardLine::PurchaseDeadline { date: "2026-12-10".into(), days_left: 12 }));
    assert!(prakerja.warnings.is_empty(), "12 days left");
    let keys = |i: usize| cards[i].actions.iter().map(|a| a.stage_key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(0), ["prakerja_training_purchased", "prakerja_revoked"]);
    assert_eq!(keys(1), ["capital_repaying", "capital_repaid"], "a KUR loan is repaid");
    assert_eq!(keys(2), ["capital_used"], "a village-fund grant is used, never repaid");
    assert!(cards[0].actions[0].fields.is_empty(), "no training on the file yet: nothing to name");
    // What each move asks for is the core's too: a submitted application's approval asks the
    // amount, its rejection the reason.
    let submitted = CapitalApplication {
        stage: CapitalStage::Submitted,
        amount_approved: None,
        amount_disbursed: None,
        disbursed_on: None,
        ..capital(&b.id, CapitalSource::Kur)
    };
    let app = dev.store.save_capital_application(submitted, None).unwrap();
    let card = dev.store.status_cards(&b.id).unwrap().into_iter().find(|c| c.subject_id == app.id).unwrap();
    type Asks = Vec<(String, Vec<(String, InputKind, bool)>)>;
    let asks: Asks =
        card.actions.into_iter().map(|a| (a.stage_key, a.fields.into_iter().map(|f| (f.name, f.kind, f.required)).collect())).collect();
    assert_eq!(
        asks,
        [
            ("capital_approved".to_string(), vec![("amount_approved".to_string(), InputKind::Rupiah, true)]),
            ("capital_rejected".to_string(), vec![("rejection_reason".to_string(), InputKind::Text, true)]),
            ("capital_withdrawn".to_string(), vec![]),
        ]
    );
    assert!(cards[2].lines.contains(&CardLine::Source { source_key: "source_village_fund".into(), loan: false }));
    let business = &cards[3];
    assert_eq!((business.title.as_deref(), business.stage_key.as_str()), (Some("Keripik Tempe Bu Siti"), "business_running"));
    assert!(business.lines.contains(&CardLine::SalesThisMonth { rupiah: 2_300_000, count: 2 }));
    assert!(business.lines.contains(&CardLine::FurthestMarket { market_key: "market_export".into(), country: Some("TW".into()) }));
    assert_eq!(keys(3), ["business_paused", "business_closed"]);

    // Once the file has a training, buying it is named from the file's trainings.
    let course = dev
        .store
        .save_training(
            Training {
                id: String::new(),
                beneficiary_id: b.id.clone(),
                title: "Pemasaran Digital UMKM".into(),
                provider: "Pijar Mahir".into(),
                kind: TrainingKind::DigitalMarketing,
                mode: TrainingMode::Online,
                via_prakerja: true,
                start_date: None,
                end_date: None,
                status: TrainingStatus::Planned,
                certificate_no: None,
            },
            None,
        )
        .unwrap();
    let buy = dev.store.status_cards(&b.id).unwrap()[0].actions[0].clone();
    assert_eq!(buy.stage_key, "prakerja_training_purchased");
    assert_eq!((buy.fields[0].name.as_str(), buy.fields[0].kind, buy.fields[0].required), ("training_id", InputKind::Choice, false));
    assert_eq!(buy.fields[0].options, [MoveOption { value: course.id.clone(), label: "Pemasaran Digital UMKM".into() }]);

    // A week before the deadline the card warns; after it, it says the deadline passed.
    dev.store.set_today(Some(d("2026-12-05")));
    assert_eq!(dev.store.status_cards(&b.id).unwrap()[0].warnings, ["prakerja_deadline_soon"]);
    dev.store.set_today(Some(d("2026-12-11")));
    assert_eq!(dev.store.status_cards(&b.id).unwrap()[0].warnings, ["prakerja_deadline_passed"]);

    // The training bought must be one of the file's own.
    let err =
        dev.store.move_prakerja_stage(&b.id, PrakerjaStage::TrainingPurchased, |p| p.training_id = Some("someone-elses".into()), None);
    assert_eq!(err.unwrap_err().code(), "not_found");
    let p =
        dev.store.move_prakerja_stage(&b.id, PrakerjaStage::TrainingPurchased, |p| p.training_id = Some(course.id.clone()), None).unwrap();
    assert_eq!(p.training_id.as_deref(), Some(course.id.as_str()));
}
