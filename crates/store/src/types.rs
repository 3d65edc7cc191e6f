//! Plain values passed to and returned by the store.

use jejak_domain::{AuditAction, NewApplication, OfficeCode, Outcome};
use time::Date;

/// Who does a write, from where, why, and when: recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCtx {
    pub actor: String,
    pub office: Option<OfficeCode>,
    pub purpose: Option<String>,
    /// RFC 3339 UTC timestamp supplied by the caller (the store reads no clock).
    pub at: String,
}

/// An audit event to append on its own (see `Store::append_audits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAppend {
    pub ctx: AuditCtx,
    pub action: AuditAction,
    pub entity: String,
    pub entity_id: Option<String>,
    pub details: String,
}

/// What to do when an imported row conflicts with a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictPolicy {
    /// Write nothing if any row conflicts.
    Abort,
    /// Skip conflicting rows, write the rest.
    Skip,
}

/// A stored application whose content differs from the imported row with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportConflict {
    /// Index of the row in the slice given to `import`.
    pub index: usize,
    pub office_code: OfficeCode,
    pub application_id: String,
    /// Names of the fields that differ from the stored application.
    pub fields: Vec<&'static str>,
}

/// What an import did (or, when aborted, would have done).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub unchanged: usize,
    pub conflicts: Vec<ImportConflict>,
    /// `false` when the import was rolled back because of conflicts.
    pub committed: bool,
}

/// Which applications to export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub office: Option<OfficeCode>,
}

impl ExportFilter {
    pub fn matches(&self, app: &NewApplication) -> bool {
        self.from.is_none_or(|d| app.applied_on >= d)
            && self.to.is_none_or(|d| app.applied_on <= d)
            && self.office.as_ref().is_none_or(|o| &app.office_code == o)
    }
}

/// Which stored applications to list (work queues, look-ups by identifier). Every given
/// criterion must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationQuery {
    pub office: Option<OfficeCode>,
    pub outcome: Option<Outcome>,
    /// Exact NIK (16 digits).
    pub nik: Option<String>,
    /// Exact phone in E.164.
    pub phone: Option<String>,
    /// Exact previous passport number (uppercase).
    pub passport_no: Option<String>,
    pub limit: u32,
}

impl Default for ApplicationQuery {
    fn default() -> Self {
        Self { office: None, outcome: None, nik: None, phone: None, passport_no: None, limit: 100 }
    }
}
