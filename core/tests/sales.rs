//! Product sales: a returning worker's business distributing its products, recorded by the
//! facilitator, counted in the village's indicators, and booked only to the person's own business.

mod common;
use common::*;
use desmig_core::date::{Date, Month};
use desmig_core::field::BeneficiaryInput;
use desmig_core::model::*;
use desmig_core::status::BusinessStatus;

fn warung(beneficiary_id: &str) -> Business {
    Business {
        id: String::new(),
        beneficiary_id: beneficiary_id.into(),
        name: "Keripik Tempe Bu Siti".into(),
        sector: BusinessSector::FoodBeverage,
        status: BusinessStatus::Running,
        started_on: Some(Date::parse("2026-06-01").unwrap()),
        monthly_revenue: Some(4_500_000),
        workers: 2,
        products: vec!["Keripik tempe".into()],
        sales_channels: vec![SalesChannel::Marketplace, SalesChannel::Export],
        export_ready: true,
    }
}

fn sale(business: &Business, market: SaleMarket, country: Option<&str>, revenue: i64) -> ProductSale {
    ProductSale {
        id: String::new(),
        beneficiary_id: business.beneficiary_id.clone(),
        business_id: business.id.clone(),
        sold_on: Date::parse("2026-11-20").unwrap(),
        product: " Keripik tempe 250 g ".into(),
        quantity: 120.0,
        unit: "pcs".into(),
        market,
        export_country: country.map(str::to_string),
        buyer: Some("Toko Indonesia, Taipei".into()),
        revenue,
        recorded_by: String::new(),
    }
}

#[test]
fn sales_beyond_the_village_and_exports_move_the_villages_indicators() {
    let dev = device(facilitator());
    let siti = dev.store.register_beneficiary(siti()).unwrap();
    let biz = dev.store.save_business(warung(&siti.id), None).unwrap();
    let month = Month::parse("2026-11").unwrap();
    let before = dev.store.village_indicators(VILLAGE, month).unwrap();
    assert_eq!((before.businesses_selling_beyond_village, before.businesses_exporting, before.sales_revenue_this_month), (0, 0, 0));

    let export = dev.store.save_product_sale(sale(&biz, SaleMarket::Export, Some("tw"), 3_600_000)).unwrap();
    assert_eq!((export.product.as_str(), export.export_country.as_deref()), ("Keripik tempe 250 g", Some("TW")));
    assert_eq!(export.recorded_by, "fasilitator-sri", "a new sale names who recorded it");
    dev.store.save_product_sale(sale(&biz, SaleMarket::OwnVillage, None, 400_000)).unwrap();
    let october = ProductSale { sold_on: Date::parse("2026-10-05").unwrap(), ..sale(&biz, SaleMarket::DistrictCity, None, 900_000) };
    dev.store.save_product_sale(october).unwrap();

    let now = dev.store.village_indicators(VILLAGE, month).unwrap();
    assert_eq!(now.businesses_selling_beyond_village, 1);
    assert_eq!(now.businesses_exporting, 1);
    assert_eq!(now.sales_revenue_this_month, 4_000_000, "November's sales only");
    let file = dev.store.beneficiary_file(&siti.id).unwrap();
    assert_eq!(file.product_sales.len(), 3);
    assert_eq!(file.product_sales[2].sold_on.to_string(), "2026-10-05", "newest first");
    assert_eq!(dev.store.pending_operations(20).unwrap().iter().filter(|e| e.op.entity == EntityKind::ProductSale).count(), 3);
}

#[test]
fn a_sale_says_where_it_went_and_what_it_earned() {
    let dev = device(facilitator());
    let siti = dev.store.register_beneficiary(siti()).unwrap();
    let biz = dev.store.save_business(warung(&siti.id), None).unwrap();
    let codes = |s: ProductSale| field_codes(&dev.store.save_product_sale(s).unwrap_err());
    assert_eq!(codes(sale(&biz, SaleMarket::Export, None, 1)), [("export_country".to_string(), "required".to_string())]);
    assert_eq!(codes(sale(&biz, SaleMarket::Export, Some("ID"), 1)), [("export_country".to_string(), "not_applicable".to_string())]);
    assert_eq!(codes(sale(&biz, SaleMarket::OtherVillages, Some("MY"), 1)), [("export_country".to_string(), "not_applicable".to_string())]);
    assert_eq!(
        codes(ProductSale { quantity: 0.0, ..sale(&biz, SaleMarket::OwnVillage, None, 1) }),
        [("quantity".to_string(), "out_of_range".to_string())]
    );
    assert_eq!(
        codes(ProductSale { quantity: f64::NAN, ..sale(&biz, SaleMarket::OwnVillage, None, 1) }),
        [("quantity".to_string(), "out_of_range".to_string())]
    );
    assert_eq!(codes(sale(&biz, SaleMarket::OwnVillage, None, -5)), [("revenue".to_string(), "out_of_range".to_string())]);
    let tomorrow = ProductSale { sold_on: Date::parse("2026-11-29").unwrap(), ..sale(&biz, SaleMarket::OwnVillage, None, 1) };
    assert_eq!(codes(tomorrow), [("sold_on".to_string(), "in_future".to_string())]);
    assert!(dev.store.beneficiary_file(&siti.id).unwrap().product_sales.is_empty(), "nothing refused was stored");
}

#[test]
fn a_sale_is_booked_only_to_the_persons_own_business() {
    let dev = device(facilitator());
    let siti = dev.store.register_beneficiary(siti()).unwrap();
    let rina = dev.store.register_beneficiary(BeneficiaryInput::new("Rina Marlina", Sex::Female, VILLAGE)).unwrap();
    let sitis = dev.store.save_business(warung(&siti.id), None).unwrap();
    let wrong = ProductSale { beneficiary_id: rina.id.clone(), ..sale(&sitis, SaleMarket::OwnVillage, None, 50_000) };
    let err = dev.store.save_product_sale(wrong).unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
    let nowhere = ProductSale { business_id: uuid::Uuid::now_v7().to_string(), ..sale(&sitis, SaleMarket::OwnVillage, None, 50_000) };
    assert_eq!(dev.store.save_product_sale(nowhere).unwrap_err().code(), "not_found");
    assert!(dev.store.beneficiary_file(&rina.id).unwrap().product_sales.is_empty());
}
