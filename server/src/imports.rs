//! Inviting people from a CSV file (upload → preview → start → progress → report) and the
//! members export in the same format. Thin: the db crate checks, decides and writes; the
//! import runs batch after batch on the blocking pool, held by a lease so that the scheduled
//! round of any instance resumes an import whose instance died.
use crate::forms::{status_page, Caller};
use crate::redirect::see_other;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use gatehouse_app::state::AppState;
use gatehouse_db::imports;
use gatehouse_db::DbError;

/// How long a driver holds an import between two batches before another may take it over.
pub const LEASE_SECONDS: i64 = 120;
/// The largest file accepted (20 000 rows fit comfortably).
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/members.csv", web::get().to(export))
        .route("/o/{org}/imports", web::post().to(upload))
        .route("/o/{org}/imports/{id}/start", web::post().to(start))
        .route("/o/{org}/imports/{id}/discard", web::post().to(discard));
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| p.strip_prefix(key).and_then(|v| v.strip_prefix('='))).map(|v| v.trim_matches('"').to_string())
}

/// Reads a `multipart/form-data` body (RFC 7578) as browsers send it. `None` when it is not one.
pub fn multipart(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    if !content_type.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") {
        return None;
    }
    let boundary = param(content_type, "boundary")?;
    let delim = format!("--{boundary}").into_bytes();
    let next_delim = [b"\r\n".as_slice(), &delim].concat();
    let mut pos = find(body, &delim, 0)? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        pos = if body.get(pos..pos + 2) == Some(b"\r\n") { pos + 2 } else { return None };
        let end = find(body, &next_delim, pos)?;
        let part = &body[pos..end];
        let split = find(part, b"\r\n\r\n", 0).map(|i| (i, i + 4)).or_else(|| part.starts_with(b"\r\n").then_some((0, 2)))?;
        let headers = String::from_utf8_lossy(&part[..split.0]);
        let disposition = headers.split("\r\n").find(|h| h.to_ascii_lowercase().starts_with("content-disposition:"))?;
        parts.push(Part { name: param(disposition, "name")?, file_name: param(disposition, "filename"), data: part[split.1..].to_vec() });
        pos = end + next_delim.len();
    }
}

/// Uploads a file: stored as a preview, then its page. A file that cannot be read at all goes
/// back to the invitations page with the reason.
async fn upload(c: Caller, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let back = format!("/o/{}/invitations", c.org.slug);
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let file = multipart(ct, &body).and_then(|parts| parts.into_iter().find(|p| p.name == "file" && !p.data.is_empty()));
    let Some(file) = file else {
        let words = gatehouse_app::i18n::t(c.locale, gatehouse_app::i18n::Msg::FileNotCsv);
        return see_other(&format!("{back}?error={}", crate::middleware::encode(words)));
    };
    let text = imports::decode(&file.data);
    let file_name = file.file_name.unwrap_or_else(|| "upload.csv".into());
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| imports::upload(conn, org, p, by, &file_name, &text, actor, now)).await;
    match r {
        Ok((id, _)) => see_other(&format!("/o/{}/imports/{id}", c.org.slug)),
        Err(e) => c.back::<()>(&back, Err(e), &[]),
    }
}

async fn start(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| imports::start(conn, org, p, by, id, actor, now)).await;
    if r.is_ok() {
        let state = c.state.get_ref().clone();
        actix_web::rt::spawn(async move {
            if let Err(e) = drive(&state, Some(id)).await {
                tracing::error!(import = id, error = %e, "import stopped; the scheduled round resumes it");
            }
        });
    }
    c.back(&format!("/o/{}/imports/{id}", c.org.slug), r, &[])
}

async fn discard(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| imports::discard(conn, org, p, by, id, actor, now)).await;
    c.back(&format!("/o/{}/invitations", c.org.slug), r, &[])
}

/// Runs running imports nobody holds (`only`: that one) to their end. Returns how many.
pub async fn drive(state: &AppState, only: Option<i64>) -> Result<usize, String> {
    let (db, clock, url, counts) = (state.db.clone(), state.clock.clone(), state.public_url.clone(), state.counts.clone());
    web::block(move || -> Result<usize, DbError> {
        let lease = Duration::seconds(LEASE_SECONDS);
        let mut n = 0;
        while let Some(id) = db.with(|c| imports::claim(c, only, lease, clock.now()))? {
            imports::run(&db, id, &url, lease, || clock.now())?;
            counts.forget_all();
            n += 1;
            if only.is_some() {
                break;
            }
        }
        Ok(n)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// The members the caller may export (members.export for each), as CSV in the import's format.
async fn export(c: Caller) -> HttpResponse {
    let (db, policy, org, me, now) = (c.state.db.clone(), c.policy.clone(), c.org.id, c.m.id, c.now);
    match web::block(move || db.with(|conn| imports::export_for(conn, org, &policy, me, now))).await {
        Ok(Ok(people)) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-members.csv\"", c.org.slug)))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(gatehouse_domain::people::write_csv(&people)),
        Ok(Err(DbError::Denied(d))) => status_page(StatusCode::FORBIDDEN, &gatehouse_app::explain::denial(c.locale, &c.policy, &d)),
        _ => status_page(StatusCode::SERVICE_UNAVAILABLE, gatehouse_app::i18n::t(c.locale, gatehouse_app::i18n::Msg::ServiceUnavailable)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_browser_multipart_body() {
        let body = b"------b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\nemail,name\r\na@b.test,A\r\n\r\n------b--\r\n";
        let parts = multipart("multipart/form-data; boundary=----b", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("csrf_token", b"abc".as_slice()));
        assert_eq!(parts[1].file_name.as_deref(), Some("people.csv"));
        assert_eq!(parts[1].data, b"email,name\r\na@b.test,A\r\n");
        assert_eq!(multipart("application/x-www-form-urlencoded", body), None);
        assert_eq!(multipart("multipart/form-data; boundary=zzz", body), None, "a body without its boundary is not read");
    }
}
