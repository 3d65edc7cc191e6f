//! Weighted random choice over small static tables, and the few random helpers the
//! generator uses everywhere.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The generator's random source: fast, portable and reproducible per seed.
pub(crate) type Rng8 = ChaCha8Rng;

/// Items with integer weights; picking is a binary search over cumulative weights.
#[derive(Debug, Clone)]
pub(crate) struct Pool<T> {
    items: Vec<T>,
    cumulative: Vec<u32>,
}

impl<T> Pool<T> {
    pub(crate) fn new() -> Self {
        Self { items: Vec::new(), cumulative: Vec::new() }
    }

    pub(crate) fn push(&mut self, item: T, weight: u32) {
        if weight == 0 {
            return;
        }
        let total = self.total() + weight;
        self.items.push(item);
        self.cumulative.push(total);
    }

    pub(crate) fn total(&self) -> u32 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }

    /// Index of a weighted random item; `None` only for an empty pool.
    pub(crate) fn pick_index(&self, rng: &mut Rng8) -> Option<usize> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let ticket = rng.random_range(0..total);
        Some(self.cumulative.partition_point(|&c| c <= ticket))
    }

    pub(crate) fn pick(&self, rng: &mut Rng8) -> Option<&T> {
        self.pick_index(rng).map(|i| &self.items[i])
    }
}

impl<T> FromIterator<(T, u32)> for Pool<T> {
    fn from_iter<I: IntoIterator<Item = (T, u32)>>(iter: I) -> Self {
        let mut pool = Pool::new();
        for (item, weight) in iter {
            pool.push(item, weight);
        }
        pool
    }
}

/// `true` with probability `p` (clamped to 0..=1).
pub(crate) fn chance(rng: &mut Rng8, p: f64) -> bool {
    if p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        rng.random_bool(p)
    }
}

/// Index drawn from explicit weights (for small inline tables).
pub(crate) fn weighted(rng: &mut Rng8, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut ticket = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if ticket < w {
            return i;
        }
        ticket -= w;
    }
    weights.len() - 1
}

/// A uniformly chosen element of a non-empty slice, `None` for an empty one.
pub(crate) fn one_of<'a, T>(rng: &mut Rng8, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() { None } else { items.get(rng.random_range(0..items.len())) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn picks_follow_the_weights() {
        let pool: Pool<&str> = [("rare", 1), ("common", 9), ("never", 0)].into_iter().collect();
        assert_eq!(pool.len(), 2);
        let mut rng = Rng8::seed_from_u64(7);
        let common = (0..10_000).filter(|_| pool.pick(&mut rng) == Some(&"common")).count();
        assert!((8_700..9_300).contains(&common), "{common}");
    }

    #[test]
    fn empty_pools_pick_nothing() {
        let pool: Pool<u8> = Pool::new();
        let mut rng = Rng8::seed_from_u64(1);
        assert!(pool.is_empty());
        assert_eq!(pool.pick(&mut rng), None);
        assert_eq!(one_of::<u8>(&mut rng, &[]), None);
    }

    #[test]
    fn inline_weights_never_pick_a_zero_weight() {
        let mut rng = Rng8::seed_from_u64(3);
        for _ in 0..1000 {
            assert_ne!(weighted(&mut rng, &[3, 0, 5]), 1);
        }
    }
}
