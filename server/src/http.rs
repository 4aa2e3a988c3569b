//! The actix application: one function builds it for the server and for the HTTP tests.
use crate::{auth, forms, middleware};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::body::BoxBody;
use actix_web::{middleware::from_fn, web, App};
use gatehouse_app::state::AppState;
use leptos::config::LeptosOptions;
use leptos_actix::{generate_route_list, ActixRouteListing, LeptosRoutes};
use std::sync::OnceLock;

pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading suppressed process-wide, so doing it while another worker (or test) renders a page
/// could leave that page's resources pending forever (leptos issue 4773).
pub fn routes() -> Vec<ActixRouteListing> {
    static ROUTES: OnceLock<Vec<ActixRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(gatehouse_app::App)).clone()
}

/// Every route of Gatehouse, with its middleware. Routes are registered before Leptos's
/// catch-all so form posts and redirects reach their handlers.
pub fn app(
    state: AppState,
    options: LeptosOptions,
) -> App<impl ServiceFactory<ServiceRequest, Config = (), Response = ServiceResponse<BoxBody>, Error = actix_web::Error, InitError = ()>> {
    let routes = routes();
    let site_root = options.site_root.to_string();
    let secure = state.secure_cookies();
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::FormConfig::default().limit(64 * 1024))
        // Raw bodies: a CSV upload (and the CSRF check that reads it first).
        .app_data(web::PayloadConfig::new(crate::imports::MAX_UPLOAD))
        .route("/health", web::get().to(auth::health))
        .configure(crate::api::configure)
        .route("/", web::get().to(auth::start))
        .route("/auth/sign-in", web::post().to(auth::sign_in))
        .route("/auth/sign-out", web::post().to(auth::sign_out))
        .route("/auth/sign-in-link", web::post().to(auth::request_sign_in_link))
        .route("/auth/sign-in-link/use", web::post().to(auth::use_sign_in_link))
        .route("/auth/forgot-password", web::post().to(auth::forgot_password))
        .route("/auth/reset-password", web::post().to(auth::reset_password))
        .configure(crate::account::configure)
        .configure(crate::two_factor::configure)
        .configure(crate::staff::configure)
        .configure(crate::staff_reviews::configure)
        .configure(crate::sso::configure)
        .configure(crate::digests::configure)
        .route("/language", web::post().to(auth::set_language))
        .route("/o/{org}", web::get().to(auth::org_root))
        .configure(forms::configure)
        .service(actix_files::Files::new("/pkg", format!("{site_root}/pkg")))
        .route(
            "/favicon.svg",
            web::get().to({
                let root = site_root.clone();
                move || {
                    let root = root.clone();
                    async move { actix_files::NamedFile::open_async(format!("{root}/favicon.svg")).await }
                }
            }),
        )
        .leptos_routes(routes, {
            let options = options.clone();
            move || gatehouse_app::shell(options.clone())
        })
        .app_data(web::Data::new(options))
        .wrap(from_fn(middleware::session))
        .wrap(from_fn(middleware::request_log))
        .wrap(middleware::security_headers(secure))
}
