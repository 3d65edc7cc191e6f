//! PostgreSQL's bulk write for `Store::import`: the new applications and their imported
//! decisions are streamed with `COPY ... FROM STDIN (FORMAT binary)` on the import's own
//! transaction, instead of bound multi-row `INSERT`s.
//!
//! Why: with `INSERT`s the server parses and plans nothing (the statement is cached), but it
//! still runs the executor once per 100-row statement and decodes every bound value, and the
//! client waits for each statement's answer before the next one can be sent. `COPY` is one
//! statement per table: the rows flow while the server inserts them, and in binary format
//! the server copies text values as they are and reads numbers and flags without parsing.
//! The values are those of the `INSERT` path (`codec::push_application_text` gives the columns
//! of `codec::application_values`, the content hash is `codec::columns_digest` of them, a NUL
//! is refused), so both paths store identical rows; constraints (unique keys, foreign keys)
//! are checked by the server as for `INSERT`, and any error rolls the import back.
//!
//! An import at least as large as the register (an office's history loaded into a new
//! register) first drops the non-unique indexes and the foreign keys of `applications` and
//! `decisions`, and recreates them from their stored definitions before the commit
//! (`drop_indexes_for_bulk`, `rebuild_indexes`): one sort per index and one join per foreign
//! key instead of an index entry and a key lookup per row.

use jejak_domain::{NewApplication, NewDecision};
use sqlx::postgres::{PgConnection, PgCopyIn};

use crate::codec::{self, APPLICATION_COLUMNS, VALIDITY_COLUMNS};
use crate::{Result, StoreError};

/// Imports smaller than this keep their indexes: the DDL and the rebuild's scans would cost
/// more than they save.
const BULK_DDL_MIN_ROWS: usize = 2_000;

/// The non-unique indexes of the two tables an import writes (drop, definition). Unique
/// indexes and primary keys stay: they are the import's conflict guard.
const BULK_INDEXES: &str = "select format('drop index %s', i.indexrelid::regclass), \
     pg_get_indexdef(i.indexrelid) from pg_index i \
     where i.indrelid in ('applications'::regclass, 'decisions'::regclass) \
     and not i.indisunique and not i.indisprimary order by i.indexrelid";

/// The foreign keys of the two tables (drop, definition): `decisions` to `applications`,
/// `applications` to `offices`.
const BULK_FOREIGN_KEYS: &str = "select \
     format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname), \
     format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, \
     pg_get_constraintdef(c.oid)) from pg_constraint c where c.contype = 'f' \
     and c.conrelid in ('applications'::regclass, 'decisions'::regclass) order by c.oid";

/// For an import of `incoming` new applications into a register of about `stored_estimate`
/// (at least as many, and at least `BULK_DDL_MIN_ROWS`): drops the secondary indexes and
/// foreign keys of `applications` and `decisions` inside the import's transaction and
/// returns the statements that recreate them (`rebuild_indexes`). Else nothing is dropped.
///
/// Why: PostgreSQL spends most of an import in the server, about half of it adding index
/// entries row by row and a quarter checking each decision's key against `applications`
/// (BENCHMARKS.md); building an index afterwards sorts the table once and re-adding a
/// foreign key validates it with one join. DDL is transactional, so a failed import leaves
/// the schema as it was. The cost: the tables are locked exclusively until the import
/// commits, so readers (other servers' index refreshes, pages) wait for it; an import at
/// least as large as the register is a first load or a doubling, which is when that is
/// acceptable. Both tables are locked up front, in one order, so a reader cannot hold one
/// while the import waits for it with the other.
pub(crate) async fn drop_indexes_for_bulk(
    conn: &mut PgConnection,
    incoming: usize,
    stored_estimate: i64,
) -> Result<Vec<String>> {
    if incoming < BULK_DDL_MIN_ROWS || (incoming as i64) < stored_estimate {
        return Ok(Vec::new());
    }
    sqlx::raw_sql("lock table applications, decisions in access exclusive mode")
        .execute(&mut *conn)
        .await?;
    let mut definitions = Vec::new();
    let mut foreign_keys = Vec::new();
    for (query, into) in [(BULK_INDEXES, &mut definitions), (BULK_FOREIGN_KEYS, &mut foreign_keys)]
    {
        let found: Vec<(String, String)> = sqlx::query_as(query).fetch_all(&mut *conn).await?;
        for (drop, definition) in found {
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(&mut *conn).await?;
            into.push(definition);
        }
    }
    // Indexes first: the foreign keys' validation then reads complete tables.
    definitions.extend(foreign_keys);
    Ok(definitions)
}

/// Runs the statements `drop_indexes_for_bulk` returned, inside the same transaction. A row
/// that breaks a foreign key fails here and rolls the import back, as a row-by-row check
/// would have.
pub(crate) async fn rebuild_indexes(
    conn: &mut PgConnection,
    definitions: Vec<String>,
) -> Result<()> {
    let rebuilt = !definitions.is_empty();
    for statement in definitions {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(&mut *conn).await?;
    }
    // A load as large as the register leaves the planner without statistics (autovacuum may
    // be off or not round yet): it then guessed 0.5 % of the rows per NIK and walked the
    // `applied_on` index instead of the NIK index (565 ms per NIK search at 1M, 0.06 ms after).
    if rebuilt {
        sqlx::raw_sql("analyze applications, decisions").execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rows encoded per message sent to the server (about 300 KiB): the next batch is encoded
/// while the server inserts this one.
const BATCH_ROWS: usize = 1_000;

/// Signature, flags and header extension length of PostgreSQL's binary `COPY` format.
const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The tuple count that marks the end of binary `COPY` data.
const BINARY_TRAILER: i16 = -1;

/// Columns of one application row: id, the data columns, source hash, version, change number
/// and the validity flags (`codec::APPLICATION_ROW_VALUES`).
const APPLICATION_FIELDS: i16 = codec::APPLICATION_ROW_VALUES as i16;

const DECISION_FIELDS: i16 = 9;

/// Binary `COPY` data being written: one tuple after the other.
struct CopyData {
    bytes: Vec<u8>,
}

impl CopyData {
    fn with_header() -> Self {
        let mut data = CopyData { bytes: Vec::with_capacity(BATCH_ROWS * 400) };
        data.bytes.extend_from_slice(BINARY_HEADER);
        data
    }

    fn tuple(&mut self, fields: i16) {
        self.bytes.extend_from_slice(&fields.to_be_bytes());
    }

    fn int8(&mut self, value: i64) {
        self.bytes.extend_from_slice(&8_i32.to_be_bytes());
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    fn boolean(&mut self, value: bool) {
        self.bytes.extend_from_slice(&1_i32.to_be_bytes());
        self.bytes.push(u8::from(value));
    }

    /// A text value (`None`: SQL NULL). Refuses a NUL, as `codec::refuse_nul` does.
    fn text(&mut self, value: Option<&str>) -> Result<()> {
        match value {
            None => self.bytes.extend_from_slice(&(-1_i32).to_be_bytes()),
            Some(text) => {
                if text.contains('\0') {
                    return Err(codec::nul_refused());
                }
                let len = i32::try_from(text.len()).map_err(|_| {
                    StoreError::InvalidValue(format!("a text of {} bytes", text.len()))
                })?;
                self.bytes.extend_from_slice(&len.to_be_bytes());
                self.bytes.extend_from_slice(text.as_bytes());
            }
        }
        Ok(())
    }

    fn trailer(&mut self) {
        self.bytes.extend_from_slice(&BINARY_TRAILER.to_be_bytes());
    }
}

/// One application as the `INSERT` path binds it (`application_chunk_query` in `sql.rs`):
/// version 1, its key as its change number. `scratch` is reused between rows.
fn encode_application(
    data: &mut CopyData,
    scratch: &mut String,
    id: i64,
    app: &NewApplication,
) -> Result<()> {
    scratch.clear();
    let spans = codec::push_application_text(app, scratch);
    let values = spans.map(|span| span.map(|s| s.of(scratch)));
    let digest = codec::columns_digest(values.iter().copied());
    let mut hash = String::with_capacity(64);
    codec::push_hex(&mut hash, &digest);
    data.tuple(APPLICATION_FIELDS);
    data.int8(id);
    for value in values {
        data.text(value)?;
    }
    data.text(Some(&hash))?;
    data.int8(1);
    data.int8(id);
    for valid in codec::validity_values(app) {
        data.boolean(valid);
    }
    Ok(())
}

/// One imported decision as `insert_decisions_tx` binds it: its id as its change number.
fn encode_decision(data: &mut CopyData, id: i64, decision: &NewDecision) -> Result<()> {
    data.tuple(DECISION_FIELDS);
    data.int8(id);
    data.int8(decision.application.0);
    data.text(Some(decision.kind.as_str()))?;
    data.text(Some(&jejak_domain::date::iso(decision.decided_on)))?;
    data.text(decision.deferral_until.map(jejak_domain::date::iso).as_deref())?;
    data.text(Some(&decision.reason_codes.join(",")))?;
    data.text(decision.reason_text.as_deref())?;
    data.text(decision.officer.as_deref())?;
    data.int8(id);
    Ok(())
}

/// Streams `rows` into `table` through one `COPY`, `BATCH_ROWS` at a time, calling
/// `progress` with the rows sent so far. An encoding error aborts the `COPY` and is returned
/// (the caller's transaction is then rolled back).
async fn copy_rows<T>(
    conn: &mut PgConnection,
    statement: &str,
    rows: &[T],
    mut encode: impl FnMut(&mut CopyData, &T) -> Result<()>,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut copy: PgCopyIn<&mut PgConnection> = conn.copy_in_raw(statement).await?;
    let mut data = CopyData::with_header();
    let mut sent = 0;
    for batch in rows.chunks(BATCH_ROWS) {
        let encoded: Result<()> = batch.iter().try_for_each(|row| encode(&mut data, row));
        if let Err(e) = encoded {
            // The error the caller must see is the value refused; a failed abort leaves the
            // connection to the transaction's rollback either way.
            let _ = copy.abort("import refused a value").await;
            return Err(e);
        }
        if sent + batch.len() == rows.len() {
            data.trailer();
        }
        copy.send(data.bytes.as_slice()).await?;
        data.bytes.clear();
        sent += batch.len();
        progress(sent);
    }
    copy.finish().await?;
    Ok(())
}

/// Writes new applications (with their keys) and their imported decisions (with their ids)
/// on `conn`, inside the caller's transaction.
pub(crate) async fn copy_imported(
    conn: &mut PgConnection,
    applications: &[(i64, &NewApplication)],
    decisions: &[(i64, NewDecision)],
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<()> {
    let statement = format!(
        "copy applications (id, {APPLICATION_COLUMNS}, source_hash, version, change_seq, \
         {VALIDITY_COLUMNS}) from stdin (format binary)"
    );
    let mut scratch = String::with_capacity(512);
    copy_rows(
        conn,
        &statement,
        applications,
        |data, (id, app)| encode_application(data, &mut scratch, *id, app),
        progress,
    )
    .await?;
    let statement = "copy decisions (id, application_key, kind, decided_on, deferral_until, \
                     reason_codes, reason_text, officer, change_seq) from stdin (format binary)";
    copy_rows(conn, statement, decisions, |data, (id, d)| encode_decision(data, *id, d), &|_| {})
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_fields_are_length_prefixed_and_null_is_minus_one() {
        let mut data = CopyData { bytes: Vec::new() };
        data.tuple(3);
        data.int8(258);
        data.text(None).unwrap();
        data.text(Some("ab")).unwrap();
        data.boolean(true);
        assert_eq!(
            data.bytes,
            [
                &[0, 3][..],
                &[0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2],
                &[0xff, 0xff, 0xff, 0xff],
                &[0, 0, 0, 2, b'a', b'b'],
                &[0, 0, 0, 1, 1],
            ]
            .concat()
        );
        assert!(matches!(data.text(Some("a\0b")), Err(StoreError::InvalidValue(_))));
        assert_eq!(BINARY_HEADER.len(), 19);
    }
}
