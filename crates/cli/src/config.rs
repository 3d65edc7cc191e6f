//! The configuration file (`--config FILE` or `JEJAK_CONFIG`, TOML) with environment
//! overrides: `JEJAK_<TABLE>_<KEY>` (e.g. `JEJAK_AUTH_SESSION_IDLE_MINUTES=20`,
//! `JEJAK_RATE_LIMITS_BURST=30`), the value read as a TOML value or else as text. Command-line
//! flags win over both, the environment over the file, the file over the defaults. An unknown
//! table or key, in the file or the environment, is an error naming it.
//!
//! It is the one place for the server's settings: login throttling and session lengths, rate
//! limits, read limits and purposes, pool sizes, retention, upload caps, the village
//! acknowledgement deadline and the fields each partner agency receives in a referral
//! (`[referrals.fields]`, overridden per agency by `JEJAK_REFERRALS_FIELDS_<AGENCY>`).
//! `jejak config check` prints the effective configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jejak_domain::Agency;
use jejak_service::auth::AuthConfig;
use jejak_service::referrals::ReferralFields;
use jejak_service::retention::{RetentionPolicy, parse_policy};
use jejak_service::security::{Purposes, ReadLimits, UploadConfig};
use jejak_service::villages::VillageConfig;
use jejak_store::PoolOptions;
use serde::{Deserialize, Serialize};

/// Prefix of environment overrides.
const ENV_PREFIX: &str = "JEJAK_";

/// The whole configuration, every table optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Config {
    pub(crate) server: ServerSection,
    pub(crate) database: DatabaseSection,
    pub(crate) auth: AuthSection,
    pub(crate) rate_limits: RateLimitSection,
    pub(crate) reads: ReadSection,
    pub(crate) purposes: PurposeSection,
    pub(crate) uploads: UploadSection,
    pub(crate) villages: VillageSection,
    pub(crate) audit: AuditSection,
    pub(crate) screening: ScreeningSection,
    pub(crate) referrals: ReferralSection,
    /// Retention periods per record type, e.g. `deferred = { years = 5, action = "delete" }`.
    pub(crate) retention: toml::Table,
}

/// `jejak serve`: where to listen and TLS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ServerSection {
    pub(crate) bind: String,
    pub(crate) tls_cert: Option<PathBuf>,
    pub(crate) tls_key: Option<PathBuf>,
    /// Header in which a trusted reverse proxy passes the client's address (the last entry
    /// counts), e.g. `x-forwarded-for`; unset: the connection's address.
    pub(crate) client_address_header: Option<String>,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            bind: "127.0.0.1:8080".into(),
            tls_cert: None,
            tls_key: None,
            client_address_header: None,
        }
    }
}

/// Connection pools (the register itself is `--database` / `JEJAK_DATABASE`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct DatabaseSection {
    pub(crate) sqlite_max_connections: u32,
    pub(crate) postgres_max_connections: u32,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        let d = PoolOptions::default();
        DatabaseSection {
            sqlite_max_connections: d.sqlite_max_connections,
            postgres_max_connections: d.postgres_max_connections,
        }
    }
}

/// Login throttling and session lengths.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AuthSection {
    /// Login attempts for one username from one client address per window.
    pub(crate) attempts_per_client: u32,
    /// Login attempts from one client address, any usernames, per window.
    pub(crate) attempts_per_address: u32,
    pub(crate) attempt_window_minutes: u32,
    /// The first block of a client past its limit; each further block doubles.
    pub(crate) first_block_seconds: u32,
    pub(crate) max_block_minutes: u32,
    pub(crate) session_idle_minutes: u32,
    pub(crate) session_max_hours: u32,
}

impl Default for AuthSection {
    fn default() -> Self {
        let d = AuthConfig::default();
        let minutes = |t: time::Duration| u32::try_from(t.whole_minutes()).unwrap_or(u32::MAX);
        AuthSection {
            attempts_per_client: d.attempts_per_client,
            attempts_per_address: d.attempts_per_address,
            attempt_window_minutes: minutes(d.attempt_window),
            first_block_seconds: u32::try_from(d.first_block.whole_seconds()).unwrap_or(60),
            max_block_minutes: minutes(d.max_block),
            session_idle_minutes: minutes(d.idle_timeout),
            session_max_hours: u32::try_from(d.absolute_timeout.whole_hours()).unwrap_or(12),
        }
    }
}

/// Request budgets (a token bucket per API token and per logged-in user, per server).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RateLimitSection {
    pub(crate) burst: u32,
    pub(crate) per_second: f64,
}

impl Default for RateLimitSection {
    fn default() -> Self {
        RateLimitSection { burst: 60, per_second: 10.0 }
    }
}

/// Reads of personal data per user and minute, counted in the register.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ReadSection {
    pub(crate) audit_after_per_minute: u32,
    pub(crate) max_per_minute: u32,
}

impl Default for ReadSection {
    fn default() -> Self {
        let d = ReadLimits::default();
        ReadSection {
            audit_after_per_minute: d.audit_after_per_minute,
            max_per_minute: d.max_per_minute,
        }
    }
}

/// What a read of personal data may be for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PurposeSection {
    pub(crate) choices: Vec<String>,
}

impl Default for PurposeSection {
    fn default() -> Self {
        PurposeSection { choices: Purposes::default().choices().to_vec() }
    }
}

/// Checked import uploads waiting for confirmation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct UploadSection {
    pub(crate) ttl_minutes: u32,
    pub(crate) per_user_mb: u64,
    pub(crate) total_mb: u64,
}

impl Default for UploadSection {
    fn default() -> Self {
        let d = UploadConfig::default();
        UploadSection {
            ttl_minutes: u32::try_from(d.ttl.whole_minutes()).unwrap_or(30),
            per_user_mb: d.per_user_bytes / MB,
            total_mb: d.total_bytes / MB,
        }
    }
}

/// Village early warning.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct VillageSection {
    pub(crate) ack_working_days: u32,
}

impl Default for VillageSection {
    fn default() -> Self {
        VillageSection { ack_working_days: VillageConfig::default().ack_working_days }
    }
}

/// Keyed anchoring of the audit chain by the server (`jejak audit anchor` does it from a
/// timer instead).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AuditSection {
    /// The anchor signing key file (`jejak audit keygen`); unset: the server does not anchor.
    pub(crate) anchor_key: Option<PathBuf>,
    pub(crate) anchor_every_minutes: u32,
}

impl Default for AuditSection {
    fn default() -> Self {
        AuditSection { anchor_key: None, anchor_every_minutes: 15 }
    }
}

/// The match index snapshot that makes restarts fast (issue 18).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ScreeningSection {
    /// The snapshot file (a local path per server). Unset: beside a SQLite register
    /// (`<file>.index`), none for PostgreSQL; `"off"`: no snapshot, every start rebuilds.
    pub(crate) snapshot: Option<String>,
    /// How often the server rewrites the snapshot while the register moves (it also writes
    /// one after a full build and at a clean shutdown).
    pub(crate) snapshot_every_minutes: u32,
}

impl Default for ScreeningSection {
    fn default() -> Self {
        ScreeningSection { snapshot: None, snapshot_every_minutes: 30 }
    }
}

impl ScreeningSection {
    /// The snapshot file for the register at `database` (a `jejak_store::open` URL).
    pub(crate) fn snapshot_path(&self, database: &str) -> Option<PathBuf> {
        match self.snapshot.as_deref().map(str::trim) {
            Some("off") => None,
            Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
            _ => {
                let file =
                    database.strip_prefix("sqlite://").or(database.strip_prefix("sqlite:"))?;
                let file = file.split('?').next().unwrap_or_default();
                if file.is_empty() || file == ":memory:" {
                    return None;
                }
                Some(PathBuf::from(format!("{file}.index")))
            }
        }
    }
}

/// Referrals to the partner agencies (issue 15 item 5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ReferralSection {
    /// The fields each agency receives, in letter order: agency (`bp3mi`, `disnaker`,
    /// `polri_ppa`, `pemda`) to field names of `jejak_service::referrals::SHAREABLE_FIELDS`.
    /// An agency left out keeps its default set.
    pub(crate) fields: BTreeMap<String, Vec<String>>,
}

impl Default for ReferralSection {
    fn default() -> Self {
        ReferralSection { fields: fields_table(&ReferralFields::default()) }
    }
}

/// `fields` as the configuration writes it.
fn fields_table(fields: &ReferralFields) -> BTreeMap<String, Vec<String>> {
    fields.iter().map(|(agency, set)| (agency.as_str().to_owned(), set.to_vec())).collect()
}

const MB: u64 = 1024 * 1024;

impl Config {
    /// The configuration from `path` (if any) with the process environment's overrides.
    pub(crate) fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        Config::load_with(path, std::env::vars())
    }

    /// `load` with the given environment (tests).
    pub(crate) fn load_with(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let (name, mut table) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the configuration {}", path.display()))?;
                let table: toml::Table = toml::from_str(&text)
                    .with_context(|| format!("configuration {}", path.display()))?;
                (path.display().to_string(), table)
            }
            None => ("the configuration".to_owned(), toml::Table::new()),
        };
        apply_env(&mut table, env)?;
        let config: Config = toml::Value::Table(table)
            .try_into()
            .with_context(|| format!("{name}: unknown or invalid setting"))?;
        config.check(&name)?;
        Ok(config)
    }

    fn check(&self, name: &str) -> anyhow::Result<()> {
        self.retention_policy().with_context(|| format!("{name}: [retention]"))?;
        self.referral_fields().with_context(|| format!("{name}: [referrals]"))?;
        let a = &self.auth;
        for (key, value) in [
            ("auth.attempts_per_client", a.attempts_per_client),
            ("auth.attempts_per_address", a.attempts_per_address),
            ("auth.attempt_window_minutes", a.attempt_window_minutes),
            ("auth.session_idle_minutes", a.session_idle_minutes),
            ("auth.session_max_hours", a.session_max_hours),
            ("rate_limits.burst", self.rate_limits.burst),
            ("database.sqlite_max_connections", self.database.sqlite_max_connections),
            ("database.postgres_max_connections", self.database.postgres_max_connections),
            ("audit.anchor_every_minutes", self.audit.anchor_every_minutes),
            ("screening.snapshot_every_minutes", self.screening.snapshot_every_minutes),
        ] {
            if value == 0 {
                bail!("{name}: {key} must be at least 1");
            }
        }
        if self.rate_limits.per_second.is_nan() || self.rate_limits.per_second <= 0.0 {
            bail!("{name}: rate_limits.per_second must be above 0");
        }
        if self.purposes().choices().is_empty() {
            bail!("{name}: purposes.choices must list at least one purpose");
        }
        Ok(())
    }

    pub(crate) fn auth(&self) -> AuthConfig {
        let a = &self.auth;
        AuthConfig {
            attempts_per_client: a.attempts_per_client,
            attempts_per_address: a.attempts_per_address,
            attempt_window: time::Duration::minutes(a.attempt_window_minutes.into()),
            first_block: time::Duration::seconds(a.first_block_seconds.into()),
            max_block: time::Duration::minutes(a.max_block_minutes.into()),
            idle_timeout: time::Duration::minutes(a.session_idle_minutes.into()),
            absolute_timeout: time::Duration::hours(a.session_max_hours.into()),
        }
    }

    pub(crate) fn pools(&self) -> PoolOptions {
        PoolOptions {
            sqlite_max_connections: self.database.sqlite_max_connections,
            postgres_max_connections: self.database.postgres_max_connections,
        }
    }

    pub(crate) fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            audit_after_per_minute: self.reads.audit_after_per_minute,
            max_per_minute: self.reads.max_per_minute,
        }
    }

    pub(crate) fn purposes(&self) -> Purposes {
        Purposes::new(self.purposes.choices.clone())
    }

    pub(crate) fn uploads(&self) -> UploadConfig {
        UploadConfig {
            ttl: time::Duration::minutes(self.uploads.ttl_minutes.into()),
            per_user_bytes: self.uploads.per_user_mb.saturating_mul(MB),
            total_bytes: self.uploads.total_mb.saturating_mul(MB),
        }
    }

    pub(crate) fn villages(&self) -> VillageConfig {
        VillageConfig { ack_working_days: self.villages.ack_working_days }
    }

    /// The fields each partner agency receives (the defaults with the configured agencies'
    /// sets in their place), checked.
    pub(crate) fn referral_fields(&self) -> anyhow::Result<ReferralFields> {
        let configured = self
            .referrals
            .fields
            .iter()
            .map(|(agency, fields)| (agency.as_str(), fields.as_slice()));
        Ok(ReferralFields::configured(configured)?)
    }

    pub(crate) fn retention_policy(&self) -> anyhow::Result<RetentionPolicy> {
        let mut file = toml::Table::new();
        file.insert("retention".into(), toml::Value::Table(self.retention.clone()));
        let text = toml::to_string(&file).context("retention table")?;
        Ok(parse_policy("retention", &text)?)
    }

    /// The effective configuration as TOML, the retention table filled in with every
    /// record type's period and the referral fields with every agency's set (there are no
    /// secrets in it: the register's URL, which may hold a password, is not part of it).
    pub(crate) fn effective_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        let mut retention = toml::Table::new();
        for (record_type, rule) in self.retention_policy()?.rules() {
            let mut entry = toml::Table::new();
            entry.insert("years".into(), toml::Value::Integer(rule.years.into()));
            let action = match rule.action {
                jejak_store::RetentionKind::Anonymise => "anonymise",
                jejak_store::RetentionKind::Delete => "delete",
            };
            entry.insert("action".into(), toml::Value::String(action.into()));
            retention.insert(record_type.into(), toml::Value::Table(entry));
        }
        shown.retention = retention;
        shown.referrals.fields = fields_table(&self.referral_fields()?);
        Ok(toml::to_string(&shown)?)
    }
}

/// The tables environment variables may override, longest first (`rate_limits` before a
/// shorter name that is its prefix).
const TABLES: [&str; 11] = [
    "rate_limits",
    "referrals",
    "screening",
    "database",
    "purposes",
    "villages",
    "uploads",
    "server",
    "reads",
    "audit",
    "auth",
];

/// Puts `JEJAK_<TABLE>_<KEY>` values into `table`, and `JEJAK_REFERRALS_FIELDS_<AGENCY>`
/// into `[referrals.fields]`. Variables naming no table (such as `JEJAK_DATABASE` or
/// `JEJAK_USER`, which are command-line settings) are left alone.
fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<()> {
    let mut vars: Vec<(String, String)> = env.into_iter().collect();
    vars.sort();
    for (name, raw) in vars {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else { continue };
        let rest = rest.to_ascii_lowercase();
        let Some((section, key)) = TABLES.iter().find_map(|t| {
            rest.strip_prefix(t)
                .and_then(|r| r.strip_prefix('_'))
                .filter(|k| !k.is_empty())
                .map(|k| (*t, k.to_owned()))
        }) else {
            continue;
        };
        let value = parse_env_value(&raw);
        let entry = table
            .entry(section.to_owned())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section_table) = entry.as_table_mut() else {
            bail!("{name}: [{section}] in the configuration is not a table");
        };
        if let Some(agency) = key.strip_prefix("fields_").filter(|_| section == "referrals") {
            if Agency::parse(agency).is_none() {
                bail!(
                    "{name}: unknown setting referrals.fields.{agency} (the agencies are {})",
                    Agency::ALL.map(Agency::as_str).join(", ")
                );
            }
            let fields = section_table
                .entry("fields")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(fields) = fields.as_table_mut() else {
                bail!("{name}: [referrals.fields] in the configuration is not a table");
            };
            fields.insert(agency.to_owned(), value);
            continue;
        }
        if !known_key(section, &key) {
            bail!("{name}: unknown setting {section}.{key}");
        }
        section_table.insert(key, value);
    }
    Ok(())
}

/// A value from the environment: TOML (numbers, booleans, arrays) or else plain text.
fn parse_env_value(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

/// Whether `section.key` is a setting (checked against the defaults' serialised form).
fn known_key(section: &str, key: &str) -> bool {
    let defaults = toml::Value::try_from(Config::default()).ok();
    let mut shown = defaults.and_then(|v| v.as_table().cloned()).unwrap_or_default();
    // Optional settings are left out of a serialised default; they exist all the same.
    if section == "server" && matches!(key, "tls_cert" | "tls_key" | "client_address_header") {
        return true;
    }
    if (section, key) == ("audit", "anchor_key") || (section, key) == ("screening", "snapshot") {
        return true;
    }
    shown.remove(section).and_then(|s| s.as_table().map(|t| t.contains_key(key))).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_index_snapshot_lies_beside_a_sqlite_register_unless_configured() {
        let screening = Config::default().screening;
        let beside = screening.snapshot_path("sqlite:///var/lib/jejak/jejak.db?mode=rwc");
        assert_eq!(beside, Some(PathBuf::from("/var/lib/jejak/jejak.db.index")));
        assert_eq!(screening.snapshot_path("sqlite::memory:"), None);
        assert_eq!(screening.snapshot_path("postgres://jejak@db/jejak"), None);
        let config =
            Config::load_with(None, env(&[("JEJAK_SCREENING_SNAPSHOT", "/srv/index")])).unwrap();
        let configured = config.screening.snapshot_path("postgres://jejak@db/jejak");
        assert_eq!(configured, Some(PathBuf::from("/srv/index")));
        let off = Config::load_with(None, env(&[("JEJAK_SCREENING_SNAPSHOT", "off")])).unwrap();
        assert_eq!(off.screening.snapshot_path("sqlite://jejak.db"), None);
    }

    #[test]
    fn the_file_and_the_environment_override_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jejak.toml");
        std::fs::write(
            &path,
            "[auth]\nsession_idle_minutes = 20\n[uploads]\nper_user_mb = 8\n[retention]\ndeferred = { years = 5, action = \"delete\" }\n",
        )
        .unwrap();
        let config = Config::load_with(
            Some(&path),
            env(&[
                ("JEJAK_AUTH_SESSION_IDLE_MINUTES", "25"),
                ("JEJAK_RATE_LIMITS_BURST", "7"),
                ("JEJAK_DATABASE", "sqlite://x.db"),
                ("JEJAK_PURPOSES_CHOICES", "[\"audit internal\"]"),
            ]),
        )
        .unwrap();
        assert_eq!(config.auth().idle_timeout, time::Duration::minutes(25));
        assert_eq!(config.rate_limits.burst, 7);
        assert_eq!(config.uploads().per_user_bytes, 8 * MB);
        assert_eq!(config.purposes().choices(), ["audit internal"]);
        assert_eq!(config.retention_policy().unwrap().deferred.years, 5);
        let shown = config.effective_toml().unwrap();
        assert!(shown.contains("session_idle_minutes = 25"), "{shown}");
        assert!(shown.contains("[retention.issued]"), "{shown}");
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jejak.toml");
        std::fs::write(&path, "[auth]\nlock_aftr = 3\n").unwrap();
        let err = format!("{:#}", Config::load_with(Some(&path), env(&[])).unwrap_err());
        assert!(err.contains("lock_aftr"), "{err}");
        std::fs::write(&path, "[retention]\ndefered = { years = 5 }\n").unwrap();
        let err = format!("{:#}", Config::load_with(Some(&path), env(&[])).unwrap_err());
        assert!(err.contains("defered"), "{err}");
        let err = format!(
            "{:#}",
            Config::load_with(None, env(&[("JEJAK_AUTH_LOCK_AFTER", "3")])).unwrap_err()
        );
        assert!(err.contains("JEJAK_AUTH_LOCK_AFTER") && err.contains("auth.lock_after"), "{err}");
    }

    #[test]
    fn referral_fields_are_configured_per_agency_and_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jejak.toml");
        std::fs::write(&path, "[referrals.fields]\npemda = [\"village_code\", \"full_name\"]\n")
            .unwrap();
        let config = Config::load_with(
            Some(&path),
            env(&[("JEJAK_REFERRALS_FIELDS_POLRI_PPA", "[\"full_name\", \"nik\", \"phone\"]")]),
        )
        .unwrap();
        let fields = config.referral_fields().unwrap();
        assert_eq!(fields.of(Agency::Pemda), ["village_code", "full_name"]);
        assert_eq!(fields.of(Agency::PolriPpa), ["full_name", "nik", "phone"]);
        let defaults = ReferralFields::default();
        assert_eq!(fields.of(Agency::Bp3mi), defaults.of(Agency::Bp3mi), "left out: the default");
        let shown = config.effective_toml().unwrap();
        assert!(shown.contains("[referrals.fields]"), "{shown}");
        assert!(shown.contains("pemda = [\"village_code\", \"full_name\"]"), "{shown}");
        assert!(shown.contains("bp3mi = [\"full_name\""), "every agency is shown: {shown}");
        let unset = Config::load_with(None, env(&[])).unwrap().referral_fields().unwrap();
        assert_eq!(unset, defaults);
    }

    #[test]
    fn an_unknown_referral_field_or_agency_is_an_error_naming_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jejak.toml");
        std::fs::write(&path, "[referrals.fields]\nbp3mi = [\"full_name\", \"mother_name\"]\n")
            .unwrap();
        let err = format!("{:#}", Config::load_with(Some(&path), env(&[])).unwrap_err());
        assert!(err.contains("referrals.fields.bp3mi") && err.contains("mother_name"), "{err}");
        std::fs::write(&path, "[referrals.fields]\npolri = [\"full_name\"]\n").unwrap();
        let err = format!("{:#}", Config::load_with(Some(&path), env(&[])).unwrap_err());
        assert!(err.contains("referrals.fields.polri") && err.contains("polri_ppa"), "{err}");
        std::fs::write(&path, "[referrals]\nfeilds = {}\n").unwrap();
        let err = format!("{:#}", Config::load_with(Some(&path), env(&[])).unwrap_err());
        assert!(err.contains("feilds"), "{err}");
        let err = format!(
            "{:#}",
            Config::load_with(None, env(&[("JEJAK_REFERRALS_FIELDS_KPU", "[\"nik\"]")]))
                .unwrap_err()
        );
        assert!(
            err.contains("JEJAK_REFERRALS_FIELDS_KPU") && err.contains("referrals.fields.kpu"),
            "{err}"
        );
    }
}
