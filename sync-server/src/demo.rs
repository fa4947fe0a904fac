//! Demo data, so a newcomer sees a real sync in minutes: users of every role for Haurkolot and
//! Haurgeulis (Indramayu), and a few beneficiaries with visits, made on a demo device through the
//! core's own commands and pushed through the same path as a phone's.

use crate::error::{Result, ServerError};
use crate::storage::{NewUser, Storage};
use desmig_core::date::now_unix_ms;
use desmig_core::field::{BeneficiaryInput, NewFollowUp};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::{
    Bank, Business, BusinessSector, CapitalApplication, CapitalSource, EntityKind, JobSector, KurScheme, Prakerja, ProductSale, SaleMarket,
    SalesChannel, SavingsBand, Sex, Training, TrainingKind, TrainingMode,
};
use desmig_core::protocol::LoginRequest;
use desmig_core::scope::Role;
use desmig_core::status::{BusinessStatus, CapitalStage, PrakerjaStage, TrainingStatus};
use desmig_core::FieldStore;

pub const DEMO_PASSWORD: &str = "desmig-demo";
pub const VILLAGES: [&str; 2] = ["32.12.01.2007", "32.12.01.2008"];

pub struct DemoSummary {
    pub users: Vec<(String, Role)>,
    pub beneficiaries: usize,
    pub operations: usize,
}

fn user(username: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        password: DEMO_PASSWORD.into(),
        display_name: name.into(),
        role,
        villages: vec![],
        districts: vec![],
        beneficiary_id: None,
        phone: None,
    }
}

/// Siti's file shows every kind of status a new user should see: Kartu Prakerja selected in a
/// wave, a completed training, a KUR loan being repaid and a village-fund grant used, a running
/// business, and its sales in the district town and abroad.
fn programme_statuses(device: &FieldStore, siti: &str) -> Result<()> {
    let today = device.today();
    device.save_prakerja(
        Prakerja {
            id: String::new(),
            beneficiary_id: siti.into(),
            stage: PrakerjaStage::Selected,
            wave: Some(72),
            selected_on: Some(today.add_days(-10)),
            purchase_deadline: None,
            training_id: None,
            certificate_no: None,
            incentive_instalments: 0,
            incentive_received: 0,
        },
        Some("Lolos gelombang 72".into()),
    )?;
    device.save_training(
        Training {
            id: String::new(),
            beneficiary_id: siti.into(),
            title: "Pengolahan makanan ringan".into(),
            provider: "BLK Indramayu".into(),
            kind: TrainingKind::Vocational,
            mode: TrainingMode::Offline,
            via_prakerja: false,
            start_date: Some(today.add_days(-60)),
            end_date: Some(today.add_days(-45)),
            status: TrainingStatus::Completed,
            certificate_no: Some("BLK/IM/2026/0193".into()),
        },
        None,
    )?;
    let business = device.save_business(
        Business {
            id: String::new(),
            beneficiary_id: siti.into(),
            name: "Keripik Tempe Bu Siti".into(),
            sector: BusinessSector::FoodBeverage,
            status: BusinessStatus::Running,
            started_on: Some(today.add_days(-40)),
            monthly_revenue: Some(4_500_000),
            workers: 2,
            products: vec!["Keripik tempe".into()],
            sales_channels: vec![SalesChannel::Market, SalesChannel::Export],
            export_ready: true,
        },
        None,
    )?;
    for (source, stage) in [(CapitalSource::Kur, CapitalStage::Repaying), (CapitalSource::VillageFund, CapitalStage::Used)] {
        let kur = source == CapitalSource::Kur;
        device.save_capital_application(
            CapitalApplication {
                id: String::new(),
                beneficiary_id: siti.into(),
                source,
                bank: kur.then_some(Bank::Bri),
                kur_scheme: kur.then_some(KurScheme::SuperMikro),
                business_id: Some(business.id.clone()),
                purpose: Some("Peralatan produksi".into()),
                amount_requested: if kur { 10_000_000 } else { 3_000_000 },
                amount_approved: Some(if kur { 8_000_000 } else { 3_000_000 }),
                amount_disbursed: Some(if kur { 8_000_000 } else { 3_000_000 }),
                stage,
                submitted_on: Some(today.add_days(-35)),
                disbursed_on: Some(today.add_days(-20)),
                rejection_reason: None,
            },
            None,
        )?;
    }
    for (market, country, revenue) in [(SaleMarket::DistrictCity, None, 1_200_000), (SaleMarket::Export, Some("MY"), 3_600_000)] {
        device.save_product_sale(ProductSale {
            id: String::new(),
            beneficiary_id: siti.into(),
            business_id: business.id.clone(),
            sold_on: today,
            product: "Keripik tempe 250 g".into(),
            quantity: 120.0,
            unit: "pcs".into(),
            market,
            export_country: country.map(str::to_string),
            buyer: None,
            revenue,
            recorded_by: String::new(),
        })?;
    }
    Ok(())
}

pub fn seed(storage: &dyn Storage) -> Result<DemoSummary> {
    let now = now_unix_ms();
    let facilitator = storage.add_user(
        &NewUser {
            villages: VILLAGES.map(String::from).to_vec(),
            phone: Some("0812 3456 7890".into()),
            ..user("fasilitator", "Sri Wahyuni", Role::Facilitator)
        },
        now,
    )?;
    storage.add_user(
        &NewUser {
            districts: vec!["32.12".into()],
            phone: Some("0813 2100 4455".into()),
            ..user("koordinator", "Budi Santoso", Role::Supervisor)
        },
        now,
    )?;
    storage.add_user(&user("admin", "Admin Desmigratif", Role::Admin), now)?;

    // The facilitator's work, made on a demo device as a phone would.
    let dir = std::env::temp_dir().join(format!("desmig-demo-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| ServerError::Internal(e.to_string()))?;
    let device = FieldStore::open(dir.join("demo-device.db"))?;
    device.set_identity(Some(facilitator.identity()))?;
    let people = [
        ("Siti Aminah", Sex::Female, Some("3212015708900001"), "TW", JobSector::Caregiving),
        ("Warsini", Sex::Female, None, "MY", JobSector::DomesticWork),
        ("Kartini Rahayu", Sex::Female, None, "HK", JobSector::DomesticWork),
        ("Agus Saputra", Sex::Male, None, "KR", JobSector::Manufacturing),
        ("Eko Hidayat", Sex::Male, None, "JP", JobSector::Manufacturing),
    ];
    let assessment = device.template("initial_assessment", None)?;
    let mut first = None;
    let mut conflicted = None;
    for (i, (name, sex, nik, country, sector)) in people.into_iter().enumerate() {
        let input = BeneficiaryInput {
            nik: nik.map(String::from),
            last_country: Some(country.into()),
            job_sector_abroad: Some(sector),
            years_abroad: Some(3 + i as u8),
            savings_band: Some(SavingsBand::From10To50Million),
            ..BeneficiaryInput::new(name, sex, VILLAGES[i % 2])
        };
        let b = device.register_beneficiary(input.clone())?;
        if i == 1 {
            // Warsini's new number, entered here; another phone enters another one (below).
            device.update_beneficiary(&b.id, BeneficiaryInput { phone: Some("0812 7000 1111".into()), ..input })?;
            conflicted = Some(b.id.clone());
        }
        let due = desmig_core::date::Date::today_utc().add_days(7 + i as i64);
        device.record_visit(
            &b.id,
            &assessment.id,
            assessment.sample_answers(),
            Some("Kunjungan pertama".into()),
            vec![NewFollowUp { action: "Bantu daftar Kartu Prakerja".into(), due_date: due }],
        )?;
        first.get_or_insert(b.id);
    }
    let worker_of = first.ok_or_else(|| ServerError::Internal("no demo beneficiary".into()))?;
    programme_statuses(&device, &worker_of)?;
    storage.add_user(&NewUser { beneficiary_id: Some(worker_of), ..user("pmi", "Siti Aminah", Role::Worker) }, now)?;

    let login = storage.login(
        &LoginRequest {
            username: "fasilitator".into(),
            password: DEMO_PASSWORD.into(),
            device_id: device.device_id().into(),
            device_keys: None,
        },
        3_600_000,
        now,
    )?;
    let session = storage.authenticate(&login.token, now)?;
    let ops: Vec<_> = device.pending_operations(u32::MAX)?.into_iter().map(|e| e.op).collect();
    let results = storage.push(&session, &ops, now)?;
    if let Some(bad) = results.iter().find(|r| r.status == desmig_core::protocol::OpStatus::Rejected) {
        return Err(ServerError::Internal(format!("demo operation rejected: {:?}", bad.message)));
    }
    // The facilitator's second phone, offline, had entered another number for Warsini: a
    // conflict for the supervisor to resolve (the later entry is kept meanwhile).
    if let Some(id) = conflicted {
        let other = "demo-phone-2";
        let login = storage.login(
            &LoginRequest { username: "fasilitator".into(), password: DEMO_PASSWORD.into(), device_id: other.into(), device_keys: None },
            3_600_000,
            now,
        )?;
        let session = storage.authenticate(&login.token, now)?;
        let record =
            storage.read_record(EntityKind::Beneficiary, &id)?.ok_or_else(|| ServerError::Internal("demo record vanished".into()))?;
        let created = record.state.created.clone();
        let op = Operation {
            op_id: uuid::Uuid::now_v7().to_string(),
            device_id: other.into(),
            user_id: session.user.id.clone(),
            entity: EntityKind::Beneficiary,
            entity_id: id,
            hlc: Hlc { millis: created.millis + 1, counter: 0, node: other.into() },
            fields: [("phone".to_string(), FieldChange { value: serde_json::json!("+6285711112222"), base: Some(created) })].into(),
            resolves: vec![],
        };
        storage.push(&session, &[op], now)?;
    }
    drop(device);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(DemoSummary {
        users: vec![
            ("fasilitator".into(), Role::Facilitator),
            ("koordinator".into(), Role::Supervisor),
            ("pmi".into(), Role::Worker),
            ("admin".into(), Role::Admin),
        ],
        beneficiaries: people.len(),
        operations: ops.len(),
    })
}
