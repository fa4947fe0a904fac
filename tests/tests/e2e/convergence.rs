//! Property: whatever the interleaving of offline edits and syncs across three phones, once
//! everyone has synced, every phone and the server hold the same data.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_e2e::*;
use proptest::prelude::*;

const NAMES: [&str; 4] = ["Siti", "Sri", "Nur", "Dewi"];
const PHONES: [&str; 3] = ["0812 1111 1111", "0813 2222 2222", "0857 3333 3333"];

#[derive(Debug, Clone)]
enum Step {
    Rename { device: usize, person: usize, name: usize },
    Phone { device: usize, person: usize, phone: usize },
    Register { device: usize, name: usize },
    Sync { device: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize, 0..3usize, 0..NAMES.len()).prop_map(|(device, person, name)| Step::Rename { device, person, name }),
        (0..3usize, 0..3usize, 0..PHONES.len()).prop_map(|(device, person, phone)| Step::Phone { device, person, phone }),
        (0..3usize, 0..NAMES.len()).prop_map(|(device, name)| Step::Register { device, name }),
        (0..3usize).prop_map(|device| Step::Sync { device }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_and_syncs_across_three_phones_converge(steps in proptest::collection::vec(step(), 1..25)) {
        let server = TestServer::start();
        for u in ["a", "b", "c"] {
            server.add_user(u, Role::Facilitator, &[VILLAGE], &[], None);
        }
        let devices: Vec<Device> = ["a", "b", "c"].iter().map(|u| Device::login(&server.url, u)).collect();
        // Three people everyone knows, then the random part.
        let people: Vec<String> = NAMES[..3].iter().map(|n| devices[0].store.register_beneficiary(BeneficiaryInput::new(n, Sex::Female, VILLAGE)).unwrap().id).collect();
        for d in &devices {
            d.sync().unwrap();
        }
        for s in steps {
            match s {
                Step::Rename { device, person, name } => {
                    let d = &devices[device];
                    let b = d.store.beneficiary(&people[person]).unwrap();
                    let input = BeneficiaryInput { phone: b.phone.clone(), ..BeneficiaryInput::new(NAMES[name], Sex::Female, VILLAGE) };
                    d.store.update_beneficiary(&b.id, input).unwrap();
                }
                Step::Phone { device, person, phone } => {
                    let d = &devices[device];
                    let b = d.store.beneficiary(&people[person]).unwrap();
                    let input = BeneficiaryInput { phone: Some(PHONES[phone].into()), ..BeneficiaryInput::new(&b.full_name, Sex::Female, VILLAGE) };
                    d.store.update_beneficiary(&b.id, input).unwrap();
                }
                Step::Register { device, name } => {
                    devices[device].store.register_beneficiary(BeneficiaryInput::new(NAMES[name], Sex::Male, VILLAGE)).unwrap();
                }
                Step::Sync { device } => {
                    devices[device].sync().unwrap();
                }
            }
        }
        for _ in 0..2 {
            for d in &devices {
                d.sync().unwrap();
            }
        }
        let expected = server.dump();
        for d in &devices {
            prop_assert_eq!(d.dump(), expected.clone());
            prop_assert_eq!(d.store.outbox_counts().unwrap().pending, 0);
        }
    }
}
