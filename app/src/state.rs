//! Server-only context: what the middleware learned about the request, and the shared state.
use gatehouse_db::Db;
use gatehouse_domain::clock::Clock;
use gatehouse_domain::ids::UserId;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::session::SessionPolicy;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub session_policy: SessionPolicy,
    /// `https://…` in production: cookies are then `Secure`.
    pub public_url: String,
    /// Authorization snapshots per organization, reloaded when the database's version moves.
    pub policies: Arc<gatehouse_db::authz::PolicyCache>,
    /// The dashboard's figures and the members list's totals, counted at most every two seconds
    /// (and again after any change through this instance).
    pub counts: Arc<gatehouse_db::views::counts::CountsCache>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none unless configured).
    pub trusted_proxies: gatehouse_domain::client_addr::TrustedProxies,
    /// Seals secrets kept in the database (SSO client secrets); kept outside it. `None`: single
    /// sign-on cannot be configured on this server.
    pub sealing_key: Option<gatehouse_db::secrets::SealingKey>,
}

impl AppState {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The signed-in person's name, address and active memberships (with each organization's
/// authorization version), loaded by the session middleware in the same round trip as the
/// session: "who is looking" and "who is asking in this organization" need no query of their own.
#[derive(Debug, Clone)]
pub struct RequestPerson {
    pub name: String,
    pub email: String,
    pub memberships: Arc<Vec<gatehouse_db::orgs::ActiveMembership>>,
    /// Signs in with a second factor (organizations may require it).
    pub two_factor: bool,
    /// Platform staff: who and which role (they always sign in with a second factor).
    pub staff: Option<(gatehouse_domain::ids::StaffId, gatehouse_domain::staff::StaffRole)>,
    /// A support session in force that this browser session started: the staff member acts as
    /// an administrator of that organization (its membership is first in `memberships`).
    pub support: Option<gatehouse_db::support::Live>,
}

impl RequestPerson {
    /// The staff member acting through `membership` of the organization `slug`, when it is the
    /// support session's.
    pub fn acting_staff(&self, slug: &str, membership: gatehouse_domain::ids::MembershipId) -> Option<gatehouse_domain::ids::StaffId> {
        self.support.as_ref().filter(|s| s.org_slug == slug && s.membership == membership).map(|s| s.staff)
    }
}

/// Put into the request's extensions by the session middleware.
#[derive(Debug, Clone)]
pub struct RequestSession {
    pub user: UserId,
    pub token: String,
    pub csrf: String,
}

/// The CSRF token the page must echo in its forms: the session's, or before sign-in the
/// pre-session cookie's (double submit).
#[derive(Debug, Clone)]
pub struct RequestCsrf(pub String);

#[derive(Debug, Clone, Copy)]
pub struct RequestLocale(pub Locale);

/// The address the request comes from (the TCP peer, or behind a trusted proxy the address it
/// forwarded), for throttling.
#[derive(Debug, Clone, Copy)]
pub struct RequestClient(pub std::net::IpAddr);

/// The request id, for logs and audit events.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);
