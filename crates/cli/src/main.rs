//! The `jejak` binary: parses the command line, sets up logging and the store, and runs one
//! command. Errors become a message on stderr and a non-zero exit code.

mod args;
mod commands;
mod config;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, LogFormat};

/// mimalloc instead of the system allocator: the server allocates small, short-lived
/// buffers on many threads (requests, candidates, JSON), where glibc's malloc spent about
/// 15 % of a screening request in locking and consolidation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JEJAK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            output::error(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}
