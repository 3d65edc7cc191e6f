//! The generated applications and their ground truth.

use std::collections::HashMap;
use std::fmt;

use jejak_domain::NewApplication;

use crate::names::Group;
use crate::variation::Variations;

/// The true identity behind applications, stable within one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub u32);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{:07}", self.0)
    }
}

/// A household (persons who share parents, address or phone), stable within one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HouseholdId(pub u32);

impl fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "H{:06}", self.0)
    }
}

/// A person's place in their household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// Applies without any household member in the data.
    Single,
    /// Shares both parents, the address and often the phone with a brother or sister.
    Sibling,
    /// A sibling with the same birth date (and often consecutive NIK serials).
    Twin,
    /// Shares address and often phone with the husband or wife.
    Spouse,
    /// A parent whose grown child also applies (the parent's name is the child's
    /// mother's or father's name).
    Parent,
    Child,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Single => "single",
            Relation::Sibling => "sibling",
            Relation::Twin => "twin",
            Relation::Spouse => "spouse",
            Relation::Parent => "parent",
            Relation::Child => "child",
        }
    }
}

/// What the generator knows about one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    pub person: PersonId,
    pub household: Option<HouseholdId>,
    pub relation: Relation,
    /// Cultural group, which shapes the name.
    pub group: Group,
    /// 0 for the person's first application, then 1, 2, … in date order.
    pub visit: u8,
    /// A re-application by someone trying to stay unrecognised.
    pub evasive: bool,
    /// An evasive re-application by a determined evader (several deliberate changes at
    /// once, see [`crate::Config::determined_share`]).
    pub determined: bool,
    /// The applicant gave their broker's phone as their own (shared across strangers).
    pub broker_phone: bool,
    /// How this application differs from the person's true identity.
    pub variations: Variations,
}

/// Applications in date order, with the truth about each at the same index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    pub applications: Vec<NewApplication>,
    pub truth: Vec<Truth>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.applications.len()
    }

    pub fn is_empty(&self) -> bool {
        self.applications.is_empty()
    }

    /// Application and truth side by side.
    pub fn iter(&self) -> impl Iterator<Item = (&NewApplication, &Truth)> {
        self.applications.iter().zip(&self.truth)
    }

    /// application_id → person, for evaluating a linker's output. Application ids are unique
    /// across offices (they carry the office code).
    pub fn person_by_application(&self) -> HashMap<&str, PersonId> {
        self.iter().map(|(a, t)| (a.application_id.as_str(), t.person)).collect()
    }

    /// Number of distinct persons.
    pub fn persons(&self) -> usize {
        let mut ids: Vec<u32> = self.truth.iter().map(|t| t.person.0).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    /// Number of pairs of applications by the same person (what a linker should find).
    pub fn true_pairs(&self) -> u64 {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for t in &self.truth {
            *counts.entry(t.person.0).or_default() += 1;
        }
        counts.values().map(|n| n * (n - 1) / 2).sum()
    }
}
