//! The village early-warning store on both backends: designation and assignment history,
//! reports filed once per id (the informant apart), follow-up history, outreach, Timpora.

use jejak_domain::date::ymd;
use jejak_domain::{
    CountryCode, NewOperation, NewOutreach, NewVillage, NewVillageReport, OfficeCode, Phone,
    RegionCode, ReportPerson, ReportStatus, ReportTopic, StatusChange,
};
use jejak_store::{RoutedReport, StoreError};

use crate::backends::{Fresh, contract};
use crate::behaviour::{ctx, with_offices};

contract!(
    villages:
    villages_are_designated_once_and_assignments_keep_their_history,
    a_report_filed_twice_exists_once_with_its_source_apart,
    a_batch_with_a_bad_report_files_nothing,
    follow_up_is_kept_as_history_and_a_closed_report_is_final,
    outreach_and_timpora_operations_are_recorded_and_audited,
);

fn way_layap() -> RegionCode {
    RegionCode::parse("18.09.01.2004").unwrap()
}

fn kla() -> OfficeCode {
    OfficeCode::parse("KLA").unwrap()
}

fn village() -> NewVillage {
    NewVillage {
        code: way_layap(),
        office: kla(),
        designated_on: ymd(2025, 9, 26).unwrap(),
        decree: Some("W.8-UM.01.01-123".into()),
        ends_on: None,
        partners: vec!["Desa Migran Emas".into()],
    }
}

pub(crate) fn report(id: &str) -> NewVillageReport {
    NewVillageReport {
        report_id: id.into(),
        village: way_layap(),
        reported_on: ymd(2025, 10, 2).unwrap(),
        topic: ReportTopic::Recruiter,
        source_reliability: "B".into(),
        info_credibility: 2,
        persons: vec![ReportPerson {
            name: "Siti Rohmah".into(),
            birth_date: ymd(1998, 2, 3),
            nik: None,
            relation: Some("calon pekerja".into()),
        }],
        phones: vec![Phone::parse("0812-7788-9900").unwrap()],
        recruiters: vec!["Pak Joko".into(), "PT Maju Jaya".into()],
        agency: Some("PT Maju Jaya".into()),
        destination_country: Some(CountryCode::parse("MY").unwrap()),
        planned_departure_on: ymd(2025, 10, 20),
        narrative: "Calo datang dari rumah ke rumah".into(),
        source: Some("Ibu kepala dusun".into()),
        reported_by: "pimpasa1".into(),
    }
}

fn routed(id: &str) -> RoutedReport {
    RoutedReport { report: report(id), office: kla() }
}

pub async fn villages_are_designated_once_and_assignments_keep_their_history(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    let v = store.designate_village(&village(), &ctx()).await.unwrap();
    assert_eq!(v.data, village());
    assert_eq!(v.designated_by, "admin");
    let again = store.designate_village(&village(), &ctx()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.villages().await.unwrap().len(), 1);

    let unknown = RegionCode::parse("18.10.03.2001").unwrap();
    let r = store.assign_pimpasa(&unknown, "pimpasa1", ymd(2025, 10, 1).unwrap(), &ctx()).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");

    store
        .assign_pimpasa(&way_layap(), "pimpasa1", ymd(2025, 10, 1).unwrap(), &ctx())
        .await
        .unwrap();
    let twice =
        store.assign_pimpasa(&way_layap(), "pimpasa1", ymd(2025, 10, 5).unwrap(), &ctx()).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    store
        .end_assignment(&way_layap(), "pimpasa1", ymd(2025, 12, 31).unwrap(), &ctx())
        .await
        .unwrap();
    store.assign_pimpasa(&way_layap(), "pimpasa2", ymd(2026, 1, 1).unwrap(), &ctx()).await.unwrap();
    let history = store.assignments(Some(&way_layap()), None).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].username, "pimpasa1");
    assert_eq!(history[0].until_on, ymd(2025, 12, 31));
    assert!(history[0].covers(ymd(2025, 11, 1).unwrap()));
    assert!(!history[0].covers(ymd(2026, 1, 2).unwrap()));
    assert_eq!(history[1].until_on, None);
    let mine = store.assignments(None, Some("pimpasa2")).await.unwrap();
    assert_eq!(mine.len(), 1);

    // Ending the designation keeps the row with its end date and ends the running
    // assignment that day; ending it again is a conflict.
    let early = store.end_designation(&way_layap(), ymd(2025, 1, 1).unwrap(), &ctx()).await;
    assert!(matches!(early, Err(StoreError::InvalidValue(_))), "{early:?}");
    let ended =
        store.end_designation(&way_layap(), ymd(2026, 6, 30).unwrap(), &ctx()).await.unwrap();
    assert_eq!(ended.data.ends_on, ymd(2026, 6, 30));
    assert_eq!(ended.data.designated_on, ymd(2025, 9, 26).unwrap());
    let history = store.assignments(Some(&way_layap()), None).await.unwrap();
    assert_eq!(history[0].until_on, ymd(2025, 12, 31), "an ended assignment keeps its end");
    assert_eq!(history[1].until_on, ymd(2026, 6, 30));
    let again = store.end_designation(&way_layap(), ymd(2026, 7, 1).unwrap(), &ctx()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.villages().await.unwrap().len(), 1);

    let events = store.audit_events(0, 1000).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"village.end"));
    assert!(actions.contains(&"village.designate"));
    assert_eq!(actions.iter().filter(|a| **a == "village.assign").count(), 2);
    assert!(actions.contains(&"village.unassign"));
}

pub async fn a_report_filed_twice_exists_once_with_its_source_apart(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    let before = store.current_change_seq().await.unwrap();
    let first = store.file_village_reports(&[routed("r-1")], &ctx()).await.unwrap();
    assert!(first[0].created);
    let stored = &first[0].report;
    let mut expected = report("r-1");
    expected.source = None;
    assert_eq!(stored.data, expected, "children round-trip, source not in the report");
    assert_eq!(stored.status, ReportStatus::New);
    assert_eq!(stored.office, kla());
    assert!(stored.change_seq > before);
    assert_eq!(store.report_source("r-1").await.unwrap().as_deref(), Some("Ibu kepala dusun"));

    let mut changed = routed("r-1");
    changed.report.narrative = "dikirim ulang".into();
    let second = store.file_village_reports(&[changed, routed("r-1")], &ctx()).await.unwrap();
    assert!(second.iter().all(|f| !f.created));
    assert_eq!(second[0].report.data.narrative, "Calo datang dari rumah ke rumah");
    let all = store.village_reports_since(0, None, 100).await.unwrap();
    assert_eq!(all.len(), 1);
    let events = store.audit_events(0, 1000).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.action == "village_report.file").count(), 1);
    assert!(
        events.iter().all(|e| !e.details.contains("kepala dusun")),
        "the informant never enters the audit log"
    );

    let mut other = routed("r-2");
    other.office = OfficeCode::parse("BDL").unwrap();
    other.report.source = None;
    store.file_village_reports(&[other], &ctx()).await.unwrap();
    assert_eq!(store.report_source("r-2").await.unwrap(), None);
    let kla_only = store.village_reports_since(0, Some(&kla()), 100).await.unwrap();
    assert_eq!(kla_only.iter().map(|r| r.data.report_id.as_str()).collect::<Vec<_>>(), ["r-1"]);
    let after_first = store.village_reports_since(stored.change_seq, None, 100).await.unwrap();
    assert_eq!(after_first.len(), 1);
    assert_eq!(after_first[0].data.report_id, "r-2");
    assert_eq!(store.village_report("nope").await.unwrap(), None);
}

pub async fn a_batch_with_a_bad_report_files_nothing(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    let mut bad = routed("r-2");
    bad.office = OfficeCode::parse("ZZZ").unwrap();
    let r = store.file_village_reports(&[routed("r-1"), bad], &ctx()).await;
    assert!(r.is_err());
    assert!(store.village_reports_since(0, None, 100).await.unwrap().is_empty());
    assert_eq!(store.village_report("r-1").await.unwrap(), None);
}

pub async fn follow_up_is_kept_as_history_and_a_closed_report_is_final(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    store.file_village_reports(&[routed("r-1")], &ctx()).await.unwrap();
    let step = |status, note: &str, at: &str| StatusChange {
        report_id: "r-1".into(),
        status,
        note: Some(note.into()),
        by: "kasi".into(),
        at: at.into(),
    };
    let ack = store
        .set_report_status(
            &step(ReportStatus::Acknowledged, "diterima", "2025-10-03T01:00:00Z"),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(ack.status, ReportStatus::Acknowledged);
    assert_eq!(ack.acknowledged_at.as_deref(), Some("2025-10-03T01:00:00Z"));
    let follow = store
        .set_report_status(
            &step(ReportStatus::InFollowUp, "cek ke desa", "2025-10-04T01:00:00Z"),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(follow.acknowledged_at.as_deref(), Some("2025-10-03T01:00:00Z"), "kept");
    assert!(follow.change_seq > ack.change_seq);
    store
        .set_report_status(&step(ReportStatus::Closed, "selesai", "2025-10-05T01:00:00Z"), &ctx())
        .await
        .unwrap();
    let reopen = store
        .set_report_status(&step(ReportStatus::InFollowUp, "lagi", "2025-10-06T01:00:00Z"), &ctx())
        .await;
    assert!(matches!(reopen, Err(StoreError::Conflict(_))), "{reopen:?}");
    let history = store.report_history("r-1").await.unwrap();
    let statuses: Vec<_> = history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [
            ReportStatus::New,
            ReportStatus::Acknowledged,
            ReportStatus::InFollowUp,
            ReportStatus::Closed
        ]
    );
    assert_eq!(history[2].note.as_deref(), Some("cek ke desa"));
    let missing = store
        .set_report_status(
            &StatusChange { report_id: "nope".into(), ..step(ReportStatus::Closed, "x", "t") },
            &ctx(),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}

pub async fn outreach_and_timpora_operations_are_recorded_and_audited(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    store.file_village_reports(&[routed("r-1")], &ctx()).await.unwrap();
    let session = NewOutreach {
        held_on: ymd(2025, 10, 10).unwrap(),
        village: way_layap(),
        venue: Some("SMA Negeri 1 Gedong Tataan".into()),
        kind: "sekolah".into(),
        attendees_female: 40,
        attendees_male: 35,
        topics: vec!["paspor".into(), "PMI prosedural".into()],
        partners: vec!["BP3MI Lampung".into()],
        notes: None,
        recorded_by: "pimpasa1".into(),
    };
    let o = store.record_outreach(&session, &ctx()).await.unwrap();
    assert_eq!(o.data, session);
    assert_eq!(store.outreach(Some(&way_layap())).await.unwrap(), vec![o]);
    assert!(
        store
            .outreach(Some(&RegionCode::parse("18.10.03.2001").unwrap()))
            .await
            .unwrap()
            .is_empty()
    );

    let mut op = NewOperation {
        held_on: ymd(2025, 10, 15).unwrap(),
        area: RegionCode::parse("18.09.01").unwrap(),
        lead_office: kla(),
        agencies: vec!["Polsek".into(), "Koramil".into()],
        foreigners_checked: 3,
        violations: vec![("overstay".into(), 1)],
        persons_secured: 1,
        pmi_np_stopped: 4,
        report_ids: vec!["r-1".into()],
        notes: Some("berdasarkan laporan desa".into()),
        recorded_by: "kasi".into(),
    };
    let stored = store.record_operation(&op, &ctx()).await.unwrap();
    assert_eq!(store.operations().await.unwrap(), vec![stored.clone()]);
    assert_eq!(stored.data.report_ids, ["r-1"]);
    op.report_ids = vec!["missing".into()];
    let bad = store.record_operation(&op, &ctx()).await;
    assert!(matches!(bad, Err(StoreError::NotFound(_))), "{bad:?}");
    assert_eq!(store.operations().await.unwrap().len(), 1);
    let events = store.audit_events(0, 1000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "outreach.record"));
    assert_eq!(events.iter().filter(|e| e.action == "timpora.record").count(), 1);
}
