//! Typed access to the spanned TOML tree: reading keys of a table with their locations and
//! reporting wrong types, bad dates and unknown keys.

use std::ops::Range;

use time::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{DiagCode, Sink, suggest};
use crate::validity::{Validity, parse_date};

pub(super) type Table<'i> = DeTable<'i>;
pub(super) type Val<'i> = Spanned<DeValue<'i>>;

/// A string value with its location; `content` is the byte offset where the decoded text
/// starts in the file when the decoding is exact (no escapes), for pointing into conditions.
#[derive(Clone, Debug)]
pub(super) struct Str {
    pub(super) value: String,
    pub(super) span: Range<usize>,
    pub(super) content: Option<usize>,
}

impl Str {
    pub(super) fn at(&self, offset: usize) -> Range<usize> {
        match self.content {
            Some(start) => start + offset..start + offset,
            None => self.span.clone(),
        }
    }
}

pub(super) fn type_name(v: &DeValue<'_>) -> &'static str {
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
pub(super) struct Reader<'s, 'a, 't, 'i> {
    pub(super) sink: &'s mut Sink<'a>,
    pub(super) table: &'t Table<'i>,
    pub(super) span: Range<usize>,
    pub(super) ctx: Option<String>,
}

impl<'t, 'i> Reader<'_, '_, 't, 'i> {
    pub(super) fn raw(&self, key: &str) -> Option<&'t Val<'i>> {
        self.table.get(key)
    }

    pub(super) fn missing(&mut self, key: &str) {
        let ctx = self.ctx.clone();
        self.sink.error(
            DiagCode::MissingKey,
            &self.span.clone(),
            ctx.as_deref(),
            format!("missing key `{key}`"),
        );
    }

    pub(super) fn wrong(&mut self, key: &str, v: &Val<'_>, expected: &str) {
        let ctx = self.ctx.clone();
        self.sink.error(
            DiagCode::WrongType,
            &v.span(),
            ctx.as_deref(),
            format!("`{key}` must be {expected}, not {}", type_name(v.get_ref())),
        );
    }

    pub(super) fn string(&mut self, key: &str, required: bool) -> Option<Str> {
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

    pub(super) fn text(&mut self, key: &str, required: bool) -> Option<String> {
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

    pub(super) fn int(&mut self, key: &str) -> Option<(i64, Range<usize>)> {
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

    pub(super) fn date(&mut self, key: &str) -> Option<(Date, Range<usize>)> {
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

    pub(super) fn validity(&mut self) -> Validity {
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

    pub(super) fn strings(&mut self, key: &str) -> Option<Vec<Str>> {
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

    pub(super) fn finish(&mut self, allowed: &[&str]) {
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
pub(super) fn content_start(text: &str, span: &Range<usize>, decoded: &str) -> Option<usize> {
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
