//! Opening a fresh store of each backend for one test.

use std::sync::Arc;

use jejak_store::Store;

/// A fresh store and a raw connection URL to the same database (for tampering tests).
pub struct Fresh {
    pub store: Arc<dyn Store>,
    pub raw_url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let url = format!("sqlite://{}", path.display());
    let store = jejak_store::open(&url).await.unwrap();
    Fresh { store, raw_url: url, _dir: Some(dir) }
}

/// A register file opened through a URL with options, which only the pool can open: the
/// SQLite store's sqlx path for everything (imports and audit batches included), as for an
/// in-memory register, where `sqlite()` imports and appends audit batches through rusqlite.
pub async fn sqlite_pool() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let store = jejak_store::open(&url).await.unwrap();
    Fresh { store, raw_url: url, _dir: Some(dir) }
}

/// A store in a new schema of the test server, or `None` (with a note) if the server is
/// unreachable outside CI.
pub async fn postgres() -> Option<Fresh> {
    let url = jejak_testkit::fresh_postgres_url("contract").await?;
    let store = jejak_store::open(&url).await.unwrap();
    Some(Fresh { store, raw_url: url, _dir: None })
}

/// Declares `#[tokio::test]`s that run one behaviour on both backends (SQLite through both of
/// its drivers). The behaviours are functions of the module named before the colon
/// (`behaviour` when none is named).
macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        crate::backends::contract!(behaviour: $($name),+);
    };
    ($module:ident: $($name:ident),+ $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite().await;
                    crate::$module::$name(&fresh).await;
                }
            )+
        }
        mod sqlite_pool_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite_pool().await;
                    crate::$module::$name(&fresh).await;
                }
            )+
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(fresh) = crate::backends::postgres().await {
                        crate::$module::$name(&fresh).await;
                    }
                }
            )+
        }
    };
}
pub(crate) use contract;
