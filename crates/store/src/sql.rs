//! The store's SQL and the `Store` trait written once over `Dialect` (`backend.rs`), with the
//! helpers every area module uses inside a write transaction (`reserve`, `audit_tx`).
//!
//! The statements are plain SQL that SQLite and PostgreSQL both accept (`$N` placeholders,
//! `RETURNING`, text dates). What differs per backend (connecting, starting a write
//! transaction, migrations, bulk writers) lives in `sqlite.rs` and `postgres.rs`.

use async_trait::async_trait;
use jejak_domain::AuditAction;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::backend::{Dialect, QueryBuilder, SqlStore, Tx, query, query_scalar};
use crate::import::{ImportWriter, Numbered, RowKey, Rows, Stored};

/// Rows per multi-row `INSERT`: 23 columns x 500 stays under both backends' bind limits.
pub(crate) const INSERT_CHUNK: usize = 500;

/// Applications per multi-row `INSERT` (27 values each); every full chunk reuses one
/// prepared statement.
pub(crate) const APPLICATION_CHUNK: usize = 100;

pub(crate) const RESERVE_SEQ: &str =
    "update seq_counter set value = value + $1 where id = 1 returning value";
pub(crate) const CURRENT_SEQ: &str = "select value from seq_counter where id = 1";
pub(crate) const LAST_AUDIT: &str = "select seq, hash from audit_events order by seq desc limit 1";
pub(crate) const INSERT_AUDIT: &str = "insert into audit_events (seq, at, actor, office_code, purpose, action, entity, entity_id, details, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(crate) const INSERT_AUDIT_COLUMNS: &str = "insert into audit_events (seq, at, actor, office_code, purpose, action, entity, entity_id, details, prev_hash, hash) ";
pub(crate) const LIST_OFFICES: &str = "select code, name, work_area from offices order by code";
pub(crate) const UPSERT_OFFICE: &str = "insert into offices (code, name, work_area) values ($1, $2, $3) on conflict (code) do update set name = excluded.name, work_area = excluded.work_area";
pub(crate) const SELECT_APPLICATION: &str = "select * from applications where id = $1";
pub(crate) const FIND_APPLICATION: &str =
    "select * from applications where office_code = $1 and application_id = $2";
pub(crate) const COUNT_APPLICATIONS: &str = "select count(*) from applications";
/// 1 when the register holds an application, else 0.
pub(crate) const ANY_APPLICATION: &str =
    "select count(*) from (select 1 from applications limit 1) as one";
pub(crate) const APPLICATIONS_SINCE: &str =
    "select * from applications where change_seq > $1 order by change_seq limit $2";
pub(crate) const DECISIONS_SINCE: &str =
    "select * from decisions where change_seq > $1 order by change_seq limit $2";
pub(crate) const DECISIONS_OF: &str =
    "select * from decisions where application_key = $1 order by id";
pub(crate) const AUDIT_AFTER: &str =
    "select * from audit_events where seq > $1 order by seq limit $2";
pub(crate) const UPDATE_OUTCOME: &str = "update applications set outcome = $1, outcome_reason = $2, decided_on = $3, version = version + 1, change_seq = $4 where id = $5 and version = $6";
pub(crate) const INSERT_DECISION_COLUMNS: &str = "insert into decisions (id, application_key, kind, decided_on, deferral_until, reason_codes, reason_text, officer, change_seq) ";
/// The start of an application listing; the filters given, the order and the limit follow.
pub(crate) const LIST_APPLICATIONS: &str = "select * from applications where true";
/// Stored keys and content hashes of given (office, application id) pairs; a row-value
/// list follows.
pub(crate) const STORED_KEYS: &str = "select id, office_code, application_id, source_hash from applications where (office_code, application_id) in (";
/// The data columns of one application (`$1`), in `codec::APPLICATION_COLUMNS` order.
pub(crate) fn stored_columns_sql() -> String {
    format!("select {} from applications where id = $1", crate::codec::APPLICATION_COLUMNS)
}
pub(crate) const EXPORT: &str = "select * from applications where ($1 is null or applied_on >= $1) and ($2 is null or applied_on <= $2) and ($3 is null or office_code = $3) order by applied_on, office_code, application_id";

impl<B: Dialect> SqlStore<B> {
    /// Reserves `n` change numbers; returns the first. Also serialises writers, so
    /// change numbers become visible in commit order.
    pub(crate) async fn reserve(tx: &mut Tx<B>, n: i64) -> crate::Result<i64> {
        let top: i64 = query_scalar(crate::sql::RESERVE_SEQ).bind(n).fetch_one(&mut *tx).await?;
        Ok(top - n + 1)
    }

    pub(crate) async fn audit_tx(
        tx: &mut Tx<B>,
        ctx: &crate::AuditCtx,
        action: AuditAction,
        entity: &str,
        entity_id: Option<&str>,
        details: &str,
    ) -> crate::Result<()> {
        let (seq, prev_hash) = Self::audit_head(tx).await?;
        let event = crate::audit::AuditEvent::chained(
            seq, prev_hash, ctx, action, entity, entity_id, details,
        );
        Self::insert_audit_events(tx, std::slice::from_ref(&event)).await
    }

    /// The number and hash the next audit event chains to.
    pub(crate) async fn audit_head(tx: &mut Tx<B>) -> crate::Result<(i64, String)> {
        use crate::codec::RowExt;
        let last = query(crate::sql::LAST_AUDIT).fetch_optional(&mut *tx).await?;
        let last = match last {
            Some(row) => Some((row.int("seq")?, row.text("hash")?)),
            None => None,
        };
        Ok(crate::audit::next_after(last))
    }

    pub(crate) async fn insert_audit_events(
        tx: &mut Tx<B>,
        events: &[crate::audit::AuditEvent],
    ) -> crate::Result<()> {
        for chunk in events.chunks(crate::sql::INSERT_CHUNK) {
            let mut qb = QueryBuilder::new::<B>(crate::sql::INSERT_AUDIT_COLUMNS);
            qb.push_values(chunk, |b, event| {
                b.push_bind(event.seq);
                b.push_bind(&event.at);
                b.push_bind(&event.actor);
                b.push_bind(&event.office_code);
                b.push_bind(&event.purpose);
                b.push_bind(&event.action);
                b.push_bind(&event.entity);
                b.push_bind(&event.entity_id);
                b.push_bind(&event.details);
                b.push_bind(&event.prev_hash);
                b.push_bind(&event.hash);
            });
            qb.build().execute(&mut *tx).await?;
        }
        Ok(())
    }

    /// The multi-row `INSERT` of one chunk of applications, values bound.
    fn application_chunk_query(
        chunk: &[(i64, &jejak_domain::NewApplication)],
        change_seq: i64,
    ) -> crate::Result<crate::backend::Query<'static>> {
        let sql = crate::codec::insert_applications_sql(chunk.len(), B::NUMBERED_PLACEHOLDERS);
        let mut query = query(sql);
        for (id, app) in chunk {
            let values = crate::codec::application_values(app);
            crate::codec::refuse_nul(&values)?;
            let hash = crate::codec::values_hash(&values);
            query = query.bind(*id);
            for value in values {
                query = query.bind(value);
            }
            query = query.bind(hash).bind(1_i64).bind(change_seq.max(*id));
            for valid in crate::codec::validity_values(app) {
                query = query.bind(valid);
            }
        }
        Ok(query)
    }

    pub(crate) async fn insert_applications_tx(
        tx: &mut Tx<B>,
        rows: &[(i64, &jejak_domain::NewApplication)],
        change_seq: i64,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> crate::Result<()> {
        let mut chunks = rows.chunks(crate::sql::APPLICATION_CHUNK);
        let mut next = match chunks.next() {
            Some(c) => Some((Self::application_chunk_query(c, change_seq)?, c.len())),
            None => None,
        };
        let mut done = 0;
        while let Some((query, len)) = next.take() {
            let mut following = chunks.next();
            let mut built = None;
            let mut execute = std::pin::pin!(query.execute(&mut *tx));
            // The first poll hands the statement to the database; the next chunk is
            // bound while it runs (on SQLite's worker thread or on the server).
            std::future::poll_fn(|cx| {
                let poll = execute.as_mut().poll(cx);
                if let Some(c) = following.take() {
                    built =
                        Some(Self::application_chunk_query(c, change_seq).map(|q| (q, c.len())));
                }
                poll
            })
            .await?;
            next = built.transpose()?;
            done += len;
            progress(done);
        }
        Ok(())
    }

    pub(crate) async fn insert_decisions_tx(
        tx: &mut Tx<B>,
        rows: &[(i64, jejak_domain::NewDecision)],
    ) -> crate::Result<()> {
        for chunk in rows.chunks(crate::sql::INSERT_CHUNK) {
            let mut qb = QueryBuilder::new::<B>(crate::sql::INSERT_DECISION_COLUMNS);
            qb.push_values(chunk, |b, (id, d)| {
                b.push_bind(*id);
                b.push_bind(d.application.0);
                b.push_bind(d.kind.as_str());
                b.push_bind(jejak_domain::date::iso(d.decided_on));
                b.push_bind(d.deferral_until.map(jejak_domain::date::iso));
                b.push_bind(d.reason_codes.join(","));
                b.push_bind(d.reason_text.clone());
                b.push_bind(d.officer.clone());
                b.push_bind(*id);
            });
            qb.build().execute(&mut *tx).await?;
        }
        Ok(())
    }

    /// Appends a decision and moves the application to its outcome inside `tx`, if the
    /// application is still at `expected_version`; else `Conflict` (the caller's
    /// transaction is then to be dropped).
    pub(crate) async fn decide_tx(
        tx: &mut Tx<B>,
        decision: &jejak_domain::NewDecision,
        expected_version: i64,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Decision> {
        use crate::codec::RowExt;
        let seq = Self::reserve(tx, 1).await?;
        let updated = query(crate::sql::UPDATE_OUTCOME)
            .bind(decision.kind.as_str())
            .bind(crate::codec::outcome_reason_text(decision))
            .bind(jejak_domain::date::iso(decision.decided_on))
            .bind(seq)
            .bind(decision.application.0)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            let current = query(crate::sql::SELECT_APPLICATION)
                .bind(decision.application.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    crate::StoreError::NotFound(format!("application {}", decision.application))
                })?;
            return Err(crate::StoreError::Conflict(format!(
                "application {} was changed by someone else (version {} is now {}); reload it and decide again",
                current.text("application_id")?,
                expected_version,
                current.int("version")?
            )));
        }
        Self::insert_decisions_tx(tx, &[(seq, decision.clone())]).await?;
        let key = decision.application.to_string();
        let details = format!(
            "{} {}",
            decision.kind.as_str(),
            crate::codec::outcome_reason_text(decision).unwrap_or_default()
        );
        Self::audit_tx(
            tx,
            ctx,
            AuditAction::DecisionRecord,
            "application",
            Some(&key),
            details.trim(),
        )
        .await?;
        Ok(jejak_domain::Decision { id: seq, change_seq: seq, data: decision.clone() })
    }

    /// `Store::import_with_progress` through sqlx: PostgreSQL's import, and SQLite's when
    /// the register is not a file the bulk importer can open.
    pub(crate) async fn import_sqlx(
        &self,
        rows: &[jejak_domain::NewApplication],
        policy: crate::ConflictPolicy,
        ctx: &crate::AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> crate::Result<crate::ImportOutcome> {
        let writer = SqlxImport {
            tx: self.begin_write().await?,
            rows: Some(rows),
            applications: Vec::new(),
            decisions: Vec::new(),
            progress,
        };
        let keys = RowKey::of_rows(rows);
        Ok(crate::import::import(writer, &keys, policy, ctx).await?.outcome(rows))
    }
}

#[async_trait]
impl<B: Dialect> crate::Store for SqlStore<B> {
    fn backend(&self) -> crate::Backend {
        B::KIND
    }

    async fn list_offices(&self) -> crate::Result<Vec<jejak_domain::Office>> {
        let rows = query(crate::sql::LIST_OFFICES).fetch_all(self).await?;
        rows.iter().map(crate::codec::read_office).collect()
    }

    async fn save_office(
        &self,
        office: &jejak_domain::Office,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let area: Vec<&str> = office.work_area.iter().map(|r| r.as_str()).collect();
        query(crate::sql::UPSERT_OFFICE)
            .bind(office.code.as_str())
            .bind(&office.name)
            .bind(area.join(","))
            .execute(&mut tx)
            .await?;
        let details = format!("{} ({})", office.name, area.join(","));
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::OfficeSave,
            "office",
            Some(office.code.as_str()),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_with_progress(
        &self,
        rows: &[jejak_domain::NewApplication],
        policy: crate::ConflictPolicy,
        ctx: &crate::AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> crate::Result<crate::ImportOutcome> {
        B::import_rows(self, rows, policy, ctx, progress).await
    }

    async fn insert_application(
        &self,
        app: &jejak_domain::NewApplication,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Application> {
        let mut tx = self.begin_write().await?;
        let decided = app.outcome != jejak_domain::Outcome::Pending;
        let id = Self::reserve(&mut tx, if decided { 2 } else { 1 }).await?;
        Self::insert_applications_tx(&mut tx, &[(id, app)], 0, &|_| {}).await.map_err(
            |e| match e {
                crate::StoreError::Conflict(_) => crate::StoreError::Conflict(format!(
                    "application {} already exists at office {}",
                    app.application_id, app.office_code
                )),
                other => other,
            },
        )?;
        if let Some(d) = crate::codec::imported_decision(jejak_domain::ApplicationKey(id), app) {
            Self::insert_decisions_tx(&mut tx, &[(id + 1, d)]).await?;
        }
        let id_text = id.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ApplicationCreate,
            "application",
            Some(&id_text),
            &app.application_id,
        )
        .await?;
        tx.commit().await?;
        self.get_application(jejak_domain::ApplicationKey(id)).await
    }

    async fn get_application(
        &self,
        key: jejak_domain::ApplicationKey,
    ) -> crate::Result<jejak_domain::Application> {
        let row = query(crate::sql::SELECT_APPLICATION)
            .bind(key.0)
            .fetch_optional(self)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("application {key}")))?;
        crate::codec::read_application(&row)
    }

    async fn find_application(
        &self,
        office: &jejak_domain::OfficeCode,
        application_id: &str,
    ) -> crate::Result<Option<jejak_domain::Application>> {
        let row = query(crate::sql::FIND_APPLICATION)
            .bind(office.as_str())
            .bind(application_id)
            .fetch_optional(self)
            .await?;
        row.as_ref().map(crate::codec::read_application).transpose()
    }

    async fn export(
        &self,
        filter: &crate::ExportFilter,
    ) -> crate::Result<Vec<jejak_domain::NewApplication>> {
        let rows = query(crate::sql::EXPORT)
            .bind(filter.from.map(jejak_domain::date::iso))
            .bind(filter.to.map(jejak_domain::date::iso))
            .bind(filter.office.as_ref().map(|o| o.as_str().to_owned()))
            .fetch_all(self)
            .await?;
        rows.iter().map(|r| crate::codec::read_application(r).map(|a| a.data)).collect()
    }

    async fn count_applications(&self) -> crate::Result<u64> {
        let n: i64 = query_scalar(crate::sql::COUNT_APPLICATIONS).fetch_one(self).await?;
        Ok(n.max(0) as u64)
    }

    async fn record_decision(
        &self,
        decision: &jejak_domain::NewDecision,
        expected_version: i64,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Decision> {
        let mut tx = self.begin_write().await?;
        let recorded = Self::decide_tx(&mut tx, decision, expected_version, ctx).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn list_applications(
        &self,
        filter: &crate::ApplicationQuery,
    ) -> crate::Result<Vec<jejak_domain::Application>> {
        // Only the filters given are written into the statement: with `($1 is null or nik =
        // $1)` PostgreSQL's generic plan cannot use the NIK index and walked the whole
        // register newest first (254 ms of server CPU per search at 1M applications).
        let filters = [
            ("office_code", filter.office.as_ref().map(|o| o.as_str().to_owned())),
            ("outcome", filter.outcome.map(|o| o.as_str().to_owned())),
            ("nik", filter.nik.clone()),
            ("phone", filter.phone.clone()),
            ("previous_passport_no", filter.passport_no.clone()),
        ];
        let mut sql = String::from(crate::sql::LIST_APPLICATIONS);
        let mut values = Vec::new();
        for (column, value) in filters {
            if let Some(value) = value {
                values.push(value);
                sql.push_str(&format!(" and {column} = ${}", values.len()));
            }
        }
        sql.push_str(&format!(" order by applied_on desc, id desc limit ${}", values.len() + 1));
        let mut list = query(sql);
        for value in values {
            list = list.bind(Some(value));
        }
        let rows = list.bind(i64::from(filter.limit)).fetch_all(self).await?;
        rows.iter().map(crate::codec::read_application).collect()
    }

    async fn decisions_of(
        &self,
        key: jejak_domain::ApplicationKey,
    ) -> crate::Result<Vec<jejak_domain::Decision>> {
        let rows = query(crate::sql::DECISIONS_OF).bind(key.0).fetch_all(self).await?;
        rows.iter().map(crate::codec::read_decision).collect()
    }

    async fn applications_changed_since(
        &self,
        seq: i64,
        limit: u32,
    ) -> crate::Result<Vec<jejak_domain::Application>> {
        let rows = query(crate::sql::APPLICATIONS_SINCE)
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::codec::read_application).collect()
    }

    async fn decisions_changed_since(
        &self,
        seq: i64,
        limit: u32,
    ) -> crate::Result<Vec<jejak_domain::Decision>> {
        let rows = query(crate::sql::DECISIONS_SINCE)
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::codec::read_decision).collect()
    }

    async fn current_change_seq(&self) -> crate::Result<i64> {
        Ok(query_scalar(crate::sql::CURRENT_SEQ).fetch_one(self).await?)
    }

    async fn audit_events(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> crate::Result<Vec<crate::AuditEvent>> {
        let rows = query(crate::sql::AUDIT_AFTER)
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::codec::read_audit).collect()
    }

    async fn append_audit(
        &self,
        ctx: &crate::AuditCtx,
        action: AuditAction,
        entity: &str,
        entity_id: Option<&str>,
        details: &str,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 0).await?;
        Self::audit_tx(&mut tx, ctx, action, entity, entity_id, details).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_audits(&self, events: &[crate::AuditAppend]) -> crate::Result<()> {
        B::append_audit_batch(self, events).await
    }
}

impl<B: Dialect> SqlStore<B> {
    /// `Store::append_audits` through the pool.
    pub(crate) async fn append_audits_sqlx(
        &self,
        events: &[crate::AuditAppend],
    ) -> crate::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 0).await?;
        // One read of the chain's head and multi-row inserts: a batch costs a few
        // statements, not two per event.
        let head = Self::audit_head(&mut tx).await?;
        let chained = crate::audit::AuditEvent::chain_batch(head, events);
        Self::insert_audit_events(&mut tx, &chained).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The import's sqlx writer (`import::ImportWriter`): the rows are one chunk, the new ones
/// are queued and written at the end by the dialect's bulk writer (`Dialect::insert_imported`:
/// `COPY` on PostgreSQL, bound multi-row `INSERT`s on SQLite).
struct SqlxImport<'a, B: Dialect> {
    tx: Tx<B>,
    /// Taken by the first `next_chunk`.
    rows: Option<&'a [jejak_domain::NewApplication]>,
    applications: Vec<(i64, &'a jejak_domain::NewApplication)>,
    decisions: Vec<(i64, jejak_domain::NewDecision)>,
    progress: &'a (dyn Fn(usize) + Send + Sync),
}

/// Imported applications as they were given.
struct SliceRows<'a>(&'a [jejak_domain::NewApplication]);

impl Rows for SliceRows<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn index(&self, row: usize) -> usize {
        row
    }

    fn hash(&self, row: usize) -> Cow<'_, str> {
        Cow::Owned(self.0.get(row).map(crate::codec::content_hash).unwrap_or_default())
    }

    fn columns(&self, row: usize) -> Vec<Option<Cow<'_, str>>> {
        self.0
            .get(row)
            .map(|app| {
                crate::codec::application_values(app)
                    .into_iter()
                    .map(|v| v.map(Cow::Owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl<'a, B: Dialect> ImportWriter for SqlxImport<'a, B> {
    type Chunk = SliceRows<'a>;

    async fn reserve(&mut self, n: i64) -> crate::Result<i64> {
        SqlStore::<B>::reserve(&mut self.tx, n).await
    }

    async fn register_empty(&mut self) -> crate::Result<bool> {
        let any: i64 = query_scalar(ANY_APPLICATION).fetch_one(&mut self.tx).await?;
        Ok(any == 0)
    }

    async fn lookup(&mut self, keys: &[RowKey]) -> crate::Result<Vec<Stored>> {
        use crate::codec::RowExt;
        let mut found = HashMap::new();
        for chunk in keys.chunks(INSERT_CHUNK) {
            // Row-value IN uses the (office_code, application_id) unique index.
            let mut qb = QueryBuilder::new::<B>(STORED_KEYS);
            for (n, key) in chunk.iter().enumerate() {
                qb.push(if n == 0 { "(" } else { ", (" });
                qb.push_bind(key.office_code.as_str());
                qb.push(", ");
                qb.push_bind(key.application_id.as_str());
                qb.push(")");
            }
            qb.push(")");
            for row in qb.build().fetch_all(&mut self.tx).await? {
                let key = (row.text("office_code")?, row.text("application_id")?);
                found.insert(key, (row.int("id")?, row.opt_text("source_hash")?));
            }
        }
        Ok(keys
            .iter()
            .map(|k| found.get(&(k.office_code.clone(), k.application_id.clone())).cloned())
            .collect())
    }

    async fn stored_columns(&mut self, key: i64) -> crate::Result<Vec<Option<String>>> {
        use crate::codec::RowExt;
        let row = query(stored_columns_sql()).bind(key).fetch_one(&mut self.tx).await?;
        (0..crate::codec::FIELD_NAMES.len()).map(|i| row.opt_text_at(i)).collect()
    }

    async fn drop_indexes_for_bulk(
        &mut self,
        incoming: usize,
        stored_estimate: i64,
    ) -> crate::Result<Vec<String>> {
        B::drop_indexes_for_bulk(&mut self.tx, incoming, stored_estimate).await
    }

    async fn next_chunk(&mut self) -> crate::Result<Option<SliceRows<'a>>> {
        Ok(self.rows.take().map(SliceRows))
    }

    async fn insert(&mut self, chunk: &SliceRows<'a>, new: &[Numbered]) -> crate::Result<()> {
        for n in new {
            let Some(app) = chunk.0.get(n.row) else { continue };
            self.applications.push((n.key, app));
            let decision =
                crate::codec::imported_decision(jejak_domain::ApplicationKey(n.key), app);
            if let (Some(id), Some(d)) = (n.decision, decision) {
                self.decisions.push((id, d));
            }
        }
        Ok(())
    }

    async fn finish_inserts(&mut self) -> crate::Result<()> {
        if self.applications.is_empty() {
            return Ok(());
        }
        B::insert_imported(&mut self.tx, &self.applications, &self.decisions, self.progress).await
    }

    async fn rebuild_indexes(&mut self, definitions: Vec<String>) -> crate::Result<()> {
        B::rebuild_indexes(&mut self.tx, definitions).await
    }

    async fn audit(
        &mut self,
        ctx: &crate::AuditCtx,
        action: AuditAction,
        entity: &str,
        details: &str,
    ) -> crate::Result<()> {
        SqlStore::<B>::audit_tx(&mut self.tx, ctx, action, entity, None, details).await
    }

    async fn commit(self) -> crate::Result<()> {
        self.tx.commit().await
    }

    async fn rollback(self) -> crate::Result<()> {
        self.tx.rollback().await
    }
}
