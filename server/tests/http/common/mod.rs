//! The harness every HTTP test file shares: the real application (routes, middleware, server
//! functions, SSR) over a fresh database, and a browser-like client. `mod common;` in a test file.
#![allow(dead_code, unused_imports)]
pub use actix_web::body::MessageBody;
pub use actix_web::dev::{Service, ServiceResponse};
pub use actix_web::http::{header, StatusCode};
pub use actix_web::test;
pub use chrono::{Duration, TimeZone, Utc};
pub use gatehouse_db::testing::TestDb;
pub use gatehouse_db::{members, orgs, seed, users};
pub use gatehouse_domain::clock::{Clock, FixedClock};
pub use gatehouse_domain::session::SessionPolicy;
pub use gatehouse_server::AppState;
pub use std::collections::HashMap;
pub use std::sync::Arc;

pub fn state(t: &TestDb, clock: &FixedClock) -> AppState {
    AppState {
        db: t.db.clone(),
        clock: Arc::new(clock.clone()) as Arc<dyn Clock>,
        session_policy: SessionPolicy::default(),
        public_url: "http://127.0.0.1:3000".into(),
        policies: Default::default(), counts: Default::default(),
        trusted_proxies: Default::default(),
        sealing_key: Some(gatehouse_db::secrets::SealingKey::generate()),
    }
}

pub fn options() -> leptos::config::LeptosOptions {
    gatehouse_server::http::leptos_options("target/site", "127.0.0.1:3000".parse().unwrap())
}

/// A browser-like client: keeps cookies, reads the CSRF token off the pages.
pub struct Client<S> {
    pub svc: S,
    pub cookies: HashMap<String, String>,
    /// The TCP peer (default 127.0.0.1:40000).
    pub peer: Option<std::net::SocketAddr>,
    /// An `X-Forwarded-For` header sent with every request.
    pub forwarded_for: Option<String>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    pub fn csrf(&self) -> String {
        let i = self.body.find("name=\"csrf_token\" value=\"").expect("csrf field on the page") + 25;
        self.body[i..i + 64].to_string()
    }
}

impl<S, B> Client<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub fn new(svc: S) -> Self {
        Client { svc, cookies: HashMap::new(), peer: None, forwarded_for: None }
    }
    pub async fn send(&mut self, req: test::TestRequest) -> Resp {
        let mut req = req.peer_addr(self.peer.unwrap_or_else(|| "127.0.0.1:40000".parse().unwrap()));
        if let Some(f) = &self.forwarded_for {
            req = req.insert_header(("x-forwarded-for", f.clone()));
        }
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.insert_header((header::COOKIE, c.join("; ")));
        }
        let resp = test::call_service(&self.svc, req.to_request()).await;
        for c in resp.response().cookies() {
            if c.value().is_empty() {
                self.cookies.remove(c.name());
            } else {
                self.cookies.insert(c.name().to_string(), c.value().to_string());
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = String::from_utf8_lossy(&test::read_body(resp).await).to_string();
        Resp { status, headers, body }
    }
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(test::TestRequest::get().uri(path)).await
    }
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(test::TestRequest::post().uri(path).set_form(form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())).await
    }
    /// A browser's file upload: the form's fields, then the file.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file_name: &str, file: &str) -> Resp {
        let mut body = String::new();
        for (k, v) in fields {
            body.push_str(&format!("--XyZbound\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--XyZbound\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--XyZbound--\r\n"));
        self.send(test::TestRequest::post().uri(path).insert_header((header::CONTENT_TYPE, "multipart/form-data; boundary=XyZbound")).set_payload(body)).await
    }
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Resp {
        let mut page = self.get("/sign-in").await;
        if page.status == StatusCode::SEE_OTHER {
            // Already signed in: the form token is the session's.
            page = self.get("/orgs").await;
        }
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page.csrf();
        self.post("/auth/sign-in", &[("csrf_token", &csrf), ("email", email), ("password", password)]).await
    }
}

pub fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

pub async fn seeded(t: &TestDb) {
    seed::seed_demo(&t.db, 40, now()).unwrap();
}

/// A hung request fails the test instead of stalling the suite.
pub async fn within_limit(f: impl std::future::Future<Output = ()>) {
    actix_web::rt::time::timeout(std::time::Duration::from_secs(120), f).await.expect("the test hung: a request never completed");
}

macro_rules! http_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                let t = gatehouse_db::testing::TestDb::sqlite();
                crate::common::within_limit(super::$body(&t)).await;
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(t) = gatehouse_db::testing::TestDb::postgres() {
                    crate::common::within_limit(super::$body(&t)).await;
                }
            }
        }
    };
}

