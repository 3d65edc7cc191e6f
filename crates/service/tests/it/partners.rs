//! Partner data in screening (issue 15): R01 passes or fails on the SISKOP2MI snapshot,
//! matched through a spelling variant of the name; a tourist registered as a CPMI in process
//! fires R23; an unlicensed P3MI fails R21; a listed deportee fires R22; a file with a bad row
//! imports nothing and names the row. On SQLite and PostgreSQL.

use std::sync::Arc;

use jejak_domain::{CountryCode, PartnerKind, Purpose};
use jejak_matching::Model;
use jejak_rules::{CheckStatus, RuleSet};
use jejak_service::assess::{AssessmentReport, Assessor};
use jejak_service::partners::{MatchedBy, import_file};
use jejak_service::screening::Screening;
use jejak_store::Store;

use crate::support::{ctx, day, joko, suryani};

const CPMI_HEADER: &str = "cpmi_id,nik,full_name,birth_date,sex,destination_country,p3mi_name,employer,job_title,placement_scheme,status,recommendation_no,recommendation_date,updated_on\n";

async fn import(store: &dyn Store, kind: PartnerKind, text: &str, on: (i32, u8, u8)) {
    import_file(store, kind, "partner.csv", text.as_bytes(), day(on.0, on.1, on.2), &ctx())
        .await
        .unwrap();
}

fn hard(report: &AssessmentReport, id: &str) -> CheckStatus {
    report.assessment.hard_checks.iter().find(|h| &*h.id == id).unwrap().status
}

fn fired(report: &AssessmentReport) -> Vec<&str> {
    report.assessment.indicators.iter().map(|i| &*i.id).collect()
}

async fn partner_data_decides_r01_r21_r22_r23(store: Arc<dyn Store>) {
    let rules: Arc<RuleSet> = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let screening = Arc::new(
        Screening::start(store.clone(), Arc::new(Model::interchange().unwrap())).await.unwrap(),
    );
    let assessor = Assessor::new(rules, Some(screening.clone()), Vec::new());
    let mut worker = suryani("BDL-1", "BDL", day(2025, 6, 10));
    worker.full_name = "Soeryani binti Ahmad".into();
    worker.purpose = Some(Purpose::Work);
    worker.destination_country = Some(CountryCode::parse("JP").unwrap());

    // No snapshot yet: no check was possible.
    let report = assessor.assess(&worker).unwrap();
    assert_eq!(hard(&report, "R01"), CheckStatus::Unknown);
    assert!(report.cpmi.is_none());

    // A snapshot without her: R01 fails.
    let others = format!(
        "{CPMI_HEADER}CPMI-7,1871021208800003,Joko Santoso,1980-08-12,L,MY,PT Sinar Jaya Abadi,,,P-to-P,registered,562/1/2025,2025-05-01,2025-05-01\n"
    );
    import(store.as_ref(), PartnerKind::Cpmi, &others, (2025, 6, 1)).await;
    screening.refresh().await.unwrap();
    let report = assessor.assess(&worker).unwrap();
    assert_eq!(hard(&report, "R01"), CheckStatus::Failed);
    assert!(report.cpmi.is_none());

    // A newer snapshot holds her as "Suryani", no NIK: matched by name and birth date.
    let with_her = format!(
        "{others}CPMI-9,,Suryani,1995-03-05,P,JP,PT Sinar Jaya Abadi,Nagoya Foods KK,Operator,P-to-P,registered,562/9/2025,2025-06-02,2025-06-03\n"
    );
    import(store.as_ref(), PartnerKind::Cpmi, &with_her, (2025, 6, 5)).await;
    screening.refresh().await.unwrap();
    let report = assessor.assess(&worker).unwrap();
    assert_eq!(hard(&report, "R01"), CheckStatus::Passed);
    let cpmi = report.cpmi.clone().unwrap();
    assert_eq!((cpmi.cpmi_id.as_str(), cpmi.matched_by), ("CPMI-9", MatchedBy::NameBirthDate));
    let json = serde_json::to_value(&cpmi).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"cpmi_id": "CPMI-9", "status": "registered", "destination_country": "JP",
            "p3mi_name": "PT Sinar Jaya Abadi", "matched_by": "name_birth_date"})
    );
    // Another birth date is another person.
    let mut namesake = worker.clone();
    (namesake.nik, namesake.birth_date) = (None, Some(day(1996, 3, 5)));
    assert!(assessor.assess(&namesake).unwrap().cpmi.is_none());

    // In process while declaring tourism: R23.
    let in_process = with_her.replace(",registered,562/9/2025", ",in_process,562/9/2025");
    import(store.as_ref(), PartnerKind::Cpmi, &in_process, (2025, 6, 8)).await;
    screening.refresh().await.unwrap();
    let mut tourist = worker.clone();
    tourist.purpose = Some(Purpose::Tourism);
    let report = assessor.assess(&tourist).unwrap();
    assert!(fired(&report).contains(&"R23"), "{:?}", fired(&report));
    assert_eq!(report.cpmi.as_ref().map(|c| c.status.as_str()), Some("in_process"));
    // Once back home, a holiday is a holiday.
    let returned = with_her.replace(",registered,562/9/2025", ",returned,562/9/2025");
    import(store.as_ref(), PartnerKind::Cpmi, &returned, (2025, 6, 9)).await;
    screening.refresh().await.unwrap();
    assert!(!fired(&assessor.assess(&tourist).unwrap()).contains(&"R23"));
    let history = store.cpmi_history("CPMI-9").await.unwrap();
    let statuses: Vec<&str> = history.iter().map(|h| h.record.status.as_str()).collect();
    assert_eq!(statuses, ["registered", "in_process", "returned"]);

    // R21: the sponsor against the licensed list, folded ("SINAR JAYA ABADI, PT").
    import(
        store.as_ref(),
        PartnerKind::P3mi,
        "p3mi_name,licence_no,valid_until\nPT. Sinar Jaya Abadi,KEP.12/2024,2029-12-31\nPT Lama Tutup,KEP.1/2015,2020-01-01\n",
        (2025, 6, 1),
    )
    .await;
    import(store.as_ref(), PartnerKind::Cpmi, &with_her, (2025, 6, 10)).await;
    screening.refresh().await.unwrap();
    let mut licensed = worker.clone();
    licensed.sponsor_name = Some("SINAR JAYA ABADI, PT".into());
    assert_eq!(hard(&assessor.assess(&licensed).unwrap(), "R21"), CheckStatus::Passed);
    for unlicensed in ["PT Maju Jaya Travel", "PT Lama Tutup"] {
        let mut app = worker.clone();
        app.sponsor_name = Some(unlicensed.into());
        assert_eq!(
            hard(&assessor.assess(&app).unwrap(), "R21"),
            CheckStatus::Failed,
            "{unlicensed}"
        );
    }

    // R22: Joko is on BP3MI's list by NIK; Suryani is not.
    import(
        store.as_ref(),
        PartnerKind::Deportations,
        "nik,full_name,birth_date,sex,country,kind,event_date,reference\n1871021208800003,Joko Santosa,1980-08-12,L,MY,deported,2024-11-02,BP3MI-LPG/2024/88\n",
        (2025, 6, 1),
    )
    .await;
    screening.refresh().await.unwrap();
    let report = assessor.assess(&joko("BDL-2", "BDL", day(2025, 6, 10))).unwrap();
    assert!(fired(&report).contains(&"R22"), "{:?}", fired(&report));
    assert!(!fired(&assessor.assess(&worker).unwrap()).contains(&"R22"));
    // Before the deportation it had not happened yet.
    let report = assessor.assess(&joko("BDL-3", "BDL", day(2024, 10, 1))).unwrap();
    assert!(!fired(&report).contains(&"R22"));

    // A file with a bad row imports nothing and names the row and column.
    let before = store.partner_change_seq().await.unwrap();
    let bad = format!(
        "{CPMI_HEADER}CPMI-1,,Ani,1990-01-01,P,MY,,,,,registered,,,\nCPMI-2,,Budi,1990-01-01,L,MY,,,,,on_holiday,,,\n"
    );
    let e = import_file(
        store.as_ref(),
        PartnerKind::Cpmi,
        "cpmi.csv",
        bad.as_bytes(),
        day(2025, 7, 1),
        &ctx(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("cpmi.csv: row 3, column status"), "{e}");
    assert_eq!(store.partner_change_seq().await.unwrap(), before);
}

#[tokio::test]
async fn partner_data_decides_r01_r21_r22_r23_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("register.db").display());
    partner_data_decides_r01_r21_r22_r23(jejak_store::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn partner_data_decides_r01_r21_r22_r23_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_partners").await else { return };
    partner_data_decides_r01_r21_r22_r23(jejak_store::open(&url).await.unwrap()).await;
}
