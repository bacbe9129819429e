//! The SQL both backends speak: one value type for parameters and columns, and [`Db`], a
//! connection or transaction of either backend with the few calls the store makes
//! (`execute`, `query_row`, `prepare(..).query_map`), so that the store's logic is written once.
//!
//! Statements are written with SQLite's numbered placeholders (`?1`); PostgreSQL gets them as
//! `$1`. Integers are 64-bit on both (booleans are 0 and 1), texts are text, reals are
//! doubles. The few statements the dialects disagree on choose by [`Db::dialect`].

/// A parameter or a column value.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl SqlValue {
    fn kind(&self) -> &'static str {
        match self {
            SqlValue::Null => "null",
            SqlValue::Int(_) => "an integer",
            SqlValue::Real(_) => "a real",
            SqlValue::Text(_) => "text",
        }
    }
}

/// What a query parameter can be made from.
pub trait ToSqlValue {
    fn to_sql_value(&self) -> SqlValue;
}

macro_rules! integer_values {
    ($($type:ty),*) => {$(
        impl ToSqlValue for $type {
            fn to_sql_value(&self) -> SqlValue {
                SqlValue::Int(*self as i64)
            }
        }
    )*};
}
integer_values!(i64, i32, u8, u32, u64, usize);

impl ToSqlValue for bool {
    fn to_sql_value(&self) -> SqlValue {
        SqlValue::Int(i64::from(*self))
    }
}

impl ToSqlValue for f64 {
    fn to_sql_value(&self) -> SqlValue {
        SqlValue::Real(*self)
    }
}

impl ToSqlValue for str {
    fn to_sql_value(&self) -> SqlValue {
        SqlValue::Text(self.to_owned())
    }
}

impl ToSqlValue for String {
    fn to_sql_value(&self) -> SqlValue {
        SqlValue::Text(self.clone())
    }
}

impl<T: ToSqlValue + ?Sized> ToSqlValue for &T {
    fn to_sql_value(&self) -> SqlValue {
        (**self).to_sql_value()
    }
}

impl<T: ToSqlValue> ToSqlValue for Option<T> {
    fn to_sql_value(&self) -> SqlValue {
        self.as_ref()
            .map_or(SqlValue::Null, ToSqlValue::to_sql_value)
    }
}

/// Query parameters: `args![kind, id, at]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::sql::ToSqlValue::to_sql_value(&$value)),*][..]
    };
}
pub(crate) use args;

/// What a column can be read as.
pub trait FromSqlValue: Sized {
    const WHAT: &'static str;
    fn from_sql_value(value: &SqlValue) -> Option<Self>;
}

macro_rules! integer_columns {
    ($($type:ty),*) => {$(
        impl FromSqlValue for $type {
            const WHAT: &'static str = "an integer";
            fn from_sql_value(value: &SqlValue) -> Option<Self> {
                match value {
                    SqlValue::Int(n) => <$type>::try_from(*n).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
integer_columns!(i64, i32, u8, u32, u64, usize);

impl FromSqlValue for bool {
    const WHAT: &'static str = "a boolean (0 or 1)";
    fn from_sql_value(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}

impl FromSqlValue for f64 {
    const WHAT: &'static str = "a real";
    fn from_sql_value(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Real(x) => Some(*x),
            SqlValue::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
}

impl FromSqlValue for String {
    const WHAT: &'static str = "text";
    fn from_sql_value(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl<T: FromSqlValue> FromSqlValue for Option<T> {
    const WHAT: &'static str = T::WHAT;
    fn from_sql_value(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Null => Some(None),
            other => T::from_sql_value(other).map(Some),
        }
    }
}

/// Problems talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    /// The thread that holds the PostgreSQL connection is gone.
    #[error("the PostgreSQL connection's thread stopped")]
    Closed,
    /// `query_row` found nothing (`.optional()` turns it into `None`).
    #[error("the query returned no row")]
    NoRows,
    #[error("column {column}: expected {expected}, found {found}")]
    Type {
        column: usize,
        expected: &'static str,
        found: &'static str,
    },
}

/// PostgreSQL's own words (severity, message, detail), not only "db error".
fn postgres_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        None => error.to_string(),
    }
}

/// `.optional()`: no row is `None`, as with rusqlite's extension of the same name.
pub trait Optional<T> {
    fn optional(self) -> Result<Option<T>, SqlError>;
}

impl<T> Optional<T> for Result<T, SqlError> {
    fn optional(self) -> Result<Option<T>, SqlError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(SqlError::NoRows) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// A column's position (from 0). A trait of one type, so that `row.get(0)` reads the literal
/// as a `usize` and calls read as rusqlite's do: `row.get::<_, i64>(0)`.
pub trait ColumnIndex {
    fn position(self) -> usize;
}

impl ColumnIndex for usize {
    fn position(self) -> usize {
        self
    }
}

/// One row of a result.
pub struct Row(Vec<SqlValue>);

impl Row {
    /// Every column's value, in order.
    pub fn values(&self) -> &[SqlValue] {
        &self.0
    }

    /// Column `index` as `T`.
    pub fn get<I: ColumnIndex, T: FromSqlValue>(&self, index: I) -> Result<T, SqlError> {
        let column = index.position();
        let value = self.0.get(column).unwrap_or(&SqlValue::Null);
        T::from_sql_value(value).ok_or(SqlError::Type {
            column,
            expected: T::WHAT,
            found: value.kind(),
        })
    }
}

/// Which SQL a statement must be written in, where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// `?1` → `$1`: the store's statements contain no `?` but placeholders.
pub(super) fn numbered_as_dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

pub(super) fn pg_row(row: &postgres::Row) -> Result<Row, SqlError> {
    use postgres::types::Type;
    let mut values = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(index)?.map(SqlValue::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(index)?
                .map(|n| SqlValue::Int(n.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(index)?
                .map(|n| SqlValue::Int(n.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(index)?
                .map(|b| SqlValue::Int(b.into()))
        } else if *ty == Type::FLOAT8 {
            row.try_get::<_, Option<f64>>(index)?.map(SqlValue::Real)
        } else if *ty == Type::FLOAT4 {
            row.try_get::<_, Option<f32>>(index)?
                .map(|x| SqlValue::Real(x.into()))
        } else {
            // TEXT, VARCHAR, NAME; any other type is a mistake in a statement, and says so.
            row.try_get::<_, Option<String>>(index)?.map(SqlValue::Text)
        };
        values.push(value.unwrap_or(SqlValue::Null));
    }
    Ok(Row(values))
}

impl postgres::types::ToSql for SqlValue {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match self {
            SqlValue::Null => Ok(postgres::types::IsNull::Yes),
            SqlValue::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            SqlValue::Int(n) if *ty == Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
            SqlValue::Int(n) if *ty == Type::BOOL => (*n != 0).to_sql(ty, out),
            SqlValue::Int(n) if *ty == Type::FLOAT8 => (*n as f64).to_sql(ty, out),
            SqlValue::Int(n) => n.to_sql(ty, out),
            SqlValue::Real(x) => x.to_sql(ty, out),
            SqlValue::Text(text) => text.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl rusqlite::ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            SqlValue::Null => ValueRef::Null,
            SqlValue::Int(n) => ValueRef::Integer(*n),
            SqlValue::Real(x) => ValueRef::Real(*x),
            SqlValue::Text(text) => ValueRef::Text(text.as_bytes()),
        }))
    }
}

fn sqlite_row(row: &rusqlite::Row<'_>, columns: usize) -> Result<Row, SqlError> {
    use rusqlite::types::ValueRef;
    let mut values = Vec::with_capacity(columns);
    for index in 0..columns {
        values.push(match row.get_ref(index)? {
            ValueRef::Null => SqlValue::Null,
            ValueRef::Integer(n) => SqlValue::Int(n),
            ValueRef::Real(x) => SqlValue::Real(x),
            ValueRef::Text(text) | ValueRef::Blob(text) => {
                SqlValue::Text(String::from_utf8_lossy(text).into_owned())
            }
        });
    }
    Ok(Row(values))
}

/// A connection or an open transaction of either backend.
#[derive(Clone, Copy)]
pub enum Db<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a super::postgres::Connection),
}

impl<'a> Db<'a> {
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Every row of a query.
    pub fn rows(&self, sql: &str, args: &[SqlValue]) -> Result<Vec<Row>, SqlError> {
        match self {
            Db::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                let columns = statement.column_count();
                let mut rows = statement.query(rusqlite::params_from_iter(args))?;
                let mut all = Vec::new();
                while let Some(row) = rows.next()? {
                    all.push(sqlite_row(row, columns)?);
                }
                Ok(all)
            }
            Db::Postgres(connection) => connection.rows(sql, args),
        }
    }

    /// Run a statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, args: &[SqlValue]) -> Result<usize, SqlError> {
        match self {
            Db::Sqlite(connection) => Ok(connection
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(args))?),
            Db::Postgres(connection) => Ok(connection.execute(sql, args)? as usize),
        }
    }

    /// The first row, read by `f`; [`SqlError::NoRows`] if there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        args: &[SqlValue],
        f: impl FnOnce(&Row) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        let rows = self.rows(sql, args)?;
        f(rows.first().ok_or(SqlError::NoRows)?)
    }

    /// A statement to run with different arguments (prepared and cached by the backend).
    pub fn prepare<'s>(&self, sql: &'s str) -> Result<Statement<'a, 's>, SqlError> {
        Ok(Statement { db: *self, sql })
    }

    /// [`Db::prepare`]: both backends cache every statement.
    pub fn prepare_cached<'s>(&self, sql: &'s str) -> Result<Statement<'a, 's>, SqlError> {
        self.prepare(sql)
    }

    /// The statement of this connection's dialect.
    pub fn choose<'s>(&self, sqlite: &'s str, postgres: &'s str) -> &'s str {
        match self.dialect() {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }

    /// The id the last insert into a table with a generated id gave, in this connection.
    pub fn last_insert_rowid(&self) -> Result<i64, SqlError> {
        match self {
            Db::Sqlite(connection) => Ok(connection.last_insert_rowid()),
            Db::Postgres(_) => self.query_row("SELECT lastval()", args![], |r| r.get(0)),
        }
    }
}

/// A statement of a [`Db`].
pub struct Statement<'a, 's> {
    db: Db<'a>,
    sql: &'s str,
}

impl Statement<'_, '_> {
    /// Every row, each read by `f`.
    pub fn query_map<T>(
        &mut self,
        args: &[SqlValue],
        f: impl FnMut(&Row) -> Result<T, SqlError>,
    ) -> Result<std::vec::IntoIter<Result<T, SqlError>>, SqlError> {
        let rows = self.db.rows(self.sql, args)?;
        Ok(rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }

    /// The first row, read by `f`.
    pub fn query_row<T>(
        &mut self,
        args: &[SqlValue],
        f: impl FnOnce(&Row) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        self.db.query_row(self.sql, args, f)
    }
}
