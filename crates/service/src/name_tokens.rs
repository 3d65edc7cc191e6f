//! Name search by tokens: which applications carry every token of what the officer typed,
//! compared through the name normaliser's "close" keys, so "Soeryani" finds "Suryani binti
//! Karto" and "siti" finds every "St. Aminah". The match index cannot answer this: its name
//! blocks hold whole names and skip the common ones, which are exactly what an officer types
//! a part of ("Siti", "Muhammad Rizki").

use std::collections::HashMap;

use jejak_domain::ApplicationKey;
use jejak_matching::name::NameNormaliser;

/// Posting lists of name tokens, each sorted by application key.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct NameTokens {
    postings: HashMap<String, Vec<ApplicationKey>>,
}

/// Applications whose name holds every token of a query, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHits {
    pub keys: Vec<ApplicationKey>,
    /// How many applications matched in all (`keys` holds at most the limit asked for).
    pub total: usize,
}

impl NameTokens {
    /// Files `key` under the tokens of `name`.
    pub fn insert(&mut self, normaliser: &NameNormaliser, key: ApplicationKey, name: &str) {
        for token in distinct_tokens(normaliser, name) {
            let list = self.postings.entry(token).or_default();
            // Keys mostly arrive in increasing order: the insert is then a push.
            if let Err(at) = list.binary_search(&key) {
                list.insert(at, key);
            }
        }
    }

    /// Takes `key` out of the tokens of `name` (the name it was filed under).
    pub fn remove(&mut self, normaliser: &NameNormaliser, key: ApplicationKey, name: &str) {
        for token in distinct_tokens(normaliser, name) {
            if let Some(list) = self.postings.get_mut(&token) {
                if let Ok(at) = list.binary_search(&key) {
                    list.remove(at);
                }
                if list.is_empty() {
                    self.postings.remove(&token);
                }
            }
        }
    }

    /// Applications whose name has every token of `query` (in any order), at most `limit`,
    /// those whose name has the fewest other tokens first, then the newest. `rank_len` gives
    /// the number of tokens of a candidate's name.
    pub fn find(
        &self,
        normaliser: &NameNormaliser,
        query: &str,
        limit: usize,
        rank_len: impl Fn(ApplicationKey) -> usize,
    ) -> TokenHits {
        let tokens = distinct_tokens(normaliser, query);
        let mut lists: Vec<&[ApplicationKey]> = Vec::with_capacity(tokens.len());
        for token in &tokens {
            match self.postings.get(token) {
                Some(list) => lists.push(list),
                None => return TokenHits { keys: Vec::new(), total: 0 },
            }
        }
        lists.sort_by_key(|list| list.len());
        let Some((shortest, others)) = lists.split_first() else {
            return TokenHits { keys: Vec::new(), total: 0 };
        };
        let mut found: Vec<(usize, std::cmp::Reverse<ApplicationKey>)> = shortest
            .iter()
            .filter(|key| others.iter().all(|list| list.binary_search(key).is_ok()))
            .map(|&key| (rank_len(key), std::cmp::Reverse(key)))
            .collect();
        let total = found.len();
        if found.len() > limit {
            found.select_nth_unstable(limit);
            found.truncate(limit);
        }
        found.sort_unstable();
        TokenHits { keys: found.into_iter().map(|(_, key)| key.0).collect(), total }
    }
}

/// The close keys of a name's tokens, without repeats.
fn distinct_tokens(normaliser: &NameNormaliser, name: &str) -> Vec<String> {
    let mut tokens = normaliser.normalise(name).close_key;
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// Number of tokens of a name as the comparison sees it (titles and patronym left out).
pub fn token_count(normaliser: &NameNormaliser, name: &str) -> usize {
    normaliser.normalise(name).tokens.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> (NameNormaliser, NameTokens, Vec<String>) {
        let normaliser = NameNormaliser::embedded().unwrap();
        let mut tokens = NameTokens::default();
        for (i, name) in names.iter().enumerate() {
            tokens.insert(&normaliser, ApplicationKey(i as i64 + 1), name);
        }
        (normaliser, tokens, names.iter().map(|n| (*n).to_owned()).collect())
    }

    fn find(names: &[&str], query: &str, limit: usize) -> (Vec<String>, usize) {
        let (normaliser, tokens, stored) = index(names);
        let hits = tokens.find(&normaliser, query, limit, |k| {
            token_count(&normaliser, &stored[(k.0 - 1) as usize])
        });
        (hits.keys.iter().map(|k| stored[(k.0 - 1) as usize].clone()).collect(), hits.total)
    }

    #[test]
    fn one_token_finds_every_name_holding_it_through_spelling_variants() {
        let names = ["Suryani", "Soeryani binti Karto", "Siti Suryani", "Suryadi", "Hj. Suriyani"];
        let (found, total) = find(&names, "soeryani", 10);
        assert!(found.contains(&"Suryani".to_owned()), "{found:?}");
        assert!(found.contains(&"Soeryani binti Karto".to_owned()), "{found:?}");
        assert!(found.contains(&"Siti Suryani".to_owned()), "{found:?}");
        assert!(!found.contains(&"Suryadi".to_owned()), "{found:?}");
        assert_eq!(total, found.len());
    }

    #[test]
    fn every_token_must_be_present_in_any_order_and_shorter_names_come_first() {
        let names = ["Siti Aminah Lestari", "Aminah", "Siti Rahayu", "St. Aminah", "Aminah Siti"];
        let (found, _) = find(&names, "siti aminah", 10);
        assert_eq!(found, ["Aminah Siti", "St. Aminah", "Siti Aminah Lestari"]);
    }

    #[test]
    fn the_limit_keeps_the_best_and_the_total_counts_all() {
        let names = ["Siti Aminah", "Siti Nur Aisyah", "Siti", "Siti Rahayu", "Rina"];
        let (found, total) = find(&names, "Siti", 2);
        assert_eq!(total, 4);
        assert_eq!(found, ["Siti", "Siti Rahayu"]);
    }

    #[test]
    fn a_removed_name_is_no_longer_found() {
        let (normaliser, mut tokens, _) = index(&["Suryani", "Suryani Dewi"]);
        tokens.remove(&normaliser, ApplicationKey(1), "Suryani");
        let hits = tokens.find(&normaliser, "Suryani", 10, |_| 1);
        assert_eq!(hits.keys, [ApplicationKey(2)]);
        assert_eq!(tokens.find(&normaliser, "Zzzz", 10, |_| 1).total, 0);
    }
}
