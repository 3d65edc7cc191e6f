//! Writes a dataset as an interchange CSV (canonical headers in spec order, ISO dates,
//! E.164 phones, dotted village codes), and its ground truth.

use std::io::Write;

use crate::dataset::Dataset;

/// Writes the applications as an interchange CSV with the canonical header, through the
/// format's own writer (`jejak-interchange`).
pub fn write_csv<W: Write>(dataset: &Dataset, out: W) -> csv::Result<()> {
    jejak_interchange::write_csv(out, &dataset.applications)
}

/// Writes the ground truth as `application_id,person_id`.
pub fn write_truth<W: Write>(dataset: &Dataset, out: W) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["application_id", "person_id"])?;
    for (application, truth) in dataset.iter() {
        writer.write_record([application.application_id.as_str(), &truth.person.to_string()])?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the full truth: person, household, relation, visit number, evasive flag, broker
/// phone flag and variation tags (`;`-separated), one row per application.
pub fn write_tags<W: Write>(dataset: &Dataset, out: W) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "application_id",
        "person_id",
        "household_id",
        "relation",
        "visit",
        "evasive",
        "broker_phone",
        "variations",
    ])?;
    for (application, t) in dataset.iter() {
        writer.write_record([
            application.application_id.as_str(),
            &t.person.to_string(),
            &t.household.map(|h| h.to_string()).unwrap_or_default(),
            t.relation.as_str(),
            &t.visit.to_string(),
            if t.evasive { "true" } else { "false" },
            if t.broker_phone { "true" } else { "false" },
            &t.variations.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
