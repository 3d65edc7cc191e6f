//! SQLite's `Store::import`: rows inserted through rusqlite on a dedicated thread, one
//! prepared statement executed per row, while the caller's thread encodes the next rows.
//!
//! Why a second driver for this one path: sqlx hands every statement to its SQLite worker
//! thread and back and copies each bound value into a boxed argument, and in a bulk import that
//! hand-off and copying cost more than SQLite's own work (about 65 % of an import's time). With
//! rusqlite the values are bound straight into a cached statement on the thread that steps it.
//! rusqlite links the same `libsqlite3-sys` as sqlx, so both drive one bundled SQLite. The
//! importer opens its own connection to the register file with the pool's settings; the whole
//! import, including reading the stored rows it compares with, is one `BEGIN IMMEDIATE`
//! transaction on that connection, so the guarantees are those of the sqlx path
//! (`import_sqlx` in `sql.rs`, still used for PostgreSQL and in-memory SQLite).

use std::path::Path;

use jejak_domain::{ApplicationKey, NewApplication, Outcome};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use tokio::sync::mpsc;

use crate::audit::AuditEvent;
use crate::codec::{self, Span};
use crate::error::StoreError;
use crate::sqlite::{BULK_INDEX_MIN_ROWS, BULK_INDEXES, BUSY_TIMEOUT, CACHE_SIZE};
use crate::{AuditCtx, ConflictPolicy, ImportConflict, ImportOutcome, Result};

/// Rows encoded per hand-over to the inserting thread.
const CHUNK_ROWS: usize = 256;

/// Encoded chunks waiting for the inserting thread at most: bounds memory (about 4 MiB) while
/// letting the encoder run ahead while the stored rows are looked up.
const QUEUED_CHUNKS: usize = 16;

/// True when the register holds no application (then no row needs looking up).
const REGISTER_EMPTY: &str = "select not exists (select 1 from applications)";

const LOOKUP: &str =
    "select id, source_hash from applications where office_code = ?1 and application_id = ?2";

/// What the inserting thread needs to know about every row before the rows arrive.
struct RowKey {
    office_code: String,
    application_id: String,
    /// The row carries an outcome, so a new one also gets a decision (and a change number).
    decided: bool,
}

/// An imported decision's column values in its chunk's text.
struct EncodedDecision {
    kind: &'static str,
    decided_on: Span,
    deferral_until: Option<Span>,
    reason_codes: Span,
    reason_text: Option<Span>,
    officer: Option<Span>,
}

/// One row's column values in its chunk's text.
struct EncodedRow {
    /// Position in the imported slice.
    index: usize,
    columns: [Option<Span>; 23],
    /// The validity flags (`codec::validity_values`).
    valid: [bool; 4],
    hash: Span,
    decision: Option<EncodedDecision>,
}

/// Rows encoded into one buffer (one allocation for all their values).
struct EncodedChunk {
    text: String,
    rows: Vec<EncodedRow>,
}

enum Feed {
    Chunk(EncodedChunk),
    /// Every row was sent; without it the inserting thread rolls back.
    End,
}

/// What the inserting thread did; conflicts as (row index, differing fields).
struct Written {
    inserted: usize,
    unchanged: usize,
    conflicts: Vec<(usize, Vec<&'static str>)>,
    committed: bool,
}

/// Imports `rows` into the register file at `path` (see the module comment).
pub(crate) async fn import(
    path: &Path,
    rows: &[NewApplication],
    policy: ConflictPolicy,
    ctx: &AuditCtx,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<ImportOutcome> {
    let keys: Vec<RowKey> = rows
        .iter()
        .map(|app| RowKey {
            office_code: app.office_code.as_str().to_owned(),
            application_id: app.application_id.clone(),
            decided: app.outcome != Outcome::Pending,
        })
        .collect();
    let (feed_tx, feed_rx) = mpsc::channel(QUEUED_CHUNKS);
    let (written_tx, mut written_rx) = mpsc::unbounded_channel();
    let (path, worker_ctx) = (path.to_owned(), ctx.clone());
    let worker = tokio::task::spawn_blocking(move || {
        write_rows(&path, &keys, policy, &worker_ctx, feed_rx, &written_tx)
    });
    let fed = feed(rows, &feed_tx, &mut written_rx, progress).await;
    // Without `Feed::End` (an encoding error) the inserting thread rolls back.
    drop(feed_tx);
    while let Some(done) = written_rx.recv().await {
        progress(done);
    }
    let written = worker.await.map_err(|e| StoreError::Backend(Box::new(e)))?;
    fed?;
    let written = written?;
    let conflicts = written
        .conflicts
        .into_iter()
        .filter_map(|(index, fields)| {
            rows.get(index).map(|app| ImportConflict {
                index,
                office_code: app.office_code.clone(),
                application_id: app.application_id.clone(),
                fields,
            })
        })
        .collect();
    Ok(ImportOutcome {
        inserted: written.inserted,
        unchanged: written.unchanged,
        conflicts,
        committed: written.committed,
    })
}

/// Encodes the rows chunk by chunk and hands them over, reporting progress as the inserting
/// thread reports it. Stops early (without error) when that thread has stopped: its result
/// says why.
async fn feed(
    rows: &[NewApplication],
    feed_tx: &mpsc::Sender<Feed>,
    written_rx: &mut mpsc::UnboundedReceiver<usize>,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<()> {
    for (number, chunk) in rows.chunks(CHUNK_ROWS).enumerate() {
        let encoded = encode_chunk(chunk, number * CHUNK_ROWS)?;
        if feed_tx.send(Feed::Chunk(encoded)).await.is_err() {
            return Ok(());
        }
        while let Ok(done) = written_rx.try_recv() {
            progress(done);
        }
    }
    // A closed channel means the inserting thread stopped; its result says why.
    let _ = feed_tx.send(Feed::End).await;
    Ok(())
}

/// The column values, content hash and imported decision of each row, in one buffer.
fn encode_chunk(rows: &[NewApplication], first_index: usize) -> Result<EncodedChunk> {
    let mut text = String::with_capacity(rows.len() * 512);
    let mut encoded = Vec::with_capacity(rows.len());
    for (offset, app) in rows.iter().enumerate() {
        let start = text.len();
        let columns = codec::push_application_text(app, &mut text);
        if text.get(start..).is_some_and(|t| t.contains('\0')) {
            return Err(codec::nul_refused());
        }
        let digest = codec::columns_digest(columns.iter().map(|c| c.map(|c| c.of(&text))));
        let hash = codec::push_hex(&mut text, &digest);
        let decision = codec::imported_decision(ApplicationKey(0), app).map(|d| EncodedDecision {
            kind: d.kind.as_str(),
            decided_on: codec::push_date(&mut text, d.decided_on),
            deferral_until: d.deferral_until.map(|day| codec::push_date(&mut text, day)),
            reason_codes: codec::push_span(&mut text, &d.reason_codes.join(",")),
            reason_text: d.reason_text.as_deref().map(|t| codec::push_span(&mut text, t)),
            officer: d.officer.as_deref().map(|t| codec::push_span(&mut text, t)),
        });
        encoded.push(EncodedRow {
            index: first_index + offset,
            columns,
            valid: codec::validity_values(app),
            hash,
            decision,
        });
    }
    Ok(EncodedChunk { text, rows: encoded })
}

/// A connection to the register file with the pool's settings (`sqlite.rs`).
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(&format!(
        "pragma foreign_keys = on; pragma synchronous = normal; \
         pragma cache_size = {CACHE_SIZE}; pragma temp_store = memory;"
    ))?;
    Ok(conn)
}

/// Reserves `n` change numbers; returns the first (see `reserve` in `sql.rs`).
fn reserve(tx: &rusqlite::Transaction<'_>, n: i64) -> Result<i64> {
    let top: i64 = tx.query_row(crate::sql::RESERVE_SEQ, [n], |row| row.get(0))?;
    Ok(top - n + 1)
}

/// The inserting thread: one transaction that classifies every row against the stored ones,
/// inserts the new ones as they arrive, rebuilds dropped indexes, appends the audit event and
/// commits (or rolls back on a conflict under `ConflictPolicy::Abort`).
fn write_rows(
    path: &Path,
    keys: &[RowKey],
    policy: ConflictPolicy,
    ctx: &AuditCtx,
    mut feed_rx: mpsc::Receiver<Feed>,
    written_tx: &mpsc::UnboundedSender<usize>,
) -> Result<Written> {
    let mut conn = connect(path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Taking the counter first serialises concurrent imports of the same rows. Every stored
    // application took a change number, so the counter bounds their count from above.
    let stored_estimate = reserve(&tx, 0)? - 1;
    let mut stored: Vec<Option<(i64, Option<String>)>> = Vec::with_capacity(keys.len());
    let register_empty: bool = tx.query_row(REGISTER_EMPTY, [], |row| row.get(0))?;
    if register_empty {
        stored.resize(keys.len(), None);
    } else {
        let mut lookup = tx.prepare_cached(LOOKUP)?;
        for key in keys {
            let found = lookup
                .query_row([&key.office_code, &key.application_id], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            stored.push(found);
        }
    }
    let fresh = stored.iter().filter(|s| s.is_none()).count();
    let decided = keys.iter().zip(&stored).filter(|(k, s)| k.decided && s.is_none()).count();
    let needed = (fresh + decided) as i64;
    let (first, dropped) = if needed > 0 {
        (reserve(&tx, needed)?, drop_indexes_for_bulk(&tx, fresh, stored_estimate)?)
    } else {
        (0, Vec::new())
    };
    let mut written =
        Written { inserted: 0, unchanged: 0, conflicts: Vec::new(), committed: false };
    {
        let insert_sql = codec::insert_applications_sql(1, false);
        let mut insert = tx.prepare_cached(&insert_sql)?;
        let mut insert_decision = tx.prepare_cached(&format!(
            "{}values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            crate::sql::INSERT_DECISION_COLUMNS
        ))?;
        let mut stored_columns = tx.prepare_cached(&format!(
            "select {} from applications where id = ?1",
            codec::APPLICATION_COLUMNS
        ))?;
        let (mut next_application, mut next_decision) = (first, first + fresh as i64);
        loop {
            let chunk = match feed_rx.blocking_recv() {
                Some(Feed::Chunk(chunk)) => chunk,
                Some(Feed::End) => break,
                None => {
                    return Err(StoreError::Backend("the import stopped before its end".into()));
                }
            };
            let text = chunk.text.as_str();
            for row in &chunk.rows {
                let Some(existing) = stored.get(row.index) else {
                    return Err(StoreError::Backend("an imported row out of range".into()));
                };
                if let Some((id, hash)) = existing {
                    if hash.as_deref() == Some(row.hash.of(text)) {
                        written.unchanged += 1;
                        continue;
                    }
                    let differing = stored_columns.query_row([id], |stored| {
                        let mut fields = Vec::new();
                        for (column, (name, value)) in
                            codec::FIELD_NAMES.iter().zip(&row.columns).enumerate()
                        {
                            let held: Option<String> = stored.get(column)?;
                            if held.as_deref() != value.map(|v| v.of(text)) {
                                fields.push(*name);
                            }
                        }
                        Ok(fields)
                    })?;
                    if differing.is_empty() {
                        written.unchanged += 1;
                    } else {
                        written.conflicts.push((row.index, differing));
                    }
                    continue;
                }
                if policy == ConflictPolicy::Abort && !written.conflicts.is_empty() {
                    // Nothing will be written; only the remaining conflicts are still wanted.
                    continue;
                }
                insert.raw_bind_parameter(1, next_application)?;
                for (column, value) in row.columns.iter().enumerate() {
                    insert.raw_bind_parameter(column + 2, value.map(|v| v.of(text)))?;
                }
                insert.raw_bind_parameter(25, row.hash.of(text))?;
                insert.raw_bind_parameter(26, 1_i64)?;
                insert.raw_bind_parameter(27, next_application)?;
                for (offset, valid) in row.valid.iter().enumerate() {
                    insert.raw_bind_parameter(28 + offset, *valid)?;
                }
                insert.raw_execute()?;
                if let Some(d) = &row.decision {
                    insert_decision.raw_bind_parameter(1, next_decision)?;
                    insert_decision.raw_bind_parameter(2, next_application)?;
                    insert_decision.raw_bind_parameter(3, d.kind)?;
                    insert_decision.raw_bind_parameter(4, d.decided_on.of(text))?;
                    insert_decision.raw_bind_parameter(5, d.deferral_until.map(|v| v.of(text)))?;
                    insert_decision.raw_bind_parameter(6, d.reason_codes.of(text))?;
                    insert_decision.raw_bind_parameter(7, d.reason_text.map(|v| v.of(text)))?;
                    insert_decision.raw_bind_parameter(8, d.officer.map(|v| v.of(text)))?;
                    insert_decision.raw_bind_parameter(9, next_decision)?;
                    insert_decision.raw_execute()?;
                    next_decision += 1;
                }
                next_application += 1;
                written.inserted += 1;
            }
            // The caller may have stopped listening; the import goes on regardless.
            let _ = written_tx.send(written.inserted);
        }
    }
    if !written.conflicts.is_empty() && policy == ConflictPolicy::Abort {
        written.inserted = 0;
        tx.rollback()?;
        return Ok(written);
    }
    for sql in dropped {
        tx.execute_batch(&sql)?;
    }
    let last = crate::sqlite_audit::last_event(&tx)?;
    let details = format!(
        "{{\"inserted\":{},\"unchanged\":{},\"conflicts_skipped\":{}}}",
        written.inserted,
        written.unchanged,
        written.conflicts.len()
    );
    let event =
        AuditEvent::following(last, ctx, "application.import", "application", None, &details);
    crate::sqlite_audit::insert_event(&tx, &event)?;
    tx.commit()?;
    written.committed = true;
    Ok(written)
}

/// Drops the secondary indexes of `applications` and `decisions` when the import is at least
/// as large as the register, returning their definitions; why: `drop_indexes_for_bulk` in
/// `sqlite.rs`. DDL is transactional, so a rolled-back import keeps them.
fn drop_indexes_for_bulk(
    tx: &rusqlite::Transaction<'_>,
    incoming: usize,
    stored_estimate: i64,
) -> Result<Vec<String>> {
    if incoming < BULK_INDEX_MIN_ROWS || (incoming as i64) < stored_estimate {
        return Ok(Vec::new());
    }
    let indexes: Vec<(String, String)> = {
        let mut query = tx.prepare(BULK_INDEXES)?;
        let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut definitions = Vec::with_capacity(indexes.len());
    for (name, sql) in indexes {
        tx.execute_batch(&format!("drop index \"{}\"", name.replace('"', "\"\"")))?;
        definitions.push(sql);
    }
    Ok(definitions)
}
