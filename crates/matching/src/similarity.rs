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
    let window = (b.len() / 2).saturating_sub(1);
    let mut b_used_stack = [false; 64];
    let mut b_used_heap;
    let b_used: &mut [bool] = if b.len() <= 64 {
        &mut b_used_stack[..b.len()]
    } else {
        b_used_heap = vec![false; b.len()];
        &mut b_used_heap
    };
    let mut a_matched_stack = [0u8; 64];
    let mut a_matched_heap;
    let a_matched: &mut [u8] = if a.len() <= 64 {
        &mut a_matched_stack[..a.len()]
    } else {
        a_matched_heap = vec![0u8; a.len()];
        &mut a_matched_heap
    };
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_used[j] && b[j] == ca {
                b_used[j] = true;
                a_matched[matches] = ca;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (j, &cb) in b.iter().enumerate() {
        if b_used[j] {
            if a_matched[k] != cb {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

/// True when `a` and `b` differ by at most one insertion, deletion, substitution, or one
/// transposition of adjacent characters.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
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
