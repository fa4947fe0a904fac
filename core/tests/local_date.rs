//! "Today" on the phone is the local date of its time zone, not UTC's: between 00:00 and 07:00
//! WIB a facilitator's visit, sale or follow-up belongs to the new day.

use desmig_core::date::{now_unix_ms, Date};
use desmig_core::FieldStore;

#[test]
fn today_is_the_local_date_of_the_phones_zone_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("field.db");
    let store = FieldStore::open(&path).unwrap();
    for (zone, minutes) in [("WIB", 420), ("WITA", 480), ("WIT", 540), ("UTC", 0)] {
        store.set_utc_offset_minutes(minutes).unwrap();
        let before = Date::from_unix_ms(now_unix_ms() + i64::from(minutes) * 60_000);
        let today = store.today();
        let after = Date::from_unix_ms(now_unix_ms() + i64::from(minutes) * 60_000);
        assert!(today == before || today == after, "{zone}: {today} is the local date");
    }
    store.set_utc_offset_minutes(540).unwrap();
    drop(store);
    let again = FieldStore::open(&path).unwrap();
    let expected = Date::from_unix_ms(now_unix_ms() + 540 * 60_000);
    assert!(again.today() == expected || again.today() == expected.add_days(-1), "the zone is kept");
    for bad in [-721, 841] {
        let err = again.set_utc_offset_minutes(bad).unwrap_err();
        assert_eq!(err.code(), "invalid", "{bad}");
    }
}
