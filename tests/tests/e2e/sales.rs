//! Product sales through the real server: a facilitator records her villagers' sales offline, the
//! supervisor's phone counts them after a sync, and the server refuses a sale booked to another
//! person's business with the phone's own code.

use desmig_core::date::{Date, Month};
use desmig_core::field::BeneficiaryInput;
use desmig_core::model::*;
use desmig_core::scope::Role;
use desmig_core::status::BusinessStatus;
use desmig_e2e::raw::{codes, op_on, raw_client};
use desmig_e2e::*;
use serde_json::json;

fn business(owner: &str) -> Business {
    Business {
        id: String::new(),
        beneficiary_id: owner.into(),
        name: "Keripik Tempe Bu Siti".into(),
        sector: BusinessSector::FoodBeverage,
        status: BusinessStatus::Running,
        started_on: None,
        monthly_revenue: None,
        workers: 1,
        products: vec!["Keripik tempe".into()],
        sales_channels: vec![SalesChannel::Export],
        export_ready: true,
    }
}

#[test]
fn sales_recorded_offline_reach_the_supervisors_indicators_and_a_sale_on_anothers_business_is_refused() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let (sri, raw) = raw_client(&server, "sri");
    let siti = sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let rina = sri.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE)).unwrap();
    let biz = sri.store.save_business(business(&siti.id), None).unwrap();
    let today = Date::from_unix_ms(desmig_core::date::now_unix_ms());
    for (market, country, revenue) in [(SaleMarket::Export, Some("MY"), 2_500_000), (SaleMarket::OnlineMarketplace, None, 750_000)] {
        sri.store
            .save_product_sale(ProductSale {
                id: String::new(),
                beneficiary_id: siti.id.clone(),
                business_id: biz.id.clone(),
                sold_on: today,
                product: "Keripik tempe".into(),
                quantity: 40.0,
                unit: "kg".into(),
                market,
                export_country: country.map(str::to_string),
                buyer: None,
                revenue,
                recorded_by: String::new(),
            })
            .unwrap();
    }
    let report = sri.sync().unwrap();
    assert_eq!(report.rejected, 0, "{report:?}");

    let budi = Device::login(&server.url, "budi");
    budi.sync().unwrap();
    let month = Month::of(today);
    let seen = budi.store.village_indicators(VILLAGE, month).unwrap();
    assert_eq!((seen.businesses_selling_beyond_village, seen.businesses_exporting, seen.sales_revenue_this_month), (1, 1, 3_250_000));
    assert_eq!(budi.store.beneficiary_file(&siti.id).unwrap().product_sales.len(), 2);

    // Around the phone's rules: a sale in Rina's file naming Siti's business, and one naming a
    // business that does not exist. The server refuses both as the phone would.
    let fields = |business_id: &str| {
        vec![
            ("beneficiary_id", json!(rina.id), None),
            ("business_id", json!(business_id), None),
            ("sold_on", json!(today.to_string()), None),
            ("product", json!("Keripik"), None),
            ("quantity", json!(1.0), None),
            ("unit", json!("kg"), None),
            ("market", json!("own_village"), None),
            ("revenue", json!(10_000), None),
            ("recorded_by", json!(sri.store.identity().unwrap().user_id), None),
        ]
    };
    let now = desmig_e2e::raw::now();
    let ops = vec![
        op_on(&sri, EntityKind::ProductSale, &uuid::Uuid::now_v7().to_string(), now, &fields(&biz.id)),
        op_on(&sri, EntityKind::ProductSale, &uuid::Uuid::now_v7().to_string(), now, &fields(&uuid::Uuid::now_v7().to_string())),
    ];
    assert_eq!(codes(&raw, ops), [Some("not_found".to_string()), Some("not_found".to_string())]);
    budi.sync().unwrap();
    assert!(budi.store.beneficiary_file(&rina.id).unwrap().product_sales.is_empty());
}
