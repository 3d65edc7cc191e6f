//! Group commit of audit events: concurrent requests hand their event to a shared batch and
//! wait until that batch is committed. A reply still leaves only after its own audit event is
//! stored (no event is lost, none is skipped), but under load many events share one write
//! transaction instead of queueing for the register's single writer one by one.

use std::sync::{Arc, Mutex};

use jejak_store::{AuditAppend, Store};
use tokio::sync::oneshot;

use crate::{Result, ServiceError};

type Waiter = oneshot::Sender<std::result::Result<(), String>>;

/// The batch being gathered and the right to write it.
pub struct AuditBatcher {
    store: Arc<dyn Store>,
    pending: Mutex<Vec<(AuditAppend, Waiter)>>,
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for AuditBatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditBatcher").finish_non_exhaustive()
    }
}

impl AuditBatcher {
    /// A batcher writing to `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, pending: Mutex::new(Vec::new()), writer: Arc::default() }
    }

    /// Appends `event` and returns once it is committed (with the events gathered meanwhile).
    /// Needs a Tokio runtime.
    pub async fn append(&self, event: AuditAppend) -> Result<()> {
        let (done, committed) = oneshot::channel();
        self.pending_events()?.push((event, done));
        let writer = self.writer.clone().lock_owned().await;
        let batch = std::mem::take(&mut *self.pending_events()?);
        if !batch.is_empty() {
            // The write runs as its own task, so a request that goes away (its client hung
            // up) cannot cancel the commit the others in the batch wait for.
            let store = self.store.clone();
            tokio::spawn(async move {
                let (events, waiters): (Vec<AuditAppend>, Vec<Waiter>) = batch.into_iter().unzip();
                let started = std::time::Instant::now();
                let outcome = store.append_audits(&events).await.map_err(|e| e.to_string());
                metrics::histogram!("jejak_audit_batch_seconds")
                    .record(started.elapsed().as_secs_f64());
                metrics::histogram!("jejak_audit_batch_events").record(events.len() as f64);
                drop(writer);
                for waiter in waiters {
                    let _gone = waiter.send(outcome.clone());
                }
            });
        }
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ServiceError::Internal(format!("audit event not written: {e}"))),
            Err(_) => Err(ServiceError::Internal("audit event not written: writer stopped".into())),
        }
    }

    fn pending_events(&self) -> Result<std::sync::MutexGuard<'_, Vec<(AuditAppend, Waiter)>>> {
        self.pending.lock().map_err(|_| ServiceError::Internal("audit batch lock poisoned".into()))
    }
}

#[cfg(test)]
mod tests {
    use jejak_domain::AuditAction;
    use jejak_store::AuditCtx;

    use super::*;

    fn read(n: usize) -> AuditAppend {
        AuditAppend {
            ctx: AuditCtx {
                actor: "bench".into(),
                office: None,
                purpose: Some(format!("menyaring permohonan {n}")),
                at: "2026-11-01T00:00:00Z".into(),
            },
            action: AuditAction::PersonalDataRead,
            entity: "screening".into(),
            entity_id: None,
            details: format!("{n}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_concurrent_event_is_committed_before_its_append_returns() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}", dir.path().join("audit.db").display());
        let store = jejak_store::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
        let batcher = Arc::new(AuditBatcher::new(store.clone()));
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let (batcher, store) = (batcher.clone(), store.clone());
                tokio::spawn(async move {
                    batcher.append(read(n)).await.unwrap_or_else(|e| panic!("{e}"));
                    // Returned means stored.
                    let events =
                        store.audit_events(0, 1000).await.unwrap_or_else(|e| panic!("{e}"));
                    assert!(events.iter().any(|e| e.details == n.to_string()), "event {n}");
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap_or_else(|e| panic!("{e}"));
        }
        let events = store.audit_events(0, 1000).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(events.len(), 40);
        let chain = jejak_store::verify_chain(&events);
        assert_eq!(chain.first_failure, None);
    }
}
