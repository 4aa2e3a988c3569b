#![recursion_limit = "256"]
use clap::Parser;
use gatehouse_db::Db;
use gatehouse_domain::clock::{Clock, SystemClock};
use gatehouse_domain::session::SessionPolicy;
use gatehouse_server::cli::{Cli, Command, ServeArgs};
use gatehouse_server::AppState;
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("GATEHOUSE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if std::env::var("GATEHOUSE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

fn open(url: &str) -> Result<Db, String> {
    let db = Db::connect(url, 16).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    Ok(db)
}

/// The key that seals secrets kept in the database: the named file (which must exist), or on
/// SQLite a file beside the database made on first start; on PostgreSQL without a file, none.
fn sealing_key(database_url: &str, file: Option<&std::path::Path>) -> Result<Option<gatehouse_db::secrets::SealingKey>, String> {
    use gatehouse_db::secrets::SealingKey;
    if let Some(path) = file {
        return SealingKey::load(path, false).map(Some);
    }
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        tracing::warn!("no GATEHOUSE_SECRET_KEY_FILE: single sign-on cannot be configured");
        return Ok(None);
    }
    let path = database_url.strip_prefix("sqlite://").unwrap_or(database_url);
    if path == ":memory:" || path.is_empty() {
        return Ok(Some(SealingKey::generate()));
    }
    SealingKey::load(std::path::Path::new(&format!("{path}.key")), true).map(Some)
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Migrate => {
            let db = Db::connect(&cli.database_url, 2).map_err(|e| e.to_string())?;
            let applied = db.migrate().map_err(|e| e.to_string())?;
            println!("{} migration(s) applied on {}", applied.len(), db.backend().name());
            Ok(())
        }
        Command::SeedDemo { members, audit_events } => {
            let db = open(&cli.database_url)?;
            let r = gatehouse_db::seed::seed_demo(&db, members as usize, SystemClock.now()).map_err(|e| e.to_string())?;
            if audit_events > 0 {
                let n = gatehouse_db::seed::seed_audit_events(&db, audit_events as usize, SystemClock.now()).map_err(|e| e.to_string())?;
                println!("audit log: {n} event(s) added to acme");
            }
            println!(
                "demo data ready: {} organization(s) created, {} member(s) added, acme has {} members",
                r.organizations_created, r.members_added, r.main_org_members
            );
            println!("sign in as {} (password: {})", gatehouse_db::seed::DEMO_OWNER, gatehouse_db::seed::DEMO_PASSWORD);
            Ok(())
        }
        Command::CreateOwner { org_slug, org_name, time_zone, email, name, template } => {
            let db = open(&cli.database_url)?;
            let existing = db.with(|c| gatehouse_db::users::find_by_email(c, &email)).map_err(|e| e.to_string())?;
            let hash = if existing.is_some() {
                None
            } else {
                let pw = match std::env::var("GATEHOUSE_OWNER_PASSWORD") {
                    Ok(p) => p,
                    Err(_) => rpassword::prompt_password("Password for the new owner: ").map_err(|e| format!("cannot read the password: {e}"))?,
                };
                gatehouse_domain::validate::password_strength(&pw).map_err(|e| e.to_string())?;
                Some(gatehouse_db::password::hash(&pw))
            };
            let (org, _) = db
                .with(|c| gatehouse_db::seed::create_org_with_owner(c, &org_slug, &org_name, &time_zone, &email, &name, hash.as_deref(), &template, SystemClock.now()))
                .map_err(|e| e.to_string())?;
            println!("created organization {} ({}) with owner {}", org.name, org.slug, email.trim().to_lowercase());
            Ok(())
        }
        Command::Anonymize { org_slug, email, confirm } => {
            let db = open(&cli.database_url)?;
            let now = SystemClock.now();
            let org = db.with(|c| gatehouse_db::orgs::by_slug(c, &org_slug)).map_err(|e| e.to_string())?.ok_or_else(|| format!("no organization `{org_slug}`"))?;
            let member = db
                .with(|c| gatehouse_db::members::by_email(c, org.id, &email.trim().to_lowercase()))
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{email} is not a member of {org_slug}"))?;
            let case = db
                .with(|c| gatehouse_db::compliance::case_of(c, org.id, member))
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "the membership has not ended: end it first (the member's page, or its end date)".to_string())?;
            let pseudonym = db.with(|c| gatehouse_db::compliance::pseudonym_for(c, org.id, member)).map_err(|e| e.to_string())?;
            match confirm {
                None => {
                    println!("{email} becomes \"{pseudonym}\" in {org_slug}. Run again with --confirm \"{pseudonym}\" to anonymize (irreversible).");
                    Ok(())
                }
                Some(confirm) => {
                    let done = db
                        .with(|c| gatehouse_db::compliance::anonymize(c, org.id, None, case, &confirm, gatehouse_domain::actor::Actor::System, now))
                        .map_err(|e| e.to_string())?;
                    println!("anonymized as {} (identity anonymized too: {})", done.pseudonym, done.identity_anonymized);
                    Ok(())
                }
            }
        }
        Command::RotateLinkKey { withdraw } => {
            let db = open(&cli.database_url)?;
            let r = db.with(|c| gatehouse_db::links::rotate(c, withdraw, gatehouse_domain::actor::Actor::System, SystemClock.now())).map_err(|e| e.to_string())?;
            if withdraw {
                println!("key {} signs mail links now; {} earlier key(s) withdrawn: links mailed before no longer work", r.key, r.deleted);
            } else {
                println!("key {} signs mail links now; {} key(s) retired (their links work until they expire), {} old key(s) deleted", r.key, r.retired, r.deleted);
            }
            Ok(())
        }
        Command::CreateStaff { email, name, role } => {
            let role = gatehouse_domain::staff::StaffRole::parse(&role).ok_or_else(|| format!("unknown staff role `{role}` (sysadmin, developer, management, customer_success)"))?;
            let db = open(&cli.database_url)?;
            let existing = db.with(|c| gatehouse_db::users::find_by_email(c, &email)).map_err(|e| e.to_string())?;
            let hash = if existing.is_some() {
                None
            } else {
                let pw = match std::env::var("GATEHOUSE_STAFF_PASSWORD") {
                    Ok(p) => p,
                    Err(_) => rpassword::prompt_password("Password for the new staff member: ").map_err(|e| format!("cannot read the password: {e}"))?,
                };
                gatehouse_domain::validate::password_strength(&pw).map_err(|e| e.to_string())?;
                Some(gatehouse_db::password::hash(&pw))
            };
            db.with(|c| gatehouse_db::staff::ensure(c, &email, &name, role, hash.as_deref(), SystemClock.now())).map_err(|e| e.to_string())?;
            println!("{} is platform staff ({}); two-factor sign-in is set up at the first sign-in", email.trim().to_lowercase(), role.as_str());
            Ok(())
        }
        Command::CreateApiKey { org_slug, technical_user, scopes, days, with_role } => {
            let db = open(&cli.database_url)?;
            let org = db.with(|c| gatehouse_db::orgs::by_slug(c, &org_slug)).map_err(|e| e.to_string())?.ok_or_else(|| format!("no organization `{org_slug}`"))?;
            let k = db.with(|c| gatehouse_db::api_keys::operator_key(c, org.id, &technical_user, &scopes, days, with_role, SystemClock.now())).map_err(|e| e.to_string())?;
            eprintln!("key for technical user `{}` of {org_slug}, ending {} (shown only now; only its hash is kept):", k.technical_user, k.expires_at.to_rfc3339());
            println!("{}", k.token);
            Ok(())
        }
        Command::SendTestMail { to, locale, smtp, public_url } => {
            let db = open(&cli.database_url)?;
            let locale = gatehouse_domain::locale::Locale::parse(&locale).ok_or_else(|| format!("unknown language `{locale}` (en or de)"))?;
            let smtp = smtp.config()?;
            let rendered = gatehouse_mail::render(&gatehouse_mail::Mail::TestMessage { requested_by: "gatehouse send-test-mail".into() }, locale, &public_url)
                .map_err(|e| e.to_string())?;
            let now = SystemClock.now();
            let id = db
                .tx(|c| {
                    let id = gatehouse_db::outbox::enqueue(
                        c,
                        &gatehouse_db::outbox::NewMail { org: None, to: &to, locale: locale.code(), template: rendered.template, subject: &rendered.subject, text: &rendered.text, html: &rendered.html },
                        gatehouse_domain::actor::Actor::System,
                        now,
                    )?;
                    gatehouse_db::audit::record(c, now, &gatehouse_db::audit::AuditEntry::new(None, gatehouse_domain::actor::Actor::System, "mail.test_queued", "email_outbox", Some(id)))?;
                    Ok(id)
                })
                .map_err(|e| e.to_string())?;
            let state = AppState {
                db: db.clone(),
                clock: Arc::new(SystemClock) as Arc<dyn Clock>,
                session_policy: SessionPolicy::default(),
                public_url,
                policies: Default::default(), counts: Default::default(),
                trusted_proxies: Default::default(),
                sealing_key: None,
            };
            // lettre's pooled transport lives on the runtime: build and drop it inside.
            let d = actix_web::rt::System::new().block_on(async move {
                let mailer = gatehouse_mail::Mailer::new(&smtp).map_err(|e| e.to_string())?;
                gatehouse_server::jobs::deliver_due(&state, &mailer).await
            })?;
            let (status, attempts, _) = db.with(|c| gatehouse_db::outbox::status(c, None, id)).map_err(|e| e.to_string())?;
            if status == "sent" {
                println!("test message {id} delivered to {} ({} message(s) sent)", to.trim().to_lowercase(), d.sent);
                Ok(())
            } else {
                Err(format!("test message {id} is queued but not delivered yet (attempt {attempts} failed; the server retries it): check the SMTP settings"))
            }
        }
        Command::Serve(args) => serve(&cli.database_url, args),
    }
}

fn serve(database_url: &str, args: ServeArgs) -> Result<(), String> {
    let db = open(database_url)?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.addr));
    let sealing_key = sealing_key(database_url, args.secret_key_file.as_deref())?;
    let state = AppState {
        db: db.clone(),
        clock: Arc::new(SystemClock) as Arc<dyn Clock>,
        session_policy: SessionPolicy {
            idle: chrono::Duration::minutes(args.session_idle_minutes.max(1)),
            absolute: chrono::Duration::hours(args.session_absolute_hours.max(1)),
            ..SessionPolicy::default()
        },
        public_url: public_url.clone(),
        policies: Default::default(),
        counts: Arc::new(gatehouse_db::views::counts::CountsCache::default().refreshed_by(db.clone())),
        trusted_proxies: gatehouse_domain::client_addr::TrustedProxies::parse(&args.trusted_proxies).map_err(|e| format!("--trusted-proxies: {e}"))?,
        sealing_key,
    };
    let options = gatehouse_server::http::leptos_options(&args.site_root, args.addr);
    let smtp = args.smtp.config()?;
    let workers = args.workers.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    actix_web::rt::System::new().block_on(async move {
        // Before any worker starts serving (see http::routes).
        let _ = gatehouse_server::http::routes();
        let server_state = state.clone();
        let server = actix_web::HttpServer::new(move || gatehouse_server::http::app(server_state.clone(), options.clone()))
            .workers(workers)
            .shutdown_timeout(10)
            .tcp_nodelay(true)
            .bind(args.addr)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => format!("cannot listen on {}: the address is already in use", args.addr),
                _ => format!("cannot listen on {}: {e}", args.addr),
            })?;
        tracing::info!(addr = %args.addr, database = db.backend().name(), "Gatehouse listening");
        println!("Gatehouse is running at {public_url}");
        // Expired sessions and old mail bodies are removed every ten minutes (idempotent on
        // several instances).
        let purge_state = state.clone();
        let body_days = args.mail_body_days;
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                let s = purge_state.clone();
                let now = s.clock.now();
                let r = actix_web::web::block(move || {
                    s.db.with(|c| gatehouse_db::sessions::purge_expired(c, now - s.session_policy.absolute, now - s.session_policy.idle))
                })
                .await;
                match r {
                    Ok(Ok(0)) => {}
                    Ok(Ok(n)) => tracing::info!(sessions = n, "expired sessions removed"),
                    Ok(Err(e)) => tracing::error!(error = %e, "removing expired sessions failed"),
                    Err(e) => tracing::error!(error = %e, "removing expired sessions failed"),
                }
                // Sent mail keeps its body for `--mail-body-days` days.
                let s = purge_state.clone();
                let before = now - chrono::Duration::days(body_days.max(1));
                match actix_web::web::block(move || s.db.with(|c| gatehouse_db::outbox::purge_sent_bodies(c, before))).await {
                    Ok(Ok(0)) => {}
                    Ok(Ok(n)) => tracing::info!(messages = n, "bodies of old sent mail purged"),
                    Ok(Err(e)) => tracing::error!(error = %e, "purging sent mail bodies failed"),
                    Err(e) => tracing::error!(error = %e, "purging sent mail bodies failed"),
                }
            }
        });
        // Scheduled work of the organizations' background users (invitation reminders and
        // expiries): every minute; each item is claimed by one instance's update, so several
        // instances never send a reminder twice.
        let sched_state = state.clone();
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Err(e) = gatehouse_server::jobs::scheduled(&sched_state).await {
                    tracing::error!(error = %e, "scheduled work failed");
                }
            }
        });
        // The outbox worker: whatever is due, round after round while rounds come back full (an
        // import queues thousands at once), then every two seconds.
        let mailer = gatehouse_mail::Mailer::new(&smtp).map_err(|e| e.to_string())?;
        let mail_state = state.clone();
        let mail_worker = actix_web::rt::spawn(async move {
            loop {
                match gatehouse_server::jobs::deliver_due(&mail_state, &mailer).await {
                    Ok(d) if (d.sent + d.failed) as i64 >= gatehouse_server::jobs::CLAIM_BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "outbox delivery failed"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
        let r = server.run().await.map_err(|e| e.to_string());
        // The SMTP pool is dropped while the runtime still runs (its drop needs the runtime).
        mail_worker.abort();
        let _ = mail_worker.await;
        r
    })
}
