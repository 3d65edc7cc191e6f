//! The fact vocabulary and the per-application fact set.
//!
//! Rule conditions may only name facts listed in [`VOCABULARY`]. The service computes the facts
//! for one application *as known at the application date* (no look-ahead) and hands them over as
//! a [`Facts`] value. A fact that is not set is **unknown**: rules read it as Unknown, never as
//! `false` or `0`, and the assessment trace names it.
//!
//! | group | who supplies it |
//! |---|---|
//! | `application` | fields of the application itself (interchange format) |
//! | `derived` | computed by the service from the register (matched person, offices, lists) |
//! | `external` | other systems or modules (SISKOP2MI, PIMPASA reports, SIMKIM, BAP results) |
//! | `interview` | the officer's interview checklist; absent until the officer records it |
//!
//! The full table, generated from [`VOCABULARY`], is printed by [`vocabulary_markdown`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::value::{FactInput, FactType, Value, ValueError};

/// Canonical purposes of travel (interchange format `purpose`).
pub const PURPOSES: &[&str] =
    &["tourism", "umrah", "hajj", "family_visit", "work", "study", "business", "medical", "other"];

/// Documents an officer can record as supplied (fact `documents_supplied`) and that the
/// `requirements` lists refer to.
pub const DOCUMENTS: &[&str] = &[
    "disnaker_recommendation",
    "kemenag_recommendation",
    "travel_operator_letter",
    "binalattas_recommendation",
    "invitation_letter",
    "guarantee_letter",
    "host_passport_copy",
    "study_acceptance_letter",
    "medical_referral",
    "business_letter",
];

/// Identity fields that can differ from an earlier application (fact `identity_mismatch_fields`).
pub const IDENTITY_FIELDS: &[&str] = &["name", "birth_date", "sex", "birth_place", "parents"];

/// Who supplies a fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactGroup {
    /// A field of the application itself.
    Application,
    /// Computed by the service from the register.
    Derived,
    /// From another system or module (SISKOP2MI, PIMPASA, SIMKIM, BAP).
    External,
    /// From the officer's interview checklist.
    Interview,
}

impl FactGroup {
    /// The group's name as used in the vocabulary table.
    pub fn name(self) -> &'static str {
        match self {
            FactGroup::Application => "application",
            FactGroup::Derived => "derived",
            FactGroup::External => "external",
            FactGroup::Interview => "interview",
        }
    }
}

/// One entry of the vocabulary.
#[derive(Clone, Copy, Debug)]
pub struct FactDef {
    /// The name used in conditions and templates.
    pub name: &'static str,
    /// The value type.
    pub ty: FactType,
    /// Who supplies it.
    pub group: FactGroup,
    /// What it means, and when the service should leave it unknown.
    pub meaning: &'static str,
}

const fn def(name: &'static str, ty: FactType, group: FactGroup, meaning: &'static str) -> FactDef {
    FactDef { name, ty, group, meaning }
}

use FactGroup::{Application as App, Derived, External, Interview};
use FactType::{Bool, Country, Int, Region, Text};

/// Every fact a rule may use. The index of an entry is its [`FactId`].
pub static VOCABULARY: &[FactDef] = &[
    // Application fields.
    def("purpose", FactType::Enum(PURPOSES), App, "Declared purpose of travel (canonical value)."),
    def(
        "destination_country",
        Country,
        App,
        "Declared destination, ISO 3166-1 alpha-2 (MY, SA, KH, ...).",
    ),
    def("sex", FactType::Enum(&["L", "P"]), App, "Declared sex: L (laki-laki) or P (perempuan)."),
    def("occupation", Text, App, "Occupation as on the KTP/KK (e.g. `PETANI/PEKEBUN`)."),
    def(
        "education",
        FactType::Enum(&["none", "sd", "smp", "sma", "diploma", "s1", "s2", "s3"]),
        App,
        "Highest education completed, if captured.",
    ),
    def(
        "application_type",
        FactType::Enum(&[
            "new",
            "replacement_expired",
            "replacement_full",
            "replacement_lost",
            "replacement_damaged",
            "data_change",
        ]),
        App,
        "New passport or the kind of replacement.",
    ),
    def(
        "has_previous_passport",
        Bool,
        App,
        "A previous passport number is given (`previous_passport_no` present).",
    ),
    def("has_cpmi_id", Bool, App, "A CPMI id is given on the application (`cpmi_id` present)."),
    def("has_sponsor", Bool, App, "A sponsor name or sponsor phone is given."),
    def("village_code", Region, App, "Domicile village (desa/kelurahan) code, 10 digits."),
    def("office_code", Text, App, "Code of the office receiving the application."),
    def(
        "documents_supplied",
        FactType::Set(DOCUMENTS),
        App,
        "Purpose-specific supporting documents the officer recorded as supplied. Unknown until \
         the document check is recorded; an empty set means none.",
    ),
    // Derived by the service from the register.
    def(
        "age",
        Int,
        Derived,
        "Age in whole years at the application date (declared birth date, else NIK).",
    ),
    def(
        "nik_consistent",
        Bool,
        Derived,
        "NIK-encoded birth date and sex match the declared ones (DOMAIN §4.1). Unknown without \
         NIK or declared values.",
    ),
    def(
        "domicile_regency",
        Region,
        Derived,
        "Domicile regency (kab/kota) code: from the village code, else from the NIK region.",
    ),
    def(
        "domicile_district",
        Region,
        Derived,
        "Domicile district (kecamatan) code: from the village code, else from the NIK region.",
    ),
    def(
        "domicile_in_office_area",
        Bool,
        Derived,
        "The domicile regency lies in the receiving office's work area (office shopping).",
    ),
    def(
        "prior_deferrals",
        Int,
        Derived,
        "Earlier deferrals (ditunda) of the matched person at any office.",
    ),
    def(
        "prior_rejections",
        Int,
        Derived,
        "Earlier rejections (ditolak) of the matched person at any office.",
    ),
    def(
        "prior_cancellations",
        Int,
        Derived,
        "Earlier cancelled applications (dibatalkan) of the matched person at any office.",
    ),
    def(
        "prior_lapsed_deferrals",
        Int,
        Derived,
        "Earlier deferrals not completed within the 30-day window (closed as cancelled).",
    ),
    def(
        "active_bar",
        Bool,
        Derived,
        "A time-boxed bar (penangguhan, `deferral_until`) of the matched person is in force at \
         the application date.",
    ),
    def(
        "prior_decision_other_office",
        Bool,
        Derived,
        "The matched person has an earlier deferral or rejection at another office.",
    ),
    def(
        "open_applications_elsewhere",
        Int,
        Derived,
        "Other open (pending) applications of the matched person at any office.",
    ),
    def(
        "phone_shared_unrelated_count",
        Int,
        Derived,
        "Applicants outside the household (other KK) using the same phone number.",
    ),
    def(
        "sponsor_shared_unrelated_count",
        Int,
        Derived,
        "Applicants outside the household sharing the same sponsor (name or phone).",
    ),
    def(
        "group_same_trip_unrelated_count",
        Int,
        Derived,
        "Unrelated applicants with the same destination applying in the same week at the same \
         office (group application).",
    ),
    def(
        "identity_mismatch",
        Bool,
        Derived,
        "Name, birth date, sex, birth place or parents differ from an earlier application of \
         the matched person.",
    ),
    def(
        "identity_mismatch_fields",
        FactType::Set(IDENTITY_FIELDS),
        Derived,
        "Which identity fields differ (see `identity_mismatch`).",
    ),
    def(
        "lost_passport_count",
        Int,
        Derived,
        "Earlier passports of the person reported lost (BAP kehilangan).",
    ),
    // External modules and systems.
    def(
        "lost_passport_negligent",
        Bool,
        External,
        "A lost-passport BAP found negligence (Permenkumham 8/2014 Art. 40-41).",
    ),
    def(
        "cpmi_status",
        FactType::Enum(&["registered", "not_found"]),
        External,
        "CPMI check in SIAPkerja/SISKOP2MI. Unknown when no check was possible.",
    ),
    def(
        "cpmi_record_status",
        FactType::Enum(&[
            "none",
            "registered",
            "in_process",
            "departed",
            "returned",
            "failed_to_depart",
        ]),
        External,
        "Status of the CPMI registration matched to the applicant in the newest SISKOP2MI snapshot; `none` when no registration matches. Unknown when no snapshot is held.",
    ),
    def(
        "cpmi_recommendation",
        Bool,
        External,
        "The matched CPMI registration carries the Disnaker passport recommendation (number). Unknown when no snapshot is held.",
    ),
    def(
        "ppiu_registered",
        Bool,
        External,
        "The umrah/hajj travel operator is registered at Kemenag.",
    ),
    def("p3mi_licensed", Bool, External, "The recruitment company (P3MI) is on the licensed list."),
    def(
        "intended_job_domestic",
        Bool,
        External,
        "The intended job is domestic work with an individual employer (PLRT).",
    ),
    def(
        "spsk_placement",
        Bool,
        External,
        "The placement runs through the one-channel system (SPSK, Kepmenaker 291/2018).",
    ),
    def(
        "person_reports_count",
        Int,
        External,
        "PIMPASA reports naming the person or the household.",
    ),
    def("sponsor_reports_count", Int, External, "PIMPASA reports naming the sponsor or recruiter."),
    def(
        "village_reports_count",
        Int,
        External,
        "PIMPASA reports of a recruitment drive in the domicile village (last 12 months).",
    ),
    def(
        "prior_deportation",
        Bool,
        External,
        "Deported, or returned by BP3MI as an undocumented PMI.",
    ),
    def(
        "prior_border_crossings",
        Int,
        External,
        "Recorded border crossings (SIMKIM) or, failing that, as stated at the interview.",
    ),
    // Interview checklist.
    def(
        "interview_cannot_substantiate_trip",
        Bool,
        Interview,
        "Cannot state dates, length of stay, cities, lodging or ticket, or the address abroad.",
    ),
    def("interview_no_funds", Bool, Interview, "Claims tourism but shows no savings or funds."),
    def(
        "interview_unclear_profile",
        Bool,
        Interview,
        "Occupation, purpose or funds remain unclear after the interview.",
    ),
    def(
        "interview_inconsistent_answers",
        Bool,
        Interview,
        "Answers inconsistent or not convincing (tidak meyakinkan).",
    ),
    def("interview_admits_work_intent", Bool, Interview, "Admits the intent to work abroad."),
    def(
        "companion_non_family",
        Bool,
        Interview,
        "Accompanied by a non-family 'sponsor' or intermediary.",
    ),
];

/// Index of a fact in [`VOCABULARY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FactId(u16);

impl FactId {
    /// Looks a fact up by name.
    pub fn from_name(name: &str) -> Option<FactId> {
        VOCABULARY
            .iter()
            .position(|d| d.name == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(FactId)
    }

    /// The fact's definition.
    pub fn def(self) -> &'static FactDef {
        &VOCABULARY[usize::from(self.0)]
    }

    /// The fact's name.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub(crate) fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for FactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a fact could not be set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FactError {
    /// The name is not in the vocabulary.
    #[error("unknown fact `{0}`")]
    UnknownFact(String),
    /// The value does not fit the fact's type.
    #[error("fact `{fact}`: {source}")]
    BadValue {
        /// The fact.
        fact: &'static str,
        /// What is wrong with the value.
        #[source]
        source: ValueError,
    },
}

/// The facts of one application. Facts not set are unknown.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Facts {
    values: Box<[Option<Value>]>,
}

impl Default for Facts {
    fn default() -> Self {
        Facts::new()
    }
}

impl Facts {
    /// An empty fact set: everything unknown.
    pub fn new() -> Facts {
        Facts { values: vec![None; VOCABULARY.len()].into_boxed_slice() }
    }

    /// Sets a fact, checking its name and type.
    pub fn set(&mut self, name: &str, value: impl Into<FactInput>) -> Result<&mut Self, FactError> {
        let id = FactId::from_name(name).ok_or_else(|| FactError::UnknownFact(name.to_owned()))?;
        let value = value
            .into()
            .into_value(id.def().ty)
            .map_err(|source| FactError::BadValue { fact: id.name(), source })?;
        self.values[id.index()] = Some(value);
        Ok(self)
    }

    /// Sets a fact when `value` is `Some`, marks it unknown otherwise.
    pub fn set_opt<V: Into<FactInput>>(
        &mut self,
        name: &str,
        value: Option<V>,
    ) -> Result<&mut Self, FactError> {
        match value {
            Some(v) => self.set(name, v),
            None => self.unset(name),
        }
    }

    /// Marks a fact unknown.
    pub fn unset(&mut self, name: &str) -> Result<&mut Self, FactError> {
        let id = FactId::from_name(name).ok_or_else(|| FactError::UnknownFact(name.to_owned()))?;
        self.values[id.index()] = None;
        Ok(self)
    }

    /// The value of a fact, `None` when unknown.
    pub fn get(&self, id: FactId) -> Option<&Value> {
        self.values.get(id.index()).and_then(Option::as_ref)
    }

    /// The value of a fact by name, `None` when unknown or not in the vocabulary.
    pub fn get_by_name(&self, name: &str) -> Option<&Value> {
        FactId::from_name(name).and_then(|id| self.get(id))
    }

    /// Renders a fact for messages; `None` when unknown.
    pub fn render(&self, id: FactId) -> Option<String> {
        self.get(id).map(|v| v.render(id.def().ty))
    }

    /// The known facts, in vocabulary order, with their rendered values.
    pub fn known(&self) -> impl Iterator<Item = (FactId, &Value)> {
        self.values.iter().enumerate().filter_map(|(i, v)| {
            let id = FactId(u16::try_from(i).ok()?);
            v.as_ref().map(|v| (id, v))
        })
    }
}

impl fmt::Debug for Facts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.known().map(|(id, v)| (id.name(), v.render(id.def().ty))))
            .finish()
    }
}

/// Facts serialise as a map from fact name to a JSON-like value; unknown facts are left out.
impl Serialize for Facts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let known: Vec<(FactId, &Value)> = self.known().collect();
        let mut map = serializer.serialize_map(Some(known.len()))?;
        for (id, value) in known {
            let ty = id.def().ty;
            match value {
                Value::Bool(b) => map.serialize_entry(id.name(), b)?,
                Value::Int(i) => map.serialize_entry(id.name(), i)?,
                Value::Set(_) => {
                    let items: Vec<String> = value
                        .render(ty)
                        .split(", ")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    map.serialize_entry(id.name(), &items)?;
                }
                other => map.serialize_entry(id.name(), &other.render(ty))?,
            }
        }
        map.end()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawFact {
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<String>),
}

/// Facts deserialise from the same map; `null` means unknown. Names and types are checked.
impl<'de> Deserialize<'de> for Facts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: BTreeMap<String, Option<RawFact>> = BTreeMap::deserialize(deserializer)?;
        let mut facts = Facts::new();
        for (name, value) in raw {
            let input = match value {
                None => continue,
                Some(RawFact::Bool(b)) => FactInput::Bool(b),
                Some(RawFact::Int(i)) => FactInput::Int(i),
                Some(RawFact::Text(t)) => FactInput::Text(t),
                Some(RawFact::List(l)) => FactInput::List(l),
            };
            facts.set(&name, input).map_err(D::Error::custom)?;
        }
        Ok(facts)
    }
}

/// The vocabulary as a Markdown table (name, type, group, meaning), for documentation.
pub fn vocabulary_markdown() -> String {
    let mut out = String::from("| fact | type | group | meaning |\n|---|---|---|---|\n");
    for d in VOCABULARY {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            d.name,
            d.ty,
            d.group.name(),
            d.meaning
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_names_are_unique_snake_case() {
        let mut names: Vec<&str> = VOCABULARY.iter().map(|d| d.name).collect();
        assert!(
            names.iter().all(|n| n
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
        );
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "duplicate fact names");
    }

    #[test]
    fn unset_facts_are_unknown() {
        let mut facts = Facts::new();
        facts.set("age", 30).unwrap();
        assert_eq!(facts.get_by_name("age"), Some(&Value::Int(30)));
        assert_eq!(facts.get_by_name("purpose"), None);
        facts.unset("age").unwrap();
        assert_eq!(facts.get_by_name("age"), None);
    }

    #[test]
    fn unknown_names_and_bad_values_are_rejected() {
        let mut facts = Facts::new();
        assert_eq!(facts.set("agee", 30).unwrap_err(), FactError::UnknownFact("agee".into()));
        let err = facts.set("age", "thirty").unwrap_err();
        assert_eq!(err.to_string(), "fact `age`: expected int, got text");
        assert!(facts.set("purpose", "wisata").is_err());
    }

    #[test]
    fn facts_round_trip_through_json() {
        let mut facts = Facts::new();
        facts
            .set("purpose", "work")
            .unwrap()
            .set("age", 22)
            .unwrap()
            .set("village_code", "1807052001")
            .unwrap()
            .set("documents_supplied", ["guarantee_letter", "invitation_letter"])
            .unwrap();
        let json = serde_json::to_string(&facts).unwrap();
        assert_eq!(
            json,
            r#"{"purpose":"work","village_code":"18.07.05.2001","documents_supplied":["invitation_letter","guarantee_letter"],"age":22}"#
        );
        let back: Facts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, facts);
        let bad: Result<Facts, _> = serde_json::from_str(r#"{"age":"x"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn vocabulary_table_lists_every_fact() {
        let table = vocabulary_markdown();
        assert_eq!(table.lines().count(), VOCABULARY.len() + 2);
    }
}
