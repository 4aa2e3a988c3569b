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

/// The one redirect off the site: to a single sign-on provider's authorization endpoint, whose
/// URL comes from the provider's discovery document (an administrator's configured issuer), never
/// from the request. Only `https://`, or `http://` on the loopback (as issuers are checked).
pub fn to_identity_provider(url: &openidconnect::url::Url) -> HttpResponse {
    let loopback = url.host_str().is_some_and(|h| h == "localhost" || h.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        tracing::warn!("refused to send a browser to a provider endpoint that is not https");
        return see_other("/sign-in?error=sso_unreachable");
    }
    HttpResponse::SeeOther().insert_header((header::LOCATION, url.as_str().to_string())).finish()
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

    #[test]
    fn providers_are_reached_over_https_or_on_the_loopback() {
        for (url, sent) in [
            ("https://login.example.com/authorize?x=1", "https://login.example.com/authorize?x=1"),
            ("http://127.0.0.1:9000/auth", "http://127.0.0.1:9000/auth"),
            ("http://evil.example/auth", "/sign-in?error=sso_unreachable"),
            ("javascript:alert(1)", "/sign-in?error=sso_unreachable"),
        ] {
            let r = super::to_identity_provider(&openidconnect::url::Url::parse(url).unwrap());
            assert_eq!(r.headers().get(header::LOCATION).unwrap().to_str().unwrap(), sent, "{url}");
        }
    }
}
