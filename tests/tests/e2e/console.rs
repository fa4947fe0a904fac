//! The district console through the real server over HTTP, as a browser without script would
//! use it: signing in and out, who may open which page (role × scope), CSRF on every form, a
//! supervisor verifying a visit and resolving a conflict (operations the phones then pull), a
//! record's audit trail, and the indicators the console shows agreeing with the phones'.

use desmig_core::field::BeneficiaryInput;
use desmig_core::model::Sex;
use desmig_core::scope::Role;
use desmig_e2e::*;
use desmig_sync_server::console::report;
use desmig_sync_server::storage::FeedScope;
use std::collections::HashMap;

/// A browser: cookies kept, redirects not followed (the tests look at them).
struct Browser {
    http: reqwest::blocking::Client,
    url: String,
    cookies: HashMap<String, String>,
}

struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(server: &TestServer) -> Browser {
        let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, url: server.url.clone(), cookies: HashMap::new() }
    }

    fn send(&mut self, req: reqwest::blocking::RequestBuilder) -> Page {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let resp = req.header("cookie", cookie).send().unwrap();
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            assert!(v.contains("HttpOnly") && v.contains("SameSite=Strict"), "{v}");
            let (kv, _) = v.split_once(';').unwrap();
            let (k, val) = kv.split_once('=').unwrap();
            if val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        Page { status, location, body: resp.text().unwrap() }
    }

    fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.url));
        self.send(req)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.url)).form(form);
        self.send(req)
    }

    fn sign_in(&mut self, username: &str) -> Page {
        let form = self.get("/console/login");
        let csrf = csrf_of(&form.body);
        self.post("/console/login", &[("username", username), ("password", PASSWORD), ("csrf", &csrf)])
    }
}

/// The CSRF token a page's forms carry.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    html[at..at + 32].to_string()
}

#[test]
fn who_may_open_what_and_every_form_needs_its_token() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    server.add_user("dewi", Role::Supervisor, &[], &["32.13"], None);
    server.add_user("admin", Role::Admin, &[], &[], None);
    let sri = Device::login(&server.url, "sri");
    let siti = sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    sri.sync().unwrap();
    server.add_user("siti", Role::Worker, &[], &[], Some(&siti.id));

    // Nobody signed in: every page sends the browser to the sign-in page.
    let mut anon = Browser::new(&server);
    for path in ["/console", "/console/beneficiaries", "/console/admin/users", &format!("/console/beneficiaries/{}", siti.id)] {
        let p = anon.get(path);
        assert_eq!((p.status, p.location.as_deref()), (303, Some("/console/login")), "{path}");
    }
    assert_eq!(anon.get("/").location.as_deref(), Some("/console"));

    // A sign-in form posted without the browser's own token is refused (login CSRF).
    let p = anon.post("/console/login", &[("username", "budi"), ("password", PASSWORD), ("csrf", "0123456789abcdef0123456789abcdef")]);
    assert_eq!(p.status, 403);
    assert!(p.body.contains("csrf"));
    // A wrong password says so, on the sign-in page, and signs nobody in.
    let form = anon.get("/console/login");
    let p = anon.post("/console/login", &[("username", "budi"), ("password", "salah-sekali"), ("csrf", &csrf_of(&form.body))]);
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Nama pengguna atau kata sandi salah"));
    assert!(!anon.cookies.contains_key("desmig_console"));

    // A worker's right password still does not open the console.
    let mut worker = Browser::new(&server);
    assert_eq!(worker.sign_in("siti").status, 403);
    assert!(!worker.cookies.contains_key("desmig_console"));

    // The facilitator reads her villages but not the administration.
    let mut f = Browser::new(&server);
    assert_eq!(f.sign_in("sri").location.as_deref(), Some("/console"));
    assert_eq!(f.get("/console").status, 200);
    assert!(f.get("/console/beneficiaries").body.contains("Siti Aminah"));
    let p = f.get("/console/admin/users");
    assert_eq!(p.status, 403);
    assert!(p.body.contains("not_admin"));
    let csrf = csrf_of(&f.get("/console").body);
    let p = f.post(
        "/console/admin/users",
        &[("csrf", &csrf), ("username", "mallory"), ("name", "M"), ("role", "admin"), ("password", "rahasia-desa")],
    );
    assert_eq!(p.status, 403, "a facilitator cannot create accounts");
    assert!(server.storage.find_user("mallory").unwrap().is_none());

    // A supervisor of another district does not see the file at all.
    let mut other = Browser::new(&server);
    other.sign_in("dewi");
    assert_eq!(other.get(&format!("/console/beneficiaries/{}", siti.id)).status, 404);
    assert!(!other.get("/console/beneficiaries").body.contains("Siti Aminah"));

    // The administrator's forms work with the session's token and not without it.
    let mut admin = Browser::new(&server);
    admin.sign_in("admin");
    let page = admin.get("/console/admin/users");
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.body);
    let p = admin.post("/console/admin/users/sri/disable", &[("csrf", "")]);
    assert_eq!(p.status, 403, "no token");
    let p = admin.post("/console/admin/users/sri/disable", &[("csrf", &csrf_of(&f.get("/console").body))]);
    assert_eq!(p.status, 403, "another session's token");
    assert!(server.storage.find_user("sri").unwrap().is_some_and(|(_, _, disabled)| !disabled));
    let p = admin.post("/console/admin/users/sri/disable", &[("csrf", &csrf)]);
    assert_eq!(p.status, 200);
    assert!(server.storage.find_user("sri").unwrap().is_some_and(|(_, _, disabled)| disabled));
    // Disabling her ended her console session too.
    assert_eq!(f.get("/console").location.as_deref(), Some("/console/login"));

    // Signing out revokes the session on the server: the old cookie opens nothing.
    let token = admin.cookies["desmig_console"].clone();
    let p = admin.post("/console/logout", &[("csrf", &csrf)]);
    assert_eq!(p.location.as_deref(), Some("/console/login"));
    let mut replay = Browser::new(&server);
    replay.cookies.insert("desmig_console".into(), token);
    assert_eq!(replay.get("/console").location.as_deref(), Some("/console/login"));
}

#[test]
fn a_supervisor_verifies_a_visit_and_resolves_a_conflict_and_the_phones_pull_them() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("wati", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let wati = Device::login(&server.url, "wati");
    let siti = sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let t = sri.store.template("initial_assessment", None).unwrap();
    let visit = sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), Some("Warung kelontong".into()), vec![]).unwrap();
    sri.sync().unwrap();
    wati.sync().unwrap();
    // Offline, both change Siti's phone number: a conflict.
    let mut input = BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE);
    input.phone = Some("0812 1111 1111".into());
    sri.store.update_beneficiary(&siti.id, input.clone()).unwrap();
    input.phone = Some("0813 2222 2222".into());
    wati.store.update_beneficiary(&siti.id, input).unwrap();
    sri.sync().unwrap();
    wati.sync().unwrap();

    let mut b = Browser::new(&server);
    b.sign_in("budi");
    let list = b.get("/console/visits");
    assert!(list.body.contains(&format!("/console/visits/{}", visit.id)), "the visit waits for verification");
    let page = b.get(&format!("/console/visits/{}", visit.id));
    assert!(page.body.contains("Warung kelontong") && page.body.contains("Asesmen Awal PMI Purna"), "the notes and the checklist's title");
    assert!(page.body.contains("id=\"verify\""), "the supervisor may verify it");
    let csrf = csrf_of(&page.body);
    // Without the token nothing is written.
    assert_eq!(b.post(&format!("/console/visits/{}/verify", visit.id), &[("csrf", "")]).status, 403);
    let p = b.post(&format!("/console/visits/{}/verify", visit.id), &[("csrf", &csrf)]);
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(b.get(&format!("/console/visits/{}", visit.id)).body.contains("Terverifikasi"));
    // Verifying twice is refused by the same rules as a phone's push.
    let again = b.post(&format!("/console/visits/{}/verify", visit.id), &[("csrf", &csrf)]);
    assert_eq!(again.status, 403, "{}", again.body);

    // The facilitator's phone pulls the verification: the console wrote an operation.
    sri.sync().unwrap();
    let v = sri.store.visit_view(&visit.id).unwrap();
    let budi_id = server.storage.find_user("budi").unwrap().unwrap().0.id;
    assert_eq!(v.verified_by.as_deref(), Some(budi_id.as_str()));

    // The audit trail names who changed what, from which device.
    let history = b.get(&format!("/console/history/visit/{}", visit.id));
    assert_eq!(history.status, 200);
    assert!(history.body.contains("console-"), "the console's device");
    assert!(history.body.contains("<td>budi</td>"), "who: the supervisor");
    assert!(history.body.contains("Diverifikasi oleh"), "the field, by its label");
    let history = b.get(&format!("/console/history/beneficiary/{}", siti.id));
    assert!(history.body.contains("+6281211111111") && history.body.contains("+6281322222222"), "both phone numbers in the trail");

    // The conflict: keep the other value; every phone converges on it.
    let conflicts = b.get("/console/conflicts");
    assert!(conflicts.body.contains("Siti Aminah"));
    let at = conflicts.body.find("/console/conflicts/").unwrap() + "/console/conflicts/".len();
    let id: String = conflicts.body[at..].chars().take_while(|c| *c != '/').collect();
    // A facilitator's resolution, posted by hand, is refused by the rules and changes nothing.
    let mut f = Browser::new(&server);
    f.sign_in("sri");
    assert!(!f.get("/console/conflicts").body.contains("/resolve"), "no resolve buttons for a facilitator");
    let f_csrf = csrf_of(&f.get("/console").body);
    let p = f.post(&format!("/console/conflicts/{id}/resolve"), &[("csrf", &f_csrf), ("keep", "other")]);
    assert_eq!(p.status, 403);
    assert!(p.body.contains("not_supervisor"), "{}", p.body);
    assert_eq!(server.storage.read_conflicts(false).unwrap().len(), 1);
    let kept = server.storage.read_record(desmig_core::model::EntityKind::Beneficiary, &siti.id).unwrap().unwrap();
    let kept_phone = kept.state.fields["phone"].as_str().unwrap().to_string();
    let p = b.post(&format!("/console/conflicts/{id}/resolve"), &[("csrf", &csrf), ("keep", "other")]);
    assert_eq!(p.status, 303, "{}", p.body);
    for d in [&sri, &wati] {
        d.sync().unwrap();
    }
    let now = sri.store.beneficiary(&siti.id).unwrap().phone.unwrap();
    assert_ne!(now, kept_phone, "the other value was taken");
    assert_eq!(wati.store.beneficiary(&siti.id).unwrap().phone.unwrap(), now);
    assert!(server.storage.read_conflicts(false).unwrap().is_empty());
    assert!(!b.get("/console/conflicts").body.contains("Siti Aminah"));
}

#[test]
fn the_consoles_indicators_are_the_phones_and_the_exports_hold_the_rows() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE, VILLAGE_2], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let t = sri.store.template("initial_assessment", None).unwrap();
    let mut visits = Vec::new();
    for (name, village) in [("Siti Aminah", VILLAGE), ("Rina Marlina", VILLAGE), ("Agus Saputra", VILLAGE_2)] {
        let b = sri.store.register_beneficiary(BeneficiaryInput::new(name, Sex::Female, village)).unwrap();
        visits.push(sri.store.record_visit(&b.id, &t.id, t.sample_answers(), None, vec![]).unwrap().id);
    }
    sri.sync().unwrap();
    let budi = Device::login(&server.url, "budi");
    budi.sync().unwrap();
    let month = budi.store.this_month();
    let user = server.storage.find_user("budi").unwrap().unwrap().0;
    let ds = report::Dataset::load(&*server.storage, &FeedScope::of(&user)).unwrap();
    let on_server = report::village_indicators(&ds, month);
    for village in [VILLAGE, VILLAGE_2] {
        assert_eq!(on_server[village], budi.store.village_indicators(village, month).unwrap(), "{village}: the same definitions");
    }

    let mut b = Browser::new(&server);
    b.sign_in("budi");
    let dash = b.get(&format!("/console?month={month}"));
    assert!(dash.body.contains(&format!("data-village=\"{VILLAGE}\"")));
    let csv = b.get(&format!("/console/export/indicators.csv?month={month}"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 3, "a header and one row per village:\n{}", csv.body);
    assert!(csv.body.lines().any(|l| l.starts_with(&format!("32.12,Kabupaten Indramayu,{VILLAGE},Haurkolot,2,"))), "{}", csv.body);
    let people = b.get("/console/export/beneficiaries.csv");
    assert_eq!(people.body.lines().count(), 4);
    let xlsx = b
        .http
        .get(format!("{}/console/export/indicators.xlsx", b.url))
        .header("cookie", format!("desmig_console={}", b.cookies["desmig_console"]))
        .send()
        .unwrap();
    assert_eq!(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.bytes().unwrap().starts_with(b"PK"));
    assert_eq!(b.get("/console?month=2026-13").status, 400);

    // The same exports for other systems, on the API with a token: visits with their answers.
    let api = |token: &str, path: &str| {
        let r = b.http.get(format!("{}{path}", b.url)).header("x-desmig-protocol", "1").bearer_auth(token).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let token = budi.settings.token.clone();
    let (status, csv) = api(&token, &format!("/v1/export/visits.csv?month={month}&lang=en"));
    assert_eq!(status, 200, "{csv}");
    let header = csv.lines().next().unwrap();
    assert!(header.contains("Question") && header.contains("Answer"), "{header}");
    let answers: usize = visits.iter().map(|id| sri.store.visit_view(id).unwrap().answers.len()).sum();
    assert!(answers > 30);
    assert_eq!(csv.lines().count(), 1 + answers, "a header, then a row per answer of the 3 visits");
    assert!(csv.contains("Agus Saputra") && csv.contains(",sri,"), "whose visit, by whom");
    assert_eq!(api(&token, "/v1/export/secrets.csv").0, 404);
    assert_eq!(api("not-a-token", "/v1/export/visits.csv").0, 401);
}

/// A multipart form as a browser sends a file upload.
fn multipart(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----desmigtestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(b: &mut Browser, fields: &[(&str, &str)], name: &str, file: &[u8]) -> Page {
    upload_to(b, "/console/import", fields, name, file)
}

fn upload_to(b: &mut Browser, path: &str, fields: &[(&str, &str)], name: &str, file: &[u8]) -> Page {
    let (content_type, body) = multipart(fields, name, file);
    let req = b.http.post(format!("{}{path}", b.url)).header("content-type", content_type).body(body);
    b.send(req)
}

#[test]
fn an_administrator_delivers_a_bundle_brought_on_a_stick_and_gives_back_its_receipt() {
    use base64::Engine as _;
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    server.add_user("admin", Role::Admin, &[], &[], None);
    let sri = Device::login(&server.url, "sri");
    sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let out = sri.store.export_bundle().unwrap();

    // A supervisor cannot use the administration's upload; an administrator needs the page's token.
    let mut budi = Browser::new(&server);
    budi.sign_in("budi");
    let csrf = csrf_of(&budi.get("/console").body);
    assert_eq!(upload_to(&mut budi, "/console/admin/bundles", &[("csrf", &csrf)], "d.desmig", &out.file).status, 403);
    let mut admin = Browser::new(&server);
    admin.sign_in("admin");
    assert_eq!(upload_to(&mut admin, "/console/admin/bundles", &[("csrf", "")], "d.desmig", &out.file).status, 403);
    assert_eq!(server.storage.stats().unwrap().records, 0);

    let csrf = csrf_of(&admin.get("/console/admin/users").body);
    // An altered file is refused with its reason, and nothing is applied.
    let mut bent = out.file.clone();
    let last = bent.len() - 1;
    bent[last] ^= 0x01;
    let p = upload_to(&mut admin, "/console/admin/bundles", &[("csrf", &csrf)], "d.desmig", &bent);
    assert!(p.body.contains("bundle_damaged"), "{}", p.body);
    assert_eq!(server.storage.stats().unwrap().records, 0);

    let p = upload_to(&mut admin, "/console/admin/bundles", &[("csrf", &csrf)], "d.desmig", &out.file);
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("id=\"delivered\"") && p.body.contains("1 diterapkan"), "{}", p.body);
    assert_eq!(server.storage.stats().unwrap().records, 1);
    // The receipt, downloaded from the page and carried back, clears the phone's outbox.
    let prefix = "data:application/octet-stream;base64,";
    let at = p.body.find(prefix).expect("a receipt to download") + prefix.len();
    let b64 = &p.body[at..at + p.body[at..].find('"').unwrap()];
    let receipt = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    assert_eq!(sri.store.import_bundle(&receipt).unwrap().outcome, desmig_core::carry::ImportOutcome::Acknowledged);
    assert_eq!(sri.store.outbox_counts().unwrap().pending, 0);
}

#[test]
fn an_import_lists_every_rows_problems_before_anything_is_written() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    let sri = Device::login(&server.url, "sri");
    let mut known = BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE);
    known.nik = Some("3212015708900001".into());
    sri.store.register_beneficiary(known).unwrap();
    sri.sync().unwrap();

    let mut b = Browser::new(&server);
    b.sign_in("budi");
    let csrf = csrf_of(&b.get("/console/import").body);
    let bad = "nama,jenis_kelamin,kode_desa,nik,tanggal_lahir,negara\n\
               Rina Marlina,P,32.12.01.2007,,1990-02-30,Malaysia\n\
               Agus Saputra,X,32.12.01.2008,,,\n\
               Dewi,P,32.13.09.2001,,,\n\
               Wati,P,99.99.99.9999,,,\n\
               Siti Kedua,P,32.12.01.2007,3212015708900001,,\n\
               Ani,P,32.12.01.2007,3212014101950003,,Atlantis\n\
               Ana,P,32.12.01.2007,3212014101950003,,\n";
    let p = upload(&mut b, &[("csrf", &csrf), ("write", "1")], "peserta.csv", bad.as_bytes());
    assert_eq!(p.status, 200, "{}", p.body);
    for (row, field, code) in [
        (2, "birth_date", "invalid_date"),
        (3, "sex", "invalid_format"),
        (4, "village_code", "out_of_scope"),
        (5, "village_code", ""),
        (6, "nik", "duplicate"),
        (7, "last_country", "invalid_country"),
        (8, "nik", "duplicate"),
    ] {
        let line = format!("<tr><td>{row}</td><td>{field}</td><td><code>{code}");
        assert!(p.body.contains(&line), "row {row} {field} {code} listed:\n{}", p.body);
    }
    assert!(p.body.contains("Tidak ada yang ditulis"));
    sri.sync().unwrap();
    assert_eq!(sri.store.list_beneficiaries(VILLAGE, 0, 50).unwrap().items.len(), 1, "nothing was written");

    // Without the session's token nothing is even read.
    assert_eq!(upload(&mut b, &[("csrf", "forged")], "peserta.csv", bad.as_bytes()).status, 403);

    // A clean spreadsheet (XLSX): a dry run first, then written, and the facilitator's phone
    // receives the new files.
    let table = report::Table {
        name: "Peserta".into(),
        header: vec!["Nama".into(), "Jenis kelamin".into(), "Kode desa".into(), "Negara".into()],
        rows: vec![
            vec![
                report::Cell::Text("Rina Marlina".into()),
                report::Cell::Text("Perempuan".into()),
                report::Cell::Text(VILLAGE.into()),
                report::Cell::Text("Arab Saudi".into()),
            ],
            vec![
                report::Cell::Text("Agus Saputra".into()),
                report::Cell::Text("L".into()),
                report::Cell::Text(VILLAGE.into()),
                report::Cell::Text("KR".into()),
            ],
        ],
    };
    let xlsx = table.xlsx().unwrap();
    let dry = upload(&mut b, &[("csrf", &csrf)], "peserta.xlsx", &xlsx);
    assert!(dry.body.contains("2 baris, 2 benar, 0 masalah"), "{}", dry.body);
    sri.sync().unwrap();
    assert_eq!(sri.store.list_beneficiaries(VILLAGE, 0, 50).unwrap().items.len(), 1, "a dry run writes nothing");
    let done = upload(&mut b, &[("csrf", &csrf), ("write", "1")], "peserta.xlsx", &xlsx);
    assert!(done.body.contains("id=\"imported\">2 "), "{}", done.body);
    sri.sync().unwrap();
    let names: Vec<String> = sri.store.list_beneficiaries(VILLAGE, 0, 50).unwrap().items.into_iter().map(|s| s.full_name).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let rina = sri.store.search_beneficiaries("rina", 1).unwrap().remove(0);
    assert_eq!(sri.store.beneficiary(&rina.id).unwrap().last_country.as_deref(), Some("SA"), "a country by its name");

    // A facilitator may not import.
    let mut f = Browser::new(&server);
    f.sign_in("sri");
    let csrf = csrf_of(&f.get("/console").body);
    assert_eq!(upload(&mut f, &[("csrf", &csrf), ("write", "1")], "peserta.xlsx", &xlsx).status, 403);
}

#[test]
fn every_page_answers_each_role_within_its_scope() {
    let server = TestServer::start();
    server.add_user("sri", Role::Facilitator, &[VILLAGE], &[], None);
    server.add_user("budi", Role::Supervisor, &[], &["32.12"], None);
    server.add_user("dewi", Role::Supervisor, &[], &["32.13"], None);
    server.add_user("admin", Role::Admin, &[], &[], None);
    let sri = Device::login(&server.url, "sri");
    let siti = sri.store.register_beneficiary(BeneficiaryInput::new("Siti Aminah", Sex::Female, VILLAGE)).unwrap();
    let t = sri.store.template("initial_assessment", None).unwrap();
    let visit = sri.store.record_visit(&siti.id, &t.id, t.sample_answers(), None, vec![]).unwrap();
    sri.sync().unwrap();

    let file = format!("/console/beneficiaries/{}", siti.id);
    let visit_page = format!("/console/visits/{}", visit.id);
    let history = format!("/console/history/visit/{}", visit.id);
    // (path, facilitator, supervisor of the district, supervisor of another district, admin)
    let pages: Vec<(&str, [u16; 4])> = vec![
        ("/console", [200, 200, 200, 200]),
        ("/console/beneficiaries", [200, 200, 200, 200]),
        (&file, [200, 200, 404, 200]),
        ("/console/visits", [200, 200, 200, 200]),
        (&visit_page, [200, 200, 404, 200]),
        (&history, [200, 200, 404, 200]),
        ("/console/conflicts", [200, 200, 200, 200]),
        ("/console/import", [403, 200, 200, 200]),
        ("/console/export/beneficiaries.csv", [200, 200, 200, 200]),
        ("/console/export/visits.xlsx", [200, 200, 200, 200]),
        ("/console/export/nothing.csv", [404, 404, 404, 404]),
        ("/console/admin/users", [403, 403, 403, 200]),
        ("/console/history/visit/no-such-visit", [404, 404, 404, 404]),
    ];
    let mut browsers: Vec<Browser> = ["sri", "budi", "dewi", "admin"]
        .iter()
        .map(|u| {
            let mut b = Browser::new(&server);
            assert_eq!(b.sign_in(u).status, 303, "{u} signs in");
            b
        })
        .collect();
    for (path, expected) in &pages {
        for (b, want) in browsers.iter_mut().zip(expected) {
            let got = b.get(path).status;
            assert_eq!(got, *want, "{path}");
        }
    }
    // An administrator narrows the dashboard to an area.
    let tile = |body: &str| -> String {
        let at = body.find("data-indicator=\"ind_beneficiaries\"><b>").unwrap() + "data-indicator=\"ind_beneficiaries\"><b>".len();
        body[at..].split('<').next().unwrap().to_string()
    };
    let admin = &mut browsers[3];
    assert_eq!(tile(&admin.get("/console?area=32.12").body), "1");
    assert_eq!(tile(&admin.get("/console?area=32.13").body), "0");
    assert_eq!(admin.get("/console?area=bogus").status, 400);
    // What another district's supervisor reads holds nothing of this district.
    let other = &mut browsers[2];
    assert!(!other.get("/console/beneficiaries").body.contains("Siti Aminah"));
    assert!(!other.get("/console/export/beneficiaries.csv").body.contains("Siti Aminah"));
    assert!(!other.get("/console/visits").body.contains(&visit.id));
    // Only the district's supervisor is offered to verify; the author never is.
    assert!(browsers[1].get(&visit_page).body.contains("id=\"verify\""));
    assert!(!browsers[0].get(&visit_page).body.contains("id=\"verify\""));
    // A facilitator's verification is refused by the rules even when forged.
    let csrf = csrf_of(&browsers[0].get("/console").body);
    assert_eq!(browsers[0].post(&format!("{visit_page}/verify"), &[("csrf", &csrf)]).status, 403);
}
