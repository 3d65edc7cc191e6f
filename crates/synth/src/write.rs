//! Writes a dataset as an interchange CSV (`/work/shared/spec/interchange.md`: canonical
//! headers in spec order, ISO dates, E.164 phones, dotted village codes) and its truth.

use std::io::Write;

use jejak_domain::NewApplication;
use time::Date;

use crate::dataset::Dataset;

/// The interchange columns, in the order of the spec.
pub const HEADER: [&str; 23] = [
    "application_id",
    "office_code",
    "applied_on",
    "full_name",
    "nik",
    "sex",
    "birth_date",
    "birth_place",
    "address",
    "village_code",
    "phone",
    "mother_name",
    "father_name",
    "occupation",
    "purpose",
    "destination_country",
    "previous_passport_no",
    "sponsor_name",
    "sponsor_phone",
    "cpmi_id",
    "outcome",
    "outcome_reason",
    "decided_on",
];

/// `YYYY-MM-DD` without allocating.
fn iso(date: Date, buf: &mut [u8; 10]) -> &str {
    let year = date.year().clamp(0, 9999) as u32;
    let month = u32::from(u8::from(date.month()));
    let day = u32::from(date.day());
    let digits = [
        year / 1000,
        year / 100 % 10,
        year / 10 % 10,
        year % 10,
        10,
        month / 10,
        month % 10,
        10,
        day / 10,
        day % 10,
    ];
    for (slot, d) in buf.iter_mut().zip(digits) {
        *slot = if d == 10 { b'-' } else { b'0' + d as u8 };
    }
    std::str::from_utf8(buf).unwrap_or("")
}

fn opt(value: Option<&str>) -> &str {
    value.unwrap_or("")
}

fn write_row<W: Write>(out: &mut csv::Writer<W>, a: &NewApplication) -> csv::Result<()> {
    let mut applied = [0u8; 10];
    let mut birth = [0u8; 10];
    let mut decided = [0u8; 10];
    let village = a.village_code.as_ref().map(|v| v.dotted());
    let applied = iso(a.applied_on, &mut applied);
    let birth = a.birth_date.map(|d| iso(d, &mut birth).to_owned());
    let decided = a.decided_on.map(|d| iso(d, &mut decided).to_owned());
    out.write_record([
        a.application_id.as_str(),
        a.office_code.as_str(),
        applied,
        a.full_name.as_str(),
        opt(a.nik.as_ref().map(|n| n.as_str())),
        opt(a.sex.map(|s| s.code())),
        opt(birth.as_deref()),
        opt(a.birth_place.as_deref()),
        opt(a.address.as_deref()),
        opt(village.as_deref()),
        opt(a.phone.as_ref().map(|p| p.as_str())),
        opt(a.mother_name.as_deref()),
        opt(a.father_name.as_deref()),
        opt(a.occupation.as_deref()),
        opt(a.purpose.map(|p| p.as_str())),
        opt(a.destination_country.as_ref().map(|c| c.as_str())),
        opt(a.previous_passport_no.as_ref().map(|p| p.as_str())),
        opt(a.sponsor_name.as_deref()),
        opt(a.sponsor_phone.as_ref().map(|p| p.as_str())),
        opt(a.cpmi_id.as_deref()),
        a.outcome.as_str(),
        opt(a.outcome_reason.as_deref()),
        opt(decided.as_deref()),
    ])
}

/// Writes the applications as an interchange CSV with the canonical header.
pub fn write_csv<W: Write>(dataset: &Dataset, out: W) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for application in &dataset.applications {
        write_row(&mut writer, application)?;
    }
    writer.flush()?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use jejak_domain::date::ymd;

    #[test]
    fn dates_are_written_as_iso() {
        let mut buf = [0u8; 10];
        assert_eq!(iso(ymd(2025, 3, 7).expect("date"), &mut buf), "2025-03-07");
        assert_eq!(iso(ymd(1949, 12, 31).expect("date"), &mut buf), "1949-12-31");
    }
}
