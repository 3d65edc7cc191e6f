//! Identifiers kept exactly as written because they are not valid (interchange spec, last
//! paragraph; migration 0008): the text in its column, `false` in its flag column
//! (`nik_valid`, ...), read back as it was kept by every read and export, on both backends.

use jejak_domain::{ApplicationKey, IdentifierField, NewApplication};
use jejak_store::{
    ApplicationQuery, Backend, ConflictPolicy, ExportFilter, RetentionAction, RetentionKind,
};
use sqlx::{Connection, Row};

use crate::backends::{Fresh, contract};
use crate::behaviour::{app, ctx, with_offices};

contract!(
    identifiers: invalid_identifiers_are_stored_as_written_and_read_back_flagged,
    a_large_import_keeps_every_invalid_identifier,
    reimporting_a_row_with_an_invalid_nik_changes_nothing,
    anonymising_clears_the_text_and_the_flags,
);

/// A NIK of 15 digits, written with separators, as on a legacy sheet.
const SHORT_NIK: &str = "1807-0552-0395-000";
/// A NIK whose birth part (day 32) is not a date.
const BAD_DATE_NIK: &str = "1807053203950003";

fn mistyped(id: &str, day: u8, nik: &str) -> NewApplication {
    let mut a = app(id, "KLA", day);
    a.set_invalid(IdentifierField::Nik, nik);
    a
}

/// Three applications: one valid, one with an invalid NIK, one with every kind kept invalid.
fn three() -> Vec<NewApplication> {
    let mut all = mistyped("KLA-3", 3, BAD_DATE_NIK);
    all.set_invalid(IdentifierField::Phone, "0812-345");
    all.set_invalid(IdentifierField::SponsorPhone, "+60 12 345 6789");
    all.set_invalid(IdentifierField::PreviousPassportNo, "B 12/345");
    vec![app("KLA-1", "KLA", 1), mistyped("KLA-2", 2, SHORT_NIK), all]
}

/// `(application_id, nik, nik_valid, phone_valid, sponsor_phone_valid,
/// previous_passport_no_valid)` of every stored application, read with raw SQL.
async fn raw_columns(fresh: &Fresh) -> Vec<(String, Option<String>, [bool; 4])> {
    const SQL: &str = "select application_id, nik, nik_valid, phone_valid, sponsor_phone_valid, \
                       previous_passport_no_valid from applications order by application_id";
    let flags = |get: &dyn Fn(usize) -> bool| [get(2), get(3), get(4), get(5)];
    if fresh.store.backend() == Backend::Sqlite {
        let mut c = sqlx::SqliteConnection::connect(&fresh.raw_url).await.unwrap();
        let rows = sqlx::query(SQL).fetch_all(&mut c).await.unwrap();
        rows.iter().map(|r| (r.get(0), r.get(1), flags(&|i| r.get::<i64, _>(i) == 1))).collect()
    } else {
        let mut c = sqlx::PgConnection::connect(&fresh.raw_url).await.unwrap();
        let rows = sqlx::query(SQL).fetch_all(&mut c).await.unwrap();
        rows.iter().map(|r| (r.get(0), r.get(1), flags(&|i| r.get::<bool, _>(i)))).collect()
    }
}

pub async fn invalid_identifiers_are_stored_as_written_and_read_back_flagged(fresh: &Fresh) {
    with_offices(fresh).await;
    let s = &fresh.store;
    let rows = three();
    let outcome = s.import(&rows[..2], ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!(outcome.inserted, 2);
    // The single-row path (not used at the desk for invalid values, but the store keeps
    // whatever it is given).
    let third = s.insert_application(&rows[2], &ctx()).await.unwrap();
    assert_eq!(third.data, rows[2]);

    assert_eq!(
        raw_columns(fresh).await,
        [
            ("KLA-1".to_owned(), Some("1807055203950003".to_owned()), [true; 4]),
            ("KLA-2".to_owned(), Some(SHORT_NIK.to_owned()), [false, true, true, true]),
            ("KLA-3".to_owned(), Some(BAD_DATE_NIK.to_owned()), [false; 4]),
        ]
    );
    for expected in &rows {
        let stored = s
            .find_application(&expected.office_code, &expected.application_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&stored.data, expected);
        assert_eq!(s.get_application(stored.key).await.unwrap().data, *expected);
    }
    let kept = s.find_application(&rows[2].office_code, "KLA-3").await.unwrap().unwrap().data;
    assert!(!kept.nik_valid());
    assert_eq!(kept.invalid(IdentifierField::Phone), Some("0812-345"));
    assert_eq!(kept.invalid(IdentifierField::SponsorPhone), Some("+60 12 345 6789"));
    assert_eq!(kept.invalid(IdentifierField::PreviousPassportNo), Some("B 12/345"));

    let exported = s.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(exported, rows, "export gives every identifier exactly as stored");
    let changed: Vec<NewApplication> =
        s.applications_changed_since(0, 10).await.unwrap().into_iter().map(|a| a.data).collect();
    assert_eq!(changed, rows);
    let by_text = s
        .list_applications(&ApplicationQuery {
            nik: Some(SHORT_NIK.to_owned()),
            ..ApplicationQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_text.len(), 1);
    assert_eq!(by_text[0].data.application_id, "KLA-2");
}

pub async fn a_large_import_keeps_every_invalid_identifier(fresh: &Fresh) {
    with_offices(fresh).await;
    // Enough rows for SQLite's bulk path (indexes dropped and rebuilt).
    let rows: Vec<NewApplication> = (0..2500)
        .map(|i| {
            let id = format!("KLA-{i:05}");
            let day = 1 + (i % 28) as u8;
            if i % 7 == 0 {
                mistyped(&id, day, &format!("18070552039{:04}", i % 10_000))
            } else {
                app(&id, "KLA", day)
            }
        })
        .collect();
    let outcome = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!(outcome.inserted, 2500);
    let exported = fresh.store.export(&ExportFilter::default()).await.unwrap();
    let mut expected = rows.clone();
    expected
        .sort_by(|a, b| (a.applied_on, &a.application_id).cmp(&(b.applied_on, &b.application_id)));
    assert_eq!(exported, expected);
    let flagged = raw_columns(fresh).await.iter().filter(|(_, _, f)| !f[0]).count();
    assert_eq!(flagged, rows.iter().filter(|a| !a.nik_valid()).count());
    assert_eq!(flagged, 358);
}

pub async fn reimporting_a_row_with_an_invalid_nik_changes_nothing(fresh: &Fresh) {
    with_offices(fresh).await;
    let rows = three();
    fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let again = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 3));
    // The same application with its NIK now typed differently is a conflict on `nik`.
    let mut corrected = rows[1].clone();
    corrected.nik = jejak_domain::Nik::parse("1807055203950003").ok();
    corrected.invalid = None;
    let outcome = fresh.store.import(&[corrected], ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert!(!outcome.committed);
    assert_eq!(outcome.conflicts[0].fields, vec!["nik"]);
}

pub async fn anonymising_clears_the_text_and_the_flags(fresh: &Fresh) {
    with_offices(fresh).await;
    let rows = three();
    fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let key: ApplicationKey =
        fresh.store.find_application(&rows[2].office_code, "KLA-3").await.unwrap().unwrap().key;
    let action = RetentionAction {
        application: key,
        kind: RetentionKind::Anonymise,
        record_type: "deferred".into(),
        expired_on: "2028-03-03".into(),
        as_of: "2029-03-04".into(),
        age_at_application: Some(29),
    };
    let outcome = fresh.store.apply_retention(&[action], &ctx()).await.unwrap();
    assert_eq!(outcome.anonymised, vec![key]);
    let after = fresh.store.get_application(key).await.unwrap().data;
    assert!(after.nik_valid());
    assert_eq!((after.nik_text(), after.invalid.is_none()), (None, true));
    let raw = raw_columns(fresh).await;
    assert_eq!(raw[2], ("KLA-3".to_owned(), None, [true; 4]));
}
