//! The [`Mirror`] as plain data for a snapshot file (see [`crate::snapshot`]): borrowed
//! when saving, owned when restored; the model is handed back in by the caller, which
//! checked that the snapshot was written under it. The id table is rebuilt on load (it holds
//! only keys, hashed with a per-process key).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jejak_domain::{ApplicationKey, OfficeCode, RegionCode};
use jejak_matching::{IndexParts, MatchIndex, Model};
use serde::{Deserialize, Serialize};
use time::Date;

use super::Mirror;
use super::brief::{Brief, DecisionBrief, IdTable};
use crate::contacts::Contacts;
use crate::name_tokens::NameTokens;
use crate::person_graph::PersonGraph;
use crate::stats::cube::Interner;

/// A [`Mirror`] without its model.
#[derive(Debug, Serialize, Deserialize)]
pub struct MirrorParts<'a> {
    index: IndexParts<'a>,
    apps: Cow<'a, HashMap<ApplicationKey, Brief>>,
    offices: Cow<'a, Interner<OfficeCode>>,
    villages: Cow<'a, Interner<RegionCode>>,
    decisions: Cow<'a, HashMap<ApplicationKey, Vec<DecisionBrief>>>,
    persons: Cow<'a, PersonGraph>,
    contacts: Cow<'a, Contacts>,
    names: Cow<'a, NameTokens>,
    invalid_niks: Cow<'a, BTreeMap<ApplicationKey, Box<str>>>,
    latest_applied_on: Option<Date>,
}

impl Mirror {
    /// The mirror's data, borrowed (for writing a snapshot).
    pub fn parts(&self) -> MirrorParts<'_> {
        MirrorParts {
            index: self.index.parts(),
            apps: Cow::Borrowed(&self.apps),
            offices: Cow::Borrowed(&self.offices),
            villages: Cow::Borrowed(&self.villages),
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
        let apps = parts.apps.into_owned();
        Self {
            index: MatchIndex::from_parts(model.clone(), parts.index),
            model,
            ids: IdTable::of(&apps),
            apps,
            offices: parts.offices.into_owned(),
            villages: parts.villages.into_owned(),
            decisions: parts.decisions.into_owned(),
            persons: parts.persons.into_owned(),
            contacts: parts.contacts.into_owned(),
            names: parts.names.into_owned(),
            invalid_niks: parts.invalid_niks.into_owned(),
            latest_applied_on: parts.latest_applied_on,
        }
    }
}
