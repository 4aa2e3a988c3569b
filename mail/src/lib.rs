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
    /// While an account's sign-in is throttled (too many wrong passwords, perhaps someone
    /// else's): a single-use link that signs its owner in without the password.
    SignInLink { name: String, link: String, valid_minutes: i64 },
    /// An invitation to join an organization. `existing_identity`: the person already has a
    /// Gatehouse account and accepts by signing in with it.
    Invitation { name: String, inviter: String, org: String, link: String, expires: String, existing_identity: bool },
    /// The background user's reminder of an open invitation (a fresh link, same expiry).
    InvitationReminder { name: String, org: String, link: String, expires: String, existing_identity: bool },
    /// Sent to the new address: confirm it to make it the account's address.
    EmailChangeConfirm { name: String, new_email: String, link: String, valid_hours: i64 },
    /// Sent to the old address when a change is asked for, with a link that cancels it.
    EmailChangeRequested { name: String, new_email: String, link: String },
    /// Sent to the old address once the change is done.
    /// To the old address once a change is confirmed, with a link that undoes it for some days.
    EmailChanged { name: String, new_email: String, link: String, valid_days: i64 },
    /// To the restored address after an undone change: every session ended, the password was
    /// cleared; the link sets a new one.
    EmailChangeReverted { name: String, email: String, link: String, valid_hours: i64 },
    /// To each approver of a new access request; the link opens the request after sign-in.
    AccessRequested { approver: String, requester: String, org: String, what: String, justification: String, ends: Option<String>, link: String },
    /// The background user's reminder of a request still undecided.
    AccessRequestReminder { approver: String, requester: String, org: String, what: String, expires: String, link: String },
    /// To the requester: approved or denied, by whom, with the approver's comment.
    AccessRequestDecided { name: String, org: String, what: String, approved: bool, decided_by: String, comment: Option<String>, link: String },
    /// To the requester: an approved grant was taken back before its end, by whom, why.
    AccessRequestRevoked { name: String, org: String, what: String, revoked_by: String, comment: Option<String>, link: String },
    /// To the requester: nobody decided in time.
    AccessRequestExpired { name: String, org: String, what: String, link: String },
    /// To each compliance manager when a membership ends (and again on the reminder date):
    /// three links, each opening its page after sign-in — anonymize now, everything linked to
    /// the person, remind me on a date.
    MembershipEnded { manager: String, member: String, org: String, ended: String, reminder: bool, anonymize_link: String, linked_link: String, remind_link: String },
}

impl Mail {
    /// One example of every message in the catalog (snapshot tests render each in every
    /// language; a new message without an example fails them).
    pub fn examples() -> Vec<Mail> {
        let link = |p: &str| format!("https://gatehouse.example/{p}?token=TOKEN");
        vec![
            Mail::TestMessage { requested_by: "Olga Operator <ops@acme.test>".into() },
            Mail::PasswordReset { name: "Ada Lovelace".into(), link: link("reset-password"), valid_hours: 2 },
            Mail::SignInLink { name: "Ada Lovelace".into(), link: link("sign-in-link"), valid_minutes: 15 },
            Mail::Invitation {
                name: "Ada Lovelace".into(),
                inviter: "Grace Hopper".into(),
                org: "Acme".into(),
                link: link("invitation"),
                expires: "2026-12-01 09:00 UTC".into(),
                existing_identity: false,
            },
            Mail::Invitation {
                name: "Ada Lovelace".into(),
                inviter: "Grace Hopper".into(),
                org: "Acme".into(),
                link: link("invitation"),
                expires: "2026-12-01 09:00 UTC".into(),
                existing_identity: true,
            },
            Mail::InvitationReminder { name: "Ada Lovelace".into(), org: "Acme".into(), link: link("invitation"), expires: "2026-12-01 09:00 UTC".into(), existing_identity: false },
            Mail::InvitationReminder { name: "Ada Lovelace".into(), org: "Acme".into(), link: link("invitation"), expires: "2026-12-01 09:00 UTC".into(), existing_identity: true },
            Mail::EmailChangeConfirm { name: "Ada Lovelace".into(), new_email: "ada@new.example".into(), link: link("confirm-email"), valid_hours: 24 },
            Mail::EmailChangeRequested { name: "Ada Lovelace".into(), new_email: "ada@new.example".into(), link: link("cancel-email-change") },
            Mail::EmailChanged { name: "Ada Lovelace".into(), new_email: "ada@new.example".into(), link: link("cancel-email-change"), valid_days: 7 },
            Mail::EmailChangeReverted { name: "Ada Lovelace".into(), email: "ada@old.example".into(), link: link("reset-password"), valid_hours: 24 },
            Mail::AccessRequested {
                approver: "Dana Demo".into(),
                requester: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                what: "Role “Developer” at Sales".into(),
                justification: "I take over the route planning from January.".into(),
                ends: Some("2027-03-31".into()),
                link: "https://gatehouse.example/o/acme/requests/7".into(),
            },
            Mail::AccessRequestReminder {
                approver: "Dana Demo".into(),
                requester: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                what: "Role “Developer” at Sales".into(),
                expires: "2026-12-14 09:00 (Europe/Berlin)".into(),
                link: "https://gatehouse.example/o/acme/requests/7".into(),
            },
            Mail::AccessRequestDecided {
                name: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                what: "Role “Developer” at Sales".into(),
                approved: true,
                decided_by: "Dana Demo".into(),
                comment: Some("Welcome to the team.".into()),
                link: "https://gatehouse.example/o/acme/requests/7".into(),
            },
            Mail::AccessRequestDecided {
                name: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                what: "Role “Developer” at Sales".into(),
                approved: false,
                decided_by: "Dana Demo".into(),
                comment: None,
                link: "https://gatehouse.example/o/acme/requests/7".into(),
            },
            Mail::AccessRequestRevoked {
                name: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                what: "Role “Developer” at Sales".into(),
                revoked_by: "Dana Demo".into(),
                comment: Some("The project ended early.".into()),
                link: "https://gatehouse.example/o/acme/requests/7?link=1.1767225600.0f3c".into(),
            },
            Mail::AccessRequestExpired { name: "Max Mitglied".into(), org: "Acme Logistics".into(), what: "Role “Developer” at Sales".into(), link: "https://gatehouse.example/o/acme/requests/7".into() },
            Mail::MembershipEnded {
                manager: "Clara Compliance".into(),
                member: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                ended: "2026-11-30 17:00 (Europe/Berlin)".into(),
                reminder: false,
                anonymize_link: "https://gatehouse.example/o/acme/compliance/3/anonymize".into(),
                linked_link: "https://gatehouse.example/o/acme/compliance/3".into(),
                remind_link: "https://gatehouse.example/o/acme/compliance/3/remind".into(),
            },
            Mail::MembershipEnded {
                manager: "Clara Compliance".into(),
                member: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                ended: "2026-11-30 17:00 (Europe/Berlin)".into(),
                reminder: true,
                anonymize_link: "https://gatehouse.example/o/acme/compliance/3/anonymize".into(),
                linked_link: "https://gatehouse.example/o/acme/compliance/3".into(),
                remind_link: "https://gatehouse.example/o/acme/compliance/3/remind".into(),
            },
        ]
    }
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
    more: &'a [MoreLink],
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
    more: &'a [MoreLink],
    note: &'a str,
    footer: &'a str,
    public_url: &'a str,
}

/// A further link below the main button (a message that offers several things to do).
struct MoreLink {
    label: String,
    href: String,
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
    action_with(template, a, link, &[], locale, public_url)
}

fn action_with(template: &'static str, a: Action, link: &str, more: &[MoreLink], locale: Locale, public_url: &str) -> Result<Rendered, MailError> {
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
        more,
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
        more,
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
        Mail::SignInLink { name, link, valid_minutes } => {
            let a = match locale {
                Locale::En => Action {
                    subject: "Your Gatehouse sign-in link".into(),
                    heading: "Sign in to Gatehouse".into(),
                    greeting: format!("Hello {name},"),
                    body: "signing in to your account with a password is paused for a while: there were too many wrong passwords. If you asked for this link, it signs you in without the password.".into(),
                    link_label: "Sign in".into(),
                    note: format!("The link works once and for {valid_minutes} minutes. If you did not ask for it, someone may be guessing your password: ignore this message, and choose a strong password once you are signed in."),
                },
                Locale::De => Action {
                    subject: "Ihr Gatehouse-Anmeldelink".into(),
                    heading: "Bei Gatehouse anmelden".into(),
                    greeting: format!("Hallo {name},"),
                    body: "die Anmeldung mit Passwort ist für Ihr Konto vorübergehend gesperrt: Es wurden zu viele falsche Passwörter eingegeben. Wenn Sie diesen Link angefordert haben, meldet er Sie ohne Passwort an.".into(),
                    link_label: "Anmelden".into(),
                    note: format!("Der Link funktioniert einmal und {valid_minutes} Minuten lang. Wenn Sie ihn nicht angefordert haben, versucht vielleicht jemand, Ihr Passwort zu erraten: Ignorieren Sie diese Nachricht und wählen Sie nach der Anmeldung ein sicheres Passwort."),
                },
            };
            action("sign_in_link", a, link, locale, public_url)
        }
        Mail::Invitation { name, inviter, org, link, expires, existing_identity } => {
            let a = match locale {
                Locale::En => Action {
                    subject: format!("{inviter} invites you to {org} on Gatehouse"),
                    heading: format!("Join {org}"),
                    greeting: format!("Hello {name},"),
                    body: format!("{inviter} invites you to join {org} on Gatehouse, where {org} manages who may do what."),
                    link_label: "Accept the invitation".into(),
                    note: if *existing_identity {
                        format!("You already have a Gatehouse account with this address: accept by signing in with it. The link works once, until {expires}.")
                    } else {
                        format!("You will choose your password when you accept. The link works once, until {expires}.")
                    },
                },
                Locale::De => Action {
                    subject: format!("{inviter} lädt Sie zu {org} auf Gatehouse ein"),
                    heading: format!("{org} beitreten"),
                    greeting: format!("Hallo {name},"),
                    body: format!("{inviter} lädt Sie ein, {org} auf Gatehouse beizutreten. Dort verwaltet {org}, wer was darf."),
                    link_label: "Einladung annehmen".into(),
                    note: if *existing_identity {
                        format!("Sie haben mit dieser Adresse bereits ein Gatehouse-Konto: Sie nehmen an, indem Sie sich damit anmelden. Der Link funktioniert einmal, bis {expires}.")
                    } else {
                        format!("Ihr Passwort legen Sie beim Annehmen fest. Der Link funktioniert einmal, bis {expires}.")
                    },
                },
            };
            action("invitation", a, link, locale, public_url)
        }
        Mail::InvitationReminder { name, org, link, expires, existing_identity } => {
            let a = match locale {
                Locale::En => Action {
                    subject: format!("Reminder: your invitation to {org}"),
                    heading: format!("Your invitation to {org} is waiting"),
                    greeting: format!("Hello {name},"),
                    body: format!("you were invited to join {org} on Gatehouse and have not accepted yet."),
                    link_label: "Accept the invitation".into(),
                    note: if *existing_identity {
                        format!("Accept by signing in with your Gatehouse account. This link replaces the earlier one and works once, until {expires}.")
                    } else {
                        format!("This link replaces the earlier one and works once, until {expires}.")
                    },
                },
                Locale::De => Action {
                    subject: format!("Erinnerung: Ihre Einladung zu {org}"),
                    heading: format!("Ihre Einladung zu {org} wartet"),
                    greeting: format!("Hallo {name},"),
                    body: format!("Sie wurden eingeladen, {org} auf Gatehouse beizutreten, und haben noch nicht angenommen."),
                    link_label: "Einladung annehmen".into(),
                    note: if *existing_identity {
                        format!("Sie nehmen an, indem Sie sich mit Ihrem Gatehouse-Konto anmelden. Dieser Link ersetzt den früheren und funktioniert einmal, bis {expires}.")
                    } else {
                        format!("Dieser Link ersetzt den früheren und funktioniert einmal, bis {expires}.")
                    },
                },
            };
            action("invitation_reminder", a, link, locale, public_url)
        }
        Mail::EmailChangeConfirm { name, new_email, link, valid_hours } => {
            let a = match locale {
                Locale::En => Action {
                    subject: "Confirm your new Gatehouse email address".into(),
                    heading: "Confirm your new address".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("you asked to use {new_email} for your Gatehouse account. Confirm it with the link below; until then your old address stays in use."),
                    link_label: "Confirm this address".into(),
                    note: format!("The link works once and for {valid_hours} hours. If you did not ask for this, ignore this message."),
                },
                Locale::De => Action {
                    subject: "Neue E-Mail-Adresse für Gatehouse bestätigen".into(),
                    heading: "Neue Adresse bestätigen".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("Sie möchten {new_email} für Ihr Gatehouse-Konto verwenden. Bestätigen Sie die Adresse über den folgenden Link; bis dahin bleibt Ihre bisherige Adresse gültig."),
                    link_label: "Adresse bestätigen".into(),
                    note: format!("Der Link funktioniert einmal und {valid_hours} Stunden lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht."),
                },
            };
            action("email_change_confirm", a, link, locale, public_url)
        }
        Mail::EmailChangeRequested { name, new_email, link } => {
            let a = match locale {
                Locale::En => Action {
                    subject: "Your Gatehouse email address is about to change".into(),
                    heading: "Email address change requested".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("someone signed in to your Gatehouse account asked to change its address to {new_email}. The change happens once the new address is confirmed."),
                    link_label: "This was not me: cancel the change".into(),
                    note: "If it was you, there is nothing to do here.".into(),
                },
                Locale::De => Action {
                    subject: "Ihre Gatehouse-E-Mail-Adresse soll geändert werden".into(),
                    heading: "Änderung der E-Mail-Adresse angefordert".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("In Ihrem angemeldeten Gatehouse-Konto wurde angefordert, die Adresse auf {new_email} zu ändern. Die Änderung erfolgt, sobald die neue Adresse bestätigt ist."),
                    link_label: "Das war ich nicht: Änderung abbrechen".into(),
                    note: "Wenn Sie es waren, ist hier nichts zu tun.".into(),
                },
            };
            action("email_change_requested", a, link, locale, public_url)
        }
        Mail::AccessRequested { approver, requester, org, what, justification, ends, link } => {
            let a = match locale {
                Locale::En => Action {
                    subject: format!("{requester} asks for access in {org}"),
                    heading: "An access request to decide".into(),
                    greeting: format!("Hello {approver},"),
                    body: format!(
                        "{requester} asks for: {what}{}. Their reason: “{justification}”\n\nYou are one of the people who can decide it; the first decision counts.",
                        ends.as_ref().map(|e| format!(", until {e}")).unwrap_or_default()
                    ),
                    link_label: "Open the request".into(),
                    note: "The link opens the request after you sign in; it decides nothing by itself.".into(),
                },
                Locale::De => Action {
                    subject: format!("{requester} bittet um Zugriff in {org}"),
                    heading: "Eine Zugriffsanfrage zur Entscheidung".into(),
                    greeting: format!("Hallo {approver},"),
                    body: format!(
                        "{requester} bittet um: {what}{}. Begründung: „{justification}“\n\nSie gehören zu denen, die darüber entscheiden können; die erste Entscheidung gilt.",
                        ends.as_ref().map(|e| format!(", bis {e}")).unwrap_or_default()
                    ),
                    link_label: "Anfrage öffnen".into(),
                    note: "Der Link öffnet die Anfrage nach der Anmeldung; er entscheidet nichts von selbst.".into(),
                },
            };
            action("access_requested", a, link, locale, public_url)
        }
        Mail::AccessRequestReminder { approver, requester, org, what, expires, link } => {
            let a = match locale {
                Locale::En => Action {
                    subject: format!("Reminder: {requester} is waiting for a decision in {org}"),
                    heading: "An access request is still open".into(),
                    greeting: format!("Hello {approver},"),
                    body: format!("{requester} still waits for a decision on: {what}. Without one, the request expires on {expires}."),
                    link_label: "Open the request".into(),
                    note: "The link opens the request after you sign in; it decides nothing by itself.".into(),
                },
                Locale::De => Action {
                    subject: format!("Erinnerung: {requester} wartet auf eine Entscheidung in {org}"),
                    heading: "Eine Zugriffsanfrage ist noch offen".into(),
                    greeting: format!("Hallo {approver},"),
                    body: format!("{requester} wartet noch auf eine Entscheidung über: {what}. Ohne Entscheidung läuft die Anfrage am {expires} ab."),
                    link_label: "Anfrage öffnen".into(),
                    note: "Der Link öffnet die Anfrage nach der Anmeldung; er entscheidet nichts von selbst.".into(),
                },
            };
            action("access_request_reminder", a, link, locale, public_url)
        }
        Mail::AccessRequestDecided { name, org, what, approved, decided_by, comment, link } => {
            let a = match (locale, approved) {
                (Locale::En, true) => Action {
                    subject: format!("Your access request in {org} was approved"),
                    heading: "Request approved".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("{decided_by} approved your request for: {what}. It applies from now on.{}", comment.as_ref().map(|c| format!(" Comment: “{c}”")).unwrap_or_default()),
                    link_label: "See your request".into(),
                    note: String::new(),
                },
                (Locale::En, false) => Action {
                    subject: format!("Your access request in {org} was denied"),
                    heading: "Request denied".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("{decided_by} denied your request for: {what}.{}", comment.as_ref().map(|c| format!(" Comment: “{c}”")).unwrap_or_default()),
                    link_label: "See your request".into(),
                    note: "You may ask again with more detail.".into(),
                },
                (Locale::De, true) => Action {
                    subject: format!("Ihre Zugriffsanfrage in {org} wurde genehmigt"),
                    heading: "Anfrage genehmigt".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("{decided_by} hat Ihre Anfrage genehmigt: {what}. Sie gilt ab sofort.{}", comment.as_ref().map(|c| format!(" Kommentar: „{c}“")).unwrap_or_default()),
                    link_label: "Anfrage ansehen".into(),
                    note: String::new(),
                },
                (Locale::De, false) => Action {
                    subject: format!("Ihre Zugriffsanfrage in {org} wurde abgelehnt"),
                    heading: "Anfrage abgelehnt".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("{decided_by} hat Ihre Anfrage abgelehnt: {what}.{}", comment.as_ref().map(|c| format!(" Kommentar: „{c}“")).unwrap_or_default()),
                    link_label: "Anfrage ansehen".into(),
                    note: "Sie können mit mehr Details erneut fragen.".into(),
                },
            };
            action("access_request_decided", a, link, locale, public_url)
        }
        Mail::MembershipEnded { manager, member, org, ended, reminder, anonymize_link, linked_link, remind_link } => {
            let (a, more) = match locale {
                Locale::En => (
                    Action {
                        subject: if *reminder { format!("Reminder: {member} left {org} — anonymize?") } else { format!("{member} left {org} — anonymize?") },
                        heading: if *reminder { "A former member is still waiting for you".into() } else { "A membership ended".into() },
                        greeting: format!("Hello {manager},"),
                        body: format!("The membership of {member} in {org} ended on {ended}. As a compliance manager you decide when their personal data is replaced by a pseudonym."),
                        link_label: "Anonymize now".into(),
                        note: "Each link opens its page after you sign in; nothing happens until you confirm there.".into(),
                    },
                    vec![
                        MoreLink { label: "Show everything linked to this person".into(), href: linked_link.clone() },
                        MoreLink { label: "Remind me on a date".into(), href: remind_link.clone() },
                    ],
                ),
                Locale::De => (
                    Action {
                        subject: if *reminder { format!("Erinnerung: {member} hat {org} verlassen – anonymisieren?") } else { format!("{member} hat {org} verlassen – anonymisieren?") },
                        heading: if *reminder { "Ein ehemaliges Mitglied wartet noch auf Sie".into() } else { "Eine Mitgliedschaft wurde beendet".into() },
                        greeting: format!("Hallo {manager},"),
                        body: format!("Die Mitgliedschaft von {member} in {org} endete am {ended}. Als Compliance-Verantwortliche(r) entscheiden Sie, wann die personenbezogenen Daten durch ein Pseudonym ersetzt werden."),
                        link_label: "Jetzt anonymisieren".into(),
                        note: "Jeder Link öffnet seine Seite nach der Anmeldung; es geschieht nichts, bevor Sie dort bestätigen.".into(),
                    },
                    vec![
                        MoreLink { label: "Alles anzeigen, was mit dieser Person verknüpft ist".into(), href: linked_link.clone() },
                        MoreLink { label: "An einem Datum erinnern".into(), href: remind_link.clone() },
                    ],
                ),
            };
            action_with(if *reminder { "compliance_reminder" } else { "membership_ended" }, a, anonymize_link, &more, locale, public_url)
        }
        Mail::AccessRequestRevoked { name, org, what, revoked_by, comment, link } => {
            let a = match locale {
                Locale::En => Action {
                    subject: format!("Your access in {org} was revoked"),
                    heading: "Access revoked".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("{revoked_by} revoked what your request had granted: {what}. It no longer applies.{}", comment.as_ref().map(|c| format!(" Comment: “{c}”")).unwrap_or_default()),
                    link_label: "See your request".into(),
                    note: "If you still need it, you may ask again.".into(),
                },
                Locale::De => Action {
                    subject: format!("Ihr Zugriff in {org} wurde entzogen"),
                    heading: "Zugriff entzogen".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("{revoked_by} hat entzogen, was Ihre Anfrage gewährt hatte: {what}. Es gilt nicht mehr.{}", comment.as_ref().map(|c| format!(" Kommentar: „{c}“")).unwrap_or_default()),
                    link_label: "Anfrage ansehen".into(),
                    note: "Wenn Sie es weiterhin brauchen, können Sie erneut fragen.".into(),
                },
            };
            action("access_request_revoked", a, link, locale, public_url)
        }
        Mail::AccessRequestExpired { name, org, what, link } => {
            let a = match locale {
                Locale::En => Action {
                    subject: format!("Your access request in {org} expired"),
                    heading: "Request expired".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("Nobody decided your request for {what} in time, so it expired. It was not denied: you may ask again."),
                    link_label: "See your request".into(),
                    note: String::new(),
                },
                Locale::De => Action {
                    subject: format!("Ihre Zugriffsanfrage in {org} ist abgelaufen"),
                    heading: "Anfrage abgelaufen".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("Über Ihre Anfrage ({what}) hat niemand rechtzeitig entschieden, daher ist sie abgelaufen. Sie wurde nicht abgelehnt: Sie können erneut fragen."),
                    link_label: "Anfrage ansehen".into(),
                    note: String::new(),
                },
            };
            action("access_request_expired", a, link, locale, public_url)
        }
        Mail::EmailChanged { name, new_email, link, valid_days } => {
            let a = match locale {
                Locale::En => Action {
                    subject: "Your Gatehouse email address was changed".into(),
                    heading: "Email address changed".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("your Gatehouse account now uses {new_email}. This address no longer signs in."),
                    link_label: "Not you? Undo the change".into(),
                    note: format!("The link works for {valid_days} days. Undoing the change gives the account this address back, ends every session and asks for a new password."),
                },
                Locale::De => Action {
                    subject: "Ihre Gatehouse-E-Mail-Adresse wurde geändert".into(),
                    heading: "E-Mail-Adresse geändert".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("Ihr Gatehouse-Konto verwendet jetzt {new_email}. Mit dieser Adresse ist keine Anmeldung mehr möglich."),
                    link_label: "Das waren nicht Sie? Änderung rückgängig machen".into(),
                    note: format!("Der Link gilt {valid_days} Tage. Wird die Änderung rückgängig gemacht, erhält das Konto diese Adresse zurück, alle Sitzungen enden und ein neues Passwort muss gesetzt werden."),
                },
            };
            action("email_changed", a, link, locale, public_url)
        }
        Mail::EmailChangeReverted { name, email, link, valid_hours } => {
            let a = match locale {
                Locale::En => Action {
                    subject: "Your Gatehouse email address was changed back".into(),
                    heading: "Address change undone".into(),
                    greeting: format!("Hello {name},"),
                    body: format!("your Gatehouse account uses {email} again. Every session was ended and the password was cleared, so whoever made the change can no longer sign in."),
                    link_label: "Set a new password".into(),
                    note: format!("The link works for {valid_hours} hours. Tell your organization's administrators what happened."),
                },
                Locale::De => Action {
                    subject: "Ihre Gatehouse-E-Mail-Adresse wurde zurückgesetzt".into(),
                    heading: "Adressänderung rückgängig gemacht".into(),
                    greeting: format!("Hallo {name},"),
                    body: format!("Ihr Gatehouse-Konto verwendet wieder {email}. Alle Sitzungen wurden beendet und das Passwort gelöscht, damit sich niemand mehr mit der Änderung anmelden kann."),
                    link_label: "Neues Passwort setzen".into(),
                    note: format!("Der Link gilt {valid_hours} Stunden. Informieren Sie die Verwaltung Ihrer Organisation über den Vorfall."),
                },
            };
            action("email_change_reverted", a, link, locale, public_url)
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
