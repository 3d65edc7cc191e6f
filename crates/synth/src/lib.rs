//! Synthetic Indonesian applicants with ground truth, deterministic per seed.
