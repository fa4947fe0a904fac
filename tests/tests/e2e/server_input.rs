//! The server trusts no phone: malformed, oversized, wrongly versioned, invalid, forged and
//! out-of-scope requests get a 4xx (or a per-operation rejection) with a typed body, and nothing
//! is stored.

use desmig_core::field::BeneficiaryInput;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::Sex;
use desmig_core::protocol::PushResponse;
use desmig_core::scope::Role;
use desmig_e2e::raw::*;
use desmig_e2e::*;
use serde_json::json;
use std::collections::BTreeMap;

#[test]
fn malformed_oversized_and_wrongly_versioned_requests_are_refused_with_a_typed_error() {
    let server = TestServer::start_with(desmig_sync_server::http::HttpConfig {
        max_body_bytes: 64 * 1024,
        max_decompressed_bytes: 256 * 1024,
        ..Default::default()
    });
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (_d, c) = raw_client(&server, "sri");
    let before = server.storage.stats().unwrap();

    let (status, body) = c.post("/v1/sync/push", b"{\"ops\": [".to_vec(), "1", false);
    assert_eq!((status, error_code(&body).as_str()), (400, "malformed_json"));
    let (status, body) = c.post("/v1/sync/push", b"{\"ops\": []}".to_vec(), "2", false);
    assert_eq!((status, error_code(&body).as_str()), (400, "unsupported_protocol"));
    let (status, body) = c.post("/v1/sync/push", vec![b' '; 100 * 1024], "1", false);
    assert_eq!((status, error_code(&body).as_str()), (413, "payload_too_large"));
    // A small gzip body that inflates past the limit (a zip bomb) is refused too.
    let (status, body) = c.post("/v1/sync/push", vec![b' '; 1024 * 1024], "1", true);
    assert_eq!((status, error_code(&body).as_str()), (413, "payload_too_large"));
    let (status, body) = c.post("/v1/sync/push", b"not gzip".to_vec(), "1", false);
    assert_eq!((status, error_code(&body).as_str()), (400, "malformed_json"));

    let anonymous = Client { token: String::new(), ..c };
    let (status, body) = anonymous.post("/v1/sync/push", b"{\"ops\": []}".to_vec(), "1", false);
    assert_eq!((status, error_code(&body).as_str()), (401, "missing_token"));
    let forged_token = Client { token: "0".repeat(64), ..anonymous };
    let (status, body) = forged_token.post("/v1/sync/push", b"{\"ops\": []}".to_vec(), "1", false);
    assert_eq!((status, error_code(&body).as_str()), (401, "invalid_token"));
    let resp = reqwest::blocking::get(format!("{}/v1/nowhere", server.url)).unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(error_code(&resp.bytes().unwrap()), "not_found");
    assert_eq!(server.storage.stats().unwrap(), before, "nothing was stored");
}

#[test]
fn invalid_values_are_rejected_per_operation_with_the_offending_fields() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (d, c) = raw_client(&server, "sri");
    let good = beneficiary_op(&d, json!({}));
    let bad_nik = beneficiary_op(&d, json!({"nik": "3212011713850003", "full_name": "   "}));
    let not_a_number = beneficiary_op(&d, json!({"dependants": "dua"}));
    let (status, body) = c.push(vec![bad_nik.clone(), good.clone(), not_a_number.clone()]);
    assert_eq!(status, 200);
    let resp: PushResponse = serde_json::from_slice(&body).unwrap();
    let codes: Vec<_> = resp.results.iter().map(|r| (r.status, r.code.clone())).collect();
    use desmig_core::protocol::OpStatus::*;
    assert_eq!(codes, [(Rejected, Some("invalid".into())), (Applied, None), (Rejected, Some("invalid".into()))]);
    let mut fields: Vec<_> = resp.results[0].fields.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
    fields.sort();
    assert_eq!(fields, [("full_name", "required"), ("nik", "invalid_birth_date")]);
    assert_eq!(resp.results[2].fields[0].field, "dependants");
    let stats = server.storage.stats().unwrap();
    assert_eq!((stats.applied_ops, stats.records), (1, 1));
}

#[test]
fn forged_operations_are_refused_whole() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, c) = raw_client(&server, "sri");
    let wati = Device::login(&server.url, "wati");
    let honest = beneficiary_op(&sri, json!({}));
    let as_wati = beneficiary_op(&wati, json!({}));
    let (status, body) = c.push(vec![honest.clone(), as_wati]);
    assert_eq!((status, error_code(&body).as_str()), (403, "forged_operation"));
    let other_user = Operation { user_id: "someone-else".into(), ..beneficiary_op(&sri, json!({})) };
    let (status, _) = c.push(vec![other_user]);
    assert_eq!(status, 403);
    assert_eq!(server.storage.stats().unwrap().applied_ops, 0);
}

#[test]
fn out_of_scope_and_read_only_pushes_are_rejected_per_operation() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (sri, c) = raw_client(&server, "sri");
    let subang = beneficiary_op(&sri, json!({"village_code": SUBANG}));
    let mine = beneficiary_op(&sri, json!({}));
    let (status, body) = c.push(vec![subang, mine.clone()]);
    assert_eq!(status, 200);
    let resp: PushResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(resp.results[0].code.as_deref(), Some("out_of_scope"));
    assert_eq!(resp.results[1].code, None);

    server.add_user("siti", Role::Worker, &[], &[], Some(&mine.entity_id));
    let (worker, wc) = raw_client(&server, "siti");
    let mut edit = beneficiary_op(&worker, json!({}));
    edit.entity_id = mine.entity_id.clone();
    edit.fields = BTreeMap::from([("full_name".to_string(), FieldChange { value: json!("Siti Baru"), base: Some(mine.hlc.clone()) })]);
    let (status, body) = wc.push(vec![edit]);
    assert_eq!(status, 200);
    let resp: PushResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(resp.results[0].code.as_deref(), Some("read_only"));
    // And the worker's own phone refuses the edit before it is ever queued.
    assert!(worker.store.update_beneficiary(&mine.entity_id, BeneficiaryInput::new("Siti Baru", Sex::Female, VILLAGE)).is_err());
    assert_eq!(server.storage.stats().unwrap().applied_ops, 1);
}

#[test]
fn the_api_describes_itself_and_reports_liveness() {
    let server = TestServer::start();
    let health = reqwest::blocking::get(format!("{}/healthz", server.url)).unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let doc: serde_json::Value = reqwest::blocking::get(format!("{}/v1/openapi.json", server.url)).unwrap().json().unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/v1/auth/login",
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/reference",
        "/healthz",
        "/v1/beneficiaries/{id}/export",
        "/v1/beneficiaries/{id}/erasure",
        "/v1/beneficiaries/{id}/access-log",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    // Every refusal a pushed operation can get is listed, and the login's throttling answer.
    let codes = doc["components"]["schemas"]["OpResult"]["properties"]["code"]["enum"].as_array().unwrap();
    for code in
        ["wrong_author", "self_verification", "not_supervisor", "op_id_reused", "clock_ahead", "stale_clock", "consent_withdrawn", "erased"]
    {
        assert!(codes.contains(&json!(code)), "{code} is documented");
    }
    assert!(doc["paths"]["/v1/auth/login"]["post"]["responses"]["429"].is_object());
}

#[test]
fn metrics_count_pushes_pulls_and_operations_by_outcome() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    let (d, c) = raw_client(&server, "sri");
    d.store.register_beneficiary(BeneficiaryInput::new("Siti", Sex::Female, VILLAGE)).unwrap();
    d.sync().unwrap();
    let (status, _) = c.push(vec![beneficiary_op(&d, json!({"village_code": SUBANG}))]);
    assert_eq!(status, 200);
    let text = reqwest::blocking::get(format!("{}/metrics", server.url)).unwrap().text().unwrap();
    let value = |line: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(line))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{line} missing:\n{text}"))
    };
    assert_eq!(value("desmig_operations_total{outcome=\"applied\"}"), 1.0);
    assert_eq!(value("desmig_operations_total{outcome=\"rejected\"}"), 1.0);
    assert_eq!(value("desmig_pushes_total"), 2.0);
    assert!(value("desmig_pulls_total") >= 1.0);
    assert_eq!(value("desmig_requests_total{route=\"login\",outcome=\"ok\"}"), 1.0);
    assert_eq!(value("desmig_request_duration_seconds_count{route=\"push\"}"), 2.0);
    assert_eq!(value("desmig_database_errors_total"), 0.0);
    assert!(text.contains("# TYPE desmig_request_duration_seconds histogram"));
}
