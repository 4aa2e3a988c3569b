//! Invitations and the CSV import/export.
use crate::common::*;

/// An owner invites a person through the form; the person follows the link from the mail,
/// chooses a password and lands in the organization. Refusals come back in the admin's words
/// with what they typed.
async fn invitation_from_form_to_membership(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut owner = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/invitations").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"mobile_phone\"") && page.body.contains(">Send invitation<"));
    let csrf = page.csrf();
    // A bad phone number: refused, what was typed comes back.
    let r = owner.post("/o/acme/invitations", &[("csrf_token", &csrf), ("email", "nina@example.test"), ("name", "Nina Neu"), ("mobile_phone", "12"), ("locale", "de"), ("kind", "employee")]).await;
    assert!(r.location().contains("error=") && r.location().contains("name=Nina%20Neu"), "{}", r.location());
    let again = owner.get(r.location()).await;
    assert!(again.body.contains("is not a valid mobile phone number") && again.body.contains("value=\"Nina Neu\""), "{}", again.body.len());
    // Already a member: said so.
    let r = owner.post("/o/acme/invitations", &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER), ("name", "Max")]).await;
    assert!(owner.get(r.location()).await.body.contains("already a member of the organization"));
    let r = owner.post("/o/acme/invitations", &[("csrf_token", &csrf), ("email", "nina@example.test"), ("name", "Nina Neu"), ("mobile_phone", "+49 151 2345 6789"), ("locale", "de"), ("kind", "partner")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let list = owner.get("/o/acme/invitations").await;
    assert!(list.body.contains("nina@example.test") && list.body.contains(">waiting<"), "the open invitation is listed");
    let mail = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 1)).unwrap().remove(0);
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), ("nina@example.test", "Dana Demo lädt Sie zu Acme Logistics auf Gatehouse ein"));
    let body = mail.text.unwrap();
    let link = body.lines().find(|l| l.starts_with("http://127.0.0.1:3000/invitation?token=")).expect("an absolute link");
    let path = link.trim_start_matches("http://127.0.0.1:3000");
    let token = path.split("token=").nth(1).unwrap();
    let mut nina = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let form = nina.get(path).await;
    assert!(form.body.contains("name=\"password2\"") && form.body.contains("Dana Demo"), "the link opens the form");
    let csrf = form.csrf();
    let weak = nina.post("/auth/invitation", &[("csrf_token", &csrf), ("token", token), ("password", "weakweak"), ("password2", "weakweak")]).await;
    assert!(weak.location().contains("error=weak"));
    let r = nina.post("/auth/invitation", &[("csrf_token", &csrf), ("token", token), ("password", "Ninas-Passwort-2026"), ("password2", "Ninas-Passwort-2026")]).await;
    assert_eq!(r.location(), "/o/acme/me", "lands in the organization (her own page: no dashboard rights), signed in");
    assert_eq!(nina.get("/o/acme/me").await.status, StatusCode::OK);
    let used = nina.get(path).await;
    assert!(used.body.contains("funktioniert nicht mehr"), "single use, in Nina's language: {} {}", used.status, used.body);
    let closed = owner.get("/o/acme/invitations?show=closed").await;
    assert!(closed.body.contains("nina@example.test") && closed.body.contains(">accepted<"));
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let m = t.db.with(|conn| members::by_email(conn, acme.id, "nina@example.test")).unwrap().unwrap().0;
    let detail = owner.get(&format!("/api/member?org=acme&id={m}")).await;
    assert!(detail.body.contains("+4915123456789") && detail.body.contains("\"partner\""), "{}", detail.body);
}
http_both!(invitations, invitation_from_form_to_membership);

/// An owner uploads a CSV: the preview names the bad rows and writes nothing; starting it
/// invites the rest in the background while the page shows the progress; the same file again
/// skips everyone; the members export reads back as an import file.
async fn csv_import_and_export(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut owner = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/invitations").await;
    assert!(page.body.contains("enctype=\"multipart/form-data\"") && page.body.contains("/o/acme/members.csv"));
    let csrf = page.csrf();
    let mut file = String::from("email,name,mobile_phone,kind\n");
    for i in 0..230 {
        match i {
            7 => file.push_str("broken,Broken Address,,employee\n"),
            100 => file.push_str("row100@example.test,Bad Kind,,boss\n"),
            _ => file.push_str(&format!("row{i}@example.test,Row {i},,employee\n")),
        }
    }
    let memberships_before = t.count("memberships");
    // Without the token: refused before anything is read.
    assert_eq!(owner.upload("/o/acme/imports", &[], "people.csv", &file).await.status, StatusCode::FORBIDDEN);
    // Not a CSV at all: back with the reason.
    let r = owner.upload("/o/acme/imports", &[("csrf_token", &csrf)], "photo.csv", "name\nOnly a name\n").await;
    assert!(owner.get(r.location()).await.body.contains("The file has no column “email”."), "{}", r.location());
    let r = owner.upload("/o/acme/imports", &[("csrf_token", &csrf)], "people.csv", &file).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let at = r.location().to_string();
    assert!(at.starts_with("/o/acme/imports/"), "{at}");
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let preview = owner.get(&at).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("230 rows: 228 ready to invite, 0 already there, 2 with errors."), "{}", preview.body);
    assert!(preview.body.contains("“broken” is not an email address.") && preview.body.contains("“boss” is not a kind of member"));
    assert!(preview.body.contains(">Invite 228 people<"));
    assert_eq!(t.count("memberships"), memberships_before, "the preview writes nothing");

    let r = owner.post(&format!("{at}/start"), &[("csrf_token", &csrf)]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let mut status = String::new();
    for _ in 0..600 {
        let v: serde_json::Value = serde_json::from_str(&owner.get(&format!("/api/import?org=acme&id={id}")).await.body).unwrap();
        status = v["status"].as_str().unwrap_or("").to_string();
        if status == "done" {
            assert_eq!((v["invited"].as_i64(), v["failed"].as_i64(), v["error_count"].as_i64()), (Some(228), Some(2), Some(2)));
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "done", "the import ran to its end in the background");
    let done = owner.get(&at).await;
    assert!(done.body.contains("Import finished: 228 invited, 0 skipped, 2 not imported."), "{}", done.body);
    assert_eq!(t.count("memberships"), memberships_before + 228);
    // Starting twice is refused in words; nothing runs again.
    let r = owner.post(&format!("{at}/start"), &[("csrf_token", &csrf)]).await;
    assert!(r.location().contains("error="), "{}", r.location());

    // The same file again: everyone is already there.
    let r = owner.upload("/o/acme/imports", &[("csrf_token", &csrf)], "people.csv", &file).await;
    let again = owner.get(r.location()).await;
    assert!(again.body.contains("230 rows: 0 ready to invite, 228 already there, 2 with errors.") && again.body.contains("No row is ready to invite."), "{}", again.body);
    let r = owner.post(&format!("{}/discard", r.location()), &[("csrf_token", &csrf)]).await;
    assert!(r.location().starts_with("/o/acme/invitations") && r.location().ends_with("done=1"), "{}", r.location());

    let csv = owner.get("/o/acme/members.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("email,name,mobile_phone,locale,kind,tags,units,roles\n"));
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let active = t.db.with(|c| gatehouse_db::imports::export(c, acme.id, now())).unwrap().len();
    let rows = gatehouse_domain::people::read_csv(&csv.body).unwrap();
    assert_eq!(rows.len(), active, "every active member, once");
    assert!(rows.iter().any(|r| r.person.email == seed::DEMO_MEMBER && !r.person.units.is_empty()));
}
http_both!(csv_import, csv_import_and_export);
