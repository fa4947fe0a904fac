//! Support for the end-to-end suite: a real sync server on loopback, devices with real database
//! files, canonical dumps to compare replicas, and a fault-injecting proxy.

pub mod proxy;

use desmig_core::scope::Role;
use desmig_core::sync::{CancelToken, SyncReport, SyncSettings};
use desmig_core::FieldStore;
use desmig_sync_server::http::HttpConfig;
use desmig_sync_server::sqlite::SqliteStorage;
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

/// A sync server running on a loopback port in its own runtime, with its SQLite file.
pub struct TestServer {
    pub url: String,
    pub storage: Arc<SqliteStorage>,
    pub db_path: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: TempDir,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_with(HttpConfig::default())
    }

    pub fn start_with(config: HttpConfig) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("server.db");
        let storage = Arc::new(SqliteStorage::open(&db_path).expect("server storage"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let dyn_storage: Arc<dyn Storage> = storage.clone();
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
        TestServer { url: format!("http://{addr}"), storage, db_path, shutdown: Some(tx), thread: Some(thread), _dir: dir }
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
                },
                desmig_core::date::now_unix_ms(),
            )
            .expect("add user")
    }

    /// The server's records and conflicts, in the same canonical form as a device's.
    pub fn dump(&self) -> String {
        canonical_dump(&Connection::open(&self.db_path).expect("open server db"))
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
        let store = FieldStore::open(&path).expect("open device");
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
        canonical_dump(&Connection::open(&self.path).expect("open device db"))
    }
}

/// Every record (id, fields, clocks) and conflict (id, losing value, resolution) in a stable
/// order, so that two replicas holding the same data dump the same text.
pub fn canonical_dump(conn: &Connection) -> String {
    let mut out = String::new();
    for kind in desmig_core::model::EntityKind::ALL {
        let mut stmt = conn.prepare(&format!("SELECT id, doc, created, clocks FROM {} ORDER BY id", kind.table())).expect("dump");
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))
            .expect("rows");
        for row in rows {
            let (id, doc, created, clocks) = row.expect("row");
            // Re-serialise through serde_json's sorted maps so key order never matters.
            let doc: serde_json::Value = serde_json::from_str(&doc).expect("doc");
            let clocks: serde_json::Value = serde_json::from_str(&clocks).expect("clocks");
            out.push_str(&format!("{} {id} {doc} {created} {clocks}\n", kind.table()));
        }
    }
    let mut stmt = conn.prepare("SELECT id, losing_value, resolved_by FROM conflict ORDER BY id").expect("conflicts");
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))).expect("rows");
    for row in rows {
        let (id, value, resolved_by) = row.expect("row");
        out.push_str(&format!("conflict {id} {value} resolved_by={resolved_by:?}\n"));
    }
    out
}

/// Counts rows of a table in a database file.
pub fn count(path: &Path, table: &str) -> i64 {
    Connection::open(path).expect("open").query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("count")
}
