//! SQLite's `Store::append_audits` (the group commit of the screening reads' audit events):
//! the whole batch written through rusqlite on one dedicated connection, in one blocking call.
//!
//! Why not the pool: sqlx hands each of a batch's statements (begin, chain head, insert,
//! commit) to a pooled connection's worker thread and back, and every time a batch lands on a
//! connection other than the one that wrote the previous batch, SQLite drops that
//! connection's page cache. Under screening load that hand-off, the cache resets and the wake-ups
//! cost more than SQLite's own work. Here the statements are cached and stepped on the thread
//! that holds the connection, and the connection keeps its cache while it is the only writer.
//! The guarantees are those of the sqlx path (`append_audits` in `sql.rs`, still used for
//! PostgreSQL and in-memory SQLite): `BEGIN IMMEDIATE` serialises this writer with every other,
//! the chain head is read inside that transaction, and the batch commits all or nothing.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::audit::{AuditEvent, next_after};
use crate::error::StoreError;
use crate::{AuditAppend, Result};

/// The dedicated audit connection of one register file, opened on first use.
pub(crate) struct AuditWriter {
    path: PathBuf,
    connection: Arc<Mutex<Option<Connection>>>,
}

impl AuditWriter {
    /// A writer for the register file at `path`.
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path, connection: Arc::default() }
    }

    /// Appends `events` in order, chained to the stored head, in one transaction.
    pub(crate) async fn append(&self, events: &[AuditAppend]) -> Result<()> {
        let events = events.to_vec();
        let (path, connection) = (self.path.clone(), self.connection.clone());
        tokio::task::spawn_blocking(move || {
            let mut slot = connection.lock().unwrap_or_else(PoisonError::into_inner);
            let conn = match slot.take() {
                Some(conn) => conn,
                None => crate::sqlite_bulk::connect(&path)?,
            };
            let written = write(&conn, &events);
            // A connection whose batch failed is dropped, so the next one starts clean.
            if written.is_ok() {
                *slot = Some(conn);
            }
            written
        })
        .await
        .map_err(|e| StoreError::Backend(Box::new(e)))?
    }

    /// Closes the connection (a later append opens it again).
    pub(crate) fn close(&self) {
        drop(self.connection.lock().unwrap_or_else(PoisonError::into_inner).take());
    }
}

/// One batch: read the head, insert every event chained to the previous one, commit.
fn write(conn: &Connection, events: &[AuditAppend]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let head = next_after(last_event(&tx)?);
    for event in AuditEvent::chain_batch(head, events) {
        insert_event(&tx, &event)?;
    }
    tx.commit()?;
    Ok(())
}

/// Sequence number and hash of the newest stored event, if any.
pub(crate) fn last_event(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.prepare_cached(crate::sql::LAST_AUDIT)?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// Inserts one chained event through a cached statement.
pub(crate) fn insert_event(conn: &Connection, event: &AuditEvent) -> rusqlite::Result<()> {
    conn.prepare_cached(crate::sql::INSERT_AUDIT)?.execute(rusqlite::params![
        event.seq,
        event.at,
        event.actor,
        event.office_code,
        event.purpose,
        event.action,
        event.entity,
        event.entity_id,
        event.details,
        event.prev_hash,
        event.hash,
    ])?;
    Ok(())
}
