//! Where the bytes of a first sync go, measured without a network: pull pages of records shaped
//! like real ones, built as the server builds them (`record_change_json`), compressed with gzip at
//! several levels, against gzip of the bare records. Prints bytes per record and the time each
//! level takes. `cargo run --release -p desmig-e2e --example wire_format [RECORDS]`.

use desmig_e2e::dataset::{self, Rng, Shape};
use std::io::Write;
use std::time::Instant;

fn gzip(data: &[u8], level: u32) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    enc.write_all(data).unwrap();
    enc.finish().unwrap().len()
}

fn zstd(data: &[u8], level: i32) -> usize {
    zstd::bulk::compress(data, level).unwrap().len()
}

fn main() {
    let records: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(12_000);
    let shape = Shape::from_env();
    let template = dataset::template(shape);
    let mut rng = Rng::new(2026);
    let mut pages: Vec<Vec<u8>> = vec![];
    let mut bare: Vec<u8> = vec![];
    let mut page = b"{\"changes\":[".to_vec();
    let mut in_page = 0;
    let node = uuid::Uuid::now_v7().to_string();
    let created = desmig_core::hlc::Hlc { millis: 1_765_000_000_000, counter: 7, node };
    let mut n = 0;
    let mut i = 0;
    while n < records {
        let b = dataset::beneficiary(&mut rng, shape, i, "32.12.01.2007", "0190a3c2-7f00-7000-8000-000000000001");
        let mut docs = vec![(desmig_core::model::EntityKind::Beneficiary, b.id.clone(), serde_json::to_value(&b).unwrap())];
        for k in 0..5 {
            let v =
                dataset::visit(&mut rng, shape, &template, &b.id, "0190a3c2-7f00-7000-8000-000000000001", 1_760_000_000_000 + k * 60_000);
            docs.push((desmig_core::model::EntityKind::Visit, v.id.clone(), serde_json::to_value(&v).unwrap()));
        }
        for (kind, id, mut doc) in docs {
            bare.extend(serde_json::to_vec(&doc).unwrap());
            bare.push(b'\n');
            doc.as_object_mut().unwrap().remove("id");
            let change = desmig_sync_server::storage::record_change_json(kind, &id, &doc.to_string(), &created, "{}").unwrap();
            if in_page > 0 {
                page.push(b',');
            }
            page.extend(change.as_bytes());
            in_page += 1;
            n += 1;
            if in_page == 1000 {
                page.extend(b"],\"next_cursor\":\"v1.1\",\"has_more\":true,\"reference_version\":1}");
                pages.push(std::mem::replace(&mut page, b"{\"changes\":[".to_vec()));
                in_page = 0;
            }
        }
        i += 1;
    }
    if in_page > 0 {
        page.extend(b"],\"next_cursor\":\"v1.1\",\"has_more\":false,\"reference_version\":1}");
        pages.push(page);
    }
    let plain: usize = pages.iter().map(Vec::len).sum();
    println!(
        "{n} {shape:?} records in {} pages of 1000: bare JSON {:.0} B/record, pull pages {:.0} B/record uncompressed",
        pages.len(),
        bare.len() as f64 / n as f64,
        plain as f64 / n as f64
    );
    for level in [6, 9] {
        println!("  baseline gzip -{level} of the bare records (one stream): {:.0} B/record", gzip(&bare, level) as f64 / n as f64);
    }
    for level in [9, 19] {
        println!("  baseline zstd -{level} of the bare records (one stream): {:.0} B/record", zstd(&bare, level) as f64 / n as f64);
    }
    for level in [1, 3, 6, 9] {
        let t = Instant::now();
        let size: usize = pages.iter().map(|p| gzip(p, level)).sum();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  pull pages, gzip -{level} per page: {:.0} B/record ({:.2}x the bare gzip -6) | {:.1} ms per 1000-record page, {:.0} MB/s",
            size as f64 / n as f64,
            size as f64 / gzip(&bare, 6) as f64,
            secs * 1000.0 / pages.len() as f64,
            plain as f64 / secs / 1e6
        );
    }
    for level in [1, 3, 6, 9, 12, 15, 19] {
        let t = Instant::now();
        let size: usize = pages.iter().map(|p| zstd(p, level)).sum();
        let secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for p in &pages {
            let z = zstd::bulk::compress(p, level).unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut ruzstd::decoding::StreamingDecoder::new(&z[..]).unwrap(), &mut out).unwrap();
        }
        let decode = (t.elapsed().as_secs_f64() - secs).max(0.0);
        println!(
            "  pull pages, zstd -{level} per page: {:.0} B/record ({:.2}x the bare gzip -6) | {:.1} ms per page, {:.0} MB/s; phone decodes at ~{:.0} MB/s",
            size as f64 / n as f64,
            size as f64 / gzip(&bare, 6) as f64,
            secs * 1000.0 / pages.len() as f64,
            plain as f64 / secs / 1e6,
            plain as f64 / decode.max(1e-9) / 1e6
        );
    }
}
