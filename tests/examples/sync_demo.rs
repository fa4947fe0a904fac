//! A phone's first sync, from the command line: `sync_demo URL USERNAME PASSWORD`.
//! Logs in, pulls the user's scope, prints what arrived, records a visit and pushes it.

use desmig_core::sync::{CancelToken, SyncListener, SyncProgress, SyncSettings};
use desmig_core::FieldStore;

struct Print;

impl SyncListener for Print {
    fn on_progress(&self, p: &SyncProgress) {
        println!("  {:?}: {} done, {} bytes sent, {} received", p.phase, p.done, p.bytes_sent, p.bytes_received);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, username, password] = args.as_slice() else {
        eprintln!("usage: sync_demo URL USERNAME PASSWORD   (e.g. http://127.0.0.1:8080 fasilitator desmig-demo)");
        std::process::exit(2);
    };
    let dir = tempfile::tempdir()?;
    let phone = FieldStore::open(dir.path().join("field.db"))?;
    let login = phone.login(url, username, password)?;
    println!("logged in as {} ({:?}), device {}", login.identity.display_name, login.identity.role, phone.device_id());
    let settings = SyncSettings::new(url, &login.token);
    let report = phone.sync(&settings, Some(&Print), &CancelToken::new())?;
    println!("first sync: pulled {} changes in {} round trips ({} bytes)", report.pulled, report.round_trips, report.bytes_received);

    let who = phone.identity().unwrap_or(login.identity);
    let villages = if who.villages.is_empty() {
        phone.regions().villages_in(who.districts.first().map_or("32.12", |d| d)).map(|r| r.code.clone()).collect()
    } else {
        who.villages.clone()
    };
    let mut first = None;
    for v in &villages {
        for b in phone.list_beneficiaries(v, 0, 100)?.items {
            println!("  {} {:<20} {}", b.village_code, b.full_name, b.masked_nik.unwrap_or_default());
            first.get_or_insert(b.id);
        }
    }
    for f in phone.follow_ups_due(30)? {
        println!("  follow-up due {} for {}: {}", f.follow_up.due_date, f.beneficiary_name, f.follow_up.action);
    }
    if let (Some(id), desmig_core::scope::Role::Facilitator) = (first, who.role) {
        let t = phone.template("business_monitoring", None)?;
        phone.record_visit(&id, &t.id, t.sample_answers(), Some("Dicatat dari sync_demo".into()), vec![])?;
        let r = phone.sync(&settings, None, &CancelToken::new())?;
        println!("recorded a monitoring visit and synced it: {} pushed", r.pushed);
    }
    Ok(())
}
