//! The live "Users, roles & responsibilities" document (`/o/{org}/document`, `?lang=en|de`):
//! what seed roles-responsibilities-isms keeps by hand, rendered from the configuration at the
//! moment it is asked for — the access rules in force, technical users, organization roles, every
//! role with what it grants, who holds which role where, and platform support sessions. One HTML
//! document that is the page and, with the print style sheet, the printable copy. For whoever
//! sees roles and members for the whole organization (roles.view, members.view individually).
use crate::forms::{status_page, Caller};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use gatehouse_app::i18n::{date, datetime, org_role_label, t, tf, Msg};
use gatehouse_db::views::document::Document;
use gatehouse_domain::authz::{RoleScope, Target, Visibility};
use gatehouse_domain::locale::Locale;
use std::fmt::Write;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/document", web::get().to(document));
}

#[derive(Debug, serde::Deserialize)]
struct Query {
    lang: Option<String>,
}

/// Text made safe for HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn document(c: Caller, q: web::Query<Query>) -> HttpResponse {
    for p in ["roles.view", "members.view"] {
        match c.policy.require(c.m.id, p, &Target::Organization, c.now) {
            Err(d) => return status_page(StatusCode::FORBIDDEN, &gatehouse_app::explain::denial(c.locale, &c.policy, &d)),
            Ok(d) if p == "members.view" && d.visibility == Some(Visibility::Aggregate) => {
                return status_page(StatusCode::FORBIDDEN, &tf(c.locale, Msg::DocNeedsIndividual, &[("permission", p)]));
            }
            Ok(_) => {}
        }
    }
    let locale = q.lang.as_deref().and_then(Locale::parse).unwrap_or(c.locale);
    let (db, org, now) = (c.state.db.clone(), c.org.id, c.now);
    let doc = match web::block(move || db.with(|conn| gatehouse_db::views::document::load(conn, org, now))).await {
        Ok(Ok(d)) => d,
        _ => return status_page(StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable)),
    };
    let html = render(locale, &c, &doc);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").insert_header((header::CACHE_CONTROL, "no-store")).body(html)
}

fn yes_no(locale: Locale, on: bool, yes: Msg, no: Msg) -> &'static str {
    t(locale, if on { yes } else { no })
}

fn render(locale: Locale, c: &Caller, d: &Document) -> String {
    let slug = esc(&c.org.slug);
    let policy = &c.policy;
    let mut h = String::with_capacity(64 * 1024 + d.holdings.len() * 200);
    let title = t(locale, Msg::DocTitle);
    let other = match locale {
        Locale::En => ("de", "Deutsch"),
        Locale::De => ("en", "English"),
    };
    // not user text: the document's markup; every word comes from the catalogs
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — {org}</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head><body class=\"document\">",
        lang = locale.code(),
        title = esc(title),
        org = esc(&d.name),
    );
    let _ = write!(
        h,
        "<nav class=\"doc-bar no-print\" aria-label=\"{nav}\"><a href=\"/o/{slug}/dashboard\">← {back}</a> <a href=\"/o/{slug}/document?lang={olang}\" lang=\"{olang}\">{oname}</a> <span class=\"muted\">{hint}</span></nav>",
        nav = esc(t(locale, Msg::DocNav)),
        back = esc(t(locale, Msg::Dashboard)),
        olang = other.0,
        oname = other.1,
        hint = esc(t(locale, Msg::DocPrintHint)),
    );
    let _ = write!(
        h,
        "<main id=\"main\" class=\"doc\"><h1>{title}</h1><p class=\"doc-meta\">{meta}</p>",
        title = esc(title),
        meta = esc(&tf(locale, Msg::DocMeta, &[("org", &d.name), ("at", &datetime(locale, c.now))])),
    );
    let sections = [
        ("intro", Msg::DocIntroTitle),
        ("technical", Msg::DocTechnicalTitle),
        ("org-roles", Msg::DocOrgRolesTitle),
        ("roles", Msg::DocRolesTitle),
        ("holders", Msg::DocHoldersTitle),
        ("support", Msg::DocSupportTitle),
        ("reviews", Msg::DocReviewsTitle),
        ("trainings", Msg::DocTrainingsTitle),
    ];
    let _ = write!(h, "<nav aria-labelledby=\"toc\"><h2 id=\"toc\">{}</h2><ol>", esc(t(locale, Msg::DocContents)));
    for (id, m) in sections {
        let _ = write!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(t(locale, m)));
    }
    h.push_str("</ol></nav>");

    // 1. Introduction and the rules in force.
    let _ = write!(h, "<section id=\"intro\"><h2>1. {}</h2><p>{}</p><ul>", esc(t(locale, Msg::DocIntroTitle)), esc(t(locale, Msg::DocIntroText)));
    for line in [
        yes_no(locale, d.rules.require_two_factor, Msg::DocTwoFactorRequired, Msg::DocTwoFactorOptional),
        yes_no(locale, d.rules.require_sso, Msg::DocSsoRequired, Msg::DocSsoOptional),
        yes_no(locale, d.rules.support_access, Msg::DocSupportAllowed, Msg::DocSupportOff),
    ] {
        let _ = write!(h, "<li>{}</li>", esc(line));
    }
    let _ = write!(h, "<li>{}</li></ul></section>", esc(&tf(locale, Msg::DocMemberCount, &[("count", &d.members.to_string())])));

    // 2. Technical users.
    let _ = write!(h, "<section id=\"technical\"><h2>2. {}</h2><p>{}</p>", esc(t(locale, Msg::DocTechnicalTitle)), esc(t(locale, Msg::DocTechnicalText)));
    if d.technical.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNone)));
    } else {
        let _ = write!(
            h,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(t(locale, Msg::Name)),
            esc(t(locale, Msg::DocPurpose)),
            esc(t(locale, Msg::Roles)),
            esc(t(locale, Msg::DocKeys)),
        );
        for tu in &d.technical {
            let keys: Vec<String> = tu
                .keys
                .iter()
                .map(|(name, scopes, ends, used)| {
                    let used = used.map(|u| datetime(locale, u)).unwrap_or_else(|| t(locale, Msg::DocNeverUsed).to_string());
                    tf(locale, Msg::DocKeyLine, &[("name", name), ("scopes", &scopes.join(", ")), ("until", &date(locale, ends.date_naive())), ("used", &used)])
                })
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&tu.name),
                esc(&tu.description),
                esc(&if tu.roles.is_empty() { "—".to_string() } else { tu.roles.join(", ") }),
                if keys.is_empty() { esc(t(locale, Msg::DocNoKeys)) } else { keys.iter().map(|k| esc(k)).collect::<Vec<_>>().join("<br>") },
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // 3. Organization roles.
    let _ = write!(h, "<section id=\"org-roles\"><h2>3. {}</h2><p>{}</p>", esc(t(locale, Msg::DocOrgRolesTitle)), esc(t(locale, Msg::DocOrgRolesText)));
    if d.org_roles.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNone)));
    } else {
        let _ = write!(
            h,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(t(locale, Msg::Role)),
            esc(t(locale, Msg::DocHolder)),
            esc(t(locale, Msg::DocSince)),
        );
        for o in &d.org_roles {
            let _ = write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&org_role_label(locale, &o.role)), esc(&o.name), esc(&date(locale, o.since.date_naive())));
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // 4. Role descriptions.
    let _ = write!(h, "<section id=\"roles\"><h2>4. {}</h2>", esc(t(locale, Msg::DocRolesTitle)));
    for r in &d.roles {
        let _ = write!(
            h,
            "<article class=\"doc-role\" aria-labelledby=\"role-{id}\"><h3 id=\"role-{id}\">{name}</h3><p>{desc}</p><p class=\"muted\">{holders}</p><ul>",
            id = r.id,
            name = esc(&r.name),
            desc = esc(if r.description.is_empty() { t(locale, Msg::DocNoDescription) } else { &r.description }),
            holders = esc(&tf(locale, Msg::DocHolderCount, &[("count", &r.holders.to_string())])),
        );
        for g in &r.grants {
            let scope = match g.scope {
                RoleScope::Organization => t(locale, Msg::ScopeOrganization).to_string(),
                RoleScope::Unit => t(locale, Msg::DocScopeUnit).to_string(),
                RoleScope::Own => t(locale, Msg::ScopeOwn).to_string(),
            };
            let vis = match g.visibility {
                Visibility::Individual => t(locale, Msg::VisIndividual),
                Visibility::Aggregate => t(locale, Msg::VisAggregate),
            };
            let _ = write!(h, "<li>{} <span class=\"muted\">({}; {})</span></li>", esc(&gatehouse_app::explain::permission_label(locale, policy, &g.permission)), esc(&scope), esc(vis));
        }
        if r.grants.is_empty() {
            let _ = write!(h, "<li class=\"muted\">{}</li>", esc(t(locale, Msg::DocNoGrants)));
        }
        h.push_str("</ul></article>");
    }
    h.push_str("</section>");

    // 5. Who holds which role where.
    let _ = write!(h, "<section id=\"holders\"><h2>5. {}</h2>", esc(t(locale, Msg::DocHoldersTitle)));
    if d.holdings.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNone)));
    } else {
        let _ = write!(
            h,
            "<table class=\"doc-holders\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(t(locale, Msg::DocPerson)),
            esc(t(locale, Msg::Kind)),
            esc(t(locale, Msg::Role)),
            esc(t(locale, Msg::Unit)),
            esc(t(locale, Msg::DocSince)),
            esc(t(locale, Msg::Until)),
        );
        let role_name = |id: i64| d.roles.iter().find(|r| r.id == id).map(|r| r.name.as_str()).unwrap_or("—");
        let whole = t(locale, Msg::DocWholeOrganization);
        for x in &d.holdings {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&x.name),
                esc(&gatehouse_app::i18n::kind_label(locale, &x.kind)),
                esc(role_name(x.role)),
                esc(x.unit.as_deref().unwrap_or(whole)),
                esc(&date(locale, x.since.date_naive())),
                esc(&x.ends_at.map(|e| date(locale, e.date_naive())).unwrap_or_else(|| "—".to_string())),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // 6. Platform support access: what each staff role may do, then the sessions.
    let _ = write!(h, "<section id=\"support\"><h2>6. {}</h2><p>{}</p><ul class=\"staff-roles\">", esc(t(locale, Msg::DocSupportTitle)), esc(t(locale, Msg::DocStaffRolesText)));
    for role in gatehouse_domain::staff::StaffRole::ALL {
        let may: Vec<&str> = gatehouse_domain::staff::StaffAction::ALL.into_iter().filter(|a| role.may(*a)).map(|a| gatehouse_app::i18n::staff_action_label(locale, a)).collect();
        let may = if may.is_empty() { t(locale, Msg::DocStaffNothing).to_string() } else { may.join("; ") };
        let _ = write!(h, "<li><strong>{}</strong>: {}</li>", esc(gatehouse_app::i18n::staff_role_label(locale, role)), esc(&may));
    }
    let _ = write!(h, "</ul><p>{}</p>", esc(t(locale, Msg::DocStaffReviewsText)));
    if d.staff_reviews.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNoStaffReviews)));
    } else {
        h.push_str("<ul class=\"staff-reviews\">");
        for r in &d.staff_reviews {
            let state = match r.closed_at {
                Some(at) => format!("{} {}", t(locale, Msg::ReviewClosed), datetime(locale, at)),
                None => t(locale, Msg::ReviewRunning).to_string(),
            };
            let outcome = tf(locale, Msg::StaffReviewOutcome, &[("decided", &r.decided.to_string()), ("total", &r.total.to_string()), ("kept", &r.kept.to_string()), ("reduced", &r.reduced.to_string())]);
            let title = tf(locale, Msg::StaffReviewTitle, &[("started", &gatehouse_app::i18n::date(locale, r.started_at.date_naive()))]);
            let _ = write!(h, "<li>{} ({}): {}</li>", esc(&title), esc(&state), esc(&outcome));
        }
        h.push_str("</ul>");
    }
    let _ = write!(h, "<p>{}</p>", esc(t(locale, Msg::DocSupportText)));
    if d.support.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNoSupport)));
    } else {
        let _ = write!(
            h,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(t(locale, Msg::DocStaff)),
            esc(t(locale, Msg::DocReason)),
            esc(t(locale, Msg::AuditFrom)),
            esc(t(locale, Msg::AuditTo)),
        );
        for s in &d.support {
            let _ = write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&s.staff), esc(&s.reason), esc(&datetime(locale, s.started_at)), esc(&datetime(locale, s.ended_at)));
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // 7. Access reviews: when, and what came of them.
    let _ = write!(h, "<section id=\"reviews\"><h2>7. {}</h2><p>{}</p>", esc(t(locale, Msg::DocReviewsTitle)), esc(t(locale, Msg::DocReviewsText)));
    if d.reviews.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNoReviews)));
    } else {
        let _ = write!(
            h,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(t(locale, Msg::ReviewName)),
            esc(t(locale, Msg::ReviewStarted)),
            esc(t(locale, Msg::ReviewDeadline)),
            esc(t(locale, Msg::Status)),
            esc(t(locale, Msg::DocOutcome)),
        );
        for r in &d.reviews {
            let state = t(locale, if r.state == gatehouse_domain::reviews::CampaignState::Running { Msg::ReviewRunning } else { Msg::ReviewClosed });
            let outcome = tf(locale, Msg::ReviewOutcome, &[("decided", &r.decided.to_string()), ("total", &r.total.to_string()), ("kept", &r.kept.to_string()), ("revoked", &r.revoked.to_string())]);
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.plan),
                esc(&date(locale, r.started_at.date_naive())),
                esc(&date(locale, r.deadline_at.date_naive())),
                esc(state),
                esc(&outcome),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // 8. Acknowledgments and training: who did what, when.
    let _ = write!(h, "<section id=\"trainings\"><h2>8. {}</h2><p>{}</p>", esc(t(locale, Msg::DocTrainingsTitle)), esc(t(locale, Msg::DocTrainingsText)));
    if d.trainings.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t(locale, Msg::DocNone)));
    }
    for (p, f, asked) in &d.trainings {
        let kind = t(locale, if p.kind == gatehouse_domain::acknowledgments::Kind::Training { Msg::PolicyKindTraining } else { Msg::PolicyKindPolicy });
        let every = match p.recurrence {
            gatehouse_domain::acknowledgments::Recurrence::Once => t(locale, Msg::PolicyOnce).to_string(),
            gatehouse_domain::acknowledgments::Recurrence::EveryMonths(12) => t(locale, Msg::PolicyYearly).to_string(),
            gatehouse_domain::acknowledgments::Recurrence::EveryMonths(n) => tf(locale, Msg::PolicyEveryMonths, &[("months", &n.to_string())]),
        };
        let whom = p.unit.as_ref().map(|u| u.1.clone()).unwrap_or_else(|| t(locale, Msg::PolicyEveryone).to_string());
        let figures = tf(locale, Msg::PolicyFigures, &[("done", &f.done.to_string()), ("asked", &f.asked.to_string()), ("percent", &f.percent().to_string()), ("due", &f.due.to_string()), ("overdue", &f.overdue.to_string())]);
        let _ = write!(
            h,
            "<h3>{}</h3><p>{} · {} · {} · {}</p><p>{}</p><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(&p.title),
            esc(kind),
            esc(&every),
            esc(&whom),
            esc(&tf(locale, Msg::PolicyPublishedAt, &[("at", &date(locale, p.published_at.date_naive()))])),
            esc(&figures),
            esc(t(locale, Msg::DocPerson)),
            esc(t(locale, Msg::Status)),
        );
        for a in asked {
            let standing = match a.standing {
                gatehouse_domain::acknowledgments::Standing::Done { at, renew_at: Some(r) } => tf(locale, Msg::PolicyDoneUntil, &[("at", &date(locale, at.date_naive())), ("renew", &date(locale, r.date_naive()))]),
                gatehouse_domain::acknowledgments::Standing::Done { at, renew_at: None } => tf(locale, Msg::PolicyDoneAt, &[("at", &date(locale, at.date_naive()))]),
                gatehouse_domain::acknowledgments::Standing::Due { by } => tf(locale, Msg::PolicyDueBy, &[("by", &date(locale, by.date_naive()))]),
                gatehouse_domain::acknowledgments::Standing::Overdue { since } => tf(locale, Msg::PolicyOverdueSince, &[("since", &date(locale, since.date_naive()))]),
            };
            let note = if a.kind.counted_in_statistics() { String::new() } else { format!(" {}", t(locale, Msg::PolicyNotCounted)) }; // not user text: a space before catalog words
            let _ = write!(h, "<tr><td>{}</td><td>{}{}</td></tr>", esc(&a.name), esc(&standing), esc(&note));
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section></main></body></html>");
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped() {
        assert_eq!(super::esc("<a href=\"x\">Tom & 'Jerry'</a>"), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    }
}
