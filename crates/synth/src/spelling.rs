//! Letter-level variation of one name token: old and new orthography (DOMAIN.md §7.2),
//! final i/y, frequent phonetic respellings and keyboard typos.
//!
//! Every function takes a title-cased token and returns the variant in title case, or
//! `None` when the rule does not apply (so callers can try another kind of variation).

use rand::Rng;

use crate::pick::Rng8;

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// First letter upper case, the rest lower case.
pub(crate) fn capitalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, ch) in word.chars().enumerate() {
        if i == 0 {
            out.extend(ch.to_uppercase());
        } else {
            out.extend(ch.to_lowercase());
        }
    }
    out
}

fn letters_only(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_alphabetic())
}

fn finish(original: &str, lower: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(lower).ok()?;
    let out = capitalize(text);
    (out != original).then_some(out)
}

/// Old (pre-1972) spelling of a modern token: u→oe, j→dj, y→j before a vowel, c→tj, kh→ch.
/// With `only_oe`, just the most frequent rule (Suryani → Soeryani).
pub(crate) fn to_old(token: &str, only_oe: bool) -> Option<String> {
    if !letters_only(token) {
        return None;
    }
    let s = token.to_ascii_lowercase().into_bytes();
    let mut out = Vec::with_capacity(s.len() + 4);
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let next = s.get(i + 1).copied();
        match b {
            b'u' => out.extend_from_slice(b"oe"),
            _ if only_oe => out.push(b),
            b'j' => out.extend_from_slice(b"dj"),
            b'y' if next.is_some_and(is_vowel) => out.push(b'j'),
            b'c' if next != Some(b'h') => out.extend_from_slice(b"tj"),
            b'k' if next == Some(b'h') => {
                out.extend_from_slice(b"ch");
                i += 1;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    finish(token, &out)
}

/// Modern (EYD) spelling of an old token: oe→u, dj→j, tj→c, nj→ny, sj→sy, j→y before a
/// vowel, ch→kh.
pub(crate) fn to_new(token: &str) -> Option<String> {
    if !letters_only(token) {
        return None;
    }
    let s = token.to_ascii_lowercase().into_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let next = s.get(i + 1).copied();
        match (b, next) {
            (b'o', Some(b'e')) => {
                out.push(b'u');
                i += 1;
            }
            (b'd', Some(b'j')) => {
                out.push(b'j');
                i += 1;
            }
            (b't', Some(b'j')) => {
                out.push(b'c');
                i += 1;
            }
            (b'c', Some(b'h')) => {
                out.extend_from_slice(b"kh");
                i += 1;
            }
            (b'j', Some(n)) if is_vowel(n) => out.push(b'y'),
            _ => out.push(b),
        }
        i += 1;
    }
    finish(token, &out)
}

/// Whether a token shows old-spelling letter groups.
pub(crate) fn looks_old(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    ["oe", "dj", "tj", "sj", "nj", "ch"].iter().any(|p| lower.contains(p))
}

/// The other orthography of a token: modern if it looks old, old otherwise.
pub(crate) fn respell(token: &str, rng: &mut Rng8) -> Option<String> {
    if looks_old(token) {
        to_new(token)
    } else {
        let only_oe = rng.random_bool(0.5);
        to_old(token, only_oe).or_else(|| to_old(token, !only_oe))
    }
}

/// Rizki ↔ Rizky, Hendri ↔ Hendry.
pub(crate) fn final_i_y(token: &str) -> Option<String> {
    if !letters_only(token) || token.len() < 3 {
        return None;
    }
    let mut s = token.as_bytes().to_vec();
    let last = s.len() - 1;
    s[last] = match s[last] {
        b'i' => b'y',
        b'y' => b'i',
        _ => return None,
    };
    String::from_utf8(s).ok()
}

/// One frequent phonetic respelling: f/p, z/j, a dropped h, a doubled or undoubled
/// consonant, Sundanese -a for Javanese -o and back.
pub(crate) fn phonetic(token: &str, rng: &mut Rng8) -> Option<String> {
    if !letters_only(token) || token.len() < 3 {
        return None;
    }
    let s = token.to_ascii_lowercase().into_bytes();
    let mut candidates: Vec<Vec<u8>> = Vec::with_capacity(6);
    let replace_at = |i: usize, with: &[u8], drop: usize| {
        let mut v = s[..i].to_vec();
        v.extend_from_slice(with);
        v.extend_from_slice(&s[i + drop..]);
        v
    };
    if let Some(i) = s.iter().position(|&b| b == b'f') {
        candidates.push(replace_at(i, b"p", 1));
    }
    if s[0] == b'p' && s.get(1).copied().is_some_and(|b| b == b'i' || b == b'a') {
        candidates.push(replace_at(0, b"f", 1));
    }
    if let Some(i) = s.iter().position(|&b| b == b'z') {
        candidates.push(replace_at(i, b"j", 1));
    }
    if let Some(i) = (1..s.len() - 1)
        .find(|&i| s[i] == b'h' && is_vowel(s[i - 1]) && !is_vowel(s[i + 1]) && s[i + 1] != b'h')
    {
        candidates.push(replace_at(i, b"", 1));
    }
    if let Some(i) = (1..s.len()).find(|&i| s[i] == s[i - 1] && !is_vowel(s[i])) {
        candidates.push(replace_at(i, b"", 1));
    } else if let Some(i) = (1..s.len() - 1).find(|&i| {
        matches!(s[i], b'm' | b'd' | b'n' | b's' | b'l') && is_vowel(s[i - 1]) && is_vowel(s[i + 1])
    }) {
        candidates.push(replace_at(i, &[s[i], s[i]], 1));
    }
    let last = s.len() - 1;
    match s[last] {
        b'o' if s[last - 1] == b'n' => candidates.push(replace_at(last, b"a", 1)),
        b'a' if s[last - 1] == b'n' => candidates.push(replace_at(last, b"o", 1)),
        _ => {}
    }
    if candidates.is_empty() {
        return None;
    }
    let chosen = rng.random_range(0..candidates.len());
    finish(token, &candidates[chosen])
}

const KEYBOARD_ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];

fn keyboard_neighbour(b: u8, rng: &mut Rng8) -> u8 {
    for row in KEYBOARD_ROWS {
        if let Some(i) = row.iter().position(|&c| c == b) {
            let left = i.checked_sub(1).map(|j| row[j]);
            let right = row.get(i + 1).copied();
            return match (left, right) {
                (Some(l), Some(r)) => {
                    if rng.random_bool(0.5) {
                        l
                    } else {
                        r
                    }
                }
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (None, None) => b,
            };
        }
    }
    b
}

/// A typing error: a neighbouring key, a dropped, doubled or transposed letter. The first
/// letter is kept (people rarely get it wrong).
pub(crate) fn typo(token: &str, rng: &mut Rng8) -> Option<String> {
    if !letters_only(token) || token.len() < 4 {
        return None;
    }
    let mut s = token.to_ascii_lowercase().into_bytes();
    let i = rng.random_range(1..s.len());
    match rng.random_range(0..4u8) {
        0 => s[i] = keyboard_neighbour(s[i], rng),
        1 => {
            s.remove(i);
        }
        2 => s.insert(i, s[i]),
        _ => {
            let j = if i + 1 < s.len() { i + 1 } else { i - 1 };
            if j == 0 {
                return None;
            }
            s.swap(i, j);
        }
    }
    finish(token, &s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    #[test]
    fn old_and_new_spelling_follow_the_table() {
        assert_eq!(to_old("Suryani", true).as_deref(), Some("Soeryani"));
        assert_eq!(to_old("Joko", false).as_deref(), Some("Djoko"));
        assert_eq!(to_old("Cahyono", false).as_deref(), Some("Tjahjono"));
        assert_eq!(to_old("Nyoman", false).as_deref(), Some("Njoman"));
        assert_eq!(to_old("Khairul", false).as_deref(), Some("Chairoel"));
        assert_eq!(to_old("Rizky", false), None);
        assert_eq!(to_new("Soeharto").as_deref(), Some("Suharto"));
        assert_eq!(to_new("Djoko").as_deref(), Some("Joko"));
        assert_eq!(to_new("Tjahjono").as_deref(), Some("Cahyono"));
        assert_eq!(to_new("Sjahrir").as_deref(), Some("Syahrir"));
        assert_eq!(to_new("Hidajat").as_deref(), Some("Hidayat"));
        assert_eq!(to_new("M."), None);
    }

    #[test]
    fn final_letter_and_phonetic_variants() {
        assert_eq!(final_i_y("Rizki").as_deref(), Some("Rizky"));
        assert_eq!(final_i_y("Hendry").as_deref(), Some("Hendri"));
        assert_eq!(final_i_y("Agus"), None);
        let mut rng = Rng8::seed_from_u64(5);
        let seen: Vec<String> = (0..50).filter_map(|_| phonetic("Fitri", &mut rng)).collect();
        assert!(seen.iter().any(|s| s == "Pitri"), "{seen:?}");
        assert_eq!(phonetic("Sutrisno", &mut rng).as_deref(), Some("Sutrisna"));
    }

    proptest! {
        #[test]
        fn new_spelling_survives_a_round_trip_through_the_old(
            token in "[BCDGHJKLMNPRSTWY][aiueo][bcdghjklmnprstwy][aiueo]([nrst][aiueo])?"
        ) {
            let token = capitalize(&token);
            if let Some(old) = to_old(&token, false) {
                prop_assert_eq!(to_new(&old), Some(token.clone()));
            }
        }

        #[test]
        fn every_variant_differs_and_stays_alphabetic(token in "[A-Z][a-z]{3,9}", seed: u64) {
            let mut rng = Rng8::seed_from_u64(seed);
            let token = capitalize(&token);
            let variants = [
                respell(&token, &mut rng),
                final_i_y(&token),
                phonetic(&token, &mut rng),
                typo(&token, &mut rng),
            ];
            for v in variants.into_iter().flatten() {
                prop_assert_ne!(&v, &token);
                prop_assert!(v.bytes().all(|b| b.is_ascii_alphabetic()), "{}", v);
            }
        }
    }
}
