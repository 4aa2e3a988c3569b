//! Gatehouse's email. Messages are rendered from askama templates (an HTML part and a plain-text
//! part, in the recipient's language) and sent over SMTP with lettre. Queuing, retries and
//! "exactly once per row" live in the outbox (db crate) and its worker (server crate).
use askama::Template;
use gatehouse_domain::locale::Locale;
use gatehouse_locales::{t, tf, Msg};
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
    /// To the organization's owners: a platform staff member signed in as an administrator for
    /// support, why and until when; the link opens the settings where it can be ended or support
    /// access switched off.
    SupportAccessStarted { name: String, staff: String, org: String, reason: String, until: String, link: String },
    /// To the co-owners, administrators and both owners: platform staff handed the
    /// organization's ownership to another member (its owner had left), and why.
    OwnerRecovered { name: String, staff: String, org: String, new_owner: String, reason: String, link: String },
    /// To the owners: the organization will be deleted on `due` (scheduled by platform staff,
    /// for `reason`); until then it can be cancelled through Gatehouse support.
    DeletionScheduled { name: String, staff: String, org: String, reason: String, due: String },
    /// To each reviewer when an access review starts: how many assignments are theirs to keep or
    /// revoke, and by when; the link opens the review after sign-in.
    ReviewAssigned { name: String, org: String, review: String, items: i64, deadline: String, link: String },
    /// To each staff member who reviews platform staff, when a staff access review starts
    /// (`reminder`: two days before its deadline, while items are still open): how many staff
    /// roles are theirs to keep or reduce, and by when; the link opens it after signing in.
    StaffReviewAssigned { name: String, items: i64, deadline: String, reminder: bool, link: String },
    /// The background user's reminder, two days before the deadline, to each reviewer who still
    /// has items to decide.
    ReviewReminder { name: String, org: String, review: String, items: i64, deadline: String, link: String },
    /// The background user's reminder about a policy to accept or a training to complete: a week
    /// before its due date, and once more when it has passed.
    PolicyReminder { name: String, org: String, title: String, training: bool, due: String, overdue: bool, link: String },
    /// The background user's digest for one period: aggregate figures of the organization (or of
    /// a unit and everything below it), never names. `frequency` is `weekly`, `monthly` or
    /// `quarterly`; `from` and `to` are the period's first and last day; `review` is the decided
    /// and all items of running access reviews (none when nothing is under review).
    Digest {
        name: String,
        org: String,
        scope: Option<String>,
        frequency: String,
        from: String,
        to: String,
        figures: gatehouse_domain::digests::Figures,
        link: String,
        manage_link: String,
        unsubscribe_link: String,
    },
}

impl Mail {
    /// One example of every message in the catalog (snapshot tests render each in every
    /// language; a new message without an example fails them).
    pub fn examples() -> Vec<Mail> {
        let link = |p: &str| format!("https://gatehouse.example/{p}?token=TOKEN");
        vec![
            Mail::TestMessage { requested_by: "Olga Operator <ops@acme.test>".into() },
            Mail::ReviewAssigned {
                name: "Dana Demo".into(),
                org: "Acme Logistics".into(),
                review: "Quarterly review of Sales".into(), // not user text: an example for the snapshots
                items: 7,
                deadline: "2026-12-19 09:00 UTC".into(),
                link: link("o/acme/reviews/3"),
            },
            Mail::StaffReviewAssigned { name: "Mia Management".into(), items: 3, deadline: "2026-12-19 09:00 UTC".into(), reminder: false, link: link("staff/reviews/2") },
            Mail::StaffReviewAssigned { name: "Mia Management".into(), items: 1, deadline: "2026-12-19 09:00 UTC".into(), reminder: true, link: link("staff/reviews/2") },
            Mail::PolicyReminder {
                name: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                title: "Yearly information security training".into(), // not user text: an example for the snapshots
                training: true,
                due: "2026-12-31 17:00 (Europe/Berlin)".into(),
                overdue: false,
                link: "https://gatehouse.example/o/acme/policies".into(),
            },
            Mail::PolicyReminder {
                name: "Max Mitglied".into(),
                org: "Acme Logistics".into(),
                title: "Guidebook: instructions for working with customer data".into(), // not user text: an example for the snapshots
                training: false,
                due: "2026-11-30 17:00 (Europe/Berlin)".into(),
                overdue: true,
                link: "https://gatehouse.example/o/acme/policies".into(),
            },
            Mail::Digest {
                name: "Dana Demo".into(),
                org: "Acme Logistics".into(),
                scope: None,
                frequency: "monthly".into(),
                from: "2026-11-01".into(),
                to: "2026-11-30".into(),
                figures: gatehouse_domain::digests::Figures { joined: 4, left: 1, active: 212, pending_requests: 3, expiring_grants: 7, open_cases: 1, review_decided: 40, review_items: 55 },
                link: "https://gatehouse.example/o/acme/dashboard".into(),
                manage_link: "https://gatehouse.example/o/acme/digests".into(),
                unsubscribe_link: link("digests/unsubscribe"),
            },
            Mail::Digest {
                name: "Tom Teamlead".into(),
                org: "Acme Logistics".into(),
                scope: Some("Sales".into()),
                frequency: "weekly".into(),
                from: "2026-11-23".into(),
                to: "2026-11-29".into(),
                figures: gatehouse_domain::digests::Figures { joined: 0, left: 0, active: 18, pending_requests: 0, expiring_grants: 2, open_cases: 0, review_decided: 0, review_items: 0 },
                link: "https://gatehouse.example/o/acme/dashboard".into(),
                manage_link: "https://gatehouse.example/o/acme/digests".into(),
                unsubscribe_link: link("digests/unsubscribe"),
            },
            Mail::ReviewReminder {
                name: "Dana Demo".into(),
                org: "Acme Logistics".into(),
                review: "Quarterly review of Sales".into(), // not user text: an example for the snapshots
                items: 2,
                deadline: "2026-12-19 09:00 UTC".into(),
                link: link("o/acme/reviews/3"),
            },
            Mail::SupportAccessStarted {
                name: "Dana Demo".into(),
                staff: "Sam Support".into(),
                org: "Acme Logistics".into(),
                reason: "Ticket 4711: the import of the new hires fails".into(), // not user text: an example for the snapshots
                until: "2026-12-04 10:00 UTC".into(),
                link: link("o/acme/settings"),
            },
            Mail::OwnerRecovered {
                name: "Grace Hopper".into(),
                staff: "Sam Support".into(),
                org: "Acme Logistics".into(),
                new_owner: "Ada Lovelace".into(),
                reason: "Ticket 4720: the owner left the company; the managing director asked for it in writing".into(), // not user text: an example for the snapshots
                link: link("o/acme/org-roles"),
            },
            Mail::DeletionScheduled {
                name: "Dana Demo".into(),
                staff: "Sid Sysadmin".into(),
                org: "Acme Logistics".into(),
                reason: "Contract ended on 30 November; the customer asked for deletion".into(), // not user text: an example for the snapshots
                due: "2027-01-03 09:00 UTC".into(),
            },
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
                justification: "I take over the route planning from January.".into(), // not user text: an example for the snapshots
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
                comment: Some("Welcome to the team.".into()), // not user text: an example for the snapshots
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
                comment: Some("The project ended early.".into()), // not user text: an example for the snapshots
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

/// One figure of a digest: what it counts, and the count.
struct DigestRow {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct DigestHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    heading: &'a str,
    greeting: &'a str,
    intro: &'a str,
    rows: &'a [DigestRow],
    link: &'a str,
    link_label: &'a str,
    manage_link: &'a str,
    manage_label: &'a str,
    unsubscribe_link: &'a str,
    unsubscribe_label: &'a str,
    note: &'a str,
    footer: &'a str,
    public_url: &'a str,
}

#[derive(Template)]
#[template(path = "digest.txt", escape = "none")]
struct DigestText<'a> {
    heading: &'a str,
    greeting: &'a str,
    intro: &'a str,
    rows: &'a [DigestRow],
    link: &'a str,
    link_label: &'a str,
    manage_link: &'a str,
    manage_label: &'a str,
    unsubscribe_link: &'a str,
    unsubscribe_label: &'a str,
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
    let hint = t(locale, Msg::MailLinkHint);
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
    t(locale, Msg::MailFooter)
}

/// An approver's comment as a mail quotes it after a sentence (nothing without one).
fn mail_comment(locale: Locale, comment: Option<&str>) -> String {
    comment.map(|c| format!(" {}", tf(locale, Msg::MailComment, &[("comment", c)]))).unwrap_or_default()
}

/// Renders a message in the recipient's language. Links are absolute, from `public_url`.
pub fn render(mail: &Mail, locale: Locale, public_url: &str) -> Result<Rendered, MailError> {
    let err = |e: askama::Error| MailError::Render(e.to_string());
    match mail {
        Mail::TestMessage { requested_by } => {
            let (subject, heading, body) = (t(locale, Msg::MailTestMessageSubject), t(locale, Msg::MailTestMessageHeading), t(locale, Msg::MailTestMessageBody));
            let by = tf(locale, Msg::MailTestMessageRequestedBy, &[("requested_by", requested_by)]);
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
            let a = Action {
                subject: t(locale, Msg::MailPasswordResetSubject).to_string(),
                heading: t(locale, Msg::MailPasswordResetHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: t(locale, Msg::MailPasswordResetBody).to_string(),
                link_label: t(locale, Msg::MailPasswordResetLinkLabel).to_string(),
                note: tf(locale, Msg::MailPasswordResetNote, &[("valid_hours", valid_hours.to_string().as_str())]),
            };
            action("password_reset", a, link, locale, public_url)
        }
        Mail::SignInLink { name, link, valid_minutes } => {
            let a = Action {
                subject: t(locale, Msg::MailSignInLinkSubject).to_string(),
                heading: t(locale, Msg::MailSignInLinkHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: t(locale, Msg::MailSignInLinkBody).to_string(),
                link_label: t(locale, Msg::MailSignInLinkLinkLabel).to_string(),
                note: tf(locale, Msg::MailSignInLinkNote, &[("valid_minutes", valid_minutes.to_string().as_str())]),
            };
            action("sign_in_link", a, link, locale, public_url)
        }
        Mail::Invitation { name, inviter, org, link, expires, existing_identity } => {
            let a = Action {
                subject: tf(locale, Msg::MailInvitationSubject, &[("inviter", inviter), ("org", org)]),
                heading: tf(locale, Msg::MailInvitationHeading, &[("org", org)]),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailInvitationBody, &[("inviter", inviter), ("org", org)]),
                link_label: t(locale, Msg::MailInvitationLinkLabel).to_string(),
                note: if *existing_identity { tf(locale, Msg::MailInvitationNoteExistingIdentity, &[("expires", expires)]) } else { tf(locale, Msg::MailInvitationNoteOtherwise, &[("expires", expires)]) },
            };
            action("invitation", a, link, locale, public_url)
        }
        Mail::InvitationReminder { name, org, link, expires, existing_identity } => {
            let a = Action {
                subject: tf(locale, Msg::MailInvitationReminderSubject, &[("org", org)]),
                heading: tf(locale, Msg::MailInvitationReminderHeading, &[("org", org)]),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailInvitationReminderBody, &[("org", org)]),
                link_label: t(locale, Msg::MailInvitationReminderLinkLabel).to_string(),
                note: if *existing_identity { tf(locale, Msg::MailInvitationReminderNoteExistingIdentity, &[("expires", expires)]) } else { tf(locale, Msg::MailInvitationReminderNoteOtherwise, &[("expires", expires)]) },
            };
            action("invitation_reminder", a, link, locale, public_url)
        }
        Mail::EmailChangeConfirm { name, new_email, link, valid_hours } => {
            let a = Action {
                subject: t(locale, Msg::MailEmailChangeConfirmSubject).to_string(),
                heading: t(locale, Msg::MailEmailChangeConfirmHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailEmailChangeConfirmBody, &[("new_email", new_email)]),
                link_label: t(locale, Msg::MailEmailChangeConfirmLinkLabel).to_string(),
                note: tf(locale, Msg::MailEmailChangeConfirmNote, &[("valid_hours", valid_hours.to_string().as_str())]),
            };
            action("email_change_confirm", a, link, locale, public_url)
        }
        Mail::EmailChangeRequested { name, new_email, link } => {
            let a = Action {
                subject: t(locale, Msg::MailEmailChangeRequestedSubject).to_string(),
                heading: t(locale, Msg::MailEmailChangeRequestedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailEmailChangeRequestedBody, &[("new_email", new_email)]),
                link_label: t(locale, Msg::MailEmailChangeRequestedLinkLabel).to_string(),
                note: t(locale, Msg::MailEmailChangeRequestedNote).to_string(),
            };
            action("email_change_requested", a, link, locale, public_url)
        }
        Mail::AccessRequested { approver, requester, org, what, justification, ends, link } => {
            let until = ends.as_ref().map(|e| tf(locale, Msg::MailAccessRequestedUntil, &[("ends", e)])).unwrap_or_default();
            let a = Action {
                subject: tf(locale, Msg::MailAccessRequestedSubject, &[("requester", requester), ("org", org)]),
                heading: t(locale, Msg::MailAccessRequestedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", approver)]),
                body: format!(
                    "{}\n\n{}",
                    tf(locale, Msg::MailAccessRequestedBody, &[("requester", requester), ("what", what), ("until", &until), ("justification", justification)]),
                    t(locale, Msg::MailAccessRequestedWhoDecides)
                ),
                link_label: t(locale, Msg::MailAccessRequestedLinkLabel).to_string(),
                note: t(locale, Msg::MailAccessRequestedNote).to_string(),
            };
            action("access_requested", a, link, locale, public_url)
        }
        Mail::AccessRequestReminder { approver, requester, org, what, expires, link } => {
            let a = Action {
                subject: tf(locale, Msg::MailAccessRequestReminderSubject, &[("requester", requester), ("org", org)]),
                heading: t(locale, Msg::MailAccessRequestReminderHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", approver)]),
                body: tf(locale, Msg::MailAccessRequestReminderBody, &[("requester", requester), ("what", what), ("expires", expires)]),
                link_label: t(locale, Msg::MailAccessRequestReminderLinkLabel).to_string(),
                note: t(locale, Msg::MailAccessRequestReminderNote).to_string(),
            };
            action("access_request_reminder", a, link, locale, public_url)
        }
        Mail::AccessRequestDecided { name, org, what, approved, decided_by, comment, link } => {
            let comment = mail_comment(locale, comment.as_deref());
            let (subject, heading, body, note) = if *approved {
                (Msg::MailRequestApprovedSubject, Msg::MailRequestApprovedHeading, Msg::MailRequestApprovedBody, None)
            } else {
                (Msg::MailRequestDeniedSubject, Msg::MailRequestDeniedHeading, Msg::MailRequestDeniedBody, Some(Msg::MailRequestDeniedNote))
            };
            let a = Action {
                subject: tf(locale, subject, &[("org", org)]),
                heading: t(locale, heading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, body, &[("decided_by", decided_by), ("what", what), ("comment", &comment)]),
                link_label: t(locale, Msg::MailSeeYourRequest).to_string(),
                note: note.map(|n| t(locale, n).to_string()).unwrap_or_default(),
            };
            action("access_request_decided", a, link, locale, public_url)
        }
        Mail::MembershipEnded { manager, member, org, ended, reminder, anonymize_link, linked_link, remind_link } => {
            let (subject, heading) = if *reminder {
                (Msg::MailMembershipEndedSubjectReminder, Msg::MailMembershipEndedHeadingReminder)
            } else {
                (Msg::MailMembershipEndedSubject, Msg::MailMembershipEndedHeading)
            };
            let a = Action {
                subject: tf(locale, subject, &[("member", member), ("org", org)]),
                heading: t(locale, heading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", manager)]),
                body: tf(locale, Msg::MailMembershipEndedBody, &[("member", member), ("org", org), ("ended", ended)]),
                link_label: t(locale, Msg::MailMembershipEndedLinkLabel).to_string(),
                note: t(locale, Msg::MailMembershipEndedNote).to_string(),
            };
            let more = vec![
                MoreLink { label: t(locale, Msg::MailMembershipEndedLinked).to_string(), href: linked_link.clone() },
                MoreLink { label: t(locale, Msg::MailMembershipEndedRemind).to_string(), href: remind_link.clone() },
            ];
            action_with(if *reminder { "compliance_reminder" } else { "membership_ended" }, a, anonymize_link, &more, locale, public_url)
        }
        Mail::SupportAccessStarted { name, staff, org, reason, until, link } => {
            let a = Action {
                subject: tf(locale, Msg::MailSupportStartedSubject, &[("staff", staff), ("org", org)]),
                heading: t(locale, Msg::MailSupportStartedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailSupportStartedBody, &[("staff", staff), ("org", org), ("reason", reason), ("until", until)]),
                link_label: t(locale, Msg::MailSupportStartedLinkLabel).to_string(),
                note: t(locale, Msg::MailSupportStartedNote).to_string(),
            };
            action("support_started", a, link, locale, public_url)
        }
        Mail::OwnerRecovered { name, staff, org, new_owner, reason, link } => {
            let a = Action {
                subject: tf(locale, Msg::MailOwnerRecoveredSubject, &[("org", org), ("new_owner", new_owner)]),
                heading: t(locale, Msg::MailOwnerRecoveredHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailOwnerRecoveredBody, &[("staff", staff), ("org", org), ("new_owner", new_owner), ("reason", reason)]),
                link_label: t(locale, Msg::MailOwnerRecoveredLinkLabel).to_string(),
                note: t(locale, Msg::MailOwnerRecoveredNote).to_string(),
            };
            action("owner_recovered", a, link, locale, public_url)
        }
        Mail::ReviewAssigned { name, org, review, items, deadline, link } => {
            let n = items.to_string();
            let a = Action {
                subject: tf(locale, Msg::MailReviewAssignedSubject, &[("org", org), ("review", review)]),
                heading: t(locale, Msg::MailReviewAssignedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailReviewAssignedBody, &[("org", org), ("review", review), ("items", &n), ("deadline", deadline)]),
                link_label: t(locale, Msg::MailReviewAssignedLinkLabel).to_string(),
                note: t(locale, Msg::MailReviewAssignedNote).to_string(),
            };
            action("review_assigned", a, link, locale, public_url)
        }
        Mail::ReviewReminder { name, org, review, items, deadline, link } => {
            let n = items.to_string();
            let a = Action {
                subject: tf(locale, Msg::MailReviewReminderSubject, &[("org", org), ("review", review), ("deadline", deadline)]),
                heading: t(locale, Msg::MailReviewReminderHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailReviewReminderBody, &[("org", org), ("review", review), ("items", &n), ("deadline", deadline)]),
                link_label: t(locale, Msg::MailReviewAssignedLinkLabel).to_string(),
                note: t(locale, Msg::MailReviewAssignedNote).to_string(),
            };
            action("review_reminder", a, link, locale, public_url)
        }
        Mail::StaffReviewAssigned { name, items, deadline, reminder, link } => {
            let args = [("items", items.to_string()), ("deadline", deadline.clone())];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (subject, heading, body, template) = if *reminder {
                (Msg::MailStaffReviewReminderSubject, Msg::MailReviewReminderHeading, Msg::MailStaffReviewReminderBody, "staff_review_reminder")
            } else {
                (Msg::MailStaffReviewAssignedSubject, Msg::MailReviewAssignedHeading, Msg::MailStaffReviewAssignedBody, "staff_review_assigned")
            };
            let a = Action {
                subject: tf(locale, subject, &args),
                heading: t(locale, heading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, body, &args),
                link_label: t(locale, Msg::MailReviewAssignedLinkLabel).to_string(),
                note: t(locale, Msg::MailStaffReviewNote).to_string(),
            };
            action(template, a, link, locale, public_url)
        }
        Mail::PolicyReminder { name, org, title, training, due, overdue, link } => {
            let args = [("org", org.as_str()), ("title", title.as_str()), ("due", due.as_str())];
            let (subject, body) = match (*training, *overdue) {
                (true, false) => (Msg::MailTrainingDueSubject, Msg::MailTrainingDueBody),
                (true, true) => (Msg::MailTrainingOverdueSubject, Msg::MailTrainingOverdueBody),
                (false, false) => (Msg::MailPolicyDueSubject, Msg::MailPolicyDueBody),
                (false, true) => (Msg::MailPolicyOverdueSubject, Msg::MailPolicyOverdueBody),
            };
            let a = Action {
                subject: tf(locale, subject, &args),
                heading: title.clone(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, body, &args),
                link_label: t(locale, Msg::MailPolicyLinkLabel).to_string(),
                note: t(locale, Msg::MailPolicyNote).to_string(),
            };
            action("policy_reminder", a, link, locale, public_url)
        }
        Mail::Digest { name, org, scope, frequency, from, to, figures: f, link, manage_link, unsubscribe_link } => {
            let kind = match frequency.as_str() {
                "weekly" => t(locale, Msg::MailDigestWeekly),
                "quarterly" => t(locale, Msg::MailDigestQuarterly),
                _ => t(locale, Msg::MailDigestMonthly),
            };
            let whom = match scope {
                Some(unit) => tf(locale, Msg::MailDigestScopeUnit, &[("unit", unit), ("org", org)]),
                None => org.clone(),
            };
            let subject = tf(locale, Msg::MailDigestSubject, &[("kind", kind), ("scope", &whom), ("from", from), ("to", to)]);
            let heading = tf(locale, Msg::MailDigestHeading, &[("kind", kind), ("scope", &whom)]);
            let greeting = tf(locale, Msg::MailGreeting, &[("name", name)]);
            let intro = tf(locale, Msg::MailDigestIntro, &[("scope", &whom), ("from", from), ("to", to)]);
            let mut rows = vec![
                DigestRow { label: t(locale, Msg::MailDigestJoined).to_string(), value: f.joined.to_string() },
                DigestRow { label: t(locale, Msg::MailDigestLeft).to_string(), value: f.left.to_string() },
                DigestRow { label: t(locale, Msg::MailDigestActive).to_string(), value: f.active.to_string() },
                DigestRow { label: t(locale, Msg::MailDigestPendingRequests).to_string(), value: f.pending_requests.to_string() },
                DigestRow { label: t(locale, Msg::MailDigestExpiringGrants).to_string(), value: f.expiring_grants.to_string() },
                DigestRow { label: t(locale, Msg::MailDigestOpenCases).to_string(), value: f.open_cases.to_string() },
            ];
            if f.review_items > 0 {
                let pct = (f.review_decided * 100 / f.review_items).to_string();
                rows.push(DigestRow {
                    label: t(locale, Msg::MailDigestReviews).to_string(),
                    value: tf(locale, Msg::MailDigestReviewsValue, &[("decided", &f.review_decided.to_string()), ("items", &f.review_items.to_string()), ("percent", &pct)]),
                });
            }
            let (link_label, manage_label, unsubscribe_label, note) =
                (t(locale, Msg::MailDigestLinkLabel), t(locale, Msg::MailDigestManage), t(locale, Msg::MailDigestUnsubscribe), t(locale, Msg::MailDigestNote));
            let html = DigestHtml {
                lang: locale.code(),
                subject: &subject,
                heading: &heading,
                greeting: &greeting,
                intro: &intro,
                rows: &rows,
                link,
                link_label,
                manage_link,
                manage_label,
                unsubscribe_link,
                unsubscribe_label,
                note,
                footer: footer(locale),
                public_url,
            }
            .render()
            .map_err(err)?;
            let text = DigestText {
                heading: &heading,
                greeting: &greeting,
                intro: &intro,
                rows: &rows,
                link,
                link_label,
                manage_link,
                manage_label,
                unsubscribe_link,
                unsubscribe_label,
                note,
                footer: footer(locale),
                public_url,
            }
            .render()
            .map_err(err)?;
            Ok(Rendered { template: "digest", subject, text, html })
        }
        Mail::DeletionScheduled { name, staff, org, reason, due } => {
            let a = Action {
                subject: tf(locale, Msg::MailDeletionScheduledSubject, &[("org", org), ("due", due)]),
                heading: t(locale, Msg::MailDeletionScheduledHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailDeletionScheduledBody, &[("staff", staff), ("org", org), ("reason", reason), ("due", due)]),
                link_label: t(locale, Msg::MailDeletionScheduledLinkLabel).to_string(),
                note: t(locale, Msg::MailDeletionScheduledNote).to_string(),
            };
            // The start page: the organization, and its data, are still there until then.
            action("deletion_scheduled", a, &format!("{}/", public_url.trim_end_matches('/')), locale, public_url) // not user text: a URL
        }
        Mail::AccessRequestRevoked { name, org, what, revoked_by, comment, link } => {
            let comment = mail_comment(locale, comment.as_deref());
            let a = Action {
                subject: tf(locale, Msg::MailAccessRevokedSubject, &[("org", org)]),
                heading: t(locale, Msg::MailAccessRevokedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailAccessRevokedBody, &[("revoked_by", revoked_by), ("what", what), ("comment", &comment)]),
                link_label: t(locale, Msg::MailSeeYourRequest).to_string(),
                note: t(locale, Msg::MailAccessRevokedNote).to_string(),
            };
            action("access_request_revoked", a, link, locale, public_url)
        }
        Mail::AccessRequestExpired { name, org, what, link } => {
            let a = Action {
                subject: tf(locale, Msg::MailAccessRequestExpiredSubject, &[("org", org)]),
                heading: t(locale, Msg::MailAccessRequestExpiredHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailAccessRequestExpiredBody, &[("what", what)]),
                link_label: t(locale, Msg::MailAccessRequestExpiredLinkLabel).to_string(),
                note: String::new(),
            };
            action("access_request_expired", a, link, locale, public_url)
        }
        Mail::EmailChanged { name, new_email, link, valid_days } => {
            let a = Action {
                subject: t(locale, Msg::MailEmailChangedSubject).to_string(),
                heading: t(locale, Msg::MailEmailChangedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailEmailChangedBody, &[("new_email", new_email)]),
                link_label: t(locale, Msg::MailEmailChangedLinkLabel).to_string(),
                note: tf(locale, Msg::MailEmailChangedNote, &[("valid_days", valid_days.to_string().as_str())]),
            };
            action("email_changed", a, link, locale, public_url)
        }
        Mail::EmailChangeReverted { name, email, link, valid_hours } => {
            let a = Action {
                subject: t(locale, Msg::MailEmailChangeRevertedSubject).to_string(),
                heading: t(locale, Msg::MailEmailChangeRevertedHeading).to_string(),
                greeting: tf(locale, Msg::MailGreeting, &[("name", name)]),
                body: tf(locale, Msg::MailEmailChangeRevertedBody, &[("email", email)]),
                link_label: t(locale, Msg::MailEmailChangeRevertedLinkLabel).to_string(),
                note: tf(locale, Msg::MailEmailChangeRevertedNote, &[("valid_hours", valid_hours.to_string().as_str())]),
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
            other => Err(MailError::Config(format!("unknown TLS mode `{other}` (none, starttls or tls)"))), // not user text: the operator's setting
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
