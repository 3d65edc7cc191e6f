//! Look-ups for a data subject's access request (UU PDP Art. 5-7): the applications carrying a
//! NIK and the audit events about given records.

use async_trait::async_trait;
use jejak_domain::{Application, Nik};

use crate::backend::{Dialect, QueryBuilder, SqlStore, query};
use crate::{AuditEvent, Result};

/// Reads for subject reports.
#[async_trait]
pub trait SubjectStore: Send + Sync {
    /// Applications with this NIK, by key.
    async fn applications_with_nik(&self, nik: &Nik) -> Result<Vec<Application>>;

    /// Audit events whose entity is `entity` with one of `ids`, in order.
    async fn audit_events_about(&self, entity: &str, ids: &[String]) -> Result<Vec<AuditEvent>>;
}

pub(crate) const APPLICATIONS_WITH_NIK: &str =
    "select * from applications where nik = $1 order by id";

#[async_trait]
impl<B: Dialect> crate::subject::SubjectStore for SqlStore<B> {
    async fn applications_with_nik(
        &self,
        nik: &jejak_domain::Nik,
    ) -> crate::Result<Vec<jejak_domain::Application>> {
        let rows =
            query(crate::subject::APPLICATIONS_WITH_NIK).bind(nik.as_str()).fetch_all(self).await?;
        rows.iter().map(crate::codec::read_application).collect()
    }

    async fn audit_events_about(
        &self,
        entity: &str,
        ids: &[String],
    ) -> crate::Result<Vec<crate::AuditEvent>> {
        let mut events = Vec::new();
        for chunk in ids.chunks(crate::sql::INSERT_CHUNK) {
            let mut qb = QueryBuilder::new::<B>("select * from audit_events where entity = ");
            qb.push_bind(entity);
            qb.push(" and entity_id in (");
            for (n, id) in chunk.iter().enumerate() {
                if n > 0 {
                    qb.push(", ");
                }
                qb.push_bind(id);
            }
            qb.push(") order by seq");
            for row in qb.build().fetch_all(self).await? {
                events.push(crate::codec::read_audit(&row)?);
            }
        }
        events.sort_by_key(|e| e.seq);
        Ok(events)
    }
}
