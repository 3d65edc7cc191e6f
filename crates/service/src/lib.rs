//! Use cases shared by the CLI and the web layer: ingest, screen, assess, decide, audit.
