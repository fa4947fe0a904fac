//! What one request can cost the server in memory is bounded: small gzip bodies that inflate to
//! huge values are refused while they are decoded, four at once. Measured with a counting
//! allocator around the real server, in this process.

use desmig_core::scope::Role;
use desmig_e2e::raw::*;
use desmig_e2e::*;
use desmig_sync_server::http::HttpConfig;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A push whose one operation carries a text of `value_bytes`, gzipped.
fn bomb(device: &Device, value_bytes: usize) -> Vec<u8> {
    let op = beneficiary_op(device, serde_json::json!({}));
    let mut json = serde_json::to_string(&desmig_core::protocol::PushRequest { ops: vec![op] }).unwrap();
    let at = json.find("\"full_name\":{\"v\":\"").unwrap() + "\"full_name\":{\"v\":\"".len();
    json.insert_str(at, &"x".repeat(value_bytes));
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(json.as_bytes()).unwrap();
    enc.finish().unwrap()
}

#[test]
fn small_bodies_inflating_to_huge_values_cost_the_server_little_memory() {
    let config = HttpConfig::default();
    let per_request = config.max_body_bytes + 2 * config.max_decompressed_bytes;
    let server = TestServer::start_with(config);
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (device, client) = raw_client(&server, "sri");
    let over_the_limit = bomb(&device, 16 << 20);
    let under_the_limit = bomb(&device, 6 << 20);
    assert!(over_the_limit.len() < 64 * 1024, "{} bytes on the wire", over_the_limit.len());

    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let sends: Vec<_> = [&over_the_limit, &over_the_limit, &under_the_limit, &under_the_limit]
            .into_iter()
            .map(|body| {
                let client = &client;
                s.spawn(move || {
                    let resp = client
                        .http
                        .post(format!("{}/v1/sync/push", client.url))
                        .header("x-desmig-protocol", "1")
                        .bearer_auth(&client.token)
                        .header("content-type", "application/json")
                        .header("content-encoding", "gzip")
                        .body(body.clone())
                        .send()
                        .unwrap();
                    (resp.status().as_u16(), error_code(&resp.bytes().unwrap()))
                })
            })
            .collect();
        sends.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    println!("peak above baseline for 4 concurrent bombs: {:.1} MB (bound {:.1} MB)", peak as f64 / 1e6, (4 * per_request) as f64 / 1e6);
    assert_eq!(&answers[..2], &[(413, "payload_too_large".to_string()), (413, "payload_too_large".to_string())]);
    assert_eq!(&answers[2..], &[(400, "malformed_json".to_string()), (400, "malformed_json".to_string())]);
    assert!(peak < 4 * per_request, "{peak} bytes at the peak");
    assert_eq!(server.storage.stats().unwrap().applied_ops, 0);
}
