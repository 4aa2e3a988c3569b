//! The database tests, one binary (one link instead of nine): each module runs its cases on
//! SQLite and on PostgreSQL (`both!`, `TEST_DATABASE_URL`), each case on a fresh database.
mod account;
mod acknowledgments;
mod api_keys;
mod audit_log;
mod authz;
mod charts;
mod compliance;
mod digests;
mod imports;
mod invitations;
mod links;
mod members_list;
mod pool;
mod requests;
mod reviews;
mod scim;
mod sso;
mod staff_reviews;
mod support;
mod throttle;
