//! Several stateless server instances over one PostgreSQL: phones sync through a balancer that
//! sends every request to a random instance. Everyone converges; nothing is skipped or applied
//! twice. (SQLite serves one instance per file, so this runs in the PostgreSQL pass only.)

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_e2e::proxy::FaultProxy;
use desmig_e2e::*;

#[test]
fn three_instances_behind_a_balancer_converge_without_gaps_or_duplicates() {
    if store_kind() != "postgres" {
        eprintln!("NOT RUN here: several instances need the PostgreSQL store (DESMIG_TEST_STORE=postgres; test.sh runs that pass)");
        return;
    }
    let database = TestDatabase::new();
    let instances: Vec<TestServer> = (0..3).map(|_| TestServer::instance_of(&database)).collect();
    let urls: Vec<&str> = instances.iter().map(|i| i.url.as_str()).collect();
    let balancer = FaultProxy::balance(&urls);
    for u in ["a", "b", "c", "d", "e", "f"] {
        instances[0].add_user(u, Role::Facilitator, &[VILLAGE], &[], None);
    }
    let devices: Vec<Device> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|u| {
            let mut d = Device::login(&balancer.url, u);
            d.settings.reuse_connections = false;
            d.settings.push_batch_ops = 4;
            d.settings.pull_page = 5;
            d.settings.pull_page_max = 5;
            d
        })
        .collect();
    let mut total = 0;
    std::thread::scope(|s| {
        for (i, d) in devices.iter().enumerate() {
            s.spawn(move || {
                for round in 0..3 {
                    for k in 0..6 {
                        let name = format!(
                            "Warga {} {} {}",
                            ["a", "b", "c", "d", "e", "f"][i],
                            ["x", "y", "z"][round],
                            ["k", "l", "m", "n", "o", "p"][k]
                        );
                        d.store.register_beneficiary(BeneficiaryInput::new(&name, Sex::Female, VILLAGE)).unwrap();
                    }
                    d.sync().unwrap();
                }
            });
        }
    });
    total += devices.len() * 3 * 6;
    for d in &devices {
        d.sync().unwrap();
    }
    let stats = instances[1].storage.stats().unwrap();
    assert_eq!(stats.applied_ops as usize, total, "each operation applied exactly once");
    assert!(balancer.requests() > 100, "requests spread over the instances: {}", balancer.requests());
    let expected = instances[2].dump();
    for d in &devices {
        assert_eq!(count(&d.path, "beneficiary") as usize, total);
        assert_eq!(d.dump(), expected);
    }
}
