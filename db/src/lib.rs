//! Gatehouse's persistence on two backends with one code path.
//!
//! [`Db`] is a pool of either PostgreSQL or SQLite connections. Queries take a [`Conn`] and are
//! written once with the [`on!`] macro, which compiles the same diesel code for each backend.
//! Every function is blocking: callers on an async runtime run them on a blocking thread.

pub mod account;
pub mod any_id;
pub mod api_keys;
pub mod audit;
pub mod authz;
pub mod compliance;
pub mod acknowledgments;
pub mod digests;
pub mod error;
pub mod imports;
pub mod invitations;
pub mod items;
pub mod links;
pub mod members;
pub mod orgs;
pub mod outbox;
pub mod password;
pub mod personal_data;
pub mod requests;
pub mod reviews;
pub mod roles;
pub mod schema;
pub mod scim;
pub mod seed;
pub mod secrets;
pub mod sessions;
pub mod sso;
pub mod staff;
pub mod staff_reviews;
pub mod support;
pub mod tags;
pub mod tenants;
pub mod testing;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod units;
pub mod users;
pub mod views;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::Path;
use std::time::Duration;

pub use error::{Conflict, DbError};

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Any number will do as long as every Gatehouse instance uses the same one.
const MIGRATION_LOCK_KEY: i64 = 0x6761_7465_686f_7573; // "gatehous"

/// One borrowed connection of either backend.
pub enum Conn<'a> {
    Pg(&'a mut PgConnection),
    Sqlite(&'a mut SqliteConnection),
}

/// Runs the same diesel code on whichever backend `conn` is: `on!(conn, c => query.load(c))`.
#[macro_export]
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match *$conn {
            $crate::Conn::Pg(ref mut inner) => {
                let $c: &mut ::diesel::PgConnection = &mut **inner;
                $body
            }
            $crate::Conn::Sqlite(ref mut inner) => {
                let $c: &mut ::diesel::SqliteConnection = &mut **inner;
                $body
            }
        }
    };
}

impl Conn<'_> {
    /// Runs `f` in one transaction: all of it is committed, or none of it.
    /// On SQLite the transaction takes the write lock at once (no upgrade deadlocks). Nested
    /// calls become savepoints.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        match self {
            Conn::Pg(c) => c.transaction(|c| f(&mut Conn::Pg(c))),
            Conn::Sqlite(c) => {
                use diesel::connection::{AnsiTransactionManager, TransactionManager};
                // Inside a transaction already: a savepoint (the write lock is held).
                let nested = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(c)
                    .transaction_depth()
                    .ok()
                    .flatten()
                    .is_some();
                if nested {
                    c.transaction(|c| f(&mut Conn::Sqlite(c)))
                } else {
                    c.immediate_transaction(|c| f(&mut Conn::Sqlite(c)))
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Pg(_) => Backend::Postgres,
            Conn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// SQLite settings applied to every pooled connection.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // Per connection; the journal mode is the file's and is set once, before the pool opens
        // (switching it needs the file to itself: connections opened at once would collide).
        conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// A pooled PostgreSQL connection and when it was last known to work.
pub struct PgPooled {
    conn: PgConnection,
    known_good: std::time::Instant,
}

/// PostgreSQL's pool manager: a connection is checked with `SELECT 1` before it is handed out,
/// unless it went back to the pool unbroken within the last second. Under load every checkout
/// used to cost that extra round trip (three per page); a connection idle for longer, e.g. across
/// a server restart, is still checked (and replaced) before use.
pub struct PgManager(ConnectionManager<PgConnection>);

const PG_RECHECK_AFTER: Duration = Duration::from_secs(1);

impl diesel::r2d2::ManageConnection for PgManager {
    type Connection = PgPooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgPooled, Self::Error> {
        Ok(PgPooled { conn: self.0.connect()?, known_good: std::time::Instant::now() })
    }

    fn is_valid(&self, c: &mut PgPooled) -> Result<(), Self::Error> {
        if c.known_good.elapsed() < PG_RECHECK_AFTER {
            return Ok(());
        }
        self.0.is_valid(&mut c.conn)?;
        c.known_good = std::time::Instant::now();
        Ok(())
    }

    fn has_broken(&self, c: &mut PgPooled) -> bool {
        let broken = self.0.has_broken(&mut c.conn);
        if !broken {
            c.known_good = std::time::Instant::now();
        }
        broken
    }
}

/// A connection pool to PostgreSQL or SQLite.
#[derive(Clone)]
pub enum Db {
    Pg(Pool<PgManager>),
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({})", self.backend().name())
    }
}

/// Where the database is, as given by `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Postgres(String),
    SqliteFile(String),
}

impl DbTarget {
    /// `postgres://…` / `postgresql://…` choose PostgreSQL; `sqlite://path`, `sqlite:path` or a
    /// plain file path choose SQLite. Any other scheme is refused with a clear message.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DbError::Config("DATABASE_URL is empty".into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(url.to_string()));
        }
        if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if rest.is_empty() {
                return Err(DbError::Config("DATABASE_URL names no SQLite file".into()));
            }
            return Ok(DbTarget::SqliteFile(rest.to_string()));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(DbError::Config(format!(
                "DATABASE_URL scheme `{scheme}` is not supported: use postgres://… or a SQLite file path"
            )));
        }
        Ok(DbTarget::SqliteFile(url.to_string()))
    }
}

impl Db {
    /// Opens a pool. Fails with a readable message when PostgreSQL cannot be reached or the SQLite
    /// file cannot be created.
    pub fn connect(url: &str, max_size: u32) -> Result<Db, DbError> {
        match DbTarget::parse(url)? {
            DbTarget::Postgres(url) => {
                // Try one connection first: r2d2 hides the reason behind a timeout otherwise.
                PgConnection::establish(&url).map_err(|e| DbError::Connect(redact_url(&url), e.to_string()))?;
                let pool = Pool::builder()
                    .max_size(max_size)
                    .connection_timeout(Duration::from_secs(10))
                    .build(PgManager(ConnectionManager::<PgConnection>::new(url.clone())))
                    .map_err(|e| DbError::Connect(redact_url(&url), e.to_string()))?;
                Ok(Db::Pg(pool))
            }
            DbTarget::SqliteFile(path) => {
                if path != ":memory:" {
                    if let Some(dir) = Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| DbError::Connect(path.clone(), format!("cannot create {}: {e}", dir.display())))?; // not user text: the operator's DATABASE_URL
                    }
                }
                let mut first = SqliteConnection::establish(&path).map_err(|e| DbError::Connect(path.clone(), e.to_string()))?;
                first.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;").map_err(|e| DbError::Connect(path.clone(), e.to_string()))?;
                drop(first);
                let pool = Pool::builder()
                    .max_size(if path == ":memory:" { 1 } else { max_size })
                    .connection_timeout(Duration::from_secs(10))
                    // A file opened by this process does not go away like a server connection:
                    // no `SELECT 1` before every use (PostgreSQL's pool keeps that check).
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(SqlitePragmas))
                    .build(ConnectionManager::<SqliteConnection>::new(path.clone()))
                    .map_err(|e| DbError::Connect(path.clone(), e.to_string()))?;
                Ok(Db::Sqlite(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Pg(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Whether a read may run on the calling (async) thread instead of the blocking pool:
    /// SQLite's readers never wait for a lock in WAL mode and read this process's page cache, so
    /// a short read costs less than handing it to another thread and waking the caller again
    /// (those futex wake-ups were a fifth of a members page). PostgreSQL answers over a socket:
    /// its reads stay on the blocking pool.
    pub fn reads_on_caller(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }

    /// Runs `f` with a pooled connection.
    pub fn with<T>(&self, f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        match self {
            Db::Pg(p) => {
                let mut c = p.get().map_err(|e| DbError::Pool(e.to_string()))?;
                f(&mut Conn::Pg(&mut c.conn))
            }
            Db::Sqlite(p) => {
                let mut c = p.get().map_err(|e| DbError::Pool(e.to_string()))?;
                f(&mut Conn::Sqlite(&mut c))
            }
        }
    }

    /// Runs `f` in one transaction on a pooled connection.
    pub fn tx<T>(&self, f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        self.with(|c| c.transaction(f))
    }

    /// Applies pending migrations. On PostgreSQL this holds an advisory lock, so several
    /// instances starting at once migrate one after another. Returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let applied = self.with(|conn| {
            let applied = match conn {
                Conn::Pg(c) => {
                    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(*c)?;
                    let r = c
                        .run_pending_migrations(PG_MIGRATIONS)
                        .map(|v| v.iter().map(|m| m.to_string()).collect::<Vec<_>>())
                        .map_err(|e| DbError::Migration(e.to_string()));
                    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(*c)?;
                    r?
                }
                Conn::Sqlite(c) => c
                    .run_pending_migrations(SQLITE_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect::<Vec<_>>())
                    .map_err(|e| DbError::Migration(e.to_string()))?,
            };
            Ok(applied)
        })?;
        // Data a migration cannot compute in SQL on SQLite (Unicode folding).
        members::fill_list_keys(self)?;
        Ok(applied)
    }

    /// A cheap round trip, for the health endpoint.
    pub fn ping(&self) -> Result<(), DbError> {
        self.with(|conn| {
            on!(conn, c => diesel::sql_query("SELECT 1").execute(c))?;
            Ok(())
        })
    }
}

/// Hides the password in a connection URL before it reaches a log or an error message.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// UTC instant → the naive UTC timestamp stored in the database.
pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// Stored naive UTC timestamp → UTC instant.
pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_choose_the_backend_or_fail_clearly() {
        assert_eq!(DbTarget::parse("postgres://u:p@h/db").unwrap(), DbTarget::Postgres("postgres://u:p@h/db".into()));
        assert_eq!(DbTarget::parse("sqlite://data/g.db").unwrap(), DbTarget::SqliteFile("data/g.db".into()));
        assert_eq!(DbTarget::parse("sqlite:x.db").unwrap(), DbTarget::SqliteFile("x.db".into()));
        assert_eq!(DbTarget::parse("data/g.db").unwrap(), DbTarget::SqliteFile("data/g.db".into()));
        assert!(matches!(DbTarget::parse("mysql://h/db"), Err(DbError::Config(m)) if m.contains("mysql")));
        assert!(DbTarget::parse("  ").is_err());
        assert_eq!(redact_url("postgres://gate:secret@localhost:5432/g"), "postgres://gate:***@localhost:5432/g");
    }
}
