//! A benchmark dataset of records shaped like real ones, deterministic from a seed: returning
//! workers with a full registration (NIK, birth date, phone, address, destination, skills,
//! networks: ~0.8–1 KB of JSON) and visits of the KUR-readiness checklist (28 answers of every
//! kind, free-text answers and notes that differ per visit, GPS: ~1.3–1.5 KB). `Shape::Small`
//! keeps the earlier benchmark's records (one short name, sample answers) for comparison.

use desmig_core::checklist::{ItemKind, Template};
use desmig_core::date::Date;
use desmig_core::model::*;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Realistic,
    Small,
}

impl Shape {
    /// From `$DESMIG_BENCH_SHAPE` (`realistic`, the default, or `small`).
    pub fn from_env() -> Shape {
        match std::env::var("DESMIG_BENCH_SHAPE").as_deref() {
            Ok("small") => Shape::Small,
            _ => Shape::Realistic,
        }
    }
}

/// A small, fast, deterministic generator (xorshift64*): the same seed gives the same dataset.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
}

const GIVEN: [&str; 24] = [
    "Siti", "Sri", "Nur", "Dewi", "Ani", "Rina", "Wati", "Yuli", "Lestari", "Kartini", "Suwarni", "Tuti", "Budi", "Agus", "Eko", "Joko",
    "Slamet", "Wahyu", "Dedi", "Iwan", "Rudi", "Hendra", "Yanto", "Sutrisno",
];
const FAMILY: [&str; 16] = [
    "Aminah",
    "Rahayu",
    "Wulandari",
    "Handayani",
    "Susanti",
    "Purnamasari",
    "Saputra",
    "Hidayat",
    "Santoso",
    "Prasetyo",
    "Setiawan",
    "Nugroho",
    "Kurniawan",
    "Wibowo",
    "Maryati",
    "Rohani",
];
const WORDS: [&str; 40] = [
    "usaha",
    "warung",
    "modal",
    "pelatihan",
    "keripik",
    "tempe",
    "jahit",
    "ternak",
    "kambing",
    "ayam",
    "pasar",
    "desa",
    "kelompok",
    "koperasi",
    "pinjaman",
    "bank",
    "tabungan",
    "keluarga",
    "anak",
    "sekolah",
    "produksi",
    "kemasan",
    "penjualan",
    "daring",
    "tetangga",
    "bahan",
    "baku",
    "harga",
    "naik",
    "turun",
    "bulan",
    "ini",
    "sudah",
    "belum",
    "rencana",
    "membeli",
    "alat",
    "sewa",
    "kios",
    "pembukuan",
];
const STREETS: [&str; 6] = ["Jl. Raya", "Gg. Mawar", "Jl. Pesantren", "Blok", "Dusun", "RT 03 RW 02"];
const COUNTRIES: [&str; 8] = ["MY", "TW", "HK", "SA", "SG", "KR", "JP", "AE"];
const SKILLS: [&str; 10] =
    ["Memasak", "Merawat lansia", "Menjahit", "Bahasa Mandarin", "Bahasa Inggris", "Mengemudi", "Bertani", "Las", "Tata rias", "Kasir"];

const SYLLABLES: [&str; 24] = [
    "ka", "ma", "sa", "ri", "tu", "ngan", "di", "lah", "pe", "ber", "an", "kan", "se", "to", "bu", "ja", "wa", "ru", "nya", "ti", "go",
    "lem", "pu", "ha",
];

/// A word: mostly common ones, a third of them less common (names of goods, places, people), so
/// that free text compresses about as real notes do.
fn word(rng: &mut Rng) -> String {
    if rng.below(3) == 0 {
        (0..rng.between(2, 3)).map(|_| *rng.pick(&SYLLABLES)).collect()
    } else if rng.below(8) == 0 {
        rng.between(2, 250).to_string()
    } else {
        rng.pick(&WORDS).to_string()
    }
}

/// A sentence of `least` to `least + spread - 1` words, first letter capitalised.
pub fn sentence(rng: &mut Rng, least: usize, spread: u64) -> String {
    let words = least + rng.below(spread.max(1)) as usize;
    let mut s: Vec<String> = (0..words).map(|_| word(rng)).collect();
    if let Some(first) = s.first_mut() {
        let mut c = first.chars();
        *first = c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default();
    }
    s.join(" ") + "."
}

/// A beneficiary registered by `by` in `village`.
pub fn beneficiary(rng: &mut Rng, shape: Shape, i: usize, village: &str, by: &str) -> Beneficiary {
    let id = uuid::Uuid::now_v7().to_string();
    let name = format!("{} {}", rng.pick(&GIVEN), rng.pick(&FAMILY));
    if shape == Shape::Small {
        return Beneficiary {
            id,
            kind: BeneficiaryKind::ReturningWorker,
            family_of: None,
            nik: None,
            full_name: name,
            sex: Sex::Female,
            birth_date: None,
            phone: None,
            village_code: village.to_string(),
            address: None,
            last_country: Some("MY".into()),
            job_sector_abroad: Some(JobSector::DomesticWork),
            years_abroad: Some(4),
            return_month: None,
            savings_band: Some(SavingsBand::Under10Million),
            skills: vec!["Memasak".into()],
            networks: None,
            dependants: 2,
            consent_given_at: 1_700_000_000_000,
            consent_method: ConsentMethod::SignedForm,
            consent_withdrawn_at: None,
            registered_by: by.to_string(),
            registered_at: 1_700_000_000_000,
        };
    }
    let sex = if rng.below(10) < 7 { Sex::Female } else { Sex::Male };
    // NIK: area code of the village, birth date (+40 for women), a four-digit serial. Unique per
    // `i` up to 50 × 9,999 beneficiaries: workers whose serials repeat (`i` 9,999 apart) are born
    // on days that differ modulo 50, so their dates differ.
    let serial_round = (i / 9999) as i64 % 50;
    let birth = Date::from_unix_ms(315_532_800_000 + (serial_round + 50 * rng.between(0, 179)) * 86_400_000);
    let area: String = village.split('.').take(3).collect::<Vec<_>>().concat();
    let day = birth.day as u32 + if sex == Sex::Female { 40 } else { 0 };
    let nik = format!("{area}{day:02}{:02}{:02}{:04}", birth.month, birth.year % 100, 1 + i % 9999);
    let skills = (0..rng.between(2, 4)).map(|_| rng.pick(&SKILLS).to_string()).collect();
    Beneficiary {
        id,
        kind: BeneficiaryKind::ReturningWorker,
        family_of: None,
        nik: Some(nik),
        full_name: name,
        sex,
        birth_date: Some(birth),
        phone: Some(format!("+6281{:09}", rng.below(1_000_000_000))),
        village_code: village.to_string(),
        address: Some(format!("{} No. {}, {}", rng.pick(&STREETS), rng.between(1, 120), sentence(rng, 5, 3))),
        last_country: Some(rng.pick(&COUNTRIES).to_string()),
        job_sector_abroad: Some(*rng.pick(&[
            JobSector::DomesticWork,
            JobSector::Caregiving,
            JobSector::Manufacturing,
            JobSector::PlantationAgriculture,
        ])),
        years_abroad: Some(rng.between(1, 15) as u8),
        return_month: desmig_core::date::Month::parse(&format!("20{}-{:02}", rng.between(20, 26), rng.between(1, 12))),
        savings_band: Some(*rng.pick(&[SavingsBand::None, SavingsBand::Under10Million, SavingsBand::From10To50Million])),
        skills,
        networks: Some(sentence(rng, 14, 16)),
        dependants: rng.between(0, 5) as u8,
        consent_given_at: 1_700_000_000_000 + rng.between(0, 50_000_000_000),
        consent_method: ConsentMethod::SignedForm,
        consent_withdrawn_at: None,
        registered_by: by.to_string(),
        registered_at: 1_700_000_000_000 + rng.between(0, 50_000_000_000),
    }
}

/// Answers shaped like a real visit's: the template's valid sample, with every number, amount,
/// date and free text varied within the item's bounds.
pub fn answers(rng: &mut Rng, shape: Shape, template: &Template) -> Map<String, Value> {
    let mut out = template.sample_answers();
    if shape == Shape::Small {
        return out;
    }
    for item in &template.items {
        let Some(v) = out.get_mut(&item.id) else { continue };
        let (lo, hi) = (item.min.unwrap_or(0), item.max.unwrap_or(1_000));
        *v = match item.kind {
            ItemKind::Integer => Value::from(rng.between(lo.max(item.min.unwrap_or(1)), hi.min(lo + 40).max(lo))),
            ItemKind::Rupiah => {
                let lo = item.min.unwrap_or(100_000).max(0);
                let hi = item.max.unwrap_or(50_000_000).min(lo + 50_000_000);
                Value::from(rng.between(lo / 1000, hi / 1000) * 1000)
            }
            ItemKind::Text => {
                let max = item.max.unwrap_or(500) as usize;
                let mut s = sentence(rng, 6, 10);
                s.truncate(max.max(item.min.unwrap_or(1) as usize));
                while s.chars().count() < item.min.unwrap_or(0) as usize {
                    s.push_str(" catatan");
                }
                Value::String(s)
            }
            ItemKind::Date => Value::String(Date::from_unix_ms(1_760_000_000_000 + rng.between(0, 300) * 86_400_000).to_string()),
            _ => continue,
        };
    }
    out
}

/// A completed visit of `template` to `beneficiary_id` by `by`.
pub fn visit(rng: &mut Rng, shape: Shape, template: &Template, beneficiary_id: &str, by: &str, started_at: i64) -> Visit {
    let realistic = shape == Shape::Realistic;
    Visit {
        id: uuid::Uuid::now_v7().to_string(),
        beneficiary_id: beneficiary_id.to_string(),
        facilitator_id: by.to_string(),
        template_id: template.id.clone(),
        template_version: template.version,
        started_at,
        ended_at: Some(started_at + 1_800_000),
        location: Some(GeoPoint {
            lat: -6.45 + if realistic { rng.below(10_000) as f64 / 100_000.0 } else { 0.0 },
            lon: 107.95 + if realistic { rng.below(10_000) as f64 / 100_000.0 } else { 0.0 },
            accuracy_m: if realistic { rng.between(3, 40) as f64 } else { 15.0 },
        }),
        answers: answers(rng, shape, template),
        notes: Some(if realistic { sentence(rng, 25, 25) } else { "Kunjungan rutin".into() }),
        status: VisitStatus::Completed,
        completeness: 100,
        amends: None,
        verified_by: None,
        verified_at: None,
    }
}

/// The template the benchmark's visits use: KUR readiness (28 items of every kind) for realistic
/// records, business monitoring for the small ones.
pub fn template(shape: Shape) -> Template {
    let id = if shape == Shape::Realistic { "kur_readiness" } else { "business_monitoring" };
    desmig_core::checklist::builtin_templates().unwrap().into_iter().find(|t| t.id == id).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_records_have_the_sizes_of_real_ones_and_are_valid() {
        let mut rng = Rng::new(7);
        let t = template(Shape::Realistic);
        let dir = tempfile::tempdir().unwrap();
        let store = desmig_core::FieldStore::open(dir.path().join("s.db")).unwrap();
        let ctx = store.reference();
        let (mut b_bytes, mut v_bytes) = (0, 0);
        for i in 0..200 {
            let mut b = beneficiary(&mut rng, Shape::Realistic, i, "32.12.01.2007", "u1");
            b_bytes += serde_json::to_string(&b).unwrap().len();
            b.validate(&ctx).unwrap_or_else(|e| panic!("{e}: {b:?}"));
            let mut v = visit(&mut rng, Shape::Realistic, &t, &b.id, "u1", 1_760_000_000_000);
            v_bytes += serde_json::to_string(&v).unwrap().len();
            assert_eq!(v.answers.len(), t.items.len());
            v.validate(&ctx).unwrap_or_else(|e| panic!("{e}"));
        }
        let (b_avg, v_avg) = (b_bytes / 200, v_bytes / 200);
        assert!((750..=1100).contains(&b_avg), "a beneficiary is ~0.8-1 KB of JSON: {b_avg}");
        assert!((1250..=1600).contains(&v_avg), "a visit is ~1.4 KB of JSON: {v_avg}");
        // The same seed, the same data.
        let a = beneficiary(&mut Rng::new(1), Shape::Realistic, 0, "32.12.01.2007", "u");
        let b = beneficiary(&mut Rng::new(1), Shape::Realistic, 0, "32.12.01.2007", "u");
        assert_eq!((a.full_name, a.nik, a.networks), (b.full_name, b.nik, b.networks));
    }

    #[test]
    fn a_district_five_times_the_benchmark_size_has_no_nik_twice() {
        // The growth benchmarks push 100,000 workers: the server refuses a NIK registered twice.
        let mut rng = Rng::new(42);
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000 {
            let b = beneficiary(&mut rng, Shape::Realistic, i, "32.12.01.2007", "u1");
            let nik = b.nik.expect("a NIK");
            assert_eq!(nik.len(), 16, "{nik}");
            assert!(seen.insert(nik.clone()), "worker {i} has a NIK already given: {nik}");
        }
    }
}
