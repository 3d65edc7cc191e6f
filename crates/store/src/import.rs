//! `Store::import`'s algorithm, written once over an `ImportWriter`: the sqlx writer
//! (`SqlxImport`, PostgreSQL's import and a SQLite register only the pool can open) and the
//! rusqlite writer of a SQLite register file (`sqlite_bulk`).
//!
//! One transaction: take the change counter (which serialises concurrent imports and bounds
//! the stored rows' count), look up every row's key, number the new rows, classify each row
//! as it arrives (same content hash, or same data columns: unchanged; other data: a
//! conflict), hand the new ones to the writer, and append one audit entry. Under
//! `ConflictPolicy::Abort` any conflict rolls everything back.

use std::borrow::Cow;

use jejak_domain::{AuditAction, NewApplication, Outcome};

use crate::codec::FIELD_NAMES;
use crate::{AuditCtx, ConflictPolicy, ImportConflict, ImportOutcome, Result};

/// What the algorithm needs to know about every row before the rows arrive.
pub(crate) struct RowKey {
    pub(crate) office_code: String,
    pub(crate) application_id: String,
    /// The row carries an outcome, so a new one also gets a decision (and a change number).
    pub(crate) decided: bool,
}

impl RowKey {
    pub(crate) fn of_rows(rows: &[NewApplication]) -> Vec<RowKey> {
        rows.iter()
            .map(|app| RowKey {
                office_code: app.office_code.as_str().to_owned(),
                application_id: app.application_id.clone(),
                decided: app.outcome != Outcome::Pending,
            })
            .collect()
    }
}

/// A stored application with an incoming row's key: its key and content hash.
pub(crate) type Stored = Option<(i64, Option<String>)>;

/// Consecutive incoming rows, as a writer holds them.
pub(crate) trait Rows {
    fn len(&self) -> usize;
    /// Position of row `row` in the imported slice.
    fn index(&self, row: usize) -> usize;
    /// The content hash of row `row` (`codec::values_hash` of its data columns).
    fn hash(&self, row: usize) -> Cow<'_, str>;
    /// Row `row`'s data columns, in `codec::APPLICATION_COLUMNS` order.
    fn columns(&self, row: usize) -> Vec<Option<Cow<'_, str>>>;
}

/// A new row of a chunk with its numbers: the application key and, when the row carries an
/// outcome, its imported decision's id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Numbered {
    pub(crate) row: usize,
    pub(crate) key: i64,
    pub(crate) decision: Option<i64>,
}

/// What differs between the import's drivers: the transaction's statements and how rows
/// arrive and are written.
#[allow(async_fn_in_trait, reason = "crate-private; each writer's futures are checked where used")]
pub(crate) trait ImportWriter {
    type Chunk: Rows;

    /// Reserves `n` change numbers; returns the first.
    async fn reserve(&mut self, n: i64) -> Result<i64>;

    async fn register_empty(&mut self) -> Result<bool>;

    /// The stored application with each key, in order.
    async fn lookup(&mut self, keys: &[RowKey]) -> Result<Vec<Stored>>;

    /// The data columns of the stored application `key`.
    async fn stored_columns(&mut self, key: i64) -> Result<Vec<Option<String>>>;

    /// `Dialect::drop_indexes_for_bulk`.
    async fn drop_indexes_for_bulk(
        &mut self,
        incoming: usize,
        stored_estimate: i64,
    ) -> Result<Vec<String>>;

    /// The next incoming rows, in order; `None` after the last.
    async fn next_chunk(&mut self) -> Result<Option<Self::Chunk>>;

    /// Writes (or queues, until `finish_inserts`) the new rows of `chunk`.
    async fn insert(&mut self, chunk: &Self::Chunk, new: &[Numbered]) -> Result<()>;

    /// Writes whatever `insert` queued.
    async fn finish_inserts(&mut self) -> Result<()>;

    async fn rebuild_indexes(&mut self, definitions: Vec<String>) -> Result<()>;

    /// Appends one audit event chained to the stored head.
    async fn audit(
        &mut self,
        ctx: &AuditCtx,
        action: AuditAction,
        entity: &str,
        details: &str,
    ) -> Result<()>;

    async fn commit(self) -> Result<()>;

    async fn rollback(self) -> Result<()>;
}

/// What an import did; conflicts as (row index, differing fields).
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub(crate) inserted: usize,
    pub(crate) unchanged: usize,
    pub(crate) conflicts: Vec<(usize, Vec<&'static str>)>,
    pub(crate) committed: bool,
}

impl Written {
    /// The public outcome, conflicts named after the imported `rows`.
    pub(crate) fn outcome(self, rows: &[NewApplication]) -> ImportOutcome {
        let conflicts = self
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
        ImportOutcome {
            inserted: self.inserted,
            unchanged: self.unchanged,
            conflicts,
            committed: self.committed,
        }
    }
}

/// Imports the rows `writer` delivers (keyed by `keys`) in the writer's transaction.
pub(crate) async fn import<W: ImportWriter>(
    mut writer: W,
    keys: &[RowKey],
    policy: ConflictPolicy,
    ctx: &AuditCtx,
) -> Result<Written> {
    // Taking the counter first serialises concurrent imports of the same rows. Every stored
    // application took a change number, so the counter bounds their count from above.
    let stored_estimate = writer.reserve(0).await? - 1;
    // Nothing to look up in an empty register (the counter is held, so no application can
    // be added meanwhile).
    let stored = if writer.register_empty().await? {
        vec![None; keys.len()]
    } else {
        writer.lookup(keys).await?
    };
    let fresh = stored.iter().filter(|s| s.is_none()).count();
    let decided = keys.iter().zip(&stored).filter(|(k, s)| k.decided && s.is_none()).count();
    let needed = (fresh + decided) as i64;
    let (first, dropped) = if needed > 0 {
        let first = writer.reserve(needed).await?;
        (first, writer.drop_indexes_for_bulk(fresh, stored_estimate).await?)
    } else {
        (0, Vec::new())
    };
    let mut written = Written::default();
    let (mut next_key, mut next_decision) = (first, first + fresh as i64);
    let mut new = Vec::new();
    while let Some(chunk) = writer.next_chunk().await? {
        new.clear();
        for row in 0..chunk.len() {
            let index = chunk.index(row);
            let Some(existing) = stored.get(index) else {
                return Err(crate::StoreError::Backend("an imported row out of range".into()));
            };
            if let Some((key, hash)) = existing {
                if hash.as_deref() == Some(chunk.hash(row).as_ref()) {
                    written.unchanged += 1;
                    continue;
                }
                let held = writer.stored_columns(*key).await?;
                let differing: Vec<&'static str> = FIELD_NAMES
                    .iter()
                    .zip(chunk.columns(row))
                    .zip(&held)
                    .filter(|((_, incoming), held)| incoming.as_deref() != held.as_deref())
                    .map(|((name, _), _)| *name)
                    .collect();
                if differing.is_empty() {
                    written.unchanged += 1;
                } else {
                    written.conflicts.push((index, differing));
                }
                continue;
            }
            if policy == ConflictPolicy::Abort && !written.conflicts.is_empty() {
                // Nothing will be written; only the remaining conflicts are still wanted.
                continue;
            }
            let decision = keys.get(index).is_some_and(|k| k.decided).then(|| {
                next_decision += 1;
                next_decision - 1
            });
            new.push(Numbered { row, key: next_key, decision });
            next_key += 1;
            written.inserted += 1;
        }
        writer.insert(&chunk, &new).await?;
    }
    if !written.conflicts.is_empty() && policy == ConflictPolicy::Abort {
        written.inserted = 0;
        writer.rollback().await?;
        return Ok(written);
    }
    writer.finish_inserts().await?;
    writer.rebuild_indexes(dropped).await?;
    let details = format!(
        "{{\"inserted\":{},\"unchanged\":{},\"conflicts_skipped\":{}}}",
        written.inserted,
        written.unchanged,
        written.conflicts.len()
    );
    writer.audit(ctx, AuditAction::ApplicationImport, "application", &details).await?;
    writer.commit().await?;
    written.committed = true;
    Ok(written)
}
