use thiserror::Error;

/// Errors of the domain layer. Each maps to a stable, translatable key in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("invalid email address")]
    InvalidEmail,
    #[error("invalid mobile phone number (expected E.164, e.g. +4915112345678)")]
    InvalidPhone,
    #[error("unknown time zone: {0}")]
    InvalidTimeZone(String),
    #[error("invalid value for {field}: {value}")]
    InvalidValue { field: &'static str, value: String },
    #[error("a unit cannot be moved below itself")]
    UnitCycle,
    #[error("transition from {from} to {to} is not allowed")]
    InvalidTransition { from: &'static str, to: &'static str },
    #[error("password is too weak: {0}")]
    WeakPassword(&'static str),
}
