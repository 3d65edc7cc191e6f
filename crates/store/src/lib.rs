//! The register's storage: the `Store` trait and its SQLite and PostgreSQL implementations.
