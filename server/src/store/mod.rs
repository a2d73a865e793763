//! The store: one sqlx pool over SQLite (embedded default, a WAL file under `./data`) or
//! PostgreSQL (`--database postgres://…`), with the schema migrations embedded and run at start.
//!
//! Queries go through sqlx's `Any` driver with `$N` placeholders, 64-bit integers and text only,
//! so one query text serves both backends. Functions take a connection (`&mut Conn`), so the
//! service composes them inside one transaction. Row types stay private to this folder; callers
//! get the model types of `crate::model`. No SQL lives anywhere else.

pub mod accounts;
pub mod audit;
mod decode;
pub mod domains;
pub mod drafts;
pub mod endpoints;
pub mod keys;
pub mod leases;
pub mod monitor;
pub mod nodes;
pub mod notifications;
pub mod notify;
pub mod sessions;
pub mod strategies;
pub mod volume;

use decode::{Coded, Flag, JsonText, decode};

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

pub type Conn = AnyConnection;
pub type Tx = sqlx::Transaction<'static, Any>;

/// The default database when none is configured.
pub const DEFAULT_DATABASE: &str = "sqlite://data/itm.db?mode=rwc";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("preparing the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("unsupported database URL \"{0}\" (use sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The database cannot be reached (down, restarting, the pool timed out): the caller
    /// reports "unavailable, try again" rather than an internal error.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::Protocol(_)
            )
        ) || matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
    }

    /// A unique constraint refused the write (the caller reports a conflict).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The shared pool; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Kept for the PostgreSQL change listener, which needs its own connection.
    url: String,
}

impl Store {
    /// Connects, creates the SQLite folder if needed, and runs the embedded migrations. A failed
    /// migration is an error: the server must not start on a schema it does not know.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        if backend == Backend::Sqlite {
            create_sqlite_folder(url)?;
        }
        let pool = AnyPoolOptions::new()
            // SQLite has one writer anyway; a few connections serve concurrent reads.
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            // Short: while the database is away, requests fail fast (503) instead of queueing.
            .acquire_timeout(Duration::from_secs(if backend == Backend::Sqlite {
                10
            } else {
                3
            }))
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the file: set once, it stays.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let store = Store {
            pool,
            backend,
            url: url.to_owned(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads first and then writes fails with SQLITE_BUSY_SNAPSHOT when
    /// another writer committed meanwhile (monitoring writes all the time), where an immediate
    /// one waits its turn (busy timeout).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// The PostgreSQL URL (for `LISTEN`), None on SQLite (one process, nothing to listen to).
    pub fn postgres_url(&self) -> Option<&str> {
        (self.backend == Backend::Postgres).then_some(self.url.as_str())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Prepares an SQLite store's files: the folder (created 0700) and the database file (created
/// 0600; SQLite gives its -wal and -shm files the database file's mode). Files of an existing
/// store that others may read are made private too: they hold password hashes and sealed keys.
fn create_sqlite_folder(url: &str) -> Result<()> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    let folder_error = |path: &Path| {
        let path = path.display().to_string();
        move |source| StoreError::Folder { path, source }
    };
    let file = Path::new(path);
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.exists()
    {
        private_folder(parent).map_err(folder_error(parent))?;
    }
    private_file(file).map_err(folder_error(file))?;
    for suffix in ["-wal", "-shm"] {
        let mut companion = file.as_os_str().to_owned();
        companion.push(suffix);
        let companion = Path::new(&companion);
        if companion.exists() {
            restrict(companion, 0o600).map_err(folder_error(companion))?;
        }
    }
    Ok(())
}

/// Creates `folder` (and missing parents) readable by the owner alone.
pub fn private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Creates `file` empty with mode 0600 if it does not exist; otherwise takes away what others
/// may do with it.
fn private_file(file: &Path) -> std::io::Result<()> {
    if file.exists() {
        return restrict(file, 0o600);
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => restrict(file, 0o600),
        Err(e) => Err(e),
    }
}

/// Clears the permission bits outside `mode` (never adds any).
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = std::fs::metadata(path)?.permissions().mode();
        if current & 0o777 & !mode != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Milliseconds since the Unix epoch: the store's time unit.
pub use crate::clock::now_ms;

/// Marks a change to what DNS answers; returns the new configuration version. Call it in the
/// transaction that makes the change, so the version and the change commit together.
pub async fn bump_config_version(conn: &mut Conn) -> Result<i64> {
    sqlx::query("UPDATE meta SET value = value + 1 WHERE key = 'config_version'")
        .execute(&mut *conn)
        .await?;
    config_version(conn).await
}

pub async fn config_version(conn: &mut Conn) -> Result<i64> {
    let value = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'config_version'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(value)
}
