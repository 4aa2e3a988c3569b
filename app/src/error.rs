use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors a server function returns to the page. The page turns each into words in the
/// reader's language; no internal detail crosses to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("not found")]
    NotFound,
    /// Refused: why (the engine's reasons in the reader's words), whom to ask, and the
    /// permission that was missing (the "request access" link asks for it).
    #[error("forbidden")]
    Forbidden {
        why: Vec<String>,
        contacts: Vec<String>,
        #[serde(default)]
        permission: Option<String>,
    },
    /// A change refused by the rules (no escalation, appointment rules, a role in use …), or
    /// someone else's newer save: said in the reader's words; nothing was changed.
    #[error("refused: {0}")]
    Refused(String),
    /// A link from mail whose token is expired or not ours (DECISIONS.md "Email links"): the
    /// reader is told so and offered the page itself, which checks access as always.
    #[error("email link {}", if *expired { "expired" } else { "not valid" })]
    EmailLink { expired: bool, page: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("internal error")]
    Internal,
    #[error("request failed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed arguments are the caller's mistake: 400, not 500.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) | ServerFnErrorErr::Deserialization(m) => {
                #[cfg(feature = "ssr")]
                if let Some(opts) = leptos::prelude::use_context::<leptos_actix::ResponseOptions>() {
                    opts.set_status(actix_web::http::StatusCode::BAD_REQUEST);
                }
                AppError::BadRequest(m)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}
