//! Seed permission-matrix: Developer (self), Team Manager (own teams), Company Admin (company),
//! read with seeds/permission-matrix-reading.md. Every role also holds the Developer's basic
//! permissions on themselves.
use super::{role, Template, TemplateRole};
use crate::authz::content::module;
use crate::authz::{RoleGrant, RoleScope, Visibility};

/// A cell: scope and visibility, or nothing.
type Cell = Option<(RoleScope, Visibility)>;

const O: Cell = Some((RoleScope::Own, Visibility::Individual));
const U: Cell = Some((RoleScope::Unit, Visibility::Individual));
const UA: Cell = Some((RoleScope::Unit, Visibility::Aggregate));
const G: Cell = Some((RoleScope::Organization, Visibility::Individual));
const GA: Cell = Some((RoleScope::Organization, Visibility::Aggregate));
const N: Cell = None;

/// permission, Developer, Team Manager, Company Admin.
pub(crate) const MATRIX: &[(&str, Cell, Cell, Cell)] = &[
    ("home.view_own_dashboard", O, O, O),
    ("home.view_overview", N, N, GA),
    ("home.view_summary", N, UA, G),
    ("home.view_courses", N, UA, GA),
    ("home.view_assessments", N, UA, GA),
    ("home.view_tournaments", N, UA, GA),
    ("home.view_completed_assessments", N, U, GA),
    ("tournaments.view", O, U, G),
    ("tournaments.manage", N, O, G),
    ("tournaments.report", N, U, G),
    ("tournaments.view_leaderboard", O, U, G),
    ("tournaments.play", O, O, O),
    ("training.train", O, O, O),
    ("training.view_own_stats", O, O, O),
    ("training.view_leaderboards", U, U, G),
    ("courses.participate", O, O, O),
    ("courses.view_list", N, U, G),
    ("courses.manage", N, O, G),
    ("courses.manage_badges", N, U, G),
    ("courses.view_statistics", O, U, G),
    ("courses.view_metrics", N, U, G),
    ("courses.view_leaderboard", O, U, G),
    ("assessments.manage_certificate", N, U, G),
    ("assessments.manage", N, O, G),
    ("assessments.view", O, O, G),
    ("assessments.take_self", O, O, O),
    ("assessments.view_external_results", N, O, G),
    ("metrics.view_course", N, U, G),
    ("metrics.view_training", N, U, G),
    ("units.view", N, N, G),
    ("units.manage", N, N, G),
    ("licenses.view", N, U, G),
    ("members.invite", N, U, G),
    ("members.edit", N, U, G),
    ("members.terminate", N, U, G),
    ("members.move", N, N, G),
    ("settings.edit", N, N, G),
    ("audit.view", N, N, G),
    ("digests.receive", N, N, G),
    ("digests.setup", N, U, G),
    ("communications.receive_personal", O, O, O),
    ("communications.assessment_result_author", N, UA, GA),
    ("communications.activity_summary", N, UA, GA),
    ("communications.bulk_notification", N, UA, GA),
    ("api_keys.generate", N, N, G),
];

/// The seed's "manage … (creator / all in company)" in the item vocabulary of the content
/// browser: team managers create (and, by the creator rule, edit and delete their own); company
/// admins edit and delete any. Courses are seen like the courses list.
const ITEMS: &[(&str, Cell, Cell, Cell)] = &[
    ("tournaments.create", N, U, G),
    ("tournaments.edit_any", N, N, G),
    ("tournaments.delete_any", N, N, G),
    ("courses.view", O, U, G),
    ("courses.create", N, U, G),
    ("courses.edit_any", N, N, G),
    ("courses.delete_any", N, N, G),
    ("assessments.create", N, U, G),
    ("assessments.edit_any", N, N, G),
    ("assessments.delete_any", N, N, G),
];

/// Admin permissions the seed implies without a row of its own: a team manager sees the people
/// of the team and hands out the team's roles ("invite users, incl. other team managers"); the
/// company admin does so for the company ("incl. new company admins", "add team and assign team
/// manager").
const IMPLIED: &[(&str, Cell, Cell)] = &[("members.view", U, G), ("roles.view", U, G), ("roles.assign", U, G)];

fn column(pick: impl Fn(&(&str, Cell, Cell, Cell)) -> Cell, basic: bool) -> Vec<RoleGrant> {
    let mut out: Vec<RoleGrant> = Vec::new();
    for row in MATRIX.iter().chain(ITEMS) {
        let mut cells = vec![pick(row)];
        if basic {
            cells.push(row.1); // the Developer's basic permissions, on oneself
        }
        for (scope, visibility) in cells.into_iter().flatten() {
            if !out.iter().any(|g| g.permission == row.0 && g.scope == scope) {
                out.push(RoleGrant { permission: row.0.to_string(), scope, visibility });
            }
        }
    }
    out
}

fn with_implied(mut grants: Vec<RoleGrant>, pick: impl Fn(&(&str, Cell, Cell)) -> Cell) -> Vec<RoleGrant> {
    for row in IMPLIED {
        if let Some((scope, visibility)) = pick(row) {
            grants.push(RoleGrant { permission: row.0.to_string(), scope, visibility });
        }
    }
    grants
}

pub fn template() -> Template {
    let developer = role("developer", "Developer", "Plays, trains and takes assessments; sees their own figures.", column(|r| r.1, false));
    let team_manager = TemplateRole {
        anchor_kind: Some("team"),
        ..role(
            "team_manager",
            "Team Manager",
            "Manages the people, courses, tournaments and assessments of their teams.",
            with_implied(column(|r| r.2, true), |r| r.1),
        )
    };
    let company_admin =
        role("company_admin", "Company Admin", "Administers the whole company: teams, users, preferences, audit log, API key.", with_implied(column(|r| r.3, true), |r| r.2));
    Template {
        key: "permission-matrix",
        en: "Developer / team manager / company admin (self, team, company)",
        de: "Entwickler / Teamleitung / Firmenadministration (selbst, Team, Firma)",
        source: "seeds/permission-matrix.txt",
        modules: vec![
            module(
                "home",
                "Home",
                "Startseite",
                &[
                    ("view_own_dashboard", "View own dashboard metrics", "Eigene Kennzahlen sehen", false),
                    ("view_overview", "View the team/company overview (last 7 days)", "Team-/Firmenübersicht sehen (letzte 7 Tage)", true),
                    ("view_summary", "Overview summary (activation pending, enabled …)", "Übersicht (Aktivierung ausstehend, aktiviert …)", true),
                    ("view_courses", "View published and expiring courses", "Veröffentlichte und auslaufende Kurse sehen", true),
                    ("view_assessments", "View all assessments", "Alle Assessments sehen", true),
                    ("view_tournaments", "View all tournaments", "Alle Turniere sehen", true),
                    ("view_completed_assessments", "View recently completed assessments", "Kürzlich abgeschlossene Assessments sehen", true),
                ],
            ),
            module(
                "tournaments",
                "Tournaments",
                "Turniere",
                &[
                    ("view", "View active tournaments", "Aktive Turniere sehen", false),
                    ("manage", "Manage tournaments", "Turniere verwalten", false),
                    ("report", "Tournament reporting", "Turnierberichte", true),
                    ("view_leaderboard", "View the tournament leaderboard", "Turnier-Rangliste sehen", true),
                    ("play", "Join and play", "Teilnehmen und spielen", false),
                    ("create", "Create tournaments", "Turniere anlegen", false),
                    ("edit_any", "Edit any tournament", "Jedes Turnier bearbeiten", false),
                    ("delete_any", "Delete any tournament", "Jedes Turnier löschen", false),
                ],
            ),
            module(
                "training",
                "Training",
                "Training",
                &[
                    ("train", "Train via mission control", "Über Mission Control trainieren", false),
                    ("view_own_stats", "View own training statistics", "Eigene Trainingsstatistik sehen", false),
                    ("view_leaderboards", "View leaderboards", "Ranglisten sehen", true),
                ],
            ),
            module(
                "courses",
                "Courses",
                "Kurse",
                &[
                    ("participate", "View and participate (where invited)", "Ansehen und teilnehmen (wo eingeladen)", false),
                    ("view_list", "View the courses list", "Kursliste sehen", false),
                    ("manage", "Manage courses", "Kurse verwalten", false),
                    ("manage_badges", "Manage badges", "Abzeichen verwalten", false),
                    ("view_statistics", "View course statistics", "Kursstatistik sehen", true),
                    ("view_metrics", "View course metrics", "Kurskennzahlen sehen", true),
                    ("view_leaderboard", "View the course leaderboard", "Kurs-Rangliste sehen", true),
                    ("view", "See courses", "Kurse sehen", false),
                    ("create", "Create courses", "Kurse anlegen", false),
                    ("edit_any", "Edit any course", "Jeden Kurs bearbeiten", false),
                    ("delete_any", "Delete any course", "Jeden Kurs löschen", false),
                ],
            ),
            module(
                "assessments",
                "Assessments",
                "Assessments",
                &[
                    ("manage_certificate", "Manage certificates", "Zertifikate verwalten", false),
                    ("manage", "Manage assessments", "Assessments verwalten", false),
                    ("view", "View assessments", "Assessments sehen", true),
                    ("take_self", "Take a self-assessment", "Selbsteinschätzung durchführen", false),
                    ("view_external_results", "View results of invited users external to the team", "Ergebnisse eingeladener teamfremder Personen sehen", true),
                    ("create", "Create assessments", "Assessments anlegen", false),
                    ("edit_any", "Edit any assessment", "Jedes Assessment bearbeiten", false),
                    ("delete_any", "Delete any assessment", "Jedes Assessment löschen", false),
                ],
            ),
            module(
                "metrics",
                "Metrics",
                "Kennzahlen",
                &[
                    ("view_course", "View course metrics", "Kurskennzahlen sehen", true),
                    ("view_training", "View training metrics", "Trainingskennzahlen sehen", true),
                ],
            ),
            module(
                "communications",
                "Communications",
                "Kommunikation",
                &[
                    ("receive_personal", "Receive personal mail", "Persönliche E-Mails erhalten", false),
                    ("assessment_result_author", "Assessment results (as author)", "Assessment-Ergebnisse (als Autor)", true),
                    ("activity_summary", "Activity summary", "Aktivitätsübersicht", true),
                    ("bulk_notification", "Bulk management notification", "Sammelbenachrichtigung an die Leitung", true),
                ],
            ),
        ],
        roles: vec![developer, team_manager, company_admin],
        require_mobile_phone: false,
    }
}
