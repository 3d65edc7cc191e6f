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
    /// The configuration file (TOML; see README "Configuration"); `JEJAK_<TABLE>_<KEY>`
    /// environment variables override it.
    #[arg(long, global = true, value_name = "FILE", env = "JEJAK_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Log lines on stderr (their level is set by JEJAK_LOG, e.g. `info`): `text`, or `json`
    /// (one JSON object per line, for a log collector).
    #[arg(long, global = true, value_enum, default_value = "text", env = "JEJAK_LOG_FORMAT")]
    pub(crate) log_format: LogFormat,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
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
    /// Users of the web application. The first admin: `jejak user add --role admin`.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for partner systems (scoped to actions, revocable).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Create a fresh demo register with synthetic data and run the web application.
    Demo(DemoArgs),
    /// Monthly figures per office (applications, decisions, high-risk flags, cross-office
    /// catches) with counts of 1 to 4 shown as <5.
    Stats(StatsArgs),
    /// Link the records of one file (or of two files to each other) into persons, without a
    /// database: writes id,person_id and, with --truth, prints precision, recall and F1.
    Link(LinkArgs),
    /// Check rule files, publish a draft rule set (four-eyes), activate or list the
    /// register's rule sets.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Assess applications from a file: one JSON object per application on stdout.
    Assess(AssessArgs),
    /// Replay the register's history against candidate rules and the active rule set.
    Backtest(BacktestArgs),
    /// Check the tamper-evident audit log, or export it as a checkpoint.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent backup of a SQLite register while it is in use.
    Backup(BackupArgs),
    /// Replace a SQLite register with a backup (its audit chain is checked first).
    Restore(RestoreArgs),
    /// Retention of personal data: run the schedule, place and lift legal holds.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Everything the register holds on one person (UU PDP access request), as JSON.
    SubjectReport(SubjectReportArgs),
    /// Desa Binaan: designated villages, PIMPASA assignments and village reports.
    #[command(subcommand)]
    Village(VillageCommand),
    /// CPMI registrations exported by SISKOP2MI: `jejak cpmi import FILE` stores a dated
    /// snapshot (all rows or none).
    #[command(subcommand)]
    Cpmi(CpmiCommand),
    /// The configuration: `jejak config check` prints the effective settings (file,
    /// environment overrides, defaults) or names the unknown or invalid one.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Signed batch exchange with a partner system (SISKOP2MI): keys, partners, export,
    /// verify, import, and the HTTP adapter (pull, push).
    #[command(subcommand)]
    Exchange(ExchangeCommand),
    /// Partner lists: `jejak partner import p3mi FILE` (licensed P3MI) and
    /// `jejak partner import deportations FILE` (BP3MI returns and deportations).
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Referrals to partner agencies (BP3MI, Disnaker, Polri PPA, Pemda).
    #[command(subcommand)]
    Referral(ReferralCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReferralCommand {
    /// List referrals: letter number, office, agency, subject, status, due date (and
    /// `overdue` when open past it).
    List(ReferralListArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ReferralListArgs {
    /// Only open referrals past their due date.
    #[arg(long)]
    pub(crate) overdue: bool,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Check the configuration and print the effective settings as TOML (no secrets).
    Check,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VillageCommand {
    /// Designate a village (Kemendagri code) as Desa Binaan of an office.
    Designate(VillageDesignateArgs),
    /// List designated villages with their PIMPASA officers (history kept) and partner
    /// programmes.
    List(DatabaseArg),
    /// Assign a PIMPASA user to a designated village (with --until: end the running
    /// assignment on that day; the history is kept).
    Assign(VillageAssignArgs),
    /// End a designation on a day (its running assignments end too), or with --user end
    /// that officer's assignment; the history is kept.
    End(VillageEndArgs),
    /// Village reports.
    #[command(subcommand)]
    Report(VillageReportCommand),
}

#[derive(Debug, Args)]
pub(crate) struct VillageDesignateArgs {
    /// Kemendagri village code, e.g. 18.09.01.2004.
    pub(crate) code: String,
    /// The office responsible, e.g. KLA.
    #[arg(long)]
    pub(crate) office: String,
    /// Designation date (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) on: String,
    /// The decree (SK) number.
    #[arg(long)]
    pub(crate) decree: Option<String>,
    /// End of the designation (YYYY-MM-DD), when known.
    #[arg(long)]
    pub(crate) until: Option<String>,
    /// Partner programme, e.g. "Desa Migran Emas" (repeatable).
    #[arg(long)]
    pub(crate) partner: Vec<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct VillageAssignArgs {
    /// Kemendagri village code.
    pub(crate) code: String,
    /// The PIMPASA user.
    #[arg(long)]
    pub(crate) user: String,
    /// First day of the assignment (default: today).
    #[arg(long, conflicts_with = "until")]
    pub(crate) from: Option<String>,
    /// Last day of the running assignment: ends it instead of assigning (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) until: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct VillageEndArgs {
    /// Kemendagri village code.
    pub(crate) code: String,
    /// The last day (YYYY-MM-DD; default: today).
    #[arg(long)]
    pub(crate) on: Option<String>,
    /// End only this PIMPASA's assignment, not the designation.
    #[arg(long)]
    pub(crate) user: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VillageReportCommand {
    /// Import village reports from CSV (all or nothing; a report id already stored is left
    /// as it is). Columns: report_id, village_code, reported_on, topic, source_reliability,
    /// info_credibility, persons, phones, recruiters, agency, destination_country,
    /// planned_departure_on, narrative; `;` separates entries, a person is NAME|BIRTH_DATE|NIK.
    Import(VillageReportImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VillageReportImportArgs {
    /// The CSV file.
    pub(crate) file: PathBuf,
    /// File the reports as this user (default: the command line as regional analyst).
    #[arg(long)]
    pub(crate) reporter: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CpmiCommand {
    /// Import a SISKOP2MI export (CSV or JSON; columns cpmi_id, nik, full_name, birth_date,
    /// sex, destination_country, p3mi_name, employer, job_title, placement_scheme, status,
    /// recommendation_no, recommendation_date, updated_on) as a new dated snapshot.
    Import(PartnerFileArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExchangeCommand {
    /// Make an Ed25519 signing key: writes the secret to FILE (mode 0600), prints the public
    /// key to give to the partner.
    Keygen {
        /// The key file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Exchange partners.
    #[command(subcommand)]
    Partner(ExchangePartnerCommand),
    /// Write the next outbound batch (deferrals and refusals for suspected PMI NP since the
    /// last acknowledged batch, minimal fields) as a batch folder.
    Export {
        #[arg(long)]
        partner: String,
        /// The batch folder to write (data.jsonl + manifest.json).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        user: UserArg,
    },
    /// Check a batch folder: exit 0, or non-zero with the reason. Inbound batches are checked
    /// as they would be applied (partner key, hash, count, next sequence number).
    Verify {
        /// The batch folder.
        dir: PathBuf,
        /// Check signature, hash and count with this public key only (no register).
        #[arg(long)]
        public_key: Option<String>,
        /// The register (when no --public-key is given).
        #[arg(long, env = "JEJAK_DATABASE")]
        database: Option<String>,
    },
    /// Apply an inbound batch folder (CPMI registrations) as a dated snapshot, all or nothing;
    /// with --partner, DIR may hold several batch folders, applied in sequence order.
    Import {
        /// The batch folder (or a folder of batch folders, with --partner).
        dir: PathBuf,
        #[arg(long)]
        partner: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        user: UserArg,
    },
    /// Record that the partner acknowledged our batches up to a sequence number.
    Ack {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        sequence: u64,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        user: UserArg,
    },
    /// HTTP adapter: fetch the partner's batches after the last one applied, apply each
    /// (all or nothing per batch) and acknowledge them.
    Pull(ExchangeHttpArgs),
    /// HTTP adapter: send our batches the partner has not acknowledged.
    Push(ExchangeHttpArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExchangeHttpArgs {
    #[arg(long)]
    pub(crate) partner: String,
    /// Per request, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub(crate) timeout_ms: u64,
    /// Further attempts after a timeout, no answer, 429 or 5xx.
    #[arg(long, default_value_t = 3)]
    pub(crate) retries: u32,
    /// Wait before the first retry in milliseconds; doubled each time.
    #[arg(long, default_value_t = 500)]
    pub(crate) backoff_ms: u64,
    /// Bearer token the partner issued to us.
    #[arg(long, env = "JEJAK_EXCHANGE_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExchangePartnerCommand {
    /// Add a partner, or change its configuration (sequence numbers are kept).
    Add {
        /// Short name used in manifests and commands, e.g. siskop2mi.
        #[arg(long)]
        name: String,
        #[arg(long)]
        display_name: Option<String>,
        /// The partner's Ed25519 public key (base64).
        #[arg(long)]
        public_key: String,
        /// Our signing key file (from `jejak exchange keygen`).
        #[arg(long)]
        signing_key: PathBuf,
        /// The partner's exchange endpoint (HTTP adapter).
        #[arg(long)]
        base_url: Option<String>,
        #[arg(
            long,
            default_value = "deteksi dini keberangkatan PMI non-prosedural / early detection of non-procedural migrant departures"
        )]
        purpose: String,
        #[arg(
            long,
            default_value = "PKS Kemenimipas-KemenP2MI integrasi SISKOP2MI (MoU 25 Apr 2025); UU 27/2022 Pasal 20"
        )]
        legal_basis: String,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        user: UserArg,
    },
    /// List partners and where each direction stands.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PartnerCommand {
    /// Import a partner list as a new dated snapshot (all rows or none). p3mi: columns
    /// p3mi_name, licence_no, valid_until. deportations: nik, full_name, birth_date, sex,
    /// country, kind (deported or returned), event_date, reference.
    Import {
        /// Which list: p3mi or deportations.
        kind: String,
        #[command(flatten)]
        file: PartnerFileArgs,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PartnerFileArgs {
    /// The partner's file: CSV (UTF-8, header row) or JSON (an array of records).
    pub(crate) file: PathBuf,
    /// The date the file describes (YYYY-MM-DD); default today.
    #[arg(long)]
    pub(crate) as_of: Option<String>,
    /// Purpose and legal basis recorded in the audit log.
    #[arg(
        long,
        default_value = "pertukaran data PMI; dasar: MoU KemenP2MI-Kemenimipas 25 Apr 2025, PKS integrasi SISKOP2MI"
    )]
    pub(crate) purpose: String,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct UserArg {
    /// Name recorded in the audit log as the acting user.
    #[arg(long, env = "JEJAK_USER", default_value = "cli")]
    pub(crate) user: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Walk the whole hash chain: prints OK with the count and last hash, or names the first
    /// broken entry (edited, inserted, deleted) and exits non-zero.
    Verify(AuditVerifyArgs),
    /// Write audit events as JSON lines (hashes included): keep the file outside the
    /// database as a checkpoint for `audit verify --checkpoint`.
    Export(AuditExportArgs),
    /// Sign the chain's head with the anchor key (run it from a timer): the chain from the
    /// newest anchor is checked first, a broken chain is never signed.
    Anchor(AuditAnchorArgs),
    /// Make an anchor signing key: writes FILE (mode 0600) and FILE.pub, prints the public key.
    Keygen {
        /// The secret key file to write (must not exist); keep it away from the database.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AuditAnchorArgs {
    /// The anchor signing key file (`jejak audit keygen`).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args)]
pub(crate) struct AuditVerifyArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    /// An earlier `audit export` file: its last entry must still be in the register,
    /// unchanged (catches deleted newest entries and a rewritten chain).
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
    /// The anchor public key (base64, or a file holding it such as KEY.pub): every signed
    /// anchor must verify and the chain must still reach each anchored entry (catches a
    /// rewritten chain without a checkpoint). Repeat after a key change.
    #[arg(long, value_name = "PUB")]
    pub(crate) key: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AuditExportArgs {
    /// Output file (JSON lines), written whole or not at all.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// First sequence number to export.
    #[arg(long, default_value_t = 1)]
    pub(crate) from_seq: i64,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// The backup file to write (must not exist).
    #[arg(long)]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// The backup file (from `jejak backup`).
    #[arg(long)]
    pub(crate) from: PathBuf,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    /// Replace a register that holds data. Stop `jejak serve` first.
    #[arg(long)]
    pub(crate) force: bool,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RetentionCommand {
    /// Anonymise or delete the applications whose retention period has ended (never those
    /// under a legal hold); every action is audited.
    Run(RetentionRunArgs),
    /// Print the retention periods in force (the configuration's [retention] table).
    Policy,
    /// Place a legal hold on an application (OFFICE/APPLICATION_ID) or on a NIK.
    Hold(HoldArgs),
    /// Lift a legal hold.
    Lift(LiftArgs),
    /// List legal holds.
    Holds(HoldsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RetentionRunArgs {
    /// Report what would be done, change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Reference date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub(crate) as_of: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args)]
pub(crate) struct HoldArgs {
    /// The application, as OFFICE/APPLICATION_ID.
    #[arg(long, conflicts_with = "nik", required_unless_present = "nik")]
    pub(crate) application: Option<String>,
    /// Every application with this NIK.
    #[arg(long)]
    pub(crate) nik: Option<String>,
    /// Why (e.g. the case or court order); required.
    #[arg(long)]
    pub(crate) reason: String,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args)]
pub(crate) struct LiftArgs {
    /// The hold's number (see `retention holds`).
    pub(crate) id: i64,
    /// Why the hold ends; required.
    #[arg(long)]
    pub(crate) reason: String,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
}

#[derive(Debug, Args)]
pub(crate) struct HoldsArgs {
    /// Include lifted holds.
    #[arg(long)]
    pub(crate) all: bool,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct SubjectReportArgs {
    /// The person's NIK.
    #[arg(long)]
    pub(crate) nik: String,
    /// Output file (JSON), written whole or not at all.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Only applications carrying the NIK (skip building the identity engine's index).
    #[arg(long)]
    pub(crate) no_linking: bool,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
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
    /// Print a progress line on stderr at each step (for logs and scripts; a terminal gets
    /// a progress bar anyway).
    #[arg(long)]
    pub(crate) progress: bool,
    /// Write every error and warning (file, row, column, severity, value, message) to a CSV.
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Name recorded in the audit log as the importing user.
    #[arg(long, env = "JEJAK_USER", default_value = "cli")]
    pub(crate) user: String,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// First day (YYYY-MM-DD); its whole month is counted.
    #[arg(long)]
    pub(crate) from: String,
    /// Last day (YYYY-MM-DD); its whole month is counted.
    #[arg(long)]
    pub(crate) to: String,
    /// `month,office` (one row per month and office) or `month` (the whole region).
    #[arg(long, default_value = "month,office")]
    pub(crate) group_by: String,
    /// Output format.
    #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
    pub(crate) format: String,
    /// Only this office.
    #[arg(long)]
    pub(crate) office: Option<String>,
    /// Only applicants from this region (a regency or district code; a village is refused as
    /// too small to publish).
    #[arg(long)]
    pub(crate) region: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    #[command(flatten)]
    pub(crate) user: UserArg,
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
    #[command(flatten)]
    pub(crate) user: UserArg,
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
    /// Address to listen on (default: the configuration's server.bind, 127.0.0.1:8080).
    #[arg(long)]
    pub(crate) bind: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Add a user; the password is read from the terminal twice, or from stdin.
    Add(UserAddArgs),
    /// List the users with role, office and state.
    List(DatabaseArg),
    /// Disable a user and end their sessions.
    Disable(NameArgs),
}

#[derive(Debug, Args)]
pub(crate) struct UserAddArgs {
    /// Login name: lowercase letters, digits, '.', '_', '-' (e.g. petugas.kla).
    #[arg(long)]
    pub(crate) username: String,
    /// Full name shown in pages and the audit log.
    #[arg(long)]
    pub(crate) name: String,
    /// petugas, supervisor, analis, pimpasa or admin.
    #[arg(long)]
    pub(crate) role: String,
    /// The user's office code (e.g. KLA).
    #[arg(long)]
    pub(crate) office: String,
    /// Read the password from the first line of standard input instead of the terminal.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct NameArgs {
    /// The user's or token's name.
    pub(crate) name: String,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Add an API token; its secret is printed once and never again.
    Add(TokenAddArgs),
    /// List the tokens (never their secrets).
    List(DatabaseArg),
    /// Revoke a token at once.
    Revoke(NameArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TokenAddArgs {
    /// Name of the partner system (e.g. siskop2mi).
    #[arg(long)]
    pub(crate) name: String,
    /// The role the token acts as.
    #[arg(long)]
    pub(crate) role: String,
    /// The office the token acts for.
    #[arg(long)]
    pub(crate) office: String,
    /// Actions the token may do (each must be allowed to the role), e.g. search_register.
    #[arg(long = "scope", value_name = "ACTION", required = true, num_args = 1..)]
    pub(crate) scopes: Vec<String>,
    /// The last day (UTC) the token works, YYYY-MM-DD; without it, until revoked.
    #[arg(long, value_name = "DATE")]
    pub(crate) expires_on: Option<String>,
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

#[derive(Debug, Args)]
pub(crate) struct LinkArgs {
    /// Input CSV; give it twice (two files) to link the first to the second.
    #[arg(long, required = true, num_args = 1..=2)]
    pub(crate) input: Vec<PathBuf>,
    /// Output CSV: id,person_id.
    #[arg(long)]
    pub(crate) output: PathBuf,
    /// Also write every scored pair with per-field levels.
    #[arg(long, value_name = "FILE")]
    pub(crate) pairs: Option<PathBuf>,
    /// Identity model (TOML); default: the interchange model.
    #[arg(long, value_name = "FILE")]
    pub(crate) model: Option<PathBuf>,
    /// Ground truth (application_id,person_id or id_a,id_b): print precision, recall, F1.
    #[arg(long, value_name = "FILE")]
    pub(crate) truth: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Check rule files (one rule set: a rules file plus its list files); every problem is
    /// printed as FILE:LINE:COLUMN; the exit code is non-zero on any error.
    Check(RulesCheckArgs),
    /// Publish a draft rule set: the first FILE's [rule_set] header gets status, published_by
    /// and published_on. The publisher must not be the author; a broken rule set is never
    /// published. With --database, the published version is also stored in the register.
    Publish(RulesPublishArgs),
    /// Make a published rule set in the register the active one (the active one is retired).
    Activate(RulesActivateArgs),
    /// List the rule sets in the register with their status.
    List(DatabaseArg),
}

#[derive(Debug, Args)]
pub(crate) struct RulesCheckArgs {
    /// The rule set's files.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct RulesPublishArgs {
    /// The rule set's files: the one with the [rule_set] header first, then its lists
    /// (checked with it but left unchanged).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Further files of the same rule set (lists), like the FILEs after the first.
    #[arg(long = "with", value_name = "FILE")]
    pub(crate) with: Vec<PathBuf>,
    /// The publishing user (must differ from the author).
    #[arg(long, env = "JEJAK_USER")]
    pub(crate) by: String,
    /// Also store the published version in this register (sqlite://PATH or postgres://...).
    #[arg(long)]
    pub(crate) database: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RulesActivateArgs {
    /// Version label of a published rule set in the register.
    #[arg(value_name = "VERSION")]
    pub(crate) label: String,
    /// The user activating it (recorded in the audit log).
    #[arg(long, env = "JEJAK_USER")]
    pub(crate) by: String,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
}

#[derive(Debug, Args)]
pub(crate) struct AssessArgs {
    /// Applications in the interchange format (CSV or XLSX).
    #[arg(long)]
    pub(crate) input: PathBuf,
    /// Screen against this register; without it, cross-record facts stay unknown.
    #[arg(long)]
    pub(crate) database: Option<String>,
    /// Rule set files (default: the register's active rule set, else the built-in
    /// catalogue R01-R23).
    #[arg(long, num_args = 1..)]
    pub(crate) rules: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// Candidate rule set files (default: the register's active rule set, else the built-in
    /// catalogue).
    #[arg(long, num_args = 1..)]
    pub(crate) rules: Vec<PathBuf>,
    /// Baseline rule set files (default: the register's active rule set, else the built-in
    /// catalogue).
    #[arg(long, num_args = 1..)]
    pub(crate) baseline: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) db: DatabaseArg,
    /// First application date assessed (YYYY-MM-DD); earlier history is still replayed.
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// Last application date assessed (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// Only this office's applications are assessed (all offices' history is used).
    #[arg(long)]
    pub(crate) office: Option<String>,
    /// Write the per-rule figures (.csv, with the per-case differences beside it as
    /// NAME.differences.csv) or both as sheets of one .xlsx.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}
