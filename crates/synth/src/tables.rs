//! The embedded name, place, title and sponsor tables (`data/*.txt`), parsed once.
//!
//! Text files are split into `[section]`s; each line is an optional integer weight and an
//! item. Items of the occupation table hold several spellings separated by `|`.

use std::sync::OnceLock;

use crate::fxhash::FxHashMap;
use crate::pick::Pool;

const GIVEN: &str = include_str!("../data/given_names.txt");
const FAMILY: &str = include_str!("../data/family_names.txt");
const TITLES: &str = include_str!("../data/titles.txt");
const VARIANTS: &str = include_str!("../data/variants.txt");
const PLACES: &str = include_str!("../data/places.txt");
const OCCUPATIONS: &str = include_str!("../data/occupations.txt");
const SPONSORS: &str = include_str!("../data/sponsors.txt");

/// All sections of all embedded text tables, by section name.
#[derive(Debug)]
pub(crate) struct Tables {
    pools: FxHashMap<&'static str, Pool<&'static str>>,
    empty: Pool<&'static str>,
}

impl Tables {
    /// The pool of a section; an unknown section is empty (the tests check that every
    /// section the generator asks for exists).
    pub(crate) fn pool(&self, section: &str) -> &Pool<&'static str> {
        self.pools.get(section).unwrap_or(&self.empty)
    }

    #[cfg(test)]
    pub(crate) fn sections(&self) -> impl Iterator<Item = &&'static str> {
        self.pools.keys()
    }

    fn parse(sources: &[&'static str]) -> Self {
        let mut pools: FxHashMap<&'static str, Pool<&'static str>> = FxHashMap::default();
        for source in sources {
            let mut section: Option<&'static str> = None;
            for raw in source.lines() {
                let line = raw.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    section = Some(name);
                    continue;
                }
                let Some(section) = section else { continue };
                let (weight, item) = split_weight(line);
                pools.entry(section).or_insert_with(Pool::new).push(item, weight);
            }
        }
        Self { pools, empty: Pool::new() }
    }
}

fn split_weight(line: &'static str) -> (u32, &'static str) {
    if let Some((first, rest)) = line.split_once(' ')
        && let Ok(weight) = first.parse::<u32>()
    {
        return (weight, rest.trim());
    }
    (1, line)
}

/// The parsed tables, shared by every generator run.
pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        Tables::parse(&[GIVEN, FAMILY, TITLES, VARIANTS, PLACES, OCCUPATIONS, SPONSORS])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every section the generator reads; a typo in a section name would silently empty it.
    pub(crate) const USED: &[&str] = &[
        "javanese.male",
        "javanese.female",
        "sundanese.male",
        "sundanese.female",
        "malay.male",
        "malay.female",
        "modern.male",
        "modern.female",
        "islamic.male",
        "islamic.female",
        "balinese.male",
        "balinese.female",
        "batak.male",
        "batak.female",
        "chinese.male",
        "chinese.female",
        "batak.marga",
        "chinese.surname",
        "chinese.clan",
        "chinese.syllable",
        "balinese.order1",
        "balinese.order2",
        "balinese.order3",
        "balinese.order4",
        "balinese.caste.male",
        "balinese.caste.female",
        "before.male",
        "before.female",
        "after",
        "adok",
        "deceased.male",
        "deceased.female",
        "groups",
        "compounds",
        "prefixes",
        "birthplace.javanese",
        "birthplace.sundanese",
        "birthplace.balinese",
        "birthplace.batak",
        "birthplace.chinese",
        "birthplace.malay",
        "street",
        "gang",
        "dusun",
        "adult.male",
        "adult.female",
        "young",
        "migrant",
        "p3mi",
        "ppiu",
        "travel",
        "address",
        "nicknames",
        "alias.markers",
    ];

    #[test]
    fn every_used_section_exists_and_is_not_empty() {
        for section in USED {
            assert!(!tables().pool(section).is_empty(), "section [{section}] missing");
        }
        for section in tables().sections() {
            assert!(USED.contains(section), "section [{section}] is never used");
        }
    }

    #[test]
    fn weights_are_read_and_items_trimmed() {
        let given = tables().pool("javanese.male");
        assert!(given.items().contains(&"Agus"));
        assert!(given.items().iter().all(|s| !s.contains(' ') && !s.is_empty()));
        assert!(tables().pool("balinese.caste.male").items().contains(&"Ida Bagus"));
    }
}
