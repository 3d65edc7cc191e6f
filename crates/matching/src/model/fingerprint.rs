//! A model's fingerprint: a number that changes when anything that decides how records are
//! prepared, blocked or scored changes (the model's fields, blocking rules, groups,
//! thresholds and training settings, and the embedded name tables), so derived state saved
//! under one model (an index snapshot) is never used under another.

use super::Model;

/// The name tables the normaliser is built from (embedded in the binary like the model).
const NAME_TABLES: [&str; 3] = [
    include_str!("../../data/titles.toml"),
    include_str!("../../data/variants.toml"),
    include_str!("../../data/spelling.toml"),
];

impl Model {
    /// A stable 64-bit fingerprint of the model (FNV-1a over its description and the name
    /// tables): equal for two models built from the same file by the same code.
    pub fn fingerprint(&self) -> u64 {
        // Debug of vectors and plain values only: the hash maps derived from them (column
        // look-up, normaliser tables) iterate in a random order.
        let description = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.name,
            self.id_column,
            self.id_aliases,
            self.fields,
            self.columns,
            self.blocking_rules,
            self.groups,
            self.thresholds,
            self.training,
            self.max_block_size,
        );
        let mut hash = Fnv::default();
        hash.write(description.as_bytes());
        for table in NAME_TABLES {
            hash.write(&[0xff]);
            hash.write(table.as_bytes());
        }
        hash.0
    }
}

/// FNV-1a, 64 bits: fixed by its definition, unlike the standard library's hasher.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_stable_and_follows_the_model() {
        let model = Model::interchange().unwrap();
        assert_eq!(model.fingerprint(), Model::interchange().unwrap().fingerprint());
        let stricter = Model::interchange().unwrap().with_link_threshold(0.999).unwrap();
        assert_ne!(model.fingerprint(), stricter.fingerprint());
    }
}
