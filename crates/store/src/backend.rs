//! The one interface the SQL backends implement (`Dialect`), and the store written once over
//! it (`SqlStore<B>`).
//!
//! Every storage algorithm (the `Store` trait and its area traits, in `sql.rs` and the area
//! modules) is ordinary generic code over `B: Dialect`: it builds a `Query` (shared SQL text,
//! values bound through `Arg`) and runs it on the pool or a write transaction (`Tx<B>`). What
//! differs between SQLite and PostgreSQL is declared here and implemented in `sqlite.rs` and
//! `postgres.rs`: the database type, how a write transaction starts, the placeholder style,
//! and the bulk hooks (the import's row writer, the audit batch writer, index handling).
//! Why a value list instead of sqlx's generic binding: generic sqlx code needs a dozen
//! higher-ranked bounds on every function; here they are stated once, on `run`.

use std::borrow::Cow;
use std::marker::PhantomData;

use jejak_domain::{NewApplication, NewDecision};
use sqlx::{AssertSqlSafe, Database, Encode, Executor, IntoArguments, Pool, Type};

use crate::codec::RowExt;
use crate::{AuditAppend, AuditCtx, ConflictPolicy, ImportOutcome, Result};

/// A row of backend `B`.
pub(crate) type RowOf<B> = <<B as Dialect>::Db as Database>::Row;

/// What differs between the SQL backends. Implemented by each backend's connection state
/// (`SqliteDialect`, `PgDialect`); everything else is written once in `SqlStore<B>`.
pub(crate) trait Dialect: Send + Sync + Sized + 'static {
    /// The sqlx database; its rows are read through `RowExt`.
    type Db: Database<Row: RowExt + Send + Sync>;

    /// Which database this is, as the public `Store::backend` reports it.
    const KIND: crate::Backend;

    /// Whether generated statements write placeholders `$N` (else `?`).
    const NUMBERED_PLACEHOLDERS: bool;

    /// Starts a write transaction (SQLite takes the write lock up front).
    fn begin_write(pool: &Pool<Self::Db>) -> impl Future<Output = Result<Tx<Self>>> + Send;

    /// Runs `query` and returns its rows (`Fetch::All`), its first row (`Fetch::Optional`)
    /// or the number of rows it changed (`Fetch::Execute`).
    fn run<'a>(
        on: On<'a, Self::Db>,
        query: Query<'a>,
        fetch: Fetch,
    ) -> impl Future<Output = Result<Fetched<RowOf<Self>>>> + Send + 'a;

    fn commit(tx: Tx<Self>) -> impl Future<Output = Result<()>> + Send;

    fn rollback(tx: Tx<Self>) -> impl Future<Output = Result<()>> + Send;

    /// `Store::import_with_progress` (SQLite imports a register file through its bulk
    /// importer; otherwise `SqlStore::import_sqlx`).
    fn import_rows(
        store: &SqlStore<Self>,
        rows: &[NewApplication],
        policy: ConflictPolicy,
        ctx: &AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> impl Future<Output = Result<ImportOutcome>> + Send;

    /// Drops the secondary indexes a bulk import of `incoming` rows into a register of about
    /// `stored_estimate` rows should not maintain row by row; returns their definitions for
    /// `rebuild_indexes`.
    fn drop_indexes_for_bulk(
        tx: &mut Tx<Self>,
        incoming: usize,
        stored_estimate: i64,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;

    fn rebuild_indexes(
        tx: &mut Tx<Self>,
        definitions: Vec<String>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Writes an import's new applications and their decisions (the bulk row writer).
    fn insert_imported(
        tx: &mut Tx<Self>,
        applications: &[(i64, &NewApplication)],
        decisions: &[(i64, NewDecision)],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> impl Future<Output = Result<()>> + Send;

    /// `Store::append_audits` (SQLite writes a register file's batches on its own
    /// connection; otherwise `SqlStore::append_audits_sqlx`).
    fn append_audit_batch(
        store: &SqlStore<Self>,
        events: &[AuditAppend],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Closes the connections the backend holds outside the pool.
    fn close_own_connections(&self);
}

/// A register behind backend `B`: the public store traits are implemented once for it.
pub(crate) struct SqlStore<B: Dialect> {
    pub(crate) pool: Pool<B::Db>,
    /// The backend's own state (connections outside the pool).
    pub(crate) db: B,
}

impl<B: Dialect> SqlStore<B> {
    pub(crate) fn close_own_connections(&self) {
        self.db.close_own_connections();
    }

    /// Starts a write transaction.
    pub(crate) async fn begin_write(&self) -> Result<Tx<B>> {
        B::begin_write(&self.pool).await
    }
}

/// A write transaction of backend `B`; dropped without `commit`, it rolls back.
pub(crate) struct Tx<B: Dialect>(pub(crate) sqlx::Transaction<'static, B::Db>);

impl<B: Dialect> Tx<B> {
    pub(crate) async fn commit(self) -> Result<()> {
        B::commit(self).await
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        B::rollback(self).await
    }
}

/// Where a query runs: the pool (a read) or a write transaction.
pub(crate) enum On<'a, DB: Database> {
    Pool(&'a Pool<DB>),
    Tx(&'a mut sqlx::Transaction<'static, DB>),
}

/// What a query's caller wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fetch {
    All,
    Optional,
    Execute,
}

/// What a query gave back (see `Fetch`).
pub(crate) enum Fetched<R> {
    Rows(Vec<R>),
    Row(Option<R>),
    Changed(u64),
}

/// The store (its pool) or a write transaction, as a place to run a query.
pub(crate) trait Target<'a, B: Dialect> {
    fn on(self) -> On<'a, B::Db>;
}

impl<'a, B: Dialect> Target<'a, B> for &'a SqlStore<B> {
    fn on(self) -> On<'a, B::Db> {
        On::Pool(&self.pool)
    }
}

impl<'a, B: Dialect> Target<'a, B> for &'a mut Tx<B> {
    fn on(self) -> On<'a, B::Db> {
        On::Tx(&mut self.0)
    }
}

/// One bound value. Text borrows where it can; each variant binds with the type the
/// statement's parameter has (so PostgreSQL infers `$1 is null` the same as before).
#[derive(Debug, Clone)]
pub(crate) enum Arg<'q> {
    Int(Option<i64>),
    Text(Option<Cow<'q, str>>),
    Flag(Option<bool>),
    Bytes(Option<Cow<'q, [u8]>>),
}

impl<'q> From<&'q [u8]> for Arg<'q> {
    fn from(v: &'q [u8]) -> Self {
        Arg::Bytes(Some(Cow::Borrowed(v)))
    }
}

impl<'q> From<&'q Vec<u8>> for Arg<'q> {
    fn from(v: &'q Vec<u8>) -> Self {
        Arg::Bytes(Some(Cow::Borrowed(v.as_slice())))
    }
}

impl From<Vec<u8>> for Arg<'_> {
    fn from(v: Vec<u8>) -> Self {
        Arg::Bytes(Some(Cow::Owned(v)))
    }
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Flag(Some(v))
    }
}

impl From<Option<bool>> for Arg<'_> {
    fn from(v: Option<bool>) -> Self {
        Arg::Flag(v)
    }
}

impl From<String> for Arg<'_> {
    fn from(v: String) -> Self {
        Arg::Text(Some(Cow::Owned(v)))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v.map(Cow::Owned))
    }
}

impl<'q> From<&'q str> for Arg<'q> {
    fn from(v: &'q str) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'q> From<&'q String> for Arg<'q> {
    fn from(v: &'q String) -> Self {
        Arg::Text(Some(Cow::Borrowed(v.as_str())))
    }
}

impl<'q> From<Option<&'q str>> for Arg<'q> {
    fn from(v: Option<&'q str>) -> Self {
        Arg::Text(v.map(Cow::Borrowed))
    }
}

impl<'q> From<&'q Option<String>> for Arg<'q> {
    fn from(v: &'q Option<String>) -> Self {
        Arg::Text(v.as_deref().map(Cow::Borrowed))
    }
}

/// A statement and its bound values, run on either backend.
#[derive(Debug, Clone)]
pub(crate) struct Query<'q> {
    sql: Cow<'static, str>,
    args: Vec<Arg<'q>>,
}

/// A query of the shared SQL text `sql`.
pub(crate) fn query<'q>(sql: impl Into<Cow<'static, str>>) -> Query<'q> {
    Query { sql: sql.into(), args: Vec::new() }
}

/// A query whose answer is the first column of its rows.
pub(crate) fn query_scalar<'q, T: Scalar>(sql: impl Into<Cow<'static, str>>) -> ScalarQuery<'q, T> {
    ScalarQuery { query: query(sql), value: PhantomData }
}

impl<'q> Query<'q> {
    pub(crate) fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Every row.
    pub(crate) async fn fetch_all<'a, B: Dialect>(
        self,
        on: impl Target<'a, B>,
    ) -> Result<Vec<RowOf<B>>>
    where
        'q: 'a,
    {
        match B::run(on.on(), self, Fetch::All).await? {
            Fetched::Rows(rows) => Ok(rows),
            Fetched::Row(row) => Ok(row.into_iter().collect()),
            Fetched::Changed(_) => Ok(Vec::new()),
        }
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<'a, B: Dialect>(
        self,
        on: impl Target<'a, B>,
    ) -> Result<Option<RowOf<B>>>
    where
        'q: 'a,
    {
        match B::run(on.on(), self, Fetch::Optional).await? {
            Fetched::Row(row) => Ok(row),
            Fetched::Rows(rows) => Ok(rows.into_iter().next()),
            Fetched::Changed(_) => Ok(None),
        }
    }

    /// The first row; `StoreError::NotFound` when there is none.
    pub(crate) async fn fetch_one<'a, B: Dialect>(self, on: impl Target<'a, B>) -> Result<RowOf<B>>
    where
        'q: 'a,
    {
        self.fetch_optional(on).await?.ok_or_else(|| sqlx::Error::RowNotFound.into())
    }

    /// Runs the statement; the answer says how many rows it changed.
    pub(crate) async fn execute<'a, B: Dialect>(self, on: impl Target<'a, B>) -> Result<Done>
    where
        'q: 'a,
    {
        match B::run(on.on(), self, Fetch::Execute).await? {
            Fetched::Changed(n) => Ok(Done(n)),
            Fetched::Rows(_) | Fetched::Row(_) => Ok(Done(0)),
        }
    }
}

/// How many rows a statement changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done(u64);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// A value read from a row's first column.
pub(crate) trait Scalar: Sized + Send {
    fn read(row: &impl RowExt) -> Result<Self>;
}

impl Scalar for i64 {
    fn read(row: &impl RowExt) -> Result<Self> {
        row.int_at(0)
    }
}

impl Scalar for Option<i64> {
    fn read(row: &impl RowExt) -> Result<Self> {
        row.opt_int_at(0)
    }
}

impl Scalar for String {
    fn read(row: &impl RowExt) -> Result<Self> {
        row.text_at(0)
    }
}

impl Scalar for Option<String> {
    fn read(row: &impl RowExt) -> Result<Self> {
        row.opt_text_at(0)
    }
}

impl Scalar for bool {
    fn read(row: &impl RowExt) -> Result<Self> {
        row.flag_at(0)
    }
}

/// `query_scalar`'s query.
pub(crate) struct ScalarQuery<'q, T> {
    query: Query<'q>,
    value: PhantomData<fn() -> T>,
}

impl<'q, T: Scalar> ScalarQuery<'q, T> {
    pub(crate) fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub(crate) async fn fetch_all<'a, B: Dialect>(self, on: impl Target<'a, B>) -> Result<Vec<T>>
    where
        'q: 'a,
    {
        self.query.fetch_all(on).await?.iter().map(T::read).collect()
    }

    pub(crate) async fn fetch_optional<'a, B: Dialect>(
        self,
        on: impl Target<'a, B>,
    ) -> Result<Option<T>>
    where
        'q: 'a,
    {
        self.query.fetch_optional(on).await?.as_ref().map(T::read).transpose()
    }

    pub(crate) async fn fetch_one<'a, B: Dialect>(self, on: impl Target<'a, B>) -> Result<T>
    where
        'q: 'a,
    {
        T::read(&self.query.fetch_one(on).await?)
    }
}

/// A statement assembled from pieces, with placeholders in backend `B`'s style (sqlx's
/// `QueryBuilder` for a `Query`).
pub(crate) struct QueryBuilder<'q> {
    sql: String,
    args: Vec<Arg<'q>>,
    numbered: bool,
}

impl<'q> QueryBuilder<'q> {
    pub(crate) fn new<B: Dialect>(head: &str) -> Self {
        Self { sql: head.to_owned(), args: Vec::new(), numbered: B::NUMBERED_PLACEHOLDERS }
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub(crate) fn push_bind(&mut self, value: impl Into<Arg<'q>>) -> &mut Self {
        self.args.push(value.into());
        if self.numbered {
            use std::fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = write!(self.sql, "${}", self.args.len());
        } else {
            self.sql.push('?');
        }
        self
    }

    /// Appends `values (…), (…)`: one parenthesised group per item, `bind` pushing its
    /// values through the given `Row`.
    pub(crate) fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut bind: impl FnMut(&mut ValuesRow<'_, 'q>, T),
    ) -> &mut Self {
        self.sql.push_str("values ");
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            let mut row = ValuesRow { builder: self, first: true };
            bind(&mut row, item);
            self.sql.push(')');
        }
        self
    }

    pub(crate) fn build(self) -> Query<'q> {
        Query { sql: Cow::Owned(self.sql), args: self.args }
    }
}

/// One parenthesised group of `QueryBuilder::push_values`.
pub(crate) struct ValuesRow<'b, 'q> {
    builder: &'b mut QueryBuilder<'q>,
    first: bool,
}

impl<'q> ValuesRow<'_, 'q> {
    pub(crate) fn push_bind(&mut self, value: impl Into<Arg<'q>>) -> &mut Self {
        if !self.first {
            self.builder.sql.push_str(", ");
        }
        self.first = false;
        self.builder.push_bind(value);
        self
    }
}

/// `Dialect::run` for any sqlx database whose connections execute queries: both backends'
/// `run` are this function (the bounds are stated here once).
pub(crate) async fn run_sqlx<'a, DB>(
    on: On<'a, DB>,
    query: Query<'a>,
    fetch: Fetch,
    rows_affected: fn(DB::QueryResult) -> u64,
) -> Result<Fetched<DB::Row>>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'v> Option<i64>: Encode<'v, DB> + Type<DB>,
    for<'v> Option<bool>: Encode<'v, DB> + Type<DB>,
    for<'v> Option<&'v str>: Encode<'v, DB> + Type<DB>,
    for<'v> Option<&'v [u8]>: Encode<'v, DB> + Type<DB>,
{
    let mut bound = sqlx::query::<DB>(AssertSqlSafe(query.sql));
    for arg in &query.args {
        bound = match arg {
            Arg::Int(v) => bound.bind(*v),
            Arg::Flag(v) => bound.bind(*v),
            Arg::Text(v) => bound.bind(v.as_deref()),
            Arg::Bytes(v) => bound.bind(v.as_deref()),
        };
    }
    Ok(match (on, fetch) {
        (On::Pool(pool), Fetch::All) => Fetched::Rows(bound.fetch_all(pool).await?),
        (On::Pool(pool), Fetch::Optional) => Fetched::Row(bound.fetch_optional(pool).await?),
        (On::Pool(pool), Fetch::Execute) => {
            Fetched::Changed(rows_affected(bound.execute(pool).await?))
        }
        (On::Tx(tx), Fetch::All) => Fetched::Rows(bound.fetch_all(&mut **tx).await?),
        (On::Tx(tx), Fetch::Optional) => Fetched::Row(bound.fetch_optional(&mut **tx).await?),
        (On::Tx(tx), Fetch::Execute) => {
            Fetched::Changed(rows_affected(bound.execute(&mut **tx).await?))
        }
    })
}
