//! Schema upgrades: a phone that installed an older app version upgrades step by step to exactly
//! the schema a fresh install gets, keeping its records.

mod common;
use common::*;
use desmig_core::{schema, FieldStore};
use rusqlite::Connection;

fn schema_of(conn: &Connection) -> Vec<(String, String, String)> {
    let mut stmt = conn.prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_database_upgraded_step_by_step_equals_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let fresh_path = dir.path().join("fresh.db");
    let old_path = dir.path().join("old.db");

    let mut fresh = Connection::open(&fresh_path).unwrap();
    schema::migrate(&mut fresh).unwrap();

    let mut old = Connection::open(&old_path).unwrap();
    for v in 1..=schema::VERSION {
        schema::migrate_to(&mut old, v).unwrap();
        assert_eq!(schema::version(&old).unwrap(), v);
        if v == 1 {
            // A record written by the first version of the app.
            old.execute(
                "INSERT INTO beneficiary (id, doc, created) VALUES (?1, ?2, ?3)",
                [
                    "0193a7a2-0000-7000-8000-000000000001",
                    r#"{"id":"0193a7a2-0000-7000-8000-000000000001","kind":"returning_worker","full_name":"Warsini","sex":"female","village_code":"32.12.01.2007","consent_given_at":1,"consent_method":"signed_form","registered_by":"f","registered_at":1}"#,
                    "000000000001-0000-dev",
                ],
            )
            .unwrap();
        }
    }
    assert_eq!(schema_of(&old), schema_of(&fresh));
    assert_eq!(schema::version(&old).unwrap(), schema::version(&fresh).unwrap());
    drop(old);

    // The record written before search existed is found by the search the upgrade added.
    let store = FieldStore::open(&old_path).unwrap();
    store.set_identity(Some(facilitator())).unwrap();
    let found = store.search_beneficiaries("wars", 5).unwrap();
    assert_eq!(found.len(), 1);
    assert!(store.check_integrity().unwrap().is_empty());
}

#[test]
fn a_database_from_a_newer_app_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let d = FieldStore::open(&path).unwrap();
        d.set_identity(Some(facilitator())).unwrap();
        d.register_beneficiary(siti()).unwrap();
    }
    Connection::open(&path).unwrap().pragma_update(None, "user_version", schema::VERSION + 1).unwrap();
    let err = FieldStore::open(&path).err().expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(conn.query_row("SELECT count(*) FROM beneficiary", [], |r| r.get::<_, i64>(0)).unwrap(), 1);
}
