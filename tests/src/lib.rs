//! Support for the end-to-end suite: a real sync server on loopback, devices with real database
//! files, canonical dumps to compare replicas, and a fault-injecting proxy.

pub mod dataset;
pub mod proxy;
pub mod raw;
pub mod seed;

use desmig_core::merge::Versioned;
use desmig_core::model::EntityKind;
use desmig_core::scope::Role;
use desmig_core::sync::{CancelToken, SyncReport, SyncSettings};
use desmig_core::FieldStore;
use desmig_sync_server::http::HttpConfig;
use desmig_sync_server::storage::{NewUser, Storage, User};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;

pub const PASSWORD: &str = "rahasia-desa";
/// Haurkolot and Haurgeulis (Indramayu), and a village in Subang.
pub const VILLAGE: &str = "32.12.01.2007";
pub const VILLAGE_2: &str = "32.12.01.2008";
pub const SUBANG: &str = "32.13.09.2001";

/// Which store the end-to-end suite runs against: SQLite by default; PostgreSQL when
/// `DESMIG_TEST_STORE=postgres`, with `DESMIG_TEST_POSTGRES_URL` naming a server where the role
/// may create databases (`scripts/postgres.sh` starts one). Each test server gets a database of
/// its own, dropped afterwards.
pub fn store_kind() -> &'static str {
    match std::env::var("DESMIG_TEST_STORE").as_deref() {
        Ok("postgres") => "postgres",
        Ok("sqlite") | Err(_) => "sqlite",
        Ok(other) => panic!("DESMIG_TEST_STORE={other}: use sqlite or postgres"),
    }
}

fn postgres_admin_url() -> String {
    std::env::var("DESMIG_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("DESMIG_TEST_STORE=postgres needs DESMIG_TEST_POSTGRES_URL (scripts/postgres.sh starts a server and prints it)")
    })
}

/// A database for one test: a SQLite file, or a fresh PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    drop_pg: Option<(String, String)>,
    _dir: TempDir,
}

impl TestDatabase {
    pub fn new() -> TestDatabase {
        let dir = tempfile::tempdir().expect("tempdir");
        if store_kind() == "postgres" {
            let admin = postgres_admin_url();
            let name = format!("desmig_test_{}", uuid::Uuid::now_v7().simple());
            let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to the PostgreSQL test server");
            c.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
            let url = match admin.rfind('/') {
                Some(i) => format!("{}/{name}", &admin[..i]),
                None => panic!("DESMIG_TEST_POSTGRES_URL needs a database path"),
            };
            TestDatabase { url, drop_pg: Some((admin, name)), _dir: dir }
        } else {
            let url = format!("sqlite://{}", dir.path().join("server.db").display());
            TestDatabase { url, drop_pg: None, _dir: dir }
        }
    }

    pub fn open(&self) -> Arc<dyn Storage> {
        desmig_sync_server::DatabaseUrl::parse(&self.url).expect("database url").open().expect("open server storage")
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        TestDatabase::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_pg.take() {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A sync server running on a loopback port in its own runtime.
pub struct TestServer {
    pub url: String,
    /// Declared before `database`, so that it is dropped first.
    pub storage: Arc<dyn Storage>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    database: Option<TestDatabase>,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_with(HttpConfig::default())
    }

    pub fn start_with(config: HttpConfig) -> TestServer {
        let database = TestDatabase::new();
        let mut s = TestServer::serve(database.open(), config);
        s.database = Some(database);
        s
    }

    /// A server that speaks only HTTPS, with the test certificate (`tests/fixtures`).
    pub fn start_tls() -> TestServer {
        let tls = desmig_sync_server::edge::tls_config(&fixture("test-server.crt"), &fixture("test-server.key")).expect("test certificate");
        let mut s = TestServer::start_with(HttpConfig {
            edge: desmig_sync_server::edge::EdgeConfig { tls: Some(tls), ..Default::default() },
            ..Default::default()
        });
        s.url = s.url.replace("http://", "https://");
        s
    }

    /// The server's database file, when it is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.database.as_ref()?.url.strip_prefix("sqlite://").map(PathBuf::from)
    }

    /// Another instance over the same database (PostgreSQL).
    pub fn instance_of(database: &TestDatabase) -> TestServer {
        TestServer::serve(database.open(), HttpConfig::default())
    }

    fn serve(storage: Arc<dyn Storage>, config: HttpConfig) -> TestServer {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let dyn_storage = storage.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                addr_tx.send(listener.local_addr().expect("addr")).expect("send addr");
                desmig_sync_server::serve(listener, dyn_storage, config, async {
                    let _ = rx.await;
                })
                .await
                .expect("serve");
            });
        });
        let addr = addr_rx.recv().expect("server started");
        TestServer { url: format!("http://{addr}"), storage, shutdown: Some(tx), thread: Some(thread), database: None }
    }

    pub fn add_user(&self, username: &str, role: Role, villages: &[&str], districts: &[&str], beneficiary_id: Option<&str>) -> User {
        self.storage
            .add_user(
                &NewUser {
                    username: username.into(),
                    password: PASSWORD.into(),
                    display_name: username.into(),
                    role,
                    villages: villages.iter().map(|s| s.to_string()).collect(),
                    districts: districts.iter().map(|s| s.to_string()).collect(),
                    beneficiary_id: beneficiary_id.map(String::from),
                    phone: None,
                },
                desmig_core::date::now_unix_ms(),
            )
            .expect("add user")
    }

    /// The server's records and conflicts, in the same canonical form as a device's.
    pub fn dump(&self) -> String {
        let export = self.storage.export().expect("export");
        let conflicts = export.conflicts.into_iter().map(|c| (c.id, c.losing_value, c.resolved_by)).collect();
        canonical(export.records, conflicts)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // Fields drop in order: the storage (and its connections) before its database.
    }
}

/// A phone: its own database file, logged in to the server.
pub struct Device {
    pub store: FieldStore,
    pub settings: SyncSettings,
    pub path: PathBuf,
    _dir: TempDir,
}

impl Device {
    pub fn login(server_url: &str, username: &str) -> Device {
        Device::login_with(server_url, username, PASSWORD)
    }

    pub fn login_with(server_url: &str, username: &str, password: &str) -> Device {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("field.db");
        let store = FieldStore::open_encrypted(&path, &device_key()).expect("open device");
        let login = store.login(server_url, username, password).expect("login");
        let mut settings = SyncSettings::new(server_url, &login.token);
        settings.retry_base_ms = 20;
        settings.retry_max_ms = 200;
        settings.timeout_ms = 10_000;
        Device { store, settings, path, _dir: dir }
    }

    pub fn sync(&self) -> desmig_core::Result<SyncReport> {
        self.store.sync(&self.settings, None, &CancelToken::new())
    }

    pub fn dump(&self) -> String {
        canonical_dump(&open_db(&self.path))
    }
}

/// The key of every test phone's store: phones encrypt theirs (SQLCipher), as the apps do.
pub fn device_key() -> desmig_core::cipher::DbKey {
    desmig_core::cipher::DbKey::from_bytes(&[0x5a; 32]).expect("key")
}

/// A database file, opened the way its owner does: a phone's with its key, a plain one as is.
pub fn open_db(path: &Path) -> Connection {
    let key = match desmig_core::cipher::file_state(path).expect("file") {
        desmig_core::cipher::FileState::Encrypted => Some(device_key()),
        _ => None,
    };
    desmig_core::cipher::open(path, key.as_ref(), rusqlite::OpenFlags::default()).expect("open database")
}

/// Every record (kind, id, fields, clocks) and conflict (id, losing value, who resolved it) in a
/// stable order, so that two replicas holding the same data dump the same text.
pub fn canonical(
    mut records: Vec<(EntityKind, String, Versioned)>,
    mut conflicts: Vec<(String, serde_json::Value, Option<String>)>,
) -> String {
    records.sort_by(|a, b| (a.0.table(), &a.1).cmp(&(b.0.table(), &b.1)));
    conflicts.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (kind, id, v) in records {
        let fields = serde_json::to_string(&v.fields).expect("fields");
        let clocks = serde_json::to_string(&v.clocks).expect("clocks");
        out.push_str(&format!("{} {id} {fields} {} {clocks}\n", kind.table(), v.created));
    }
    for (id, value, resolved_by) in conflicts {
        out.push_str(&format!("conflict {id} {value} resolved_by={resolved_by:?}\n"));
    }
    out
}

/// A phone database's records and conflicts in [`canonical`] form.
pub fn canonical_dump(conn: &Connection) -> String {
    let mut records = Vec::new();
    for kind in EntityKind::ALL {
        let mut stmt = conn.prepare(&format!("SELECT id FROM {} ORDER BY id", kind.table())).expect("dump");
        let ids: Vec<String> = stmt.query_map([], |r| r.get(0)).expect("rows").map(|r| r.expect("row")).collect();
        for id in ids {
            let v = desmig_core::records::load_versioned(conn, kind, &id).expect("load").expect("record");
            records.push((kind, id, v));
        }
    }
    let mut stmt = conn.prepare("SELECT id, losing_value, resolved_by FROM conflict").expect("conflicts");
    let conflicts = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))
        .expect("rows")
        .map(|r| {
            let (id, value, by) = r.expect("row");
            (id, serde_json::from_str(&value).expect("value"), by)
        })
        .collect();
    canonical(records, conflicts)
}

/// A file of `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// The test server's certificate, as a phone that trusts it holds it.
pub fn test_certificate() -> String {
    std::fs::read_to_string(fixture("test-server.crt")).expect("test certificate")
}

/// Counts rows of a table in a database file.
pub fn count(path: &Path, table: &str) -> i64 {
    open_db(path).query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("count")
}
