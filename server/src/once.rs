//! A page that shows a secret the one time it exists in clear (a new API key, new recovery
//! codes): answered to the form post itself — never a redirect with the secret in a URL, never
//! stored to be shown later — not cached, no referrer, the site's styles and every word from the
//! catalogs.
use actix_web::http::header;
use actix_web::HttpResponse;
use gatehouse_domain::locale::Locale;

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// What the page says: a title, paragraphs, a warning, the secret values (each with a label,
/// shown in a read-only field), and the way back.
pub struct Once<'a> {
    pub locale: Locale,
    pub title: &'a str,
    pub paragraphs: Vec<String>,
    pub warning: &'a str,
    pub values: Vec<(String, String)>,
    pub after: Vec<String>,
    pub back: (&'a str, &'a str),
}

impl Once<'_> {
    pub fn response(&self) -> HttpResponse {
        let mut body = String::new();
        // not user text: the page's markup; every word comes from the catalogs
        body.push_str(&format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head><body><main id=\"main\" class=\"key-once narrow\"><h1>{}</h1>",
            self.locale.code(),
            escape(self.title),
            escape(self.title)
        ));
        for p in &self.paragraphs {
            body.push_str(&format!("<p>{}</p>", escape(p))); // not user text: markup
        }
        body.push_str(&format!("<div class=\"banner warn\" role=\"alert\">{}</div><ul class=\"secrets\">", escape(self.warning))); // not user text: markup
        for (i, (label, value)) in self.values.iter().enumerate() {
            body.push_str(&format!(
                "<li><label for=\"secret-{i}\">{}</label><br><input id=\"secret-{i}\" class=\"key-value\" readonly value=\"{}\" size=\"{}\"></li>", // not user text: markup
                escape(label),
                escape(value),
                value.chars().count().clamp(12, 90)
            ));
        }
        body.push_str("</ul>");
        for p in &self.after {
            body.push_str(&format!("<p class=\"muted small\">{}</p>", escape(p))); // not user text: markup
        }
        body.push_str(&format!("<p><a href=\"{}\">{}</a></p></main></body></html>", escape(self.back.0), escape(self.back.1))); // not user text: markup
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header(("referrer-policy", "no-referrer"))
            .body(body)
    }
}
