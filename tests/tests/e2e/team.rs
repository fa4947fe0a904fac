//! The people a user works with, through the real server: a supervisor's phone lists the
//! facilitators of the district with their work phones and each one's month; a returning worker
//! sees their own facilitator. Workers are never listed, nor staff of other districts, nor a
//! disabled account; the list travels again only when it changed.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::protocol::PullResponse;
use desmig_core::scope::Role;
use desmig_e2e::raw::raw_client;
use desmig_e2e::*;
use desmig_sync_server::storage::NewUser;

fn staff(server: &TestServer, username: &str, name: &str, role: Role, villages: &[&str], districts: &[&str], phone: Option<&str>) {
    server
        .storage
        .add_user(
            &NewUser {
                username: username.into(),
                password: PASSWORD.into(),
                display_name: name.into(),
                role,
                villages: villages.iter().map(|s| s.to_string()).collect(),
                districts: districts.iter().map(|s| s.to_string()).collect(),
                beneficiary_id: None,
                phone: phone.map(str::to_string),
            },
            desmig_core::date::now_unix_ms(),
        )
        .unwrap();
}

#[test]
fn a_supervisor_sees_each_facilitator_of_the_district_and_a_worker_sees_their_own() {
    let server = TestServer::start();
    staff(&server, "sri", "Sri Wahyuni", Role::Facilitator, &[VILLAGE], &[], Some("0812 3456 7890"));
    staff(&server, "ani", "Ani Rahmawati", Role::Facilitator, &[VILLAGE_2], &[], None);
    staff(&server, "joko", "Joko Susilo", Role::Facilitator, &[SUBANG], &[], Some("0813 1111 2222"));
    staff(&server, "budi", "Budi Santoso", Role::Supervisor, &[], &["32.12"], Some("0813 2100 4455"));

    let sri = Device::login(&server.url, "sri");
    let siti = sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let t = sri.store.templates().into_iter().next().unwrap();
    sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    sri.sync().unwrap();
    // A worker account for Siti, who is never listed to anyone.
    server.add_user("siti", Role::Worker, &[], &[], Some(&siti.id));

    // The facilitator's phone knows her supervisor and nobody of another village or district.
    sri.sync().unwrap();
    let names = |people: Vec<desmig_core::protocol::Person>| people.into_iter().map(|p| p.display_name).collect::<Vec<_>>();
    assert_eq!(names(sri.store.team().unwrap()), ["Budi Santoso"]);

    let budi = Device::login(&server.url, "budi");
    budi.sync().unwrap();
    assert_eq!(names(budi.store.team().unwrap()), ["Ani Rahmawati", "Sri Wahyuni"], "the district's facilitators, no worker, not Subang's");
    let month = budi.store.this_month();
    let view = budi.store.facilitator_overview(month).unwrap();
    assert_eq!(view.len(), 2);
    let (ani, sri_row) = (&view[0], &view[1]);
    assert_eq!((ani.display_name.as_str(), ani.visits_this_month, ani.beneficiaries), ("Ani Rahmawati", 0, 0));
    assert_eq!(sri_row.display_name, "Sri Wahyuni");
    assert_eq!(sri_row.phone.as_deref(), Some("+6281234567890"), "entered as 0812…, kept as +62…");
    assert_eq!((sri_row.visits_this_month, sri_row.beneficiaries_visited, sri_row.visits_to_verify, sri_row.beneficiaries), (2, 1, 2, 1));
    assert!(sri_row.last_visit_at.is_some());
    // A facilitator has no team view.
    assert_eq!(sri.store.facilitator_overview(month).unwrap_err().code(), "not_supervisor");

    // The worker sees her facilitator and how to call her.
    let worker = Device::login(&server.url, "siti");
    worker.sync().unwrap();
    let status = worker.store.my_status().unwrap();
    assert_eq!(status.facilitators.len(), 1);
    assert_eq!(
        (status.facilitators[0].display_name.as_str(), status.facilitators[0].phone.as_deref()),
        ("Sri Wahyuni", Some("+6281234567890"))
    );
    assert_eq!(
        names(worker.store.team().unwrap()),
        ["Sri Wahyuni", "Budi Santoso"],
        "her village's facilitator, then the district's supervisor"
    );

    // A new phone number and a disabled account reach the supervisor's next sync.
    server.storage.set_phone("sri", "0857 0000 1111").unwrap();
    server.storage.set_disabled("ani", true).unwrap();
    budi.sync().unwrap();
    let team = budi.store.team().unwrap();
    assert_eq!(names(team.clone()), ["Sri Wahyuni"]);
    assert_eq!(team[0].phone.as_deref(), Some("+6285700001111"));

    // A malformed phone number is refused with its code, and nothing changes.
    let err = server.storage.set_phone("sri", "12345").unwrap_err();
    assert!(matches!(err, desmig_sync_server::error::ServerError::BadRequest { code: "invalid_phone", .. }), "{err}");
    budi.sync().unwrap();
    assert_eq!(budi.store.team().unwrap()[0].phone.as_deref(), Some("+6285700001111"));
}

#[test]
fn the_team_list_travels_only_when_it_changed() {
    let server = TestServer::start();
    staff(&server, "sri", "Sri Wahyuni", Role::Facilitator, &[VILLAGE], &[], None);
    staff(&server, "budi", "Budi Santoso", Role::Supervisor, &[], &["32.12"], None);
    let (_budi, raw) = raw_client(&server, "budi");
    let pull = |query: &str| -> PullResponse {
        let (status, body) = raw.get(&format!("/v1/sync/pull?{query}"));
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    };
    let first = pull("cursor=");
    let team = first.team.expect("a phone without the list gets it");
    assert_eq!(team.people.iter().map(|p| p.display_name.as_str()).collect::<Vec<_>>(), ["Sri Wahyuni"]);
    let again = pull(&format!("cursor={}&team={}", first.next_cursor, team.tag));
    assert_eq!(again.team, None, "the same tag: nothing to send");
    server.storage.set_phone("sri", "0812 3456 7890").unwrap();
    let changed = pull(&format!("cursor={}&team={}", first.next_cursor, team.tag)).team.expect("a changed list is sent");
    assert_ne!(changed.tag, team.tag);
    assert_eq!(changed.people[0].phone.as_deref(), Some("+6281234567890"));
}
