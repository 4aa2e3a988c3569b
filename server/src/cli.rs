//! The command line: `gatehouse serve | migrate | seed-demo | create-owner | send-test-mail | anonymize | rotate-link-key | create-api-key | create-staff`.
use clap::{Parser, Subcommand};
use std::net::SocketAddr;

pub const DEFAULT_DATABASE_URL: &str = "data/gatehouse.db";

#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about = "Gatehouse: organization access administration portal")]
pub struct Cli {
    /// Database: `postgres://user:pass@host/db` for PostgreSQL, otherwise a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web portal (the default when no command is given). Applies migrations first.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo organizations (idempotent); --members scales the main one up.
    SeedDemo {
        /// Members the demo organization `acme` should have at least.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        members: u32,
        /// Events acme's audit log should hold at least (for benchmarks of the audit log).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
        audit_events: u32,
    },
    /// Queue a test message and deliver it now, to check the SMTP settings.
    SendTestMail {
        /// Recipient address.
        #[arg(long)]
        to: String,
        /// Language of the message (en or de).
        #[arg(long, default_value = "en")]
        locale: String,
        #[command(flatten)]
        smtp: SmtpArgs,
        /// Public URL for links in the message.
        #[arg(long, env = "GATEHOUSE_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        public_url: String,
    },
    /// Create an organization and its owner. The password is read from GATEHOUSE_OWNER_PASSWORD
    /// or asked for on the terminal; an existing identity keeps its password.
    CreateOwner {
        /// URL handle of the organization, e.g. `acme`.
        #[arg(long)]
        org_slug: String,
        /// Display name of the organization.
        #[arg(long)]
        org_name: String,
        /// IANA time zone, e.g. `Europe/Berlin`.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// The owner's email address.
        #[arg(long)]
        email: String,
        /// The owner's display name.
        #[arg(long)]
        name: String,
        /// The role-model template to start from: default, permission-matrix, users-and-roles-de,
        /// user-levels, isms or organization-roles.
        #[arg(long, default_value = "default")]
        template: String,
    },
    /// Anonymize a former member of an organization from the command line (an erasure request
    /// handled by the operator). Without --confirm it only prints the pseudonym to confirm with.
    Anonymize {
        /// URL handle of the organization.
        #[arg(long)]
        org_slug: String,
        /// The former member's email address.
        #[arg(long)]
        email: String,
        /// The pseudonym printed by a first run, repeated to confirm.
        #[arg(long)]
        confirm: Option<String>,
    },
    /// Start a new key for signing links in mail. Links signed with the previous key keep working
    /// until they expire (30 days); the running portal also rotates by itself every 90 days.
    RotateLinkKey {
        /// Also withdraw every previous key at once (it may have leaked): every link mailed so
        /// far stops working.
        #[arg(long)]
        withdraw: bool,
    },
    /// Add a platform staff member (or change their role): sysadmin, developer, management or
    /// customer_success. The password of a new identity is read from GATEHOUSE_STAFF_PASSWORD or
    /// asked for; they set up two-factor authentication at their first sign-in.
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
    },
    /// Make an API key for a technical user of an organization (added when missing) and print
    /// it — the only time it is shown. Acting as the operator, audited as the system.
    CreateApiKey {
        /// URL handle of the organization.
        #[arg(long)]
        org_slug: String,
        /// The technical user's name.
        #[arg(long)]
        technical_user: String,
        /// The permissions the key carries, comma-separated (e.g. `decisions.query,members.view`).
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Days until the key ends (1 to 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
        /// Also give the technical user a role of its own that grants exactly these permissions
        /// for the whole organization (otherwise assign its roles on its member page).
        #[arg(long)]
        with_role: bool,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The URL people use to reach Gatehouse (links in mail; https makes cookies Secure).
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// File with the key (64 hex digits) that seals secrets kept in the database, such as SSO
    /// client secrets. Default on SQLite: `<database file>.key`, made on first start; on
    /// PostgreSQL none (single sign-on cannot be configured until one is given).
    #[arg(long, env = "GATEHOUSE_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,
    /// Directory with the built site (pkg/ with the WASM bundle and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Worker threads (defaults to the number of cores).
    #[arg(long, env = "GATEHOUSE_WORKERS")]
    pub workers: Option<usize>,
    /// Idle session timeout in minutes.
    #[arg(long, env = "GATEHOUSE_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Absolute session lifetime in hours.
    #[arg(long, env = "GATEHOUSE_SESSION_ABSOLUTE_HOURS", default_value_t = 12)]
    pub session_absolute_hours: i64,
    /// Days the bodies of sent mail are kept before they are purged.
    #[arg(long, env = "GATEHOUSE_MAIL_BODY_DAYS", default_value_t = 30)]
    pub mail_body_days: i64,
    /// Reverse proxies in front of Gatehouse whose X-Forwarded-For names the client (addresses
    /// or CIDR networks, comma-separated, e.g. "10.0.0.0/8,::1"). Empty: the TCP peer is the
    /// client, and forwarded addresses are ignored.
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    #[command(flatten)]
    pub smtp: SmtpArgs,
}

/// Where mail goes. Development uses the capture server of scripts/smtp_capture.py.
#[derive(Debug, Clone, clap::Args)]
pub struct SmtpArgs {
    #[arg(long = "smtp-host", env = "GATEHOUSE_SMTP_HOST", default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long = "smtp-port", env = "GATEHOUSE_SMTP_PORT", default_value_t = 2525)]
    pub port: u16,
    /// none, starttls or tls.
    #[arg(long = "smtp-tls", env = "GATEHOUSE_SMTP_TLS", default_value = "none")]
    pub tls: String,
    #[arg(long = "smtp-user", env = "GATEHOUSE_SMTP_USER")]
    pub user: Option<String>,
    #[arg(long = "smtp-password", env = "GATEHOUSE_SMTP_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    #[arg(long = "mail-from", env = "GATEHOUSE_MAIL_FROM", default_value = "Gatehouse <noreply@gatehouse.localhost>")]
    pub from: String,
    /// SMTP connections used at once by the outbox worker.
    #[arg(long = "smtp-connections", env = "GATEHOUSE_SMTP_CONNECTIONS", default_value_t = 32)]
    pub connections: u32,
}

impl SmtpArgs {
    pub fn config(&self) -> Result<gatehouse_mail::SmtpConfig, String> {
        Ok(gatehouse_mail::SmtpConfig {
            host: self.host.clone(),
            port: self.port,
            tls: gatehouse_mail::TlsMode::parse(&self.tls).map_err(|e| e.to_string())?,
            username: self.user.clone(),
            password: self.password.clone(),
            from: self.from.clone(),
            connections: self.connections,
        })
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs::parse_from(["serve"])
    }
}

#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    fn parse_from<I: IntoIterator<Item = &'static str>>(it: I) -> Self {
        ServeOnly::parse_from(it).args
    }
}
