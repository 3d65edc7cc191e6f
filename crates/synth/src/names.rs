//! Indonesian personal names as Lampung's residents carry them (DOMAIN.md §7.1): Javanese,
//! Sundanese, Lampung and Malay, Balinese, Batak and Chinese-Indonesian, with mononyms,
//! titles, bin/binti and old spelling.

use rand::Rng;

use jejak_domain::Sex;

use crate::pick::{Rng8, chance, one_of, weighted};
use crate::spelling;
use crate::tables::tables;

/// Cultural group of a person, which decides the shape of the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Javanese,
    Sundanese,
    Lampung,
    Malay,
    Balinese,
    Batak,
    Chinese,
}

impl Group {
    /// In the order of the columns of `data/regencies.csv`.
    pub const ALL: [Group; 7] = [
        Group::Javanese,
        Group::Sundanese,
        Group::Lampung,
        Group::Malay,
        Group::Balinese,
        Group::Batak,
        Group::Chinese,
    ];

    fn pool_prefix(self) -> &'static str {
        match self {
            Group::Javanese => "javanese",
            Group::Sundanese => "sundanese",
            Group::Lampung | Group::Malay => "malay",
            Group::Balinese => "balinese",
            Group::Batak => "batak",
            Group::Chinese => "chinese",
        }
    }

    /// Section of places of birth outside Lampung for people of this group.
    pub(crate) fn birthplace_section(self) -> &'static str {
        match self {
            Group::Javanese => "birthplace.javanese",
            Group::Sundanese => "birthplace.sundanese",
            Group::Lampung | Group::Malay => "birthplace.malay",
            Group::Balinese => "birthplace.balinese",
            Group::Batak => "birthplace.batak",
            Group::Chinese => "birthplace.chinese",
        }
    }

    fn is_muslim_majority(self) -> bool {
        matches!(self, Group::Javanese | Group::Sundanese | Group::Lampung | Group::Malay)
    }
}

/// A name as a person writes it: optional title before, tokens, optional patronym
/// (`bin`/`binti` + father), optional alias ("als Iyem", "(Iyem)"), optional academic
/// title after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) before: Option<&'static str>,
    pub(crate) tokens: Vec<String>,
    pub(crate) patronym: Option<String>,
    /// The alias as written, marker included ("als Iyem", "a.k.a. Iyem", "(Iyem)").
    pub(crate) alias: Option<String>,
    pub(crate) after: Option<&'static str>,
}

/// How an officer typed the names of one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Title,
    Upper,
}

impl Name {
    pub(crate) fn plain(tokens: Vec<String>) -> Self {
        Self { before: None, tokens, patronym: None, alias: None, after: None }
    }

    /// The name as written on a form.
    pub(crate) fn render(&self, case: Case) -> String {
        let mut out = String::with_capacity(32);
        if let Some(before) = self.before {
            out.push_str(before);
            out.push(' ');
        }
        for (i, token) in self.tokens.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(token);
        }
        if let Some(patronym) = &self.patronym {
            out.push(' ');
            out.push_str(patronym);
        }
        if let Some(alias) = &self.alias {
            out.push(' ');
            out.push_str(alias);
        }
        if let Some(after) = self.after {
            out.push_str(", ");
            out.push_str(after);
        }
        match case {
            Case::Title => out,
            Case::Upper => out.to_uppercase(),
        }
    }

    /// The first token that is a personal name (not I/Ni or a Balinese order name).
    pub(crate) fn call_name(&self) -> Option<&str> {
        self.tokens.iter().map(String::as_str).find(|t| !matches!(*t, "I" | "Ni"))
    }
}

/// What siblings have in common when they are named.
#[derive(Debug, Clone, Default)]
pub(crate) struct Family {
    /// Batak marga or Chinese-Indonesian surname.
    pub(crate) surname: Option<&'static str>,
    /// A token parents gave to several children (Sri Wahyuni, Sri Lestari).
    pub(crate) shared: Option<String>,
}

/// The section of given names for a group and sex (`modern` for people born from 1992).
fn given_section(group: Group, sex: Sex, modern: bool) -> &'static str {
    let prefix = if modern { "modern" } else { group.pool_prefix() };
    match (prefix, sex) {
        ("modern", Sex::Male) => "modern.male",
        ("modern", Sex::Female) => "modern.female",
        ("javanese", Sex::Male) => "javanese.male",
        ("javanese", Sex::Female) => "javanese.female",
        ("sundanese", Sex::Male) => "sundanese.male",
        ("sundanese", Sex::Female) => "sundanese.female",
        ("balinese", Sex::Male) => "balinese.male",
        ("balinese", Sex::Female) => "balinese.female",
        ("batak", Sex::Male) => "batak.male",
        ("batak", Sex::Female) => "batak.female",
        ("chinese", Sex::Male) => "chinese.male",
        ("chinese", Sex::Female) => "chinese.female",
        (_, Sex::Male) => "malay.male",
        (_, Sex::Female) => "malay.female",
    }
}

fn given(rng: &mut Rng8, group: Group, sex: Sex, birth_year: i32) -> String {
    let modern =
        birth_year >= 1992 && group != Group::Chinese && group != Group::Batak && chance(rng, 0.5);
    let section = given_section(group, sex, modern);
    let token = tables().pool(section).pick(rng).copied().unwrap_or("Nama");
    token.to_owned()
}

fn distinct_given(rng: &mut Rng8, group: Group, sex: Sex, year: i32, taken: &[String]) -> String {
    for _ in 0..8 {
        let token = given(rng, group, sex, year);
        if !taken.contains(&token) {
            return token;
        }
    }
    given(rng, group, sex, year)
}

fn oldify(rng: &mut Rng8, tokens: &mut [String], birth_year: i32) {
    let p = if birth_year < 1972 {
        0.3
    } else if birth_year < 1990 {
        0.06
    } else {
        0.01
    };
    for token in tokens.iter_mut() {
        if chance(rng, p)
            && let Some(old) = spelling::to_old(token, chance(rng, 0.5))
        {
            *token = old;
        }
    }
}

/// A Balinese birth-order name for the n-th child (0-based; the fifth child starts over).
fn birth_order(rng: &mut Rng8, order: usize) -> String {
    let section =
        ["balinese.order1", "balinese.order2", "balinese.order3", "balinese.order4"][order % 4];
    tables().pool(section).pick(rng).copied().unwrap_or("Wayan").to_owned()
}

/// A person's name. `order` is the birth order among siblings (Balinese names show it).
pub(crate) fn person_name(
    rng: &mut Rng8,
    group: Group,
    sex: Sex,
    birth_year: i32,
    order: usize,
    family: &Family,
) -> Name {
    let mut tokens: Vec<String> = Vec::with_capacity(3);
    match group {
        Group::Balinese => {
            let caste = chance(rng, 0.08);
            if caste {
                let section = match sex {
                    Sex::Male => "balinese.caste.male",
                    Sex::Female => "balinese.caste.female",
                };
                let c = tables().pool(section).pick(rng).copied().unwrap_or("Gusti");
                tokens.extend(c.split(' ').map(str::to_owned));
            } else if chance(rng, 0.85) {
                tokens.push(if sex == Sex::Male { "I".into() } else { "Ni".into() });
            }
            tokens.push(birth_order(rng, order));
            tokens.push(given(rng, group, sex, birth_year));
            if chance(rng, 0.2) {
                let next = distinct_given(rng, group, sex, birth_year, &tokens);
                tokens.push(next);
            }
        }
        Group::Batak => {
            tokens.push(given(rng, group, sex, birth_year));
            if chance(rng, 0.25) {
                let next = distinct_given(rng, group, sex, birth_year, &tokens);
                tokens.push(next);
            }
            let marga = family
                .surname
                .or_else(|| tables().pool("batak.marga").pick(rng).copied())
                .unwrap_or("Siregar");
            tokens.push(marga.to_owned());
        }
        Group::Chinese if birth_year < 1966 && chance(rng, 0.4) => {
            let t = tables();
            let clan = family.surname.filter(|s| s.len() <= 4);
            let clan = clan.or_else(|| t.pool("chinese.clan").pick(rng).copied()).unwrap_or("Tan");
            tokens.push(clan.to_owned());
            for _ in 0..2 {
                let syllable = t.pool("chinese.syllable").pick(rng).copied().unwrap_or("Hok");
                tokens.push(syllable.to_owned());
            }
        }
        Group::Chinese => {
            tokens.push(given(rng, group, sex, birth_year));
            if chance(rng, 0.8) {
                let surname = family
                    .surname
                    .or_else(|| tables().pool("chinese.surname").pick(rng).copied())
                    .unwrap_or("Wijaya");
                if !tokens.iter().any(|t| t == surname) {
                    tokens.push(surname.to_owned());
                }
            }
        }
        Group::Javanese | Group::Sundanese | Group::Lampung | Group::Malay => {
            let mononym = match (group, birth_year) {
                (Group::Javanese, y) if y < 1970 => 0.45,
                (Group::Javanese, y) if y < 1990 => 0.25,
                (Group::Javanese, _) => 0.1,
                (_, y) if y < 1970 => 0.2,
                _ => 0.07,
            };
            let count = if chance(rng, mononym) { 1 } else { 2 + weighted(rng, &[4, 1]) };
            if let Some(shared) = &family.shared {
                tokens.push(shared.clone());
            }
            while tokens.len() < count {
                let next = distinct_given(rng, group, sex, birth_year, &tokens);
                tokens.push(next);
            }
            let islamic = match group {
                Group::Lampung | Group::Malay => 0.25,
                _ => 0.12,
            };
            if family.shared.is_none() && count >= 2 && chance(rng, islamic) {
                let section = match sex {
                    Sex::Male => "islamic.male",
                    Sex::Female => "islamic.female",
                };
                if let Some(prefix) = tables().pool(section).pick(rng)
                    && !tokens.iter().any(|t| t == prefix)
                {
                    tokens[0] = (*prefix).to_owned();
                }
            }
            // Sri, Siti, Nur, Muhammad… open a name: "Sri Wahyuni", not "Wahyuni Sri".
            tokens.sort_by_key(|t| !opens_a_name(t));
            oldify(rng, &mut tokens, birth_year);
        }
    }
    Name::plain(tokens)
}

/// A family name passed from father to children (Batak marga, Chinese-Indonesian surname).
pub(crate) fn family_surname(rng: &mut Rng8, group: Group) -> Option<&'static str> {
    match group {
        Group::Batak => tables().pool("batak.marga").pick(rng).copied(),
        Group::Chinese => tables().pool("chinese.surname").pick(rng).copied(),
        _ => None,
    }
}

/// Tokens that stand first in a name (prefixes and Islamic first names).
fn opens_a_name(token: &str) -> bool {
    let t = tables();
    ["prefixes", "islamic.male", "islamic.female"]
        .iter()
        .any(|section| t.pool(section).items().contains(&token))
}

/// Adds the titles a person of this age and sex may carry on the KTP (most carry none).
pub(crate) fn add_titles(rng: &mut Rng8, name: &mut Name, group: Group, sex: Sex, age: i32) {
    let t = tables();
    if age >= 40 && group.is_muslim_majority() && chance(rng, 0.08) {
        let section = if sex == Sex::Male { "before.male" } else { "before.female" };
        name.before = t.pool(section).pick(rng).copied();
    } else if group == Group::Lampung && sex == Sex::Male && age >= 30 && chance(rng, 0.05) {
        name.before = t.pool("adok").pick(rng).copied();
    }
    if age >= 23 && chance(rng, 0.04) {
        name.after = t.pool("after").pick(rng).copied();
    }
}

/// `bin`/`binti` and the father's call name (as for umrah endorsements).
pub(crate) fn patronym(sex: Sex, father: &Name) -> Option<String> {
    let call = father.call_name()?;
    let particle = if sex == Sex::Male { "bin" } else { "binti" };
    Some(format!("{particle} {call}"))
}

/// A parent's name: one generation older, so more mononyms and old spelling.
pub(crate) fn parent_name(
    rng: &mut Rng8,
    group: Group,
    sex: Sex,
    birth_year: i32,
    family: &Family,
) -> Name {
    let order = rng.random_range(0..4);
    let parent_family = Family { surname: family.surname, shared: None };
    let mut name = person_name(rng, group, sex, birth_year, order, &parent_family);
    if group.is_muslim_majority() && birth_year < 1975 && chance(rng, 0.06) {
        name.before = tables()
            .pool(if sex == Sex::Male { "before.male" } else { "before.female" })
            .items()
            .first()
            .copied();
    }
    name
}

/// A token to share among siblings, if the parents did so.
pub(crate) fn shared_sibling_token(
    rng: &mut Rng8,
    group: Group,
    sex: Sex,
    birth_year: i32,
    twins: bool,
) -> Option<String> {
    let p = if twins { 0.45 } else { 0.2 };
    if !group.is_muslim_majority() || !chance(rng, p) {
        return None;
    }
    let prefixes = tables().pool("prefixes").items();
    if chance(rng, 0.6) {
        one_of(rng, prefixes).map(|s| (*s).to_owned())
    } else {
        Some(given(rng, group, sex, birth_year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_render_with_titles_patronym_and_case() {
        let name = Name {
            before: Some("Hj."),
            tokens: vec!["Tuti".into(), "Sriwati".into()],
            patronym: Some("binti Karto".into()),
            alias: None,
            after: Some("S.E."),
        };
        assert_eq!(name.render(Case::Title), "Hj. Tuti Sriwati binti Karto, S.E.");
        assert_eq!(name.render(Case::Upper), "HJ. TUTI SRIWATI BINTI KARTO, S.E.");
        let father = Name::plain(vec!["I".into(), "Made".into(), "Sudarsana".into()]);
        assert_eq!(patronym(Sex::Female, &father).as_deref(), Some("binti Made"));
    }

    #[test]
    fn every_group_gives_non_empty_capitalised_tokens() {
        let mut rng = Rng8::seed_from_u64(11);
        for group in Group::ALL {
            for year in [1950, 1980, 2000] {
                for sex in [Sex::Male, Sex::Female] {
                    for order in 0..5 {
                        let name =
                            person_name(&mut rng, group, sex, year, order, &Family::default());
                        assert!(!name.tokens.is_empty());
                        for t in &name.tokens {
                            assert!(t.chars().next().is_some_and(char::is_uppercase), "{t}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn balinese_names_show_sex_and_birth_order() {
        let mut rng = Rng8::seed_from_u64(2);
        let fourth =
            person_name(&mut rng, Group::Balinese, Sex::Female, 1990, 3, &Family::default());
        assert!(fourth.tokens.iter().any(|t| t == "Ketut"), "{fourth:?}");
        assert!(!fourth.tokens.iter().any(|t| t == "I"));
    }

    #[test]
    fn siblings_share_the_marga() {
        let mut rng = Rng8::seed_from_u64(4);
        let family = Family { surname: Some("Sitorus"), shared: None };
        for _ in 0..10 {
            let n = person_name(&mut rng, Group::Batak, Sex::Male, 1990, 0, &family);
            assert_eq!(n.tokens.last().map(String::as_str), Some("Sitorus"));
        }
    }
}
