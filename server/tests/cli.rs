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
    for cmd in ["serve", "migrate", "seed-demo", "create-owner", "send-test-mail"] {
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
    assert!(text(&o).contains("7 migration(s) applied on sqlite"));
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
