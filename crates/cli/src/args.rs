//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Jejak: the shared register of passport applications for Indonesian immigration offices,
/// with identity resolution across offices and advisory risk screening.
///
/// Every command that touches the register takes --database (or JEJAK_DATABASE):
/// sqlite://PATH (the default, sqlite://jejak.db) or postgres://USER@HOST/DB.
#[derive(Debug, Parser)]
#[command(name = "jejak", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct DatabaseArg {
    /// The register: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, env = "JEJAK_DATABASE", default_value = "sqlite://jejak.db")]
    pub(crate) database: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Import applications from interchange CSV/XLSX files (all rows or none).
    Import(ImportArgs),
    /// Export applications to a CSV or XLSX file in the interchange format.
    Export(ExportArgs),
    /// Write synthetic applicants (with ground truth) for demos, tests and benchmarks.
    Generate(GenerateArgs),
    /// List or add immigration offices.
    #[command(subcommand)]
    Office(OfficeCommand),
    /// Run the web application.
    Serve(ServeArgs),
    /// Create a fresh demo register with synthetic data and run the web application.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// CSV or XLSX files in the interchange format (English or Indonesian headers).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    /// Map a legacy header to a column: --map "Nama Pemohon=full_name" (or "=ignore").
    #[arg(long = "map", value_name = "HEADER=COLUMN")]
    pub(crate) mappings: Vec<String>,
    /// Ignore columns the format does not know instead of failing.
    #[arg(long)]
    pub(crate) ignore_unknown: bool,
    /// Import the valid rows and write the invalid ones to a rejects file.
    #[arg(long)]
    pub(crate) skip_invalid: bool,
    /// Where to write rejected rows with --skip-invalid (default: FIRST_FILE.rejects.csv).
    #[arg(long, value_name = "FILE")]
    pub(crate) rejects: Option<PathBuf>,
    /// Check the files and report, but write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Write every error and warning (file, row, column, severity, value, message) to a CSV.
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Name recorded in the audit log as the importing user.
    #[arg(long, env = "JEJAK_USER", default_value = "cli")]
    pub(crate) user: String,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Output file; .csv or .xlsx decides the format.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// First application date to include (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// Last application date to include (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// Only this office's applications.
    #[arg(long)]
    pub(crate) office: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Number of distinct persons (re-applications add rows).
    #[arg(long)]
    pub(crate) persons: usize,
    /// Seed: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Output CSV in the interchange format.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Ground truth as application_id,person_id.
    #[arg(long)]
    pub(crate) truth: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OfficeCommand {
    /// List the configured offices with their work areas.
    List(DatabaseArg),
    /// Add an office, or update its name and work area.
    Add(OfficeAddArgs),
}

#[derive(Debug, Args)]
pub(crate) struct OfficeAddArgs {
    /// Short code, e.g. BDL.
    pub(crate) code: String,
    /// Full name, e.g. "Kantor Imigrasi Kelas I TPI Bandar Lampung".
    #[arg(long)]
    pub(crate) name: String,
    /// Regency (kab/kota) codes of the work area, comma separated: 18.71,18.72.
    #[arg(long, value_delimiter = ',')]
    pub(crate) area: Vec<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) bind: String,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) bind: String,
    /// Demo register file (replaced on every run).
    #[arg(long, default_value = "jejak-demo.db")]
    pub(crate) path: PathBuf,
    /// Synthetic persons in the demo register.
    #[arg(long, default_value_t = 2000)]
    pub(crate) persons: usize,
}
