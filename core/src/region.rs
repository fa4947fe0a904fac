//! Region reference data in the Ministry of Home Affairs scheme (province `32`, district `32.12`,
//! sub-district `32.12.01`, village `32.12.01.2007`), loaded from a CSV data file. Logic never
//! names a code; it asks the catalog.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sample shipped with the app: every province, and the pilot districts named in DESIGN.md
/// with some of their sub-districts and villages.
pub const BUILTIN_REGIONS_CSV: &str = include_str!("../data/regions.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    District,
    SubDistrict,
    Village,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
}

impl Region {
    pub fn parent_code(&self) -> Option<&str> {
        self.code.rfind('.').map(|i| &self.code[..i])
    }
}

/// The level a code has by its shape, or `None` when it is not a well-formed code.
pub fn level_of(code: &str) -> Option<RegionLevel> {
    let parts: Vec<&str> = code.split('.').collect();
    let widths: &[usize] = &[2, 2, 2, 4];
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    for (p, w) in parts.iter().zip(widths) {
        if p.len() != *w || !p.bytes().all(|b| b.is_ascii_digit()) || p.bytes().all(|b| b == b'0') {
            return None;
        }
    }
    Some([RegionLevel::Province, RegionLevel::District, RegionLevel::SubDistrict, RegionLevel::Village][parts.len() - 1])
}

/// The district (`32.12`) a village or sub-district code lies in.
pub fn district_of(code: &str) -> Option<&str> {
    let mut dots = code.match_indices('.');
    let _first = dots.next()?;
    match dots.next() {
        Some((i, _)) => Some(&code[..i]),
        None => Some(code),
    }
}

#[derive(Debug, Clone, Default)]
pub struct RegionCatalog {
    regions: BTreeMap<String, Region>,
}

impl RegionCatalog {
    pub fn builtin() -> RegionCatalog {
        // The shipped file is checked by a test; a broken build of it must not stop the app.
        RegionCatalog::from_csv(BUILTIN_REGIONS_CSV).unwrap_or_default()
    }

    /// Parses `code,name` lines (with a header). Every problem is reported with its line number.
    pub fn from_csv(text: &str) -> Result<RegionCatalog, Vec<FieldError>> {
        let mut regions = BTreeMap::new();
        let mut problems = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (i == 0 && line.starts_with("code,")) {
                continue;
            }
            let field = format!("line {}", i + 1);
            let Some((code, name)) = line.split_once(',') else {
                problems.push(FieldError::new(field, "invalid_format", "expected `code,name`"));
                continue;
            };
            let (code, name) = (code.trim(), name.trim());
            let Some(level) = level_of(code) else {
                problems.push(FieldError::new(field, "invalid_region_code", format!("`{code}` is not a region code")));
                continue;
            };
            if name.is_empty() {
                problems.push(FieldError::new(field, "required", "region name is empty"));
                continue;
            }
            let region = Region { code: code.to_string(), name: name.to_string(), level };
            if let Some(parent) = region.parent_code() {
                if !regions.contains_key(parent) {
                    problems.push(FieldError::new(
                        field,
                        "unknown_parent",
                        format!("parent `{parent}` of `{code}` is not listed before it"),
                    ));
                    continue;
                }
            }
            if regions.insert(code.to_string(), region).is_some() {
                problems.push(FieldError::new(field, "duplicate", format!("`{code}` is listed twice")));
            }
        }
        if problems.is_empty() {
            Ok(RegionCatalog { regions })
        } else {
            Err(problems)
        }
    }

    pub fn get(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.values()
    }

    /// Direct children of a region (districts of a province, villages of a sub-district).
    pub fn children<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Region> + 'a {
        let prefix = format!("{code}.");
        self.regions
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(_, r)| r)
            .filter(move |r| r.parent_code() == Some(code))
    }

    /// Villages inside any region (a district's villages for a supervisor).
    pub fn villages_in<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Region> + 'a {
        let prefix = format!("{code}.");
        self.regions
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(_, r)| r)
            .filter(|r| r.level == RegionLevel::Village)
    }

    /// A village code the catalog knows.
    pub fn check_village(&self, field: &str, code: &str) -> Result<String, FieldError> {
        let code = code.trim();
        match (level_of(code), self.get(code)) {
            (Some(RegionLevel::Village), Some(_)) => Ok(code.to_string()),
            (Some(RegionLevel::Village), None) => {
                Err(FieldError::new(field, "unknown_village", format!("village `{code}` is not in the region list")))
            }
            _ => Err(FieldError::new(field, "invalid_region_code", format!("`{code}` is not a village code (e.g. 32.12.01.2007)"))),
        }
    }

    pub fn knows_province(&self, two_digits: &str) -> bool {
        self.get(two_digits).is_some_and(|r| r.level == RegionLevel::Province)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_region_file_is_valid_and_covers_the_pilots() {
        let cat = RegionCatalog::from_csv(BUILTIN_REGIONS_CSV).expect("shipped regions.csv must parse");
        let indramayu = cat.get("32.12").expect("Indramayu");
        assert_eq!(indramayu.level, RegionLevel::District);
        assert!(cat.get("32.13").is_some(), "Subang");
        assert!(cat.villages_in("32.12").count() >= 10);
        assert!(cat.iter().filter(|r| r.level == RegionLevel::Province).count() >= 34);
        assert!(cat.children("32.12").all(|r| r.level == RegionLevel::SubDistrict));
    }

    #[test]
    fn codes_are_checked_by_shape_and_by_the_list() {
        assert_eq!(level_of("32.12.01.2007"), Some(RegionLevel::Village));
        assert_eq!(level_of("32.12.1.2007"), None);
        assert_eq!(level_of("32.00"), None);
        assert_eq!(district_of("32.12.01.2007"), Some("32.12"));
        let cat =
            RegionCatalog::from_csv("code,name\n32,Jawa Barat\n32.12,Kabupaten Indramayu\n32.12.01,Haurgeulis\n32.12.01.2007,Haurkolot\n")
                .unwrap();
        assert!(cat.check_village("v", "32.12.01.2007").is_ok());
        assert_eq!(cat.check_village("v", "32.12.01.2999").unwrap_err().code, "unknown_village");
        assert_eq!(cat.check_village("v", "32.12.01").unwrap_err().code, "invalid_region_code");
    }

    #[test]
    fn a_bad_region_file_reports_every_line() {
        let errs = RegionCatalog::from_csv("code,name\n32,Jawa Barat\n32.99.01,Orphan\nxx,Bad\n32,Again\n").unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, vec![("line 3", "unknown_parent"), ("line 4", "invalid_region_code"), ("line 5", "duplicate")]);
    }
}
