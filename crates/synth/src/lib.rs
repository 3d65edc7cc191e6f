//! Synthetic Indonesian passport applicants from Lampung with ground truth, deterministic
//! per seed: realistic names (Javanese, Sundanese, Lampung, Balinese, Batak,
//! Chinese-Indonesian), valid NIKs from real district codes, real village codes, households
//! that must not be merged, and re-applicants who vary their identity to stay unrecognised.
//!
//! ```
//! let config = jejak_synth::Config { persons: 50, seed: 7, ..Default::default() };
//! let data = jejak_synth::generate(&config);
//! assert_eq!(data.persons(), 50);
//! let mut csv = Vec::new();
//! jejak_synth::write_csv(&data, &mut csv).expect("write to memory");
//! assert!(csv.starts_with(b"application_id,office_code,applied_on,full_name,nik,"));
//! ```
//!
//! Pure: no clock and no I/O except through the `Write` given to the writers.

mod address;
mod alloc;
mod config;
mod dataset;
mod fxhash;
mod generate;
mod geo;
mod household;
mod names;
mod person;
mod pick;
mod present;
mod spelling;
mod tables;
mod trip;
mod variation;
mod write;

pub use config::{Config, VariationRates};
pub use dataset::{Dataset, HouseholdId, PersonId, Relation, Truth};
pub use generate::generate;
pub use names::Group;
pub use variation::{Variation, Variations};
pub use write::{write_csv, write_tags, write_truth};
