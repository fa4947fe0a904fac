//! The example reverse-proxy configuration (`docs/examples/nginx-desmig.conf`) end to end: nginx
//! (Debian's `nginx-light`) terminates TLS on loopback and forwards to the sync server, a phone
//! syncs through it, and login throttling counts each client's own address, which only the
//! trusted proxy may name.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_core::sync::{CancelToken, SyncSettings};
use desmig_core::FieldStore;
use desmig_e2e::*;
use desmig_sync_server::http::HttpConfig;
use std::net::IpAddr;
use std::process::{Child, Command, Stdio};

struct Nginx {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// nginx running the example configuration, changed only where loopback needs it: its port, the
/// upstream's port and the test certificate.
fn nginx_in_front_of(upstream: &str) -> Nginx {
    let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| std::path::Path::new(p).exists()).unwrap_or_else(|| {
        panic!("nginx is not installed: apt-get install nginx-light (.ci/run installs it)");
    });
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/nginx-desmig.conf")).unwrap();
    let port = free_port();
    let upstream_port = upstream.rsplit(':').next().unwrap();
    let replace = |text: String, from: &str, to: &str| {
        assert!(text.contains(from), "the example still says `{from}`");
        text.replace(from, to)
    };
    let mut site = replace(example, "listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"));
    site = replace(site, "proxy_pass http://127.0.0.1:8080;", &format!("proxy_pass http://127.0.0.1:{upstream_port};"));
    site = replace(site, "/etc/ssl/desmig/fullchain.pem", fixture("test-server.crt").to_str().unwrap());
    site = replace(site, "/etc/ssl/desmig/privkey.pem", fixture("test-server.key").to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    std::fs::write(dir.path().join("site.conf"), site).unwrap();
    let main = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  include {d}/site.conf;\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
    let child = Command::new(bin)
        .args(["-p", &d.to_string(), "-c", &format!("{d}/nginx.conf"), "-e", &format!("{d}/error.log")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx { child, url: format!("https://127.0.0.1:{port}"), _dir: dir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return nginx;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("nginx did not start: {}", std::fs::read_to_string(nginx._dir.path().join("error.log")).unwrap_or_default());
}

/// A login from the local address `from` through `url`: its status and error code.
fn login_from(url: &str, from: &str, username: &str, password: &str, forwarded_for: Option<&str>) -> (u16, String) {
    let pem = test_certificate();
    let client = reqwest::blocking::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let mut req = client
        .post(format!("{url}/v1/auth/login"))
        .header("x-desmig-protocol", "1")
        .json(&serde_json::json!({"username": username, "password": password, "device_id": "dev-1"}));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let code = serde_json::from_slice::<desmig_core::protocol::ErrorBody>(&resp.bytes().unwrap()).map(|b| b.error.code).unwrap_or_default();
    (status, code)
}

#[test]
fn a_phone_syncs_through_the_example_nginx_config_and_each_client_is_throttled_on_its_own() {
    let server = TestServer::start_with(HttpConfig { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..HttpConfig::default() });
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let nginx = nginx_in_front_of(&server.url);

    let dir = tempfile::tempdir().unwrap();
    let phone = FieldStore::open(dir.path().join("f.db")).unwrap();
    phone.trust_certificate(Some(&test_certificate())).unwrap();
    let login = phone.login(&nginx.url, "sri", PASSWORD).unwrap();
    phone.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let report = phone.sync(&SyncSettings::new(&nginx.url, &login.token), None, &CancelToken::new()).unwrap();
    assert_eq!((report.pushed, report.rejected, report.pulled), (1, 0, 1), "{report:?}");
    assert!(server.dump().contains("Siti Aminah"));

    // Five wrong passwords from one address (naming itself someone else, which nginx replaces)
    // lock that address, and only that one.
    for name in ["a", "b", "c", "d", "e"] {
        assert_eq!(login_from(&nginx.url, "127.0.0.2", name, "salah-sandi", Some("127.0.0.9")).0, 401);
    }
    assert_eq!(login_from(&nginx.url, "127.0.0.2", "wati", PASSWORD, None), (429, "login_throttled".to_string()));
    assert_eq!(login_from(&nginx.url, "127.0.0.3", "wati", PASSWORD, None).0, 200, "another phone is not locked out");
    assert_eq!(login_from(&nginx.url, "127.0.0.9", "wati", PASSWORD, None).0, 200, "the forged address was not counted");
    // A client that is not the proxy cannot name an address either.
    for name in ["f", "g", "h", "i", "j"] {
        assert_eq!(login_from(&server.url, "127.0.0.4", name, "salah-sandi", Some("127.0.0.5")).0, 401);
    }
    assert_eq!(login_from(&server.url, "127.0.0.4", "wati", PASSWORD, None).1, "login_throttled");
    assert_eq!(login_from(&server.url, "127.0.0.5", "wati", PASSWORD, None).0, 200);
}
