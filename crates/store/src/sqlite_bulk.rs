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
//! transaction on that connection. The algorithm is `import::import`, the one the sqlx path
//! (`import_sqlx` in `sql.rs`, PostgreSQL and in-memory SQLite) runs too; this file is its
//! rusqlite writer (`BulkWriter`), run on the inserting thread.

use std::borrow::Cow;
use std::path::Path;

use jejak_domain::{ApplicationKey, AuditAction, NewApplication};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::audit::AuditEvent;
use crate::codec::{self, Span};
use crate::error::StoreError;
use crate::import::{ImportWriter, Numbered, RowKey, Rows, Stored, Written};
use crate::sqlite::{
    BULK_INDEXES, BUSY_TIMEOUT, CACHE_SIZE, drop_index_sql, drops_indexes_for_bulk,
};
use crate::{AuditCtx, ConflictPolicy, ImportOutcome, Result};

/// Rows encoded per hand-over to the inserting thread.
const CHUNK_ROWS: usize = 256;

/// Encoded chunks waiting for the inserting thread at most: bounds memory (about 4 MiB) while
/// letting the encoder run ahead while the stored rows are looked up.
const QUEUED_CHUNKS: usize = 16;

/// True when the register holds no application (then no row needs looking up).
const REGISTER_EMPTY: &str = "select not exists (select 1 from applications)";

const LOOKUP: &str =
    "select id, source_hash from applications where office_code = ?1 and application_id = ?2";

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

/// Imports `rows` into the register file at `path` (see the module comment).
pub(crate) async fn import(
    path: &Path,
    rows: &[NewApplication],
    policy: ConflictPolicy,
    ctx: &AuditCtx,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<ImportOutcome> {
    let keys = RowKey::of_rows(rows);
    let (feed_tx, feed_rx) = mpsc::channel(QUEUED_CHUNKS);
    let (written_tx, mut written_rx) = mpsc::unbounded_channel();
    let (path, worker_ctx, runtime) = (path.to_owned(), ctx.clone(), Handle::current());
    let worker = tokio::task::spawn_blocking(move || {
        let mut conn = connect(&path)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let writer = BulkWriter { tx, feed_rx, written_tx, inserted: 0 };
        // The writer's steps are plain rusqlite calls on this thread; only waiting for the
        // next chunk suspends.
        runtime.block_on(crate::import::import(writer, &keys, policy, &worker_ctx))
    });
    let fed = feed(rows, &feed_tx, &mut written_rx, progress).await;
    // Without `Feed::End` (an encoding error) the inserting thread rolls back.
    drop(feed_tx);
    while let Some(done) = written_rx.recv().await {
        progress(done);
    }
    let written = worker.await.map_err(|e| StoreError::Backend(Box::new(e)))?;
    fed?;
    let written: Written = written?;
    Ok(written.outcome(rows))
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

/// The import's rusqlite writer (`import::ImportWriter`) on the inserting thread: rows arrive
/// encoded from the caller's thread and are inserted one prepared statement per row.
struct BulkWriter<'c> {
    tx: rusqlite::Transaction<'c>,
    feed_rx: mpsc::Receiver<Feed>,
    /// Rows inserted so far, for the caller's progress.
    written_tx: mpsc::UnboundedSender<usize>,
    inserted: usize,
}

impl Rows for EncodedChunk {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn index(&self, row: usize) -> usize {
        self.rows.get(row).map_or(usize::MAX, |r| r.index)
    }

    fn hash(&self, row: usize) -> Cow<'_, str> {
        Cow::Borrowed(self.rows.get(row).map_or("", |r| r.hash.of(&self.text)))
    }

    fn columns(&self, row: usize) -> Vec<Option<Cow<'_, str>>> {
        self.rows
            .get(row)
            .map(|r| r.columns.iter().map(|c| c.map(|c| Cow::Borrowed(c.of(&self.text)))).collect())
            .unwrap_or_default()
    }
}

impl ImportWriter for BulkWriter<'_> {
    type Chunk = EncodedChunk;

    async fn reserve(&mut self, n: i64) -> Result<i64> {
        let top: i64 = self.tx.query_row(crate::sql::RESERVE_SEQ, [n], |row| row.get(0))?;
        Ok(top - n + 1)
    }

    async fn register_empty(&mut self) -> Result<bool> {
        Ok(self.tx.query_row(REGISTER_EMPTY, [], |row| row.get(0))?)
    }

    async fn lookup(&mut self, keys: &[RowKey]) -> Result<Vec<Stored>> {
        let mut lookup = self.tx.prepare_cached(LOOKUP)?;
        let mut stored = Vec::with_capacity(keys.len());
        for key in keys {
            let found = lookup
                .query_row([&key.office_code, &key.application_id], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            stored.push(found);
        }
        Ok(stored)
    }

    async fn stored_columns(&mut self, key: i64) -> Result<Vec<Option<String>>> {
        let mut columns = self.tx.prepare_cached(&crate::sql::stored_columns_sql())?;
        Ok(columns.query_row([key], |stored| {
            (0..codec::FIELD_NAMES.len()).map(|i| stored.get(i)).collect()
        })?)
    }

    async fn drop_indexes_for_bulk(
        &mut self,
        incoming: usize,
        stored_estimate: i64,
    ) -> Result<Vec<String>> {
        if !drops_indexes_for_bulk(incoming, stored_estimate) {
            return Ok(Vec::new());
        }
        let indexes: Vec<(String, String)> = {
            let mut query = self.tx.prepare(BULK_INDEXES)?;
            let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut definitions = Vec::with_capacity(indexes.len());
        for (name, sql) in indexes {
            self.tx.execute_batch(&drop_index_sql(&name))?;
            definitions.push(sql);
        }
        Ok(definitions)
    }

    async fn next_chunk(&mut self) -> Result<Option<EncodedChunk>> {
        match self.feed_rx.recv().await {
            Some(Feed::Chunk(chunk)) => Ok(Some(chunk)),
            Some(Feed::End) => Ok(None),
            None => Err(StoreError::Backend("the import stopped before its end".into())),
        }
    }

    async fn insert(&mut self, chunk: &EncodedChunk, new: &[Numbered]) -> Result<()> {
        let text = chunk.text.as_str();
        let mut insert = self.tx.prepare_cached(&codec::insert_applications_sql(1, false))?;
        let mut insert_decision = self.tx.prepare_cached(&format!(
            "{}values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            crate::sql::INSERT_DECISION_COLUMNS
        ))?;
        for n in new {
            let Some(row) = chunk.rows.get(n.row) else { continue };
            insert.raw_bind_parameter(1, n.key)?;
            for (column, value) in row.columns.iter().enumerate() {
                insert.raw_bind_parameter(column + 2, value.map(|v| v.of(text)))?;
            }
            insert.raw_bind_parameter(25, row.hash.of(text))?;
            insert.raw_bind_parameter(26, 1_i64)?;
            insert.raw_bind_parameter(27, n.key)?;
            for (offset, valid) in row.valid.iter().enumerate() {
                insert.raw_bind_parameter(28 + offset, *valid)?;
            }
            insert.raw_execute()?;
            if let (Some(id), Some(d)) = (n.decision, &row.decision) {
                insert_decision.raw_bind_parameter(1, id)?;
                insert_decision.raw_bind_parameter(2, n.key)?;
                insert_decision.raw_bind_parameter(3, d.kind)?;
                insert_decision.raw_bind_parameter(4, d.decided_on.of(text))?;
                insert_decision.raw_bind_parameter(5, d.deferral_until.map(|v| v.of(text)))?;
                insert_decision.raw_bind_parameter(6, d.reason_codes.of(text))?;
                insert_decision.raw_bind_parameter(7, d.reason_text.map(|v| v.of(text)))?;
                insert_decision.raw_bind_parameter(8, d.officer.map(|v| v.of(text)))?;
                insert_decision.raw_bind_parameter(9, id)?;
                insert_decision.raw_execute()?;
            }
        }
        self.inserted += new.len();
        // The caller may have stopped listening; the import goes on regardless.
        let _ = self.written_tx.send(self.inserted);
        Ok(())
    }

    async fn finish_inserts(&mut self) -> Result<()> {
        Ok(())
    }

    async fn rebuild_indexes(&mut self, definitions: Vec<String>) -> Result<()> {
        for sql in definitions {
            self.tx.execute_batch(&sql)?;
        }
        Ok(())
    }

    async fn audit(
        &mut self,
        ctx: &AuditCtx,
        action: AuditAction,
        entity: &str,
        details: &str,
    ) -> Result<()> {
        let last = crate::sqlite_audit::last_event(&self.tx)?;
        let event = AuditEvent::following(last, ctx, action, entity, None, details);
        crate::sqlite_audit::insert_event(&self.tx, &event)?;
        Ok(())
    }

    async fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }

    async fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback()?)
    }
}
