//! The server's HTTP edge, tried as an attacker or a broken network would: silent and stalled
//! connections are closed, an announced oversized body is refused before it is read, every
//! error has a typed JSON body, answers are never cached, impossible cursors are 400s, and
//! wrong passwords are throttled per account and per address.

use desmig_core::protocol::ErrorBody;
use desmig_core::scope::Role;
use desmig_e2e::raw::*;
use desmig_e2e::*;
use desmig_sync_server::edge::EdgeConfig;
use desmig_sync_server::http::HttpConfig;
use desmig_sync_server::throttle::ThrottleConfig;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn quick_edge() -> HttpConfig {
    HttpConfig {
        edge: EdgeConfig { idle_timeout: Duration::from_millis(800), header_timeout: Duration::from_millis(800), ..EdgeConfig::default() },
        body_timeout: Duration::from_millis(800),
        ..HttpConfig::default()
    }
}

fn connect(server: &TestServer) -> TcpStream {
    let s = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Reads until the server closes the connection; returns what it sent.
fn until_closed(mut s: TcpStream) -> String {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).to_string()
}

#[test]
fn silent_half_sent_stalled_and_idle_connections_are_closed() {
    let server = TestServer::start_with(quick_edge());
    let started = Instant::now();
    // Nothing at all.
    let silent = connect(&server);
    // Half a request head.
    let mut half = connect(&server);
    half.write_all(b"POST /v1/sync/push HTTP/1.1\r\nHost: x\r\n").unwrap();
    // A whole head, then a body that stops.
    let mut stalled = connect(&server);
    stalled.write_all(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nx-desmig-protocol: 1\r\nContent-Length: 100\r\n\r\n{\"user").unwrap();
    // One request, then an idle keep-alive.
    let mut idle = connect(&server);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    for s in [silent, half, idle] {
        until_closed(s);
    }
    let answer = until_closed(stalled);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(15), "every connection was closed by the server, not the test's own timeout");
    // The server still serves.
    assert_eq!(reqwest::blocking::get(format!("{}/healthz", server.url)).unwrap().status().as_u16(), 200);
}

#[test]
fn a_body_announced_over_the_limit_is_refused_before_it_is_read() {
    let server = TestServer::start();
    let mut s = connect(&server);
    s.write_all(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nx-desmig-protocol: 1\r\nContent-Length: 9999999999\r\n\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
}

#[test]
fn every_error_has_a_json_body_and_no_answer_is_cached_or_sniffed() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let http = reqwest::blocking::Client::new();
    let wrong_method = http.get(format!("{}/v1/sync/push", server.url)).send().unwrap();
    assert_eq!(wrong_method.status().as_u16(), 405);
    assert!(wrong_method.headers().get("allow").is_some());
    assert_eq!(error_code(&wrong_method.bytes().unwrap()), "method_not_allowed");
    let (device, _) = raw_client(&server, "sri");
    let login = http
        .post(format!("{}/v1/auth/login", server.url))
        .header("x-desmig-protocol", "1")
        .json(&serde_json::json!({"username": "sri", "password": PASSWORD, "device_id": device.store.device_id()}))
        .send()
        .unwrap();
    let pull = http
        .get(format!("{}/v1/sync/pull", server.url))
        .header("x-desmig-protocol", "1")
        .bearer_auth(&device.settings.token)
        .send()
        .unwrap();
    for r in [&login, &pull] {
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let server_time: i64 = r.headers()["x-desmig-server-time"].to_str().unwrap().parse().unwrap();
        assert!((server_time - now() as i64).abs() < 60_000);
    }
}

#[test]
fn impossible_cursors_and_limits_are_refused() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (device, _) = raw_client(&server, "sri");
    device.sync().unwrap();
    let http = reqwest::blocking::Client::new();
    let pull = |query: &str| {
        let r = http
            .get(format!("{}/v1/sync/pull?{query}", server.url))
            .header("x-desmig-protocol", "1")
            .bearer_auth(&device.settings.token)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let body = r.bytes().unwrap();
        (status, serde_json::from_slice::<ErrorBody>(&body).map(|b| b.error.code).unwrap_or_default())
    };
    for cursor in ["v999.-1", "v1.-5", "v999.0", "v0.0", "v1.999999", "abc", "v1.1e3"] {
        assert_eq!(pull(&format!("cursor={cursor}")), (400, "invalid_cursor".to_string()), "{cursor}");
    }
    for limit in ["0", "5001"] {
        assert_eq!(pull(&format!("limit={limit}")), (400, "invalid_limit".to_string()), "{limit}");
    }
    assert_eq!(pull("cursor=v1.0&limit=1").0, 200);
    // A phone holding a cursor the server no longer knows starts its feed over by itself.
    device.store.register_beneficiary(desmig_core::field::BeneficiaryInput::new("Siti", desmig_core::model::Sex::Female, VILLAGE)).unwrap();
    device.sync().unwrap();
    let conn = open_db(&device.path);
    conn.execute("UPDATE meta SET value = 'v1.999999' WHERE key = 'pull_cursor'", []).unwrap();
    let report = device.sync().unwrap();
    assert!(report.pulled >= 1 && report.error.is_none(), "{report:?}");
}

#[test]
fn wrong_passwords_lock_the_account_and_the_address_for_a_while() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let http = reqwest::blocking::Client::new();
    let login = |user: &str, password: &str| {
        let r = http
            .post(format!("{}/v1/auth/login", server.url))
            .header("x-desmig-protocol", "1")
            .json(&serde_json::json!({"username": user, "password": password, "device_id": "dev-1"}))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        let body: ErrorBody = serde_json::from_slice(&r.bytes().unwrap()).unwrap_or(ErrorBody {
            error: desmig_core::protocol::ErrorDetail { code: "ok".into(), message: String::new(), fields: vec![], retry_after_s: None },
        });
        (status, body.error.code, body.error.retry_after_s, retry_after)
    };
    for _ in 0..5 {
        assert_eq!(login("sri", "salah-sandi").0, 401);
    }
    let (status, code, retry, header) = login("sri", PASSWORD);
    assert_eq!((status, code.as_str()), (429, "login_throttled"), "even the right password waits");
    assert!(retry.is_some_and(|s| s > 500 && s <= 600), "{retry:?}");
    assert_eq!(header, retry.map(|s| s.to_string()));
    // The address that made the failures is locked too, for every account.
    assert_eq!(login("wati", PASSWORD).1, "login_throttled");
    // The phone says so, typed, without hammering the server with retries.
    let dir = tempfile::tempdir().unwrap();
    let phone = desmig_core::FieldStore::open(dir.path().join("f.db")).unwrap();
    match phone.login(&server.url, "sri", PASSWORD) {
        Err(desmig_core::Error::Server { code, status, .. }) => assert_eq!((status, code.as_str()), (429, "login_throttled")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_username_costs_the_same_work_as_a_wrong_password() {
    let server = TestServer::start_with(HttpConfig {
        throttle: ThrottleConfig { max_failures: 1000, ..ThrottleConfig::default() },
        ..HttpConfig::default()
    });
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let http = reqwest::blocking::Client::new();
    let time = |user: &str| {
        let mut samples: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let r = http
                    .post(format!("{}/v1/auth/login", server.url))
                    .header("x-desmig-protocol", "1")
                    .json(&serde_json::json!({"username": user, "password": "salah-sandi", "device_id": "dev-1"}))
                    .send()
                    .unwrap();
                assert_eq!(r.status().as_u16(), 401);
                started.elapsed()
            })
            .collect();
        samples.sort();
        samples[2]
    };
    let (known, unknown) = (time("sri"), time("tidak-ada"));
    // Both run the password hash: an unknown name is not answered in a fraction of the time.
    assert!(unknown * 3 > known, "unknown {unknown:?} vs known {known:?}");
}
