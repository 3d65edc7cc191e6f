//! Building applications and decisions for the tests.

use jejak_domain::date::ymd;
use jejak_domain::{
    ApplicationKey, DecisionKind, NewApplication, NewDecision, Nik, OfficeCode, Phone, Purpose,
    RegionCode, Sex,
};
use jejak_store::AuditCtx;
use time::Date;

pub fn day(y: i32, m: u8, d: u8) -> Date {
    ymd(y, m, d).unwrap()
}

pub fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "test".into(),
        office: None,
        purpose: None,
        at: "2025-01-01T00:00:00Z".into(),
    }
}

/// Suryani from Lampung Timur, applying at `office` under `id`.
pub fn suryani(id: &str, office: &str, on: Date) -> NewApplication {
    let mut app =
        NewApplication::new(id, OfficeCode::parse(office).unwrap(), on, "Suryani binti Ahmad");
    app.nik = Some(Nik::parse("1807054503950001").unwrap());
    app.sex = Some(Sex::Female);
    app.birth_date = Some(day(1995, 3, 5));
    app.birth_place = Some("Sukadana".into());
    app.address = Some("Dusun II RT 003 Desa Sukadana".into());
    app.village_code = Some(RegionCode::parse("18.07.05.2001").unwrap());
    app.phone = Some(Phone::parse("081234567890").unwrap());
    app.mother_name = Some("Siti Maryam".into());
    app.purpose = Some(Purpose::Tourism);
    app
}

/// Someone else entirely.
pub fn joko(id: &str, office: &str, on: Date) -> NewApplication {
    let mut app = NewApplication::new(id, OfficeCode::parse(office).unwrap(), on, "Joko Santoso");
    app.nik = Some(Nik::parse("1871021208800003").unwrap());
    app.sex = Some(Sex::Male);
    app.birth_date = Some(day(1980, 8, 12));
    app.mother_name = Some("Rukmini".into());
    app
}

pub fn deferral(key: ApplicationKey, on: Date, until: Date) -> NewDecision {
    NewDecision {
        application: key,
        kind: DecisionKind::Deferred,
        decided_on: on,
        deferral_until: Some(until),
        reason_codes: vec!["PMI_NP".into()],
        reason_text: None,
        officer: Some("budi".into()),
    }
}
