//! The server reaches PostgreSQL over TLS when its URL says `sslmode=require` or `verify-full`,
//! and verifies the database's certificate: one it cannot verify is refused.

use desmig_e2e::*;

#[test]
fn the_server_connects_to_postgresql_over_verified_tls_when_asked() {
    if store_kind() != "postgres" {
        eprintln!("NOT RUN here: needs the PostgreSQL store (DESMIG_TEST_STORE=postgres; test.sh runs that pass)");
        return;
    }
    let database = TestDatabase::new();
    let root = fixture("test-server.crt");
    for mode in ["require", "verify-full"] {
        let url = format!("{}?sslmode={mode}&sslrootcert={}", database.url, root.display());
        let storage = desmig_sync_server::DatabaseUrl::parse(&url).unwrap().open().unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(storage.stats().is_ok());
        // Encrypted: PostgreSQL itself says so for this session.
        let mut c = postgres::Client::connect(&database.url, postgres::NoTls).unwrap();
        let encrypted: i64 = c.query_one("SELECT count(*) FROM pg_stat_ssl WHERE ssl", &[]).unwrap().get(0);
        assert!(encrypted >= 1, "{mode}: no session is encrypted");
    }
    // A database whose certificate the server cannot verify is refused, saying why.
    let url = format!("{}?sslmode=verify-full", database.url);
    let err = desmig_sync_server::DatabaseUrl::parse(&url).unwrap().open().err().expect("an unverified database is refused");
    assert!(err.to_string().to_lowercase().contains("certificate"), "{err}");
    let odd = desmig_sync_server::DatabaseUrl::parse(&format!("{}?sslmode=sometimes", database.url)).unwrap().open().err().unwrap();
    assert!(odd.to_string().contains("sslmode"), "{odd}");
}
