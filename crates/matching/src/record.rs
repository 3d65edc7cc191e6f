//! Records: raw (column -> text) as handed in by a caller or a CSV row, and prepared
//! (normalised once, packed into one string arena) as stored in the index and compared.

use std::borrow::Cow;
use std::cell::RefCell;

use crate::error::RecordError;
use crate::model::{Kind, Model};
use crate::name::JoinedName;
use crate::value;

/// A record as given: an id and one optional text value per model input column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    id: String,
    values: Vec<Option<String>>,
}

/// Builds a [`Record`] from (column name, value) pairs, by name or alias, any case.
#[derive(Debug)]
pub struct RecordBuilder<'m> {
    model: &'m Model,
    id: String,
    values: Vec<Option<String>>,
}

impl<'m> RecordBuilder<'m> {
    /// Starts a record with this id.
    pub fn new(model: &'m Model, id: impl Into<String>) -> Self {
        Self { model, id: id.into(), values: vec![None; model.columns().len()] }
    }

    /// Sets a column; blank values count as missing.
    pub fn set(&mut self, column: &str, value: &str) -> Result<&mut Self, RecordError> {
        let index = self.model.column_index(column).ok_or_else(|| RecordError::UnknownField {
            field: column.to_owned(),
            model: self.model.name().to_owned(),
        })?;
        self.set_index(index, value);
        Ok(self)
    }

    /// Sets a column by its position in [`Model::columns`]. Out-of-range positions are
    /// ignored.
    pub fn set_index(&mut self, index: usize, value: &str) -> &mut Self {
        let trimmed = value.trim();
        if let Some(slot) = self.values.get_mut(index) {
            *slot = (!trimmed.is_empty()).then(|| trimmed.to_owned());
        }
        self
    }

    /// Finishes the record.
    pub fn build(self) -> Result<Record, RecordError> {
        let id = self.id.trim().to_owned();
        if id.is_empty() {
            return Err(RecordError::EmptyId);
        }
        Ok(Record { id, values: self.values })
    }
}

impl Record {
    /// A record from (column name, value) pairs; unknown columns are an error.
    pub fn from_pairs<'a>(
        model: &Model,
        id: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, RecordError> {
        let mut builder = RecordBuilder::new(model, id);
        for (column, value) in pairs {
            builder.set(column, value)?;
        }
        builder.build()
    }

    /// The record id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The raw value of an input column by position.
    pub fn value(&self, column: usize) -> Option<&str> {
        self.values.get(column).and_then(|v| v.as_deref())
    }
}

/// A prepared field value; strings live in the record's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Value {
    Missing,
    Text { start: u32, len: u16 },
    Name { start: u32, literal: u16, equivalent: u16, close: u16 },
    Date(u32),
}

/// The three forms of a prepared name, tokens separated by single spaces, and the close
/// keys of its alias (empty when none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameView<'a> {
    pub literal: &'a str,
    pub equivalent: &'a str,
    pub close: &'a str,
    pub alias: &'a str,
}

/// Separates a name's close keys from its alias's in the arena (keys are letters and
/// spaces only), so that a name without an alias costs nothing more.
const ALIAS_SEPARATOR: char = '|';

/// A record normalised for comparison: all strings packed in one arena (id first), one
/// small value per model field, and the term-frequency key of each field that has one
/// (hashed once here rather than for every pair that agrees on it). About 40 bytes plus
/// the text and the keys per record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PreparedRecord {
    arena: Box<str>,
    id_len: u16,
    values: Box<[Value]>,
    /// One per `term_frequency` field, in field order; `NO_FREQUENCY_KEY` when missing.
    frequency_keys: Box<[u64]>,
}

/// Stands for "no value" among [`PreparedRecord`]'s frequency keys.
const NO_FREQUENCY_KEY: u64 = 0;

impl PreparedRecord {
    /// The record id.
    pub fn id(&self) -> &str {
        &self.arena[..usize::from(self.id_len)]
    }

    /// The term-frequency key of the `slot`-th `term_frequency` field (see
    /// [`crate::comparison::frequency_key`]).
    pub(crate) fn frequency_key(&self, slot: usize) -> Option<u64> {
        self.frequency_keys.get(slot).copied().filter(|&key| key != NO_FREQUENCY_KEY)
    }

    pub(crate) fn value(&self, field: usize) -> Value {
        self.values.get(field).copied().unwrap_or(Value::Missing)
    }

    pub(crate) fn text(&self, field: usize) -> Option<&str> {
        match self.value(field) {
            Value::Text { start, len } => Some(self.slice(start, len)),
            _ => None,
        }
    }

    pub(crate) fn name(&self, field: usize) -> Option<NameView<'_>> {
        match self.value(field) {
            Value::Name { start, literal, equivalent, close } => {
                let literal_text = self.slice(start, literal);
                let equivalent_start = start + u32::from(literal);
                let close_start = equivalent_start + u32::from(equivalent);
                let close_text = self.slice(close_start, close);
                let (close, alias) =
                    close_text.split_once(ALIAS_SEPARATOR).unwrap_or((close_text, ""));
                Some(NameView {
                    literal: literal_text,
                    equivalent: self.slice(equivalent_start, equivalent),
                    close,
                    alias,
                })
            }
            _ => None,
        }
    }

    pub(crate) fn date(&self, field: usize) -> Option<u32> {
        match self.value(field) {
            Value::Date(packed) => Some(packed),
            _ => None,
        }
    }

    /// Whether the field has a value.
    pub fn has_value(&self, field: usize) -> bool {
        self.value(field) != Value::Missing
    }

    /// The prepared value of a field as shown in explanations: the folded text, the name
    /// tokens as written, the date as `YYYY-MM-DD`; empty when missing.
    pub fn display(&self, field: usize) -> String {
        match self.value(field) {
            Value::Missing => String::new(),
            Value::Text { start, len } => self.slice(start, len).to_owned(),
            Value::Name { start, literal, .. } => self.slice(start, literal).to_owned(),
            Value::Date(packed) => value::format_date(packed),
        }
    }

    /// Approximate heap bytes held by this record.
    pub fn heap_bytes(&self) -> usize {
        self.arena.len()
            + self.values.len() * std::mem::size_of::<Value>()
            + self.frequency_keys.len() * std::mem::size_of::<u64>()
    }

    /// Heap allocations behind this record (the text arena, the values, the frequency
    /// keys when the model has any), for memory accounting.
    pub(crate) fn allocations(&self) -> usize {
        2 + usize::from(!self.frequency_keys.is_empty())
    }

    /// Reads a byte about every 64 (a cache line) of what comparing this record reads
    /// (its values, its text, its frequency keys) and returns them mixed, so that a caller
    /// can start fetching several records from memory at once before comparing them.
    pub(crate) fn touch(&self) -> u8 {
        const LINE: usize = 64;
        let mut mixed = 0u8;
        for byte in self.arena.as_bytes().iter().step_by(LINE) {
            mixed ^= byte;
        }
        for value in self.values.iter().step_by(LINE / std::mem::size_of::<Value>()) {
            mixed ^= u8::from(*value == Value::Missing);
        }
        for key in self.frequency_keys.iter().step_by(LINE / 8) {
            mixed ^= *key as u8;
        }
        mixed
    }

    fn slice(&self, start: u32, len: u16) -> &str {
        let start = start as usize;
        self.arena.get(start..start + usize::from(len)).unwrap_or("")
    }
}

/// Longest string kept per prepared part; longer text is cut at a character boundary.
const MAX_PART: usize = 1024;

/// Buffers reused by [`Model::prepare`] on each thread.
#[derive(Default)]
struct Scratch {
    arena: String,
    name: JoinedName,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Model {
    /// Normalises a record for comparison.
    pub fn prepare(&self, record: &Record) -> PreparedRecord {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.prepare_with(record, &mut scratch),
            // Re-entered on this thread (not done today): fresh buffers.
            Err(_) => self.prepare_with(record, &mut Scratch::default()),
        })
    }

    fn prepare_with(&self, record: &Record, scratch: &mut Scratch) -> PreparedRecord {
        let Scratch { arena, name } = scratch;
        arena.clear();
        push_capped(arena, &record.id);
        let id_len = u16::try_from(arena.len()).unwrap_or(u16::MAX);
        let mut patronyms: Vec<Option<String>> = Vec::new();
        let mut values = Vec::with_capacity(self.fields().len());
        for (position, field) in self.fields().iter().enumerate() {
            let raw = joined_value(record, &field.columns);
            let value = match field.kind {
                Kind::Name => {
                    match raw.as_deref() {
                        Some(raw) => self.normaliser().normalise_joined(raw, name, None),
                        None => name.literal.clear(),
                    }
                    if name.is_empty()
                        && let Some(source) = field.patronym_from
                        && let Some(father) = patronyms.get(source).and_then(Option::as_deref)
                    {
                        self.normaliser().normalise_joined(father, name, None);
                    }
                    if name.is_empty() {
                        Value::Missing
                    } else {
                        if !name.patronym.is_empty() {
                            if patronyms.len() <= position {
                                patronyms.resize(position + 1, None);
                            }
                            patronyms[position] = Some(name.patronym.clone());
                        }
                        let start = offset(arena);
                        let literal = push_capped(arena, &name.literal);
                        let equivalent = push_capped(arena, &name.equivalent);
                        let close = if name.alias.is_empty() {
                            push_capped(arena, &name.close)
                        } else {
                            let with_alias =
                                format!("{}{ALIAS_SEPARATOR}{}", name.close, name.alias);
                            push_capped(arena, &with_alias)
                        };
                        Value::Name { start, literal, equivalent, close }
                    }
                }
                Kind::Date => {
                    raw.as_deref().and_then(value::parse_date).map_or(Value::Missing, Value::Date)
                }
                Kind::Text => match raw.as_deref() {
                    Some(raw) => {
                        let start = offset(arena);
                        crate::text::fold_into(raw, arena);
                        cap_appended(arena, start)
                    }
                    None => Value::Missing,
                },
                Kind::Code | Kind::Category => {
                    text_value(arena, raw.map(|r| crate::text::alphanumeric_upper(&r)))
                }
                Kind::Nik | Kind::Region => match raw.as_deref() {
                    Some(raw) => {
                        let start = offset(arena);
                        arena.extend(raw.chars().filter(char::is_ascii_digit));
                        // A NIK is compared as its digit string even when it is not valid
                        // (kept as written from a legacy sheet); a placeholder is no NIK.
                        if field.kind == Kind::Nik
                            && value::is_placeholder_nik(&arena[start as usize..])
                        {
                            arena.truncate(start as usize);
                        }
                        cap_appended(arena, start)
                    }
                    None => Value::Missing,
                },
                Kind::Phone => text_value(arena, raw.as_deref().and_then(value::national_phone)),
            };
            values.push(value);
        }
        let mut prepared = PreparedRecord {
            arena: Box::from(arena.as_str()),
            id_len,
            values: values.into_boxed_slice(),
            frequency_keys: Box::new([]),
        };
        prepared.frequency_keys = self
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, field)| field.term_frequency)
            .map(|(index, field)| {
                crate::comparison::hash_frequency_key(field, index, &prepared)
                    .map_or(NO_FREQUENCY_KEY, |key| key.max(1))
            })
            .collect();
        prepared
    }
}

fn joined_value<'r>(record: &'r Record, columns: &[usize]) -> Option<Cow<'r, str>> {
    let mut parts = columns.iter().filter_map(|&c| record.value(c));
    let first = parts.next()?;
    let Some(second) = parts.next() else {
        return Some(Cow::Borrowed(first));
    };
    let mut joined = first.to_owned();
    for part in std::iter::once(second).chain(parts) {
        joined.push(' ');
        joined.push_str(part);
    }
    Some(Cow::Owned(joined))
}

/// The text appended to the arena since `start` as a value (missing when empty), cut to
/// [`MAX_PART`] bytes on a character boundary.
fn cap_appended(arena: &mut String, start: u32) -> Value {
    let start_index = start as usize;
    let mut end = arena.len().min(start_index + MAX_PART);
    while !arena.is_char_boundary(end) {
        end -= 1;
    }
    arena.truncate(end);
    if end == start_index {
        Value::Missing
    } else {
        Value::Text { start, len: u16::try_from(end - start_index).unwrap_or(u16::MAX) }
    }
}

fn offset(arena: &str) -> u32 {
    u32::try_from(arena.len()).unwrap_or(u32::MAX)
}

fn text_value(arena: &mut String, text: Option<String>) -> Value {
    match text {
        Some(text) if !text.is_empty() => {
            let start = offset(arena);
            let len = push_capped(arena, &text);
            Value::Text { start, len }
        }
        _ => Value::Missing,
    }
}

/// Appends at most [`MAX_PART`] bytes of `text` (cut on a character boundary) and returns
/// the appended length.
fn push_capped(arena: &mut String, text: &str) -> u16 {
    let mut end = text.len().min(MAX_PART);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    arena.push_str(&text[..end]);
    u16::try_from(end).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model::interchange().unwrap()
    }

    #[test]
    fn prepared_values_are_normalised_per_kind() {
        let model = model();
        let record = Record::from_pairs(
            &model,
            "A-1",
            [
                ("nama_lengkap", "Hj. Siti Aminah binti Karto"),
                ("nik", "1801-0447-0390-0002"),
                ("tanggal_lahir", "07/03/1990"),
                ("phone", "+62 812 3456 789"),
                ("sex", "p"),
            ],
        )
        .unwrap();
        let prepared = model.prepare(&record);
        let field = |name: &str| model.fields().iter().position(|f| f.name == name).unwrap();
        assert_eq!(prepared.id(), "A-1");
        assert_eq!(prepared.display(field("full_name")), "siti aminah");
        assert_eq!(prepared.display(field("nik")), "1801044703900002");
        assert_eq!(prepared.display(field("birth_date")), "1990-03-07");
        assert_eq!(prepared.display(field("phone")), "8123456789");
        assert_eq!(prepared.display(field("sex")), "P");
        assert_eq!(
            prepared.display(field("father_name")),
            "karto",
            "patronym stands in for the father"
        );
        assert!(!prepared.has_value(field("mother_name")));
    }

    #[test]
    fn unknown_columns_and_empty_ids_are_errors() {
        let model = model();
        let err = Record::from_pairs(&model, "A", [("nama", "x")]).unwrap_err();
        assert!(matches!(err, RecordError::UnknownField { ref field, .. } if field == "nama"));
        assert_eq!(Record::from_pairs(&model, "  ", []).unwrap_err(), RecordError::EmptyId);
    }
}
