//! Rule-set lifecycle: draft -> published (four-eyes: by someone other than the author) ->
//! active -> retired. Transitions are pure functions returning a typed error; the service stores
//! the result and the audit event.

use std::fmt;

use serde::Serialize;
use time::Date;

use crate::validity::ser_opt_date;

/// Where a rule set is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written; may be backtested, never used for live assessments.
    Draft,
    /// Reviewed and released by a second person; may be activated.
    Published,
    /// The rule set used for live assessments.
    Active,
    /// No longer used; kept so that old assessments remain explainable.
    Retired,
}

impl Status {
    /// Parses the `status` key.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "active" => Some(Status::Active),
            "retired" => Some(Status::Retired),
            _ => None,
        }
    }

    /// The status as written in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Active => "active",
            Status::Retired => "retired",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `[rule_set]` header: identity, authorship and lifecycle state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSetInfo {
    /// Name of the catalogue, e.g. `jejak-default`.
    pub name: String,
    /// Version label; every assessment records it.
    pub version: String,
    /// Who wrote this version.
    pub author: String,
    /// Free text.
    pub description: String,
    /// Lifecycle state.
    pub status: Status,
    /// Who published it (never the author).
    pub published_by: Option<String>,
    /// When it was published.
    #[serde(serialize_with = "ser_opt_date")]
    pub published_on: Option<Date>,
    /// When it became active.
    #[serde(serialize_with = "ser_opt_date")]
    pub activated_on: Option<Date>,
}

/// A lifecycle transition that is not allowed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleError {
    /// Four-eyes principle: the author cannot publish their own rule set.
    #[error("`{user}` wrote this rule set and cannot also publish it (four-eyes principle)")]
    SameUser {
        /// The author who tried to publish.
        user: String,
    },
    /// No user name was given.
    #[error("a user name is required")]
    MissingUser,
    /// Only drafts can be published.
    #[error("only a draft can be published; this rule set is {0}")]
    NotDraft(Status),
    /// Only published rule sets can be activated.
    #[error("only a published rule set can be activated; this rule set is {0}")]
    NotPublished(Status),
    /// Only active or published rule sets can be retired.
    #[error("a {0} rule set cannot be retired")]
    NotRetirable(Status),
}

fn same_user(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Publishes a draft. `by` must differ from the author (compared case-insensitively).
pub fn publish(info: &RuleSetInfo, by: &str, on: Date) -> Result<RuleSetInfo, LifecycleError> {
    if by.trim().is_empty() {
        return Err(LifecycleError::MissingUser);
    }
    if info.status != Status::Draft {
        return Err(LifecycleError::NotDraft(info.status));
    }
    if same_user(&info.author, by) {
        return Err(LifecycleError::SameUser { user: by.trim().to_owned() });
    }
    Ok(RuleSetInfo {
        status: Status::Published,
        published_by: Some(by.trim().to_owned()),
        published_on: Some(on),
        ..info.clone()
    })
}

/// Activates a published rule set.
pub fn activate(info: &RuleSetInfo, on: Date) -> Result<RuleSetInfo, LifecycleError> {
    if info.status != Status::Published {
        return Err(LifecycleError::NotPublished(info.status));
    }
    Ok(RuleSetInfo { status: Status::Active, activated_on: Some(on), ..info.clone() })
}

/// Retires a published or active rule set (e.g. when its successor is activated).
pub fn retire(info: &RuleSetInfo) -> Result<RuleSetInfo, LifecycleError> {
    match info.status {
        Status::Published | Status::Active => {
            Ok(RuleSetInfo { status: Status::Retired, ..info.clone() })
        }
        other => Err(LifecycleError::NotRetirable(other)),
    }
}

/// Checks that a header read from a file is consistent with the lifecycle; returns the
/// problems as (key, message) pairs.
pub(crate) fn header_problems(info: &RuleSetInfo) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if info.status != Status::Draft {
        match &info.published_by {
            None => out.push((
                "status",
                format!("a {} rule set needs `published_by` (four-eyes review)", info.status),
            )),
            Some(by) if same_user(by, &info.author) => out.push((
                "published_by",
                format!(
                    "`{by}` is the author and cannot also be the publisher (four-eyes principle)"
                ),
            )),
            Some(_) => {}
        }
        if info.published_on.is_none() {
            out.push(("status", format!("a {} rule set needs `published_on`", info.status)));
        }
    }
    if info.status == Status::Active && info.activated_on.is_none() {
        out.push(("status", "an active rule set needs `activated_on`".into()));
    }
    if let (Some(p), Some(a)) = (info.published_on, info.activated_on)
        && a < p
    {
        out.push(("activated_on", "`activated_on` is before `published_on`".into()));
    }
    out
}

/// Why the lifecycle fields of a rule file could not be rewritten.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderEditError {
    /// The text is not valid TOML.
    #[error("the rule file is not valid TOML: {0}")]
    Syntax(String),
    /// There is no `[rule_set]` table written as a standard table.
    #[error("the rule file has no `[rule_set]` table")]
    NoHeader,
}

/// Writes the lifecycle fields of `info` (status, published_by, published_on, activated_on)
/// into the `[rule_set]` table of a rule file's text, keeping everything else (comments,
/// layout) as it is. Used by `jejak rules publish FILE` after [`publish`] succeeded.
pub fn write_header_fields(text: &str, info: &RuleSetInfo) -> Result<String, HeaderEditError> {
    let doc = toml::de::DeTable::parse(text)
        .map_err(|e| HeaderEditError::Syntax(e.message().to_owned()))?;
    let Some(header) = doc.get_ref().get("rule_set") else { return Err(HeaderEditError::NoHeader) };
    let toml::de::DeValue::Table(table) = header.get_ref() else {
        return Err(HeaderEditError::NoHeader);
    };
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let date = |d: Option<Date>| d.map(crate::validity::format_date);
    let wanted: [(&str, Option<String>); 4] = [
        ("status", Some(quote(info.status.name()))),
        ("published_by", info.published_by.as_deref().map(quote)),
        ("published_on", date(info.published_on)),
        ("activated_on", date(info.activated_on)),
    ];
    // Edits as (byte range, replacement), applied from the end so offsets stay valid.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let last_value_end = table.iter().map(|(_, v)| v.span().end).max().unwrap_or(header.span().end);
    let insert_at =
        text[last_value_end..].find('\n').map_or(text.len(), |i| last_value_end + i + 1);
    let mut inserted = String::new();
    for (key, value) in wanted {
        match (table.get(key), value) {
            (Some(old), Some(new)) => edits.push((old.span(), new)),
            (Some(old), None) => {
                // Remove the whole `key = value` line.
                let start = text[..old.span().start].rfind('\n').map_or(0, |i| i + 1);
                let end = text[old.span().end..]
                    .find('\n')
                    .map_or(text.len(), |i| old.span().end + i + 1);
                edits.push((start..end, String::new()));
            }
            (None, Some(new)) => inserted.push_str(&format!("{key} = {new}\n")),
            (None, None) => {}
        }
    }
    if !inserted.is_empty() {
        if insert_at == text.len() && !text.ends_with('\n') {
            inserted.insert(0, '\n');
        }
        edits.push((insert_at..insert_at, inserted));
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_owned();
    for (range, replacement) in edits {
        out.replace_range(range, &replacement);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn draft() -> RuleSetInfo {
        RuleSetInfo {
            name: "t".into(),
            version: "1".into(),
            author: "ana".into(),
            description: String::new(),
            status: Status::Draft,
            published_by: None,
            published_on: None,
            activated_on: None,
        }
    }

    #[test]
    fn author_cannot_publish_own_rule_set() {
        let err = publish(&draft(), " ANA ", date!(2025 - 01 - 01)).unwrap_err();
        assert_eq!(err, LifecycleError::SameUser { user: "ANA".into() });
    }

    #[test]
    fn draft_to_published_to_active_to_retired() {
        let p = publish(&draft(), "budi", date!(2025 - 01 - 01)).unwrap();
        assert_eq!(p.status, Status::Published);
        assert_eq!(p.published_by.as_deref(), Some("budi"));
        assert!(header_problems(&p).is_empty());
        assert_eq!(
            publish(&p, "citra", date!(2025 - 01 - 02)),
            Err(LifecycleError::NotDraft(Status::Published))
        );
        let a = activate(&p, date!(2025 - 01 - 03)).unwrap();
        assert_eq!(a.status, Status::Active);
        assert!(header_problems(&a).is_empty());
        assert_eq!(
            activate(&a, date!(2025 - 01 - 04)),
            Err(LifecycleError::NotPublished(Status::Active))
        );
        assert_eq!(retire(&a).unwrap().status, Status::Retired);
        assert_eq!(retire(&draft()), Err(LifecycleError::NotRetirable(Status::Draft)));
        assert_eq!(
            activate(&draft(), date!(2025 - 01 - 01)),
            Err(LifecycleError::NotPublished(Status::Draft))
        );
        assert_eq!(
            publish(&draft(), "  ", date!(2025 - 01 - 01)),
            Err(LifecycleError::MissingUser)
        );
    }

    #[test]
    fn inconsistent_headers_are_reported() {
        let mut h = draft();
        h.status = Status::Published;
        h.published_by = Some("Ana".into());
        let problems = header_problems(&h);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].1.contains("four-eyes"));
    }

    #[test]
    fn lifecycle_fields_are_written_into_the_file_text() {
        let text =
            "# head\n[rule_set]\nname = \"t\" # keep\nstatus = \"draft\"\n\n[bands]\nmedium = 1\n";
        let published = publish(&draft(), "budi", date!(2025 - 01 - 02)).unwrap();
        let out = write_header_fields(text, &published).unwrap();
        assert_eq!(
            out,
            "# head\n[rule_set]\nname = \"t\" # keep\nstatus = \"published\"\npublished_by = \"budi\"\npublished_on = 2025-01-02\n\n[bands]\nmedium = 1\n"
        );
        let retired = retire(&published).unwrap();
        let again =
            write_header_fields(&out, &RuleSetInfo { published_by: None, ..retired }).unwrap();
        assert!(again.contains("status = \"retired\"\npublished_on = 2025-01-02\n"), "{again}");
        assert!(!again.contains("published_by"));
        assert_eq!(write_header_fields("[bands]\n", &published), Err(HeaderEditError::NoHeader));
        assert!(matches!(write_header_fields("[x", &published), Err(HeaderEditError::Syntax(_))));
    }
}
