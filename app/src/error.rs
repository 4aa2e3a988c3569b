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
    /// The organization (its name) requires two-factor authentication, and the person has not
    /// set it up: nothing of it opens until they have.
    #[error("two-factor authentication required")]
    TwoFactorRequired { org: String },
    #[error("internal error")]
    Internal,
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status of each kind of error — the one place they are decided: 400 bad input,
    /// 401 not signed in, 403 refused, 404 not found or not yours, 409 conflict, 410 an expired
    /// link, 500 only for real faults (logged with the request id by the request log).
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) | AppError::EmailLink { expired: false, .. } => 400,
            AppError::Unauthenticated => 401,
            AppError::Forbidden { .. } | AppError::TwoFactorRequired { .. } => 403,
            AppError::NotFound => 404,
            AppError::Refused(_) => 409,
            AppError::EmailLink { expired: true, .. } => 410,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// Sets [`AppError::status`] on the response being built (a server function's, or the page
    /// whose render met the error).
    pub fn set_response_status(&self) {
        #[cfg(feature = "ssr")]
        if let (Some(opts), Ok(s)) = (leptos::prelude::use_context::<leptos_actix::ResponseOptions>(), actix_web::http::StatusCode::from_u16(self.status())) {
            opts.set_status(s);
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed arguments are the caller's mistake: 400, not 500.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) | ServerFnErrorErr::Deserialization(m) => AppError::BadRequest(m),
            other => AppError::Transport(other.to_string()),
        }
    }

    /// Called when a server function's error becomes its response: the status goes with it, so
    /// no error path of any server function answers 500 for a caller's mistake.
    fn ser(&self) -> leptos::server_fn::Bytes {
        self.set_response_status();
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self).unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Internal\""))
    }
}
