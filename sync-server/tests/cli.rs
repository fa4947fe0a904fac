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
    assert_eq!(
        report.pulled, 28,
        "5 beneficiaries, their 5 visits and 5 follow-ups; Siti's Prakerja, training, 2 capital applications, business, 2 sales and 5 history entries; Warsini's phone-number conflict: {report:?}"
    );
    assert_eq!(phone.list_beneficiaries("32.12.01.2007", 0, 50).unwrap().items.len(), 3);
    let siti = phone.search_beneficiaries("siti", 1).unwrap().remove(0);
    let cards: Vec<String> = phone.status_cards(&siti.id).unwrap().into_iter().map(|c| c.stage_key).collect();
    assert_eq!(cards, ["prakerja_selected", "training_completed", "capital_repaying", "capital_used", "business_running"]);
    let month = phone.this_month();
    let shown = phone.village_indicators("32.12.01.2007", month).unwrap();
    assert_eq!((shown.businesses_exporting, shown.sales_revenue_this_month), (1, 4_800_000));
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
    let (ok, out) = admin(&db, &["user", "phone", "--username", "sri", "--phone", "0812 3456 7890"]);
    assert!(ok && out.contains("phone of sri set"), "{out}");
    let (ok, out) = admin(&db, &["user", "phone", "--username", "sri", "--phone", "12345"]);
    assert!(!ok && out.contains("phone number"), "{out}");
    let (ok, out) = admin(&db, &["user", "phone", "--username", "nobody", "--phone", ""]);
    assert!(!ok && out.contains("not found"), "{out}");
    let (ok, out) = admin(&db, &["device", "revoke", "lost-phone-1"]);
    assert!(ok, "{out}");
    let (ok, out) = admin(&db, &["user", "disable", "--username", "sri"]);
    assert!(ok && out.contains("sessions ended"), "{out}");
    let (ok, out) = admin(&db, &["user", "enable", "--username", "sri"]);
    assert!(ok, "{out}");
    let (ok, out) = admin(&db, &["user", "disable", "--username", "nobody"]);
    assert!(!ok && out.contains("not found"), "{out}");
    let (ok, out) = admin("mysql://nope", &["stats"]);
    assert!(!ok && out.contains("unknown database URL"), "{out}");
    let tpl = dir.path().join("t.json");
    std::fs::write(&tpl, "{\"id\": \"x\"}").unwrap();
    let (ok, out) = admin(&db, &["template", tpl.to_str().unwrap()]);
    assert!(!ok && out.contains("template"), "{out}");
}

/// A server process, stopped when dropped (also when a test fails halfway).
struct Running(std::process::Child);

impl Running {
    fn id(&self) -> u32 {
        self.0.id()
    }
    fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()
    }
    fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` through a shell (so that limits can be set first) and returns it with its URL.
fn serve(db: &str, shell_prefix: &str, args: &str) -> (Running, String) {
    let script = format!("{shell_prefix} exec '{BIN}' --database '{db}' serve --listen 127.0.0.1:0 {args}");
    let mut child = Command::new("sh").arg("-c").arg(script).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    let child = Running(child);
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .expect("prints where it listens")
        .to_string();
    // Keep reading stdout in the background so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut rest);
        rest
    });
    (child, url)
}

/// `serve` on PostgreSQL (when the tests have one: DESMIG_TEST_POSTGRES_URL), in a database of
/// its own: it starts, answers, and stops. (Its startup once called the blocking PostgreSQL
/// client inside the server's async runtime and panicked.)
#[test]
fn the_server_serves_on_postgresql() {
    let Ok(admin_url) = std::env::var("DESMIG_TEST_POSTGRES_URL") else {
        assert!(std::env::var("DESMIG_REQUIRE_POSTGRES").is_err(), "DESMIG_REQUIRE_POSTGRES is set but DESMIG_TEST_POSTGRES_URL is not");
        eprintln!("PostgreSQL not configured: serve on PostgreSQL not tested here");
        return;
    };
    let name = format!("desmig_cli_{}", std::process::id());
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let db = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    {
        let (mut server, url) = serve(&db, "", "");
        assert_eq!(reqwest::blocking::get(format!("{url}/healthz")).unwrap().status().as_u16(), 200);
        let page = reqwest::blocking::get(format!("{url}/console/login")).unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let killed = Command::new("kill").arg("-TERM").arg(server.id().to_string()).status().unwrap();
        assert!(killed.success());
        assert!(server.wait().unwrap().success());
    }
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("d.db").display());
    let (mut server, url) = serve(&db, "", "");
    assert_eq!(reqwest::blocking::get(format!("{url}/healthz")).unwrap().status().as_u16(), 200);
    let killed = Command::new("kill").arg("-TERM").arg(server.id().to_string()).status().unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "a SIGTERM is a clean exit: {status:?}");
}

#[test]
fn idle_sockets_cannot_exhaust_the_servers_file_descriptors() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("d.db").display());
    // 256 file descriptors, as a small container gives; 300 sockets that never send a byte.
    let (mut server, url) = serve(&db, "ulimit -n 256 &&", "--max-connections 128 --idle-timeout-secs 2");
    let addr = url.trim_start_matches("http://").to_string();
    let idle: Vec<std::net::TcpStream> = (0..300).filter_map(|_| std::net::TcpStream::connect(&addr).ok()).collect();
    assert!(idle.len() >= 250, "{} connections made", idle.len());
    let client = reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
    let answer = client.get(format!("{url}/healthz")).send();
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(answer.expect("served once the silent sockets were closed").status().as_u16(), 200);
    drop(idle);
}

#[test]
fn the_server_serves_https_with_its_certificate() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let (cert, key) = (fixtures.join("test-server.crt"), fixtures.join("test-server.key"));
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("d.db").display());
    let (mut server, url) = serve(&db, "", &format!("--tls-cert '{}' --tls-key '{}'", cert.display(), key.display()));
    assert!(url.starts_with("https://"), "{url}");
    let pem = std::fs::read(&cert).unwrap();
    let client = reqwest::blocking::Client::builder().add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap()).build().unwrap();
    let answer = client.get(format!("{url}/healthz")).send();
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(answer.unwrap().status().as_u16(), 200);
    // A key that is not the certificate's is refused at start, saying so.
    let (ok, out) = admin(&db, &["serve", "--tls-cert", cert.to_str().unwrap(), "--tls-key", cert.to_str().unwrap()]);
    assert!(!ok && out.contains("invalid_tls"), "{out}");
}

fn admin_keyed(db: &str, key_file: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out =
        Command::new(BIN).arg("--database").arg(db).arg("--db-key-file").arg(key_file).args(args).output().expect("run server binary");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_servers_sqlite_store_can_be_encrypted_with_a_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let db = format!("sqlite://{}", path.display());
    // A store that already holds the demo data, then encrypted at the first keyed start.
    let (ok, out) = admin(&db, &["demo"]);
    assert!(ok, "{out}");
    assert!(std::fs::read(&path).unwrap().windows(11).any(|w| w == b"Siti Aminah"), "the plain store shows the names");
    let key_file = dir.path().join("db.key");
    std::fs::write(&key_file, format!("{}\n", "3c".repeat(32))).unwrap();
    let (ok, out) = admin_keyed(&db, &key_file, &["stats"]);
    assert!(ok && out.contains("\"records\": 27"), "{out}");
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"Siti Aminah") && !bytes.starts_with(b"SQLite format 3"), "encrypted on disk");

    // Without the key, or with another, the server refuses to start and changes nothing.
    let (ok, out) = admin(&db, &["stats"]);
    assert!(!ok && out.contains("(wrong_key)"), "{out}");
    std::fs::write(&key_file, "4d".repeat(32)).unwrap();
    let (ok, out) = admin_keyed(&db, &key_file, &["stats"]);
    assert!(!ok && out.contains("(wrong_key)"), "{out}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    std::fs::write(&key_file, "not a key").unwrap();
    let (ok, out) = admin_keyed(&db, &key_file, &["stats"]);
    assert!(!ok && out.contains("(invalid_key)"), "{out}");
    let (ok, out) = admin_keyed("postgres://u:p@127.0.0.1:1/x", &key_file, &["stats"]);
    assert!(!ok && out.contains("(invalid_key)"), "the key is read first: {out}");
    std::fs::write(&key_file, "3c".repeat(32)).unwrap();
    let (ok, out) = admin_keyed("postgres://u:p@127.0.0.1:1/x", &key_file, &["stats"]);
    assert!(!ok && out.contains("(key_not_supported)"), "{out}");

    // Served with the key, a phone syncs the encrypted store's data.
    let out = Command::new(BIN)
        .arg("--database")
        .arg(&db)
        .env("DESMIG_DB_KEY", "3c".repeat(32))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn();
    let mut server = out.unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("prints where it listens").to_string();
    let phone_dir = tempfile::tempdir().unwrap();
    let phone = FieldStore::open(phone_dir.path().join("field.db")).unwrap();
    let login = phone.login(&url, "fasilitator", "desmig-demo").unwrap();
    let report = phone.sync(&SyncSettings::new(&url, &login.token), None, &CancelToken::new()).unwrap();
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(report.pulled, 28, "{report:?}");
}

#[test]
fn administration_while_the_server_runs_reaches_it_and_keeps_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let db = format!("sqlite://{}", path.display());
    let (_server, url) = serve(&db, "", "");
    let wal = dir.path().join("d.db-wal");
    assert!(wal.exists(), "the server's write-ahead log");
    // Commands run while the server is up: each opens and closes the database in its own process.
    for (user, village) in [("sri", "32.12.01.2007"), ("wati", "32.12.01.2008")] {
        let (ok, out) = admin(
            &db,
            &[
                "user",
                "add",
                "--username",
                user,
                "--password",
                "rahasia-desa",
                "--name",
                user,
                "--role",
                "facilitator",
                "--village",
                village,
            ],
        );
        assert!(ok, "{out}");
        assert!(wal.exists(), "a command that finished must not delete the log the running server still uses");
    }
    let (ok, out) = admin(&db, &["user", "phone", "--username", "sri", "--phone", "0812 3456 7890"]);
    assert!(ok, "{out}");
    // The server sees what the commands wrote: both log in and sync.
    for user in ["sri", "wati"] {
        let phone = desmig_core::FieldStore::open(dir.path().join(format!("{user}.db"))).unwrap();
        phone.login(&url, user, "rahasia-desa").unwrap_or_else(|e| panic!("{user} logs in: {e}"));
    }
    let (ok, out) = admin(&db, &["stats"]);
    assert!(ok && out.contains("\"records\""), "{out}");
}
