//! The index as plain data for a snapshot file (issue 18): every part a restart would
//! otherwise recompute from the register's rows (prepared records, posting lists, term
//! frequencies, the scorer for the population), with the parameters in use, so a restored
//! index ranks exactly as the one that was saved. The model is not part of it: the caller
//! checks that the snapshot was written under the same model (see `Model::fingerprint`) and
//! hands it back in.

use std::borrow::Cow;
use std::sync::Arc;

use ahash::AHashMap;
use serde::{Deserialize, Serialize};

use super::MatchIndex;
use crate::frequency::TermFrequencies;
use crate::model::Model;
use crate::parameters::Parameters;
use crate::record::PreparedRecord;
use crate::scoring::Scorer;

/// A [`MatchIndex`] without its model: borrowed when saving, owned when restored.
#[derive(Debug, Serialize, Deserialize)]
pub struct IndexParts<'a> {
    parameters: Cow<'a, Parameters>,
    scorer: Cow<'a, Scorer>,
    records: Cow<'a, [Option<PreparedRecord>]>,
    free_slots: Cow<'a, [u32]>,
    slot_of: Cow<'a, AHashMap<Box<str>, u32>>,
    postings: Cow<'a, AHashMap<u64, u32>>,
    lists: Cow<'a, [Vec<u32>]>,
    free_lists: Cow<'a, [u32]>,
    frequencies: Cow<'a, TermFrequencies>,
}

impl MatchIndex {
    /// The index's data, borrowed (for writing a snapshot).
    pub fn parts(&self) -> IndexParts<'_> {
        IndexParts {
            parameters: Cow::Borrowed(&self.parameters),
            scorer: Cow::Borrowed(&self.scorer),
            records: Cow::Borrowed(&self.records),
            free_slots: Cow::Borrowed(&self.free_slots),
            slot_of: Cow::Borrowed(&self.slot_of),
            postings: Cow::Borrowed(&self.postings),
            lists: Cow::Borrowed(&self.lists),
            free_lists: Cow::Borrowed(&self.free_lists),
            frequencies: Cow::Borrowed(&self.frequencies),
        }
    }

    /// The index saved as `parts` under `model` (the caller checked it is the same model).
    pub fn from_parts(model: Arc<Model>, parts: IndexParts<'_>) -> Self {
        Self {
            model,
            parameters: parts.parameters.into_owned(),
            scorer: parts.scorer.into_owned(),
            records: parts.records.into_owned(),
            free_slots: parts.free_slots.into_owned(),
            slot_of: parts.slot_of.into_owned(),
            postings: parts.postings.into_owned(),
            lists: parts.lists.into_owned(),
            free_lists: parts.free_lists.into_owned(),
            frequencies: parts.frequencies.into_owned(),
        }
    }
}
