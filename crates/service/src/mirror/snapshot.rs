//! The [`Mirror`] as plain data for a snapshot file (see [`crate::snapshot`]): borrowed
//! when saving, owned when restored; the model is handed back in by the caller, which
//! checked that the snapshot was written under it.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use jejak_domain::{
    ApplicationKey, CountryCode, Decision, InvalidIdentifiers, NewApplication, Nik, OfficeCode,
    Outcome, PassportNo, Phone, Purpose, RegionCode, Sex,
};
use jejak_matching::{IndexParts, MatchIndex, Model};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use super::Mirror;
use crate::contacts::Contacts;
use crate::name_tokens::NameTokens;
use crate::person_graph::PersonGraph;

/// A [`Mirror`] without its model.
#[derive(Debug, Serialize, Deserialize)]
pub struct MirrorParts<'a> {
    index: IndexParts<'a>,
    apps: Applications<'a>,
    keys: Cow<'a, HashMap<(OfficeCode, String), ApplicationKey>>,
    decisions: Cow<'a, HashMap<ApplicationKey, Vec<Decision>>>,
    persons: Cow<'a, PersonGraph>,
    contacts: Cow<'a, Contacts>,
    names: Cow<'a, NameTokens>,
    invalid_niks: Cow<'a, BTreeSet<ApplicationKey>>,
    latest_applied_on: Option<Date>,
}

impl Mirror {
    /// The mirror's data, borrowed (for writing a snapshot).
    pub fn parts(&self) -> MirrorParts<'_> {
        MirrorParts {
            index: self.index.parts(),
            apps: Applications(Cow::Borrowed(&self.apps)),
            keys: Cow::Borrowed(&self.keys),
            decisions: Cow::Borrowed(&self.decisions),
            persons: Cow::Borrowed(&self.persons),
            contacts: Cow::Borrowed(&self.contacts),
            names: Cow::Borrowed(&self.names),
            invalid_niks: Cow::Borrowed(&self.invalid_niks),
            latest_applied_on: self.latest_applied_on,
        }
    }

    /// The mirror saved as `parts` under `model`.
    pub fn from_parts(model: Arc<Model>, parts: MirrorParts<'_>) -> Self {
        Self {
            index: MatchIndex::from_parts(model.clone(), parts.index),
            model,
            apps: parts.apps.0.into_owned(),
            keys: parts.keys.into_owned(),
            decisions: parts.decisions.into_owned(),
            persons: parts.persons.into_owned(),
            contacts: parts.contacts.into_owned(),
            names: parts.names.into_owned(),
            invalid_niks: parts.invalid_niks.into_owned(),
            latest_applied_on: parts.latest_applied_on,
        }
    }
}

/// The applications held. Not through `NewApplication`'s own serde form: it leaves out
/// absent optional parts (for the JSON API), which a format without field names cannot
/// read back; [`ApplicationRow`] writes every field.
#[derive(Debug)]
struct Applications<'a>(Cow<'a, HashMap<ApplicationKey, NewApplication>>);

impl Serialize for Applications<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // One row converted at a time: no second copy of every application.
        serializer.collect_map(self.0.iter().map(|(key, app)| (key, ApplicationRow::from(app))))
    }
}

impl<'de> Deserialize<'de> for Applications<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rows = HashMap::<ApplicationKey, ApplicationRow>::deserialize(deserializer)?;
        let apps = rows.into_iter().map(|(key, row)| (key, NewApplication::from(row))).collect();
        Ok(Applications(Cow::Owned(apps)))
    }
}

/// Every field of a [`NewApplication`], none skipped.
#[derive(Debug, Serialize, Deserialize)]
struct ApplicationRow {
    application_id: String,
    office_code: OfficeCode,
    applied_on: Date,
    full_name: String,
    nik: Option<Nik>,
    sex: Option<Sex>,
    birth_date: Option<Date>,
    birth_place: Option<String>,
    address: Option<String>,
    village_code: Option<RegionCode>,
    phone: Option<Phone>,
    mother_name: Option<String>,
    father_name: Option<String>,
    occupation: Option<String>,
    purpose: Option<Purpose>,
    destination_country: Option<CountryCode>,
    previous_passport_no: Option<PassportNo>,
    sponsor_name: Option<String>,
    sponsor_phone: Option<Phone>,
    cpmi_id: Option<String>,
    outcome: Outcome,
    outcome_reason: Option<String>,
    decided_on: Option<Date>,
    /// NIK, phone, sponsor phone, previous passport number, as written.
    invalid: Option<[Option<String>; 4]>,
}

impl From<&NewApplication> for ApplicationRow {
    fn from(app: &NewApplication) -> Self {
        // Destructured whole, so a field added to `NewApplication` fails to compile here
        // instead of being left out of the snapshot.
        let NewApplication {
            application_id,
            office_code,
            applied_on,
            full_name,
            nik,
            sex,
            birth_date,
            birth_place,
            address,
            village_code,
            phone,
            mother_name,
            father_name,
            occupation,
            purpose,
            destination_country,
            previous_passport_no,
            sponsor_name,
            sponsor_phone,
            cpmi_id,
            outcome,
            outcome_reason,
            decided_on,
            invalid,
        } = app.clone();
        ApplicationRow {
            application_id,
            office_code,
            applied_on,
            full_name,
            nik,
            sex,
            birth_date,
            birth_place,
            address,
            village_code,
            phone,
            mother_name,
            father_name,
            occupation,
            purpose,
            destination_country,
            previous_passport_no,
            sponsor_name,
            sponsor_phone,
            cpmi_id,
            outcome,
            outcome_reason,
            decided_on,
            invalid: invalid.map(|i| {
                let InvalidIdentifiers { nik, phone, sponsor_phone, previous_passport_no } = *i;
                [nik, phone, sponsor_phone, previous_passport_no]
            }),
        }
    }
}

impl From<ApplicationRow> for NewApplication {
    fn from(row: ApplicationRow) -> Self {
        NewApplication {
            application_id: row.application_id,
            office_code: row.office_code,
            applied_on: row.applied_on,
            full_name: row.full_name,
            nik: row.nik,
            sex: row.sex,
            birth_date: row.birth_date,
            birth_place: row.birth_place,
            address: row.address,
            village_code: row.village_code,
            phone: row.phone,
            mother_name: row.mother_name,
            father_name: row.father_name,
            occupation: row.occupation,
            purpose: row.purpose,
            destination_country: row.destination_country,
            previous_passport_no: row.previous_passport_no,
            sponsor_name: row.sponsor_name,
            sponsor_phone: row.sponsor_phone,
            cpmi_id: row.cpmi_id,
            outcome: row.outcome,
            outcome_reason: row.outcome_reason,
            decided_on: row.decided_on,
            invalid: row.invalid.map(|[nik, phone, sponsor_phone, previous_passport_no]| {
                Box::new(InvalidIdentifiers { nik, phone, sponsor_phone, previous_passport_no })
            }),
        }
    }
}
