//! Authorisation: who may do what, where. One permission table (role x action x office
//! scope), deny by default, checked by the service so the CLI, the API and the pages share it.
//! ARCHITECTURE.md reproduces the table.

use std::fmt;

use jejak_domain::OfficeCode;
use jejak_store::AuditCtx;
use serde::Serialize;

use crate::{Result, ServiceError};

/// The roles of DOMAIN.md: who works with the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Interview officer (petugas wawancara) at a Kanim.
    Petugas,
    /// Head of section (kepala seksi): reviews overrides and person merges/splits.
    Supervisor,
    /// Regional analyst (Kanwil): monitoring, rules, backtests; no casework.
    Analis,
    /// Village officer (PIMPASA / Desa Binaan): early-warning reports only.
    Pimpasa,
    /// System administrator: users, tokens, offices, audit, retention; no casework.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Petugas, Role::Supervisor, Role::Analis, Role::Pimpasa, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Petugas => "petugas",
            Role::Supervisor => "supervisor",
            Role::Analis => "analis",
            Role::Pimpasa => "pimpasa",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text.trim().to_lowercase())
    }

    /// The role's name as the users say it (Indonesian, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Role::Petugas => ("Petugas", "Officer"),
            Role::Supervisor => ("Kepala Seksi", "Supervisor"),
            Role::Analis => ("Analis Kanwil", "Regional analyst"),
            Role::Pimpasa => ("PIMPASA", "Village officer"),
            Role::Admin => ("Admin", "Administrator"),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a user or a system can ask Jejak to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See an office's work queue (pending, flagged, awaiting review).
    ViewQueue,
    /// Register a new application, typed in by an officer.
    RegisterApplication,
    /// Screen an application against the whole register (identity + risk).
    ScreenApplication,
    /// Search the register by NIK, name, phone or passport number (masked lists).
    SearchRegister,
    /// Open a person's full record (requires a purpose; logged).
    ViewPerson,
    /// Record a decision on an application (issue, defer, reject, cancel).
    RecordDecision,
    /// Approve or refuse a decision that needs a supervisor (override of a high band or a
    /// failed hard check).
    ReviewOverride,
    /// Confirm or reject a candidate match between two applications.
    ConfirmMatch,
    /// Split a wrongly merged person (rectification, UU PDP).
    SplitPerson,
    /// Import applications from CSV/XLSX.
    ImportApplications,
    /// Export applications to CSV/XLSX.
    ExportApplications,
    /// See rule sets and their indicators.
    ViewRules,
    /// Write a draft rule set.
    DraftRules,
    /// Publish a draft (four-eyes: never the author).
    PublishRules,
    /// Switch the active rule set.
    ActivateRules,
    /// Replay history under a rule set.
    RunBacktest,
    /// Regional monitoring dashboards.
    ViewDashboard,
    /// Village early-warning report (PIMPASA: only villages assigned to them) and their own
    /// villages' reports and outreach.
    SubmitVillageReport,
    /// Desa Binaan register: designate villages, assign PIMPASA, Timpora operations.
    ManageVillages,
    /// The office's village-alert queue: acknowledge and follow up reports.
    FollowUpVillageReports,
    /// Users and their roles.
    ManageUsers,
    /// API tokens for partner systems.
    ManageTokens,
    /// Offices and their work areas.
    ManageOffices,
    /// Read and verify the audit log.
    ViewAudit,
    /// Run retention (anonymise or delete what expired).
    RunRetention,
    /// Export everything held on one person (data-subject access).
    SubjectReport,
    /// See the office's referrals to partner agencies and their letters.
    ViewReferrals,
    /// Refer a case to a partner agency and record its follow-up.
    MakeReferral,
    /// See open referrals past their due date.
    SuperviseReferrals,
    /// Mark a person protected (a recorded TPPO victim) or lift it, with a reason.
    ProtectPerson,
    /// Open a protected person's full record (with a stated purpose; every read logged).
    ViewProtectedPerson,
    /// Exchange batches with a partner system (SISKOP2MI): pull our batches, acknowledge.
    ExchangePartnerData,
    /// Load a partner's list: CPMI snapshots, licensed P3MI, BP3MI deportations.
    ImportPartnerData,
    /// Copy the whole register to a backup file, or restore one.
    BackupRegister,
    /// Sign the audit chain's head with the anchoring key.
    AnchorAudit,
}

impl Action {
    pub const ALL: [Action; 35] = [
        Action::ViewQueue,
        Action::RegisterApplication,
        Action::ScreenApplication,
        Action::SearchRegister,
        Action::ViewPerson,
        Action::RecordDecision,
        Action::ReviewOverride,
        Action::ConfirmMatch,
        Action::SplitPerson,
        Action::ImportApplications,
        Action::ExportApplications,
        Action::ViewRules,
        Action::DraftRules,
        Action::PublishRules,
        Action::ActivateRules,
        Action::RunBacktest,
        Action::ViewDashboard,
        Action::SubmitVillageReport,
        Action::ManageVillages,
        Action::FollowUpVillageReports,
        Action::ManageUsers,
        Action::ManageTokens,
        Action::ManageOffices,
        Action::ViewAudit,
        Action::RunRetention,
        Action::SubjectReport,
        Action::ViewReferrals,
        Action::MakeReferral,
        Action::SuperviseReferrals,
        Action::ProtectPerson,
        Action::ViewProtectedPerson,
        Action::ExchangePartnerData,
        Action::ImportPartnerData,
        Action::BackupRegister,
        Action::AnchorAudit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewQueue => "view_queue",
            Action::RegisterApplication => "register_application",
            Action::ScreenApplication => "screen_application",
            Action::SearchRegister => "search_register",
            Action::ViewPerson => "view_person",
            Action::RecordDecision => "record_decision",
            Action::ReviewOverride => "review_override",
            Action::ConfirmMatch => "confirm_match",
            Action::SplitPerson => "split_person",
            Action::ImportApplications => "import_applications",
            Action::ExportApplications => "export_applications",
            Action::ViewRules => "view_rules",
            Action::DraftRules => "draft_rules",
            Action::PublishRules => "publish_rules",
            Action::ActivateRules => "activate_rules",
            Action::RunBacktest => "run_backtest",
            Action::ViewDashboard => "view_dashboard",
            Action::SubmitVillageReport => "submit_village_report",
            Action::ManageVillages => "manage_villages",
            Action::FollowUpVillageReports => "follow_up_village_reports",
            Action::ManageUsers => "manage_users",
            Action::ManageTokens => "manage_tokens",
            Action::ManageOffices => "manage_offices",
            Action::ViewAudit => "view_audit",
            Action::RunRetention => "run_retention",
            Action::SubjectReport => "subject_report",
            Action::ViewReferrals => "view_referrals",
            Action::MakeReferral => "make_referral",
            Action::SuperviseReferrals => "supervise_referrals",
            Action::ProtectPerson => "protect_person",
            Action::ViewProtectedPerson => "view_protected_person",
            Action::ExchangePartnerData => "exchange_partner_data",
            Action::ImportPartnerData => "import_partner_data",
            Action::BackupRegister => "backup_register",
            Action::AnchorAudit => "anchor_audit",
        }
    }

    /// Parses an action name (as used in API token scopes).
    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text.trim())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which offices' records a permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the user's own office.
    OwnOffice,
    /// Every office (the register is shared: screening and person history cross offices).
    AllOffices,
}

use Action as A;
use Role as R;
use Scope as S;

/// The permission table. Anything not listed is denied.
///
/// Casework (register, decide, confirm matches) is bound to the officer's own office; reading
/// across offices is what the shared register is for, so screening, search and person records
/// reach all offices (reads of personal data are purpose-tagged and logged). Analysts see
/// everything but decide nothing; admins run the system but see no casework.
pub const PERMISSIONS: &[(Role, Action, Scope)] = &[
    (R::Petugas, A::ViewQueue, S::OwnOffice),
    (R::Petugas, A::RegisterApplication, S::OwnOffice),
    (R::Petugas, A::ScreenApplication, S::OwnOffice),
    (R::Petugas, A::SearchRegister, S::AllOffices),
    (R::Petugas, A::ViewPerson, S::AllOffices),
    (R::Petugas, A::RecordDecision, S::OwnOffice),
    (R::Petugas, A::ConfirmMatch, S::OwnOffice),
    (R::Petugas, A::ImportApplications, S::OwnOffice),
    (R::Petugas, A::ViewRules, S::AllOffices),
    (R::Supervisor, A::ViewQueue, S::OwnOffice),
    (R::Supervisor, A::RegisterApplication, S::OwnOffice),
    (R::Supervisor, A::ScreenApplication, S::OwnOffice),
    (R::Supervisor, A::SearchRegister, S::AllOffices),
    (R::Supervisor, A::ViewPerson, S::AllOffices),
    (R::Supervisor, A::RecordDecision, S::OwnOffice),
    (R::Supervisor, A::ReviewOverride, S::OwnOffice),
    (R::Supervisor, A::ConfirmMatch, S::OwnOffice),
    (R::Supervisor, A::SplitPerson, S::OwnOffice),
    (R::Supervisor, A::ImportApplications, S::OwnOffice),
    (R::Supervisor, A::ExportApplications, S::OwnOffice),
    (R::Supervisor, A::ViewRules, S::AllOffices),
    (R::Supervisor, A::PublishRules, S::AllOffices),
    (R::Supervisor, A::RunBacktest, S::AllOffices),
    (R::Supervisor, A::ViewDashboard, S::OwnOffice),
    (R::Supervisor, A::SubmitVillageReport, S::OwnOffice),
    (R::Supervisor, A::ManageVillages, S::OwnOffice),
    (R::Supervisor, A::FollowUpVillageReports, S::OwnOffice),
    (R::Analis, A::ViewQueue, S::AllOffices),
    (R::Analis, A::SearchRegister, S::AllOffices),
    (R::Analis, A::ViewPerson, S::AllOffices),
    (R::Analis, A::ExportApplications, S::AllOffices),
    (R::Analis, A::ViewRules, S::AllOffices),
    (R::Analis, A::DraftRules, S::AllOffices),
    (R::Analis, A::PublishRules, S::AllOffices),
    (R::Analis, A::RunBacktest, S::AllOffices),
    (R::Analis, A::ViewDashboard, S::AllOffices),
    (R::Analis, A::SubmitVillageReport, S::AllOffices),
    (R::Analis, A::ManageVillages, S::AllOffices),
    (R::Analis, A::FollowUpVillageReports, S::AllOffices),
    (R::Pimpasa, A::SubmitVillageReport, S::OwnOffice),
    (R::Admin, A::ViewRules, S::AllOffices),
    (R::Admin, A::ActivateRules, S::AllOffices),
    (R::Admin, A::ManageUsers, S::AllOffices),
    (R::Admin, A::ManageTokens, S::AllOffices),
    (R::Admin, A::ManageOffices, S::AllOffices),
    (R::Admin, A::ViewAudit, S::AllOffices),
    (R::Admin, A::RunRetention, S::AllOffices),
    (R::Admin, A::SubjectReport, S::AllOffices),
    // Referrals to the cross-agency forum and protected persons (issue 15).
    (R::Petugas, A::ViewReferrals, S::OwnOffice),
    (R::Petugas, A::MakeReferral, S::OwnOffice),
    (R::Supervisor, A::ViewReferrals, S::OwnOffice),
    (R::Supervisor, A::MakeReferral, S::OwnOffice),
    (R::Supervisor, A::SuperviseReferrals, S::OwnOffice),
    (R::Supervisor, A::ProtectPerson, S::AllOffices),
    (R::Supervisor, A::ViewProtectedPerson, S::AllOffices),
    (R::Analis, A::ViewReferrals, S::AllOffices),
    (R::Analis, A::SuperviseReferrals, S::AllOffices),
    (R::Admin, A::ExchangePartnerData, S::AllOffices),
];

/// The scope `role` has for `action`, if any.
pub fn permission(role: Role, action: Action) -> Option<Scope> {
    PERMISSIONS.iter().find(|(r, a, _)| *r == role && *a == action).map(|(_, _, s)| *s)
}

/// What the command line may do, for every office. Whoever runs `jejak` against the
/// register's database holds the data already, so the console is trusted like an
/// administrator at the server; it is still an actor: each command names its action, is
/// checked against this row and is audited under the operator's name (`--user`,
/// `JEJAK_USER`). It does no casework (deciding, judging matches, reading persons).
pub const CONSOLE_ACTIONS: &[Action] = &[
    A::ImportApplications,
    A::ExportApplications,
    A::PublishRules,
    A::ActivateRules,
    A::ViewDashboard,
    A::SubmitVillageReport,
    A::ManageVillages,
    A::ManageUsers,
    A::ManageTokens,
    A::ManageOffices,
    A::ViewAudit,
    A::AnchorAudit,
    A::RunRetention,
    A::SubjectReport,
    A::MakeReferral,
    A::ProtectPerson,
    A::ExchangePartnerData,
    A::ImportPartnerData,
    A::BackupRegister,
];

/// The permission table as a Markdown table (actions x roles, then the console; "own" = own
/// office, "all" = all offices, blank = denied), as ARCHITECTURE.md shows it.
pub fn permission_table_markdown() -> String {
    let mut out = String::from("| action |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str(" console |\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len() + 1));
    out.push('\n');
    for action in Action::ALL {
        out.push_str(&format!("| `{action}` |"));
        for role in Role::ALL {
            out.push_str(match permission(role, action) {
                Some(Scope::OwnOffice) => " own |",
                Some(Scope::AllOffices) => " all |",
                None => " |",
            });
        }
        out.push_str(if CONSOLE_ACTIONS.contains(&action) { " all |" } else { " |" });
        out.push('\n');
    }
    out
}

/// How the actor proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A person logged in with a password (session cookie) or at the command line.
    User,
    /// A partner system with an API token limited to these actions.
    Token { name: String, scopes: Vec<Action> },
    /// The operator at the command line: the actions of [`CONSOLE_ACTIONS`], every office.
    Console,
}

/// Someone (or some system) acting on the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: OfficeCode,
    pub credential: Credential,
}

impl Actor {
    /// A person acting under `role` at `office`.
    pub fn user(username: &str, display_name: &str, role: Role, office: OfficeCode) -> Actor {
        Actor {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            role,
            office,
            credential: Credential::User,
        }
    }

    /// The operator at the command line, named `operator` (`--user`), working at `office`
    /// (where a command needs one: the office it names, else the register's first). What it
    /// may do is [`CONSOLE_ACTIONS`]; its views and office scopes are the regional analyst's
    /// (every office, no casework).
    pub fn console(operator: &str, office: OfficeCode) -> Actor {
        Actor {
            username: operator.to_owned(),
            display_name: "command line".to_owned(),
            role: Role::Analis,
            office,
            credential: Credential::Console,
        }
    }

    /// Whether the actor may do `action` on records of `office` (`None`: no particular
    /// office, e.g. a search across the register).
    pub fn may(&self, action: Action, office: Option<&OfficeCode>) -> bool {
        match &self.credential {
            Credential::Token { scopes, .. } if !scopes.contains(&action) => return false,
            Credential::Console => return CONSOLE_ACTIONS.contains(&action),
            _ => {}
        }
        match permission(self.role, action) {
            None => false,
            Some(Scope::AllOffices) => true,
            Some(Scope::OwnOffice) => office.is_none_or(|o| *o == self.office),
        }
    }

    /// `Ok` when allowed, else `ServiceError::Forbidden` naming what was refused.
    pub fn authorize(&self, action: Action, office: Option<&OfficeCode>) -> Result<()> {
        if self.may(action, office) {
            return Ok(());
        }
        Err(ServiceError::Forbidden(match office {
            _ if self.credential == Credential::Console => {
                format!("the command line may not {action}")
            }
            Some(o) if permission(self.role, action).is_some() => {
                format!("{} may not {action} for office {o}", self.username)
            }
            _ => format!("{} ({}) may not {action}", self.username, self.role),
        }))
    }

    /// The audit context for a write or a logged read by this actor.
    pub fn audit_ctx(&self, at: String, purpose: Option<String>) -> AuditCtx {
        let (actor, office) = match &self.credential {
            Credential::User => (self.username.clone(), Some(self.office.clone())),
            Credential::Token { name, .. } => (format!("token:{name}"), Some(self.office.clone())),
            // The console acts for the whole register, not for an office.
            Credential::Console => (self.username.clone(), None),
        };
        AuditCtx { actor, office, purpose, at }
    }
}

/// A part of Jejak the navigation leads to, in the order it lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// The office's work queue (home).
    Queue,
    /// The new-application form.
    NewApplication,
    /// The supervisor's review queue.
    Reviews,
    /// Search across the register.
    Search,
    /// Desa Binaan: villages, reports, outreach.
    Villages,
    /// The office's village-alert queue.
    VillageAlerts,
    /// Referrals to partner agencies.
    Referrals,
    /// Import of CSV/XLSX files.
    Import,
    /// Risk rule sets.
    Rules,
    /// Monitoring dashboard.
    Dashboard,
    /// Administration: users, tokens, offices, audit, retention.
    Admin,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Queue,
        Section::NewApplication,
        Section::Reviews,
        Section::Search,
        Section::Villages,
        Section::VillageAlerts,
        Section::Referrals,
        Section::Import,
        Section::Rules,
        Section::Dashboard,
        Section::Admin,
    ];

    /// The permission that opens the section.
    fn action(self) -> Action {
        match self {
            Section::Queue => Action::ViewQueue,
            Section::NewApplication => Action::RegisterApplication,
            Section::Reviews => Action::ReviewOverride,
            Section::Search => Action::SearchRegister,
            Section::Villages => Action::SubmitVillageReport,
            Section::VillageAlerts => Action::FollowUpVillageReports,
            Section::Referrals => Action::ViewReferrals,
            Section::Import => Action::ImportApplications,
            Section::Rules => Action::ViewRules,
            Section::Dashboard => Action::ViewDashboard,
            Section::Admin => Action::ManageUsers,
        }
    }
}

/// A form, upload or query that the web layer reads before its use case runs. It is opened
/// first, so that someone without the permission is refused before their input is looked at
/// (and learns nothing from its validation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// The new-application form, its NIK hints and the desk API (`register_application`).
    NewApplication,
    /// An unstored application to screen (`screen_application`).
    ScreenApplication,
    /// The import page and its upload (`import_applications`).
    Import,
    /// The upload of a draft rule set (`draft_rules`).
    RuleDraft,
    /// The split of a wrongly merged person (`split_person`; each application's office is
    /// checked again when the split runs).
    PersonSplit,
    /// The search form, before anything is searched (`search_register`).
    Search,
    /// The purpose form of a person's record (`view_person`).
    Person,
    /// The statistics table (`view_dashboard`; the office asked for is checked with the
    /// parameters).
    Stats,
}

impl Entry {
    fn action(self) -> Action {
        match self {
            Entry::NewApplication => Action::RegisterApplication,
            Entry::ScreenApplication => Action::ScreenApplication,
            Entry::Import => Action::ImportApplications,
            Entry::RuleDraft => Action::DraftRules,
            Entry::PersonSplit => Action::SplitPerson,
            Entry::Search => Action::SearchRegister,
            Entry::Person => Action::ViewPerson,
            Entry::Stats => Action::ViewDashboard,
        }
    }
}

/// What the actor may do with one application: the actions its examination page offers
/// (the use cases check again when they run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplicationActions {
    /// Record a decision (the application is pending and of an office the actor decides for).
    pub decide: bool,
    /// Confirm or reject the candidates shown.
    pub match_verdict: bool,
    /// See the referrals about it.
    pub view_referrals: bool,
    /// Refer it to a partner agency.
    pub refer: bool,
    /// Mark its person protected, or lift the protection.
    pub protect: bool,
}

impl ApplicationActions {
    /// The actions `actor` may take on `application`.
    pub fn of(actor: &Actor, application: &jejak_domain::NewApplication) -> ApplicationActions {
        let office = Some(&application.office_code);
        ApplicationActions {
            decide: application.outcome == jejak_domain::Outcome::Pending
                && actor.may(Action::RecordDecision, office),
            match_verdict: actor.may(Action::ConfirmMatch, office),
            view_referrals: actor.may(Action::ViewReferrals, office),
            refer: actor.may(Action::MakeReferral, office),
            protect: actor.may(Action::ProtectPerson, office),
        }
    }
}

/// What the actor may do with the register's rule sets (the rule page's buttons).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleActions {
    pub draft: bool,
    pub publish: bool,
    pub activate: bool,
    pub backtest: bool,
}

impl RuleActions {
    pub fn of(actor: &Actor) -> RuleActions {
        RuleActions {
            draft: actor.may(Action::DraftRules, None),
            publish: actor.may(Action::PublishRules, None),
            activate: actor.may(Action::ActivateRules, None),
            backtest: actor.may(Action::RunBacktest, None),
        }
    }
}

impl Actor {
    /// The sections the actor may open, in navigation order (at their own office).
    pub fn sections(&self) -> Vec<Section> {
        Section::ALL.into_iter().filter(|s| self.may(s.action(), Some(&self.office))).collect()
    }

    /// Opens `entry` for the actor: the office whose records it works on (casework is bound
    /// to the actor's own office), or `ServiceError::Forbidden`.
    pub fn open(&self, entry: Entry) -> Result<OfficeCode> {
        self.authorize(entry.action(), Some(&self.office))?;
        Ok(self.office.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(code: &str) -> OfficeCode {
        OfficeCode::parse(code).unwrap()
    }

    #[test]
    fn every_role_action_pair_is_listed_at_most_once() {
        for (i, (r, a, _)) in PERMISSIONS.iter().enumerate() {
            assert!(
                !PERMISSIONS[i + 1..].iter().any(|(r2, a2, _)| r2 == r && a2 == a),
                "{r} {a} listed twice"
            );
        }
    }

    #[test]
    fn the_console_does_its_listed_actions_for_every_office_and_no_casework() {
        let console = Actor::console("ops", office("KLA"));
        for action in Action::ALL {
            let listed = CONSOLE_ACTIONS.contains(&action);
            assert_eq!(console.may(action, Some(&office("BDL"))), listed, "{action}");
            assert_eq!(console.authorize(action, None).is_ok(), listed, "{action}");
        }
        for casework in [
            Action::RecordDecision,
            Action::ReviewOverride,
            Action::ConfirmMatch,
            Action::ViewPerson,
            Action::ViewProtectedPerson,
        ] {
            let err = console.authorize(casework, None).unwrap_err();
            assert!(err.to_string().contains("command line may not"), "{err}");
        }
        // Backups, partner lists and anchors are the console's alone: no role has them.
        for console_only in [Action::BackupRegister, Action::ImportPartnerData, Action::AnchorAudit]
        {
            assert!(Role::ALL.iter().all(|r| permission(*r, console_only).is_none()));
        }
        let ctx = console.audit_ctx("2026-12-03T10:00:00Z".into(), None);
        assert_eq!((ctx.actor.as_str(), ctx.office), ("ops", None), "audited as the operator");
    }

    #[test]
    fn casework_is_bound_to_the_own_office() {
        let officer = Actor::user("sari", "Sari", Role::Petugas, office("KLA"));
        assert!(officer.may(Action::RecordDecision, Some(&office("KLA"))));
        assert!(!officer.may(Action::RecordDecision, Some(&office("BDL"))));
        assert!(officer.may(Action::ViewPerson, Some(&office("BDL"))));
        let err = officer.authorize(Action::RecordDecision, Some(&office("BDL"))).unwrap_err();
        assert!(err.to_string().contains("office BDL"), "{err}");
    }

    #[test]
    fn unlisted_actions_are_denied() {
        let village = Actor::user("desa", "Desa", Role::Pimpasa, office("KLA"));
        assert!(!village.may(Action::ViewPerson, None));
        assert!(!village.may(Action::SearchRegister, None));
        let admin = Actor::user("root", "Root", Role::Admin, office("BDL"));
        assert!(!admin.may(Action::ViewPerson, None), "admins see no casework");
        assert!(!admin.may(Action::RecordDecision, Some(&office("BDL"))));
    }

    #[test]
    fn tokens_are_limited_to_their_scopes() {
        let mut system = Actor::user("siskop", "SISKOP2MI", Role::Analis, office("BDL"));
        system.credential =
            Credential::Token { name: "siskop".into(), scopes: vec![Action::SearchRegister] };
        assert!(system.may(Action::SearchRegister, None));
        assert!(!system.may(Action::ViewPerson, None));
        assert_eq!(system.audit_ctx("t".into(), None).actor, "token:siskop");
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn the_navigation_shows_the_sections_the_table_opens() {
        let officer = Actor::user("sari", "Sari", Role::Petugas, office("KLA"));
        assert_eq!(
            officer.sections(),
            [
                Section::Queue,
                Section::NewApplication,
                Section::Search,
                Section::Referrals,
                Section::Import,
                Section::Rules
            ]
        );
        let admin = Actor::user("root", "Root", Role::Admin, office("BDL"));
        assert_eq!(admin.sections(), [Section::Rules, Section::Admin]);
        let village = Actor::user("desa", "Desa", Role::Pimpasa, office("KLA"));
        assert_eq!(village.sections(), [Section::Villages]);
    }

    #[test]
    fn an_entry_is_opened_at_the_own_office_or_refused() {
        let officer = Actor::user("sari", "Sari", Role::Petugas, office("KLA"));
        assert_eq!(officer.open(Entry::NewApplication).unwrap(), office("KLA"));
        assert!(officer.open(Entry::Import).is_ok());
        for refused in [Entry::RuleDraft, Entry::PersonSplit, Entry::Stats] {
            let err = officer.open(refused).unwrap_err();
            assert!(matches!(err, ServiceError::Forbidden(_)), "{refused:?}: {err}");
        }
        let analyst = Actor::user("ana", "Ana", Role::Analis, office("BDL"));
        assert!(analyst.open(Entry::RuleDraft).is_ok() && analyst.open(Entry::Stats).is_ok());
        assert!(analyst.open(Entry::NewApplication).is_err(), "analysts decide nothing");
    }

    #[test]
    fn the_actions_on_an_application_follow_its_office() {
        let supervisor = Actor::user("kasi", "Kasi", Role::Supervisor, office("KLA"));
        let date = jejak_domain::date::ymd(2025, 3, 1).unwrap();
        let mut own = jejak_domain::NewApplication::new("KLA-1", office("KLA"), date, "Siti");
        let allowed = ApplicationActions::of(&supervisor, &own);
        assert!(allowed.decide && allowed.match_verdict && allowed.refer && allowed.protect);
        own.outcome = jejak_domain::Outcome::Issued;
        assert!(!ApplicationActions::of(&supervisor, &own).decide, "decided already");
        let other = jejak_domain::NewApplication::new("BDL-1", office("BDL"), date, "Siti");
        let allowed = ApplicationActions::of(&supervisor, &other);
        assert!(!allowed.decide && !allowed.match_verdict && !allowed.refer);
        assert!(allowed.protect, "protection reaches every office");
    }
}
