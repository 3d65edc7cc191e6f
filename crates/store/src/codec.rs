//! Conversions between domain values and the text/integer columns both backends share.

use jejak_domain::date::{iso, parse_date};
use jejak_domain::decision::DecisionKind;
use jejak_domain::{
    Application, ApplicationKey, CountryCode, Decision, IdentifierField, NewApplication,
    NewDecision, Nik, Office, OfficeCode, Outcome, PassportNo, Phone, Purpose, RegionCode, Sex,
};
use sha2::{Digest, Sha256};
use sqlx::{ColumnIndex, Decode, Row, Type};
use time::Date;

use crate::audit::AuditEvent;
use crate::error::StoreError;

/// The columns of `applications` that hold application data, in bind order.
pub(crate) const APPLICATION_COLUMNS: &str = "office_code, application_id, applied_on, full_name, nik, sex, \
birth_date, birth_place, address, village_code, phone, mother_name, father_name, occupation, purpose, \
destination_country, previous_passport_no, sponsor_name, sponsor_phone, cpmi_id, outcome, \
outcome_reason, decided_on";

/// The validity flags of the identifier columns, in `IdentifierField::ALL` order (migration
/// 0008): `false` when the column holds an invalid value exactly as written.
pub(crate) const VALIDITY_COLUMNS: &str =
    "nik_valid, phone_valid, sponsor_phone_valid, previous_passport_no_valid";

/// An application's validity flags, in `VALIDITY_COLUMNS` order.
pub(crate) fn validity_values(app: &NewApplication) -> [bool; 4] {
    IdentifierField::ALL.map(|field| app.is_valid(field))
}

/// An application's data as column values, in `APPLICATION_COLUMNS` order. An identifier
/// kept invalid is its text as written (its flag is in `validity_values`).
pub(crate) fn application_values(app: &NewApplication) -> [Option<String>; 23] {
    [
        Some(app.office_code.as_str().to_owned()),
        Some(app.application_id.clone()),
        Some(iso(app.applied_on)),
        Some(app.full_name.clone()),
        app.nik_text().map(str::to_owned),
        app.sex.map(|v| v.code().to_owned()),
        app.birth_date.map(iso),
        app.birth_place.clone(),
        app.address.clone(),
        app.village_code.as_ref().map(|v| v.as_str().to_owned()),
        app.identifier_text(IdentifierField::Phone).map(str::to_owned),
        app.mother_name.clone(),
        app.father_name.clone(),
        app.occupation.clone(),
        app.purpose.map(|v| v.as_str().to_owned()),
        app.destination_country.map(|v| v.as_str().to_owned()),
        app.identifier_text(IdentifierField::PreviousPassportNo).map(str::to_owned),
        app.sponsor_name.clone(),
        app.identifier_text(IdentifierField::SponsorPhone).map(str::to_owned),
        app.cpmi_id.clone(),
        Some(app.outcome.as_str().to_owned()),
        app.outcome_reason.clone(),
        app.decided_on.map(iso),
    ]
}

/// Field names in `APPLICATION_COLUMNS` order, for conflict reports.
pub(crate) const FIELD_NAMES: [&str; 23] = [
    "office_code",
    "application_id",
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

/// Content hash of an imported row: re-importing the same row is recognised as unchanged.
pub(crate) fn content_hash(app: &NewApplication) -> String {
    values_hash(&application_values(app))
}

/// `content_hash` of an application's `application_values`.
pub(crate) fn values_hash(values: &[Option<String>; 23]) -> String {
    hex::encode(columns_digest(values.iter().map(Option::as_deref)))
}

/// The SHA-256 behind `values_hash`, over column values in `APPLICATION_COLUMNS` order.
pub(crate) fn columns_digest<'a>(values: impl Iterator<Item = Option<&'a str>>) -> [u8; 32] {
    let mut h = Sha256::new();
    for value in values {
        match value {
            Some(v) => {
                h.update([1]);
                h.update((v.len() as u64).to_le_bytes());
                h.update(v.as_bytes());
            }
            None => h.update([0]),
        }
    }
    h.finalize().into()
}

/// Where one value sits in a shared text buffer (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// The value in `text`, the buffer the span was taken from.
    pub(crate) fn of(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or_default()
    }
}

/// Appends `value` to `text` and says where it went.
pub(crate) fn push_span(text: &mut String, value: &str) -> Span {
    let start = text.len();
    text.push_str(value);
    Span { start, end: text.len() }
}

/// Appends `date` as `iso` writes it.
pub(crate) fn push_date(text: &mut String, date: Date) -> Span {
    use std::fmt::Write as _;
    let start = text.len();
    // Writing to a String cannot fail.
    let _ = write!(text, "{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
    Span { start, end: text.len() }
}

/// Appends the lowercase hex of `digest` (as `hex::encode` writes it).
pub(crate) fn push_hex(text: &mut String, digest: &[u8]) -> Span {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let start = text.len();
    for byte in digest {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    Span { start, end: text.len() }
}

/// `application_values` written into one shared buffer instead of 23 separate strings
/// (the bulk import encodes many rows per buffer); gives where each value went.
pub(crate) fn push_application_text(app: &NewApplication, text: &mut String) -> [Option<Span>; 23] {
    let s = |text: &mut String, v: &str| Some(push_span(text, v));
    let o = |text: &mut String, v: Option<&str>| v.map(|v| push_span(text, v));
    let d = |text: &mut String, v: Option<Date>| v.map(|v| push_date(text, v));
    [
        s(text, app.office_code.as_str()),
        s(text, &app.application_id),
        Some(push_date(text, app.applied_on)),
        s(text, &app.full_name),
        o(text, app.nik_text()),
        o(text, app.sex.map(|v| v.code())),
        d(text, app.birth_date),
        o(text, app.birth_place.as_deref()),
        o(text, app.address.as_deref()),
        o(text, app.village_code.as_ref().map(|v| v.as_str())),
        o(text, app.identifier_text(IdentifierField::Phone)),
        o(text, app.mother_name.as_deref()),
        o(text, app.father_name.as_deref()),
        o(text, app.occupation.as_deref()),
        o(text, app.purpose.map(|v| v.as_str())),
        o(text, app.destination_country.as_ref().map(|v| v.as_str())),
        o(text, app.identifier_text(IdentifierField::PreviousPassportNo)),
        o(text, app.sponsor_name.as_deref()),
        o(text, app.identifier_text(IdentifierField::SponsorPhone)),
        o(text, app.cpmi_id.as_deref()),
        s(text, app.outcome.as_str()),
        o(text, app.outcome_reason.as_deref()),
        d(text, app.decided_on),
    ]
}

pub(crate) fn corrupt(
    table: &'static str,
    column: &'static str,
    message: impl ToString,
) -> StoreError {
    StoreError::Corrupt { table, column, message: message.to_string() }
}

/// Reads typed values out of a row of either backend.
pub(crate) trait RowExt {
    fn text(&self, column: &'static str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError>;
    fn int(&self, column: &'static str) -> Result<i64, StoreError>;
    fn opt_int(&self, column: &'static str) -> Result<Option<i64>, StoreError>;
    fn flag(&self, column: &'static str) -> Result<bool, StoreError>;
    fn bytes(&self, column: &'static str) -> Result<Vec<u8>, StoreError>;
    /// The value of the column at `index` (for one-column answers).
    fn text_at(&self, index: usize) -> Result<String, StoreError>;
    fn opt_text_at(&self, index: usize) -> Result<Option<String>, StoreError>;
    fn int_at(&self, index: usize) -> Result<i64, StoreError>;
    fn opt_int_at(&self, index: usize) -> Result<Option<i64>, StoreError>;
    fn flag_at(&self, index: usize) -> Result<bool, StoreError>;
}

impl<R: Row> RowExt for R
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
    usize: ColumnIndex<R>,
{
    fn text(&self, column: &'static str) -> Result<String, StoreError> {
        self.try_get::<String, _>(column).map_err(StoreError::from)
    }
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        self.try_get::<Option<String>, _>(column).map_err(StoreError::from)
    }
    fn int(&self, column: &'static str) -> Result<i64, StoreError> {
        self.try_get::<i64, _>(column).map_err(StoreError::from)
    }
    fn opt_int(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.try_get::<Option<i64>, _>(column).map_err(StoreError::from)
    }
    fn flag(&self, column: &'static str) -> Result<bool, StoreError> {
        self.try_get::<bool, _>(column).map_err(StoreError::from)
    }
    fn bytes(&self, column: &'static str) -> Result<Vec<u8>, StoreError> {
        self.try_get::<Vec<u8>, _>(column).map_err(StoreError::from)
    }
    fn text_at(&self, index: usize) -> Result<String, StoreError> {
        self.try_get::<String, _>(index).map_err(StoreError::from)
    }
    fn opt_text_at(&self, index: usize) -> Result<Option<String>, StoreError> {
        self.try_get::<Option<String>, _>(index).map_err(StoreError::from)
    }
    fn int_at(&self, index: usize) -> Result<i64, StoreError> {
        self.try_get::<i64, _>(index).map_err(StoreError::from)
    }
    fn opt_int_at(&self, index: usize) -> Result<Option<i64>, StoreError> {
        self.try_get::<Option<i64>, _>(index).map_err(StoreError::from)
    }
    fn flag_at(&self, index: usize) -> Result<bool, StoreError> {
        self.try_get::<bool, _>(index).map_err(StoreError::from)
    }
}

pub(crate) fn date(table: &'static str, column: &'static str, v: &str) -> Result<Date, StoreError> {
    parse_date(v).map_err(|e| corrupt(table, column, e))
}

pub(crate) fn opt<T, E: ToString>(
    table: &'static str,
    column: &'static str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    value.map(|v| parse(&v).map_err(|e| corrupt(table, column, e))).transpose()
}

fn opt_vocab<T>(
    table: &'static str,
    column: &'static str,
    value: Option<String>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    value
        .map(|v| parse(&v).ok_or_else(|| corrupt(table, column, format!("unknown value {v:?}"))))
        .transpose()
}

/// An identifier column: its typed value when its flag says valid, else `None` with the text
/// as written pushed to `invalid`.
fn identifier<T, E: ToString>(
    row: &impl RowExt,
    field: IdentifierField,
    column: &'static str,
    flag: &'static str,
    parse: impl Fn(&str) -> Result<T, E>,
    invalid: &mut Vec<(IdentifierField, String)>,
) -> Result<Option<T>, StoreError> {
    let text = row.opt_text(column)?;
    if row.flag(flag)? {
        return opt("applications", column, text, parse);
    }
    if let Some(text) = text {
        invalid.push((field, text));
    }
    Ok(None)
}

pub(crate) fn read_application(row: &impl RowExt) -> Result<Application, StoreError> {
    const T: &str = "applications";
    let mut invalid = Vec::new();
    let mut data = NewApplication {
        office_code: OfficeCode::parse(&row.text("office_code")?)
            .map_err(|e| corrupt(T, "office_code", e))?,
        application_id: row.text("application_id")?,
        applied_on: date(T, "applied_on", &row.text("applied_on")?)?,
        full_name: row.text("full_name")?,
        nik: identifier(row, IdentifierField::Nik, "nik", "nik_valid", Nik::parse, &mut invalid)?,
        sex: opt_vocab(T, "sex", row.opt_text("sex")?, Sex::parse)?,
        birth_date: opt(T, "birth_date", row.opt_text("birth_date")?, parse_date)?,
        birth_place: row.opt_text("birth_place")?,
        address: row.opt_text("address")?,
        village_code: opt(T, "village_code", row.opt_text("village_code")?, RegionCode::parse)?,
        phone: identifier(
            row,
            IdentifierField::Phone,
            "phone",
            "phone_valid",
            Phone::parse,
            &mut invalid,
        )?,
        mother_name: row.opt_text("mother_name")?,
        father_name: row.opt_text("father_name")?,
        occupation: row.opt_text("occupation")?,
        purpose: opt_vocab(T, "purpose", row.opt_text("purpose")?, Purpose::parse)?,
        destination_country: opt(
            T,
            "destination_country",
            row.opt_text("destination_country")?,
            CountryCode::parse,
        )?,
        previous_passport_no: identifier(
            row,
            IdentifierField::PreviousPassportNo,
            "previous_passport_no",
            "previous_passport_no_valid",
            PassportNo::parse,
            &mut invalid,
        )?,
        sponsor_name: row.opt_text("sponsor_name")?,
        sponsor_phone: identifier(
            row,
            IdentifierField::SponsorPhone,
            "sponsor_phone",
            "sponsor_phone_valid",
            Phone::parse,
            &mut invalid,
        )?,
        cpmi_id: row.opt_text("cpmi_id")?,
        outcome: Outcome::parse(&row.text("outcome")?)
            .ok_or_else(|| corrupt(T, "outcome", "unknown outcome"))?,
        outcome_reason: row.opt_text("outcome_reason")?,
        decided_on: opt(T, "decided_on", row.opt_text("decided_on")?, parse_date)?,
        invalid: None,
    };
    for (field, text) in invalid {
        data.set_invalid(field, text);
    }
    Ok(Application {
        key: ApplicationKey(row.int("id")?),
        version: row.int("version")?,
        change_seq: row.int("change_seq")?,
        data,
    })
}

pub(crate) fn read_decision(row: &impl RowExt) -> Result<Decision, StoreError> {
    const T: &str = "decisions";
    let codes = row.text("reason_codes")?;
    Ok(Decision {
        id: row.int("id")?,
        change_seq: row.int("change_seq")?,
        data: NewDecision {
            application: ApplicationKey(row.int("application_key")?),
            kind: DecisionKind::parse(&row.text("kind")?)
                .ok_or_else(|| corrupt(T, "kind", "unknown kind"))?,
            decided_on: date(T, "decided_on", &row.text("decided_on")?)?,
            deferral_until: opt(T, "deferral_until", row.opt_text("deferral_until")?, parse_date)?,
            reason_codes: codes.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
            reason_text: row.opt_text("reason_text")?,
            officer: row.opt_text("officer")?,
        },
    })
}

pub(crate) fn read_office(row: &impl RowExt) -> Result<Office, StoreError> {
    let area = row.text("work_area")?;
    Ok(Office {
        code: OfficeCode::parse(&row.text("code")?).map_err(|e| corrupt("offices", "code", e))?,
        name: row.text("name")?,
        work_area: area
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| RegionCode::parse(c).map_err(|e| corrupt("offices", "work_area", e)))
            .collect::<Result<_, _>>()?,
    })
}

pub(crate) fn read_audit(row: &impl RowExt) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        seq: row.int("seq")?,
        at: row.text("at")?,
        actor: row.text("actor")?,
        office_code: row.opt_text("office_code")?,
        purpose: row.opt_text("purpose")?,
        action: row.text("action")?,
        entity: row.text("entity")?,
        entity_id: row.opt_text("entity_id")?,
        details: row.text("details")?,
        prev_hash: row.text("prev_hash")?,
        hash: row.text("hash")?,
    })
}

/// The decision an imported row with an outcome stands for.
pub(crate) fn imported_decision(key: ApplicationKey, app: &NewApplication) -> Option<NewDecision> {
    let kind = DecisionKind::from_outcome(app.outcome)?;
    let reason = app.outcome_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let code = reason.and_then(jejak_domain::decision::reason_code);
    Some(NewDecision {
        application: key,
        kind,
        decided_on: app.decided_on.unwrap_or(app.applied_on),
        deferral_until: None,
        reason_codes: code.map(|c| vec![c.code.to_owned()]).unwrap_or_default(),
        reason_text: if code.is_some() { None } else { reason.map(str::to_owned) },
        officer: None,
    })
}

/// Text of an outcome reason written onto the application when an officer decides.
pub(crate) fn outcome_reason_text(decision: &NewDecision) -> Option<String> {
    let mut parts: Vec<String> = decision.reason_codes.clone();
    if let Some(text) = decision.reason_text.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(text.trim().to_owned());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Values bound per application row by `insert_applications_sql`: id, the data columns,
/// source hash, version, change number, the validity flags.
pub(crate) const APPLICATION_ROW_VALUES: usize = 31;

/// A multi-row `INSERT` of `rows` applications with placeholders, the same text for the same
/// number of rows, so the prepared statement is reused. `numbered` gives `$N` (PostgreSQL);
/// else `?`, which SQLite binds by position: with `$N` it looks each name up in a list,
/// which made binding thousands of values quadratic.
pub(crate) fn insert_applications_sql(rows: usize, numbered: bool) -> String {
    use std::fmt::Write as _;
    let mut sql = String::with_capacity(160 + rows * APPLICATION_ROW_VALUES * 7);
    sql.push_str("insert into applications (id, ");
    sql.push_str(APPLICATION_COLUMNS);
    sql.push_str(", source_hash, version, change_seq, ");
    sql.push_str(VALIDITY_COLUMNS);
    sql.push_str(") values ");
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..APPLICATION_ROW_VALUES {
            if column > 0 {
                sql.push_str(", ");
            }
            if numbered {
                // Writing to a String cannot fail.
                let _ = write!(sql, "${}", row * APPLICATION_ROW_VALUES + column + 1);
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// Refuses text with a NUL character, which PostgreSQL cannot store in text and SQLite would
/// cut short in some readers; both backends then answer the same.
pub(crate) fn refuse_nul(values: &[Option<String>]) -> Result<(), StoreError> {
    if values.iter().flatten().any(|v| v.contains('\0')) {
        return Err(nul_refused());
    }
    Ok(())
}

/// The error for text with a NUL character (see `refuse_nul`).
pub(crate) fn nul_refused() -> StoreError {
    StoreError::InvalidValue("text contains a NUL character".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_placeholders_are_positional_on_sqlite_and_numbered_on_postgres() {
        let sqlite = insert_applications_sql(2, false);
        assert_eq!(sqlite.matches('?').count(), 2 * APPLICATION_ROW_VALUES);
        assert!(sqlite.ends_with(
            "?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ));
        let postgres = insert_applications_sql(2, true);
        assert!(postgres.contains("($1, $2, "));
        assert!(postgres.ends_with(", $62)"));
        assert!(!postgres.contains('?'));
    }

    #[test]
    fn application_text_and_its_hash_are_those_of_application_values() {
        let config = jejak_synth::Config { persons: 300, seed: 7, ..Default::default() };
        let mut apps = jejak_synth::generate(&config).applications;
        apps.push(NewApplication::new(
            "KLA-1",
            OfficeCode::parse("KLA").unwrap(),
            jejak_domain::date::ymd(2025, 3, 1).unwrap(),
            "Wayan",
        ));
        let mut text = String::from("earlier rows");
        for app in &apps {
            let spans = push_application_text(app, &mut text);
            let values = application_values(app);
            let from_spans: Vec<Option<&str>> =
                spans.iter().map(|s| s.map(|s| s.of(&text))).collect();
            let expected: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
            assert_eq!(from_spans, expected);
            let digest = columns_digest(from_spans.iter().copied());
            let hash = push_hex(&mut text, &digest);
            assert_eq!(hash.of(&text), content_hash(app));
        }
        assert!(apps.iter().any(|a| a.decided_on.is_some()));
        assert!(apps.iter().any(|a| a.sponsor_phone.is_some()));
    }

    #[test]
    fn text_with_nul_is_refused() {
        assert!(refuse_nul(&[Some("Siti".into()), None]).is_ok());
        assert!(matches!(
            refuse_nul(&[None, Some("a\0b".into())]),
            Err(StoreError::InvalidValue(_))
        ));
    }
}
