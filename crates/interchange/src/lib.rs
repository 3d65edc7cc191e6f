//! The interchange format (CSV/XLSX) of `shared/spec/interchange.md`: reading rows into
//! domain values with per-cell diagnostics, and writing them back. Pure: works on `impl Read`.
