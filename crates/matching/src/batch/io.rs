//! CSV in and out for batch linking: input files mapped onto the model's columns by header
//! (canonical names and aliases, any case), the clusters file and the scored-pairs file.

use std::io::{Read, Write};

use ahash::AHashSet;

use crate::error::LinkError;
use crate::level::Level;
use crate::model::Model;
use crate::record::{Record, RecordBuilder};

/// One input file.
#[derive(Debug)]
pub struct Input<R> {
    /// Name used in error messages (usually the path).
    pub name: String,
    /// The CSV text.
    pub reader: R,
}

impl<R: Read> Input<R> {
    /// An input with a name for messages.
    pub fn new(name: impl Into<String>, reader: R) -> Self {
        Self { name: name.into(), reader }
    }
}

/// Reads records from CSV inputs: one input deduplicates, two link the first to the
/// second. Columns the model does not use are ignored. Returns the records and, for two
/// inputs, the side (0 or 1) of each record.
pub fn read_inputs<R: Read>(
    model: &Model,
    inputs: Vec<Input<R>>,
) -> Result<(Vec<Record>, Vec<u8>), LinkError> {
    if inputs.is_empty() || inputs.len() > 2 {
        return Err(LinkError::InputCount { count: inputs.len() });
    }
    let link_mode = inputs.len() == 2;
    let mut records = Vec::new();
    let mut sides = Vec::new();
    let mut seen: AHashSet<String> = AHashSet::new();
    for (side, input) in inputs.into_iter().enumerate() {
        let csv_error = |source| LinkError::Csv { source_name: input.name.clone(), source };
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input.reader);
        let headers = reader.headers().map_err(csv_error)?.clone();
        let id_position = headers.iter().position(|h| model.is_id_column(h)).ok_or_else(|| {
            LinkError::MissingIdColumn {
                source_name: input.name.clone(),
                column: model.id_column().to_owned(),
            }
        })?;
        let mapping: Vec<Option<usize>> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| if i == id_position { None } else { model.column_index(h) })
            .collect();
        for (row_index, row) in reader.records().enumerate() {
            let row = row.map_err(csv_error)?;
            let row_number = row_index as u64 + 2;
            let id = row.get(id_position).unwrap_or("").trim();
            if id.is_empty() {
                return Err(LinkError::EmptyId {
                    source_name: input.name.clone(),
                    row: row_number,
                });
            }
            if !seen.insert(id.to_owned()) {
                return Err(LinkError::DuplicateId {
                    source_name: input.name.clone(),
                    row: row_number,
                    id: id.to_owned(),
                });
            }
            let mut builder = RecordBuilder::new(model, id);
            for (cell, column) in row.iter().zip(&mapping) {
                if let Some(column) = column {
                    builder.set_index(*column, cell);
                }
            }
            let record = builder.build().map_err(|_| LinkError::EmptyId {
                source_name: input.name.clone(),
                row: row_number,
            })?;
            records.push(record);
            if link_mode {
                sides.push(side as u8);
            }
        }
    }
    Ok((records, sides))
}

/// Writes `id_column,person_id`, one line per record.
pub fn write_clusters<W: Write>(
    model: &Model,
    ids: impl Iterator<Item = impl AsRef<str>>,
    persons: &[String],
    writer: W,
) -> Result<(), LinkError> {
    let write_error = |source| LinkError::Write { what: "clusters", source };
    let mut out = csv::Writer::from_writer(writer);
    out.write_record([model.id_column(), "person_id"]).map_err(|e| write_error(e.into()))?;
    for (id, person) in ids.zip(persons) {
        out.write_record([id.as_ref(), person.as_str()]).map_err(|e| write_error(e.into()))?;
    }
    out.flush().map_err(write_error)
}

/// One line of the pairs file.
pub struct PairLine<'a> {
    /// Left record id.
    pub left: &'a str,
    /// Right record id.
    pub right: &'a str,
    /// Match weight in bits, prior included.
    pub match_weight: f64,
    /// Match probability.
    pub probability: f64,
    /// Comparison level per model field.
    pub levels: Vec<Level>,
}

/// Writes `id_l,id_r,match_weight,probability,<field levels...>`.
pub fn write_pairs<'a, W: Write>(
    model: &Model,
    lines: impl Iterator<Item = PairLine<'a>>,
    writer: W,
) -> Result<(), LinkError> {
    let write_error = |source| LinkError::Write { what: "pairs", source };
    let mut out = csv::Writer::from_writer(writer);
    let mut header = vec![
        "id_l".to_owned(),
        "id_r".to_owned(),
        "match_weight".to_owned(),
        "probability".to_owned(),
    ];
    header.extend(model.fields().iter().map(|f| f.name.clone()));
    out.write_record(&header).map_err(|e| write_error(e.into()))?;
    for line in lines {
        let mut row = vec![
            line.left.to_owned(),
            line.right.to_owned(),
            format!("{:.3}", line.match_weight),
            format!("{:.6}", line.probability),
        ];
        row.extend(line.levels.iter().map(|l| l.as_str().to_owned()));
        out.write_record(&row).map_err(|e| write_error(e.into()))?;
    }
    out.flush().map_err(write_error)
}
