//! Test helpers shared by the crates: temporary stores, builders, fake applicants.
