use gatehouse_domain::DomainError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    #[error("{0}")]
    Config(String),
    #[error("cannot open database {0}: {1}")]
    Connect(String, String),
    #[error("database pool: {0}")]
    Pool(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("changed by someone else ({changed_by}) at {at}")]
    Stale { changed_by: String, at: String },
    /// The change was decided on an authorization snapshot that is no longer current; decide
    /// again on a fresh one.
    #[error("authorization changed meanwhile")]
    Outdated,
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("refused: {0:?}")]
    Denied(gatehouse_domain::authz::Denial),
    /// Something about a person being added (already a member, a bad row …), in the
    /// domain's terms so the caller can say it in the reader's language.
    /// An access request that cannot be made or moved, in the domain's terms.
    #[error("request: {0:?}")]
    Request(gatehouse_domain::requests::Refusal),
    /// Ending a membership, anonymizing or a reminder refused, in the domain's terms.
    #[error("compliance: {0:?}")]
    Compliance(gatehouse_domain::compliance::Refusal),
    #[error("person: {0:?}")]
    Person(gatehouse_domain::people::Problem),
    #[error("database: {0}")]
    Query(diesel::result::Error),
}

impl From<gatehouse_domain::authz::Denial> for DbError {
    fn from(d: gatehouse_domain::authz::Denial) -> Self {
        DbError::Denied(d)
    }
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as E};
        match e {
            E::NotFound => DbError::NotFound,
            E::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => DbError::Conflict(info.message().to_string()),
            other => DbError::Query(other),
        }
    }
}
