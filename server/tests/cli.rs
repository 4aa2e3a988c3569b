//! The `gatehouse` binary: help, clear errors for bad input (never a panic), and the commands.
use std::process::{Command, Output};

fn gatehouse(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    c.args(args).env_remove("DATABASE_URL").env("GATEHOUSE_LOG", "error");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run gatehouse")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn temp_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("gatehouse-cli-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("g.db").display().to_string();
    (dir, db)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

#[test]
fn help_lists_every_command() {
    let o = gatehouse(&["--help"], &[]);
    assert!(o.status.success());
    let t = text(&o);
    for cmd in ["serve", "migrate", "seed-demo", "create-owner", "send-test-mail", "anonymize", "rotate-link-key", "create-api-key", "create-staff"] {
        assert!(t.contains(cmd), "{cmd} in --help: {t}");
    }
    assert!(gatehouse(&["create-owner", "--help"], &[]).status.success());
}

#[test]
fn bad_input_gets_a_clear_error_and_no_panic() {
    let o = gatehouse(&["--frobnicate"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unexpected argument '--frobnicate'"), "{}", text(&o));

    let o = gatehouse(&["migrate"], &[("DATABASE_URL", "mysql://localhost/x")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("error: DATABASE_URL scheme `mysql` is not supported"), "{}", text(&o));

    let o = gatehouse(&["migrate"], &[("DATABASE_URL", "postgres://gate:secret@127.0.0.1:1/none")]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("error: cannot open database postgres://gate:***@127.0.0.1:1/none"), "{t}");
    assert!(!t.contains("secret") && !t.contains("panicked"), "{t}");

    let o = gatehouse(&["seed-demo", "--members", "0"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!text(&o).contains("panicked"));
}

#[test]
fn a_taken_port_is_reported_plainly() {
    let (dir, db) = temp_db();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let o = gatehouse(&["serve", "--addr", &addr], &[("DATABASE_URL", &db)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains(&format!("error: cannot listen on {addr}: the address is already in use")), "{}", text(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn migrate_seed_and_create_owner() {
    let (dir, db) = temp_db();
    let env = [("DATABASE_URL", db.as_str())];
    let o = gatehouse(&["migrate"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("25 migration(s) applied on sqlite"));
    assert!(text(&gatehouse(&["migrate"], &env)).contains("0 migration(s) applied"));

    let o = gatehouse(&["seed-demo", "--members", "350"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("acme has 350 members"), "{}", text(&o));
    let o = gatehouse(&["seed-demo", "--members", "350"], &env);
    assert!(text(&o).contains("0 organization(s) created, 0 member(s) added"), "{}", text(&o));

    let owner = ["create-owner", "--org-slug", "beta", "--org-name", "Beta GmbH", "--time-zone", "Europe/Berlin", "--email", "Olga@Beta.test", "--name", "Olga Owner"];
    let weak = gatehouse(&owner, &[("DATABASE_URL", &db), ("GATEHOUSE_OWNER_PASSWORD", "short")]);
    assert_eq!(weak.status.code(), Some(1));
    assert!(text(&weak).contains("password is too weak"), "{}", text(&weak));
    let ok = gatehouse(&owner, &[("DATABASE_URL", &db), ("GATEHOUSE_OWNER_PASSWORD", "a long and good passphrase 7")]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("created organization Beta GmbH (beta) with owner olga@beta.test"));
    let again = gatehouse(&owner, &[("DATABASE_URL", &db), ("GATEHOUSE_OWNER_PASSWORD", "a long and good passphrase 7")]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let bad_tz = gatehouse(
        &["create-owner", "--org-slug", "gamma", "--org-name", "G", "--time-zone", "Mars/Base", "--email", "g@g.test", "--name", "G"],
        &[("DATABASE_URL", &db), ("GATEHOUSE_OWNER_PASSWORD", "a long and good passphrase 7")],
    );
    assert!(text(&bad_tz).contains("unknown time zone: Mars/Base"), "{}", text(&bad_tz));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn rotating_the_link_key() {
    let (dir, db) = temp_db();
    let env = [("DATABASE_URL", db.as_str())];
    let o = gatehouse(&["rotate-link-key"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("key 1 signs mail links now; 0 key(s) retired"), "{}", text(&o));
    let o = gatehouse(&["rotate-link-key"], &env);
    assert!(text(&o).contains("key 2 signs mail links now; 1 key(s) retired (their links work until they expire), 0 old key(s) deleted"), "{}", text(&o));
    let o = gatehouse(&["rotate-link-key", "--withdraw"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("key 3 signs mail links now; 2 earlier key(s) withdrawn"), "{}", text(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn creating_an_api_key_from_the_command_line() {
    let (dir, db) = temp_db();
    let env = [("DATABASE_URL", db.as_str()), ("GATEHOUSE_OWNER_PASSWORD", "a-long-owner-password-1")];
    let o = gatehouse(&["create-owner", "--org-slug", "acme", "--org-name", "Acme", "--email", "o@acme.test", "--name", "Olga"], &env);
    assert!(o.status.success(), "{}", text(&o));
    let o = gatehouse(&["create-api-key", "--org-slug", "acme", "--technical-user", "Bench", "--scopes", "decisions.query,members.view", "--with-role"], &env);
    assert!(o.status.success(), "{}", text(&o));
    let key = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(key.starts_with("ghk_") && key.len() == 4 + 16 + 1 + 64, "only the key on stdout: {key}");
    assert!(text(&o).contains("shown only now"), "{}", text(&o));
    // A second key for the same technical user; bad input is said, never a panic.
    let o = gatehouse(&["create-api-key", "--org-slug", "acme", "--technical-user", "Bench", "--scopes", "members.view"], &env);
    assert!(o.status.success(), "{}", text(&o));
    let o = gatehouse(&["create-api-key", "--org-slug", "acme", "--technical-user", "Bench", "--scopes", "tournaments.view"], &env);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("invalid value for scope: tournaments.view"), "{}", text(&o));
    let o = gatehouse(&["create-api-key", "--org-slug", "nope", "--technical-user", "Bench", "--scopes", "members.view"], &env);
    assert!(text(&o).contains("no organization `nope`"), "{}", text(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn creating_a_staff_member() {
    let (dir, db) = temp_db();
    let env = [("DATABASE_URL", db.as_str()), ("GATEHOUSE_STAFF_PASSWORD", "a-long-staff-password-1")];
    let o = gatehouse(&["create-staff", "--email", "Cara@Ops.test", "--name", "Cara", "--role", "customer_success"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("cara@ops.test is platform staff (customer_success)"), "{}", text(&o));
    let o = gatehouse(&["create-staff", "--email", "cara@ops.test", "--name", "Cara", "--role", "sysadmin"], &env);
    assert!(o.status.success() && text(&o).contains("(sysadmin)"), "a role changes: {}", text(&o));
    let o = gatehouse(&["create-staff", "--email", "x@ops.test", "--name", "X", "--role", "boss"], &env);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("unknown staff role `boss`"), "{}", text(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn send_test_mail_delivers_or_says_why_not() {
    let (dir, db) = temp_db();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let o = gatehouse(&["send-test-mail", "--to", "ops@acme.test", "--smtp-port", &closed], &[("DATABASE_URL", &db)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("queued but not delivered yet"), "{}", text(&o));
    let o = gatehouse(&["send-test-mail", "--to", "ops@acme.test", "--smtp-tls", "ssl3"], &[("DATABASE_URL", &db)]);
    assert!(text(&o).contains("unknown TLS mode"), "{}", text(&o));
    if let Ok(port) = std::env::var("GATEHOUSE_TEST_SMTP_PORT") {
        let o = gatehouse(&["send-test-mail", "--to", "ops@acme.test", "--locale", "de", "--smtp-port", &port], &[("DATABASE_URL", &db)]);
        assert!(o.status.success(), "{}", text(&o));
        // The earlier, undelivered message is still queued (its backoff has not run out).
        assert!(text(&o).contains("delivered to ops@acme.test (1 message(s) sent)"), "{}", text(&o));
    } else {
        assert!(std::env::var_os("GATEHOUSE_REQUIRE_SMTP").is_none());
    }
    std::fs::remove_dir_all(dir).ok();
}

/// An anonymization killed in the middle of its transaction (the process gets SIGKILL while it
/// waits inside, after the audit redaction and before the membership changes) leaves nothing
/// changed; run again, it changes everything. On SQLite and on PostgreSQL.
mod anonymization_is_all_or_nothing {
    use super::*;
    use chrono::Utc;
    use gatehouse_db::testing::TestDb;
    use gatehouse_domain::actor::Actor;
    use gatehouse_domain::member::{MemberKind, MemberStatus};

    const EMAIL: &str = "kim.killtest@acme.test";
    const NAME: &str = "Kim Killtest";

    fn fingerprint(t: &TestDb) -> (Vec<(String, String, i64)>, Vec<(String, String, i64)>, i64, i64) {
        (t.grep(EMAIL, None), t.grep(NAME, None), t.count("audit_events"), t.count("audit_redaction_permits"))
    }

    fn run(t: &TestDb) {
        let now = Utc::now();
        let (org, _) = t.db.with(|c| gatehouse_db::seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga Owner", None, "default", now)).unwrap();
        let kim = t
            .db
            .tx(|c| {
                let user = gatehouse_db::users::create(
                    c,
                    &gatehouse_db::users::NewUser { email: EMAIL, display_name: NAME, locale: gatehouse_domain::locale::Locale::En, password_hash: None, is_system: false },
                    Actor::System,
                    now,
                )?;
                let m = gatehouse_db::members::add(
                    c,
                    &gatehouse_db::members::NewMember { org: org.id, user, kind: MemberKind::External, status: MemberStatus::Active, mobile_phone: Some("+491701234567"), job_title: None, end_date: None, role_holder_only: false, units: &[], tags: &[] },
                    Actor::System,
                    now,
                )?;
                for i in 0..50 {
                    gatehouse_db::audit::record(c, now, &gatehouse_db::audit::AuditEntry::new(Some(org.id), Actor::System, "note", "membership", Some(m.0)).after(serde_json::json!({"name": NAME, "email": EMAIL, "i": i})))?;
                }
                Ok(m)
            })
            .unwrap();
        t.db.with(|c| gatehouse_db::compliance::end_membership(c, org.id, None, kim, "http://x", Actor::System, now)).unwrap();
        let pseudonym = t.db.with(|c| gatehouse_db::compliance::pseudonym_for(c, org.id, kim)).unwrap();
        let before = fingerprint(t);
        assert!(!before.0.is_empty() && !before.1.is_empty());

        let dir = std::env::temp_dir().join(format!("gatehouse-kill-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let marker = dir.join("stalled");
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["anonymize", "--org-slug", "acme", "--email", EMAIL, "--confirm", &pseudonym])
            .env("DATABASE_URL", &t.url)
            .env("GATEHOUSE_LOG", "error")
            .env("GATEHOUSE_FAULT_STALL_ANONYMIZE", &marker)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start gatehouse anonymize");
        let started = std::time::Instant::now();
        while !marker.exists() {
            assert!(started.elapsed() < std::time::Duration::from_secs(120), "the anonymization never reached its midpoint");
            assert!(child.try_wait().unwrap().is_none(), "gatehouse anonymize exited before its midpoint");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        child.kill().expect("kill");
        child.wait().unwrap();
        let _ = std::fs::remove_dir_all(&dir);

        // The database (after PostgreSQL notices the dead connection) is as it was.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            match t.db.with(|c| gatehouse_db::compliance::anonymize(c, org.id, None, 0, "", Actor::System, now)) {
                Err(gatehouse_db::DbError::NotFound) => break,
                _ if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(100)),
                other => panic!("the database stayed locked: {other:?}"),
            }
        }
        assert_eq!(fingerprint(t), before, "killed in the middle: nothing changed");

        let o = gatehouse(&["anonymize", "--org-slug", "acme", "--email", EMAIL, "--confirm", &pseudonym], &[("DATABASE_URL", &t.url)]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains(&format!("anonymized as {pseudonym}")), "{}", text(&o));
        let after = fingerprint(t);
        assert_eq!((after.0.len(), after.1.len(), after.2, after.3), (0, 0, before.2 + 1, 0), "run again: all of it");
    }

    #[test]
    fn sqlite() {
        run(&TestDb::sqlite());
    }

    #[test]
    fn postgres() {
        if let Some(t) = TestDb::postgres() {
            run(&t);
        }
    }
}
