//! Look-ups for a data subject's access request (UU PDP Art. 5-7): the applications carrying a
//! NIK and the audit events about given records.

use async_trait::async_trait;
use jejak_domain::{Application, Nik};

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

/// Implements `SubjectStore` for a backend type (see `store_impl!`).
macro_rules! subject_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::subject::SubjectStore for $store {
            async fn applications_with_nik(
                &self,
                nik: &jejak_domain::Nik,
            ) -> $crate::Result<Vec<jejak_domain::Application>> {
                let rows = sqlx::query($crate::subject::APPLICATIONS_WITH_NIK)
                    .bind(nik.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::codec::read_application).collect()
            }

            async fn audit_events_about(
                &self,
                entity: &str,
                ids: &[String],
            ) -> $crate::Result<Vec<$crate::AuditEvent>> {
                let mut events = Vec::new();
                for chunk in ids.chunks($crate::sql::INSERT_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "select * from audit_events where entity = ",
                    );
                    qb.push_bind(entity.to_owned());
                    qb.push(" and entity_id in (");
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(id.clone());
                    }
                    qb.push(") order by seq");
                    for row in qb.build().fetch_all(&self.pool).await? {
                        events.push($crate::codec::read_audit(&row)?);
                    }
                }
                events.sort_by_key(|e| e.seq);
                Ok(events)
            }
        }
    };
}

pub(crate) use subject_impl;
