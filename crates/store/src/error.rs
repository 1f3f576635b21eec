use yici_domain::DomainError;

/// Errors of the storage layer: a domain rule said no, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// A unique index said no: the caller turns it into a domain conflict.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// A unique violation of the index `index` on `table (column)`:
    /// PostgreSQL names the index, SQLite the table and column.
    pub fn is_unique_violation_of(&self, index: &str, table_column: &str) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                e.constraint() == Some(index) || e.message().contains(table_column)
            }
            _ => false,
        }
    }

    /// PostgreSQL gave up waiting for a lock (`lock_timeout`, SQLSTATE 55P03).
    pub fn is_lock_timeout(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03"))
    }

    pub fn internal(msg: impl Into<String>) -> StoreError {
        StoreError::Internal(msg.into())
    }
}
