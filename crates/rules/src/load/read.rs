//! First pass over each file: the `[rule_set]`, `[bands]`, `[[rule]]` and `[list.*]` sections
//! read into raw, located values. Problems local to one section are reported here.

use std::ops::Range;

use toml::de::DeValue;

use crate::diagnostic::{DiagCode, Sink, suggest};
use crate::lifecycle::{RuleSetInfo, Status, header_problems};
use crate::list::{ListEntry, ListKind, RefList};
use crate::load::reader::{Reader, Str, Table, type_name};
use crate::rule::{Confidence, RuleKind};
use crate::validity::Validity;

pub(super) const RULE_KEYS: &[&str] = &[
    "id",
    "kind",
    "title_id",
    "title_en",
    "legal_basis",
    "sources",
    "confidence",
    "valid_from",
    "valid_to",
    "weight",
    "weight_from",
    "applies_when",
    "condition",
    "explain_id",
    "explain_en",
];
pub(super) const HEADER_KEYS: &[&str] = &[
    "name",
    "version",
    "author",
    "description",
    "status",
    "published_by",
    "published_on",
    "activated_on",
];
pub(super) const LIST_KEYS: &[&str] = &["kind", "title_id", "title_en", "source", "entries"];
pub(super) const ENTRY_KEYS: &[&str] =
    &["key", "weight", "valid_from", "valid_to", "note", "all_of", "any_of"];
pub(super) const TOP_KEYS: &[&str] = &["rule_set", "bands", "rule", "list"];

pub(super) struct RawHeader {
    pub(super) file: usize,
    pub(super) span: Range<usize>,
    pub(super) info: RuleSetInfo,
}

pub(super) struct RawBands {
    pub(super) file: usize,
    pub(super) span: Range<usize>,
    pub(super) medium: i64,
    pub(super) high: i64,
}

pub(super) struct RawList {
    pub(super) file: usize,
    pub(super) name: String,
    pub(super) name_span: Range<usize>,
    pub(super) list: RefList,
}

pub(super) struct RawRule {
    pub(super) file: usize,
    pub(super) span: Range<usize>,
    pub(super) id: String,
    pub(super) id_span: Range<usize>,
    pub(super) kind: Option<RuleKind>,
    pub(super) title_id: String,
    pub(super) title_en: String,
    pub(super) legal_basis: String,
    pub(super) sources: Vec<String>,
    pub(super) confidence: Option<Confidence>,
    pub(super) validity: Validity,
    pub(super) weight: Option<(i64, Range<usize>)>,
    pub(super) weight_from: Option<(Str, Vec<Str>, Range<usize>)>,
    pub(super) applies_when: Option<Str>,
    pub(super) condition: Option<Str>,
    pub(super) explain_id: Option<Str>,
    pub(super) explain_en: Option<Str>,
}

#[derive(Default)]
pub(super) struct Collected {
    pub(super) headers: Vec<RawHeader>,
    pub(super) bands: Vec<RawBands>,
    pub(super) lists: Vec<RawList>,
    pub(super) rules: Vec<RawRule>,
}

/// Loads and validates a rule set from one or more sources (a rules file and list files).
pub(super) fn collect_file(sink: &mut Sink<'_>, file: usize, doc: &Table<'_>, out: &mut Collected) {
    for (key, value) in doc.iter() {
        let name: &str = key.get_ref();
        match name {
            "rule_set" => match value.get_ref() {
                DeValue::Table(t) => out.headers.push(read_header(sink, file, t, value.span())),
                v => sink.error(
                    DiagCode::WrongType,
                    &value.span(),
                    None,
                    format!("`rule_set` must be a table, not {}", type_name(v)),
                ),
            },
            "bands" => match value.get_ref() {
                DeValue::Table(t) => {
                    let mut r =
                        Reader { sink: &mut *sink, table: t, span: value.span(), ctx: None };
                    let medium = r.int("medium");
                    let high = r.int("high");
                    if medium.is_none() {
                        r.missing("medium");
                    }
                    if high.is_none() {
                        r.missing("high");
                    }
                    r.finish(&["medium", "high"]);
                    if let (Some((m, _)), Some((h, _))) = (medium, high) {
                        out.bands.push(RawBands { file, span: value.span(), medium: m, high: h });
                    }
                }
                v => sink.error(
                    DiagCode::WrongType,
                    &value.span(),
                    None,
                    format!("`bands` must be a table, not {}", type_name(v)),
                ),
            },
            "rule" => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::Table(t) => {
                                if let Some(rule) = read_rule(sink, file, t, item.span()) {
                                    out.rules.push(rule);
                                }
                            }
                            v => sink.error(
                                DiagCode::WrongType,
                                &item.span(),
                                None,
                                format!("each `[[rule]]` must be a table, not {}", type_name(v)),
                            ),
                        }
                    }
                }
                v => sink.error(
                    DiagCode::WrongType,
                    &value.span(),
                    None,
                    format!("`rule` must be an array of tables (`[[rule]]`), not {}", type_name(v)),
                ),
            },
            "list" => match value.get_ref() {
                DeValue::Table(lists) => {
                    for (list_key, list_value) in lists.iter() {
                        let list_name: &str = list_key.get_ref();
                        match list_value.get_ref() {
                            DeValue::Table(t) => {
                                if let Some(l) = read_list(
                                    sink,
                                    file,
                                    list_name,
                                    list_key.span(),
                                    t,
                                    list_value.span(),
                                ) {
                                    out.lists.push(l);
                                }
                            }
                            v => sink.error(
                                DiagCode::WrongType,
                                &list_value.span(),
                                Some(&format!("list {list_name}")),
                                format!("a list must be a table, not {}", type_name(v)),
                            ),
                        }
                    }
                }
                v => sink.error(
                    DiagCode::WrongType,
                    &value.span(),
                    None,
                    format!("`list` must be a table of lists, not {}", type_name(v)),
                ),
            },
            other => {
                let hint = suggest(other, TOP_KEYS.iter().copied());
                sink.error(
                    DiagCode::UnknownKey,
                    &key.span(),
                    None,
                    format!("unknown top-level key `{other}`{hint}"),
                );
            }
        }
    }
}

fn read_header(sink: &mut Sink<'_>, file: usize, t: &Table<'_>, span: Range<usize>) -> RawHeader {
    let mut r = Reader { sink, table: t, span: span.clone(), ctx: Some("rule_set".into()) };
    let name = r.text("name", true).unwrap_or_default();
    let version = r.text("version", true).unwrap_or_default();
    let author = r.text("author", true).unwrap_or_default();
    let description = r.text("description", false).unwrap_or_default();
    let status = match r.string("status", false) {
        None => Status::Draft,
        Some(s) => Status::parse(&s.value).unwrap_or_else(|| {
            r.sink.error(
                DiagCode::BadValue,
                &s.span,
                Some("rule_set"),
                format!("status `{}` is not one of draft, published, active, retired", s.value),
            );
            Status::Draft
        }),
    };
    let published_by = r.text("published_by", false);
    let published_on = r.date("published_on").map(|d| d.0);
    let activated_on = r.date("activated_on").map(|d| d.0);
    r.finish(HEADER_KEYS);
    let info = RuleSetInfo {
        name,
        version,
        author,
        description,
        status,
        published_by,
        published_on,
        activated_on,
    };
    for (key, message) in header_problems(&info) {
        let at = t.get(key).map_or(span.clone(), |v| v.span());
        sink.error(DiagCode::Lifecycle, &at, Some("rule_set"), message);
    }
    RawHeader { file, span, info }
}

fn read_list(
    sink: &mut Sink<'_>,
    file: usize,
    name: &str,
    name_span: Range<usize>,
    t: &Table<'_>,
    span: Range<usize>,
) -> Option<RawList> {
    let ctx = format!("list {name}");
    if !valid_name(name) {
        sink.error(
            DiagCode::BadValue,
            &name_span,
            Some(&ctx),
            format!("list name `{name}` must be lower-case letters, digits and `_`"),
        );
    }
    let mut r = Reader { sink, table: t, span: span.clone(), ctx: Some(ctx.clone()) };
    let kind = match r.string("kind", true) {
        Some(s) => match ListKind::parse(&s.value) {
            Some(k) => Some(k),
            None => {
                r.sink.error(
                    DiagCode::BadValue,
                    &s.span,
                    Some(&ctx),
                    format!(
                        "list kind `{}` is not one of countries, regions, values, requirements",
                        s.value
                    ),
                );
                None
            }
        },
        None => None,
    };
    let title_id = r.text("title_id", true).unwrap_or_default();
    let title_en = r.text("title_en", true).unwrap_or_default();
    let source = r.text("source", false).unwrap_or_default();
    let entries_value = r.raw("entries");
    r.finish(LIST_KEYS);
    let mut entries = Vec::new();
    let mut entry_spans = Vec::new();
    match entries_value.map(|v| (v, v.get_ref())) {
        None => {
            Reader { sink: &mut *sink, table: t, span: span.clone(), ctx: Some(ctx.clone()) }
                .missing("entries");
        }
        Some((_, DeValue::Array(items))) => {
            for item in items.iter() {
                let DeValue::Table(et) = item.get_ref() else {
                    sink.error(
                        DiagCode::WrongType,
                        &item.span(),
                        Some(&ctx),
                        format!("a list entry must be a table, not {}", type_name(item.get_ref())),
                    );
                    continue;
                };
                let Some(kind) = kind else { continue };
                if let Some(e) = read_entry(sink, kind, et, item.span(), &ctx) {
                    entries.push(e);
                    entry_spans.push(item.span());
                }
            }
        }
        Some((v, other)) => sink.error(
            DiagCode::WrongType,
            &v.span(),
            Some(&ctx),
            format!("`entries` must be an array of tables, not {}", type_name(other)),
        ),
    }
    let kind = kind?;
    // Two entries for the same key may not be in force on the same day.
    for i in 0..entries.len() {
        for j in 0..i {
            if entries[i].key == entries[j].key
                && entries[i].validity.overlaps(&entries[j].validity)
            {
                sink.error(
                    DiagCode::DuplicateList,
                    &entry_spans[i],
                    Some(&ctx),
                    format!("key `{}` is listed twice for overlapping periods", entries[i].key),
                );
            }
        }
    }
    let mut list = RefList { name: name.to_owned(), kind, title_id, title_en, source, entries };
    list.sort();
    Some(RawList { file, name: name.to_owned(), name_span, list })
}

fn read_entry(
    sink: &mut Sink<'_>,
    kind: ListKind,
    t: &Table<'_>,
    span: Range<usize>,
    ctx: &str,
) -> Option<ListEntry> {
    let mut r = Reader { sink, table: t, span, ctx: Some(ctx.to_owned()) };
    let key = r.string("key", true);
    let weight = r.int("weight").map(|w| w.0);
    let validity = r.validity();
    let note = r.text("note", false).unwrap_or_default();
    let all_of = r.strings("all_of");
    let any_of = r.strings("any_of");
    r.finish(ENTRY_KEYS);
    if kind != ListKind::Requirements {
        for (name, given) in [("all_of", &all_of), ("any_of", &any_of)] {
            if given.is_some()
                && let Some(v) = t.get(name)
            {
                r.sink.error(
                    DiagCode::UnknownKey,
                    &v.span(),
                    Some(ctx),
                    format!("`{name}` is only allowed in requirements lists"),
                );
            }
        }
    }
    let key = key?;
    let Some(canonical) = kind.canonical_key(&key.value) else {
        let expected = match kind {
            ListKind::Countries => "an ISO 3166-1 alpha-2 country code",
            ListKind::Regions => "a Kemendagri region code (18, 18.07, 18.07.05, 18.07.05.2001)",
            ListKind::Values | ListKind::Requirements => "a non-empty value",
        };
        r.sink.error(
            DiagCode::BadValue,
            &key.span,
            Some(ctx),
            format!("key `{}` is not {expected}", key.value),
        );
        return None;
    };
    let docs = |v: Option<Vec<Str>>| -> Vec<String> {
        v.unwrap_or_default().into_iter().map(|s| s.value.trim().to_owned()).collect()
    };
    Some(ListEntry {
        key: canonical,
        weight,
        validity,
        note,
        all_of: docs(all_of),
        any_of: docs(any_of),
    })
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn valid_rule_id(id: &str) -> bool {
    id.len() <= 32
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

fn read_rule(
    sink: &mut Sink<'_>,
    file: usize,
    t: &Table<'_>,
    span: Range<usize>,
) -> Option<RawRule> {
    // The id first, so that every later problem can name the rule.
    let id_value = t.get("id");
    let (id, id_span) = match id_value.map(|v| (v.span(), v.get_ref())) {
        Some((s, DeValue::String(id))) => {
            if !valid_rule_id(id) {
                sink.error(
                    DiagCode::BadValue,
                    &s,
                    Some(id),
                    format!("rule id `{id}` must start with a letter and use letters, digits, `_`, `-`, `.`"),
                );
            }
            (id.to_string(), s)
        }
        Some((s, other)) => {
            sink.error(
                DiagCode::WrongType,
                &s,
                None,
                format!("`id` must be a string, not {}", type_name(other)),
            );
            (String::from("?"), s)
        }
        None => {
            sink.error(DiagCode::MissingKey, &span, None, "rule without `id`");
            (String::from("?"), span.clone())
        }
    };
    let ctx = format!("rule {id}");
    let mut r = Reader { sink, table: t, span: span.clone(), ctx: Some(ctx.clone()) };
    let kind = r.string("kind", true).and_then(|s| {
        let k = RuleKind::parse(&s.value);
        if k.is_none() {
            r.sink.error(
                DiagCode::BadValue,
                &s.span,
                Some(&ctx),
                format!("kind `{}` is not one of hard_check, indicator, cross_record", s.value),
            );
        }
        k
    });
    let title_id = r.text("title_id", true).unwrap_or_default();
    let title_en = r.text("title_en", true).unwrap_or_default();
    let legal_basis = r.text("legal_basis", true).unwrap_or_default();
    let sources = r.strings("sources").unwrap_or_default().into_iter().map(|s| s.value).collect();
    let confidence = r.string("confidence", true).and_then(|s| {
        let c = Confidence::parse(&s.value);
        if c.is_none() {
            r.sink.error(
                DiagCode::BadValue,
                &s.span,
                Some(&ctx),
                format!(
                    "confidence `{}` is not one of reg, off, prac, know, inference, programme, unverified",
                    s.value
                ),
            );
        }
        c
    });
    let validity = r.validity();
    let weight = r.int("weight");
    let weight_from = match r.raw("weight_from") {
        None => None,
        Some(v) => match v.get_ref() {
            DeValue::Table(wt) => {
                let mut wr = Reader {
                    sink: &mut *r.sink,
                    table: wt,
                    span: v.span(),
                    ctx: Some(ctx.clone()),
                };
                let list = wr.string("list", true);
                let keys = wr.strings("keys");
                if keys.is_none() {
                    wr.missing("keys");
                }
                wr.finish(&["list", "keys"]);
                match (list, keys) {
                    (Some(l), Some(k)) => Some((l, k, v.span())),
                    _ => None,
                }
            }
            other => {
                let (span, name) = (v.span(), type_name(other));
                r.sink.error(
                    DiagCode::WrongType,
                    &span,
                    Some(&ctx),
                    format!("`weight_from` must be a table {{ list = \"...\", keys = [...] }}, not {name}"),
                );
                None
            }
        },
    };
    let applies_when = r.string("applies_when", false);
    let condition = r.string("condition", true);
    let explain_id = r.string("explain_id", true);
    let explain_en = r.string("explain_en", true);
    r.finish(RULE_KEYS);
    Some(RawRule {
        file,
        span,
        id,
        id_span,
        kind,
        title_id,
        title_en,
        legal_basis,
        sources,
        confidence,
        validity,
        weight,
        weight_from,
        applies_when,
        condition,
        explain_id,
        explain_en,
    })
}
