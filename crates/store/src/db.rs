//! The two databases behind one interface.
//!
//! * Placeholders are `$1, $2, …` in every statement: PostgreSQL's own syntax,
//!   and SQLite reads `$NNN` as the NNN-th argument.
//! * Arguments are [`Arg`]s carrying their type even when null, because
//!   PostgreSQL types a parameter from the value bound to it.
//! * SQLite write transactions open with `BEGIN IMMEDIATE` (a deferred BEGIN
//!   fails with "database is locked" when two writers upgrade at once), in WAL
//!   mode with a busy timeout.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Postgres, Row as _, Sqlite};

use crate::error::{StoreError, StoreResult};

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_escapes_what_the_format_uses() {
        use super::Arg;
        let rows = vec![
            vec![
                Arg::from("甲\t乙\n丙\\丁\r"),
                Arg::from(Option::<String>::None),
                Arg::from(true),
                Arg::from(12i64),
                Arg::from(117.5f64),
            ],
            vec![
                Arg::from(vec![0u8, 171]),
                Arg::from(Option::<i64>::None),
                Arg::from(false),
                Arg::from(-1i64),
                Arg::from(Option::<f64>::None),
            ],
        ];
        assert_eq!(
            String::from_utf8(super::copy_text(rows)).unwrap(),
            "甲\\t乙\\n丙\\\\丁\\r\t\\N\tt\t12\t117.5\n\\\\x00ab\t\\N\tf\t-1\t\\N\n"
        );
    }

    #[test]
    fn sql_numbers_its_placeholders_in_order() {
        use super::{Arg, Sql};
        let mut sql = Sql::new("SELECT id FROM t WHERE a = ");
        sql.push_bind(1i64)
            .push(" AND b IN ")
            .push_in([2i64, 3])
            .push(" AND c = ")
            .push_bind("x");
        assert_eq!(
            sql.text(),
            "SELECT id FROM t WHERE a = $1 AND b IN ($2, $3) AND c = $4"
        );
        let (_, args) = sql.build();
        assert_eq!(
            args,
            vec![
                Arg::from(1i64),
                Arg::from(2i64),
                Arg::from(3i64),
                Arg::from("x")
            ]
        );
    }

    #[test]
    fn an_empty_in_list_is_null_and_binds_nothing() {
        use super::Sql;
        let mut sql = Sql::new("SELECT 1 WHERE x IN ");
        sql.push_in(Vec::<i64>::new())
            .push(" AND y = ")
            .push_bind(7i64);
        assert_eq!(sql.text(), "SELECT 1 WHERE x IN (NULL) AND y = $1");
        assert_eq!(sql.args().len(), 1);
    }

    #[test]
    fn hand_numbered_text_and_clauses_continue_the_numbering() {
        use super::{Arg, Sql};
        let mut sql = Sql::with(
            "SELECT 1 WHERE a = $1 AND b = $2 AND '$3' <> $1 AND c IN ",
            vec![Arg::from(1i64), Arg::from(2i64)],
        );
        sql.push_in([3i64]).push(" AND ").push_with(
            "(d = ?2 OR e LIKE ?1 ESCAPE '?1')",
            vec!["e".into(), "d".into()],
        );
        assert_eq!(
            sql.text(),
            "SELECT 1 WHERE a = $1 AND b = $2 AND '$3' <> $1 AND c IN ($3) \
             AND (d = $5 OR e LIKE $4 ESCAPE '?1')"
        );
        assert_eq!(sql.args()[3..], [Arg::from("e"), Arg::from("d")]);
    }

    #[test]
    fn a_fragment_goes_inside_another_statement_renumbered() {
        use super::{Arg, Sql};
        let mut filter = Sql::new("1 = 1");
        filter
            .push(" AND ")
            .push_with("x = ?1", vec![Arg::from(5i64)]);
        let mut sql = Sql::with("SELECT 1 WHERE y = $1 AND ", vec![Arg::from(4i64)]);
        sql.push_sql(&filter).push(" LIMIT ").push_bind(10i64);
        assert_eq!(
            sql.text(),
            "SELECT 1 WHERE y = $1 AND 1 = 1 AND x = $2 LIMIT $3"
        );
        assert_eq!(filter.text(), "1 = 1 AND x = $1");
    }

    #[test]
    fn a_bound_argument_is_named_again() {
        use super::Sql;
        let mut sql = Sql::new("UPDATE t SET v = CASE id");
        let (id, v) = (sql.bind(9i64), sql.bind("nine"));
        sql.push(" WHEN ")
            .push_param(id)
            .push(" THEN ")
            .push_param(v)
            .push(" END WHERE id IN (")
            .push_param(id)
            .push(")")
            .push_row([1i64, 2]);
        assert_eq!(
            sql.text(),
            "UPDATE t SET v = CASE id WHEN $1 THEN $2 END WHERE id IN ($1)($3, $4)"
        );
    }

    #[test]
    #[should_panic(expected = "placeholder ?2 of 1 values")]
    fn a_clause_naming_a_value_it_lacks_is_a_bug() {
        super::Sql::new("").push_with("a = ?2", vec![1i64.into()]);
    }

    #[test]
    fn sqlite_placeholders_are_positional_outside_literals() {
        assert_eq!(
            super::sqlite_placeholders(
                "SELECT '$1', x FROM t WHERE a = $1 AND b LIKE $12 ESCAPE '\\'"
            ),
            "SELECT '$1', x FROM t WHERE a = ?1 AND b LIKE ?12 ESCAPE '\\'"
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A typed argument. Nulls keep their type (`I64(None)`), see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(Option<i64>),
    F64(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Ts(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Bytes(Option<Vec<u8>>),
}

macro_rules! arg_from {
    ($variant:ident, $t:ty) => {
        impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::$variant(Some(v.into()))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Arg {
                Arg::$variant(v.map(Into::into))
            }
        }
    };
}
arg_from!(I64, i64);
arg_from!(F64, f64);
arg_from!(Text, String);
arg_from!(Text, &str);
arg_from!(Text, &String);
arg_from!(Bool, bool);
arg_from!(Ts, DateTime<Utc>);
arg_from!(Date, NaiveDate);
arg_from!(Bytes, Vec<u8>);

/// A statement built in pieces, its placeholders numbered for it: the one
/// place where `$N` is written for a list of values or a clause added to a
/// query. Every placeholder is kept as the index of its argument until
/// [`Sql::build`], so a built fragment (a search filter) can be put inside
/// another statement with [`Sql::push_sql`] after arguments of its own.
///
/// ```ignore
/// let mut sql = Sql::with("SELECT id FROM tasks WHERE year = $1 AND id IN ", args![2024]);
/// sql.push_in([3i64, 5]).push(" AND status = ").push_bind("drawn");
/// // SELECT id FROM tasks WHERE year = $1 AND id IN ($2, $3) AND status = $4
/// let (text, args) = sql.build();
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sql {
    /// The text without its placeholders.
    text: String,
    /// Each placeholder: where it goes in `text` (a byte offset, in order)
    /// and the index in `args` of the argument it stands for.
    params: Vec<(usize, usize)>,
    args: Vec<Arg>,
}

/// A bound argument of a [`Sql`], to name it again with [`Sql::push_param`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param(usize);

impl Sql {
    /// A statement beginning with `text`, which has no placeholders.
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            ..Sql::default()
        }
    }

    /// A statement beginning with `text`, written as the store's statements
    /// are: `$1 … $k` stand for `args`, each as often as it likes.
    pub fn with(text: &str, args: Vec<Arg>) -> Sql {
        let mut sql = Sql::default();
        sql.push_numbered(text, args, b'$');
        sql
    }

    /// Raw SQL text: no placeholders in it.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds an argument without writing its placeholder; see [`Sql::push_param`].
    pub fn bind(&mut self, arg: impl Into<Arg>) -> Param {
        self.args.push(arg.into());
        Param(self.args.len() - 1)
    }

    /// The placeholder of an argument bound earlier.
    pub fn push_param(&mut self, param: Param) -> &mut Self {
        debug_assert!(param.0 < self.args.len());
        self.params.push((self.text.len(), param.0));
        self
    }

    /// A new argument and its placeholder.
    pub fn push_bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        let param = self.bind(arg);
        self.push_param(param)
    }

    /// `($a, $b, …)`, one new argument per value, for `x IN …`. No values
    /// give `(NULL)`: `x IN (NULL)` matches no row, as an empty list would
    /// (which PostgreSQL does not accept), but so does `x NOT IN (NULL)`.
    pub fn push_in<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        if self.push_list(values) == 0 {
            self.text.push_str("NULL)");
        }
        self
    }

    /// `($a, $b, …)`: one row of `INSERT … VALUES`, one new argument per value.
    pub fn push_row<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        let n = self.push_list(values);
        debug_assert!(n > 0, "a row of no values");
        self
    }

    /// Writes `(` and the values' placeholders, and `)` unless there were
    /// none; returns how many there were.
    fn push_list<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> usize {
        self.text.push('(');
        let mut n = 0;
        for v in values {
            if n > 0 {
                self.text.push_str(", ");
            }
            self.push_bind(v);
            n += 1;
        }
        if n > 0 {
            self.text.push(')');
        }
        n
    }

    /// A clause whose own `?1 … ?n` stand for `values` (each as often as it
    /// likes, in any order), numbered after the arguments so far.
    pub fn push_with(&mut self, clause: &str, values: Vec<Arg>) -> &mut Self {
        self.push_numbered(clause, values, b'?');
        self
    }

    /// Appends `other`, its arguments after these.
    pub fn push_sql(&mut self, other: &Sql) -> &mut Self {
        let (at, first) = (self.text.len(), self.args.len());
        self.text.push_str(&other.text);
        self.params
            .extend(other.params.iter().map(|(p, a)| (at + p, first + a)));
        self.args.extend(other.args.iter().cloned());
        self
    }

    /// The arguments so far, in order.
    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// The statement's text, placeholders numbered.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 6 * self.params.len());
        let mut last = 0;
        for (at, arg) in &self.params {
            out.push_str(&self.text[last..*at]);
            out.push('$');
            out.push_str(&(arg + 1).to_string());
            last = *at;
        }
        out.push_str(&self.text[last..]);
        out
    }

    /// The text and its arguments, to run, taken out of the builder (left
    /// empty), so that a chain of pushes can end with it.
    pub fn build(&mut self) -> (String, Vec<Arg>) {
        let text = self.text();
        let args = std::mem::take(&mut self.args);
        *self = Sql::default();
        (text, args)
    }

    /// Appends `text` whose `{sigil}1 … {sigil}n` (outside string literals)
    /// stand for `values`.
    fn push_numbered(&mut self, text: &str, values: Vec<Arg>, sigil: u8) {
        let first = self.args.len();
        let bytes = text.as_bytes();
        let (mut in_literal, mut last, mut i) = (false, 0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => in_literal = !in_literal,
                b if b == sigil
                    && !in_literal
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) =>
                {
                    let mut end = i + 1;
                    while end < bytes.len() && bytes[end].is_ascii_digit() {
                        end += 1;
                    }
                    let n: usize = text[i + 1..end].parse().unwrap_or(0);
                    assert!(
                        (1..=values.len()).contains(&n),
                        "placeholder {} of {} values in {text:?}",
                        &text[i..end],
                        values.len()
                    );
                    self.text.push_str(&text[last..i]);
                    self.params.push((self.text.len(), first + n - 1));
                    (last, i) = (end, end);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        self.text.push_str(&text[last..]);
        self.args.extend(values);
    }
}

/// `args![a, b, c]` builds the argument list of a statement.
#[macro_export]
macro_rules! args {
    ($($e:expr),* $(,)?) => { vec![$($crate::db::Arg::from($e)),*] };
}

/// One row of either database.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

/// A Rust type both drivers decode.
pub trait Decodable:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
{
}
impl<T> Decodable for T where
    T: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
{
}

impl Row {
    pub fn get<T: Decodable>(&self, column: &str) -> StoreResult<T> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get(column)?,
            Row::Postgres(r) => r.try_get(column)?,
        })
    }
}

/// Statements with more arguments than this are bulk statements, each with its
/// own text: caching their prepared form would only fill memory.
const CACHE_MAX_ARGS: usize = 3_000;

/// Marks a statement prepared afresh on every call: see [`planned_per_call`].
const PER_CALL: &str = "/* planned per call */ ";

/// `sql` prepared and planned anew on every call, for its own arguments.
/// PostgreSQL switches a cached statement to a generic plan after five calls,
/// one made without the arguments. For a search, whose region range and
/// keyword decide the plan, the generic plan guessed 333 rows for a city of
/// 160,000, never used parallel workers, and rebuilt a list of 31 industry
/// codes for every index entry. Planning a search costs about a millisecond.
pub fn planned_per_call(sql: &str) -> String {
    format!("{PER_CALL}{sql}")
}

macro_rules! bind_args {
    ($sql:expr, $query:expr, $args:expr) => {{
        let args = $args;
        let cached = args.len() <= CACHE_MAX_ARGS && !$sql.starts_with(PER_CALL);
        let mut q = $query.persistent(cached);
        for a in args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::F64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Ts(v) => q.bind(v),
                Arg::Date(v) => q.bind(v),
                Arg::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Runs statements on a pool or inside a transaction alike.
pub trait Exec: Send {
    fn backend(&self) -> Backend;
    fn fetch_all(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> impl Future<Output = StoreResult<Vec<Row>>> + Send;
    fn fetch_optional(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> impl Future<Output = StoreResult<Option<Row>>> + Send;
    /// Rows affected.
    fn execute(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    fn fetch_one(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> impl Future<Output = StoreResult<Row>> + Send {
        async move {
            self.fetch_optional(sql, args)
                .await?
                .ok_or(StoreError::Db(sqlx::Error::RowNotFound))
        }
    }

    /// The first column of the first row as an integer (counts, ids).
    fn scalar_i64(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> impl Future<Output = StoreResult<i64>> + Send {
        async move {
            let row = self.fetch_one(sql, args).await?;
            match row {
                Row::Sqlite(r) => Ok(r.try_get::<i64, _>(0)?),
                Row::Postgres(r) => Ok(r.try_get::<i64, _>(0)?),
            }
        }
    }
}

macro_rules! exec_impl {
    ($target:expr, $sql:ident, $args:ident, $method:ident, $map:expr) => {
        match $target {
            Either::Sqlite(e) => {
                let sql = sqlite_placeholders($sql);
                let q = bind_args!(sql, sqlx::query::<Sqlite>(&sql), $args);
                #[allow(clippy::redundant_closure_call)]
                ($map)(q.$method(e).await?, Row::Sqlite)
            }
            Either::Postgres(e) => {
                let q = bind_args!($sql, sqlx::query::<Postgres>($sql), $args);
                #[allow(clippy::redundant_closure_call)]
                ($map)(q.$method(e).await?, Row::Postgres)
            }
        }
    };
}

/// SQLite reads `$1` as a *named* parameter, and every named or numbered
/// parameter (`?1` too) makes `sqlite3_bind_parameter_name`, which sqlx calls
/// once per argument, walk a list: a bulk statement with tens of thousands of
/// arguments becomes quadratic (seconds for one 1,000-row insert). Anonymous
/// `?` parameters carry no name. The text is written once with `$N`
/// (PostgreSQL's syntax) and rewritten here, outside string literals: to `?`
/// when the placeholders run 1, 2, 3 … in order (every bulk insert), else to
/// `?N`, which SQLite reads positionally as well.
fn sqlite_placeholders(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains('$') {
        return std::borrow::Cow::Borrowed(sql);
    }
    // Splits the text into literal-free segments and placeholder numbers.
    let bytes = sql.as_bytes();
    // Sized up front: a bulk insert has thousands, and growing the list
    // showed in profiles of an import.
    let mut numbers = Vec::with_capacity(bytes.iter().filter(|b| **b == b'$').count());
    let mut in_literal = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_literal = !in_literal,
            b'$' if !in_literal && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                numbers.push((i, end, sql[start..end].parse::<usize>().unwrap_or(0)));
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let sequential = numbers.iter().enumerate().all(|(k, (_, _, n))| *n == k + 1);
    let mut out = String::with_capacity(sql.len());
    let mut last = 0;
    for (start, end, _) in &numbers {
        out.push_str(&sql[last..*start]);
        if sequential {
            out.push('?');
        } else {
            out.push('?');
            out.push_str(&sql[start + 1..*end]);
        }
        last = *end;
    }
    out.push_str(&sql[last..]);
    std::borrow::Cow::Owned(out)
}

/// Borrowed executor of either backend, so the statement code exists once.
enum Either<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

async fn run_all(e: Either<'_>, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Row>> {
    Ok(exec_impl!(e, sql, args, fetch_all, |rows: Vec<_>, f| rows
        .into_iter()
        .map(f)
        .collect()))
}

async fn run_optional(e: Either<'_>, sql: &str, args: Vec<Arg>) -> StoreResult<Option<Row>> {
    Ok(exec_impl!(
        e,
        sql,
        args,
        fetch_optional,
        |row: Option<_>, f| row.map(f)
    ))
}

async fn run_execute(e: Either<'_>, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
    Ok(match e {
        Either::Sqlite(c) => {
            let sql = sqlite_placeholders(sql);
            bind_args!(sql, sqlx::query::<Sqlite>(&sql), args)
                .execute(c)
                .await?
                .rows_affected()
        }
        Either::Postgres(c) => bind_args!(sql, sqlx::query::<Postgres>(sql), args)
            .execute(c)
            .await?
            .rows_affected(),
    })
}

/// What a committed SQLite transaction survives (`sqlite_synchronous`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// WAL with `synchronous=NORMAL`: a commit survives the process crashing;
    /// a power loss or OS crash may lose the last commits (the database stays
    /// consistent). The WAL is synced at checkpoints only: fast writes.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is synced to disk before it returns,
    /// so it also survives a power loss; each commit waits for the disk.
    Full,
}

impl Durability {
    pub fn parse(s: &str) -> Option<Durability> {
        match s.trim().to_ascii_lowercase().as_str() {
            "normal" | "" => Some(Durability::Normal),
            "full" => Some(Durability::Full),
            _ => None,
        }
    }
}

impl Db {
    /// `sqlite:path.db` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        Self::connect_with(url, Durability::default()).await
    }

    /// As [`Db::connect`], with SQLite's durability chosen (PostgreSQL's is
    /// the server's own `synchronous_commit`).
    pub async fn connect_with(url: &str, durability: Durability) -> StoreResult<Db> {
        if url.starts_with("sqlite:") {
            let synchronous = match durability {
                Durability::Normal => SqliteSynchronous::Normal,
                Durability::Full => SqliteSynchronous::Full,
            };
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                // Multi-row statements keep a statement journal (to undo a
                // failing statement alone); in a file it doubled every bulk write.
                .pragma("temp_store", "memory")
                // Bulk statements run to tens of thousands of parameters: logging
                // their text (sqlx's slow-statement warning) floods the log.
                .disable_statement_logging();
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(PgConnectOptions::from_str(url)?.disable_statement_logging())
                .await
        } else {
            Err(StoreError::internal(format!(
                "unsupported database URL (expected sqlite:… or postgres://…): {url}"
            )))
        }
    }

    /// PostgreSQL with every connection's `search_path` set to `schema`: tests
    /// give each case a schema of its own in one database.
    pub async fn connect_postgres_schema(url: &str, schema: &str) -> StoreResult<Db> {
        let opts = PgConnectOptions::from_str(url)?
            .options([("search_path", schema)])
            .disable_statement_logging();
        Self::connect_postgres(opts).await
    }

    async fn connect_postgres(opts: PgConnectOptions) -> StoreResult<Db> {
        // The registry and its search index are read from memory, not disk: at
        // the default random_page_cost of 4 the planner counted a keyword in
        // a city of 160,000 enterprises with a parallel scan of the whole
        // table (75–92 ms) rather than of the covering search index (50–63).
        // 1.1 is the usual setting for data that is cached or on SSD.
        let opts = opts.options([("random_page_cost", "1.1")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// Opens a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Where a bulk write (a registry import) runs its transactions.
    ///
    /// On SQLite, a connection of its own with a page cache of
    /// [`BULK_CACHE_KIB`]: rows go to random places of the name-ordered search
    /// index and the USCC index, and with SQLite's default 2 MB cache nearly
    /// every insert re-read its index pages and spilled dirty ones to the log
    /// mid-transaction. The connection is closed by [`Bulk::finish`], so its
    /// cache is not kept in every pooled connection afterwards. On PostgreSQL
    /// the server's shared buffers do this job: the pool itself is used.
    pub async fn bulk(&self) -> StoreResult<Bulk> {
        Ok(match self {
            Db::Sqlite(p) => {
                let opts = (*p.connect_options())
                    .clone()
                    .pragma("cache_size", format!("-{BULK_CACHE_KIB}"));
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts)
                    .await?;
                Bulk {
                    db: Db::Sqlite(pool),
                    own: true,
                }
            }
            Db::Postgres(_) => Bulk {
                db: self.clone(),
                own: false,
            },
        })
    }
}

/// Page cache of a bulk-writing SQLite connection: enough for the indexes
/// of a few hundred thousand enterprises.
pub const BULK_CACHE_KIB: u32 = 96 * 1024;

/// The database handle of a bulk write; see [`Db::bulk`].
pub struct Bulk {
    pub db: Db,
    own: bool,
}

impl Bulk {
    /// Closes the bulk connection (SQLite), freeing its page cache.
    pub async fn finish(self) {
        if self.own {
            self.db.close().await;
        }
    }
}

/// A pool runs statements through a shared reference, no clone needed:
/// with `mut db: &Db`, `db.fetch_all(…)` and `f(&mut db, …)` where `f` takes
/// `&mut impl Exec`; with an owned pool, `f(&mut &state.db, …)`.
impl Exec for &Db {
    fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }
    async fn fetch_all(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Row>> {
        match *self {
            Db::Sqlite(p) => run_all(Either::Sqlite(&mut *p.acquire().await?), sql, args).await,
            Db::Postgres(p) => run_all(Either::Postgres(&mut *p.acquire().await?), sql, args).await,
        }
    }
    async fn fetch_optional(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Option<Row>> {
        match *self {
            Db::Sqlite(p) => {
                run_optional(Either::Sqlite(&mut *p.acquire().await?), sql, args).await
            }
            Db::Postgres(p) => {
                run_optional(Either::Postgres(&mut *p.acquire().await?), sql, args).await
            }
        }
    }
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        match *self {
            Db::Sqlite(p) => run_execute(Either::Sqlite(&mut *p.acquire().await?), sql, args).await,
            Db::Postgres(p) => {
                run_execute(Either::Postgres(&mut *p.acquire().await?), sql, args).await
            }
        }
    }
}

/// An owned pool too (`&mut db`, as older callers write it).
impl Exec for Db {
    fn backend(&self) -> Backend {
        (&self).backend()
    }
    async fn fetch_all(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Row>> {
        Exec::fetch_all(&mut &*self, sql, args).await
    }
    async fn fetch_optional(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Option<Row>> {
        Exec::fetch_optional(&mut &*self, sql, args).await
    }
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        Exec::execute(&mut &*self, sql, args).await
    }
}

/// A write transaction on either database. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    fn either(&mut self) -> Either<'_> {
        match self {
            Tx::Sqlite(t) => Either::Sqlite(&mut *t),
            Tx::Postgres(t) => Either::Postgres(&mut *t),
        }
    }

    /// `COPY table (columns) FROM STDIN` with [`copy_text`] data (PostgreSQL
    /// only): returns the rows written.
    pub async fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        data: &[u8],
    ) -> StoreResult<u64> {
        match self {
            Tx::Sqlite(_) => Err(StoreError::internal("COPY is PostgreSQL's")),
            Tx::Postgres(t) => {
                let statement = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
                let mut copy = t.copy_in_raw(&statement).await?;
                if let Err(e) = copy.send(data).await {
                    copy.abort(e.to_string()).await?;
                    return Err(e.into());
                }
                Ok(copy.finish().await?)
            }
        }
    }

    /// Runs a script of several statements (migrations).
    pub async fn execute_script(&mut self, sql: &str) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => {
                sqlx::raw_sql(sql).execute(&mut **t).await?;
            }
            Tx::Postgres(t) => {
                sqlx::raw_sql(sql).execute(&mut **t).await?;
            }
        }
        Ok(())
    }
}

impl Exec for Tx {
    fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
    async fn fetch_all(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Row>> {
        run_all(self.either(), sql, args).await
    }
    async fn fetch_optional(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Option<Row>> {
        run_optional(self.either(), sql, args).await
    }
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        run_execute(self.either(), sql, args).await
    }
}

/// The verb of a bulk insert whose every row must go in, with the rows it
/// must affect checked by the caller. On SQLite `INSERT OR IGNORE`: a
/// multi-row `INSERT` that may abort half-way keeps a statement journal, a
/// copy of every page it touches (40 % of a bulk insert's time, measured);
/// one that can't abort needs none. A row it skipped shows as a short count,
/// and the caller then drops the whole transaction — see [`check_rows`].
pub fn bulk_insert_verb(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "INSERT OR IGNORE",
        Backend::Postgres => "INSERT",
    }
}

/// The check that goes with [`bulk_insert_verb`].
pub fn check_rows(table: &str, affected: u64, expected: usize) -> StoreResult<()> {
    if affected == expected as u64 {
        Ok(())
    } else {
        Err(StoreError::internal(format!(
            "bulk insert into {table}: {affected} of {expected} rows written"
        )))
    }
}

/// `rows` in PostgreSQL's `COPY … FROM STDIN` text format: tab-separated,
/// `\N` for NULL, backslash escapes for the characters the format uses.
pub fn copy_text(rows: Vec<Vec<Arg>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 512);
    for row in rows {
        for (i, arg) in row.into_iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            let text: Option<String> = match arg {
                Arg::Text(v) => v,
                Arg::I64(v) => v.map(|v| v.to_string()),
                Arg::F64(v) => v.map(|v| v.to_string()),
                Arg::Bool(v) => v.map(|v| if v { "t" } else { "f" }.to_string()),
                Arg::Ts(v) => v.map(|v| v.to_rfc3339()),
                Arg::Date(v) => v.map(|v| v.to_string()),
                // bytea's hex form; its backslash is escaped below like any other.
                Arg::Bytes(v) => v.map(|v| format!("\\x{}", hex::encode(v))),
            };
            let Some(text) = text else {
                out.extend_from_slice(b"\\N");
                continue;
            };
            for b in text.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
        out.push(b'\n');
    }
    out
}

/// Bound parameters in one multi-row statement: under SQLite's limit, and
/// small enough that a prepared statement is cached (see `CACHE_MAX_ARGS`).
const MAX_PARAMS: usize = 2_600;

/// Rows of `width` columns in one multi-row statement.
pub fn rows_per_statement(width: usize) -> usize {
    (MAX_PARAMS / width.max(1)).max(1)
}

/// `{verb} INTO table (columns) VALUES (…), (…)` for `rows`, with their
/// arguments in order; `returning` is appended when not empty.
pub fn insert_statement(
    verb: &str,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Arg>>,
    returning: &str,
) -> (String, Vec<Arg>) {
    let mut sql = Sql::new(&format!(
        "{verb} INTO {table} ({}) VALUES ",
        columns.join(", ")
    ));
    sql.args.reserve(rows.len() * columns.len());
    sql.params.reserve(rows.len() * columns.len());
    for (i, row) in rows.into_iter().enumerate() {
        debug_assert_eq!(row.len(), columns.len());
        if i > 0 {
            sql.push(",");
        }
        sql.push_row(row);
    }
    if !returning.is_empty() {
        sql.push(" RETURNING ").push(returning);
    }
    sql.build()
}

/// Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements,
/// chunked below SQLite's bound-parameter limit, returning `returning`
/// columns of every row in order (an empty `returning` returns nothing).
pub async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Arg>>,
    returning: &str,
) -> StoreResult<Vec<Row>> {
    let per_chunk = rows_per_statement(columns.len());
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(per_chunk).collect();
        let (sql, args) = insert_statement("INSERT", table, columns, chunk, returning);
        if returning.is_empty() {
            tx.execute(&sql, args).await?;
        } else {
            out.extend(tx.fetch_all(&sql, args).await?);
        }
    }
    Ok(out)
}
