//! Reading rule files: TOML text -> validated [`RuleSet`], or every problem found.
//!
//! The TOML is parsed into a spanned tree (`toml::de::DeTable`) and walked by hand, so that
//! each problem carries the file, line, column and rule id, and so that one run reports all
//! problems: syntax errors, unknown or missing keys, wrong types, bad dates, duplicate ids,
//! unknown facts and lists, type errors in conditions, bad templates and lifecycle violations.
//! The file format is documented in `catalogue/example.toml`.

use std::ops::Range;

use time::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::condition::compile::{self, Checked};
use crate::condition::syntax;
use crate::diagnostic::{DiagCode, Diagnostic, Diagnostics, Severity, Sink, suggest};
use crate::facts::FactId;
use crate::lifecycle::{RuleSetInfo, Status, header_problems};
use crate::list::{ListEntry, ListKind, RefList};
use crate::rule::{Confidence, Rule, RuleKind, WeightFrom};
use crate::ruleset::{Bands, RuleSet};
use crate::template::Template;
use crate::validity::{Validity, parse_date};

/// One input file: a name for messages and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// File name as it should appear in messages.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

impl Source {
    /// A source from a name and a text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source { name: name.into(), text: text.into() }
    }
}

type Table<'i> = DeTable<'i>;
type Val<'i> = Spanned<DeValue<'i>>;

/// A string value with its location; `content` is the byte offset where the decoded text
/// starts in the file when the decoding is exact (no escapes), for pointing into conditions.
#[derive(Clone, Debug)]
struct Str {
    value: String,
    span: Range<usize>,
    content: Option<usize>,
}

impl Str {
    fn at(&self, offset: usize) -> Range<usize> {
        match self.content {
            Some(start) => start + offset..start + offset,
            None => self.span.clone(),
        }
    }
}

const RULE_KEYS: &[&str] = &[
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
const HEADER_KEYS: &[&str] = &[
    "name",
    "version",
    "author",
    "description",
    "status",
    "published_by",
    "published_on",
    "activated_on",
];
const LIST_KEYS: &[&str] = &["kind", "title_id", "title_en", "source", "entries"];
const ENTRY_KEYS: &[&str] =
    &["key", "weight", "valid_from", "valid_to", "note", "all_of", "any_of"];
const TOP_KEYS: &[&str] = &["rule_set", "bands", "rule", "list"];

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Reads typed keys of one table, reporting problems against a context (rule id, list name).
struct Reader<'s, 'a, 't, 'i> {
    sink: &'s mut Sink<'a>,
    table: &'t Table<'i>,
    span: Range<usize>,
    ctx: Option<String>,
}

impl<'t, 'i> Reader<'_, '_, 't, 'i> {
    fn raw(&self, key: &str) -> Option<&'t Val<'i>> {
        self.table.get(key)
    }

    fn missing(&mut self, key: &str) {
        let ctx = self.ctx.clone();
        self.sink.error(
            DiagCode::MissingKey,
            &self.span.clone(),
            ctx.as_deref(),
            format!("missing key `{key}`"),
        );
    }

    fn wrong(&mut self, key: &str, v: &Val<'_>, expected: &str) {
        let ctx = self.ctx.clone();
        self.sink.error(
            DiagCode::WrongType,
            &v.span(),
            ctx.as_deref(),
            format!("`{key}` must be {expected}, not {}", type_name(v.get_ref())),
        );
    }

    fn string(&mut self, key: &str, required: bool) -> Option<Str> {
        let Some(v) = self.raw(key) else {
            if required {
                self.missing(key);
            }
            return None;
        };
        match v.get_ref() {
            DeValue::String(s) => Some(Str {
                value: s.to_string(),
                span: v.span(),
                content: content_start(self.sink.text, &v.span(), s),
            }),
            _ => {
                self.wrong(key, v, "a string");
                None
            }
        }
    }

    fn text(&mut self, key: &str, required: bool) -> Option<String> {
        let s = self.string(key, required)?;
        if required && s.value.trim().is_empty() {
            let ctx = self.ctx.clone();
            self.sink.error(
                DiagCode::BadValue,
                &s.span,
                ctx.as_deref(),
                format!("`{key}` is empty"),
            );
        }
        Some(s.value)
    }

    fn int(&mut self, key: &str) -> Option<(i64, Range<usize>)> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some((n, v.span())),
                Err(_) => {
                    self.wrong(key, v, "an integer that fits 64 bits");
                    None
                }
            },
            _ => {
                self.wrong(key, v, "an integer");
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<(Date, Range<usize>)> {
        let v = self.raw(key)?;
        let parsed = match v.get_ref() {
            DeValue::String(s) => parse_date(s),
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => time::Month::try_from(d.month)
                    .ok()
                    .and_then(|m| Date::from_calendar_date(i32::from(d.year), m, d.day).ok()),
                _ => None,
            },
            _ => {
                self.wrong(key, v, "a date (YYYY-MM-DD)");
                return None;
            }
        };
        match parsed {
            Some(d) => Some((d, v.span())),
            None => {
                let ctx = self.ctx.clone();
                self.sink.error(
                    DiagCode::BadDate,
                    &v.span(),
                    ctx.as_deref(),
                    format!("`{key}` is not a valid date (YYYY-MM-DD)"),
                );
                None
            }
        }
    }

    fn validity(&mut self) -> Validity {
        let from = self.date("valid_from");
        let to = self.date("valid_to");
        if let (Some((f, _)), Some((t, span))) = (&from, &to)
            && t < f
        {
            let ctx = self.ctx.clone();
            self.sink.error(
                DiagCode::BadDateRange,
                span,
                ctx.as_deref(),
                "`valid_to` is before `valid_from`",
            );
        }
        Validity { from: from.map(|d| d.0), to: to.map(|d| d.0) }
    }

    fn strings(&mut self, key: &str) -> Option<Vec<Str>> {
        let v = self.raw(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong(key, v, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Str {
                    value: s.to_string(),
                    span: item.span(),
                    content: content_start(self.sink.text, &item.span(), s),
                }),
                _ => self.wrong(key, item, "a string"),
            }
        }
        Some(out)
    }

    fn finish(&mut self, allowed: &[&str]) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let hint = suggest(name, allowed.iter().copied());
                let ctx = self.ctx.clone();
                self.sink.error(
                    DiagCode::UnknownKey,
                    &key.span(),
                    ctx.as_deref(),
                    format!("unknown key `{name}`{hint}"),
                );
            }
        }
    }
}

/// Where the decoded text of a string value starts, if the raw text equals the decoded one.
fn content_start(text: &str, span: &Range<usize>, decoded: &str) -> Option<usize> {
    let raw = text.get(span.clone())?;
    let delim = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
        3
    } else if raw.starts_with('\'') || raw.starts_with('"') {
        1
    } else {
        return None;
    };
    let mut start = span.start + delim;
    if delim == 3 {
        if text[start..].starts_with("\r\n") {
            start += 2;
        } else if text[start..].starts_with('\n') {
            start += 1;
        }
    }
    let end = span.end.checked_sub(delim)?;
    (start <= end && text.get(start..end) == Some(decoded)).then_some(start)
}

struct RawHeader {
    file: usize,
    span: Range<usize>,
    info: RuleSetInfo,
}

struct RawBands {
    file: usize,
    span: Range<usize>,
    medium: i64,
    high: i64,
}

struct RawList {
    file: usize,
    name: String,
    name_span: Range<usize>,
    list: RefList,
}

struct RawRule {
    file: usize,
    span: Range<usize>,
    id: String,
    id_span: Range<usize>,
    kind: Option<RuleKind>,
    title_id: String,
    title_en: String,
    legal_basis: String,
    sources: Vec<String>,
    confidence: Option<Confidence>,
    validity: Validity,
    weight: Option<(i64, Range<usize>)>,
    weight_from: Option<(Str, Vec<Str>, Range<usize>)>,
    applies_when: Option<Str>,
    condition: Option<Str>,
    explain_id: Option<Str>,
    explain_en: Option<Str>,
}

#[derive(Default)]
struct Collected {
    headers: Vec<RawHeader>,
    bands: Vec<RawBands>,
    lists: Vec<RawList>,
    rules: Vec<RawRule>,
}

/// Loads and validates a rule set from one or more sources (a rules file and list files).
pub fn load(sources: &[Source]) -> Result<RuleSet, Diagnostics> {
    let mut sinks: Vec<Sink<'_>> =
        sources.iter().map(|s| Sink::new(s.name.as_str(), s.text.as_str())).collect();
    let mut collected = Collected::default();
    let mut syntax_ok = true;
    for (file, source) in sources.iter().enumerate() {
        let (doc, errors) = DeTable::parse_recoverable(&source.text);
        let sink = &mut sinks[file];
        if !errors.is_empty() {
            syntax_ok = false;
            for e in errors {
                let span = e.span().unwrap_or(0..0);
                sink.error(DiagCode::TomlSyntax, &span, None, format!("TOML: {}", e.message()));
            }
            continue;
        }
        collect_file(sink, file, doc.get_ref(), &mut collected);
    }
    // With a file unreadable, cross-file checks (missing header, unknown lists) would only
    // produce noise: report the syntax errors and what the readable files say on their own.
    let compiled = if syntax_ok { compile_all(&mut sinks, collected) } else { None };
    let mut diagnostics: Vec<Diagnostic> = sinks.into_iter().flat_map(|s| s.items).collect();
    diagnostics.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.column).cmp(&(b.severity, &b.file, b.line, b.column))
    });
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    match compiled {
        Some(mut set) if !has_errors => {
            set.warnings = diagnostics;
            Ok(set)
        }
        _ => Err(Diagnostics(diagnostics)),
    }
}

fn collect_file(sink: &mut Sink<'_>, file: usize, doc: &Table<'_>, out: &mut Collected) {
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

/// Parses and checks one condition string, reporting problems at their file position.
fn check_condition(
    sink: &mut Sink<'_>,
    rule: &str,
    text: &Str,
    lists: &[RefList],
) -> Option<Checked> {
    match syntax::parse(&text.value) {
        Err(e) => {
            sink.error(DiagCode::ConditionSyntax, &text.at(e.offset), Some(rule), e.message);
            None
        }
        Ok(ast) => {
            let checked = compile::check(&ast, lists);
            for e in &checked.errors {
                sink.error(e.code, &text.at(e.span.start), Some(rule), e.message.clone());
            }
            Some(checked)
        }
    }
}

fn check_template(sink: &mut Sink<'_>, rule: &str, text: &Str) -> Option<Template> {
    match Template::parse(&text.value) {
        Ok(t) => Some(t),
        Err(errors) => {
            for e in errors {
                sink.error(DiagCode::BadTemplate, &text.at(e.offset), Some(rule), e.message);
            }
            None
        }
    }
}

fn compile_all(sinks: &mut [Sink<'_>], c: Collected) -> Option<RuleSet> {
    // Header and bands: exactly one of each.
    let header = one_of(sinks, c.headers, "[rule_set]", |h| (h.file, h.span.clone()));
    let bands = one_of(sinks, c.bands, "[bands]", |b| (b.file, b.span.clone()));
    if let Some(b) = &bands
        && !(0 < b.medium && b.medium < b.high)
    {
        sinks[b.file].error(
            DiagCode::Bands,
            &b.span,
            None,
            format!(
                "bands must satisfy 0 < medium < high (got medium = {}, high = {})",
                b.medium, b.high
            ),
        );
    }

    // Lists: names unique across files.
    let mut lists: Vec<RefList> = Vec::new();
    let mut list_origin: Vec<(usize, Range<usize>)> = Vec::new();
    for raw in c.lists {
        if let Some(i) = lists.iter().position(|l| l.name == raw.name) {
            let (f, s) = &list_origin[i];
            let (first_line, _) = sinks[*f].position(s.start);
            let first_file = sinks[*f].file.to_owned();
            sinks[raw.file].error(
                DiagCode::DuplicateList,
                &raw.name_span,
                Some(&format!("list {}", raw.name)),
                format!("list `{}` is already defined at {first_file}:{first_line}", raw.name),
            );
            continue;
        }
        lists.push(raw.list);
        list_origin.push((raw.file, raw.name_span));
    }
    let mut used_lists = vec![false; lists.len()];

    // Rules.
    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: Vec<(String, usize, Range<usize>)> = Vec::new();
    let mut ok = true;
    for raw in c.rules {
        let first = seen.iter().find(|(id, _, _)| *id == raw.id && id != "?").map(|(_, f, s)| {
            let (line, _) = sinks[*f].position(s.start);
            format!("{}:{line}", sinks[*f].file)
        });
        let sink = &mut sinks[raw.file];
        let ctx = format!("rule {}", raw.id);
        if let Some(first) = first {
            sink.error(
                DiagCode::DuplicateRule,
                &raw.id_span,
                Some(&ctx),
                format!("duplicate rule id `{}` (first defined at {first})", raw.id),
            );
            ok = false;
        }
        seen.push((raw.id.clone(), raw.file, raw.id_span.clone()));

        let condition = raw.condition.as_ref().and_then(|t| check_condition(sink, &ctx, t, &lists));
        let applies = raw.applies_when.as_ref().map(|t| check_condition(sink, &ctx, t, &lists));
        let explain_id = raw.explain_id.as_ref().and_then(|t| check_template(sink, &ctx, t));
        let explain_en = raw.explain_en.as_ref().and_then(|t| check_template(sink, &ctx, t));

        // Weight rules by kind.
        let kind = raw.kind;
        match (kind, &raw.weight) {
            (Some(RuleKind::HardCheck), Some((w, span))) if *w != 0 => {
                sink.error(
                    DiagCode::BadValue,
                    span,
                    Some(&ctx),
                    "a hard_check is not scored: remove `weight` (or set it to 0)",
                );
                ok = false;
            }
            (Some(k), None) if k.is_scored() => {
                sink.error(DiagCode::MissingKey, &raw.span, Some(&ctx), "missing key `weight`");
                ok = false;
            }
            _ => {}
        }
        let mut facts: Vec<FactId> = Vec::new();
        let weight_from = match &raw.weight_from {
            None => None,
            Some((list, keys, span)) => {
                if kind == Some(RuleKind::HardCheck) {
                    sink.error(
                        DiagCode::BadValue,
                        span,
                        Some(&ctx),
                        "a hard_check is not scored: remove `weight_from`",
                    );
                }
                let index = lists.iter().position(|l| l.name == list.value);
                let mut key_ids = Vec::new();
                match index {
                    None => {
                        let hint = suggest(&list.value, lists.iter().map(|l| l.name.as_str()));
                        sink.error(
                            DiagCode::UnknownList,
                            &list.span,
                            Some(&ctx),
                            format!("unknown list `{}`{hint}", list.value),
                        );
                    }
                    Some(i) => {
                        used_lists[i] = true;
                        if lists[i].kind == ListKind::Requirements {
                            sink.error(
                                DiagCode::TypeMismatch,
                                &list.span,
                                Some(&ctx),
                                format!("list `{}` holds requirements, not weights", list.value),
                            );
                        }
                    }
                }
                for key in keys {
                    match FactId::from_name(&key.value) {
                        None => sink.error(
                            DiagCode::UnknownFact,
                            &key.span,
                            Some(&ctx),
                            format!(
                                "unknown fact `{}`{}",
                                key.value,
                                suggest(
                                    &key.value,
                                    crate::facts::VOCABULARY.iter().map(|d| d.name)
                                )
                            ),
                        ),
                        Some(id) => {
                            if let Some(i) = index
                                && !lists[i].kind.accepts(id.def().ty)
                            {
                                sink.error(
                                    DiagCode::TypeMismatch,
                                    &key.span,
                                    Some(&ctx),
                                    format!(
                                        "list `{}` holds {}; `{}` is {}",
                                        list.value,
                                        lists[i].kind.name(),
                                        id.name(),
                                        id.def().ty.name()
                                    ),
                                );
                            }
                            key_ids.push(id);
                            facts.push(id);
                        }
                    }
                }
                if keys.is_empty() {
                    sink.error(
                        DiagCode::MissingKey,
                        span,
                        Some(&ctx),
                        "`weight_from.keys` is empty",
                    );
                }
                index.map(|i| WeightFrom { list: list.value.clone(), list_index: i, keys: key_ids })
            }
        };

        let (Some(kind), Some(confidence), Some(Some(expr)), Some(explain_id), Some(explain_en)) = (
            kind,
            raw.confidence,
            condition.as_ref().map(|c| c.expr.clone()),
            explain_id,
            explain_en,
        ) else {
            ok = false;
            continue;
        };
        let applies_expr = match &applies {
            None => None,
            Some(Some(Checked { expr: Some(e), .. })) => Some(e.clone()),
            Some(_) => {
                ok = false;
                continue;
            }
        };
        // Facts read by the rule: applies_when, condition, weight keys, templates.
        let mut all_facts: Vec<FactId> = Vec::new();
        let mut add = |ids: &[FactId]| {
            for id in ids {
                if !all_facts.contains(id) {
                    all_facts.push(*id);
                }
            }
        };
        if let Some(Some(a)) = &applies {
            add(&a.facts);
        }
        if let Some(c) = &condition {
            add(&c.facts);
        }
        add(&facts);
        for checked in
            [condition.as_ref(), applies.as_ref().and_then(Option::as_ref)].into_iter().flatten()
        {
            for &i in &checked.lists {
                used_lists[i] = true;
            }
        }
        if raw.validity.from.is_some_and(|f| raw.validity.to.is_some_and(|t| t < f)) {
            ok = false;
        }
        rules.push(Rule {
            shared_id: raw.id.as_str().into(),
            id: raw.id,
            kind,
            title_id: raw.title_id,
            title_en: raw.title_en,
            legal_basis: raw.legal_basis,
            sources: raw.sources,
            confidence,
            validity: raw.validity,
            weight: raw.weight.map_or(0, |w| w.0),
            weight_from,
            condition: raw.condition.map(|s| s.value).unwrap_or_default(),
            applies_when: raw.applies_when.map(|s| s.value),
            explain_id,
            explain_en,
            facts: all_facts,
            expr,
            applies: applies_expr,
        });
    }
    for (i, used) in used_lists.iter().enumerate() {
        if !used {
            let (f, s) = &list_origin[i];
            sinks[*f].warning(
                DiagCode::Suspicious,
                s,
                Some(&format!("list {}", lists[i].name)),
                format!("list `{}` is not used by any rule", lists[i].name),
            );
        }
    }
    if rules.is_empty() && ok {
        if let Some(s) = sinks.first_mut() {
            s.error(DiagCode::MissingKey, &(0..0), None, "the rule set has no `[[rule]]`");
        }
        ok = false;
    }
    let (header, bands) = (header?, bands?);
    ok.then(|| {
        RuleSet::new(header.info, Bands { medium: bands.medium, high: bands.high }, rules, lists)
    })
}

/// Exactly one of `items` (the `[rule_set]` or `[bands]` section); reports none or several.
fn one_of<T>(
    sinks: &mut [Sink<'_>],
    mut items: Vec<T>,
    what: &str,
    at: impl Fn(&T) -> (usize, Range<usize>),
) -> Option<T> {
    if items.is_empty() {
        if let Some(s) = sinks.first_mut() {
            s.error(
                DiagCode::RuleSetHeader,
                &(0..0),
                None,
                format!("no {what} section in the rule set"),
            );
        }
        return None;
    }
    for extra in &items[1..] {
        let (f, span) = at(extra);
        sinks[f].error(
            DiagCode::RuleSetHeader,
            &span,
            None,
            format!("{what} given more than once"),
        );
    }
    if items.len() > 1 {
        return None;
    }
    items.pop()
}
