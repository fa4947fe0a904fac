//! Store-and-forward benchmark: a facilitator's phone, offline, holds 500 visits shaped like real
//! ones (`desmig_e2e::dataset`: KUR readiness, 28 answers of every kind, free-text notes); it
//! exports them as one bundle, a supervisor's phone imports it and delivers it at its sync to the
//! real server (in process, over loopback HTTP), and the origin applies the receipt. Prints the
//! bundle's size against gzip of the bare operations (the baseline: what any compressed file of
//! them would take) and the time of each step. Not a test: nothing here asserts a time.
//! `cargo bench -p desmig-e2e --bench bundle` (scripts/bench.sh runs it).

use desmig_core::carry::ImportOutcome;
use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_e2e::dataset::{self, Rng, Shape};
use desmig_e2e::*;
use std::io::Write;
use std::time::Instant;

const VISITS: usize = 500;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("bundle bench: skipped outside `cargo bench`");
        return;
    }
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let template = dataset::template(Shape::Realistic);
    let mut rng = Rng::new(2026);
    let names =
        ["Siti Aminah", "Sri Rahayu", "Dewi Lestari", "Nur Hidayah", "Rina Marlina", "Tuti Handayani", "Yanti Susanti", "Wati Kurniasih"];
    let people: Vec<_> = (0..VISITS / 5)
        .map(|i| sri.store.register_beneficiary(BeneficiaryInput::new(names[i % names.len()], Sex::Female, VILLAGE)).unwrap())
        .collect();
    sri.sync().unwrap();
    for (i, b) in people.iter().cycle().take(VISITS).enumerate() {
        let answers = dataset::answers(&mut rng, Shape::Realistic, &template);
        let notes = dataset::sentence(&mut rng, 25, 25);
        sri.store.record_visit(&b.id, &template.id, answers, Some(notes), vec![]).unwrap_or_else(|e| panic!("visit {i}: {e}"));
    }
    let ops: Vec<_> = sri.store.pending_operations(10_000).unwrap().into_iter().map(|e| e.op).collect();
    assert_eq!(ops.len(), VISITS);
    let bare = serde_json::to_vec(&ops).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bare).unwrap();
    let gz = gz.finish().unwrap().len();

    let t = Instant::now();
    let out = sri.store.export_bundle().unwrap();
    let export = t.elapsed();
    println!(
        "bundle of {VISITS} visits: {:.1} KB ({:.0} B/visit) | baseline: the bare operations {:.1} KB as JSON, {:.1} KB gzipped | ratio {:.2}x the gzip | exported (sealed, signed) in {:.1} ms",
        out.file.len() as f64 / 1e3,
        out.file.len() as f64 / VISITS as f64,
        bare.len() as f64 / 1e3,
        gz as f64 / 1e3,
        out.file.len() as f64 / gz as f64,
        export.as_secs_f64() * 1e3
    );

    let budi = Device::login(&server.url, "budi");
    let t = Instant::now();
    assert_eq!(budi.store.import_bundle(&out.file).unwrap().outcome, ImportOutcome::ToDeliver);
    let carried = t.elapsed();
    let before = server.storage.stats().unwrap().applied_ops;
    let t = Instant::now();
    budi.sync().unwrap();
    let delivered = t.elapsed();
    assert_eq!(server.storage.stats().unwrap().applied_ops - before, VISITS as u64);
    let receipt = budi
        .store
        .bundles()
        .unwrap()
        .into_iter()
        .find(|b| b.state == "to_hand_on" && b.kind == desmig_core::bundle::BundleKind::Receipt)
        .unwrap();
    let file = budi.store.bundle_file(&receipt.bundle_id).unwrap();
    let t = Instant::now();
    assert_eq!(sri.store.import_bundle(&file).unwrap().outcome, ImportOutcome::Acknowledged);
    let acknowledged = t.elapsed();
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 0);
    println!(
        "  carrier imports it in {:.1} ms; its sync delivers it and the server applies the {VISITS} visits in {:.0} ms; the receipt ({:.1} KB) clears the origin's outbox in {:.1} ms",
        carried.as_secs_f64() * 1e3,
        delivered.as_secs_f64() * 1e3,
        file.len() as f64 / 1e3,
        acknowledged.as_secs_f64() * 1e3
    );
}
