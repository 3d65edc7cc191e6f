//! CSV in and out for batch linking: input files mapped onto the model's columns by header
//! (canonical names and aliases, any case), the clusters file and the scored-pairs file.
//!
//! Ids come from the input files, so they are written through `text::csv_safe` (a spreadsheet
//! must not run an id such as `=HYPERLINK(..)` as a formula) and read through `csv_unquote`:
//! a file Jejak wrote reads back as the ids it was written from.

use std::io::{self, Read, Write};

use ahash::AHashSet;
use jejak_domain::text::{csv_safe, csv_unquote};
use rayon::prelude::*;

use crate::comparison::hasher_seed;
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

/// Bytes of CSV text per piece parsed as one task.
pub(crate) const PIECE_BYTES: usize = 1 << 20;

/// Reads records from CSV inputs: one input deduplicates, two link the first to the
/// second. Columns the model does not use are ignored. Returns the records and, for two
/// inputs, the side (0 or 1) of each record.
///
/// Each input is read into memory and parsed on all cores in pieces; any problem (a CSV
/// error, an empty or duplicate id, a read error) sends the inputs through the serial
/// reader instead, which reports it exactly as it meets it.
pub fn read_inputs<R: Read>(
    model: &Model,
    inputs: Vec<Input<R>>,
) -> Result<(Vec<Record>, Vec<u8>), LinkError> {
    if inputs.is_empty() || inputs.len() > 2 {
        return Err(LinkError::InputCount { count: inputs.len() });
    }
    let link_mode = inputs.len() == 2;
    read_texts(model, read_fully(inputs), link_mode, PIECE_BYTES)
}

/// An input read into memory: its text and the read error that cut it short, if any.
pub(crate) struct InputText {
    name: String,
    text: Text,
}

/// The bytes of a file read into memory and the read error that ended it early, if any.
pub(crate) struct Text {
    pub(crate) bytes: Vec<u8>,
    pub(crate) failure: Option<io::Error>,
}

impl Text {
    /// Reads everything `reader` gives.
    pub(crate) fn read(mut reader: impl Read) -> Self {
        let mut bytes = Vec::new();
        let failure = reader.read_to_end(&mut bytes).err();
        Self { bytes, failure }
    }

    /// The text again as a reader, failing at its end as the original did.
    pub(crate) fn replay(&mut self) -> impl Read + '_ {
        self.bytes.as_slice().chain(ReplayedFailure(self.failure.take()))
    }
}

/// Ends a replayed text with the read error that cut the original short.
struct ReplayedFailure(Option<io::Error>);

impl Read for ReplayedFailure {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(error) => Err(error),
            None => Ok(0),
        }
    }
}

/// Reads the inputs into memory, stopping after one that fails (the serial reader would
/// not get past it).
pub(crate) fn read_fully<R: Read>(inputs: Vec<Input<R>>) -> Vec<InputText> {
    let mut texts = Vec::with_capacity(inputs.len());
    for input in inputs {
        let text = Text::read(input.reader);
        let failed = text.failure.is_some();
        texts.push(InputText { name: input.name, text });
        if failed {
            break;
        }
    }
    texts
}

/// [`read_inputs`] over texts already in memory.
pub(crate) fn read_texts(
    model: &Model,
    texts: Vec<InputText>,
    link_mode: bool,
    piece_bytes: usize,
) -> Result<(Vec<Record>, Vec<u8>), LinkError> {
    read_texts_as(model, texts, link_mode, piece_bytes, |record| record, Record::id)
}

/// [`read_texts`] turning each record into a `T` (such as a prepared record) as soon as
/// it is read, on the thread that read it.
pub(crate) fn read_texts_as<T: Send + Sync>(
    model: &Model,
    mut texts: Vec<InputText>,
    link_mode: bool,
    piece_bytes: usize,
    convert: impl Fn(Record) -> T + Sync,
    id_of: impl Fn(&T) -> &str + Sync,
) -> Result<(Vec<T>, Vec<u8>), LinkError> {
    if texts.iter().all(|input| input.text.failure.is_none())
        && let Some(read) = read_in_pieces(model, &texts, link_mode, piece_bytes, &convert, id_of)
    {
        return Ok(read);
    }
    let inputs =
        texts.iter_mut().map(|input| Input::new(input.name.clone(), input.text.replay())).collect();
    let (records, sides) = read_serially(model, inputs, link_mode)?;
    Ok((records.into_par_iter().map(&convert).collect(), sides))
}

/// The header of one input: where the id is and which model column each other column
/// feeds.
struct Columns {
    width: usize,
    id_position: usize,
    mapping: Vec<Option<usize>>,
}

impl Columns {
    fn new(model: &Model, name: &str, headers: &csv::StringRecord) -> Result<Self, LinkError> {
        let id_position = headers.iter().position(|h| model.is_id_column(h)).ok_or_else(|| {
            LinkError::MissingIdColumn {
                source_name: name.to_owned(),
                column: model.id_column().to_owned(),
            }
        })?;
        let mapping = headers
            .iter()
            .enumerate()
            .map(|(i, h)| if i == id_position { None } else { model.column_index(h) })
            .collect();
        Ok(Self { width: headers.len(), id_position, mapping })
    }

    /// The id of one row (trimmed, a neutralising quote taken off; empty when missing).
    fn id<'r>(&self, row: &'r csv::StringRecord) -> &'r str {
        csv_unquote(row.get(self.id_position).unwrap_or("").trim())
    }

    /// The record of one row; `None` when its id is empty.
    fn record(&self, model: &Model, row: &csv::StringRecord) -> Option<Record> {
        let id = self.id(row);
        if id.is_empty() {
            return None;
        }
        let mut builder = RecordBuilder::new(model, id);
        for (cell, column) in row.iter().zip(&self.mapping) {
            if let Some(column) = column {
                builder.set_index(*column, csv_unquote(cell));
            }
        }
        builder.build().ok()
    }
}

/// The fast path of [`read_texts_as`]: every input parsed in pieces on all cores. `None`
/// as soon as anything is wrong, for the serial reader to report.
fn read_in_pieces<T: Send + Sync>(
    model: &Model,
    texts: &[InputText],
    link_mode: bool,
    piece_bytes: usize,
    convert: &(impl Fn(Record) -> T + Sync),
    id_of: impl Fn(&T) -> &str + Sync,
) -> Option<(Vec<T>, Vec<u8>)> {
    let mut records = Vec::new();
    let mut sides = Vec::new();
    for (side, input) in texts.iter().enumerate() {
        let bytes = input.text.bytes.as_slice();
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let headers = reader.headers().ok()?.clone();
        let columns = Columns::new(model, &input.name, &headers).ok()?;
        let body = bytes.get(usize::try_from(reader.position().byte()).ok()?..)?;
        let read = parse_in_pieces(body, columns.width, piece_bytes, |row, records| {
            columns.record(model, row).map(|record| records.push(convert(record))).is_some()
        })?;
        if records.is_empty() {
            records = read;
        } else {
            records.extend(read);
        }
        if link_mode {
            sides.resize(records.len(), side as u8);
        }
    }
    (!may_repeat_ids(&records, id_of)).then_some((records, sides))
}

/// Whether two records may share an id: true when two ids hash alike (the serial reader
/// then tells a repeated id from a hash collision).
fn may_repeat_ids<T: Sync>(records: &[T], id_of: impl Fn(&T) -> &str + Sync) -> bool {
    let seed = hasher_seed();
    let mut hashes: Vec<u64> = records.par_iter().map(|r| seed.hash_one(id_of(r))).collect();
    hashes.par_sort_unstable();
    hashes.windows(2).any(|pair| pair[0] == pair[1])
}

/// Parses `body`, the text of a CSV file after its header, on all cores in pieces of
/// about `piece_bytes` that start at record boundaries. `row` is given each record in
/// file order (per piece) with the piece's output and returns false to refuse it. `None`
/// when a record has a CSV error, a field count other than `width`, or is refused.
pub(crate) fn parse_in_pieces<T: Send>(
    body: &[u8],
    width: usize,
    piece_bytes: usize,
    row: impl Fn(&csv::StringRecord, &mut Vec<T>) -> bool + Sync,
) -> Option<Vec<T>> {
    let bounds = piece_bounds(body, piece_bytes);
    let pieces: Vec<Option<Vec<T>>> = bounds
        .par_windows(2)
        .map(|bound| {
            let piece = &body[bound[0]..bound[1]];
            let mut reader =
                csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(piece);
            let mut record = csv::StringRecord::new();
            // One output per line at most (unless a quoted field holds line feeds): sized
            // once, the output is not copied to fresh memory again and again as it grows.
            let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', piece).count() + 1);
            while reader.read_record(&mut record).ok()? {
                if record.len() != width || !row(&record, &mut out) {
                    return None;
                }
            }
            Some(out)
        })
        .collect();
    let mut all = Vec::with_capacity(pieces.iter().flatten().map(Vec::len).sum());
    for piece in pieces {
        all.extend(piece?);
    }
    Some(all)
}

/// Offsets dividing `body` (CSV text starting at a record boundary) into pieces of about
/// `piece_bytes` that each start at a record boundary: `0`, the starts, `body.len()`.
///
/// A piece ends after a line feed outside quotes. Quoting follows the `csv` reader: a
/// quote opens a quoted field only at the start of a field (after a comma, a line end or
/// at the start), inside one a doubled quote stands for a quote and a single one closes
/// it; anywhere else a quote is an ordinary character.
pub(crate) fn piece_bounds(body: &[u8], piece_bytes: usize) -> Vec<usize> {
    let piece_bytes = piece_bytes.max(1);
    let mut bounds = vec![0];
    let mut next_cut = piece_bytes;
    // Scanning position, always outside quotes.
    let mut position = 0;
    while position < body.len() {
        let quote = memchr::memchr(b'"', &body[position..]).map(|i| position + i);
        let unquoted_end = quote.unwrap_or(body.len());
        // Every line feed before the next quote ends a record.
        while next_cut < unquoted_end {
            let from = next_cut.max(position);
            let Some(line_feed) = memchr::memchr(b'\n', &body[from..unquoted_end]) else {
                break;
            };
            let start = from + line_feed + 1;
            if start < body.len() {
                bounds.push(start);
            }
            next_cut = start + piece_bytes;
        }
        let Some(quote) = quote else { break };
        let opens_field = quote == 0 || matches!(body[quote - 1], b',' | b'\n' | b'\r');
        position = quote + 1;
        if opens_field {
            position = match closing_quote(body, position) {
                Some(close) => close + 1,
                None => body.len(),
            };
        }
    }
    bounds.push(body.len());
    bounds
}

/// The quote closing a quoted field whose text starts at `from` (doubled quotes are
/// part of the text).
fn closing_quote(body: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let quote = from + memchr::memchr(b'"', body.get(from..)?)?;
        if body.get(quote + 1) == Some(&b'"') {
            from = quote + 2;
        } else {
            return Some(quote);
        }
    }
}

/// The serial reader: row by row, stopping at the first problem with its file and row.
fn read_serially<R: Read>(
    model: &Model,
    inputs: Vec<Input<R>>,
    link_mode: bool,
) -> Result<(Vec<Record>, Vec<u8>), LinkError> {
    let mut records = Vec::new();
    let mut sides = Vec::new();
    let mut seen: AHashSet<String> = AHashSet::new();
    for (side, input) in inputs.into_iter().enumerate() {
        let csv_error = |source| LinkError::Csv { source_name: input.name.clone(), source };
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input.reader);
        let headers = reader.headers().map_err(csv_error)?.clone();
        let columns = Columns::new(model, &input.name, &headers)?;
        for (row_index, row) in reader.records().enumerate() {
            let row = row.map_err(csv_error)?;
            let row_number = row_index as u64 + 2;
            let id = columns.id(&row);
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
            let record = columns.record(model, &row).ok_or_else(|| LinkError::EmptyId {
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

/// Writes `id_column,person_id`, one line per record (both ids from the input, neutralised).
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
        out.write_record([csv_safe(id.as_ref()).as_bytes(), csv_safe(person).as_bytes()])
            .map_err(|e| write_error(e.into()))?;
    }
    out.flush().map_err(write_error)
}

/// Lines of the clusters file formatted per task.
const LINES_PER_PIECE: usize = 1 << 15;

/// [`write_clusters`] with the lines formatted on all cores, piece by piece (the `csv`
/// writer quotes each field on its own, so the bytes are the same).
pub(crate) fn write_clusters_in_pieces<W: Write>(
    model: &Model,
    ids: &[&str],
    persons: &[String],
    mut writer: W,
) -> Result<(), LinkError> {
    let write_error = |source| LinkError::Write { what: "clusters", source };
    let lines = ids.len().min(persons.len());
    let pieces: Vec<Result<Vec<u8>, csv::Error>> = std::iter::once(None)
        .chain((0..lines).step_by(LINES_PER_PIECE).map(Some))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|piece_start| {
            let mut out = csv::Writer::from_writer(Vec::new());
            match piece_start {
                None => out.write_record([model.id_column(), "person_id"])?,
                Some(start) => {
                    let end = (start + LINES_PER_PIECE).min(lines);
                    for (id, person) in ids[start..end].iter().zip(&persons[start..end]) {
                        out.write_record([csv_safe(id).as_bytes(), csv_safe(person).as_bytes()])?;
                    }
                }
            }
            out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
        })
        .collect();
    for piece in pieces {
        writer.write_all(&piece.map_err(|e| write_error(e.into()))?).map_err(write_error)?;
    }
    writer.flush().map_err(write_error)
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

/// Writes `id_l,id_r,match_weight,probability,<field levels...>` (the ids neutralised; the
/// numbers and level names are Jejak's own).
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
            csv_safe(line.left).into_owned(),
            csv_safe(line.right).into_owned(),
            format!("{:.3}", line.match_weight),
            format!("{:.6}", line.probability),
        ];
        row.extend(line.levels.iter().map(|l| l.as_str().to_owned()));
        out.write_record(&row).map_err(|e| write_error(e.into()))?;
    }
    out.flush().map_err(write_error)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every record of `body`, by the `csv` reader on the whole text.
    fn rows(body: &[u8]) -> Vec<csv::ByteRecord> {
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
        reader.byte_records().map(Result::unwrap).collect()
    }

    /// Text made of the characters that matter to CSV splitting.
    fn csv_text(max: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                Just(b'a'),
                Just(b'b'),
                Just(b','),
                Just(b'"'),
                Just(b'\n'),
                Just(b'\r'),
                Just(b' '),
            ],
            0..max,
        )
    }

    /// The outcome of a read, comparable: records or the error message.
    fn outcome(read: Result<(Vec<Record>, Vec<u8>), LinkError>) -> Result<String, String> {
        read.map(|r| format!("{r:?}")).map_err(|e| e.to_string())
    }

    fn texts(files: &[&[u8]]) -> Vec<InputText> {
        files
            .iter()
            .enumerate()
            .map(|(i, bytes)| InputText {
                name: format!("file{i}.csv"),
                text: Text { bytes: bytes.to_vec(), failure: None },
            })
            .collect()
    }

    #[test]
    fn pieces_cut_only_between_records() {
        let body = b"a,\"x\ny\",b\n\"q\"\"\n\",c\nd,e\"f\ng,h\n\r\ni,\"j\"\n";
        for piece_bytes in 1..body.len() + 2 {
            let bounds = piece_bounds(body, piece_bytes);
            let mut pieced = Vec::new();
            for bound in bounds.windows(2) {
                pieced.extend(rows(&body[bound[0]..bound[1]]));
            }
            assert_eq!(pieced, rows(body), "pieces of {piece_bytes}: {bounds:?}");
        }
        assert_eq!(piece_bounds(b"", 4), vec![0, 0]);
    }

    #[test]
    fn the_parallel_read_gives_the_serial_records_and_errors() {
        let model = Model::interchange().unwrap();
        let header = "application_id,full_name,birth_date,nik\n";
        let good = format!(
            "{header}A1,\"Siti\nAminah\",1990-01-02,3201\nA2,\"Budi \"\"B\"\"\",,\n\nA3,Eko,1980-02-03,\r\nA4,x\"y,,\n"
        );
        let cases = [
            good.clone(),
            format!("{header}A1,Siti,,\nA2,Budi,,\nA1,Eko,,\n"),
            format!("{header}A1,Siti,,\n ,Budi,,\n"),
            format!("{header}A1,Siti,,\nA2,Budi,\n"),
            "full_name\nSiti\n".to_owned(),
        ];
        for case in &cases {
            let serial = outcome(read_serially(
                &model,
                vec![Input::new("file0.csv", case.as_bytes())],
                false,
            ));
            for piece_bytes in [1, 7, 1 << 20] {
                let parallel =
                    outcome(read_texts(&model, texts(&[case.as_bytes()]), false, piece_bytes));
                assert_eq!(parallel, serial, "{case:?} in pieces of {piece_bytes}");
            }
        }
        // Two inputs: sides, and an id repeated across them.
        let other = format!("{header}B1,Rina,,\nA2,Budi,,\n");
        for second in [other.as_str(), &good] {
            let serial = outcome(read_serially(
                &model,
                vec![
                    Input::new("file0.csv", good.as_bytes()),
                    Input::new("file1.csv", second.as_bytes()),
                ],
                true,
            ));
            let parallel =
                outcome(read_texts(&model, texts(&[good.as_bytes(), second.as_bytes()]), true, 5));
            assert_eq!(parallel, serial);
        }
    }

    #[test]
    fn a_read_error_is_reported_after_the_text_before_it() {
        let model = Model::interchange().unwrap();
        let text = |bytes: &[u8]| InputText {
            name: "cut.csv".into(),
            text: Text { bytes: bytes.to_vec(), failure: Some(io::Error::other("disk gone")) },
        };
        let cut = outcome(read_texts(&model, vec![text(b"application_id\nA1\n")], false, 4));
        assert!(cut.unwrap_err().contains("disk gone"));
        let earlier = outcome(read_texts(&model, vec![text(b"application_id\n \n")], false, 4));
        assert_eq!(earlier.unwrap_err(), "cut.csv, row 2: empty id");
    }

    /// OWASP's CSV injection rule: an id from an input file that a spreadsheet would run as a
    /// formula is written with a leading `'`, in both output files, and reads back as it was.
    #[test]
    fn ids_that_look_like_formulas_are_neutralised_and_read_back_unchanged() {
        let model = Model::interchange().unwrap();
        let formula = "=HYPERLINK(\"http://x\",\"klik\")";
        let ids = [formula, "@SUM(A1)", "KLA-1"];
        let persons = vec![formula.to_owned(), formula.to_owned(), "KLA-1".to_owned()];
        let mut clusters = Vec::new();
        write_clusters(&model, ids.iter(), &persons, &mut clusters).unwrap();
        let mut pieced = Vec::new();
        write_clusters_in_pieces(&model, &ids, &persons, &mut pieced).unwrap();
        assert_eq!(String::from_utf8_lossy(&pieced), String::from_utf8_lossy(&clusters));
        let mut pairs = Vec::new();
        let line = |left, right| PairLine {
            left,
            right,
            match_weight: -2.5,
            probability: 0.25,
            levels: vec![Level::Exact; model.fields().len()],
        };
        write_pairs(&model, [line(ids[0], ids[1]), line(ids[1], ids[2])].into_iter(), &mut pairs)
            .unwrap();
        for file in [&clusters, &pairs] {
            for row in rows(file).iter().skip(1) {
                for cell in row.iter().take(2) {
                    assert!(cell.starts_with(b"'") || cell == b"KLA-1", "{row:?}");
                }
            }
        }
        let text = String::from_utf8(pairs).unwrap();
        assert!(text.contains(",-2.500,0.250000"), "numbers are left as they are: {text}");

        // Read back: the clusters file as truth, an input file with neutralised ids as input.
        let truth = crate::batch::truth::Truth::read(clusters.as_slice()).unwrap();
        let evaluation = truth.evaluate(&ids, &[0, 0, 2], &[]);
        assert_eq!((evaluation.true_pairs, evaluation.true_positives), (1, 1));
        let input = format!(
            "application_id,full_name\n\"'{}\",Siti\n'@SUM(A1),'-Budi\n",
            &formula.replace('"', "\"\"")
        );
        let (records, _) =
            read_inputs(&model, vec![Input::new("in.csv", input.as_bytes())]).unwrap();
        let read: Vec<&str> = records.iter().map(Record::id).collect();
        assert_eq!(read, [formula, "@SUM(A1)"]);
    }

    proptest! {
        #[test]
        fn random_text_splits_like_the_csv_reader(body in csv_text(60), piece_bytes in 1usize..12) {
            let bounds = piece_bounds(&body, piece_bytes);
            let mut pieced = Vec::new();
            for bound in bounds.windows(2) {
                pieced.extend(rows(&body[bound[0]..bound[1]]));
            }
            prop_assert_eq!(pieced, rows(&body));
        }

        #[test]
        fn random_files_read_alike(body in csv_text(60), piece_bytes in 1usize..12) {
            let model = Model::interchange().unwrap();
            let mut file = b"application_id,full_name\n".to_vec();
            file.extend(&body);
            let serial =
                outcome(read_serially(&model, vec![Input::new("file0.csv", file.as_slice())], false));
            let parallel = outcome(read_texts(&model, texts(&[&file]), false, piece_bytes));
            prop_assert_eq!(parallel, serial);
        }
    }
}
