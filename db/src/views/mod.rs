//! Joined read models for the portal's screens.
pub mod api;
pub mod audit;
pub mod counts;
pub mod dashboard;
pub mod document;
pub mod members;
pub mod units;
