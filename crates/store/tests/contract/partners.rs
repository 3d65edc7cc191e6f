//! Partner snapshots (issue 15): written whole with one change number and one audit event,
//! read back field for field, the newest per kind found, a CPMI registration's status history
//! kept across snapshots, and a snapshot that cannot be written leaving nothing behind.

use jejak_domain::date::ymd;
use jejak_domain::{
    CountryCode, CpmiRecord, CpmiStatus, DeportationKind, DeportationRecord, Nik, OfficeCode,
    P3miLicence, PartnerKind, Sex,
};
use jejak_store::{AuditCtx, NewPartnerSnapshot, PartnerRecords};

use crate::backends::{Fresh, contract};

contract!(
    partners:
    a_cpmi_snapshot_round_trips_and_is_audited,
    status_history_is_kept_and_the_newest_snapshot_wins,
    lists_round_trip_and_a_failed_snapshot_writes_nothing,
);

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "admin".into(),
        office: Some(OfficeCode::parse("BDL").unwrap()),
        purpose: Some("PKS KemenP2MI-Imigrasi".into()),
        at: "2025-06-01T08:00:00Z".into(),
    }
}

fn cpmi(id: &str, status: CpmiStatus) -> CpmiRecord {
    CpmiRecord {
        cpmi_id: id.into(),
        nik: Some(Nik::parse("1807055203950003").unwrap()),
        full_name: "Suryani".into(),
        birth_date: ymd(1995, 3, 12),
        sex: Some(Sex::Female),
        destination_country: Some(CountryCode::parse("MY").unwrap()),
        p3mi_name: Some("PT Sinar Jaya Abadi".into()),
        employer: Some("Tan Holdings Sdn Bhd".into()),
        job_title: Some("Operator produksi".into()),
        placement_scheme: Some("P-to-P".into()),
        status,
        recommendation_no: Some("562/123/2025".into()),
        recommendation_date: ymd(2025, 5, 1),
        updated_on: ymd(2025, 5, 2),
    }
}

fn snapshot(kind: PartnerKind, day: u8) -> NewPartnerSnapshot {
    NewPartnerSnapshot { kind, taken_on: ymd(2025, 6, day).unwrap(), source: "export.csv".into() }
}

pub async fn a_cpmi_snapshot_round_trips_and_is_audited(fresh: &Fresh) {
    let store = &fresh.store;
    assert_eq!(store.partner_change_seq().await.unwrap(), 0);
    assert!(store.latest_partner_snapshot(PartnerKind::Cpmi).await.unwrap().is_none());
    let mark = store.current_change_seq().await.unwrap();
    let mut bare = cpmi("CPMI-2", CpmiStatus::Registered);
    (bare.nik, bare.birth_date, bare.sex, bare.destination_country) = (None, None, None, None);
    (bare.p3mi_name, bare.recommendation_no, bare.recommendation_date) = (None, None, None);
    let records = PartnerRecords::Cpmi(vec![cpmi("CPMI-1", CpmiStatus::InProcess), bare]);
    let stored = store
        .import_partner_snapshot(&snapshot(PartnerKind::Cpmi, 1), &records, &ctx())
        .await
        .unwrap();
    assert!(stored.change_seq > mark);
    assert_eq!((stored.record_count, stored.imported_by.as_str()), (2, "admin"));
    assert_eq!(store.partner_change_seq().await.unwrap(), stored.change_seq);
    let latest = store.latest_partner_snapshot(PartnerKind::Cpmi).await.unwrap().unwrap();
    assert_eq!(latest, stored);
    assert_eq!(store.partner_records(&latest).await.unwrap(), records);
    let audit = store.audit_events(0, 10_000).await.unwrap();
    let event = audit.iter().rev().find(|e| e.action == "partner.import").unwrap();
    assert_eq!(event.entity_id.as_deref(), Some(stored.id.to_string().as_str()));
    assert!(event.details.contains("kind=cpmi") && event.details.contains("records=2"));
    assert_eq!(event.purpose.as_deref(), Some("PKS KemenP2MI-Imigrasi"));
}

pub async fn status_history_is_kept_and_the_newest_snapshot_wins(fresh: &Fresh) {
    let store = &fresh.store;
    let june_5 = PartnerRecords::Cpmi(vec![cpmi("CPMI-1", CpmiStatus::Departed)]);
    let june_1 = PartnerRecords::Cpmi(vec![cpmi("CPMI-1", CpmiStatus::InProcess)]);
    // Imported out of date order: the newest taken_on is still the current one.
    store.import_partner_snapshot(&snapshot(PartnerKind::Cpmi, 5), &june_5, &ctx()).await.unwrap();
    store.import_partner_snapshot(&snapshot(PartnerKind::Cpmi, 1), &june_1, &ctx()).await.unwrap();
    let latest = store.latest_partner_snapshot(PartnerKind::Cpmi).await.unwrap().unwrap();
    assert_eq!(latest.taken_on, ymd(2025, 6, 5).unwrap());
    let history = store.cpmi_history("CPMI-1").await.unwrap();
    let statuses: Vec<_> = history.iter().map(|h| (h.taken_on.day(), h.record.status)).collect();
    assert_eq!(statuses, [(1, CpmiStatus::InProcess), (5, CpmiStatus::Departed)]);
    assert_eq!(store.partner_snapshots(PartnerKind::Cpmi).await.unwrap().len(), 2);
    assert!(store.partner_snapshots(PartnerKind::P3mi).await.unwrap().is_empty());
}

pub async fn lists_round_trip_and_a_failed_snapshot_writes_nothing(fresh: &Fresh) {
    let store = &fresh.store;
    let p3mi = PartnerRecords::P3mi(vec![P3miLicence {
        p3mi_name: "PT Sinar Jaya Abadi".into(),
        licence_no: Some("KEP.123/2024".into()),
        valid_until: ymd(2029, 12, 31),
    }]);
    let s = store
        .import_partner_snapshot(&snapshot(PartnerKind::P3mi, 2), &p3mi, &ctx())
        .await
        .unwrap();
    assert_eq!(store.partner_records(&s).await.unwrap(), p3mi);
    let deportations = PartnerRecords::Deportations(vec![DeportationRecord {
        nik: None,
        full_name: "Budi Santoso".into(),
        birth_date: ymd(1990, 1, 1),
        sex: Some(Sex::Male),
        country: Some(CountryCode::parse("MY").unwrap()),
        kind: DeportationKind::Deported,
        event_date: ymd(2024, 2, 1),
        reference: Some("BP3MI-LPG/2024/17".into()),
    }]);
    let d = store
        .import_partner_snapshot(&snapshot(PartnerKind::Deportations, 2), &deportations, &ctx())
        .await
        .unwrap();
    assert_eq!(store.partner_records(&d).await.unwrap(), deportations);

    let before = (
        store.current_change_seq().await.unwrap(),
        store.audit_events(0, 10_000).await.unwrap().len(),
    );
    let mut bad = cpmi("CPMI-9", CpmiStatus::Registered);
    bad.employer = Some("nul\0byte".into());
    let refused = store
        .import_partner_snapshot(
            &snapshot(PartnerKind::Cpmi, 3),
            &PartnerRecords::Cpmi(vec![cpmi("CPMI-8", CpmiStatus::Registered), bad]),
            &ctx(),
        )
        .await;
    assert!(refused.is_err());
    let wrong_kind =
        store.import_partner_snapshot(&snapshot(PartnerKind::Cpmi, 3), &p3mi, &ctx()).await;
    assert!(wrong_kind.is_err());
    let after = (
        store.current_change_seq().await.unwrap(),
        store.audit_events(0, 10_000).await.unwrap().len(),
    );
    assert_eq!(before, after);
    assert!(store.latest_partner_snapshot(PartnerKind::Cpmi).await.unwrap().is_none());
}
