//! Loading the embedded files.

use jejak_rules::RuleSet;
use jejak_rules::catalogue;

#[test]
fn default_catalogue_loads() {
    let set = catalogue::default_rule_set().unwrap_or_else(|d| panic!("{d}"));
    assert!(set.rules().len() >= 22);
    for w in set.warnings() {
        println!("{w}");
    }
}

#[test]
fn example_loads() {
    let set =
        RuleSet::from_toml("example.toml", catalogue::EXAMPLE).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(set.rules().len(), 2);
}
