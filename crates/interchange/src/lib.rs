//! The interchange format (CSV/XLSX) of `shared/spec/interchange.md`: reading rows into
//! domain values with per-cell diagnostics, and writing them back. Pure: works on byte
//! slices and `impl Write`; the CLI does the file handling.

mod cell;
pub mod column;
pub mod diagnostic;
pub mod header;
pub mod partner;
pub mod read;
pub mod record;
pub mod write;

pub use cell::IdentifierMode;
pub use column::Column;
pub use diagnostic::Diagnostic;
pub use header::{HeaderError, HeaderMapping, Mapping};
pub use read::{Format, ReadOptions, ReadReport, ReadRow, RejectedRow, read_table};
pub use record::{FieldProblem, JsonRecordError, ParsedRecord, parse_json_record, parse_record};
pub use write::{cells, write_csv, write_xlsx};
