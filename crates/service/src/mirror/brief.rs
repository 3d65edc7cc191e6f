//! What the mirror keeps of each stored application and decision: only what screening shows
//! next to a candidate and what the in-memory look-ups (persons, contact groups, name search,
//! village links, monitoring) need, in a few machine words. Everything else an officer reads
//! (the whole application, the decision's reason text and officer) comes from the register.
//!
//! A national register holds tens of millions of applications: the full `NewApplication`
//! (two dozen owned strings) cost about a kilobyte of memory each; a brief costs about a tenth.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use jejak_domain::decision::REASON_CODES;
use jejak_domain::{ApplicationKey, Decision, DecisionKind, NewApplication};
use jejak_matching::Record;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::contacts::{GroupId, Household};

/// Marks an absent small number (village, contact group).
pub(crate) const NONE: u32 = u32::MAX;

/// The most contact groups an application belongs to: its phone, its sponsor's phone and its
/// sponsor's name.
pub(crate) const MAX_GROUPS: usize = 3;

/// One stored application as the mirror keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brief {
    /// The office's application id, then the applicant's full name, in one allocation.
    text: Box<str>,
    id_len: u32,
    /// Position in the mirror's office codes.
    pub(crate) office: u32,
    pub applied_on: Date,
    pub birth_date: Option<Date>,
    /// Position in the mirror's village codes, or [`NONE`].
    pub(crate) village: u32,
    /// Name tokens (the name search ranks shorter names first).
    pub(crate) name_tokens: u16,
    /// Folded mother's name and address as hashes (see [`Household`]); 0 when absent.
    pub(crate) mother: u64,
    pub(crate) address: u64,
    /// The contact groups the application is filed under ([`NONE`] for unused places).
    pub(crate) groups: [GroupId; MAX_GROUPS],
    /// A hash of the compared fields: an update that leaves it unchanged keeps the matches.
    pub(crate) record: u64,
}

impl Brief {
    /// The brief of `app` (contact groups still empty: they are filed by the contact index).
    pub(crate) fn of(
        app: &NewApplication,
        office: u32,
        village: u32,
        name_tokens: usize,
        record: u64,
    ) -> Self {
        let household = Household::of(app);
        let (mother, address) = household.keys();
        Self {
            text: format!("{}{}", app.application_id, app.full_name).into_boxed_str(),
            id_len: app.application_id.len() as u32,
            office,
            applied_on: app.applied_on,
            birth_date: app.birth_date,
            village,
            name_tokens: name_tokens.min(usize::from(u16::MAX)) as u16,
            mother,
            address,
            groups: [NONE; MAX_GROUPS],
            record,
        }
    }

    /// The office's application id.
    pub fn application_id(&self) -> &str {
        &self.text[..self.id_len as usize]
    }

    /// The applicant's full name as written.
    pub fn full_name(&self) -> &str {
        &self.text[self.id_len as usize..]
    }

    /// The contact groups the application is filed under.
    pub(crate) fn groups(&self) -> impl Iterator<Item = GroupId> + '_ {
        self.groups.iter().copied().filter(|g| *g != NONE)
    }

    /// Approximate heap bytes behind this brief.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.len()
    }
}

/// A hash of a matching record's compared values (the id left out: it is the key).
pub(crate) fn record_hash(record: &Record, columns: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    for column in 0..columns {
        record.value(column).hash(&mut hasher);
    }
    hasher.finish()
}

/// Reason codes as a set: a bit per catalogue code, and any other code as written (the
/// store accepts only catalogue codes, so the second part stays empty in practice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonSet {
    known: u64,
    other: Option<Box<[Box<str>]>>,
}

impl ReasonSet {
    fn of(codes: &[String]) -> Self {
        let mut set = Self::default();
        let mut other: Vec<Box<str>> = Vec::new();
        for code in codes {
            match REASON_CODES.iter().position(|r| r.code == code).filter(|at| *at < 64) {
                Some(at) => set.known |= 1 << at,
                None => other.push(code.as_str().into()),
            }
        }
        if !other.is_empty() {
            set.other = Some(other.into_boxed_slice());
        }
        set
    }

    /// The codes, catalogue codes first in catalogue order.
    pub fn codes(&self) -> Vec<String> {
        let known = REASON_CODES
            .iter()
            .enumerate()
            .filter(|(at, _)| *at < 64 && self.known & (1 << at) != 0)
            .map(|(_, r)| r.code.to_owned());
        known.chain(self.other.iter().flatten().map(|c| c.to_string())).collect()
    }
}

/// One decision as the mirror keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionBrief {
    pub id: i64,
    pub kind: DecisionKind,
    pub decided_on: Date,
    pub deferral_until: Option<Date>,
    pub reasons: ReasonSet,
}

impl DecisionBrief {
    pub fn of(decision: &Decision) -> Self {
        Self {
            id: decision.id,
            kind: decision.data.kind,
            decided_on: decision.data.decided_on,
            deferral_until: decision.data.deferral_until,
            reasons: ReasonSet::of(&decision.data.reason_codes),
        }
    }

    /// Whether the bar of this decision is in force on `on` (as [`Decision::bar_active_on`]).
    pub fn bar_active_on(&self, on: Date) -> bool {
        self.kind.is_adverse() && self.deferral_until.is_some_and(|until| on < until)
    }
}

/// The key of a stored application by office and the office's application id, without a
/// second copy of the ids: a table of keys hashed by (office, id), checked against the briefs.
#[derive(Debug, Default, Clone)]
pub(crate) struct IdTable {
    table: hashbrown::HashTable<ApplicationKey>,
    hasher: ahash::RandomState,
}

impl IdTable {
    fn hash(&self, office: u32, application_id: &str) -> u64 {
        self.hasher.hash_one((office, application_id))
    }

    pub(crate) fn find(
        &self,
        briefs: &HashMap<ApplicationKey, Brief>,
        office: u32,
        application_id: &str,
    ) -> Option<ApplicationKey> {
        let hash = self.hash(office, application_id);
        self.table
            .find(hash, |k| {
                briefs
                    .get(k)
                    .is_some_and(|b| b.office == office && b.application_id() == application_id)
            })
            .copied()
    }

    /// Files `key` under its brief's office and id (the brief must be in `briefs`).
    pub(crate) fn insert(&mut self, briefs: &HashMap<ApplicationKey, Brief>, key: ApplicationKey) {
        let Some(brief) = briefs.get(&key) else { return };
        let hash = self.hash(brief.office, brief.application_id());
        let hasher = &self.hasher;
        let rehash = |k: &ApplicationKey| {
            briefs.get(k).map_or(0, |b| hasher.hash_one((b.office, b.application_id())))
        };
        self.table.insert_unique(hash, key, rehash);
    }

    /// Takes `key` (filed under `brief`) out.
    pub(crate) fn remove(&mut self, brief: &Brief, key: ApplicationKey) {
        let hash = self.hash(brief.office, brief.application_id());
        if let Ok(entry) = self.table.find_entry(hash, |k| *k == key) {
            entry.remove();
        }
    }

    /// The table of `briefs`.
    pub(crate) fn of(briefs: &HashMap<ApplicationKey, Brief>) -> Self {
        let mut table = Self::default();
        table.table.reserve(briefs.len(), |_| 0);
        for key in briefs.keys() {
            table.insert(briefs, *key);
        }
        table
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.capacity() * (std::mem::size_of::<ApplicationKey>() + 1)
    }
}
