//! Loading the embedded files.

use jejak_rules::RuleSet;
use jejak_rules::catalogue;

#[test]
fn default_catalogue_loads() {
    let set = catalogue::default_rule_set().unwrap_or_else(|d| panic!("{d}"));
    assert!(set.rules().len() >= 23);
    assert!(set.rules().iter().any(|r| &*r.id == "R23"));
    assert!(set.warnings().is_empty(), "{:?}", set.warnings());
}

#[test]
fn example_loads() {
    let set =
        RuleSet::from_toml("example.toml", catalogue::EXAMPLE).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(set.rules().len(), 2);
    assert!(set.warnings().is_empty(), "{:?}", set.warnings());
}

#[test]
fn rule_sets_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<RuleSet>();
    shareable::<jejak_rules::Assessment>();
}

#[test]
fn the_readme_lists_the_current_fact_vocabulary() {
    let readme = include_str!("../../README.md");
    let table = jejak_rules::facts::vocabulary_markdown();
    assert!(
        readme.contains(&table),
        "README.md's fact table is out of date; replace it with:\n{table}"
    );
}
