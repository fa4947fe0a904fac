//! desmig sync server: receives the phones' operations, applies them with the core's merge code,
//! and serves each user the change feed of their scope.

pub mod auth;
pub mod batch;
pub mod bundles;
pub mod console;
pub mod demo;
pub mod edge;
pub mod error;
pub mod http;
pub mod metrics;
pub mod pg;
pub mod plan;
pub mod privacy;
pub mod regions;
pub mod sqlite;
pub mod storage;
pub mod throttle;

use desmig_core::cipher::DbKey;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::ServerError;
pub use storage::Storage;

/// The server binary's allocator (mimalloc). A pushed batch builds and drops a few JSON trees
/// per operation; with glibc's malloc, allocation was about a fifth of the push path. The
/// ingest benchmark runs the push path in process with this same allocator.
pub type ServerAllocator = mimalloc::MiMalloc;
pub const SERVER_ALLOCATOR: ServerAllocator = mimalloc::MiMalloc;

/// Where the server keeps its data: `sqlite://PATH` (the embedded default) or a bare path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/desmig.db";
/// PostgreSQL connections per server instance.
pub const PG_POOL_SIZE: usize = 8;

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if url.contains("://") {
            return Err(format!("unknown database URL `{url}`; use sqlite://PATH or postgres://USER:PASSWORD@HOST/DB"));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(url)))
    }

    pub fn open(&self) -> Result<Arc<dyn Storage>, ServerError> {
        self.open_with_key(None)
    }

    /// Opens the store; a SQLite file encrypted with `key` (SQLCipher). PostgreSQL keeps its data
    /// encrypted by its own means (disk encryption), so a key for it is refused as a mistake.
    pub fn open_with_key(&self, key: Option<&DbKey>) -> Result<Arc<dyn Storage>, ServerError> {
        match (self, key) {
            (DatabaseUrl::Sqlite(path), None) => Ok(Arc::new(sqlite::SqliteStorage::open(path)?)),
            (DatabaseUrl::Sqlite(path), Some(key)) => Ok(Arc::new(sqlite::SqliteStorage::open_encrypted(path, key)?)),
            (DatabaseUrl::Postgres(url), None) => Ok(Arc::new(pg::PostgresStorage::open(url, PG_POOL_SIZE)?)),
            (DatabaseUrl::Postgres(_), Some(_)) => Err(ServerError::bad(
                "key_not_supported",
                "a database key encrypts SQLite stores; encrypt PostgreSQL's disk instead (docs/privacy.md)",
            )),
        }
    }
}

/// Serves the API on `listener` until the future `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn Storage>,
    config: http::HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    storage.reference_cache().set_clock_bound_ms(config.clock_bound_ms);
    let edge = config.edge.clone();
    let app = http::router(http::AppState::new(storage, config));
    edge::serve(listener, app, edge, shutdown).await
}
