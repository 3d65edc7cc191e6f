//! The compact mirror (issue 18): what it keeps of each application is enough to answer what
//! the whole applications answered. A village report's page finds, from the briefs and the
//! contact groups (and the register for the NIKs a report names), exactly the applications a
//! walk over every whole application finds.

use std::collections::BTreeMap;
use std::sync::Arc;

use jejak_domain::{
    Application, ApplicationKey, NewApplication, NewVillageReport, ReportPerson, ReportStatus,
    ReportTopic, VillageReport,
};
use jejak_matching::Model;
use jejak_service::mirror::Mirror;
use jejak_service::village_index::{LinkedBy, link_one, linked_in_mirror};

fn register() -> Vec<Application> {
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: 400,
        seed: 1818,
        ..Default::default()
    });
    data.applications
        .into_iter()
        .enumerate()
        .map(|(n, data)| Application {
            key: ApplicationKey(n as i64 + 1),
            version: 1,
            change_seq: n as i64 + 1,
            data,
        })
        .collect()
}

/// A report naming what `sources` carry: one's NIK, another's name and birth date, phones
/// and sponsors of others, and the village of the first.
fn report_about(n: usize, topic: ReportTopic, sources: &[&NewApplication]) -> VillageReport {
    let first = sources[0];
    let mut persons = Vec::new();
    let mut phones = Vec::new();
    let mut recruiters = Vec::new();
    for (i, app) in sources.iter().enumerate() {
        match i % 4 {
            0 => persons.push(ReportPerson {
                name: app.full_name.clone(),
                birth_date: None,
                nik: app.nik.clone(),
                relation: None,
            }),
            1 => persons.push(ReportPerson {
                name: app.full_name.to_uppercase(),
                birth_date: app.birth_date,
                nik: None,
                relation: Some("calon pekerja".into()),
            }),
            2 => phones.extend(app.phone.clone().into_iter().chain(app.sponsor_phone.clone())),
            _ => recruiters.extend(app.sponsor_name.clone()),
        }
    }
    VillageReport {
        data: NewVillageReport {
            report_id: format!("R-{n}"),
            village: first.village_code.clone().unwrap_or_else(|| {
                jejak_domain::RegionCode::parse("1809012001").unwrap_or_else(|e| panic!("{e}"))
            }),
            reported_on: first.applied_on,
            topic,
            source_reliability: "B".into(),
            info_credibility: 2,
            persons,
            phones,
            recruiters,
            agency: None,
            destination_country: None,
            planned_departure_on: None,
            narrative: "laporan".into(),
            source: None,
            reported_by: "pimpasa".into(),
        },
        office: first.office_code.clone(),
        status: ReportStatus::Acknowledged,
        filed_at: "2026-01-01T00:00:00Z".into(),
        acknowledged_at: None,
        change_seq: 1,
    }
}

#[test]
fn village_links_found_from_briefs_are_those_of_walking_the_whole_applications() {
    let model = Arc::new(Model::interchange().unwrap_or_else(|e| panic!("{e}")));
    let apps = register();
    let mirror = Mirror::build(model.clone(), None, apps.clone(), Vec::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let normaliser = model.normaliser();
    let mut reports_with_links = 0;
    for n in 0..60 {
        let sources: Vec<&NewApplication> =
            (0..5).map(|i| &apps[(n * 37 + i * 101) % apps.len()].data).collect();
        let topic =
            [ReportTopic::Recruiter, ReportTopic::PlannedDeparture, ReportTopic::Other][n % 3];
        let report = report_about(n, topic, &sources);
        // The reference: every whole application through the report's link.
        let walked: BTreeMap<ApplicationKey, LinkedBy> = apps
            .iter()
            .filter_map(|a| Some((a.key, link_one(&report, &a.data, normaliser)?.linked_by)))
            .collect();
        // The mirror's way, with the register's answer for the NIKs named.
        let mut found: BTreeMap<ApplicationKey, LinkedBy> =
            linked_in_mirror(&mirror, &report).into_iter().collect();
        let niks: Vec<&str> =
            report.data.persons.iter().filter_map(|p| p.nik.as_ref()).map(|n| n.as_str()).collect();
        for app in &apps {
            if app.data.nik.as_ref().is_some_and(|nik| niks.contains(&nik.as_str())) {
                found.insert(app.key, LinkedBy::Person);
            }
        }
        assert_eq!(found, walked, "report {n}: {:?}", report.data);
        if walked.len() > 1 {
            reports_with_links += 1;
        }
    }
    assert!(reports_with_links >= 30, "only {reports_with_links} reports link anything");
}

#[test]
fn a_brief_keeps_what_screening_shows_and_the_register_keeps_the_rest() {
    let model = Arc::new(Model::interchange().unwrap_or_else(|e| panic!("{e}")));
    let apps = register();
    let mirror =
        Mirror::build(model, None, apps.clone(), Vec::new()).unwrap_or_else(|e| panic!("{e}"));
    for app in &apps {
        let brief = mirror.brief(app.key).unwrap_or_else(|| panic!("{:?} held", app.key));
        assert_eq!(brief.application_id(), app.data.application_id);
        assert_eq!(brief.full_name(), app.data.full_name);
        assert_eq!(mirror.office_code(brief), &app.data.office_code);
        assert_eq!(brief.applied_on, app.data.applied_on);
        assert_eq!(mirror.village_code(brief), app.data.village_code.as_ref());
        assert_eq!(mirror.key_of(&app.data.office_code, &app.data.application_id), Some(app.key));
    }
    assert_eq!(mirror.key_of(&apps[0].data.office_code, "no such id"), None);
}
