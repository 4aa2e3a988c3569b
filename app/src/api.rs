//! Server functions: thin. Each checks who is asking, loads through the db crate on a blocking
//! thread, and returns a read model. Reads use GET (they change nothing); changes are form posts
//! handled by the server crate's routes.
use crate::error::AppError;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::views::{Dashboard, MemberDetail, MemberFilters, MemberPage, UnitLine};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerOrg {
    pub slug: String,
    pub name: String,
    /// Owners and administrators see the admin screens; others their own page.
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerUser {
    pub name: String,
    pub email: String,
    pub orgs: Vec<ViewerOrg>,
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
    use crate::state::{AppState, RequestCsrf, RequestLocale, RequestSession};
    use actix_web::{web, HttpMessage, HttpRequest};
    use gatehouse_db::members::MembershipCtx;
    use gatehouse_db::orgs::OrgRow;
    use gatehouse_db::{Conn, DbError};
    use gatehouse_domain::org_role::{portal_access, PortalAccess};
    use leptos_actix::ResponseOptions;

    /// Sets the HTTP status that goes with the error, and returns it.
    pub fn fail(e: AppError) -> AppError {
        use actix_web::http::StatusCode;
        let status = match &e {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if let Some(opts) = use_context::<ResponseOptions>() {
            opts.set_status(status);
        }
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
        let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| fail(AppError::Internal))?.get_ref().clone();
        let ext = req.extensions();
        Ok(Caller {
            state,
            session: ext.get::<RequestSession>().cloned(),
            csrf: ext.get::<RequestCsrf>().map(|c| c.0.clone()).unwrap_or_default(),
            locale: ext.get::<RequestLocale>().map(|l| l.0).unwrap_or_default(),
        })
    }

    /// Runs database work on the blocking thread pool, never on the async executor.
    pub async fn db<T: Send + 'static>(
        state: &AppState,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, AppError> {
        let db = state.db.clone();
        match web::block(move || db.with(f)).await {
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

    /// The signed-in caller's active membership in the organization `slug`. Someone who is not
    /// a member gets NotFound: the portal never confirms that another organization exists.
    pub async fn in_org(slug: String) -> Result<(Caller, OrgRow, MembershipCtx), AppError> {
        let c = caller().await?;
        let user = c.session.as_ref().ok_or_else(|| fail(AppError::Unauthenticated))?.user;
        let (org, m) = db(&c.state, move |conn| {
            let org = gatehouse_db::orgs::by_slug(conn, &slug)?.ok_or(DbError::NotFound)?;
            let m = gatehouse_db::members::active_membership(conn, user, org.id)?.ok_or(DbError::NotFound)?;
            Ok((org, m))
        })
        .await?;
        let span = tracing::Span::current();
        span.record("org_id", org.id.0);
        Ok((c, org, m))
    }

    /// Until the authorization engine lands: owners and administrators only.
    pub async fn require_admin(c: &Caller, org: &OrgRow, m: &MembershipCtx) -> Result<(), AppError> {
        if portal_access(&m.org_roles) == PortalAccess::Admin {
            return Ok(());
        }
        let org_id = org.id;
        let contacts = db(&c.state, move |conn| gatehouse_db::members::owner_contacts(conn, org_id)).await?;
        Err(fail(AppError::Forbidden { contacts }))
    }
}

#[server(input = GetUrl, endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, AppError> {
    use gatehouse_domain::org_role::{portal_access, PortalAccess};
    let c = server::caller().await?;
    let Some(session) = c.session.clone() else {
        return Ok(Viewer { locale: c.locale, csrf: c.csrf, user: None });
    };
    let user = session.user;
    let (u, orgs) = server::db(&c.state, move |conn| {
        let u = gatehouse_db::users::get(conn, user)?;
        let mut orgs = Vec::new();
        for o in gatehouse_db::orgs::for_user(conn, user)? {
            let roles = gatehouse_db::members::org_roles(conn, o.membership)?;
            orgs.push(ViewerOrg { slug: o.slug, name: o.name, admin: portal_access(&roles) == PortalAccess::Admin });
        }
        Ok((u, orgs))
    })
    .await?;
    Ok(Viewer { locale: c.locale, csrf: c.csrf, user: Some(ViewerUser { name: u.display_name, email: u.email, orgs }) })
}

#[server(input = GetUrl, endpoint = "dashboard")]
pub async fn get_dashboard(org: String) -> Result<Dashboard, AppError> {
    let (c, org, m) = server::in_org(org).await?;
    server::require_admin(&c, &org, &m).await?;
    server::db(&c.state, move |conn| gatehouse_db::views::dashboard::dashboard(conn, org.id)).await
}

#[server(input = GetUrl, endpoint = "units")]
pub async fn get_units(org: String) -> Result<Vec<UnitLine>, AppError> {
    let (c, org, m) = server::in_org(org).await?;
    server::require_admin(&c, &org, &m).await?;
    server::db(&c.state, move |conn| gatehouse_db::views::units::tree_lines(conn, org.id)).await
}

/// The members list's URL parameters, passed through unchanged and parsed by the domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberParams {
    pub q: Option<String>,
    pub unit: Option<String>,
    pub tag: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl MemberParams {
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "q" => self.q.as_deref(),
            "unit" => self.unit.as_deref(),
            "tag" => self.tag.as_deref(),
            "kind" => self.kind.as_deref(),
            "status" => self.status.as_deref(),
            "sort" => self.sort.as_deref(),
            "dir" => self.dir.as_deref(),
            "page" => self.page.as_deref(),
            "per_page" => self.per_page.as_deref(),
            _ => None,
        }
    }

    pub fn query(&self) -> gatehouse_domain::members_query::MemberQuery {
        gatehouse_domain::members_query::MemberQuery::from_params(|k| self.get(k))
    }
}

/// The members list. Parameters are flat URL parameters (`?org=…&q=…&page=…`).
#[allow(clippy::too_many_arguments)]
#[server(input = GetUrl, endpoint = "members")]
pub async fn get_members(
    org: String,
    q: Option<String>,
    unit: Option<String>,
    tag: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<MemberPage, AppError> {
    let (c, org, m) = server::in_org(org).await?;
    server::require_admin(&c, &org, &m).await?;
    let q = MemberParams { q, unit, tag, kind, status, sort, dir, page, per_page }.query();
    server::db(&c.state, move |conn| gatehouse_db::views::members::list(conn, org.id, &q)).await
}

#[server(input = GetUrl, endpoint = "member-filters")]
pub async fn get_member_filters(org: String) -> Result<MemberFilters, AppError> {
    let (c, org, m) = server::in_org(org).await?;
    server::require_admin(&c, &org, &m).await?;
    server::db(&c.state, move |conn| gatehouse_db::views::members::filters(conn, org.id)).await
}

/// A member's page: admins see anyone of their organization; everyone sees themselves.
#[server(input = GetUrl, endpoint = "member")]
pub async fn get_member(org: String, id: i64) -> Result<MemberDetail, AppError> {
    use gatehouse_domain::ids::MembershipId;
    let (c, org, m) = server::in_org(org).await?;
    if m.id != MembershipId(id) {
        server::require_admin(&c, &org, &m).await?;
    }
    let now = c.state.clock.now();
    server::db(&c.state, move |conn| gatehouse_db::views::members::detail(conn, org.id, MembershipId(id), now)).await
}

#[server(input = GetUrl, endpoint = "me")]
pub async fn get_me(org: String) -> Result<MemberDetail, AppError> {
    let (c, org, m) = server::in_org(org).await?;
    let now = c.state.clock.now();
    server::db(&c.state, move |conn| gatehouse_db::views::members::detail(conn, org.id, m.id, now)).await
}
