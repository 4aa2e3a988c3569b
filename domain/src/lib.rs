//! Gatehouse's domain: the rules of the product as plain Rust.
//!
//! Nothing here knows about HTTP, the database or the UI; every function that depends on time
//! takes `now` (or a [`clock::Clock`]) so tests can move time.

pub mod acknowledgments;
pub mod actor;
pub mod api_keys;
pub mod audit_log;
pub mod authz;
pub mod charts;
pub mod client_addr;
pub mod clock;
pub mod compliance;
pub mod digests;
pub mod error;
pub mod ids;
pub mod links;
pub mod locale;
pub mod member;
pub mod members_query;
pub mod org_role;
pub mod people;
pub mod redirect;
pub mod requests;
pub mod reviews;
pub mod scim;
pub mod scim_schema;
pub mod secret;
pub mod session;
pub mod spreadsheet;
pub mod sso;
pub mod staff;
pub mod throttle;
#[cfg(feature = "two-factor")]
pub mod two_factor;
pub mod units;
pub mod validate;
pub mod views;

pub use error::DomainError;
