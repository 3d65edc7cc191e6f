//! How an application differs from its person's true identity, and how it comes to differ.
//! The tags ([`Variation`], [`Variations`]) are the ground truth for measuring what the
//! identity engine misses; the functions below make the changes a person makes to their name
//! (and their parents' names) to stay unrecognised, or that creep in through typing: each
//! returns whether it applied to this name.

use std::fmt;
use std::sync::OnceLock;

use rand::Rng;
use rand::seq::SliceRandom;

use jejak_domain::Sex;

use crate::fxhash::FxHashMap as HashMap;
use crate::names::{self, Name};
use crate::pick::{Rng8, chance, weighted};
use crate::spelling::{self, capitalize};
use crate::tables::tables;

macro_rules! variations {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)+) => {
        /// One way in which an application differs from the person's true identity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Variation { $($(#[$doc])* $variant,)+ }

        impl Variation {
            /// Every variation, in declaration order.
            pub const ALL: &'static [Variation] = &[$(Variation::$variant),+];

            /// Snake-case name, as written in reports.
            pub fn as_str(self) -> &'static str {
                match self { $(Variation::$variant => $name),+ }
            }
        }
    };
}

variations! {
    /// Old versus new spelling (oe/u, dj/j, tj/c, j/y, nj/ny, sj/sy, ch/kh).
    Spelling = "spelling",
    /// Muhammad/Moh./M., Ahmad/Achmad, Nur/Noor, Siti/St., Abdul/Abd. and the like.
    TokenVariant = "token_variant",
    TitleAdded = "title_added",
    TitleDropped = "title_dropped",
    /// Two name tokens swapped.
    TokenOrder = "token_order",
    /// A name token left out.
    TokenDropped = "token_dropped",
    /// Two tokens written as one (Nur Haliza → Nurhaliza).
    TokensJoined = "tokens_joined",
    /// One token written as two (Nurhaliza → Nur Haliza).
    TokenSplit = "token_split",
    /// A typing error in the name.
    Typo = "typo",
    /// Final i for y or y for i (Rizki/Rizky).
    FinalIY = "final_i_y",
    /// f/p, z/j, dropped h, doubled consonant, -a/-o.
    Phonetic = "phonetic",
    /// bin/binti + father's name added.
    PatronymAdded = "patronym_added",
    /// bin/binti + father's name left out.
    PatronymDropped = "patronym_dropped",
    /// An alias or nickname written after the name ("als Iyem", "a.k.a. Iyem", "(Iyem)").
    AliasAdded = "alias_added",
    /// NIK with another serial (same district and birth date).
    NikSerial = "nik_serial",
    /// A second NIK from another district.
    NikDistrict = "nik_district",
    /// A second NIK from another regency whose birth part (DDMMYY, sex) is the true one.
    NikRegency = "nik_regency",
    NikOmitted = "nik_omitted",
    /// Day and month of birth swapped.
    BirthSwapped = "birth_swapped",
    /// Year of birth off by one or two.
    BirthYear = "birth_year",
    PhoneChanged = "phone_changed",
    PhoneOmitted = "phone_omitted",
    /// Another village (and so another address).
    VillageChanged = "village_changed",
    /// Same address written another way.
    AddressRewritten = "address_rewritten",
    /// Another address (in the same regency, often another village).
    AddressNew = "address_new",
    AddressOmitted = "address_omitted",
    MotherVaried = "mother_varied",
    MotherOmitted = "mother_omitted",
    FatherVaried = "father_varied",
    FatherOmitted = "father_omitted",
    /// Alm./Almh. written before a parent's name.
    DeceasedMarker = "deceased_marker",
    BirthPlaceVaried = "birth_place_varied",
    BirthPlaceOmitted = "birth_place_omitted",
    OccupationChanged = "occupation_changed",
    /// Applied at another office than the person's first application.
    OfficeChanged = "office_changed",
}

impl fmt::Display for Variation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of variations, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Variations(u64);

impl Variations {
    pub const NONE: Variations = Variations(0);

    pub fn insert(&mut self, v: Variation) {
        self.0 |= 1 << (v as u8);
    }

    pub fn remove(&mut self, v: Variation) {
        self.0 &= !(1 << (v as u8));
    }

    pub fn contains(self, v: Variation) -> bool {
        self.0 & (1 << (v as u8)) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = Variation> {
        Variation::ALL.iter().copied().filter(move |v| self.contains(*v))
    }

    /// Any change to the name itself.
    pub fn touches_name(self) -> bool {
        use Variation::*;
        [
            Spelling,
            TokenVariant,
            TitleAdded,
            TitleDropped,
            TokenOrder,
            TokenDropped,
            TokensJoined,
            TokenSplit,
            Typo,
            FinalIY,
            Phonetic,
            PatronymAdded,
            PatronymDropped,
            AliasAdded,
        ]
        .into_iter()
        .any(|v| self.contains(v))
    }
}

impl FromIterator<Variation> for Variations {
    fn from_iter<I: IntoIterator<Item = Variation>>(iter: I) -> Self {
        let mut set = Variations::NONE;
        for v in iter {
            set.insert(v);
        }
        set
    }
}

/// Names joined by `;`, e.g. `spelling;nik_serial`; empty for none.
impl fmt::Display for Variations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(v.as_str())?;
        }
        Ok(())
    }
}

// How a name comes to vary.

/// The variant dictionary (`data/variants.txt`).
struct Variants {
    groups: Vec<Vec<&'static str>>,
    by_token: HashMap<String, usize>,
    /// Joined form (lower case) → split form.
    split: HashMap<String, &'static str>,
    /// Split form (lower case) → joined form.
    join: HashMap<String, &'static str>,
    prefixes: Vec<&'static str>,
}

fn variants() -> &'static Variants {
    static VARIANTS: OnceLock<Variants> = OnceLock::new();
    VARIANTS.get_or_init(|| {
        let t = tables();
        let groups: Vec<Vec<&'static str>> =
            t.pool("groups").items().iter().map(|line| line.split('|').collect()).collect();
        let mut by_token = HashMap::default();
        for (i, group) in groups.iter().enumerate() {
            for member in group {
                by_token.entry(member.to_lowercase()).or_insert(i);
            }
        }
        let mut split = HashMap::default();
        let mut join = HashMap::default();
        for line in t.pool("compounds").items() {
            if let Some((joined, parts)) = line.split_once('|') {
                split.insert(joined.to_lowercase(), parts);
                join.insert(parts.to_lowercase(), joined);
            }
        }
        let prefixes = t.pool("prefixes").items().to_vec();
        Variants { groups, by_token, split, join, prefixes }
    })
}

/// Indices of tokens that are personal names (not I/Ni, not abbreviations).
fn word_positions(name: &Name) -> Vec<usize> {
    name.tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            !matches!(t.as_str(), "I" | "Ni") && t.bytes().all(|b| b.is_ascii_alphabetic())
        })
        .map(|(i, _)| i)
        .collect()
}

/// Applies `f` to one randomly chosen word of the name that it changes.
fn change_a_word(
    rng: &mut Rng8,
    name: &mut Name,
    mut f: impl FnMut(&str, &mut Rng8) -> Option<String>,
) -> bool {
    let mut positions = word_positions(name);
    positions.shuffle(rng);
    for i in positions {
        if let Some(new) = f(&name.tokens[i], rng) {
            name.tokens[i] = new;
            return true;
        }
    }
    false
}

fn token_variant(rng: &mut Rng8, name: &mut Name) -> bool {
    let v = variants();
    let mut positions: Vec<usize> = (0..name.tokens.len()).collect();
    positions.shuffle(rng);
    for i in positions {
        let Some(&g) = v.by_token.get(&name.tokens[i].to_lowercase()) else { continue };
        let group = &v.groups[g];
        let others: Vec<&&str> =
            group.iter().filter(|m| !m.eq_ignore_ascii_case(&name.tokens[i])).collect();
        if let Some(other) = others.get(rng.random_range(0..others.len().max(1))) {
            name.tokens[i] = (**other).to_owned();
            return true;
        }
    }
    false
}

fn join_tokens(rng: &mut Rng8, name: &mut Name) -> bool {
    let v = variants();
    let mut pairs: Vec<usize> = (0..name.tokens.len().saturating_sub(1))
        .filter(|&i| {
            let (a, b) = (&name.tokens[i], &name.tokens[i + 1]);
            let both = format!("{a} {b}").to_lowercase();
            v.join.contains_key(&both) || (v.prefixes.contains(&a.as_str()) && b.len() >= 3)
        })
        .collect();
    pairs.shuffle(rng);
    let Some(&i) = pairs.first() else { return false };
    let joined = capitalize(&format!("{}{}", name.tokens[i], name.tokens[i + 1]));
    name.tokens.splice(i..=i + 1, [joined]);
    true
}

fn split_token(rng: &mut Rng8, name: &mut Name) -> bool {
    let v = variants();
    let mut positions: Vec<usize> = (0..name.tokens.len()).collect();
    positions.shuffle(rng);
    for i in positions {
        let token = name.tokens[i].clone();
        if let Some(parts) = v.split.get(&token.to_lowercase()) {
            name.tokens.splice(i..=i, parts.split(' ').map(str::to_owned));
            return true;
        }
        for prefix in &v.prefixes {
            if token.len() >= prefix.len() + 3 && token.starts_with(prefix) {
                let rest = capitalize(&token[prefix.len()..]);
                name.tokens.splice(i..=i, [(*prefix).to_owned(), rest]);
                return true;
            }
        }
    }
    false
}

fn swap_tokens(rng: &mut Rng8, name: &mut Name) -> bool {
    let positions = word_positions(name);
    if positions.len() < 2 {
        return false;
    }
    let a = rng.random_range(0..positions.len());
    let mut b = rng.random_range(0..positions.len() - 1);
    if b >= a {
        b += 1;
    }
    if name.tokens[positions[a]] == name.tokens[positions[b]] {
        return false;
    }
    name.tokens.swap(positions[a], positions[b]);
    true
}

fn drop_token(rng: &mut Rng8, name: &mut Name) -> bool {
    if name.tokens.len() < 2 {
        return false;
    }
    let i = rng.random_range(0..name.tokens.len());
    name.tokens.remove(i);
    true
}

fn add_title(rng: &mut Rng8, name: &mut Name, sex: Sex) -> bool {
    if name.before.is_some() || name.after.is_some() {
        return false;
    }
    let t = tables();
    if chance(rng, 0.7) {
        let section = if sex == Sex::Male { "before.male" } else { "before.female" };
        name.before = t.pool(section).pick(rng).copied();
    } else {
        name.after = t.pool("after").pick(rng).copied();
    }
    true
}

fn drop_title(rng: &mut Rng8, name: &mut Name) -> bool {
    match (name.before.is_some(), name.after.is_some()) {
        (false, false) => return false,
        (true, true) if chance(rng, 0.5) => name.after = None,
        (true, _) => name.before = None,
        (false, true) => name.after = None,
    }
    true
}

/// Two adjacent name tokens written as one ("Eka Najmudin" -> "Ekanajmudin"): a known
/// compound or prefix first, else any two adjacent words.
pub(crate) fn join_adjacent(rng: &mut Rng8, name: &mut Name) -> bool {
    if join_tokens(rng, name) {
        return true;
    }
    let words = word_positions(name);
    let pairs: Vec<usize> = words.windows(2).filter(|w| w[1] == w[0] + 1).map(|w| w[0]).collect();
    let Some(&i) = pairs.get(rng.random_range(0..pairs.len().max(1))) else { return false };
    let joined = capitalize(&format!("{}{}", name.tokens[i], name.tokens[i + 1]));
    name.tokens.splice(i..=i + 1, [joined]);
    true
}

/// A middle name left out ("Siti Nur Aisyah" -> "Siti Aisyah"); needs three words.
pub(crate) fn drop_middle(rng: &mut Rng8, name: &mut Name) -> bool {
    let words = word_positions(name);
    if words.len() < 3 {
        return false;
    }
    let i = words[rng.random_range(1..words.len() - 1)];
    name.tokens.remove(i);
    true
}

/// The last two syllables of a word, as nicknames are made ("Wahyuni" -> "Yuni",
/// "Suryanto" -> "Yanto"); `None` when that is the whole word.
fn last_syllables(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    let vowel = |b: u8| b"aeiouAEIOU".contains(&b);
    let mut i = bytes.len();
    let skip = |i: &mut usize, want_vowel: bool| {
        while *i > 0 && vowel(bytes[*i - 1]) == want_vowel {
            *i -= 1;
        }
    };
    skip(&mut i, false); // final consonants
    skip(&mut i, true); // last nucleus
    i = i.checked_sub(1)?; // its onset
    skip(&mut i, false); // coda of the syllable before
    skip(&mut i, true); // its nucleus
    i = i.checked_sub(1)?; // its onset
    (i > 0).then(|| capitalize(&word[i..]))
}

/// An alias after the name: a nickname (made from a name word, or a common one) with a
/// marker ("als", "alias", "a.k.a.") or in brackets.
pub(crate) fn add_alias(rng: &mut Rng8, name: &mut Name) -> bool {
    if name.alias.is_some() {
        return false;
    }
    let derived = word_positions(name)
        .iter()
        .rev()
        .find_map(|&i| last_syllables(&name.tokens[i]).filter(|n| n.len() >= 3));
    let nickname = match derived {
        Some(n) if chance(rng, 0.5) => n,
        _ => tables().pool("nicknames").pick(rng).copied().unwrap_or("Iyem").to_owned(),
    };
    if name.tokens.iter().any(|t| t.eq_ignore_ascii_case(&nickname)) {
        return false;
    }
    let marker = tables().pool("alias.markers").pick(rng).copied().unwrap_or("als");
    name.alias =
        Some(if marker == "()" { format!("({nickname})") } else { format!("{marker} {nickname}") });
    true
}

/// Name changes and their relative weights.
const NAME_CHANGES: [(Variation, u32); 13] = [
    (Variation::Spelling, 18),
    (Variation::TokenVariant, 20),
    (Variation::TitleAdded, 6),
    (Variation::TitleDropped, 8),
    (Variation::TokenOrder, 8),
    (Variation::TokenDropped, 10),
    (Variation::TokensJoined, 8),
    (Variation::TokenSplit, 8),
    (Variation::Typo, 12),
    (Variation::FinalIY, 10),
    (Variation::Phonetic, 10),
    (Variation::PatronymAdded, 5),
    (Variation::PatronymDropped, 5),
];

/// Applies one name change of kind `v`; `false` if it does not apply to this name.
pub(crate) fn apply(
    rng: &mut Rng8,
    v: Variation,
    name: &mut Name,
    sex: Sex,
    father: &Name,
) -> bool {
    match v {
        Variation::Spelling => change_a_word(rng, name, spelling::respell),
        Variation::TokenVariant => token_variant(rng, name),
        Variation::TitleAdded => add_title(rng, name, sex),
        Variation::TitleDropped => drop_title(rng, name),
        Variation::TokenOrder => swap_tokens(rng, name),
        Variation::TokenDropped => drop_token(rng, name),
        Variation::TokensJoined => join_tokens(rng, name),
        Variation::TokenSplit => split_token(rng, name),
        Variation::Typo => change_a_word(rng, name, spelling::typo),
        Variation::FinalIY => change_a_word(rng, name, |t, _| spelling::final_i_y(t)),
        Variation::Phonetic => change_a_word(rng, name, spelling::phonetic),
        Variation::PatronymAdded if name.patronym.is_none() => {
            name.patronym = names::patronym(sex, father);
            name.patronym.is_some()
        }
        Variation::PatronymDropped if name.patronym.is_some() => {
            name.patronym = None;
            true
        }
        _ => false,
    }
}

/// Makes up to `count` different changes to a name; returns the changes made.
pub(crate) fn vary_name(
    rng: &mut Rng8,
    name: &mut Name,
    sex: Sex,
    father: &Name,
    count: usize,
) -> Vec<Variation> {
    let original = name.clone();
    let mut done = Vec::with_capacity(count);
    let mut weights: Vec<u32> = NAME_CHANGES.iter().map(|(_, w)| *w).collect();
    while done.len() < count && weights.iter().any(|&w| w > 0) {
        let i = weighted(rng, &weights);
        weights[i] = 0;
        let v = NAME_CHANGES[i].0;
        let before = name.clone();
        let changed = apply(rng, v, name, sex, father);
        if !changed || *name == before || *name == original {
            *name = before;
        } else {
            done.push(v);
            // A change and its inverse would cancel out.
            if let Some(inverse) = inverse(v)
                && let Some(j) = NAME_CHANGES.iter().position(|(c, _)| *c == inverse)
            {
                weights[j] = 0;
            }
        }
    }
    done
}

fn inverse(v: Variation) -> Option<Variation> {
    match v {
        Variation::TitleAdded => Some(Variation::TitleDropped),
        Variation::TitleDropped => Some(Variation::TitleAdded),
        Variation::PatronymAdded => Some(Variation::PatronymDropped),
        Variation::PatronymDropped => Some(Variation::PatronymAdded),
        Variation::TokensJoined => Some(Variation::TokenSplit),
        Variation::TokenSplit => Some(Variation::TokensJoined),
        _ => None,
    }
}

/// A parent's name written differently (spelling, variant, typo, dropped token, Siti).
pub(crate) fn vary_parent(rng: &mut Rng8, name: &mut Name, sex: Sex) -> bool {
    let kinds = [
        Variation::Spelling,
        Variation::TokenVariant,
        Variation::Typo,
        Variation::FinalIY,
        Variation::Phonetic,
        Variation::TokenDropped,
        Variation::TitleDropped,
    ];
    let mut weights = [20u32, 10, 15, 10, 10, 10, 5];
    let nobody = Name::plain(Vec::new());
    while weights.iter().any(|&w| w > 0) {
        let i = weighted(rng, &weights);
        weights[i] = 0;
        if apply(rng, kinds[i], name, sex, &nobody) {
            return true;
        }
    }
    if sex == Sex::Female && name.tokens.first().is_some_and(|t| t != "Siti") {
        name.tokens.insert(0, "Siti".to_owned());
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn sets_hold_each_variation_once() {
        assert!(Variation::ALL.len() <= 64);
        let mut set: Variations = [Variation::Typo, Variation::NikSerial].into_iter().collect();
        set.insert(Variation::Typo);
        assert_eq!(set.len(), 2);
        assert!(set.touches_name());
        assert_eq!(set.to_string(), "typo;nik_serial");
        set.remove(Variation::Typo);
        assert!(!set.touches_name());
        assert_eq!(set.to_string(), "nik_serial");
    }

    fn name(tokens: &[&str]) -> Name {
        Name::plain(tokens.iter().map(|t| (*t).to_owned()).collect())
    }

    #[test]
    fn dictionary_joins_and_splits_work_on_real_names() {
        let mut rng = Rng8::seed_from_u64(1);
        let mut n = name(&["Muhammad", "Rizky"]);
        assert!(token_variant(&mut rng, &mut n));
        assert_ne!(n, name(&["Muhammad", "Rizky"]));
        let mut n = name(&["Siti", "Nur", "Haliza"]);
        assert!(join_tokens(&mut rng, &mut n));
        assert!(n.tokens.len() == 2, "{n:?}");
        let mut n = name(&["Nurhaliza"]);
        assert!(split_token(&mut rng, &mut n));
        assert_eq!(n.tokens, vec!["Nur", "Haliza"]);
        let mut n = name(&["Agus"]);
        assert!(!swap_tokens(&mut rng, &mut n));
        assert!(!drop_token(&mut rng, &mut n));
    }

    #[test]
    fn a_patronym_comes_from_the_father() {
        let mut rng = Rng8::seed_from_u64(2);
        let mut n = name(&["Sumiyati"]);
        let father = name(&["Karto"]);
        assert!(apply(&mut rng, Variation::PatronymAdded, &mut n, Sex::Female, &father));
        assert_eq!(n.render(crate::names::Case::Title), "Sumiyati binti Karto");
        assert!(!apply(&mut rng, Variation::PatronymAdded, &mut n, Sex::Female, &father));
        assert!(apply(&mut rng, Variation::PatronymDropped, &mut n, Sex::Female, &father));
    }

    #[test]
    fn vary_name_reports_exactly_the_changes_it_made() {
        let mut rng = Rng8::seed_from_u64(3);
        let father = name(&["Slamet"]);
        for _ in 0..500 {
            let original = name(&["Muhammad", "Joko", "Suryanto"]);
            let mut n = original.clone();
            let done = vary_name(&mut rng, &mut n, Sex::Male, &father, 2);
            assert_eq!(done.len(), 2);
            assert_ne!(n, original);
        }
        let mut mono = name(&["Agus"]);
        let done = vary_name(&mut rng, &mut mono, Sex::Male, &father, 13);
        assert!(!done.contains(&Variation::TokenOrder));
    }

    #[test]
    fn determined_evaders_join_drop_and_add_aliases() {
        let mut rng = Rng8::seed_from_u64(4);
        let mut n = name(&["Eka", "Najmudin"]);
        assert!(join_adjacent(&mut rng, &mut n));
        assert_eq!(n.tokens, vec!["Ekanajmudin"]);
        let mut n = name(&["Budi", "Santoso"]);
        assert!(join_adjacent(&mut rng, &mut n));
        assert_eq!(n.tokens, vec!["Budisantoso"]);
        let mut n = name(&["Siti", "Nur", "Aisyah"]);
        assert!(drop_middle(&mut rng, &mut n));
        assert_eq!(n.tokens, vec!["Siti", "Aisyah"]);
        assert!(!drop_middle(&mut rng, &mut n), "two words have no middle");
        assert_eq!(last_syllables("Wahyuni").as_deref(), Some("Yuni"));
        assert_eq!(last_syllables("Suryanto").as_deref(), Some("Yanto"));
        assert_eq!(last_syllables("Dewi"), None);
        let mut n = name(&["Dewi", "Maryadi"]);
        assert!(add_alias(&mut rng, &mut n));
        let alias = n.alias.clone().unwrap();
        assert!(["als ", "alias ", "a.k.a. ", "("].iter().any(|m| alias.starts_with(m)), "{alias}");
        assert!(!add_alias(&mut rng, &mut n), "one alias is enough");
    }
}
