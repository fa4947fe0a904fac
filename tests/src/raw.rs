//! Raw requests, made as an attacker (or a broken phone) would: operations built by hand and
//! sent straight to the server, around the phone's own rules.

use crate::{Device, TestServer, VILLAGE};
use desmig_core::hlc::Hlc;
use desmig_core::merge::{FieldChange, Operation};
use desmig_core::model::EntityKind;
use desmig_core::protocol::{ErrorBody, PushRequest, PushResponse};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;

pub struct Client {
    pub http: reqwest::blocking::Client,
    pub url: String,
    pub token: String,
}

impl Client {
    pub fn post(&self, path: &str, body: Vec<u8>, protocol: &str, gzip: bool) -> (u16, Vec<u8>) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.url))
            .header("x-desmig-protocol", protocol)
            .bearer_auth(&self.token)
            .header("content-type", "application/json");
        if gzip {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(&body).unwrap();
            req = req.header("content-encoding", "gzip").body(enc.finish().unwrap());
        } else {
            req = req.body(body);
        }
        let resp = req.send().unwrap();
        (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
    }

    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let resp = self.http.get(format!("{}{path}", self.url)).header("x-desmig-protocol", "1").bearer_auth(&self.token).send().unwrap();
        (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
    }

    pub fn push(&self, ops: Vec<Operation>) -> (u16, Vec<u8>) {
        self.post("/v1/sync/push", serde_json::to_vec(&PushRequest { ops }).unwrap(), "1", true)
    }
}

pub fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .unwrap_or_else(|e| panic!("not a typed error body ({e}): {}", String::from_utf8_lossy(body)))
        .error
        .code
}

/// A phone logged in as `username`, and a raw client holding its token.
pub fn raw_client(server: &TestServer, username: &str) -> (Device, Client) {
    let d = Device::login(&server.url, username);
    let c = Client { http: reqwest::blocking::Client::new(), url: server.url.clone(), token: d.settings.token.clone() };
    (d, c)
}

/// An operation registering a beneficiary, made as `device` would, with `fields` overriding.
pub fn beneficiary_op(device: &Device, fields: serde_json::Value) -> Operation {
    let who = device.store.identity().unwrap();
    let mut base = json!({
        "kind": "returning_worker", "full_name": "Siti", "sex": "female", "village_code": VILLAGE,
        "consent_given_at": 1_700_000_000_000i64, "consent_method": "signed_form",
        "registered_by": who.user_id, "registered_at": 1_700_000_000_000i64, "dependants": 0, "skills": []
    });
    for (k, v) in fields.as_object().unwrap() {
        base[k] = v.clone();
    }
    Operation {
        op_id: uuid::Uuid::now_v7().to_string(),
        device_id: device.store.device_id().to_string(),
        user_id: who.user_id,
        entity: EntityKind::Beneficiary,
        entity_id: uuid::Uuid::now_v7().to_string(),
        hlc: desmig_core::hlc::Hlc {
            millis: desmig_core::date::now_unix_ms() as u64,
            counter: 0,
            node: device.store.device_id().to_string(),
        },
        fields: base
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), FieldChange { value: v.clone(), base: None }))
            .collect::<BTreeMap<_, _>>(),
        resolves: vec![],
    }
}

/// An operation on any record, stamped `millis` on `device`'s clock, with `fields` (name, value,
/// base).
pub fn op_on(
    device: &Device,
    entity: EntityKind,
    entity_id: &str,
    millis: u64,
    fields: &[(&str, serde_json::Value, Option<Hlc>)],
) -> Operation {
    let who = device.store.identity().unwrap();
    Operation {
        op_id: uuid::Uuid::now_v7().to_string(),
        device_id: device.store.device_id().to_string(),
        user_id: who.user_id,
        entity,
        entity_id: entity_id.to_string(),
        hlc: Hlc { millis, counter: 0, node: device.store.device_id().to_string() },
        fields: fields.iter().map(|(k, v, b)| (k.to_string(), FieldChange { value: v.clone(), base: b.clone() })).collect(),
        resolves: vec![],
    }
}

/// The per-operation codes of a push that the server answered with 200.
pub fn codes(client: &Client, ops: Vec<Operation>) -> Vec<Option<String>> {
    let (status, body) = client.push(ops);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let resp: PushResponse = serde_json::from_slice(&body).unwrap();
    resp.results.into_iter().map(|r| r.code).collect()
}

/// Milliseconds since 1970 on the server's clock (this machine's), 50 ms on: a moment after
/// anything a phone on this machine has stamped. A phone's clock is its own corrected by the
/// server's time header, and on a loaded machine that estimate runs a few milliseconds ahead; an
/// operation made by hand at the bare system time could then be older than the phone's last
/// write to the same field (`stale_clock`).
pub fn now() -> u64 {
    desmig_core::date::now_unix_ms() as u64 + 50
}
