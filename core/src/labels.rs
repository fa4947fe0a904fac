//! Words decided once for both apps: country names for ISO codes, month names, the codes of
//! refusals as a typed enum, and how a stored value reads (the conflicts screen shows a field's
//! label and its values, never `stage: "disbursed"`). Kotlin and Swift map the keys and enum
//! cases to their strings; names that are data (countries, months) come in both languages here.

use crate::checklist::Text;
use crate::date::{Date, Month};
use crate::model::EntityKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;

/// ISO 3166-1 alpha-2 code, Indonesian and English names (CLDR names via umpirsky/country-list).
const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    pub code: String,
    pub name: Text,
}

fn table() -> &'static [Country] {
    static TABLE: OnceLock<Vec<Country>> = OnceLock::new();
    TABLE.get_or_init(|| {
        COUNTRIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let (code, id, en) = (parts.next()?, parts.next()?, parts.next()?);
                Some(Country { code: code.to_string(), name: Text { id: id.to_string(), en: en.to_string() } })
            })
            .collect()
    })
}

/// The name of a country from its ISO code (any case); `None` for a code that is not one.
pub fn country(code: &str) -> Option<Country> {
    let code = code.trim().to_ascii_uppercase();
    table().iter().find(|c| c.code == code).cloned()
}

/// Every country a form may offer, sorted by its Indonesian name, with the countries most
/// Indonesian migrant workers return from first (BP2MI placement figures): Malaysia, Taiwan,
/// Hong Kong, Saudi Arabia, Singapore, South Korea, Japan, the Gulf states, Brunei.
pub fn countries() -> Vec<Country> {
    const FIRST: [&str; 12] = ["MY", "TW", "HK", "SA", "SG", "KR", "JP", "AE", "QA", "KW", "OM", "BN"];
    let mut out: Vec<Country> = FIRST.iter().filter_map(|c| country(c)).collect();
    let mut rest: Vec<Country> = table().iter().filter(|c| !FIRST.contains(&c.code.as_str()) && c.code != "ID").cloned().collect();
    rest.sort_by(|a, b| a.name.id.cmp(&b.name.id));
    out.extend(rest);
    out
}

const MONTHS_ID: [&str; 12] =
    ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// A month's name (1-12); out of range gives empty text.
pub fn month_name(month: u8) -> Text {
    let i = usize::from(month.wrapping_sub(1));
    match (MONTHS_ID.get(i), MONTHS_EN.get(i)) {
        (Some(id), Some(en)) => Text { id: id.to_string(), en: en.to_string() },
        _ => Text { id: String::new(), en: String::new() },
    }
}

/// A month as a heading reads: `Desember 2026`, `December 2026`.
pub fn month_label(m: Month) -> Text {
    let name = month_name(m.month);
    Text { id: format!("{} {}", name.id, m.year), en: format!("{} {}", name.en, m.year) }
}

/// A date as a person reads it: `2 Desember 2026`, `2 December 2026`.
pub fn date_label(d: Date) -> Text {
    let name = month_name(d.month);
    Text { id: format!("{} {} {}", d.day, name.id, d.year), en: format!("{} {} {}", d.day, name.en, d.year) }
}

/// Why something was refused or stopped, as the apps act on it: the stable codes of the core,
/// the server and the sync, one enum case each. A code this app does not know yet (a newer
/// server) is `Other`, with the raw code kept beside it where it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // The phone's own situation.
    /// No connection, or it broke off: everything is kept.
    Network,
    Cancelled,
    /// The phone's database failed.
    Storage,
    /// The store's key does not open it.
    WrongKey,
    InvalidKey,
    // The session.
    LoginRequired,
    TokenExpired,
    InvalidToken,
    SignedOut,
    AccountDisabled,
    InvalidCredentials,
    LoginThrottled,
    /// An administrator revoked this phone (lost): its data was erased.
    DeviceRevoked,
    // A record refused (by the phone before it is saved, or by the server per operation).
    /// Values that fail validation (the field errors say which).
    Invalid,
    NotFound,
    OutOfScope,
    ReadOnly,
    NotSupervisor,
    WrongAuthor,
    SelfVerification,
    ConsentWithdrawn,
    /// The person's data was erased on request: nothing more is kept for them.
    Erased,
    /// The step does not follow from the record's current state (a refused status move).
    StateConflict,
    StaleClock,
    ClockInvalid,
    ResolutionOutdated,
    ForgedOperation,
    InvalidOperation,
    // The protocol.
    UnsupportedProtocol,
    ProtocolRequired,
    PayloadTooLarge,
    RateLimited,
    InvalidCursor,
    // Store-and-forward bundles.
    /// Sign in once while online first: bundles are sealed to the server's key.
    NoServerKeys,
    /// Not a bundle file, or one this app cannot read.
    BundleMalformed,
    /// Altered, damaged on the way, or sealed for someone else: it does not open.
    BundleDamaged,
    /// Not signed by the device it claims to come from.
    BundleBadSignature,
    /// Made for another server.
    BundleWrongServer,
    /// This phone made it: it goes to a phone that will reach coverage.
    BundleOwn,
    /// The phone synced since the bundle was made: it already has these changes or newer.
    BundleStale,
    /// The server failed; try again later.
    Internal,
    Other,
}

impl Code {
    /// The case of a stable code; unknown codes are [`Code::Other`].
    pub fn of(code: &str) -> Code {
        match code {
            // Codes that mean the same to a person.
            "not_allowed" => Code::OutOfScope,
            "too_many_requests" => Code::RateLimited,
            "internal_error" | "server_error" => Code::Internal,
            "bundle_unsupported" | "bundle_not_outbound" => Code::BundleMalformed,
            "bundle_unknown_device" => Code::BundleBadSignature,
            // Sealed for another user of this phone: to this user it does not open.
            "bundle_wrong_user" => Code::BundleDamaged,
            "bundle_too_large" => Code::PayloadTooLarge,
            "not_a_carrier" => Code::OutOfScope,
            other => serde_json::from_value(Value::String(other.to_string())).unwrap_or(Code::Other),
        }
    }

    /// The snake_case code (`consent_withdrawn`).
    pub fn as_str(self) -> String {
        self.name().to_string()
    }

    /// The snake_case code, as a static string.
    pub fn name(self) -> &'static str {
        use Code::*;
        match self {
            Network => "network",
            Cancelled => "cancelled",
            Storage => "storage",
            WrongKey => "wrong_key",
            InvalidKey => "invalid_key",
            LoginRequired => "login_required",
            TokenExpired => "token_expired",
            InvalidToken => "invalid_token",
            SignedOut => "signed_out",
            AccountDisabled => "account_disabled",
            InvalidCredentials => "invalid_credentials",
            LoginThrottled => "login_throttled",
            DeviceRevoked => "device_revoked",
            NoServerKeys => "no_server_keys",
            BundleMalformed => "bundle_malformed",
            BundleDamaged => "bundle_damaged",
            BundleBadSignature => "bundle_bad_signature",
            BundleWrongServer => "bundle_wrong_server",
            BundleOwn => "bundle_own",
            BundleStale => "bundle_stale",
            Invalid => "invalid",
            NotFound => "not_found",
            OutOfScope => "out_of_scope",
            ReadOnly => "read_only",
            NotSupervisor => "not_supervisor",
            WrongAuthor => "wrong_author",
            SelfVerification => "self_verification",
            ConsentWithdrawn => "consent_withdrawn",
            Erased => "erased",
            StateConflict => "state_conflict",
            StaleClock => "stale_clock",
            ClockInvalid => "clock_invalid",
            ResolutionOutdated => "resolution_outdated",
            ForgedOperation => "forged_operation",
            InvalidOperation => "invalid_operation",
            UnsupportedProtocol => "unsupported_protocol",
            ProtocolRequired => "protocol_required",
            PayloadTooLarge => "payload_too_large",
            RateLimited => "rate_limited",
            InvalidCursor => "invalid_cursor",
            Internal => "internal",
            Other => "other",
        }
    }

    /// Whether the user can do nothing about it but wait and sync again.
    pub fn is_transient(self) -> bool {
        matches!(self, Code::Network | Code::Cancelled | Code::RateLimited | Code::Internal | Code::LoginThrottled)
    }

    /// Whether it ends the session: the app asks for the password again.
    pub fn needs_login(self) -> bool {
        matches!(
            self,
            Code::LoginRequired | Code::TokenExpired | Code::InvalidToken | Code::SignedOut | Code::AccountDisabled | Code::DeviceRevoked
        )
    }
}

/// A stored value as a person reads it: a key for a value of an enum (`capital_disbursed`,
/// `market_export`), rupiah, a date, a country, yes/no, or text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shown", rename_all = "snake_case")]
pub enum Shown {
    Empty,
    Key { key: String },
    Rupiah { rupiah: i64 },
    Date { date: String, label: Text },
    Country { code: String, name: Text },
    YesNo { yes: bool },
    Text { text: String },
}

/// The key prefix of a field whose values are an enum, by record kind: the same keys as the
/// status cards and the forms (`capital_` + `disbursed`).
fn enum_prefix(kind: EntityKind, field: &str) -> Option<&'static str> {
    use EntityKind::*;
    Some(match (kind, field) {
        (Prakerja, "stage") => "prakerja",
        (Training, "status") => "training",
        (Training, "kind") => "training_kind",
        (Training, "mode") => "training_mode",
        (CapitalApplication, "stage") => "capital",
        (CapitalApplication, "source") => "source",
        (CapitalApplication, "bank") => "bank",
        (CapitalApplication, "kur_scheme") => "kur_scheme",
        (Business, "status") => "business",
        (Business, "sector") => "business_sector",
        (ProductSale, "market") => "market",
        (Visit, "status") => "visit",
        (Beneficiary, "sex") => "sex",
        (Beneficiary, "kind") => "kind",
        (Beneficiary, "job_sector_abroad") => "job_sector",
        (Beneficiary, "savings_band") => "savings",
        (Beneficiary, "consent_method") => "consent",
        _ => return None,
    })
}

fn is_rupiah(field: &str) -> bool {
    field.starts_with("amount_") || matches!(field, "monthly_revenue" | "revenue" | "incentive_received")
}

fn is_country(field: &str) -> bool {
    field.ends_with("_country")
}

/// How `value` of `field` on a record of `kind` reads.
pub fn shown(kind: EntityKind, field: &str, value: &Value) -> Shown {
    match value {
        Value::Null => Shown::Empty,
        Value::Bool(yes) => Shown::YesNo { yes: *yes },
        Value::String(s) if s.is_empty() => Shown::Empty,
        Value::String(s) => {
            if let Some(prefix) = enum_prefix(kind, field) {
                return Shown::Key { key: format!("{prefix}_{s}") };
            }
            if is_country(field) {
                if let Some(c) = country(s) {
                    return Shown::Country { code: c.code, name: c.name };
                }
            }
            if let Some(d) = Date::parse(s).filter(|_| s.len() == 10) {
                return Shown::Date { date: s.clone(), label: date_label(d) };
            }
            Shown::Text { text: s.clone() }
        }
        Value::Number(n) if is_rupiah(field) && n.as_i64().is_some() => Shown::Rupiah { rupiah: n.as_i64().unwrap_or_default() },
        Value::Number(n) => Shown::Text { text: n.to_string() },
        Value::Array(items) => {
            // Lists of enum values (sales channels) or of text (products).
            let words: Vec<String> = items.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect();
            Shown::Text { text: words.join(", ") }
        }
        Value::Object(_) => Shown::Text { text: value.to_string() },
    }
}

/// A field's label key: `field_` + its name (`field_amount_disbursed`, `field_full_name`).
pub fn field_key(field: &str) -> String {
    format!("field_{field}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_country_the_validator_accepts_has_a_name_in_both_languages() {
        assert_eq!(table().len(), 249);
        for c in table() {
            assert_eq!(crate::validate::country("c", &c.code).as_deref(), Ok(c.code.as_str()));
            assert!(!c.name.id.is_empty() && !c.name.en.is_empty(), "{}", c.code);
        }
        assert_eq!(country("sa").map(|c| c.name), Some(Text { id: "Arab Saudi".into(), en: "Saudi Arabia".into() }));
        assert_eq!(country("XX"), None);
        let list = countries();
        assert_eq!(list[0].code, "MY");
        assert!(!list.iter().any(|c| c.code == "ID"), "Indonesia is not a destination or an export");
        assert_eq!(list.len(), 248);
    }

    #[test]
    fn months_and_dates_read_in_both_languages() {
        assert_eq!(month_name(12), Text { id: "Desember".into(), en: "December".into() });
        assert_eq!(month_name(0).id, "");
        assert_eq!(month_name(13).en, "");
        assert_eq!(month_label(Month { year: 2026, month: 8 }).id, "Agustus 2026");
        assert_eq!(date_label(Date::parse("2026-12-02").unwrap()).en, "2 December 2026");
    }

    #[test]
    fn codes_are_typed_and_unknown_ones_are_other() {
        assert_eq!(Code::of("consent_withdrawn"), Code::ConsentWithdrawn);
        assert_eq!(Code::of("device_revoked"), Code::DeviceRevoked);
        assert_eq!(Code::of("a_code_from_a_newer_server"), Code::Other);
        assert_eq!(Code::ConsentWithdrawn.as_str(), "consent_withdrawn");
        assert!(Code::of("token_expired").needs_login());
        assert!(Code::of("network").is_transient());
        // Every code a refusal in the core can carry is a case of its own.
        // The static names are the serde names.
        for c in [Code::ConsentWithdrawn, Code::InvalidCursor, Code::Other, Code::WrongKey] {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::Value::String(c.name().into()));
        }
        for code in [
            "out_of_scope",
            "read_only",
            "not_supervisor",
            "wrong_author",
            "self_verification",
            "stale_clock",
            "clock_invalid",
            "resolution_outdated",
            "forged_operation",
            "erased",
            "state_conflict",
            "invalid",
            "not_found",
            "wrong_key",
            "invalid_key",
        ] {
            assert_ne!(Code::of(code), Code::Other, "{code}");
            assert_eq!(Code::of(code).as_str(), code);
        }
    }

    #[test]
    fn stored_values_read_as_keys_rupiah_dates_and_countries() {
        assert_eq!(shown(EntityKind::CapitalApplication, "stage", &json!("disbursed")), Shown::Key { key: "capital_disbursed".into() });
        assert_eq!(shown(EntityKind::CapitalApplication, "amount_disbursed", &json!(5_000_000)), Shown::Rupiah { rupiah: 5_000_000 });
        assert_eq!(shown(EntityKind::ProductSale, "market", &json!("export")), Shown::Key { key: "market_export".into() });
        assert!(matches!(shown(EntityKind::ProductSale, "export_country", &json!("MY")), Shown::Country { ref code, .. } if code == "MY"));
        assert!(
            matches!(shown(EntityKind::Beneficiary, "birth_date", &json!("1990-05-01")), Shown::Date { ref label, .. } if label.id == "1 Mei 1990")
        );
        assert_eq!(shown(EntityKind::Beneficiary, "full_name", &json!("Siti")), Shown::Text { text: "Siti".into() });
        assert_eq!(shown(EntityKind::Beneficiary, "phone", &Value::Null), Shown::Empty);
        assert_eq!(shown(EntityKind::Business, "workers", &json!(3)), Shown::Text { text: "3".into() });
        assert_eq!(field_key("amount_disbursed"), "field_amount_disbursed");
    }
}
