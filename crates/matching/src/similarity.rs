//! String similarity measures used by the comparison levels: Jaro-Winkler and a cheap
//! "at most one edit" test (Damerau: insertion, deletion, substitution or transposition).

/// Jaro-Winkler similarity of two byte strings, in `0.0..=1.0`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let jaro = jaro(a, b);
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    // Keep the shorter string in `a` so the result is symmetric by construction.
    let (a, b) = if (a.len(), a) <= (b.len(), b) { (a, b) } else { (b, a) };
    if b.len() <= 64 { jaro_bit_parallel(a, b) } else { jaro_scan(a, b) }
}

/// Jaro over strings of at most 64 bytes: positions of each byte in `b` as bit masks, so
/// finding the first free match inside the window is a few word operations.
fn jaro_bit_parallel(a: &[u8], b: &[u8]) -> f64 {
    let window = (b.len() / 2).saturating_sub(1);
    let mut positions = [0u64; 64];
    let slot = |byte: u8| usize::from(byte & 63);
    for (j, &byte) in b.iter().enumerate() {
        positions[slot(byte)] |= 1 << j;
    }
    let mut b_used = 0u64;
    let mut a_matched = [0u8; 64];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        if start >= end {
            continue;
        }
        let window_mask = (u64::MAX >> (64 - (end - start))) << start;
        // Different bytes may share a slot (byte & 63): confirm the byte itself.
        let mut candidates = positions[slot(ca)] & window_mask & !b_used;
        while candidates != 0 {
            let j = candidates.trailing_zeros() as usize;
            if b[j] == ca {
                b_used |= 1 << j;
                a_matched[matches] = ca;
                matches += 1;
                break;
            }
            candidates &= candidates - 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    let mut used = b_used;
    while used != 0 {
        let j = used.trailing_zeros() as usize;
        if a_matched[k] != b[j] {
            transpositions += 1;
        }
        k += 1;
        used &= used - 1;
    }
    jaro_from_counts(matches, transpositions, a.len(), b.len())
}

/// Jaro by direct scanning, for long strings.
fn jaro_scan(a: &[u8], b: &[u8]) -> f64 {
    let window = (b.len() / 2).saturating_sub(1);
    let mut b_used = vec![false; b.len()];
    let mut a_matched = Vec::with_capacity(a.len());
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_used[j] && b[j] == ca {
                b_used[j] = true;
                a_matched.push(ca);
                break;
            }
        }
    }
    if a_matched.is_empty() {
        return 0.0;
    }
    let transpositions = b
        .iter()
        .zip(&b_used)
        .filter(|(_, used)| **used)
        .zip(&a_matched)
        .filter(|((cb, _), ca)| *cb != *ca)
        .count();
    jaro_from_counts(a_matched.len(), transpositions, a.len(), b.len())
}

fn jaro_from_counts(matches: usize, transpositions: usize, a_len: usize, b_len: usize) -> f64 {
    let m = matches as f64;
    (m / a_len as f64 + m / b_len as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

/// Dice coefficient of two space-separated token multisets: 2|A∩B| / (|A|+|B|), over the
/// first [`MAX_DICE_TOKENS`] tokens of each. Used for long free text (addresses), where
/// token overlap says more than character order. Each token of `a` takes an equal token of
/// `b` not taken yet (the multiset intersection): a handful of tokens needs no sorting.
pub fn token_dice(a: &str, b: &str) -> f64 {
    let mut others = [""; MAX_DICE_TOKENS];
    let mut others_len = 0;
    for_each_token(b, |token| {
        others[others_len] = token;
        others_len += 1;
    });
    let mut taken = 0u64;
    let (mut own_len, mut common) = (0usize, 0usize);
    for_each_token(a, |token| {
        own_len += 1;
        let free_equal = (0..others_len).find(|&k| taken & (1 << k) == 0 && others[k] == token);
        if let Some(k) = free_equal {
            taken |= 1 << k;
            common += 1;
        }
    });
    if own_len == 0 && others_len == 0 {
        return 1.0;
    }
    2.0 * common as f64 / (own_len + others_len) as f64
}

const MAX_DICE_TOKENS: usize = 32;

/// Calls `visit` with the first [`MAX_DICE_TOKENS`] non-empty space-separated tokens.
fn for_each_token<'t>(text: &'t str, mut visit: impl FnMut(&'t str)) {
    // A byte loop: `str::split` costs more than the comparisons for a short address.
    let bytes = text.as_bytes();
    let (mut start, mut count) = (0, 0);
    for end in 0..=bytes.len() {
        if end < bytes.len() && bytes[end] != b' ' {
            continue;
        }
        if end > start {
            if count == MAX_DICE_TOKENS {
                return;
            }
            // Spaces are ASCII, so both ends are character boundaries.
            visit(text.get(start..end).unwrap_or(""));
            count += 1;
        }
        start = end + 1;
    }
}

/// True when `a` and `b` differ by at most one insertion, deletion, substitution, or one
/// transposition of adjacent characters.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    within_one_edit_bytes(a.as_bytes(), b.as_bytes())
}

/// [`within_one_edit`] over bytes.
pub fn within_one_edit_bytes(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        return true;
    }
    if short.len() == long.len() {
        let rest_after_substitution = short[prefix + 1..] == long[prefix + 1..];
        let transposed = prefix + 1 < short.len()
            && short[prefix] == long[prefix + 1]
            && short[prefix + 1] == long[prefix]
            && short[prefix + 2..] == long[prefix + 2..];
        rest_after_substitution || transposed
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn jaro_winkler_matches_reference_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }

    #[test]
    fn one_edit_covers_the_four_kinds_of_typo() {
        assert!(within_one_edit("sumiyati", "sumiati"));
        assert!(within_one_edit("sumiati", "sumiyati"));
        assert!(within_one_edit("budi", "bude"));
        assert!(within_one_edit("budi", "bdui"));
        assert!(within_one_edit("budi", "budi"));
        assert!(!within_one_edit("budi", "bdiu"));
        assert!(!within_one_edit("budi", "bu"));
    }

    proptest! {
        #[test]
        fn bit_parallel_and_scanning_jaro_agree(a in "[a-e ]{1,40}", b in "[a-e ]{1,40}") {
            let (x, y) = if (a.len(), &a) <= (b.len(), &b) { (a.as_bytes(), b.as_bytes()) } else { (b.as_bytes(), a.as_bytes()) };
            prop_assert!((jaro_bit_parallel(x, y) - jaro_scan(x, y)).abs() < 1e-12);
        }

        #[test]
        fn token_dice_is_symmetric_and_bounded(a in "[ab ]{0,20}", b in "[ab ]{0,20}") {
            let d = token_dice(&a, &b);
            prop_assert!((d - token_dice(&b, &a)).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&d));
        }

        #[test]
        fn token_dice_counts_the_multiset_intersection(a in "[abc ]{0,40}", b in "[abc ]{0,40}") {
            fn sorted(text: &str) -> Vec<&str> {
                let mut tokens: Vec<&str> = text.split(' ').filter(|t| !t.is_empty()).collect();
                tokens.sort_unstable();
                tokens
            }
            let (x, y) = (sorted(&a), sorted(&b));
            let mut rest = y.clone();
            let mut common = 0;
            for token in &x {
                if let Some(k) = rest.iter().position(|t| t == token) {
                    rest.swap_remove(k);
                    common += 1;
                }
            }
            let expected = if x.is_empty() && y.is_empty() {
                1.0
            } else {
                2.0 * f64::from(common) / (x.len() + y.len()) as f64
            };
            prop_assert!((token_dice(&a, &b) - expected).abs() < 1e-12);
        }

        #[test]
        fn jaro_winkler_is_symmetric_and_bounded(a in "[a-e]{0,12}", b in "[a-e]{0,12}") {
            let ab = jaro_winkler(&a, &b);
            prop_assert!((ab - jaro_winkler(&b, &a)).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&ab));
        }

        #[test]
        fn one_edit_is_symmetric(a in "[a-c]{0,6}", b in "[a-c]{0,6}") {
            prop_assert_eq!(within_one_edit(&a, &b), within_one_edit(&b, &a));
        }
    }
}
