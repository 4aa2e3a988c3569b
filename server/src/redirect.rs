//! The one way the server sends the browser elsewhere: a `303 See Other` to a path on this
//! origin. Every `Location` goes through [`gatehouse_domain::redirect::local_path`], so neither a
//! caller-supplied path (`next`, `back`) nor anything built from input can lead off the site or
//! put a character into the header that would fail it (a 500): an unsafe value goes to `/`.
use actix_web::http::header;
use actix_web::HttpResponse;
use gatehouse_domain::redirect::local_path;

pub fn see_other(location: &str) -> HttpResponse {
    let to = local_path(Some(location));
    if to != location {
        tracing::warn!("refused a redirect that would leave the site or break the header");
    }
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_string())).finish()
}

#[cfg(test)]
mod tests {
    use actix_web::http::{header, StatusCode};

    #[test]
    fn every_location_stays_on_the_site() {
        for (asked, sent) in [("/o/acme/members?done=1", "/o/acme/members?done=1"), ("/\t/evil.example/", "/"), ("/x\r\nSet-Cookie: a=b", "/"), ("//evil.example", "/")] {
            let r = super::see_other(asked);
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{asked:?}");
            assert_eq!(r.headers().get(header::LOCATION).unwrap().to_str().unwrap(), sent, "{asked:?}");
        }
    }
}
