//! The full Kemendagri region list (Kepmendagri No 300.2.2-2138 Tahun 2025: 38 provinces, 514
//! districts, 7,285 sub-districts, 83,762 villages), shipped compressed in the binary and loaded
//! by default; and the part of it each phone receives: only the regions its user's scope needs.
//! Source: cahyadsn/wilayah `db/wilayah.sql` (MIT), converted by `scripts/regions-from-wilayah.py`;
//! see `sync-server/data/README.md`.

use crate::error::{Result, ServerError};
use crate::storage::{Storage, User};
use desmig_core::region::RegionCatalog;
use desmig_core::scope::Role;
use std::io::Read;

const FULL_GZ: &[u8] = include_bytes!("../data/regions.csv.gz");

/// The full list as `code,name` CSV.
pub fn full_csv() -> Result<String> {
    let mut csv = String::with_capacity(FULL_GZ.len() * 4);
    flate2::read::GzDecoder::new(FULL_GZ)
        .read_to_string(&mut csv)
        .map_err(|e| ServerError::Internal(format!("the shipped region list cannot be read: {e}")))?;
    Ok(csv)
}

/// Whether `catalog` is still the small sample a new store starts with.
pub fn is_sample(catalog: &RegionCatalog) -> bool {
    let sample = RegionCatalog::builtin();
    catalog.len() == sample.len() && sample.iter().all(|r| catalog.get(&r.code).is_some_and(|c| c.name == r.name))
}

/// Loads the full list into a store that still has the sample (a new server); a list an
/// administrator loaded (`regions FILE`) is kept. Returns how many regions were loaded.
pub fn load_full_if_sample(storage: &dyn Storage) -> Result<Option<usize>> {
    storage.refresh_reference()?;
    if !is_sample(&storage.reference_cache().ctx().regions) {
        return Ok(None);
    }
    storage.load_regions(&full_csv()?).map(Some)
}

/// The regions a user's phone needs, as `code,name` CSV: their villages (a facilitator), their
/// districts' villages (a supervisor), their own village (a worker, `worker_village`), every
/// region (an administrator); with each one's sub-district, district and province, and every
/// province (a form's first choice).
pub fn scoped_csv(catalog: &RegionCatalog, user: &User, worker_village: Option<&str>) -> String {
    let wanted = |code: &str| -> bool {
        if !code.contains('.') {
            return true;
        }
        let within =
            |area: &str, code: &str| code == area || code.starts_with(&format!("{area}.")) || area.starts_with(&format!("{code}."));
        match user.role {
            Role::Admin => true,
            Role::Facilitator => user.villages.iter().any(|v| within(v, code)),
            Role::Supervisor => user.districts.iter().any(|d| within(d, code)),
            Role::Worker => worker_village.is_some_and(|v| within(v, code)),
        }
    };
    let mut csv = String::from("code,name\n");
    for r in catalog.iter().filter(|r| wanted(&r.code)) {
        csv.push_str(&r.code);
        csv.push(',');
        csv.push_str(&r.name);
        csv.push('\n');
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, villages: &[&str], districts: &[&str]) -> User {
        User {
            id: "u".into(),
            username: "u".into(),
            display_name: "U".into(),
            role,
            villages: villages.iter().map(|s| s.to_string()).collect(),
            districts: districts.iter().map(|s| s.to_string()).collect(),
            beneficiary_id: None,
            scope_version: 1,
        }
    }

    #[test]
    fn the_shipped_list_is_the_whole_country_and_every_sample_code_is_in_it() {
        let full = RegionCatalog::from_csv(&full_csv().unwrap()).expect("the shipped list parses");
        assert_eq!(full.len(), 91_599);
        assert_eq!(full.iter().filter(|r| !r.code.contains('.')).count(), 38, "38 provinces");
        assert_eq!(full.get("32.12.01.2007").map(|r| r.name.as_str()), Some("Haurkolot"));
        for r in RegionCatalog::builtin().iter() {
            assert!(full.get(&r.code).is_some(), "sample code {} is a real code", r.code);
        }
        assert!(!is_sample(&full));
        assert!(is_sample(&RegionCatalog::builtin()));

        // A facilitator of one village gets that village, its parents and the provinces.
        let csv = scoped_csv(&full, &user(Role::Facilitator, &["32.12.01.2007"], &[]), None);
        let codes: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(codes.len(), 38 + 3);
        assert!(codes.contains(&"32.12") && codes.contains(&"32.12.01") && codes.contains(&"32.12.01.2007"));
        assert!(!codes.contains(&"32.12.01.2008"));
        RegionCatalog::from_csv(&csv).expect("a scoped list is a valid list");
        // A supervisor of Indramayu gets every village of Indramayu and nothing of Subang.
        let csv = scoped_csv(&full, &user(Role::Supervisor, &[], &["32.12"]), None);
        let villages = csv.lines().filter(|l| l.starts_with("32.12.") && l.split(',').next().unwrap().len() == 13).count();
        assert!(villages > 300, "{villages} villages");
        assert!(!csv.contains("\n32.13,"));
        // A worker with no file on the server gets the provinces only.
        assert_eq!(scoped_csv(&full, &user(Role::Worker, &[], &[]), None).lines().count(), 1 + 38);
    }
}
