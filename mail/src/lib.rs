//! Gatehouse's email. Messages are rendered from askama templates (an HTML part and a plain-text
//! part, in the recipient's language) and sent over SMTP with lettre. Queuing, retries and
//! "exactly once per row" live in the outbox (db crate) and its worker (server crate).
use askama::Template;
use gatehouse_domain::locale::Locale;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("cannot render the message: {0}")]
    Render(String),
    #[error("invalid address {0}")]
    Address(String),
    #[error("SMTP configuration: {0}")]
    Config(String),
    #[error("SMTP: {0}")]
    Send(String),
}

/// A rendered message, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub template: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The catalog of messages. Each carries what its template needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mail {
    /// Sent by an operator (`gatehouse send-test-mail`) to prove the SMTP settings work.
    TestMessage { requested_by: String },
    /// A link to choose a new password (single use, expiring). Sent only to known addresses;
    /// the page that asks for it answers the same either way.
    PasswordReset { name: String, link: String, valid_hours: i64 },
}

/// A message with one call to action (heading, greeting, text, a button link, a note).
#[derive(Template)]
#[template(path = "action.html")]
struct ActionHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    heading: &'a str,
    greeting: &'a str,
    body: &'a str,
    link: &'a str,
    link_label: &'a str,
    link_hint: &'a str,
    note: &'a str,
    footer: &'a str,
    public_url: &'a str,
}

#[derive(Template)]
#[template(path = "action.txt", escape = "none")]
struct ActionText<'a> {
    heading: &'a str,
    greeting: &'a str,
    body: &'a str,
    link: &'a str,
    link_label: &'a str,
    note: &'a str,
    footer: &'a str,
    public_url: &'a str,
}

struct Action {
    subject: String,
    heading: String,
    greeting: String,
    body: String,
    link_label: String,
    note: String,
}

fn action(template: &'static str, a: Action, link: &str, locale: Locale, public_url: &str) -> Result<Rendered, MailError> {
    let err = |e: askama::Error| MailError::Render(e.to_string());
    let hint = match locale {
        Locale::En => "If the button does not work, copy this address into your browser:",
        Locale::De => "Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:",
    };
    let html = ActionHtml {
        lang: locale.code(),
        subject: &a.subject,
        heading: &a.heading,
        greeting: &a.greeting,
        body: &a.body,
        link,
        link_label: &a.link_label,
        link_hint: hint,
        note: &a.note,
        footer: footer(locale),
        public_url,
    }
    .render()
    .map_err(err)?;
    let text = ActionText {
        heading: &a.heading,
        greeting: &a.greeting,
        body: &a.body,
        link,
        link_label: &a.link_label,
        note: &a.note,
        footer: footer(locale),
        public_url,
    }
    .render()
    .map_err(err)?;
    Ok(Rendered { template, subject: a.subject, text, html })
}

#[derive(Template)]
#[template(path = "test_message.html")]
struct TestHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    heading: &'a str,
    body: &'a str,
    requested_by: &'a str,
    footer: &'a str,
    public_url: &'a str,
}

#[derive(Template)]
#[template(path = "test_message.txt", escape = "none")]
struct TestText<'a> {
    heading: &'a str,
    body: &'a str,
    requested_by: &'a str,
    footer: &'a str,
    public_url: &'a str,
}

fn footer(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "This message was sent by Gatehouse.",
        Locale::De => "Diese Nachricht wurde von Gatehouse gesendet.",
    }
}

/// Renders a message in the recipient's language. Links are absolute, from `public_url`.
pub fn render(mail: &Mail, locale: Locale, public_url: &str) -> Result<Rendered, MailError> {
    let err = |e: askama::Error| MailError::Render(e.to_string());
    match mail {
        Mail::TestMessage { requested_by } => {
            let (subject, heading, body, by) = match locale {
                Locale::En => (
                    "Gatehouse test message",
                    "Mail delivery works",
                    "This is a test message. If you can read it, Gatehouse can send mail to this address.",
                    format!("Requested by {requested_by}."),
                ),
                Locale::De => (
                    "Gatehouse-Testnachricht",
                    "Der Mailversand funktioniert",
                    "Dies ist eine Testnachricht. Wenn Sie sie lesen können, kann Gatehouse an diese Adresse senden.",
                    format!("Angefordert von {requested_by}."),
                ),
            };
            let html = TestHtml {
                lang: locale.code(),
                subject,
                heading,
                body,
                requested_by: &by,
                footer: footer(locale),
                public_url,
            }
            .render()
            .map_err(err)?;
            let text = TestText { heading, body, requested_by: &by, footer: footer(locale), public_url }.render().map_err(err)?;
            Ok(Rendered { template: "test_message", subject: subject.to_string(), text, html })
        }
        Mail::PasswordReset { name, link, valid_hours } => {
            let a = match locale {
                Locale::En => Action {
                    subject: "Choose a new Gatehouse password".into(),
                    heading: "Choose a new password".into(),
                    greeting: format!("Hello {name},"),
                    body: "someone asked to reset the password of your Gatehouse account. If it was you, choose a new password with the link below.".into(),
                    link_label: "Choose a new password".into(),
                    note: format!("The link works once and for {valid_hours} hours. If you did not ask for it, ignore this message: your password stays as it is."),
                },
                Locale::De => Action {
                    subject: "Neues Gatehouse-Passwort festlegen".into(),
                    heading: "Neues Passwort festlegen".into(),
                    greeting: format!("Hallo {name},"),
                    body: "jemand hat angefordert, das Passwort Ihres Gatehouse-Kontos zurückzusetzen. Wenn Sie das waren, legen Sie über den folgenden Link ein neues Passwort fest.".into(),
                    link_label: "Neues Passwort festlegen".into(),
                    note: format!("Der Link funktioniert einmal und {valid_hours} Stunden lang. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert."),
                },
            };
            action("password_reset", a, link, locale, public_url)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP (a relay on the same host, or the test capture server).
    None,
    StartTls,
    /// Implicit TLS (SMTPS, usually port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Result<Self, MailError> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "plain" | "" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" | "smtps" => Ok(TlsMode::Tls),
            other => Err(MailError::Config(format!("unknown TLS mode `{other}` (none, starttls or tls)"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    /// SMTP connections used at once (the outbox worker sends this many messages in parallel).
    pub connections: u32,
}

/// A pooled SMTP connection to the configured server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    connections: usize,
}

impl Mailer {
    pub fn new(cfg: &SmtpConfig) -> Result<Self, MailError> {
        let from: Mailbox = cfg.from.parse().map_err(|_| MailError::Address(cfg.from.clone()))?;
        let builder = match cfg.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host).map_err(|e| MailError::Config(e.to_string()))?,
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host).map_err(|e| MailError::Config(e.to_string()))?,
        };
        let mut builder = builder.port(cfg.port).timeout(Some(std::time::Duration::from_secs(20)));
        if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        // One pooled connection per message sent in parallel by the outbox worker.
        let connections = cfg.connections.clamp(1, 256);
        let builder = builder.pool_config(lettre::transport::smtp::PoolConfig::new().max_size(connections));
        Ok(Mailer { transport: builder.build(), from, connections: connections as usize })
    }

    /// How many messages may be sent at once.
    pub fn connections(&self) -> usize {
        self.connections
    }

    /// Sends one message. `message_id` is stable per outbox row, so a retry is recognisable.
    pub async fn send(&self, to: &str, message_id: &str, r: &Rendered) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_string()))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(r.subject.clone())
            .message_id(Some(message_id.to_string()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(r.text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(r.html.clone())),
            )
            .map_err(|e| MailError::Render(e.to_string()))?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| MailError::Send(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_reset_text_parts_in_both_languages() {
        let m = Mail::PasswordReset { name: "Olga".into(), link: "https://gh.example/reset-password?token=abc".into(), valid_hours: 2 };
        let en = render(&m, Locale::En, "https://gh.example").unwrap();
        assert_eq!(
            en.text,
            "Choose a new password\n\nHello Olga,\n\nsomeone asked to reset the password of your Gatehouse account. If it was you, choose a new password with the link below.\n\nChoose a new password:\nhttps://gh.example/reset-password?token=abc\n\nThe link works once and for 2 hours. If you did not ask for it, ignore this message: your password stays as it is.\n\n-- \nThis message was sent by Gatehouse. https://gh.example"
        );
        let de = render(&m, Locale::De, "https://gh.example").unwrap();
        assert_eq!(de.subject, "Neues Gatehouse-Passwort festlegen");
        assert!(de.text.starts_with("Neues Passwort festlegen\n\nHallo Olga,\n\njemand hat angefordert"));
        assert!(de.text.contains("Neues Passwort festlegen:\nhttps://gh.example/reset-password?token=abc\n\nDer Link funktioniert einmal und 2 Stunden lang."));
        assert!(de.html.contains("lang=\"de\"") && de.html.contains("href=\"https://gh.example/reset-password?token=abc\""));
    }

    #[test]
    fn test_message_renders_in_both_languages_with_escaping() {
        let m = Mail::TestMessage { requested_by: "Olga <ops@acme.test>".into() };
        let en = render(&m, Locale::En, "https://gatehouse.example").unwrap();
        assert_eq!(en.subject, "Gatehouse test message");
        assert!(en.text.starts_with("Mail delivery works\n\nThis is a test message."));
        assert!(en.text.contains("Requested by Olga <ops@acme.test>."), "{}", en.text);
        assert!(en.html.contains("lang=\"en\"") && en.html.contains("Olga &#60;ops@acme.test&#62;") || en.html.contains("Olga &lt;ops@acme.test&gt;"), "{}", en.html);
        assert!(en.html.contains("href=\"https://gatehouse.example\""));
        let de = render(&m, Locale::De, "https://gatehouse.example").unwrap();
        assert_eq!(de.subject, "Gatehouse-Testnachricht");
        assert!(de.text.contains("Angefordert von Olga <ops@acme.test>.") && de.html.contains("lang=\"de\""));
        assert!(TlsMode::parse("STARTTLS").is_ok() && TlsMode::parse("ssl3").is_err());
    }
}
