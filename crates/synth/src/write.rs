//! Writes a dataset as an interchange CSV (canonical headers in spec order, ISO dates,
//! E.164 phones, dotted village codes), and its ground truth.

use std::io::Write;

use jejak_domain::text::csv_safe;

use crate::dataset::Dataset;

/// Writes the applications as an interchange CSV with the canonical header, through the
/// format's own writer (`jejak-interchange`).
pub fn write_csv<W: Write>(dataset: &Dataset, out: W) -> csv::Result<()> {
    jejak_interchange::write_csv(out, &dataset.applications)
}

/// Writes the ground truth as `application_id,person_id`. The application id is written as
/// the interchange CSV writes it (`text::csv_safe`), so both files name a record alike.
pub fn write_truth<W: Write>(dataset: &Dataset, out: W) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["application_id", "person_id"])?;
    for (application, truth) in dataset.iter() {
        let id = csv_safe(&application.application_id);
        writer.write_record([id.as_bytes(), truth.person.to_string().as_bytes()])?;
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
        let id = csv_safe(&application.application_id);
        writer.write_record([
            &*id,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, generate};

    /// The first data row's first cell of a CSV file.
    fn first_id(file: &[u8]) -> String {
        let mut reader = csv::Reader::from_reader(file);
        reader.records().next().unwrap().unwrap()[0].to_owned()
    }

    /// OWASP's CSV injection rule holds for the truth files too, and they name a record as the
    /// applications file does.
    #[test]
    fn an_id_that_looks_like_a_formula_is_neutralised_in_every_file() {
        let mut data = generate(&Config { persons: 5, ..Config::default() });
        data.applications[0].application_id = "=HYPERLINK(\"http://x\")".into();
        let (mut applications, mut truth, mut tags) = (Vec::new(), Vec::new(), Vec::new());
        write_csv(&data, &mut applications).unwrap();
        write_truth(&data, &mut truth).unwrap();
        write_tags(&data, &mut tags).unwrap();
        for file in [&applications, &truth, &tags] {
            assert_eq!(first_id(file), "'=HYPERLINK(\"http://x\")");
        }
    }
}
