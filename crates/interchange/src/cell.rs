//! Turning the cells of one row into a `NewApplication`, collecting every problem.

use std::collections::HashSet;

use jejak_domain::date::parse_date;
use jejak_domain::decision::DecisionKind;
use jejak_domain::nik::Nik;
use jejak_domain::text::{check_text, strip_bidi_controls};
use jejak_domain::{
    CountryCode, IdentifierField, NewApplication, OfficeCode, Outcome, PassportNo, Phone, Purpose,
    RegionCode, Sex,
};
use time::Date;

use crate::column::Column;

/// What becomes of an identifier (NIK, phone, sponsor phone, previous passport number) that
/// is present but not valid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IdentifierMode {
    /// Files copied from paper or legacy sheets: the value is evidence even when mistyped, so
    /// it is kept exactly as written, flagged invalid and reported as a warning; the row is
    /// imported (interchange spec, last paragraph).
    #[default]
    Lenient,
    /// Entry at the desk, where the officer holds the KTP: an impossible value is an error.
    Strict,
}

/// A problem with one cell: the column and the reason.
pub(crate) struct CellProblem {
    pub(crate) column: Column,
    pub(crate) value: Option<String>,
    pub(crate) message: String,
}

/// Parsed row, or the problems that stop it; plus warnings that do not.
pub(crate) struct ParsedRow {
    pub(crate) application: Option<NewApplication>,
    pub(crate) errors: Vec<CellProblem>,
    pub(crate) warnings: Vec<CellProblem>,
}

fn text(cells: &[Option<String>; 23], column: Column) -> Option<&str> {
    cells[column as usize].as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses one row given its cells in `Column::ALL` order (`None` = column absent).
pub(crate) fn parse_row(
    cells: &[Option<String>; Column::ALL.len()],
    known_offices: &HashSet<OfficeCode>,
    mode: IdentifierMode,
) -> ParsedRow {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut fail = |column: Column, value: Option<&str>, message: String| {
        errors.push(CellProblem { column, value: value.map(str::to_owned), message });
    };

    // Text the register cannot hold (control characters, overlong values) is refused first,
    // by column, whatever the column's type.
    for column in Column::ALL {
        if let Some(value) = cells[column as usize].as_deref()
            && let Err(problem) = check_text(value, column.max_chars(), column.is_multiline())
        {
            let shown: String = value.chars().take(column.max_chars()).collect();
            fail(column, Some(&shown), format!("value {problem}"));
        }
    }

    // Required cells are reported first, so their absence shows even if others fail.
    let mut missing = Vec::new();
    let application_id = text(cells, Column::ApplicationId).map(str::to_owned);
    let office_text = text(cells, Column::OfficeCode).map(str::to_owned);
    let applied_text = text(cells, Column::AppliedOn).map(str::to_owned);
    let full_name = text(cells, Column::FullName).map(str::to_owned);
    for (column, value) in [
        (Column::ApplicationId, &application_id),
        (Column::OfficeCode, &office_text),
        (Column::AppliedOn, &applied_text),
        (Column::FullName, &full_name),
    ] {
        if value.is_none() {
            missing.push(column);
        }
    }
    for column in missing {
        fail(column, None, "required value is missing".to_owned());
    }

    let office = office_text.as_deref().and_then(|s| match OfficeCode::parse(s) {
        Ok(code) if known_offices.contains(&code) => Some(code),
        Ok(code) => {
            fail(
                Column::OfficeCode,
                Some(s),
                format!("unknown office {code}: add it with `jejak office add` first"),
            );
            None
        }
        Err(e) => {
            fail(Column::OfficeCode, Some(s), e.to_string());
            None
        }
    });
    let mut date = |column: Column| -> Option<Date> {
        let s = text(cells, column)?;
        match parse_date(s) {
            Ok(d) => Some(d),
            Err(e) => {
                fail(column, Some(s), e.to_string());
                None
            }
        }
    };
    let applied_on = date(Column::AppliedOn);
    let birth_date = date(Column::BirthDate);
    let decided_on = date(Column::DecidedOn);

    macro_rules! typed {
        ($column:expr, $parse:expr) => {
            text(cells, $column).and_then(|s| match $parse(s) {
                Ok(v) => Some(v),
                Err(e) => {
                    fail($column, Some(s), e.to_string());
                    None
                }
            })
        };
    }
    // Identifiers: an invalid one is an error at the desk, kept as written from a file.
    let mut kept: Vec<(IdentifierField, &str)> = Vec::new();
    macro_rules! identifier {
        ($column:expr, $field:expr, $parse:expr) => {
            match mode {
                IdentifierMode::Strict => typed!($column, $parse),
                IdentifierMode::Lenient => text(cells, $column).and_then(|s| match $parse(s) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        warnings.push(CellProblem {
                            column: $column,
                            value: Some(s.to_owned()),
                            message: format!("{e}; kept as written and flagged invalid"),
                        });
                        kept.push(($field, s));
                        None
                    }
                }),
            }
        };
    }
    let nik = identifier!(Column::Nik, IdentifierField::Nik, Nik::parse);
    let village_code = typed!(Column::VillageCode, RegionCode::parse_village);
    let phone = identifier!(Column::Phone, IdentifierField::Phone, Phone::parse);
    let sponsor_phone =
        identifier!(Column::SponsorPhone, IdentifierField::SponsorPhone, Phone::parse);
    let destination_country = typed!(Column::DestinationCountry, CountryCode::parse);
    let previous_passport_no = identifier!(
        Column::PreviousPassportNo,
        IdentifierField::PreviousPassportNo,
        PassportNo::parse
    );
    let sex = text(cells, Column::Sex).and_then(|s| {
        let parsed = Sex::parse(s);
        if parsed.is_none() {
            fail(Column::Sex, Some(s), "sex must be L or P (M or F accepted)".to_owned());
        }
        parsed
    });
    let purpose = text(cells, Column::Purpose).and_then(|s| {
        let parsed = Purpose::parse(s);
        if parsed.is_none() {
            let allowed: Vec<_> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
            fail(
                Column::Purpose,
                Some(s),
                format!("unknown purpose; use one of {}", allowed.join(", ")),
            );
        }
        parsed
    });
    let outcome = match text(cells, Column::Outcome) {
        None => Some(Outcome::Pending),
        Some(s) => {
            let parsed = Outcome::parse(s);
            if parsed.is_none() {
                fail(
                    Column::Outcome,
                    Some(s),
                    "unknown outcome; use pending, issued, deferred or rejected (diproses, terbit, ditunda, ditolak)".to_owned(),
                );
            }
            parsed
        }
    };

    // Cross-field checks, only where both sides parsed.
    if let (Some(applied), Some(birth)) = (applied_on, birth_date)
        && birth > applied
    {
        let s = text(cells, Column::BirthDate);
        fail(Column::BirthDate, s, "birth date is after the application date".to_owned());
    }
    if let (Some(applied), Some(decided)) = (applied_on, decided_on)
        && decided < applied
    {
        let s = text(cells, Column::DecidedOn);
        fail(Column::DecidedOn, s, "decision date is before the application date".to_owned());
    }
    if let Some(outcome) = outcome {
        let decided = DecisionKind::from_outcome(outcome).is_some();
        if !decided && decided_on.is_some() {
            let s = text(cells, Column::DecidedOn);
            fail(Column::DecidedOn, s, "a pending application has no decision date".to_owned());
        }
    }

    if let (Some(nik), Some(applied)) = (&nik, applied_on) {
        for warning in nik.check(applied, birth_date, sex) {
            warnings.push(CellProblem {
                column: Column::Nik,
                value: Some(nik.as_str().to_owned()),
                message: warning.to_string(),
            });
        }
    }
    if let Some(passport) = &previous_passport_no
        && !passport.looks_indonesian()
    {
        warnings.push(CellProblem {
            column: Column::PreviousPassportNo,
            value: Some(passport.as_str().to_owned()),
            message: "passport number does not follow the usual pattern (1-2 letters, 6-7 digits)"
                .to_owned(),
        });
    }

    let optional = |column: Column| {
        text(cells, column).map(|value| match column.is_name() {
            true => strip_bidi_controls(value).into_owned(),
            false => value.to_owned(),
        })
    };
    let application = match (application_id, office, applied_on, full_name, outcome) {
        (
            Some(application_id),
            Some(office_code),
            Some(applied_on),
            Some(full_name),
            Some(outcome),
        ) if errors.is_empty() => Some(NewApplication {
            application_id,
            office_code,
            applied_on,
            full_name: strip_bidi_controls(&full_name).into_owned(),
            nik,
            sex,
            birth_date,
            birth_place: optional(Column::BirthPlace),
            address: optional(Column::Address),
            village_code,
            phone,
            mother_name: optional(Column::MotherName),
            father_name: optional(Column::FatherName),
            occupation: optional(Column::Occupation),
            purpose,
            destination_country,
            previous_passport_no,
            sponsor_name: optional(Column::SponsorName),
            sponsor_phone,
            cpmi_id: optional(Column::CpmiId),
            outcome,
            outcome_reason: optional(Column::OutcomeReason),
            decided_on,
            invalid: None,
        }),
        _ => None,
    };
    let application = application.map(|mut app| {
        for (field, raw) in kept {
            app.set_invalid(field, raw);
        }
        app
    });
    ParsedRow { application, errors, warnings }
}
