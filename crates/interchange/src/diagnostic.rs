//! A problem found in an input file, located by file, row and column.

use std::fmt;

/// One problem with one cell (or one row, or the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file's name as the user gave it.
    pub file: String,
    /// Row number as a spreadsheet shows it: the header is row 1.
    pub row: usize,
    /// The column's canonical name, or the header text for header problems.
    pub column: Option<String>,
    /// What the cell held, if it is about a cell.
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: row {}", self.file, self.row)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(value) = &self.value {
            write!(f, " (value {value:?})")?;
        }
        Ok(())
    }
}
