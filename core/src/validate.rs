//! Field validators shared by every entity: names, phone numbers, country codes, bounded text and
//! rupiah amounts. Each returns the cleaned value or a [`FieldError`] for that field.

use crate::error::FieldError;

pub const NAME_MAX_CHARS: usize = 100;
pub const TEXT_MAX_CHARS: usize = 2000;
/// The largest amount the app accepts anywhere: Rp 100 billion. Bigger is a typing error.
pub const RUPIAH_MAX: i64 = 100_000_000_000;

/// A person's name: trimmed, inner white space folded, 1..=100 characters, letters required.
/// Single names are normal in Indonesia; there is no family-name field to require.
pub fn person_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(FieldError::new(field, "required", "name is required"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(field, "too_long", format!("name is longer than {NAME_MAX_CHARS} characters")));
    }
    if !name.chars().any(char::is_alphabetic) {
        return Err(FieldError::new(field, "invalid_format", "name must contain letters"));
    }
    if name.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
        return Err(FieldError::new(field, "invalid_format", "name must not contain digits or control characters"));
    }
    Ok(name)
}

/// Free text: trimmed; empty becomes `None`; bounded.
pub fn optional_text(field: &str, raw: Option<&str>, max_chars: usize) -> Result<Option<String>, FieldError> {
    let Some(t) = raw.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if t.chars().count() > max_chars {
        return Err(FieldError::new(field, "too_long", format!("longer than {max_chars} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(field, "invalid_format", "contains control characters"));
    }
    Ok(Some(t.to_string()))
}

pub fn required_text(field: &str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    optional_text(field, Some(raw), max_chars)?.ok_or_else(|| FieldError::new(field, "required", "is required"))
}

/// An Indonesian phone number normalised to E.164 (`+6281234567890`). Accepts `0812-3456-7890`,
/// `+62 812 3456 7890`, `62812…` and `(022) 1234567`.
pub fn phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let bad = || FieldError::new(field, "invalid_format", "not an Indonesian phone number (e.g. 0812 3456 7890)");
    let trimmed = raw.trim();
    let (plus, body) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    if body.chars().any(|c| !(c.is_ascii_digit() || " -.()".contains(c))) {
        return Err(bad());
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("62") {
        rest
    } else if plus {
        return Err(FieldError::new(field, "invalid_format", "only Indonesian (+62) numbers are accepted"));
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        &digits
    };
    // National significant numbers: mobile 8xx… (9–12 digits), fixed lines area code 2–9 (8–11).
    let ok = match national.as_bytes().first() {
        Some(b'8') => (9..=12).contains(&national.len()),
        Some(b'2'..=b'9') => (8..=11).contains(&national.len()),
        _ => false,
    };
    if !ok {
        return Err(bad());
    }
    Ok(format!("+62{national}"))
}

/// ISO 3166-1 alpha-2 codes (officially assigned), for a worker's destination country.
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A destination country as an ISO 3166-1 alpha-2 code, upper-cased (`my` → `MY`).
pub fn country(field: &str, raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) && ISO_COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(FieldError::new(field, "invalid_country", "not an ISO 3166 country code (e.g. MY, SA, HK, TW)"))
    }
}

/// A rupiah amount: whole rupiah, `0..=RUPIAH_MAX`, or strictly positive when `positive`.
pub fn rupiah(field: &str, amount: i64, positive: bool) -> Result<i64, FieldError> {
    if amount < 0 || (positive && amount == 0) {
        let msg = if positive { "amount must be more than Rp 0" } else { "amount cannot be negative" };
        return Err(FieldError::new(field, "out_of_range", msg));
    }
    if amount > RUPIAH_MAX {
        return Err(FieldError::new(field, "out_of_range", "amount is larger than Rp 100.000.000.000"));
    }
    Ok(amount)
}

/// Collects field errors so that validation reports every problem at once.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }
    pub fn into_result(self) -> crate::error::Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::error::Error::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_plus_62() {
        for raw in ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "81234567890", " (0812) 3456.7890 "] {
            assert_eq!(phone("phone", raw).unwrap(), "+6281234567890", "{raw}");
        }
        assert_eq!(phone("phone", "(0234) 272 123").unwrap(), "+62234272123");
        for raw in ["", "12345", "+60 12 345 6789", "0812-3456-7890-1234", "08l2 3456 7890", "0012345678"] {
            assert!(phone("phone", raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn single_names_are_fine_and_are_tidied() {
        assert_eq!(person_name("n", "  Sutinah ").unwrap(), "Sutinah");
        assert_eq!(person_name("n", "Siti   Nur  Aisyah").unwrap(), "Siti Nur Aisyah");
        assert_eq!(person_name("n", "   ").unwrap_err().code, "required");
        assert_eq!(person_name("n", "Budi2").unwrap_err().code, "invalid_format");
        assert_eq!(person_name("n", &"a".repeat(101)).unwrap_err().code, "too_long");
        assert!(person_name("n", "Ni Luh Putu Ayu").is_ok());
    }

    #[test]
    fn countries_and_amounts() {
        assert_eq!(country("c", "my").unwrap(), "MY");
        assert!(country("c", "XX").is_err());
        assert!(country("c", "Malaysia").is_err());
        assert!(rupiah("a", -1, false).is_err());
        assert!(rupiah("a", 0, true).is_err());
        assert!(rupiah("a", RUPIAH_MAX + 1, false).is_err());
        assert_eq!(rupiah("a", 10_000_000, true).unwrap(), 10_000_000);
    }
}
