//! Downloads written while they are read: a thread of its own with one database connection
//! writes the file a page of rows at a time into a small channel, and the response sends each
//! piece on as it comes (the tenant export, the audit log's CSV). Memory stays at a few pages
//! whatever the size; a reader who goes away stops the writer at its next piece.
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use gatehouse_app::state::AppState;
use gatehouse_db::{Conn, DbError};

/// Streams what `write` sends (`send` answers false once the reader has gone) as an attachment
/// named `file`.
pub fn attachment(state: &AppState, content_type: &str, file: String, write: impl FnOnce(&mut Conn<'_>, &dyn Fn(String) -> bool) -> Result<(), DbError> + Send + 'static) -> HttpResponse {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let db = state.db.clone();
    std::thread::spawn(move || {
        let send = |s: String| tx.blocking_send(Bytes::from(s)).is_ok();
        if let Err(e) = db.with(|c| write(c, &send)) {
            // The file is cut off: the reader sees it failed.
            tracing::error!(error = %e, "streamed export failed");
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx)) });
    HttpResponse::Ok()
        .content_type(content_type.to_string())
        .insert_header(("content-disposition", format!("attachment; filename=\"{file}\""))) // not user text: a header
        .insert_header(("cache-control", "no-store"))
        .streaming(body)
}
