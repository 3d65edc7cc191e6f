//! Draft -> published (four-eyes) -> active, on loaded rule sets.

use jejak_rules::{LifecycleError, Status, catalogue};
use time::macros::date;

#[test]
fn a_rule_set_is_published_by_someone_else_and_then_activated() {
    let draft = catalogue::default_rule_set().unwrap();
    assert_eq!(draft.info().status, Status::Draft);
    let err = draft.publish("jejak-maintainers", date!(2025 - 11 - 01)).unwrap_err();
    assert!(matches!(err, LifecycleError::SameUser { .. }));
    assert!(matches!(
        draft.activate(date!(2025 - 11 - 01)).unwrap_err(),
        LifecycleError::NotPublished(Status::Draft)
    ));
    let published = draft.publish("kasi-lantaskim", date!(2025 - 11 - 01)).unwrap();
    assert_eq!(published.info().published_by.as_deref(), Some("kasi-lantaskim"));
    let active = published.activate(date!(2025 - 11 - 03)).unwrap();
    assert_eq!(active.info().status, Status::Active);
    assert_eq!(active.reference(), draft.reference(), "lifecycle does not change the digest");
}

#[test]
fn the_digest_changes_with_the_content() {
    let sources = catalogue::default_sources();
    let base = jejak_rules::RuleSet::load(&sources).unwrap();
    let mut edited = sources.clone();
    edited[0].text = edited[0].text.replace(
        "weight = 35\ncondition = 'prior_deferrals",
        "weight = 40\ncondition = 'prior_deferrals",
    );
    assert_ne!(edited[0].text, sources[0].text);
    let changed = jejak_rules::RuleSet::load(&edited).unwrap();
    assert_ne!(base.reference().digest, changed.reference().digest);
    let mut status_only = sources;
    status_only[0].text = status_only[0].text.replace(
        "status = \"draft\"",
        "status = \"published\"\npublished_by = \"kasi\"\npublished_on = 2025-11-01",
    );
    let published = jejak_rules::RuleSet::load(&status_only).unwrap();
    assert_eq!(published.info().status, Status::Published);
    assert_eq!(base.reference().digest, published.reference().digest);
}

#[test]
fn publishing_rewrites_the_default_rules_file_and_it_still_loads() {
    let mut sources = catalogue::default_sources();
    let draft = jejak_rules::RuleSet::load(&sources).unwrap();
    let published = draft.publish("kasi-lantaskim", date!(2025 - 11 - 01)).unwrap();
    sources[0].text =
        jejak_rules::lifecycle::write_header_fields(&sources[0].text, published.info()).unwrap();
    let reloaded = jejak_rules::RuleSet::load(&sources).unwrap();
    assert_eq!(reloaded.info(), published.info());
    assert_eq!(reloaded.reference(), draft.reference());
}
