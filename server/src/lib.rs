//! Gatehouse's HTTP server: routes, middleware (sessions, CSRF, security headers, request ids)
//! and the command line. Handlers are thin: they call the db crate and the domain.
#![recursion_limit = "256"]

pub mod account;
pub mod acknowledgments;
pub mod api;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod compliance;
pub mod digests;
pub mod document;
pub mod forms;
pub mod http;
pub mod imports;
pub mod jobs;
pub mod middleware;
pub mod once;
pub mod two_factor;
pub mod people;
pub mod personal_data;
pub mod redirect;
pub mod requests;
pub mod reviews;
pub mod sso;
pub mod staff;
pub mod staff_reviews;
pub mod streaming;

pub use gatehouse_app::state::AppState;
