//! Policies' and trainings' form posts: publishing one (`policies.manage` where it is asked),
//! retiring it, and a member doing one for themselves (accepting a policy, completing a
//! training).
use crate::forms::{fields, invalid, Caller, Form};
use actix_web::{web, HttpResponse};
use gatehouse_db::acknowledgments::{self as ack, PolicyInput};
use gatehouse_db::DbError;
use gatehouse_domain::acknowledgments::{Kind, Recurrence};
use gatehouse_domain::ids::UnitId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/policies", web::post().to(publish))
        .route("/o/{org}/policies/{id}/retire", web::post().to(retire))
        .route("/o/{org}/policies/{id}/done", web::post().to(done));
}

fn back(c: &Caller) -> String {
    format!("/o/{}/policies", c.org.slug)
}

async fn publish(c: Caller, form: Form) -> HttpResponse {
    let f = fields(&form);
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    // What was typed comes back with a refusal.
    let keep: Vec<(&str, String)> = ["kind", "title", "body", "url", "due_days"].iter().map(|k| (*k, get(k))).collect();
    let parsed = (|| -> Result<PolicyInput, DbError> {
        let due = get("due_days");
        Ok(PolicyInput {
            kind: Kind::parse(&get("kind")).map_err(DbError::Domain)?,
            title: get("title"),
            body: get("body"),
            url: Some(get("url")).filter(|u| !u.is_empty()),
            recurrence: Recurrence::parse(&get("recurrence")).map_err(DbError::Domain)?,
            due_days: due.parse::<u32>().map_err(|_| invalid("due_days", &due))?,
            unit: match get("unit").as_str() {
                "" => None,
                u => Some(UnitId(u.parse::<i64>().map_err(|_| invalid("unit", u))?)),
            },
        })
    })();
    let input = match parsed {
        Ok(p) => p,
        Err(e) => return c.refused(&back(&c), e, &keep),
    };
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| ack::publish(conn, org, p, me, &input, actor, now)).await;
    c.back(&back(&c), r, &keep)
}

async fn retire(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| ack::retire(conn, org, p, me, id, actor, now)).await;
    c.back(&back(&c), r, &[])
}

async fn done(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| ack::acknowledge(conn, org, &p.tree, me, id, actor, now)).await;
    c.back(&back(&c), r, &[])
}
