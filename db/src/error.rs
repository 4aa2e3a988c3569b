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
    /// Something already there or already done, keyed so the caller says it in the reader's
    /// language (never the database's own words).
    #[error("{0}")]
    Conflict(Conflict),
    #[error("changed by someone else ({changed_by:?}) at {at}")]
    /// Someone saved a newer version: who (a person's name; `None` when it was not a person, or
    /// is not known) and when.
    Stale { changed_by: Option<String>, at: String },
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

/// What already exists (or already happened), for the caller to put into words (pages use
/// `gatehouse_app::i18n::conflict`; the English below is for operators: logs and the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Conflict {
    #[error("this person is already a member of the organization")]
    AlreadyMember,
    #[error("a user with email {0} already exists")]
    EmailTaken(String),
    #[error("{0} is one of Gatehouse's own areas")]
    ReservedModule(String),
    #[error("already invited")]
    AlreadyInvited,
    #[error("this import was already started or discarded")]
    ImportClosed,
    #[error("a role with the key {0} already exists")]
    RoleKeyTaken(String),
    #[error("an organization with the handle {0} already exists")]
    SlugTaken(String),
    #[error("single sign-on is required: keep a provider switched on, or stop requiring it first")]
    SsoStillRequired,
    #[error("sign in through one of the organization's providers before requiring single sign-on")]
    SsoNotProven,
    #[error("this server has no secret key (GATEHOUSE_SECRET_KEY_FILE), so single sign-on cannot be configured")]
    SsoNoSecretKey,
    #[error("the organization has switched support access off")]
    SupportAccessOff,
    #[error("this is a support session's membership: nothing can be given to it")]
    SupportMembership,
    #[error("the new owner must be an active member of the organization")]
    OwnerMustBeActiveMember,
    #[error("this person already owns the organization")]
    AlreadyOwner,
    #[error("the organization's deletion is already scheduled")]
    DeletionScheduled,
    #[error("a staff access review is already running")]
    StaffReviewRunning,
    #[error("this staff member's review is already decided")]
    StaffReviewDecided,
    #[error("this staff access review is closed: it is kept as evidence and cannot be changed")]
    StaffReviewClosed,
    /// Any other unique rule of the database (what it was is logged, not shown).
    #[error("that already exists")]
    Duplicate,
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
            E::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(detail = info.message(), "unique violation");
                DbError::Conflict(Conflict::Duplicate)
            }
            other => DbError::Query(other),
        }
    }
}
