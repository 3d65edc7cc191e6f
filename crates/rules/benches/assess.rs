//! Assessment speed: one application against the whole default catalogue (target <= 50 us).
//!
//! Run with `cargo bench -p jejak-rules --bench assess`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jejak_rules::{Facts, catalogue};
use time::macros::date;

/// An applicant with most facts known and several rules firing.
fn busy_applicant() -> Facts {
    let mut f = Facts::new();
    let set = |f: &mut Facts, name: &str, v: jejak_rules::FactInput| {
        f.set(name, v).unwrap_or_else(|e| panic!("{e}"));
    };
    set(&mut f, "purpose", "tourism".into());
    set(&mut f, "destination_country", "MY".into());
    set(&mut f, "sex", "P".into());
    set(&mut f, "occupation", "MENGURUS RUMAH TANGGA".into());
    set(&mut f, "education", "smp".into());
    set(&mut f, "application_type", "new".into());
    set(&mut f, "has_previous_passport", false.into());
    set(&mut f, "village_code", "1807052001".into());
    set(&mut f, "domicile_district", "18.07.05".into());
    set(&mut f, "domicile_regency", "18.07".into());
    set(&mut f, "domicile_in_office_area", false.into());
    set(&mut f, "age", 27.into());
    set(&mut f, "nik_consistent", true.into());
    set(&mut f, "prior_deferrals", 1.into());
    set(&mut f, "prior_rejections", 0.into());
    set(&mut f, "prior_decision_other_office", true.into());
    set(&mut f, "active_bar", false.into());
    set(&mut f, "open_applications_elsewhere", 0.into());
    set(&mut f, "phone_shared_unrelated_count", 2.into());
    set(&mut f, "identity_mismatch", false.into());
    set(&mut f, "lost_passport_count", 0.into());
    set(&mut f, "interview_no_funds", true.into());
    f
}

fn bench(c: &mut Criterion) {
    let rules = catalogue::default_rule_set().unwrap_or_else(|d| panic!("{d}"));
    let facts = busy_applicant();
    let empty = Facts::new();
    let on = date!(2025 - 06 - 01);
    c.bench_function("assess/default_catalogue/busy_applicant", |b| {
        b.iter(|| rules.assess(black_box(&facts), black_box(on)))
    });
    c.bench_function("assess/default_catalogue/all_unknown", |b| {
        b.iter(|| rules.assess(black_box(&empty), black_box(on)))
    });
    c.bench_function("evaluate/default_catalogue/busy_applicant", |b| {
        b.iter(|| rules.evaluate(black_box(&facts), black_box(on)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
