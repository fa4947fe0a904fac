//! The whole country's regions on the server, and on each phone only the part its scope needs:
//! a facilitator's villages, a supervisor's districts; a new scope brings its regions.

use desmig_core::scope::Role;
use desmig_e2e::*;
use desmig_sync_server::regions;

#[test]
fn each_phone_receives_only_the_regions_of_its_scope() {
    let server = TestServer::start();
    assert_eq!(regions::load_full_if_sample(&*server.storage).unwrap(), Some(91_599), "a new server loads the full list");
    assert_eq!(regions::load_full_if_sample(&*server.storage).unwrap(), None, "once");
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);

    let sri = Device::login(&server.url, "sri");
    sri.sync().unwrap();
    let on_phone = sri.store.regions();
    assert_eq!(on_phone.len(), 38 + 3, "the provinces, and her village with its sub-district and district");
    assert_eq!(sri.store.villages_in_scope().unwrap().iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Haurkolot"]);

    let budi = Device::login(&server.url, "budi");
    budi.sync().unwrap();
    let villages = budi.store.villages_in_scope().unwrap();
    assert!(villages.len() > 300, "every village of Indramayu: {}", villages.len());
    assert!(villages.iter().all(|v| v.code.starts_with("32.12.")));
    assert!(budi.store.regions().get("32.13").is_none(), "nothing of Subang");

    // Sri moves to a village of Subang (Cicadas, a real one, not in the phones' sample): her next sync
    // brings its regions with the new scope.
    assert!(desmig_core::region::RegionCatalog::builtin().get("32.13.01.2004").is_none());
    server.storage.assign("sri", &["32.13.01.2004".to_string()], &[]).unwrap();
    sri.sync().unwrap();
    let names: Vec<String> = sri.store.villages_in_scope().unwrap().into_iter().map(|r| r.code).collect();
    assert_eq!(names, ["32.13.01.2004"]);
    assert!(sri.store.regions().get(VILLAGE).is_none(), "the old village's regions went with the old scope");
}
