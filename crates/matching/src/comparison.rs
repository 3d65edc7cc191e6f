//! Field comparisons: each kind maps two prepared values onto a [`Level`]. All comparisons
//! are symmetric (tested), and a value is always exact with itself.

use std::hash::{BuildHasher, Hash, Hasher};

use crate::level::Level;
use crate::model::{Field, Kind};
use crate::record::{NameView, PreparedRecord};
use crate::similarity::{jaro_winkler, token_dice, within_one_edit, within_one_edit_bytes};
use crate::value;

/// Compares field `index` of two records.
pub fn compare_field(field: &Field, index: usize, a: &PreparedRecord, b: &PreparedRecord) -> Level {
    let level = compare_values(field, (index, index), a, b);
    match field.swap_with {
        Some(other) if matches!(level, Level::Partial | Level::Different | Level::Missing) => {
            // Crossed agreement both ways means the two fields were swapped on entry.
            let crossed = |level: Level| level <= Level::Close;
            if crossed(compare_values(field, (index, other), a, b))
                && crossed(compare_values(field, (other, index), a, b))
            {
                Level::Equivalent
            } else {
                level
            }
        }
        _ => level,
    }
}

/// Compares field `left` of `a` with field `right` of `b`, both read as `field`'s kind.
fn compare_values(
    field: &Field,
    (left, right): (usize, usize),
    a: &PreparedRecord,
    b: &PreparedRecord,
) -> Level {
    if !a.has_value(left) || !b.has_value(right) {
        return Level::Missing;
    }
    let index = left;
    match field.kind {
        Kind::Name => match (a.name(index), b.name(right)) {
            (Some(x), Some(y)) => compare_names(x, y, field.close_threshold),
            _ => Level::Missing,
        },
        Kind::Date => match (a.date(index), b.date(right)) {
            (Some(x), Some(y)) => compare_dates(x, y),
            _ => Level::Missing,
        },
        kind => match (a.text(index), b.text(right)) {
            (Some(x), Some(y)) => match kind {
                Kind::Text => compare_text(x, y, field.close_threshold, field.partial_threshold),
                Kind::Code => compare_codes(x, y),
                Kind::Nik => compare_niks(x, y),
                Kind::Phone => compare_phones(x, y),
                Kind::Region => compare_regions(x, y),
                _ => compare_categories(x, y),
            },
            _ => Level::Missing,
        },
    }
}

/// Most tokens a name is compared on; further tokens are ignored.
const MAX_TOKENS: usize = 12;

/// Up to [`MAX_TOKENS`] space-separated tokens, on the stack.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    items: [&'a str; MAX_TOKENS],
    len: usize,
}

impl<'a> Tokens<'a> {
    fn split(text: &'a str) -> Self {
        // A byte loop rather than `str::split`: names are a few short tokens, where the
        // iterator's set-up costs more than the scan (this runs for every compared pair).
        let mut items = [""; MAX_TOKENS];
        let mut len = 0;
        let mut start = 0;
        let bytes = text.as_bytes();
        for end in 0..=bytes.len() {
            if end < bytes.len() && bytes[end] != b' ' {
                continue;
            }
            if end > start {
                // Spaces are ASCII, so both ends are character boundaries.
                items[len] = text.get(start..end).unwrap_or("");
                len += 1;
                if len == MAX_TOKENS {
                    break;
                }
            }
            start = end + 1;
        }
        Self { items, len }
    }

    fn as_slice(&self) -> &[&'a str] {
        &self.items[..self.len]
    }

    fn sorted(mut self) -> Self {
        self.items[..self.len].sort_unstable();
        self
    }
}

/// `text` split, or `split` again when it is the text `split` was made from.
fn resplit<'a>(text: &'a str, (split_text, split): (&str, &Tokens<'a>)) -> Tokens<'a> {
    if text == split_text { *split } else { Tokens::split(text) }
}

fn same_token_set(a: &str, b: &str) -> bool {
    // Same tokens joined by single spaces have the same length: a cheap early exit.
    a == b
        || (a.len() == b.len()
            && a.contains(' ')
            && Tokens::split(a).sorted().as_slice() == Tokens::split(b).sorted().as_slice())
}

fn same_when_joined(a: &str, b: &str) -> bool {
    let letters = |s: &str| s.len() - s.bytes().filter(|&c| c == b' ').count();
    letters(a) == letters(b)
        && a.bytes().filter(|&c| c != b' ').eq(b.bytes().filter(|&c| c != b' '))
}

/// Names, each without its alias (see [`compare_name_forms`]); when they are no closer than
/// partial, an alias on either side is compared with the other name: agreement there is
/// close at most (a nickname says less than a full name). Two aliases are not compared
/// with each other: sisters may both be called Iyem, and many strangers are.
fn compare_names<'a>(a: NameView<'a>, b: NameView<'a>, close_threshold: f64) -> Level {
    let level = compare_name_forms(a, b, close_threshold);
    if level <= Level::Close || (a.alias.is_empty() && b.alias.is_empty()) {
        return level;
    }
    let as_name =
        |alias: &'a str| NameView { literal: alias, equivalent: alias, close: alias, alias: "" };
    let mut cross = Level::Different;
    if !a.alias.is_empty() {
        cross = cross.min(compare_name_forms(as_name(a.alias), b, close_threshold));
    }
    if !b.alias.is_empty() {
        cross = cross.min(compare_name_forms(a, as_name(b.alias), close_threshold));
    }
    level.min(cross.max(Level::Close))
}

/// Names: exact token set as written; equivalent after dictionary and spelling folds (also
/// joined/split tokens); close after informal folds or with every token within typo
/// distance; partial when all tokens of the shorter name appear in the longer (mononyms,
/// added father's or grandfather's names, truncation, a dropped middle name).
fn compare_name_forms<'a>(a: NameView<'a>, b: NameView<'a>, close_threshold: f64) -> Level {
    if same_token_set(a.literal, b.literal) {
        return Level::Exact;
    }
    if same_token_set(a.equivalent, b.equivalent) || same_when_joined(a.equivalent, b.equivalent) {
        return Level::Equivalent;
    }
    if same_token_set(a.close, b.close) || same_when_joined(a.close, b.close) {
        return Level::Close;
    }
    let (ea, eb) = (Tokens::split(a.equivalent), Tokens::split(b.equivalent));
    // Most names read the same in all three forms: split each distinct text once.
    let (ca, cb) = (resplit(a.close, (a.equivalent, &ea)), resplit(b.close, (b.equivalent, &eb)));
    let (la, lb) = (resplit(a.literal, (a.close, &ca)), resplit(b.literal, (b.close, &cb)));
    // Align in a canonical order (shorter first, then by text) so the result is symmetric.
    let aligned = if (ea.len, a.equivalent) <= (eb.len, b.equivalent) {
        align_tokens((&ea, &ca, &la), (&eb, &cb, &lb), close_threshold)
    } else {
        align_tokens((&eb, &cb, &lb), (&ea, &ca, &la), close_threshold)
    };
    if aligned <= Level::Close {
        return aligned;
    }
    aligned.min(compare_joins(a, b, (&ea, &eb), (&ca, &cb), (&la, &lb)))
}

/// What token alignment cannot see: tokens split or joined differently on the two sides
/// ("Dwi Sri Yatun" / "Dwi Partini Sriyatun"), also in another order, and a typo in a name
/// written with another split ("Siti Amelia" / "Sitiaemlia"). Exact joins compare as the
/// same tokens; a joined form one typo apart as close (as one typo in a token is).
fn compare_joins(
    a: NameView<'_>,
    b: NameView<'_>,
    (ea, eb): (&Tokens<'_>, &Tokens<'_>),
    (ca, cb): (&Tokens<'_>, &Tokens<'_>),
    (la, lb): (&Tokens<'_>, &Tokens<'_>),
) -> Level {
    match units_agree(ea, eb) {
        Some(true) => return Level::Equivalent,
        Some(false) => return Level::Partial.min(joined_one_edit(a, b, la, lb)),
        None => {}
    }
    match units_agree(ca, cb) {
        Some(true) => Level::Close,
        Some(false) => Level::Partial.min(joined_one_edit(a, b, la, lb)),
        None => joined_one_edit(a, b, la, lb),
    }
}

/// Close when the token counts differ but the letters, joined, are one typo apart (six
/// letters or more); otherwise different.
fn joined_one_edit(a: NameView<'_>, b: NameView<'_>, la: &Tokens<'_>, lb: &Tokens<'_>) -> Level {
    const MIN_LETTERS: usize = 6;
    const MAX_LETTERS: usize = 96;
    if la.len == lb.len {
        return Level::Different;
    }
    // One typo changes the letter count by at most one, and a joined form cut at
    // MAX_LETTERS is not compared: either way nothing to do when both forms are further
    // apart than that.
    let letters = |text: &str| text.bytes().filter(|&c| c != b' ').count();
    let far = |x: &str, y: &str| letters(x).abs_diff(letters(y)) > 1;
    if far(a.literal, b.literal) && far(a.equivalent, b.equivalent) {
        return Level::Different;
    }
    let joined = |text: &str, out: &mut [u8; MAX_LETTERS]| -> Option<usize> {
        let mut len = 0;
        for byte in text.bytes().filter(|&c| c != b' ') {
            *out.get_mut(len)? = byte;
            len += 1;
        }
        Some(len)
    };
    let (mut x, mut y) = ([0u8; MAX_LETTERS], [0u8; MAX_LETTERS]);
    for (p, q) in [(a.literal, b.literal), (a.equivalent, b.equivalent)] {
        let (Some(nx), Some(ny)) = (joined(p, &mut x), joined(q, &mut y)) else {
            continue;
        };
        if nx.min(ny) >= MIN_LETTERS && within_one_edit_bytes(&x[..nx], &y[..ny]) {
            return Level::Close;
        }
    }
    Level::Different
}

/// A name token, or two adjacent tokens that the other name writes as one.
type Unit<'a> = (&'a str, &'a str);

fn unit_eq(x: Unit<'_>, y: Unit<'_>) -> bool {
    x.0.len() + x.1.len() == y.0.len() + y.1.len()
        && x.0.bytes().chain(x.1.bytes()).eq(y.0.bytes().chain(y.1.bytes()))
}

/// `x`'s tokens, adjacent pairs merged where `other` has their concatenation as one token,
/// in either order ("Syamsul Jafar" / "Jafarsyamsul": swapped, then joined).
fn units<'a>(x: &Tokens<'a>, other: &Tokens<'_>) -> ([Unit<'a>; MAX_TOKENS], usize) {
    let mut out = [("", ""); MAX_TOKENS];
    let (mut k, mut len) = (0, 0);
    let tokens = x.as_slice();
    let joined = |unit: Unit<'_>| other.as_slice().iter().any(|t| unit_eq(unit, (t, "")));
    while k < tokens.len() {
        let pair = (k + 1 < tokens.len()).then(|| (tokens[k], tokens[k + 1]));
        let merged = pair.and_then(|(p, q)| {
            if joined((p, q)) { Some((p, q)) } else { joined((q, p)).then_some((q, p)) }
        });
        out[len] = merged.unwrap_or((tokens[k], ""));
        len += 1;
        k += if merged.is_some() { 2 } else { 1 };
    }
    (out, len)
}

/// After merging split tokens: `Some(true)` when both names are the same tokens in any
/// order, `Some(false)` when every token of the shorter is in the longer, else `None`.
fn units_agree(x: &Tokens<'_>, y: &Tokens<'_>) -> Option<bool> {
    // Either answer needs the shorter side's letters among the longer side's: when neither
    // side's letters are a subset of the other's, the units need not be built.
    let letters = |tokens: &Tokens<'_>| {
        tokens.as_slice().iter().flat_map(|t| t.bytes()).fold(0u64, |mask, c| mask | 1 << (c & 63))
    };
    let (mx, my) = (letters(x), letters(y));
    if mx & !my != 0 && my & !mx != 0 {
        return None;
    }
    let (ux, nx) = units(x, y);
    let (uy, ny) = units(y, x);
    let (short, long) = if nx <= ny { (&ux[..nx], &uy[..ny]) } else { (&uy[..ny], &ux[..nx]) };
    if short.is_empty() {
        return None;
    }
    let mut used = [false; MAX_TOKENS];
    for &unit in short {
        let found = (0..long.len()).find(|&k| !used[k] && unit_eq(unit, long[k]))?;
        used[found] = true;
    }
    Some(short.len() == long.len())
}

/// Aligns each token of `a` (the shorter side) to a distinct token of `b`. Tokens
/// are compared on both keys (the informal folds can hide a typo the equivalent key shows).
fn align_tokens(
    a: (&Tokens<'_>, &Tokens<'_>, &Tokens<'_>),
    b: (&Tokens<'_>, &Tokens<'_>, &Tokens<'_>),
    close_threshold: f64,
) -> Level {
    let (short, long) = (a, b);
    if short.0.len == 0 {
        return Level::Different;
    }
    // Tokens as written line up with the keys unless a dictionary variant expanded one
    // ("abdurrahman" -> "abdul rahman"); then only the keys are compared.
    let literal_aligned = short.2.len == short.0.len && long.2.len == long.0.len;
    // Most tokens read the same in two or all three forms: a pair of strings already
    // compared is not compared again.
    let similarity = |i: usize, j: usize| {
        let equivalent = (short.0.items[i], long.0.items[j]);
        let mut best = token_similarity_reaching(equivalent.0, equivalent.1, close_threshold);
        let close =
            (i < short.1.len && j < long.1.len).then(|| (short.1.items[i], long.1.items[j]));
        if let Some(close) = close.filter(|&close| close != equivalent) {
            best = best.max(token_similarity_reaching(close.0, close.1, close_threshold));
        }
        // Spelling folds can also pull a typo apart ("aditja" folds as "tj", "aditya" not).
        if literal_aligned && best < close_threshold {
            let literal = (short.2.items[i], long.2.items[j]);
            if literal != equivalent && Some(literal) != close {
                best = best.max(token_similarity_reaching(literal.0, literal.1, close_threshold));
            }
        }
        best
    };
    let mut used = [false; MAX_TOKENS];
    let mut fuzzy_all = true;
    for i in 0..short.0.len {
        let token = short.0.items[i];
        let mut best: Option<(usize, f64)> = None;
        for (j, _) in used.iter().enumerate().take(long.0.len).filter(|(_, taken)| !**taken) {
            let score = similarity(i, j);
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((j, score));
            }
        }
        match best {
            Some((j, score)) if score >= close_threshold => used[j] = true,
            _ => {
                fuzzy_all = false;
                match (0..long.0.len).find(|&k| !used[k] && is_initial_of(token, long.0.items[k])) {
                    Some(k) => used[k] = true,
                    // Neither close nor an initial: nothing later can make the names more
                    // than different.
                    None => return Level::Different,
                }
            }
        }
    }
    if fuzzy_all && short.0.len == long.0.len { Level::Close } else { Level::Partial }
}

const ONE_TYPO_SIMILARITY: f64 = 0.99;

/// The similarity that [`token_similarity_reaching`] computes in steps; the reference its
/// test checks it against.
#[cfg(test)]
fn token_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if a.len().max(b.len()) >= 4 && a.len().min(b.len()) >= 3 && within_one_edit(a, b) {
        // One typo in a name of four letters or more reads as close whatever its position
        // (Jaro-Winkler punishes an early typo in a short token too hard).
        ONE_TYPO_SIMILARITY
    } else {
        jaro_winkler(a, b)
    }
}

/// [`token_similarity`] when it can reach `threshold`, 0 when the lengths alone rule that
/// out. Jaro is at most (2 + shorter / longer) / 3 and Winkler's prefix bonus adds at most
/// 0.4 of the rest, so long-and-short token pairs need no character work.
fn token_similarity_reaching(a: &str, b: &str, threshold: f64) -> f64 {
    let (short, long) = (a.len().min(b.len()), a.len().max(b.len()));
    if long - short > 1 && short > 0 {
        let jaro_bound = (2.0 + short as f64 / long as f64) / 3.0;
        if 0.6 * jaro_bound + 0.4 < threshold {
            return 0.0;
        }
    }
    if a == b {
        return 1.0;
    }
    // The steps of `token_similarity`, each done once.
    if long >= 4 && short >= 3 && long - short <= 1 && within_one_edit(a, b) {
        return ONE_TYPO_SIMILARITY;
    }
    // Jaro matches pair equal letters, so there are no more of them than letters of either
    // token that occur in the other at all; with that count the Jaro bound above gets
    // much tighter for unrelated tokens.
    if short > 0 {
        let matches = shared_letters_bound(a.as_bytes(), b.as_bytes()) as f64;
        let jaro_bound = (matches / a.len() as f64 + matches / b.len() as f64 + 1.0) / 3.0;
        // The margin keeps rounding from ruling out a pair exactly at the threshold.
        if 0.6 * jaro_bound + 0.4 < threshold - 1e-9 {
            return 0.0;
        }
    }
    jaro_winkler(a, b)
}

/// At most the number of letters the two tokens can pair: letters of each that occur in
/// the other, the smaller count. Letters are told apart by their byte modulo 64 (letters
/// and digits get distinct bits; a collision only raises the bound).
fn shared_letters_bound(a: &[u8], b: &[u8]) -> usize {
    let mask = |text: &[u8]| text.iter().fold(0u64, |mask, &c| mask | 1 << (c & 63));
    let present = |text: &[u8], mask: u64| {
        text.iter().map(|&c| ((mask >> (c & 63)) & 1) as usize).sum::<usize>()
    };
    present(a, mask(b)).min(present(b, mask(a)))
}

fn is_initial_of(token: &str, other: &str) -> bool {
    token.len() == 1 && other.len() > 1 && other.as_bytes().first() == token.as_bytes().first()
}

/// Free text: exact; equivalent when the token set or the joined letters agree; close and
/// partial by Jaro-Winkler (or one typo for close).
fn compare_text(a: &str, b: &str, close_threshold: f64, partial_threshold: f64) -> Level {
    if a == b {
        return Level::Exact;
    }
    if same_token_set(a, b) || same_when_joined(a, b) {
        return Level::Equivalent;
    }
    // Long text (addresses) compares by shared tokens: cheaper, and word order and
    // abbreviations matter less there than in a name.
    let similarity =
        if a.len().max(b.len()) > LONG_TEXT { token_dice(a, b) } else { jaro_winkler(a, b) };
    if similarity >= close_threshold || (a.len().min(b.len()) >= 4 && within_one_edit(a, b)) {
        Level::Close
    } else if similarity >= partial_threshold {
        Level::Partial
    } else {
        Level::Different
    }
}

/// Text longer than this (bytes) compares by token overlap rather than Jaro-Winkler.
const LONG_TEXT: usize = 32;

/// Codes: exact, or one typo apart (codes of three characters or more).
fn compare_codes(a: &str, b: &str) -> Level {
    if a == b {
        Level::Exact
    } else if a.len().min(b.len()) >= 3 && within_one_edit(a, b) {
        Level::Close
    } else {
        Level::Different
    }
}

fn compare_categories(a: &str, b: &str) -> Level {
    if a == b { Level::Exact } else { Level::Different }
}

/// Dates: exact; day and month swapped; one typo in `YYYYMMDD` or the year one off (also
/// with day and month swapped: "1989-07-03" for "1990-03-07"); same year.
fn compare_dates(a: u32, b: u32) -> Level {
    if a == b {
        return Level::Exact;
    }
    let (ya, ma, da) = value::unpack_date(a);
    let (yb, mb, db) = value::unpack_date(b);
    let swapped = ma == db && da == mb;
    if ya == yb && swapped {
        return Level::Equivalent;
    }
    // A year slip crosses decades ("1989" for "1990"), which a digit typo does not cover.
    if ya.abs_diff(yb) == 1 && ((ma == mb && da == db) || swapped) {
        return Level::Close;
    }
    if within_one_edit(date_digits(a).as_str(), date_digits(b).as_str()) {
        return Level::Close;
    }
    if ya == yb { Level::Partial } else { Level::Different }
}

/// `YYYYMMDD` digits of a packed date (as `format!("{date:08}")`), on the stack.
struct DateDigits([u8; 8]);

impl DateDigits {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

fn date_digits(date: u32) -> DateDigits {
    let mut digits = [b'0'; 8];
    let mut rest = date;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    DateDigits(digits)
}

/// NIKs: exact; one typo outside the serial (close); a different NIK with the same decoded
/// regency, birth part (DDMMYY) and sex (equivalent: re-issued, re-registered, or a twin);
/// the same birth part and sex from another regency (partial: a second KTP made elsewhere,
/// which repeats the true birth date even when the form's birth date was changed). A
/// brother's or sister's NIK has another birth part: different.
fn compare_niks(a: &str, b: &str) -> Level {
    if a == b {
        return Level::Exact;
    }
    // A typo, unless it is in the serial: serials one apart are what twins and siblings
    // registered together get, so those fall to the decoded-parts levels below.
    let same_serial = a.len() == 16 && b.len() == 16 && a[12..] == b[12..];
    let comparable_lengths = a.len() != 16 || b.len() != 16;
    if (same_serial || comparable_lengths) && within_one_edit(a, b) {
        return Level::Close;
    }
    match (value::decode_nik(a), value::decode_nik(b)) {
        (Some(x), Some(y)) if x.birth == y.birth && x.female == y.female => {
            if x.regency == y.regency { Level::Equivalent } else { Level::Partial }
        }
        _ => Level::Different,
    }
}

/// The level of two NIKs as the identity engine compares them, given as written (digits are
/// kept, anything else dropped, as records are prepared): a NIK kept invalid (15 digits, a
/// birth part that is no date) is compared as its digit string, so a correctly typed NIK is
/// `Close` to its mistyped copy. A placeholder ([`value::is_placeholder_nik`]) is `Missing`.
pub fn nik_level(a: &str, b: &str) -> Level {
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let (a, b) = (digits(a), digits(b));
    if value::is_placeholder_nik(&a) || value::is_placeholder_nik(&b) {
        return Level::Missing;
    }
    compare_niks(&a, &b)
}

/// Phones (national digits): exact; one typo; same last eight digits.
fn compare_phones(a: &str, b: &str) -> Level {
    if a == b {
        return Level::Exact;
    }
    fn tail(s: &str) -> &str {
        s.get(s.len().saturating_sub(8)..).unwrap_or(s)
    }
    if within_one_edit(a, b) || (a.len() >= 8 && b.len() >= 8 && tail(a) == tail(b)) {
        Level::Close
    } else {
        Level::Different
    }
}

/// Region codes: same village; same kecamatan (6 digits); same kabupaten (4 digits).
fn compare_regions(a: &str, b: &str) -> Level {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    if a == b {
        Level::Exact
    } else if common >= 6 {
        Level::Close
    } else if common >= 4 {
        Level::Partial
    } else {
        Level::Different
    }
}

/// Key of the value whose frequency adjusts agreement weights (see
/// [`hash_frequency_key`]), as computed when the record was prepared; `None` when the field
/// is missing or not adjusted for term frequency.
pub fn frequency_key(fields: &[Field], index: usize, record: &PreparedRecord) -> Option<u64> {
    if !fields.get(index)?.term_frequency {
        return None;
    }
    let slot = fields[..index].iter().filter(|f| f.term_frequency).count();
    record.frequency_key(slot)
}

/// Hash of the value whose frequency adjusts agreement weights: the sorted equivalent
/// tokens for names, the prepared value otherwise. Deterministic within a process.
pub(crate) fn hash_frequency_key(
    field: &Field,
    index: usize,
    record: &PreparedRecord,
) -> Option<u64> {
    let mut hasher = hasher_seed().build_hasher();
    index.hash(&mut hasher);
    match field.kind {
        Kind::Name => {
            let name = record.name(index)?;
            for token in Tokens::split(name.equivalent).sorted().as_slice() {
                token.hash(&mut hasher);
            }
        }
        Kind::Date => record.date(index)?.hash(&mut hasher),
        _ => record.text(index)?.hash(&mut hasher),
    }
    Some(hasher.finish())
}

pub(crate) fn hasher_seed() -> ahash::RandomState {
    ahash::RandomState::with_seeds(0x6a65_6a61, 0x6b5f_6d61, 0x7463_6869, 0x6e67_0001)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::record::Record;
    use proptest::prelude::*;

    fn level(model: &Model, field: &str, a: &str, b: &str) -> Level {
        let index = model.fields().iter().position(|f| f.name == field).unwrap();
        let x = model.prepare(&Record::from_pairs(model, "a", [(field, a)]).unwrap());
        let y = model.prepare(&Record::from_pairs(model, "b", [(field, b)]).unwrap());
        compare_field(&model.fields()[index], index, &x, &y)
    }

    #[test]
    fn names_compare_through_indonesian_variation() {
        let m = Model::interchange().unwrap();
        let cases = [
            ("Budi Santoso", "BUDI SANTOSO", Level::Exact),
            ("Santoso Budi", "Budi Santoso", Level::Exact),
            ("Hj. Siti Aminah", "Siti Aminah, S.Pd", Level::Exact),
            ("Soeharto", "Suharto", Level::Equivalent),
            ("Moh. Rizky Djoko", "Muhammad Rizki Joko", Level::Equivalent),
            ("Nurhaliza", "Nur Haliza", Level::Equivalent),
            ("Fitri Handayani", "Pitri Handayani", Level::Close),
            ("Sumiyati", "Sumiati", Level::Close),
            ("Painem Suwarni", "Psinem Soewarni", Level::Close),
            ("Hadi Slamet", "Hdai Slamet", Level::Close),
            ("Tukijo Imam", "Toekijo Iam", Level::Close),
            ("Budi Santosa", "Budi Santoso", Level::Close),
            ("Sumiyati", "Sumiyati Karto", Level::Partial),
            ("S. Rahayu", "Sri Rahayu", Level::Partial),
            ("Siti Rahayu", "Dewi Rahayu", Level::Different),
            ("Agus", "Bambang", Level::Different),
            ("Agus", "", Level::Missing),
        ];
        for (a, b, expected) in cases {
            assert_eq!(level(&m, "full_name", a, b), expected, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn names_split_joined_or_reordered_differently_still_compare() {
        let m = Model::interchange().unwrap();
        let cases = [
            // Same tokens after a split, in another order.
            ("Sriyatun Rahayu", "Rahayu Sri Yatun", Level::Equivalent),
            ("Nurhasanah Herlina", "Herlina Nur Hasanah", Level::Equivalent),
            // A token dropped and another split.
            ("Dwi Partini Sriyatun", "Dwi Sri Yatun", Level::Partial),
            ("Azizah Nuraini Yusnita", "Nur Aini Yusnita", Level::Partial),
            // Swapped, then joined.
            ("Syamsul Jafar", "Jafarsyamsul", Level::Equivalent),
            ("Siti Eka", "Ekasiti als Otong", Level::Equivalent),
            // Joined with one typo.
            ("Siti Amelia", "Sitiaemlia", Level::Close),
            ("Dwi Santoso", "Dwisaantoso", Level::Close),
            // A typo the spelling folds pull apart, seen on the tokens as written.
            ("Aditya Alif Husin", "Aditja Alif Husin", Level::Close),
            // An alias is set apart; alone it is close to the name that carried it.
            ("Dewi Maryadi als Iyem", "Maryadi Dewi", Level::Exact),
            ("Dewi Maryadi (Iyem)", "Dewi Maryadi a.k.a. Iyem", Level::Exact),
            ("Dewi Maryadi als Iyem", "Iyem", Level::Close),
            ("Dewi Maryadi als Iyem", "Sari Maryadi als Iyem", Level::Different),
            // Siblings stay apart.
            ("Dwi Santoso", "Tri Santoso", Level::Different),
            ("Dwi Santoso", "Santoso Eko", Level::Different),
        ];
        for (a, b, expected) in cases {
            assert_eq!(level(&m, "full_name", a, b), expected, "{a:?} vs {b:?}");
            assert_eq!(level(&m, "full_name", b, a), expected, "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn dates_niks_phones_and_regions_have_their_own_levels() {
        let m = Model::interchange().unwrap();
        assert_eq!(level(&m, "birth_date", "1990-03-07", "07-03-1990"), Level::Exact);
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1990-07-03"), Level::Equivalent);
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1991-03-07"), Level::Close);
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1990-11-22"), Level::Partial);
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1985-11-22"), Level::Different);
        // A year one off across a decade, also with day and month swapped; a sibling born
        // a year later on another day is only the same year's neighbour.
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1989-03-07"), Level::Close);
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1989-07-03"), Level::Close);
        assert_eq!(level(&m, "birth_date", "1990-03-07", "1991-08-15"), Level::Different);
        assert_eq!(level(&m, "nik", "1801044703900002", "1801044703900002"), Level::Exact);
        assert_eq!(level(&m, "nik", "1801044703900002", "1801044703910002"), Level::Close);
        assert_eq!(
            level(&m, "nik", "1801044703900002", "1801044703900003"),
            Level::Equivalent,
            "twins"
        );
        assert_eq!(level(&m, "nik", "1801044703900002", "180104470390002"), Level::Close);
        assert_eq!(level(&m, "nik", "1801044703900002", "1801054703900017"), Level::Equivalent);
        assert_eq!(level(&m, "nik", "1801044703900002", "3201054703900017"), Level::Partial);
        assert_eq!(level(&m, "nik", "1801044703900002", "1801040703900017"), Level::Different);
        assert_eq!(level(&m, "phone", "0812-3456-7890", "+62 812 3456 7890"), Level::Exact);
        assert_eq!(level(&m, "phone", "081234567890", "081234567891"), Level::Close);
        assert_eq!(level(&m, "village_code", "18.09.01.2001", "1809012001"), Level::Exact);
        assert_eq!(level(&m, "village_code", "1809012001", "1809012002"), Level::Close);
        assert_eq!(level(&m, "village_code", "1809012001", "1809022002"), Level::Partial);
        assert_eq!(level(&m, "sex", "L", "P"), Level::Different);
    }

    #[test]
    fn an_invalid_nik_is_compared_as_its_digit_string_and_a_placeholder_not_at_all() {
        let m = Model::interchange().unwrap();
        let correct = "1807055203950003";
        // 15 digits (one dropped), as written with separators; a birth part that is no date
        // (day 32, month 13): the correctly typed NIK is close to each.
        for mistyped in
            ["180705520395003", "1807-0552-0395-000", "1807053203950003", "1807055213950003"]
        {
            assert_eq!(level(&m, "nik", correct, mistyped), Level::Close, "{mistyped}");
            assert_eq!(nik_level(correct, mistyped), Level::Close, "{mistyped}");
            assert_eq!(nik_level(mistyped, mistyped), Level::Exact, "{mistyped}");
        }
        // The household counter-example: a sister's NIK (serial one on) stays a twin's level,
        // and her NIK mistyped is not close to her brother's.
        assert_eq!(level(&m, "nik", correct, "1807055203950004"), Level::Equivalent);
        assert_eq!(level(&m, "nik", correct, "180705520395004"), Level::Different);
        assert_eq!(nik_level(correct, "180705520395004"), Level::Different);
        // Placeholders say nothing, even when two applications share one.
        for placeholder in ["0000000000000000", "0", "-", "123456789"] {
            assert_eq!(level(&m, "nik", placeholder, placeholder), Level::Missing, "{placeholder}");
            assert_eq!(nik_level(placeholder, placeholder), Level::Missing, "{placeholder}");
        }
    }

    proptest! {
        #[test]
        fn every_comparison_is_symmetric(
            a in "[a-dA-D .'-]{0,16}",
            b in "[a-dA-D .'-]{0,16}",
            digits_a in "[0-9]{14,17}",
            digits_b in "[0-9]{14,17}",
        ) {
            let m = Model::interchange().unwrap();
            for field in ["full_name", "address", "mother_name", "previous_passport_no"] {
                prop_assert_eq!(level(&m, field, &a, &b), level(&m, field, &b, &a), "{}", field);
            }
            for field in ["nik", "phone", "village_code", "birth_date"] {
                prop_assert_eq!(level(&m, field, &digits_a, &digits_b), level(&m, field, &digits_b, &digits_a), "{}", field);
            }
        }

        #[test]
        fn bounded_token_similarity_is_exact_wherever_it_can_reach_the_threshold(
            a in "[a-fy]{0,9}",
            b in "[a-fy]{0,9}",
            threshold in 0.5f64..0.99,
        ) {
            let full = token_similarity(&a, &b);
            let bounded = token_similarity_reaching(&a, &b, threshold);
            if full >= threshold {
                prop_assert_eq!(bounded, full);
            } else {
                prop_assert!(bounded < threshold);
            }
        }

        #[test]
        fn tokens_split_on_any_run_of_spaces(text in "[ab ]{0,30}") {
            let expected: Vec<&str> =
                text.split(' ').filter(|t| !t.is_empty()).take(MAX_TOKENS).collect();
            let tokens = Tokens::split(&text);
            prop_assert_eq!(tokens.as_slice(), expected.as_slice());
        }

        #[test]
        fn a_value_is_exact_with_itself(a in "[a-zA-Z .'-]{1,20}") {
            let m = Model::interchange().unwrap();
            let l = level(&m, "full_name", &a, &a);
            prop_assert!(l == Level::Exact || l == Level::Missing);
        }
    }
}
