//! Server functions, one file per feature (`api/<feature>.rs`), and what they share: who is
//! asking ([`server::in_org`], the one loader `server::member_in`), `require`, the blocking-pool
//! `db` call and the viewer's menu. Thin: each checks who is asking, loads through the db crate
//! on a blocking thread, and returns a read model. Reads use GET (they change nothing); changes
//! are form posts handled by the server crate's routes.
#[cfg(feature = "ssr")]
use crate::error::AppError;
use gatehouse_domain::locale::Locale;
#[cfg(feature = "ssr")]
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use gatehouse_domain::views::MemberDetail;
use serde::{Deserialize, Serialize};

/// Which screens of an organization the viewer may open (decided by the engine).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    pub dashboard: bool,
    pub members: bool,
    pub units: bool,
    pub roles: bool,
    pub org_roles: bool,
    /// The organization declares content modules.
    pub content: bool,
    pub mail: bool,
    /// members.invite somewhere.
    pub invitations: bool,
    /// Access requests: every member may ask (and sees what they may decide).
    pub requests: bool,
    /// Former members and their anonymization (compliance.view_links).
    #[serde(default)]
    pub compliance: bool,
    /// Technical users and API keys (api_keys.generate or api_keys.revoke).
    #[serde(default)]
    pub api_keys: bool,
    /// The organization's settings (settings.edit for the whole organization).
    #[serde(default)]
    pub settings: bool,
    /// The audit log (audit.view anywhere: the whole log, a unit's, or one's own actions).
    #[serde(default)]
    pub audit: bool,
    /// Access reviews (reviews.run, or roles.assign somewhere: whoever may be a reviewer).
    #[serde(default)]
    pub reviews: bool,
    /// Policies and trainings to publish (policies.manage somewhere); everyone else reaches the
    /// page from their own page and the reminders.
    #[serde(default)]
    pub policies: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerOrg {
    pub slug: String,
    pub name: String,
    pub menu: Menu,
}

impl ViewerOrg {
    /// Where the organization opens for this viewer.
    pub fn landing(&self) -> String {
        gatehouse_domain::authz::policy::landing_path(&self.slug, self.menu.dashboard)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerUser {
    pub name: String,
    pub email: String,
    pub orgs: Vec<ViewerOrg>,
    /// A support session in force in this browser (platform staff acting as an administrator).
    #[serde(default)]
    pub support: Option<SupportBanner>,
}

/// What the banner on every page says while a support session is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportBanner {
    pub org_slug: String,
    pub org_name: String,
    pub reason: String,
    pub until: chrono::DateTime<chrono::Utc>,
}

/// Who is looking, in which language, and the CSRF token their forms must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub locale: Locale,
    pub csrf: String,
    pub user: Option<ViewerUser>,
}

impl Viewer {
    pub fn org(&self, slug: &str) -> Option<&ViewerOrg> {
        self.user.as_ref()?.orgs.iter().find(|o| o.slug == slug)
    }
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::state::{AppState, RequestCsrf, RequestLocale, RequestPerson, RequestSession};
    use gatehouse_domain::member::MemberStatus;
    use actix_web::{web, HttpMessage, HttpRequest};
    use gatehouse_db::members::MembershipCtx;
    use gatehouse_db::orgs::OrgRow;
    use gatehouse_db::{Conn, DbError};
    use gatehouse_domain::authz::policy::{Policy, Reach};
    use gatehouse_domain::authz::{Decision, Target, Visibility};
    use gatehouse_domain::org_role::OrgRole;
    use std::sync::Arc;

    /// Sets the HTTP status that goes with the error ([`AppError::status`]), and returns it.
    pub fn fail(e: AppError) -> AppError {
        e.set_response_status();
        e
    }

    pub struct Caller {
        pub state: AppState,
        pub session: Option<RequestSession>,
        pub csrf: String,
        pub locale: Locale,
    }

    pub async fn caller() -> Result<Caller, AppError> {
        let req: HttpRequest = leptos_actix::extract().await.map_err(|_| fail(AppError::Internal))?;
        caller_of(&req)
    }

    fn caller_of(req: &HttpRequest) -> Result<Caller, AppError> {
        let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| fail(AppError::Internal))?.get_ref().clone();
        let ext = req.extensions();
        Ok(Caller {
            state,
            session: ext.get::<RequestSession>().cloned(),
            csrf: ext.get::<RequestCsrf>().map(|c| c.0.clone()).unwrap_or_default(),
            locale: ext.get::<RequestLocale>().map(|l| l.0).unwrap_or_default(),
        })
    }

    /// Runs a read (server functions change nothing: changes are form posts) on the blocking
    /// thread pool, or on SQLite right here ([`gatehouse_db::Db::reads_on_caller`]).
    pub async fn db<T: Send + 'static>(
        state: &AppState,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, AppError> {
        match read(state, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(DbError::NotFound)) => Err(fail(AppError::NotFound)),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "database error");
                Err(fail(AppError::Internal))
            }
            Err(e) => {
                tracing::error!(error = %e, "blocking pool error");
                Err(fail(AppError::Internal))
            }
        }
    }

    /// A read on the blocking pool, or on the calling thread where the database allows it.
    pub async fn read<T: Send + 'static>(
        state: &AppState,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<Result<T, DbError>, actix_web::error::BlockingError> {
        if state.db.reads_on_caller() {
            return Ok(state.db.with(f));
        }
        let db = state.db.clone();
        web::block(move || db.with(f)).await
    }

    /// Everything a server function needs about an organization request.
    pub struct Ctx {
        pub c: Caller,
        pub org: OrgRow,
        pub m: MembershipCtx,
        pub policy: Arc<Policy>,
        pub now: chrono::DateTime<chrono::Utc>,
        /// The staff member acting through a support session, when it is one.
        pub acting_staff: Option<gatehouse_domain::ids::StaffId>,
    }

    /// The one loader of "who is asking inside an organization", for server functions and form
    /// posts alike: the organization `slug` among the person's active memberships (loaded with
    /// the session, each with its organization's authorization version) and the policy snapshot
    /// at that version — from this instance's cache, loaded only when the cache is behind. None
    /// when the person holds no active membership there (never "exists, but not yours").
    pub async fn member_in(state: &AppState, person: &RequestPerson, slug: &str) -> Result<Option<(OrgRow, MembershipCtx, Arc<Policy>)>, DbError> {
        let Some(am) = person.memberships.iter().find(|a| a.org.slug == slug).cloned() else { return Ok(None) };
        let policy = policy_at(state, am.org.id, am.authz_version).await?;
        let mut org_roles = policy.subject(am.membership).org_roles;
        org_roles.sort();
        let m = MembershipCtx { id: am.membership, org: am.org.id, status: MemberStatus::Active, kind: am.kind, role_holder_only: am.role_holder_only, org_roles };
        Ok(Some((am.org, m, policy)))
    }

    /// The organization `slug` requires a second factor and the person has none: its name.
    pub fn two_factor_missing(person: &RequestPerson, slug: &str) -> Option<String> {
        person.memberships.iter().find(|a| a.org.slug == slug && a.requires_two_factor && !person.two_factor).map(|a| a.org.name.clone())
    }

    /// The organization's policy snapshot at `version` (read with the session): from this
    /// instance's cache, or loaded when the cache is behind.
    pub async fn policy_at(state: &AppState, org: gatehouse_domain::ids::OrgId, version: i64) -> Result<Arc<Policy>, DbError> {
        if let Some(p) = state.policies.at(org, version) {
            return Ok(p);
        }
        let cache = state.policies.clone();
        read(state, move |conn| cache.get(conn, org)).await.map_err(|e| DbError::Pool(e.to_string()))?
    }

    /// The signed-in caller's active membership in the organization `slug`, with the
    /// organization's current authorization policy. Someone who is not a member gets NotFound:
    /// the portal never confirms that another organization exists.
    pub async fn in_org(slug: String) -> Result<Ctx, AppError> {
        let req: HttpRequest = leptos_actix::extract().await.map_err(|_| fail(AppError::Internal))?;
        let c = caller_of(&req)?;
        // The session middleware puts the person in with the session.
        let person = req.extensions().get::<RequestPerson>().cloned().ok_or_else(|| fail(AppError::Unauthenticated))?;
        if let Some(org) = two_factor_missing(&person, &slug) {
            return Err(fail(AppError::TwoFactorRequired { org }));
        }
        let (org, m, policy) = match member_in(&c.state, &person, &slug).await {
            Ok(Some(found)) => found,
            Ok(None) => return Err(fail(AppError::NotFound)),
            Err(e) => {
                tracing::error!(error = %e, "loading the caller failed");
                return Err(fail(AppError::Internal));
            }
        };
        let span = tracing::Span::current();
        span.record("org_id", org.id.0);
        let now = c.state.clock.now();
        let acting_staff = person.acting_staff(&slug, m.id);
        Ok(Ctx { c, org, m, policy, now, acting_staff })
    }

    impl Ctx {
        pub fn actor(&self) -> gatehouse_domain::actor::Actor {
            if let Some(staff) = self.acting_staff {
                return gatehouse_domain::actor::Actor::StaffAsUser { staff, membership: self.m.id };
            }
            gatehouse_domain::actor::Actor::User { user: self.c.session.as_ref().map(|s| s.user).unwrap_or(gatehouse_domain::ids::UserId(0)), membership: Some(self.m.id) }
        }

        /// Checks the token of a link from mail (`?link=`) for its subject; without one, nothing to
        /// check. An expired or foreign token stops here: the reader is offered `page` instead.
        pub async fn email_link(&self, raw: Option<String>, subject: gatehouse_domain::links::Subject, page: String) -> Result<(), AppError> {
            use gatehouse_domain::links::Check;
            let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(()) };
            let now = self.now;
            match db(&self.c.state, move |conn| gatehouse_db::links::check(conn, &raw, subject, now)).await? {
                Check::Valid => Ok(()),
                Check::Expired => Err(fail(AppError::EmailLink { expired: true, page })),
                Check::Invalid => {
                    tracing::warn!(?subject, "a mail link with a token that is not ours");
                    Err(fail(AppError::EmailLink { expired: false, page }))
                }
            }
        }

        /// Refuses with the engine's reasons in the reader's words and the owners as contact.
        pub async fn refuse(&self, permission: &str, reasons: &[gatehouse_domain::authz::Reason]) -> AppError {
            let mut why = vec![crate::i18n::tf(
                self.c.locale,
                crate::i18n::Msg::RefusedPermission,
                &[("permission", &crate::explain::permission_label(self.c.locale, &self.policy, permission))],
            )];
            why.extend(crate::explain::reasons(self.c.locale, &self.policy, permission, reasons));
            let org_id = self.org.id;
            match db(&self.c.state, move |conn| gatehouse_db::members::owner_contacts(conn, org_id)).await {
                Ok(contacts) => fail(AppError::Forbidden { why, contacts, permission: Some(permission.to_string()) }),
                Err(e) => e,
            }
        }

        /// Allowed, or refused with why and whom to ask.
        pub async fn require(&self, permission: &str, target: &Target) -> Result<Decision, AppError> {
            let d = self.policy.check(self.m.id, permission, target, self.now);
            if d.allowed {
                Ok(d)
            } else {
                Err(self.refuse(permission, &d.reasons).await)
            }
        }

        /// How far `permission` reaches for the caller; refused when it reaches nothing (or
        /// only their own things, when `own_is_enough` is false).
        pub async fn reach(&self, permission: &str, individual: bool) -> Result<Reach, AppError> {
            let reach = self.policy.reach(self.m.id, permission, self.now);
            let visible = match &reach {
                Reach::Organization => self.policy.check(self.m.id, permission, &Target::Organization, self.now).visibility,
                Reach::Units(us) => us.iter().filter_map(|u| self.policy.check(self.m.id, permission, &Target::Unit(*u), self.now).visibility).max(),
                _ => None,
            };
            let enough = matches!(reach, Reach::Organization | Reach::Units(_)) && (!individual || visible == Some(Visibility::Individual));
            if enough {
                Ok(reach)
            } else {
                let d = self.policy.check(self.m.id, permission, &Target::Organization, self.now);
                Err(self.refuse(permission, &d.reasons).await)
            }
        }

        /// Refused unless `permission` reaches anything at all for the caller.
        pub async fn reach_any(&self, permission: &str) -> Result<Reach, AppError> {
            match self.policy.require_reach(self.m.id, permission, self.now) {
                Ok(r) => Ok(r),
                Err(gatehouse_domain::authz::Denial::NotPermitted { reasons, .. }) => Err(self.refuse(permission, &reasons).await),
                Err(_) => Err(fail(AppError::Internal)),
            }
        }

        /// Turns a refused change into words (nothing was changed).
        pub fn words(&self, e: DbError) -> AppError {
            let words = crate::i18n::refusal(self.c.locale, &self.policy, &e);
            match (e, words) {
                (DbError::NotFound, _) => fail(AppError::NotFound),
                (DbError::Domain(_), Some(w)) => fail(AppError::BadRequest(w)),
                (_, Some(w)) => fail(AppError::Refused(w)),
                (other, None) => {
                    tracing::error!(error = %other, "database error");
                    fail(AppError::Internal)
                }
            }
        }
    }

    /// A member's details, for whoever may see that member individually (and for themselves).
    pub async fn member_detail(ctx: &Ctx, member: gatehouse_domain::ids::MembershipId) -> Result<MemberDetail, AppError> {
        let (org, now) = (ctx.org.id, ctx.now);
        if ctx.m.id != member {
            // Someone whose members.view reaches nobody is refused before the id is even looked up.
            ctx.reach_any("members.view").await?;
            let units = db(&ctx.c.state, move |conn| gatehouse_db::authz::member_units(conn, org, member)).await?;
            let d = ctx.require("members.view", &Target::Member { id: member, units }).await?;
            if d.visibility != Some(Visibility::Individual) {
                return Err(ctx.refuse("members.view", &d.reasons).await);
            }
        }
        db(&ctx.c.state, move |conn| gatehouse_db::views::members::detail(conn, org, member, now)).await
    }

    /// A member's live roles and organization roles, for lists.
    pub fn role_names(policy: &Policy, m: gatehouse_domain::ids::MembershipId, locale: Locale, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
        let (org_roles, roles) = policy.live_roles(m, now);
        org_roles.iter().map(|r| crate::i18n::org_role_label(locale, r.as_str())).chain(roles).collect()
    }

    /// The screens of one organization the member may open.
    pub fn menu(policy: &Policy, m: gatehouse_domain::ids::MembershipId, now: chrono::DateTime<chrono::Utc>) -> Menu {
        let org_wide = |p: &str| policy.check(m, p, &Target::Organization, now).allowed;
        let anywhere = |p: &str| policy.reach(m, p, now) != Reach::Nothing;
        Menu {
            dashboard: policy.sees_dashboard(m, now),
            members: matches!(policy.reach(m, "members.view", now), Reach::Organization | Reach::Units(_)),
            units: org_wide("units.view"),
            roles: anywhere("roles.view"),
            org_roles: anywhere("roles.view") || policy.subject(m).org_roles.iter().any(|r| matches!(r, OrgRole::Owner | OrgRole::CoOwner | OrgRole::PaymentUser)),
            content: !policy.modules.is_empty(),
            mail: org_wide("mail.manage"),
            invitations: anywhere("members.invite"),
            requests: true,
            compliance: org_wide("compliance.view_links"),
            api_keys: org_wide("api_keys.generate") || org_wide("api_keys.revoke"),
            settings: org_wide("settings.edit"),
            audit: anywhere("audit.view"),
            reviews: org_wide("reviews.run") || anywhere("roles.assign"),
            policies: anywhere("policies.manage"),
        }
    }
}

pub mod access;
pub mod account;
pub mod acknowledgments;
pub mod api_keys;
pub mod audit;
pub mod compliance;
pub mod digests;
pub mod dashboard;
pub mod members;
pub mod people;
pub mod requests;
pub mod reviews;
pub mod settings;
pub mod sso;
pub mod staff;
pub mod units;
pub mod viewer;

pub use dashboard::*;
pub use members::*;
pub use units::*;
pub use viewer::*;

