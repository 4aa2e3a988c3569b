//! HTTP integration tests: the real application (routes, middleware, server functions, SSR)
//! over a real database, on SQLite and on PostgreSQL — one test binary, one file per feature,
//! the harness in `common/`.
#[macro_use]
mod common;
mod acknowledgments;
mod api;
mod audit;
mod authorization;
mod compliance;
mod digests;
mod document;
mod people;
mod personal_data;
mod requests;
mod reviews;
mod scim;
mod security;
mod sessions;
mod sso;
mod staff;
mod support;
mod two_factor;
