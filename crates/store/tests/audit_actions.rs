//! The store names every audit action through `jejak_domain::AuditAction`: its audit writers
//! (`audit_tx`, `Store::append_audit`, `AuditAppend`, the import writer) take the enum, so the
//! compiler refuses a string. This test guards the one way around that, spelling an action's
//! stored text (`"user.add"`) in the store's sources, e.g. to compare or build one by hand.

use std::path::Path;

use jejak_domain::AuditAction;

/// Every whole string literal of the shape `"word.word"` (lower case and `_`) in `text`.
fn dotted_literals(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('"') else { break };
        let inside = &after[..close];
        let word =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if let Some((entity, verb)) = inside.split_once('.')
            && word(entity)
            && word(verb)
        {
            found.push(inside);
            rest = &after[close + 1..];
        } else {
            // The closing quote may open the next literal: go on from it.
            rest = after;
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn no_audit_action_text_is_spelled_out_in_the_store() {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut named = 0;
    for (path, text) in &files {
        for literal in dotted_literals(text) {
            if let Ok(action) = literal.parse::<AuditAction>() {
                panic!("{path}: {literal:?} spelled out: use AuditAction::{action:?}");
            }
        }
        named += text.matches("AuditAction::").count();
    }
    // The store writes most actions itself: finding few means the scan read the wrong
    // files, not that the store stopped auditing.
    assert!(named >= 40, "only {named} AuditAction paths found in {} files", files.len());
}

#[test]
fn the_scan_finds_literals_between_other_strings() {
    let text = r#"audit_tx(&mut tx, ctx, "user.add", "user", Some("a.b c"), "") "x" "import.held""#;
    assert_eq!(dotted_literals(text), ["user.add", "import.held"]);
}
