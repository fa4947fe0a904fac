//! Shared set-up for the store tests: real database files in a temporary folder, a pinned day,
//! and the users of a pilot village.
#![allow(dead_code)]

use desmig_core::date::Date;
use desmig_core::field::BeneficiaryInput;
use desmig_core::model::*;
use desmig_core::scope::{Identity, Role};
use desmig_core::FieldStore;
use tempfile::TempDir;

/// Haurkolot, Haurgeulis, Indramayu, and a village of Subang.
pub const VILLAGE: &str = "32.12.01.2007";
pub const OTHER_VILLAGE_SAME_DISTRICT: &str = "32.12.01.2008";
pub const SUBANG_VILLAGE: &str = "32.13.09.2001";

pub fn today() -> Date {
    Date::new(2026, 11, 28).unwrap()
}

pub fn facilitator() -> Identity {
    Identity {
        user_id: "fasilitator-sri".into(),
        display_name: "Sri Wahyuni".into(),
        role: Role::Facilitator,
        villages: vec![VILLAGE.into()],
        districts: vec![],
        beneficiary_id: None,
    }
}

pub fn supervisor() -> Identity {
    Identity {
        user_id: "koordinator-budi".into(),
        display_name: "Budi".into(),
        role: Role::Supervisor,
        villages: vec![],
        districts: vec!["32.12".into()],
        beneficiary_id: None,
    }
}

pub fn worker(beneficiary_id: &str) -> Identity {
    Identity {
        user_id: "pmi-siti".into(),
        display_name: "Siti".into(),
        role: Role::Worker,
        villages: vec![],
        districts: vec![],
        beneficiary_id: Some(beneficiary_id.into()),
    }
}

pub struct Device {
    pub store: FieldStore,
    pub dir: TempDir,
}

pub fn device(identity: Identity) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let store = FieldStore::open(dir.path().join("field.db")).unwrap();
    store.set_today(Some(today()));
    store.set_identity(Some(identity)).unwrap();
    Device { store, dir }
}

/// A returning worker from Haurkolot: a woman born 17 Aug 1990, back from Taiwan.
pub fn siti() -> BeneficiaryInput {
    BeneficiaryInput {
        nik: Some("3212015708900001".into()),
        birth_date: Some("1990-08-17".into()),
        phone: Some("0812-3456-7890".into()),
        last_country: Some("tw".into()),
        job_sector_abroad: Some(JobSector::Caregiving),
        years_abroad: Some(6),
        return_month: Some("2025-03".into()),
        savings_band: Some(SavingsBand::From10To50Million),
        skills: vec!["Memasak".into(), "Bahasa Mandarin".into()],
        ..BeneficiaryInput::new("  Siti   Aminah ", Sex::Female, VILLAGE)
    }
}

pub fn field_codes(err: &desmig_core::Error) -> Vec<(String, String)> {
    match err {
        desmig_core::Error::Validation(v) => v.iter().map(|e| (e.field.clone(), e.code.clone())).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}
