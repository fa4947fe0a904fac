//! Writes field records to a store as fast as it can, forever: the victim of the crash-safety
//! test, which kills it with SIGKILL at random moments. `crash_writer PATH`
use desmig_core::field::{BeneficiaryInput, NewFollowUp};
use desmig_core::model::Sex;
use desmig_core::scope::{Identity, Role};
use desmig_core::FieldStore;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: crash_writer PATH");
        std::process::exit(2);
    };
    let store = match FieldStore::open(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("open failed: {e}");
            std::process::exit(1);
        }
    };
    let village = "32.12.01.2007";
    let me = Identity {
        user_id: "f".into(),
        display_name: "F".into(),
        role: Role::Facilitator,
        villages: vec![village.into()],
        districts: vec![],
        beneficiary_id: None,
    };
    if let Err(e) = store.set_identity(Some(me)) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let template = store.template("business_monitoring", None).expect("template");
    let answers = template.sample_answers();
    println!("ready");
    for i in 0u64.. {
        let name = format!("Warga {}", letters(i));
        let b = store.register_beneficiary(BeneficiaryInput::new(&name, Sex::Female, village)).expect("register");
        let due = desmig_core::date::Date::new(2027, 1, 1).expect("date");
        store
            .record_visit(
                &b.id,
                &template.id,
                answers.clone(),
                Some("catatan".into()),
                vec![NewFollowUp { action: "Tindak lanjut".into(), due_date: due }],
            )
            .expect("visit");
        store
            .update_beneficiary(
                &b.id,
                BeneficiaryInput { phone: Some("0812 0000 0001".into()), ..BeneficiaryInput::new(&name, Sex::Female, village) },
            )
            .expect("update");
    }
}

/// 0 → "a", 25 → "z", 26 → "ba": names have no digits.
fn letters(mut n: u64) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}
