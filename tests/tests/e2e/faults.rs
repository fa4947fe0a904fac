//! Bad networks, made on purpose: a proxy between phone and server drops replies after the
//! server committed, cuts pulls halfway, delays answers and cuts requests. Nothing is lost and
//! nothing is applied twice.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_core::Error;
use desmig_e2e::proxy::{Fault, FaultProxy};
use desmig_e2e::*;
use std::time::Duration;

fn through(proxy: &FaultProxy, server: &TestServer, username: &str) -> Device {
    let mut d = Device::login(&server.url, username);
    d.settings.server_url = proxy.url.clone();
    d.settings.reuse_connections = false;
    d
}

fn register_many(d: &Device, n: usize, prefix: &str) {
    for i in 0..n {
        let name = format!("{prefix} {}", (b'a' + (i % 26) as u8) as char).repeat(1 + i / 26);
        d.store.register_beneficiary(BeneficiaryInput::new(&name, Sex::Female, VILLAGE)).unwrap();
    }
}

/// A server holding 50 of sri's beneficiaries, and wati, of the same village, about to pull them
/// through a proxy in pages of 10.
fn fifty_to_pull_in_pages_of_ten() -> (TestServer, Device, FaultProxy, Device) {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let sri = Device::login(&server.url, "sri");
    register_many(&sri, 50, "Warga");
    sri.sync().unwrap();
    let proxy = FaultProxy::start(&server.url);
    let mut wati = through(&proxy, &server, "wati");
    wati.settings.pull_page = 10;
    wati.settings.pull_page_max = 10;
    (server, sri, proxy, wati)
}

#[test]
fn a_retried_batch_is_applied_once() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let proxy = FaultProxy::start(&server.url);
    let sri = through(&proxy, &server, "sri");
    register_many(&sri, 3, "Warga");
    proxy.inject("/v1/sync/push", Fault::DropReply);
    let report = sri.sync().unwrap();
    assert_eq!(proxy.faults_fired(), 1);
    // The server applied the batch the first time; the retry was acknowledged as duplicates.
    assert_eq!((report.pushed, report.duplicates), (0, 3));
    assert_eq!(server.storage.stats().unwrap().applied_ops, 3);
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 0);
    assert_eq!(sri.dump(), server.dump());
}

#[test]
fn a_cut_request_stores_nothing_and_the_retry_applies_it() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let proxy = FaultProxy::start(&server.url);
    let sri = through(&proxy, &server, "sri");
    register_many(&sri, 5, "Warga");
    proxy.inject("/v1/sync/push", Fault::CutRequest(300));
    let report = sri.sync().unwrap();
    assert_eq!((report.pushed, report.duplicates), (5, 0));
    assert_eq!(server.storage.stats().unwrap().applied_ops, 5);
}

#[test]
fn a_pull_cut_halfway_resumes_from_its_cursor_with_no_gap_and_no_duplicate() {
    let (server, _sri, proxy, mut wati) = fifty_to_pull_in_pages_of_ten();
    wati.settings.max_attempts = 1; // give up at the first fault, like a phone losing coverage
    proxy.inject_after("/v1/sync/pull", 2, Fault::TruncateReply(120));
    let err = wati.sync().unwrap_err();
    assert!(matches!(err, Error::Network(_)), "{err}");
    assert_eq!(count(&wati.path, "beneficiary"), 20, "two whole pages were kept");
    assert!(wati.store.last_sync().unwrap().unwrap().error.is_some());

    wati.settings.max_attempts = 6;
    let report = wati.sync().unwrap();
    assert_eq!(report.pulled, 30, "the next sync starts after the last page kept");
    assert_eq!(count(&wati.path, "beneficiary"), 50);
    assert_eq!(wati.dump(), server.dump());
}

#[test]
fn a_page_asked_for_ahead_from_a_wrong_header_is_not_stored() {
    let (server, sri, proxy, wati) = fifty_to_pull_in_pages_of_ten();
    // The first page's header points back to the start of the feed: the page fetched ahead
    // from it does not follow the page the phone stores, so the phone asks again from the
    // page's own cursor and stores every record once, in order.
    proxy.inject("/v1/sync/pull", Fault::ForgeHeader("x-desmig-next-cursor", "v1.0"));
    let report = wati.sync().unwrap();
    assert_eq!(proxy.faults_fired(), 1);
    assert_eq!(report.pulled, 50);
    assert_eq!(count(&wati.path, "beneficiary"), 50);
    assert_eq!(wati.dump(), server.dump());
    register_many(&sri, 3, "Baru");
    sri.sync().unwrap();
    assert_eq!(wati.sync().unwrap().pulled, 3, "the cursor kept is the last page's own");
}

#[test]
fn slow_dropped_and_truncated_answers_are_retried_until_the_sync_completes() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let proxy = FaultProxy::start(&server.url);
    let mut sri = through(&proxy, &server, "sri");
    sri.settings.push_batch_ops = 7;
    sri.settings.timeout_ms = 800;
    register_many(&sri, 30, "Warga");
    proxy.inject("/v1/sync/push", Fault::Delay(Duration::from_millis(1500)));
    proxy.inject_after("/v1/sync/push", 1, Fault::DropReply);
    proxy.inject_after("/v1/sync/push", 2, Fault::TruncateReply(40));
    let report = sri.sync().unwrap();
    assert_eq!(report.pushed + report.duplicates, 30);
    assert_eq!(server.storage.stats().unwrap().applied_ops, 30);

    let mut wati = through(&proxy, &server, "wati");
    wati.settings.pull_page = 8;
    wati.settings.pull_page_max = 8;
    proxy.inject("/v1/sync/pull", Fault::TruncateReply(300));
    proxy.inject_after("/v1/sync/pull", 1, Fault::DropReply);
    proxy.inject_after("/v1/sync/pull", 1, Fault::CutRequest(20));
    wati.sync().unwrap();
    assert_eq!(proxy.faults_fired(), 6);
    assert_eq!(wati.dump(), server.dump());
    assert_eq!(sri.dump(), server.dump());
}

#[test]
fn a_cancelled_sync_stops_at_a_batch_boundary_and_loses_nothing() {
    use desmig_core::sync::{CancelToken, SyncListener, SyncPhase, SyncProgress};
    use std::sync::Mutex;
    struct StopAfterFirstBatch(CancelToken, Mutex<Vec<SyncProgress>>);
    impl SyncListener for StopAfterFirstBatch {
        fn on_progress(&self, p: &SyncProgress) {
            self.1.lock().unwrap().push(p.clone());
            if p.phase == SyncPhase::Pushing {
                self.0.cancel();
            }
        }
    }
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let mut sri = Device::login(&server.url, "sri");
    sri.settings.push_batch_ops = 5;
    register_many(&sri, 20, "Warga");
    let cancel = CancelToken::new();
    let listener = StopAfterFirstBatch(cancel.clone(), Mutex::new(vec![]));
    let err = sri.store.sync(&sri.settings, Some(&listener), &cancel).unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    let seen = listener.1.lock().unwrap().clone();
    assert_eq!((seen[0].phase, seen[0].done, seen[0].total), (SyncPhase::Pushing, 5, 20));
    assert!(seen[0].bytes_sent > 0 && seen[0].bytes_received > 0);
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 15);
    sri.sync().unwrap();
    assert_eq!(sri.dump(), server.dump());
}
