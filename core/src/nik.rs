//! NIK, the 16-digit national identity number: `PPKKCC DDMMYY SSSS` — province, district and
//! sub-district of registration, birth date (day + 40 for women), and a serial.

use crate::date::Date;
use crate::model::Sex;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nik {
    digits: String,
    pub birth_date: Date,
    pub sex: Sex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NikError {
    /// Not exactly 16 digits.
    Format,
    /// Province, district or sub-district part is 00 or out of range.
    Area,
    /// The encoded birth date is not a real date, or lies in the future.
    BirthDate,
    /// The serial is 0000.
    Serial,
}

impl NikError {
    pub fn code(self) -> &'static str {
        match self {
            NikError::Format => "invalid_format",
            NikError::Area => "invalid_area_code",
            NikError::BirthDate => "invalid_birth_date",
            NikError::Serial => "invalid_serial",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            NikError::Format => "NIK must be exactly 16 digits",
            NikError::Area => "NIK area code (first 6 digits) is not a valid region",
            NikError::BirthDate => "NIK digits 7-12 are not a valid birth date (DDMMYY, day + 40 for women)",
            NikError::Serial => "NIK serial (last 4 digits) cannot be 0000",
        }
    }
}

impl Nik {
    /// Parses and checks the structure. `today` decides the century of the two-digit year: the
    /// latest one that does not put the birth in the future.
    pub fn parse(input: &str, today: Date) -> Result<Nik, NikError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NikError::Format);
        }
        let n = |a: usize| -> u32 { digits[a..a + 2].parse().unwrap_or(0) };
        let (province, district, subdistrict) = (n(0), n(2), n(4));
        if !(11..=99).contains(&province) || district == 0 || subdistrict == 0 {
            return Err(NikError::Area);
        }
        let (mut day, month, yy) = (n(6), n(8), n(10) as i32);
        let sex = if day > 40 {
            day -= 40;
            Sex::Female
        } else {
            Sex::Male
        };
        let century = if 2000 + yy <= today.year { 2000 } else { 1900 };
        let birth_date = Date::new(century + yy, month as u8, day as u8).ok_or(NikError::BirthDate)?;
        if birth_date > today {
            return Err(NikError::BirthDate);
        }
        if &digits[12..] == "0000" {
            return Err(NikError::Serial);
        }
        Ok(Nik { digits, birth_date, sex })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The two-digit province code (`32`).
    pub fn province(&self) -> &str {
        &self.digits[..2]
    }

    /// Masked for lists: area code kept, birth date and serial hidden (`321201**********`).
    pub fn masked(&self) -> String {
        mask(&self.digits)
    }
}

/// Masks any stored NIK string for display in lists.
pub fn mask(nik: &str) -> String {
    let keep: String = nik.chars().take(6).collect();
    format!("{keep}{}", "*".repeat(nik.chars().count().saturating_sub(6)))
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> Date {
        Date::new(2026, 11, 28).unwrap()
    }

    #[test]
    fn reads_birth_date_and_sex() {
        let man = Nik::parse("3212011708850003", today()).unwrap();
        assert_eq!((man.birth_date.to_string(), man.sex), ("1985-08-17".into(), Sex::Male));
        let woman = Nik::parse("3212 0157 0802 0001", today()).unwrap();
        assert_eq!((woman.birth_date.to_string(), woman.sex), ("2002-08-17".into(), Sex::Female));
        assert_eq!(woman.masked(), "321201**********");
    }

    #[test]
    fn refuses_bad_niks() {
        assert_eq!(Nik::parse("32120117088500", today()), Err(NikError::Format));
        assert_eq!(Nik::parse("32120117088500031", today()), Err(NikError::Format));
        assert_eq!(Nik::parse("321201170885000x", today()), Err(NikError::Format));
        assert_eq!(Nik::parse("0012011708850003", today()), Err(NikError::Area));
        assert_eq!(Nik::parse("3200011708850003", today()), Err(NikError::Area));
        assert_eq!(Nik::parse("3212013202850003", today()), Err(NikError::BirthDate)); // 32 Feb
        assert_eq!(Nik::parse("3212017102850003", today()), Err(NikError::BirthDate)); // 31 Feb, woman
        assert_eq!(Nik::parse("3212011713850003", today()), Err(NikError::BirthDate)); // month 13
        assert_eq!(Nik::parse("3212011708850000", today()), Err(NikError::Serial));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_input(s in "\\PC{0,40}") {
            let _ = Nik::parse(&s, today());
        }

        #[test]
        fn any_well_formed_nik_round_trips(prov in 11u32..=99, dist in 1u32..=99, sub in 1u32..=99,
                                           days in 0i64..36_000, female in any::<bool>(), serial in 1u32..=9999) {
            let born = Date::new(1930, 1, 1).unwrap().add_days(days);
            prop_assume!(born <= today());
            let dd = u32::from(born.day) + if female { 40 } else { 0 };
            let s = format!("{prov:02}{dist:02}{sub:02}{dd:02}{:02}{:02}{serial:04}", born.month, born.year % 100);
            let nik = Nik::parse(&s, today()).unwrap();
            // Two-digit years are read as the latest century that is not in the future.
            let expected_year = if 2000 + born.year % 100 <= today().year { 2000 + born.year % 100 } else { 1900 + born.year % 100 };
            prop_assert_eq!(nik.birth_date.year, expected_year);
            prop_assert_eq!((nik.birth_date.month, nik.birth_date.day), (born.month, born.day));
            prop_assert_eq!(nik.sex, if female { Sex::Female } else { Sex::Male });
            prop_assert_eq!(nik.as_str(), s.as_str());
        }
    }
}
