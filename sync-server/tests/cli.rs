//! The server binary as a newcomer runs it: seed the demo data, serve on a free port, and sync a
//! phone against it.

use desmig_core::sync::{CancelToken, SyncSettings};
use desmig_core::FieldStore;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_desmig-sync-server");

fn admin(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN).arg("--database").arg(db).args(args).output().expect("run server binary");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_demo_server_serves_a_real_sync() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("data/desmig.db").display());
    let (ok, out) = admin(&db, &["demo"]);
    assert!(ok, "{out}");
    assert!(out.contains("fasilitator"), "{out}");
    let (ok, out) = admin(&db, &["demo"]);
    assert!(!ok && out.contains("already exists"), "seeding twice is refused: {out}");

    let mut server =
        Command::new(BIN).arg("--database").arg(&db).args(["serve", "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("prints where it listens").to_string();

    let phone_dir = tempfile::tempdir().unwrap();
    let phone = FieldStore::open(phone_dir.path().join("field.db")).unwrap();
    let login = phone.login(&url, "fasilitator", "desmig-demo").unwrap();
    let report = phone.sync(&SyncSettings::new(&url, &login.token), None, &CancelToken::new()).unwrap();
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(report.pulled, 15, "5 beneficiaries, their 5 visits and 5 follow-ups: {report:?}");
    assert_eq!(phone.list_beneficiaries("32.12.01.2007", 0, 50).unwrap().items.len(), 3);
    assert_eq!(phone.follow_ups_due(30).unwrap().len(), 5, "both villages are hers");
}

#[test]
fn administration_commands_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("d.db").display());
    let (ok, out) = admin(
        &db,
        &[
            "user",
            "add",
            "--username",
            "sri",
            "--password",
            "rahasia-desa",
            "--name",
            "Sri",
            "--role",
            "facilitator",
            "--village",
            "32.12.01.2007",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = admin(
        &db,
        &[
            "user",
            "add",
            "--username",
            "ayu",
            "--password",
            "rahasia-desa",
            "--name",
            "Ayu",
            "--role",
            "facilitator",
            "--village",
            "99.99.99.9999",
        ],
    );
    assert!(!ok && out.contains("villages"), "{out}");
    let (ok, out) = admin(&db, &["user", "add", "--username", "x", "--password", "short", "--name", "X", "--role", "admin"]);
    assert!(!ok && out.contains("at least 8"), "{out}");
    let (ok, out) = admin(&db, &["user", "add", "--username", "y", "--password", "rahasia-desa", "--name", "Y", "--role", "boss"]);
    assert!(!ok && out.contains("unknown role"), "{out}");
    let (ok, out) = admin(&db, &["user", "assign", "--username", "sri", "--village", "32.12.01.2008"]);
    assert!(ok && out.contains("32.12.01.2008"), "{out}");
    let (ok, out) = admin(&db, &["device", "revoke", "lost-phone-1"]);
    assert!(ok, "{out}");
    let (ok, out) = admin("mysql://nope", &["stats"]);
    assert!(!ok && out.contains("unknown database URL"), "{out}");
    let tpl = dir.path().join("t.json");
    std::fs::write(&tpl, "{\"id\": \"x\"}").unwrap();
    let (ok, out) = admin(&db, &["template", tpl.to_str().unwrap()]);
    assert!(!ok && out.contains("template"), "{out}");
}
