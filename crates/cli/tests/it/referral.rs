//! `jejak referral list [--overdue]` (issue 15): the register's referrals one a line, and only
//! the open ones past their due date with `--overdue`.

use jejak_domain::date::ymd;
use jejak_domain::{Agency, NewReferral, OfficeCode, ReferralStatus, ReferralSubject};
use jejak_store::{ApplicationQuery, AuditCtx, ReferralUpdate};

use crate::support::jejak;

const APPS: &str = "application_id,office_code,applied_on,full_name,sex,birth_date,outcome\n\
KLA-1,KLA,2025-10-06,Sitti Rochmah,P,1998-02-03,pending\n";

#[test]
fn referral_list_shows_every_referral_and_the_overdue_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    let apps = dir.path().join("apps.csv");
    std::fs::write(&apps, APPS).unwrap();
    let run = jejak(&["import", apps.to_str().unwrap(), "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let (key, letters) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = jejak_store::open(&db).await.unwrap();
        let key = store.list_applications(&ApplicationQuery::default()).await.unwrap()[0].key;
        let ctx = AuditCtx {
            actor: "petugas.kla".into(),
            office: None,
            purpose: None,
            at: "2025-10-06T08:00:00Z".into(),
        };
        let mut letters = Vec::new();
        // Long overdue and open; long overdue but closed; due far in the future.
        for due in [ymd(2025, 10, 20), ymd(2025, 10, 21), ymd(2999, 1, 1)] {
            let referral = NewReferral {
                office: OfficeCode::parse("KLA").unwrap(),
                subject: ReferralSubject::Application(key),
                agency: Agency::Bp3mi,
                purpose: "Dugaan PMI non-prosedural".into(),
                legal_basis: "UU 18/2017".into(),
                fields: vec!["full_name".into()],
                due_on: due,
                note: None,
                created_by: "petugas.kla".into(),
                created_at: ctx.at.clone(),
            };
            letters.push(store.create_referral(&referral, &ctx).await.unwrap());
        }
        let close = ReferralUpdate {
            referral_id: letters[1].id,
            status: ReferralStatus::Closed,
            note: Some("selesai".into()),
            due_on: None,
            by: "petugas.kla".into(),
            at: ctx.at.clone(),
        };
        store.update_referral(&close, &ctx).await.unwrap();
        (key, letters.into_iter().map(|r| r.letter_no).collect::<Vec<_>>())
    });

    let run = jejak(&["referral", "list", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    let run = jejak(&["referral", "list", "--overdue", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let fields: Vec<&str> = lines[0].split('\t').collect();
    let subject = format!("application {key}");
    assert_eq!(fields, [&*letters[0], "KLA", "bp3mi", &*subject, "sent", "2025-10-20", "overdue"]);
}
