//! Throwaway databases for tests: a SQLite file in a temp dir, or a fresh schema on the
//! PostgreSQL server named by `TEST_DATABASE_URL` (dropped again when the value is dropped).
use crate::{on, Conn, Db, DbError};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

pub struct TestDb {
    pub db: Db,
    /// The URL other processes (a second server instance) can open.
    pub url: String,
    dir: Option<PathBuf>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("gatehouse_test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = dir.join("test.db").display().to_string();
        let db = Db::connect(&url, 4).expect("open sqlite");
        db.migrate().expect("migrate sqlite");
        TestDb { db, url, dir: Some(dir), pg_schema: None }
    }

    /// A fresh, migrated schema on the test PostgreSQL server. `None` when `TEST_DATABASE_URL` is
    /// not set, unless `GATEHOUSE_REQUIRE_PG` is set (the test script sets it): then it panics.
    pub fn postgres() -> Option<TestDb> {
        let base = match std::env::var("TEST_DATABASE_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                if std::env::var_os("GATEHOUSE_REQUIRE_PG").is_some() {
                    panic!("TEST_DATABASE_URL is required (scripts/test.sh starts a private PostgreSQL)");
                }
                eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL half of this test");
                return None;
            }
        };
        let schema = unique("t");
        let mut admin = PgConnection::establish(&base).expect("connect to TEST_DATABASE_URL");
        admin.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        let db = Db::connect(&url, 4).expect("open postgres");
        db.migrate().expect("migrate postgres");
        Some(TestDb { db, url, dir: None, pg_schema: Some((base, schema)) })
    }

    /// Row count of a table, for assertions.
    pub fn count(&self, table: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.db
            .with(|c| {
                let r: N = on!(c, c => diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result(c))?;
                Ok(r.n)
            })
            .expect("count")
    }

    /// Rows of a table matching a condition (SQL both databases read alike), for assertions.
    pub fn count_where(&self, table: &str, condition: &str) -> i64 {
        self.count(&format!("{table} WHERE {condition}"))
    }

    /// Every (table, text column, rows) in the whole database whose value contains `needle`
    /// (case-insensitive) — with `org`, only in rows of tables that carry an org_id and belong
    /// to that organization. For the anonymization tests: a person's values must be nowhere.
    pub fn grep(&self, needle: &str, org: Option<i64>) -> Vec<(String, String, i64)> {
        crate::testing::grep(&self.db, needle, org).expect("grep")
    }
}

/// See [`TestDb::grep`]; also used against databases a test did not create itself.
pub fn grep(db: &Db, needle: &str, org: Option<i64>) -> Result<Vec<(String, String, i64)>, crate::DbError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Col {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        c: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        ty: String,
    }
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    db.with(|conn| {
        let pg = conn.backend() == crate::Backend::Postgres;
        let cols: Vec<Col> = on!(conn, c => diesel::sql_query(match pg {
            true => "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty FROM information_schema.columns WHERE table_schema = current_schema()",
            false => "SELECT m.name AS t, p.name AS c, p.type AS ty FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        }).load(c))?;
        let with_org: std::collections::HashSet<String> = cols.iter().filter(|c| c.c == "org_id").map(|c| c.t.clone()).collect();
        let mut hits = Vec::new();
        for col in cols.iter().filter(|c| c.ty.eq_ignore_ascii_case("text")) {
            let scope = match org {
                Some(_) if !with_org.contains(&col.t) => continue,
                Some(o) => format!(" AND org_id = {o}"),
                None => String::new(),
            };
            let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE LOWER({}) LIKE '%{}%'{scope}", col.t, col.c, needle.to_lowercase().replace('\'', "''"));
            let n: N = on!(conn, c => diesel::sql_query(sql).get_result(c))?;
            if n.n > 0 {
                hits.push((col.t.clone(), col.c.clone(), n.n));
            }
        }
        Ok(hits)
    })
}


impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((base, schema)) = &self.pg_schema {
            if let Ok(mut c) = PgConnection::establish(base) {
                let _ = c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
            }
        }
    }
}

/// Declares one test that runs on SQLite and on PostgreSQL: `both!(name, |t: &TestDb| { … });`
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                let t = $crate::testing::TestDb::sqlite();
                let f: &dyn Fn(&$crate::testing::TestDb) = &$body;
                f(&t);
            }
            #[test]
            fn postgres() {
                if let Some(t) = $crate::testing::TestDb::postgres() {
                    let f: &dyn Fn(&$crate::testing::TestDb) = &$body;
                    f(&t);
                }
            }
        }
    };
}

/// The newest messages first, across every organization and none: for tests reading what was
/// mailed (the portal's own lists are per organization, `outbox::for_org`).
pub fn latest_mail(conn: &mut Conn<'_>, limit: i64) -> Result<Vec<crate::outbox::OutboxLine>, DbError> {
    use crate::schema::email_outbox as eo;
    use diesel::prelude::*;
    let rows: Vec<(i64, String, String, String, Option<String>, String)> = crate::on!(conn, c => eo::table
        .order(eo::id.desc())
        .limit(limit)
        .select((eo::id, eo::to_address, eo::template, eo::subject, eo::body_text, eo::status))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, to, template, subject, text, status)| crate::outbox::OutboxLine { id, to, template, subject, text, status }).collect())
}
