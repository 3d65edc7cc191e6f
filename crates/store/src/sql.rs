//! The store's SQL, written once and instantiated for both backends by `store_impl!`.
//!
//! The statements are plain SQL that SQLite and PostgreSQL both accept (`$N` placeholders,
//! `RETURNING`, text dates). What differs per backend (connecting, starting a write
//! transaction, migrations) lives in `sqlite.rs` and `postgres.rs`.

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
pub(crate) const LIST_APPLICATIONS: &str = "select * from applications where ($1 is null or office_code = $1) and ($2 is null or outcome = $2) and ($3 is null or nik = $3) and ($4 is null or phone = $4) and ($5 is null or previous_passport_no = $5) order by applied_on desc, id desc limit $6";
pub(crate) const EXPORT: &str = "select * from applications where ($1 is null or applied_on >= $1) and ($2 is null or applied_on <= $2) and ($3 is null or office_code = $3) order by applied_on, office_code, application_id";

/// Implements `Store` for a backend type with a `pool` field and a `begin_write` method.
macro_rules! store_impl {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Reserves `n` change numbers; returns the first. Also serialises writers, so
            /// change numbers become visible in commit order.
            async fn reserve(
                tx: &mut sqlx::Transaction<'static, $db>,
                n: i64,
            ) -> $crate::Result<i64> {
                let top: i64 = sqlx::query_scalar($crate::sql::RESERVE_SEQ)
                    .bind(n)
                    .fetch_one(&mut **tx)
                    .await?;
                Ok(top - n + 1)
            }

            async fn audit_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                ctx: &$crate::AuditCtx,
                action: &str,
                entity: &str,
                entity_id: Option<&str>,
                details: &str,
            ) -> $crate::Result<()> {
                let (seq, prev_hash) = Self::audit_head(tx).await?;
                let event = $crate::audit::AuditEvent::chained(
                    seq, prev_hash, ctx, action, entity, entity_id, details,
                );
                Self::insert_audit_events(tx, std::slice::from_ref(&event)).await
            }

            /// The number and hash the next audit event chains to.
            async fn audit_head(
                tx: &mut sqlx::Transaction<'static, $db>,
            ) -> $crate::Result<(i64, String)> {
                use $crate::codec::RowExt;
                let last = sqlx::query($crate::sql::LAST_AUDIT).fetch_optional(&mut **tx).await?;
                let last = match last {
                    Some(row) => Some((row.int("seq")?, row.text("hash")?)),
                    None => None,
                };
                Ok($crate::audit::next_after(last))
            }

            async fn insert_audit_events(
                tx: &mut sqlx::Transaction<'static, $db>,
                events: &[$crate::audit::AuditEvent],
            ) -> $crate::Result<()> {
                for chunk in events.chunks($crate::sql::INSERT_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new($crate::sql::INSERT_AUDIT_COLUMNS);
                    qb.push_values(chunk, |mut b, event| {
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
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// The multi-row `INSERT` of one chunk of applications, values bound.
            fn application_chunk_query(
                chunk: &[(i64, &jejak_domain::NewApplication)],
                change_seq: i64,
            ) -> $crate::Result<sqlx::query::Query<'static, $db, <$db as sqlx::Database>::Arguments>> {
                let sql = $crate::codec::insert_applications_sql(chunk.len(), Self::NUMBERED_PLACEHOLDERS);
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, app) in chunk {
                    let values = $crate::codec::application_values(app);
                    $crate::codec::refuse_nul(&values)?;
                    let hash = $crate::codec::values_hash(&values);
                    query = query.bind(*id);
                    for value in values {
                        query = query.bind(value);
                    }
                    query = query.bind(hash).bind(1_i64).bind(change_seq.max(*id));
                    for valid in $crate::codec::validity_values(app) {
                        query = query.bind(valid);
                    }
                }
                Ok(query)
            }

            async fn insert_applications_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                rows: &[(i64, &jejak_domain::NewApplication)],
                change_seq: i64,
                progress: &(dyn Fn(usize) + Send + Sync),
            ) -> $crate::Result<()> {
                let mut chunks = rows.chunks($crate::sql::APPLICATION_CHUNK);
                let mut next = match chunks.next() {
                    Some(c) => Some((Self::application_chunk_query(c, change_seq)?, c.len())),
                    None => None,
                };
                let mut done = 0;
                while let Some((query, len)) = next.take() {
                    let mut following = chunks.next();
                    let mut built = None;
                    let mut execute = std::pin::pin!(query.execute(&mut **tx));
                    // The first poll hands the statement to the database; the next chunk is
                    // bound while it runs (on SQLite's worker thread or on the server).
                    std::future::poll_fn(|cx| {
                        let poll = execute.as_mut().poll(cx);
                        if let Some(c) = following.take() {
                            built = Some(Self::application_chunk_query(c, change_seq).map(|q| (q, c.len())));
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

            async fn insert_decisions_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                rows: &[(i64, jejak_domain::NewDecision)],
            ) -> $crate::Result<()> {
                for chunk in rows.chunks($crate::sql::INSERT_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new($crate::sql::INSERT_DECISION_COLUMNS);
                    qb.push_values(chunk, |mut b, (id, d)| {
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
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Appends a decision and moves the application to its outcome inside `tx`, if the
            /// application is still at `expected_version`; else `Conflict` (the caller's
            /// transaction is then to be dropped).
            async fn decide_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                decision: &jejak_domain::NewDecision,
                expected_version: i64,
                ctx: &$crate::AuditCtx,
            ) -> $crate::Result<jejak_domain::Decision> {
                use $crate::codec::RowExt;
                let seq = Self::reserve(tx, 1).await?;
                let updated = sqlx::query($crate::sql::UPDATE_OUTCOME)
                    .bind(decision.kind.as_str())
                    .bind($crate::codec::outcome_reason_text(decision))
                    .bind(jejak_domain::date::iso(decision.decided_on))
                    .bind(seq)
                    .bind(decision.application.0)
                    .bind(expected_version)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    let current = sqlx::query($crate::sql::SELECT_APPLICATION)
                        .bind(decision.application.0)
                        .fetch_optional(&mut **tx)
                        .await?
                        .ok_or_else(|| $crate::StoreError::NotFound(format!("application {}", decision.application)))?;
                    return Err($crate::StoreError::Conflict(format!(
                        "application {} was changed by someone else (version {} is now {}); reload it and decide again",
                        current.text("application_id")?, expected_version, current.int("version")?
                    )));
                }
                Self::insert_decisions_tx(tx, &[(seq, decision.clone())]).await?;
                let key = decision.application.to_string();
                let details = format!(
                    "{} {}",
                    decision.kind.as_str(),
                    $crate::codec::outcome_reason_text(decision).unwrap_or_default()
                );
                Self::audit_tx(tx, ctx, "decision.record", "application", Some(&key), details.trim()).await?;
                Ok(jejak_domain::Decision { id: seq, change_seq: seq, data: decision.clone() })
            }

            /// `Store::import_with_progress` through sqlx: PostgreSQL's import, and SQLite's
            /// when the register is not a file the bulk importer can open.
            async fn import_sqlx(
                &self,
                rows: &[jejak_domain::NewApplication],
                policy: $crate::ConflictPolicy,
                ctx: &$crate::AuditCtx,
                progress: &(dyn Fn(usize) + Send + Sync),
            ) -> $crate::Result<$crate::ImportOutcome> {
                let mut tx = self.begin_write().await?;
                // Taking the counter first serialises concurrent imports of the same rows.
                // Every stored application took a change number, so the counter bounds
                // their count from above.
                let stored_estimate = Self::reserve(&mut tx, 0).await? - 1;
                // Nothing to look up in an empty register (the counter is held, so no
                // application can be added meanwhile).
                let any_stored: i64 =
                    sqlx::query_scalar($crate::sql::ANY_APPLICATION).fetch_one(&mut *tx).await?;
                let existing = if any_stored == 0 {
                    std::collections::HashMap::new()
                } else {
                    Self::existing_tx(&mut tx, rows).await?
                };
                let mut outcome = $crate::ImportOutcome::default();
                let mut fresh = Vec::new();
                for (index, app) in rows.iter().enumerate() {
                    let key = (app.office_code.as_str().to_owned(), app.application_id.clone());
                    match existing.get(&key) {
                        None => fresh.push(app),
                        Some((stored, hash)) => {
                            if hash.as_deref() == Some($crate::codec::content_hash(app).as_str())
                                || &stored.data == app
                            {
                                outcome.unchanged += 1;
                            } else {
                                outcome.conflicts.push($crate::ImportConflict {
                                    index,
                                    office_code: app.office_code.clone(),
                                    application_id: app.application_id.clone(),
                                    fields: $crate::codec::differing_fields(&stored.data, app),
                                });
                            }
                        }
                    }
                }
                if !outcome.conflicts.is_empty() && policy == $crate::ConflictPolicy::Abort {
                    tx.rollback().await?;
                    return Ok(outcome);
                }
                let decided = fresh.iter().filter(|a| a.outcome != jejak_domain::Outcome::Pending).count();
                let needed = (fresh.len() + decided) as i64;
                if needed > 0 {
                    let first = Self::reserve(&mut tx, needed).await?;
                    let keyed: Vec<(i64, &jejak_domain::NewApplication)> =
                        fresh.iter().enumerate().map(|(i, a)| (first + i as i64, *a)).collect();
                    let mut next = first + fresh.len() as i64;
                    let mut decisions = Vec::with_capacity(decided);
                    for (id, app) in &keyed {
                        let key = jejak_domain::ApplicationKey(*id);
                        if let Some(d) = $crate::codec::imported_decision(key, app) {
                            decisions.push((next, d));
                            next += 1;
                        }
                    }
                    let dropped = Self::drop_indexes_for_bulk(&mut tx, fresh.len(), stored_estimate).await?;
                    Self::insert_imported(&mut tx, &keyed, &decisions, progress).await?;
                    Self::rebuild_indexes(&mut tx, dropped).await?;
                }
                outcome.inserted = fresh.len();
                outcome.committed = true;
                let details = format!(
                    "{{\"inserted\":{},\"unchanged\":{},\"conflicts_skipped\":{}}}",
                    outcome.inserted,
                    outcome.unchanged,
                    outcome.conflicts.len()
                );
                Self::audit_tx(&mut tx, ctx, "application.import", "application", None, &details).await?;
                tx.commit().await?;
                Ok(outcome)
            }

            /// Stored applications with the given keys, by (office, application id).
            async fn existing_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                rows: &[jejak_domain::NewApplication],
            ) -> $crate::Result<
                std::collections::HashMap<(String, String), (jejak_domain::Application, Option<String>)>,
            > {
                use $crate::codec::RowExt;
                let mut found = std::collections::HashMap::new();
                for chunk in rows.chunks($crate::sql::INSERT_CHUNK) {
                    // Row-value IN uses the (office_code, application_id) unique index.
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "select * from applications where (office_code, application_id) in (",
                    );
                    let mut list = qb.separated(", ");
                    for app in chunk {
                        list.push("(");
                        list.push_bind_unseparated(app.office_code.as_str().to_owned());
                        list.push_unseparated(", ");
                        list.push_bind_unseparated(app.application_id.clone());
                        list.push_unseparated(")");
                    }
                    qb.push(")");
                    for row in qb.build().fetch_all(&mut **tx).await? {
                        let app = $crate::codec::read_application(&row)?;
                        let hash = row.opt_text("source_hash")?;
                        let key = (app.data.office_code.as_str().to_owned(), app.data.application_id.clone());
                        found.insert(key, (app, hash));
                    }
                }
                Ok(found)
            }
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                Self::BACKEND
            }

            async fn list_offices(&self) -> $crate::Result<Vec<jejak_domain::Office>> {
                let rows = sqlx::query($crate::sql::LIST_OFFICES).fetch_all(&self.pool).await?;
                rows.iter().map($crate::codec::read_office).collect()
            }

            async fn save_office(
                &self,
                office: &jejak_domain::Office,
                ctx: &$crate::AuditCtx,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_write().await?;
                Self::reserve(&mut tx, 1).await?;
                let area: Vec<&str> = office.work_area.iter().map(|r| r.as_str()).collect();
                sqlx::query($crate::sql::UPSERT_OFFICE)
                    .bind(office.code.as_str())
                    .bind(&office.name)
                    .bind(area.join(","))
                    .execute(&mut *tx)
                    .await?;
                let details = format!("{} ({})", office.name, area.join(","));
                Self::audit_tx(&mut tx, ctx, "office.save", "office", Some(office.code.as_str()), &details).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn import_with_progress(
                &self,
                rows: &[jejak_domain::NewApplication],
                policy: $crate::ConflictPolicy,
                ctx: &$crate::AuditCtx,
                progress: &(dyn Fn(usize) + Send + Sync),
            ) -> $crate::Result<$crate::ImportOutcome> {
                self.import_rows(rows, policy, ctx, progress).await
            }

            async fn insert_application(
                &self,
                app: &jejak_domain::NewApplication,
                ctx: &$crate::AuditCtx,
            ) -> $crate::Result<jejak_domain::Application> {
                let mut tx = self.begin_write().await?;
                let decided = app.outcome != jejak_domain::Outcome::Pending;
                let id = Self::reserve(&mut tx, if decided { 2 } else { 1 }).await?;
                Self::insert_applications_tx(&mut tx, &[(id, app)], 0, &|_| {}).await.map_err(|e| match e {
                    $crate::StoreError::Conflict(_) => $crate::StoreError::Conflict(format!(
                        "application {} already exists at office {}",
                        app.application_id, app.office_code
                    )),
                    other => other,
                })?;
                if let Some(d) = $crate::codec::imported_decision(jejak_domain::ApplicationKey(id), app) {
                    Self::insert_decisions_tx(&mut tx, &[(id + 1, d)]).await?;
                }
                let id_text = id.to_string();
                Self::audit_tx(&mut tx, ctx, "application.create", "application", Some(&id_text), &app.application_id).await?;
                tx.commit().await?;
                self.get_application(jejak_domain::ApplicationKey(id)).await
            }

            async fn get_application(
                &self,
                key: jejak_domain::ApplicationKey,
            ) -> $crate::Result<jejak_domain::Application> {
                let row = sqlx::query($crate::sql::SELECT_APPLICATION)
                    .bind(key.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::NotFound(format!("application {key}")))?;
                $crate::codec::read_application(&row)
            }

            async fn find_application(
                &self,
                office: &jejak_domain::OfficeCode,
                application_id: &str,
            ) -> $crate::Result<Option<jejak_domain::Application>> {
                let row = sqlx::query($crate::sql::FIND_APPLICATION)
                    .bind(office.as_str())
                    .bind(application_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map($crate::codec::read_application).transpose()
            }

            async fn export(
                &self,
                filter: &$crate::ExportFilter,
            ) -> $crate::Result<Vec<jejak_domain::NewApplication>> {
                let rows = sqlx::query($crate::sql::EXPORT)
                    .bind(filter.from.map(jejak_domain::date::iso))
                    .bind(filter.to.map(jejak_domain::date::iso))
                    .bind(filter.office.as_ref().map(|o| o.as_str().to_owned()))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|r| $crate::codec::read_application(r).map(|a| a.data)).collect()
            }

            async fn count_applications(&self) -> $crate::Result<u64> {
                let n: i64 = sqlx::query_scalar($crate::sql::COUNT_APPLICATIONS).fetch_one(&self.pool).await?;
                Ok(n.max(0) as u64)
            }

            async fn record_decision(
                &self,
                decision: &jejak_domain::NewDecision,
                expected_version: i64,
                ctx: &$crate::AuditCtx,
            ) -> $crate::Result<jejak_domain::Decision> {
                let mut tx = self.begin_write().await?;
                let recorded = Self::decide_tx(&mut tx, decision, expected_version, ctx).await?;
                tx.commit().await?;
                Ok(recorded)
            }

            async fn list_applications(
                &self,
                query: &$crate::ApplicationQuery,
            ) -> $crate::Result<Vec<jejak_domain::Application>> {
                let rows = sqlx::query($crate::sql::LIST_APPLICATIONS)
                    .bind(query.office.as_ref().map(|o| o.as_str().to_owned()))
                    .bind(query.outcome.map(|o| o.as_str().to_owned()))
                    .bind(query.nik.clone())
                    .bind(query.phone.clone())
                    .bind(query.passport_no.clone())
                    .bind(i64::from(query.limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::codec::read_application).collect()
            }

            async fn decisions_of(
                &self,
                key: jejak_domain::ApplicationKey,
            ) -> $crate::Result<Vec<jejak_domain::Decision>> {
                let rows = sqlx::query($crate::sql::DECISIONS_OF).bind(key.0).fetch_all(&self.pool).await?;
                rows.iter().map($crate::codec::read_decision).collect()
            }

            async fn applications_changed_since(
                &self,
                seq: i64,
                limit: u32,
            ) -> $crate::Result<Vec<jejak_domain::Application>> {
                let rows = sqlx::query($crate::sql::APPLICATIONS_SINCE)
                    .bind(seq)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::codec::read_application).collect()
            }

            async fn decisions_changed_since(
                &self,
                seq: i64,
                limit: u32,
            ) -> $crate::Result<Vec<jejak_domain::Decision>> {
                let rows = sqlx::query($crate::sql::DECISIONS_SINCE)
                    .bind(seq)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::codec::read_decision).collect()
            }

            async fn current_change_seq(&self) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar($crate::sql::CURRENT_SEQ).fetch_one(&self.pool).await?)
            }

            async fn audit_events(
                &self,
                after_seq: i64,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::AuditEvent>> {
                let rows = sqlx::query($crate::sql::AUDIT_AFTER)
                    .bind(after_seq)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::codec::read_audit).collect()
            }

            async fn append_audit(
                &self,
                ctx: &$crate::AuditCtx,
                action: &str,
                entity: &str,
                entity_id: Option<&str>,
                details: &str,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_write().await?;
                Self::reserve(&mut tx, 0).await?;
                Self::audit_tx(&mut tx, ctx, action, entity, entity_id, details).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn append_audits(&self, events: &[$crate::AuditAppend]) -> $crate::Result<()> {
                self.append_audit_batch(events).await
            }
        }

        impl $store {
            /// `Store::append_audits` through the pool.
            async fn append_audits_sqlx(
                &self,
                events: &[$crate::AuditAppend],
            ) -> $crate::Result<()> {
                if events.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                Self::reserve(&mut tx, 0).await?;
                // One read of the chain's head and multi-row inserts: a batch costs a few
                // statements, not two per event.
                let head = Self::audit_head(&mut tx).await?;
                let chained = $crate::audit::AuditEvent::chain_batch(head, events);
                Self::insert_audit_events(&mut tx, &chained).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use store_impl;
