//! Rule-set versions and stored assessments, on both backends: the lifecycle (four-eyes,
//! exactly one active), its audit trail, and assessments kept with the version that made them.

use jejak_domain::date::ymd;
use jejak_domain::{ApplicationKey, NewApplication, OfficeCode};
use jejak_store::{
    AuditCtx, ConflictPolicy, FiredRule, NewAssessment, NewRuleSet, RuleFile, RuleSetError,
    RuleSetStatus, StoreError, verify_chain,
};

use crate::backends::{Fresh, contract};

contract!(
    rulesets:
    a_rule_set_goes_from_draft_to_published_by_another_user_to_active,
    activating_retires_the_previous_version_so_exactly_one_is_active,
    a_version_label_is_stored_once,
    assessments_are_kept_with_the_rule_set_version_that_made_them,
);

fn ctx(actor: &str, at: &str) -> AuditCtx {
    AuditCtx { actor: actor.into(), office: None, purpose: None, at: at.into() }
}

fn draft(version: &str, author: &str) -> NewRuleSet {
    NewRuleSet {
        name: "test-rules".into(),
        version: version.into(),
        digest: format!("digest-{version}"),
        author: author.into(),
        files: vec![
            RuleFile {
                path: "rules.toml".into(),
                text: format!("[rule_set]\nversion = \"{version}\"\n# Ma'arif \"kutip\" é\n"),
            },
            RuleFile { path: "lists/x.toml".into(), text: "[[list]]\n".into() },
        ],
    }
}

pub async fn a_rule_set_goes_from_draft_to_published_by_another_user_to_active(fresh: &Fresh) {
    let store = &fresh.store;
    let saved = store
        .save_rule_set_draft(&draft("1", "ana"), &ctx("ana", "2025-03-01T08:00:00Z"))
        .await
        .unwrap();
    assert_eq!(saved.status, RuleSetStatus::Draft);
    assert_eq!(saved.files, draft("1", "ana").files);
    assert_eq!((saved.author.as_str(), saved.publisher.as_deref()), ("ana", None));
    assert_eq!(saved.created_at, "2025-03-01T08:00:00Z");
    assert!(store.active_rule_set().await.unwrap().is_none());

    // A draft is never activated.
    let err =
        store.activate_rule_set("1", &ctx("citra", "2025-03-01T09:00:00Z")).await.unwrap_err();
    assert!(
        matches!(err, RuleSetError::NotPublished { status: RuleSetStatus::Draft, .. }),
        "{err}"
    );

    // The author cannot publish, whatever the spelling of the name.
    let err = store.publish_rule_set("1", &ctx(" ANA ", "2025-03-01T09:00:00Z")).await.unwrap_err();
    assert!(matches!(err, RuleSetError::SameUser { .. }), "{err}");
    assert!(err.to_string().contains("four-eyes"), "{err}");
    assert_eq!(store.rule_set("1").await.unwrap().unwrap().status, RuleSetStatus::Draft);

    let published =
        store.publish_rule_set("1", &ctx("budi", "2025-03-02T08:00:00Z")).await.unwrap();
    assert_eq!(published.status, RuleSetStatus::Published);
    assert_eq!(published.publisher.as_deref(), Some("budi"));
    assert_eq!(published.published_at.as_deref(), Some("2025-03-02T08:00:00Z"));
    assert!(published.change_seq > saved.change_seq);
    let err = store.publish_rule_set("1", &ctx("citra", "2025-03-02T09:00:00Z")).await.unwrap_err();
    assert!(
        matches!(err, RuleSetError::NotDraft { status: RuleSetStatus::Published, .. }),
        "{err}"
    );

    let active = store.activate_rule_set("1", &ctx("citra", "2025-03-03T08:00:00Z")).await.unwrap();
    assert_eq!(active.status, RuleSetStatus::Active);
    assert_eq!(active.activated_at.as_deref(), Some("2025-03-03T08:00:00Z"));
    assert_eq!(store.active_rule_set().await.unwrap(), Some(active));

    let missing = store.publish_rule_set("9", &ctx("budi", "2025-03-03T08:00:00Z")).await;
    assert!(matches!(missing, Err(RuleSetError::NotFound(ref v)) if v == "9"));

    // Every transition is in the audit chain, by the user who made it; refusals left nothing.
    let events = store.audit_events(0, 100).await.unwrap();
    let trail: Vec<(&str, &str)> =
        events.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(
        trail,
        [("rule_set.draft", "ana"), ("rule_set.publish", "budi"), ("rule_set.activate", "citra")]
    );
    assert!(events.iter().all(|e| e.entity == "rule_set" && e.entity_id.as_deref() == Some("1")));
    let verification = verify_chain(&events);
    assert_eq!((verification.checked, verification.first_failure), (3, None));
}

pub async fn activating_retires_the_previous_version_so_exactly_one_is_active(fresh: &Fresh) {
    let store = &fresh.store;
    for version in ["1", "2", "3"] {
        store
            .save_rule_set_draft(&draft(version, "ana"), &ctx("ana", "2025-03-01T08:00:00Z"))
            .await
            .unwrap();
        store.publish_rule_set(version, &ctx("budi", "2025-03-02T08:00:00Z")).await.unwrap();
    }
    store.activate_rule_set("1", &ctx("citra", "2025-03-03T08:00:00Z")).await.unwrap();
    store.activate_rule_set("2", &ctx("citra", "2025-03-04T08:00:00Z")).await.unwrap();
    let statuses = |list: Vec<jejak_store::StoredRuleSet>| {
        list.into_iter().map(|r| (r.version, r.status)).collect::<Vec<_>>()
    };
    assert_eq!(
        statuses(store.list_rule_sets().await.unwrap()),
        [
            ("1".to_owned(), RuleSetStatus::Retired),
            ("2".to_owned(), RuleSetStatus::Active),
            ("3".to_owned(), RuleSetStatus::Published),
        ]
    );
    // A retired version cannot come back without a new publication.
    let err =
        store.activate_rule_set("1", &ctx("citra", "2025-03-05T08:00:00Z")).await.unwrap_err();
    assert!(
        matches!(err, RuleSetError::NotPublished { status: RuleSetStatus::Retired, .. }),
        "{err}"
    );
    assert_eq!(store.active_rule_set().await.unwrap().unwrap().version, "2");

    let events = store.audit_events(0, 100).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "rule_set.activate");
    assert_eq!(last.details, "activated; retired 1");
}

pub async fn a_version_label_is_stored_once(fresh: &Fresh) {
    let store = &fresh.store;
    let c = ctx("ana", "2025-03-01T08:00:00Z");
    store.save_rule_set_draft(&draft("1", "ana"), &c).await.unwrap();
    let seq = store.current_change_seq().await.unwrap();
    let err = store.save_rule_set_draft(&draft("1", "ana"), &c).await.unwrap_err();
    assert!(matches!(err, RuleSetError::VersionTaken { same_content: true, .. }), "{err}");
    let mut other = draft("1", "ana");
    other.digest = "something else".into();
    let err = store.save_rule_set_draft(&other, &c).await.unwrap_err();
    assert!(matches!(err, RuleSetError::VersionTaken { same_content: false, .. }), "{err}");
    assert_eq!(store.list_rule_sets().await.unwrap().len(), 1);
    assert_eq!(store.current_change_seq().await.unwrap(), seq);
    let nobody = store.save_rule_set_draft(&draft("2", "  "), &c).await.unwrap_err();
    assert!(matches!(nobody, RuleSetError::MissingUser), "{nobody}");
}

pub async fn assessments_are_kept_with_the_rule_set_version_that_made_them(fresh: &Fresh) {
    let store = &fresh.store;
    let app = NewApplication::new(
        "BDL-1",
        OfficeCode::parse("BDL").unwrap(),
        ymd(2025, 3, 1).unwrap(),
        "Suryani binti Karto",
    );
    let c = ctx("petugas", "2025-03-01T08:00:00Z");
    store.import(&[app], ConflictPolicy::Abort, &c).await.unwrap();
    let key = store
        .find_application(&OfficeCode::parse("BDL").unwrap(), "BDL-1")
        .await
        .unwrap()
        .unwrap()
        .key;
    let first = NewAssessment {
        application: key,
        rule_set_version: "2025.1".into(),
        digest: "abc".into(),
        score: 70,
        band: "high".into(),
        fired_indicators: vec![
            FiredRule { id: "R06".into(), weight: 40 },
            FiredRule { id: "R11".into(), weight: 30 },
        ],
        failed_hard_checks: vec!["R01".into()],
    };
    let second = NewAssessment {
        rule_set_version: "2025.2".into(),
        score: 0,
        band: "low".into(),
        fired_indicators: Vec::new(),
        failed_hard_checks: Vec::new(),
        ..first.clone()
    };
    let stored = store.record_assessment(&first, &c).await.unwrap();
    assert_eq!(
        (stored.assessed_by.as_str(), stored.assessed_at.as_str()),
        ("petugas", "2025-03-01T08:00:00Z")
    );
    store.record_assessment(&second, &ctx("supervisor", "2025-03-02T08:00:00Z")).await.unwrap();
    let history = store.assessments_of(key).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], stored);
    assert_eq!(history[1].data, second);
    assert_eq!(history[1].assessed_by, "supervisor");
    assert!(history[0].change_seq < history[1].change_seq);
    assert!(store.assessments_of(ApplicationKey(key.0 + 1000)).await.unwrap().is_empty());
    // The change stream the monitoring aggregates follow: in change order, paged.
    let stream = store.assessments_changed_since(0, 10).await.unwrap();
    assert_eq!(stream, history);
    let page = store.assessments_changed_since(0, 1).await.unwrap();
    assert_eq!(page, history[..1]);
    let rest = store.assessments_changed_since(history[0].change_seq, 10).await.unwrap();
    assert_eq!(rest, history[1..]);

    let missing = NewAssessment { application: ApplicationKey(key.0 + 1000), ..first };
    let err = store.record_assessment(&missing, &c).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    let events = store.audit_events(0, 100).await.unwrap();
    let recorded: Vec<&str> = events
        .iter()
        .filter(|e| e.action == "assessment.record")
        .map(|e| e.details.as_str())
        .collect();
    assert_eq!(
        recorded,
        ["rule set 2025.1 score 70 band high", "rule set 2025.2 score 0 band low"]
    );
}
