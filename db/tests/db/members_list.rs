//! The members list on SQLite and PostgreSQL: searches fold case and accents the same way on both
//! (SQLite's `lower()` knows only ASCII), and every page of every order, counted from the start
//! or from the end, is exactly the slice of the whole list.
use chrono::{TimeZone, Utc};
use gatehouse_db::members::{self, NewMember};
use gatehouse_db::testing::TestDb;
use gatehouse_db::users::{self, NewUser};
use gatehouse_db::views::members::list;
use gatehouse_db::{both, seed};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::OrgId;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::members_query::{MemberQuery, MemberSort};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
}

const PEOPLE: &[(&str, &str)] = &[
    ("Ayşe Özdemir", "ayse.oezdemir@acme.test"),
    ("Zoë García", "zoe@acme.test"),
    ("ÉMILE ZOLA", "emile@acme.test"),
    ("anna berg", "anna.berg@acme.test"),
    ("Jörg Krüger", "joerg@acme.test"),
    ("Ødegaard Lars", "lars@acme.test"),
];

fn org_with_people(t: &TestDb) -> OrgId {
    let org = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let org_id = org.0.id;
    t.db.tx(|c| {
        let kinds = [MemberKind::Employee, MemberKind::Partner, MemberKind::External, MemberKind::Auditor];
        let mut people: Vec<(String, String)> = PEOPLE.iter().map(|(n, e)| (n.to_string(), e.to_string())).collect();
        for i in 0..29 {
            // Equal names on purpose: the id decides between them, in both directions.
            people.push((format!("Member {:02}", i % 13), format!("m{i}@acme.test")));
        }
        for (i, (name, email)) in people.iter().enumerate() {
            let user = users::create(c, &NewUser { email, display_name: name, locale: Locale::En, password_hash: None, is_system: false }, Actor::System, now())?;
            members::add(c, &NewMember::active(org_id, user, kinds[i % 4], &[]), Actor::System, now() - chrono::Duration::minutes(i as i64 % 7))?;
        }
        Ok(())
    })
    .unwrap();
    org_id
}

fn search(t: &TestDb, org: OrgId, text: &str) -> Vec<String> {
    let q = MemberQuery { search: Some(text.into()), per_page: 100, page: 1, ..Default::default() };
    t.db.with(|c| list(c, org, &q)).unwrap().rows.into_iter().map(|r| r.name).collect()
}

both!(search_ignores_case_and_accents, |t: &TestDb| {
    let org = org_with_people(t);
    assert_eq!(search(t, org, "özdemir"), ["Ayşe Özdemir"], "the issue's own example");
    assert_eq!(search(t, org, "OZDEMIR"), ["Ayşe Özdemir"]);
    assert_eq!(search(t, org, "Ayse"), ["Ayşe Özdemir"]);
    assert_eq!(search(t, org, "garcía"), ["Zoë García"]);
    assert_eq!(search(t, org, "zoe g"), ["Zoë García"]);
    assert_eq!(search(t, org, "émile"), ["ÉMILE ZOLA"]);
    assert_eq!(search(t, org, "krüger"), ["Jörg Krüger"]);
    assert_eq!(search(t, org, "joerg@"), ["Jörg Krüger"], "addresses are searched too");
    assert_eq!(search(t, org, "ødegaard"), ["Ødegaard Lars"], "ø is a letter, not o with a mark");
    assert!(search(t, org, "100%").is_empty(), "LIKE wildcards are literal");
    assert_eq!(search(t, org, "MEMBER 0").len(), 23, "Member 00…09 (23 people): case folded");
});

both!(every_page_is_a_slice_of_the_whole_list, |t: &TestDb| {
    let org = org_with_people(t);
    for sort in MemberSort::ALL {
        for descending in [false, true] {
            let all = MemberQuery { sort, descending, per_page: 100, page: 1, ..Default::default() };
            let whole: Vec<i64> = t.db.with(|c| list(c, org, &all)).unwrap().rows.into_iter().map(|r| r.id.0).collect();
            assert_eq!(whole.len(), 36, "the owner and 35 people");
            let mut paged = Vec::new();
            for page in 1..=6 {
                // Pages 4–6 of 6 are read from the end of the order and turned around.
                let q = MemberQuery { page, per_page: 7, ..all.clone() };
                let p = t.db.with(|c| list(c, org, &q)).unwrap();
                assert_eq!((p.total, p.page_count), (36, 6));
                paged.extend(p.rows.into_iter().map(|r| r.id.0));
            }
            assert_eq!(paged, whole, "{sort:?} descending={descending}");
            let past = MemberQuery { page: 9, per_page: 7, ..all.clone() };
            assert!(t.db.with(|c| list(c, org, &past)).unwrap().rows.is_empty(), "a page past the end is empty");
        }
    }
    // Name order is the folded name: accents do not send "Émile" behind "Zoë".
    let names: Vec<String> = t.db.with(|c| list(c, org, &MemberQuery { per_page: 100, page: 1, ..Default::default() })).unwrap().rows.into_iter().map(|r| r.name).collect();
    let pos = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert!(pos("anna berg") < pos("Ayşe Özdemir") && pos("Ayşe Özdemir") < pos("ÉMILE ZOLA") && pos("ÉMILE ZOLA") < pos("Jörg Krüger"));
    assert!(pos("Jörg Krüger") < pos("Olga Owner") && pos("Olga Owner") < pos("Zoë García"));
});

// A page's people, tags and units are looked up for its ids in one bound value each
// (`gatehouse_db::any_id`): every row gets exactly its own, in name order, and rows without any
// get none.
both!(page_rows_carry_their_own_tags_and_units, |t: &TestDb| {
    let org = org_with_people(t);
    let ids = t
        .db
        .tx(|c| {
            let north = gatehouse_db::units::create(c, org, None, "North", "region", Actor::System, now())?;
            let berlin = gatehouse_db::units::create(c, org, Some(north), "Berlin", "site", Actor::System, now())?;
            let remote = gatehouse_db::tags::ensure(c, org, "remote", Actor::System, now())?;
            let mentor = gatehouse_db::tags::ensure(c, org, "mentor", Actor::System, now())?;
            // Quotes, a backslash and non-ASCII survive the names' JSON on both databases.
            let quoted = gatehouse_db::tags::ensure(c, org, "sagt \"hallo\" \\ Zoë", Actor::System, now())?;
            let mut ids = Vec::new();
            for (i, (name, email)) in [("Tagged Two", "two@acme.test"), ("Tagged One", "one@acme.test")].iter().enumerate() {
                let user = users::create(c, &NewUser { email, display_name: name, locale: Locale::En, password_hash: None, is_system: false }, Actor::System, now())?;
                let tags = if i == 0 { vec![remote, quoted, mentor] } else { vec![remote] };
                let units = if i == 0 { vec![north, berlin] } else { vec![berlin] };
                let mut m = NewMember::active(org, user, MemberKind::Employee, &units);
                m.tags = &tags;
                ids.push(members::add(c, &m, Actor::System, now())?);
            }
            Ok(ids)
        })
        .unwrap();
    let q = MemberQuery { search: Some("tagged".into()), per_page: 100, page: 1, ..Default::default() };
    let page = t.db.with(|c| list(c, org, &q)).unwrap();
    let got: Vec<(String, Vec<String>, Vec<String>)> = page.rows.iter().map(|r| (r.name.clone(), r.tags.clone(), r.units.clone())).collect();
    assert_eq!(
        got,
        [
            ("Tagged One".to_string(), vec!["remote".to_string()], vec!["Berlin".to_string()]),
            ("Tagged Two".to_string(), vec!["mentor".to_string(), "remote".to_string(), "sagt \"hallo\" \\ Zoë".to_string()], vec!["Berlin".to_string(), "North".to_string()]),
        ]
    );
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[1], ids[0]]);
    // Everyone else on a page has no tags and no units.
    let all = t.db.with(|c| list(c, org, &MemberQuery { per_page: 100, page: 1, ..Default::default() })).unwrap();
    assert!(all.rows.iter().filter(|r| !r.name.starts_with("Tagged")).all(|r| r.tags.is_empty() && r.units.is_empty()));
    // Names for no ids at all, and for ids of another shape: nothing, on both databases.
    assert!(t.db.with(|c| gatehouse_db::items::names(c, org, &[])).unwrap().is_empty());
    let names = t.db.with(|c| gatehouse_db::items::names(c, org, &[ids[0], gatehouse_domain::ids::MembershipId(i64::MAX)])).unwrap();
    assert_eq!(names, [(ids[0], "Tagged Two".to_string())]);
});

// Readers that miss the same total together (right after a change, on a fresh instance) wait for
// one count instead of each counting the organization, and all get its answer.
both!(readers_missing_a_total_together_count_it_once, |t: &TestDb| {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let org = org_with_people(t);
    let cache = Arc::new(gatehouse_db::views::counts::CountsCache::default());
    let counted = Arc::new(AtomicUsize::new(0));
    let answers: Vec<u64> = std::thread::scope(|s| {
        let readers: Vec<_> = (0..6)
            .map(|_| {
                let (cache, counted, db) = (cache.clone(), counted.clone(), t.db.clone());
                s.spawn(move || {
                    db.with(|c| {
                        cache.total(c, org, "everyone".into(), move |_c| {
                            counted.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(100));
                            Ok(42)
                        })
                    })
                    .unwrap()
                })
            })
            .collect();
        readers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(answers, vec![42; 6]);
    assert_eq!(counted.load(Ordering::SeqCst), 1, "one count for six readers");
});
