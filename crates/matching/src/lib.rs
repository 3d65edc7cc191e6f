//! Identity resolution: Indonesian-aware name normalisation, a Fellegi-Sunter model,
//! blocking, the real-time match index and batch linking. Pure: no I/O, no clock.
//!
//! The flow: a [`Model`] (read from TOML) says which fields are compared and how; records
//! are built from (column, value) pairs ([`Record::from_pairs`]) and prepared once
//! ([`Model::prepare`]); [`Parameters`] are estimated from the data
//! ([`training::estimate_for_register`]) or taken from the model's defaults; a
//! [`MatchIndex`] screens one record against many in real time; [`cluster`] turns scored
//! pairs and officers' decisions into persons; and [`batch::link`] links whole files.

pub mod batch;
pub mod blocking;
pub mod cluster;
mod comparison;
mod error;
mod frequency;
mod index;
mod level;
mod model;
pub mod name;
mod parameters;
mod record;
mod rng;
mod scoring;
mod similarity;
mod text;
pub mod training;
mod value;

pub use comparison::nik_level;
pub use error::{LinkError, MatchError, ModelError, RecordError, Result, TableError};
pub use frequency::TermFrequencies;
pub use index::{Band, Candidate, IndexParts, MatchIndex, MemoryUsage};
pub use level::Level;
pub use model::{
    BlockingRule, Field, FieldGroup, GroupCap, KeyPart, Kind, Model, Thresholds, TrainingSettings,
    Transform,
};
pub use parameters::{FieldParameters, ParameterSource, Parameters};
pub use record::{PreparedRecord, Record, RecordBuilder};
pub use scoring::{FieldEvidence, PairPruner, Scorer, probability};
