//! The actions the audit log records. Each entry stores its action as text and the entry's
//! hash covers that text, so [`AuditAction::as_str`] must keep giving exactly the strings
//! already stored: rename a variant freely, never its string.

use std::fmt;
use std::str::FromStr;

/// What an audit entry records. The text form is `entity.verb` (see [`AuditAction::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuditAction {
    ApplicationCreate,
    ApplicationImport,
    AssessmentRecord,
    AuditExport,
    AuditVerify,
    DecisionRecord,
    ExchangeAcknowledge,
    ExchangePartner,
    ExchangePrepare,
    ExchangeReceive,
    ExchangeSend,
    ImportExpired,
    ImportHeld,
    ImportUploadTaken,
    LegalHoldLift,
    LegalHoldPlace,
    LoginThrottled,
    MatchConfirm,
    MatchReject,
    OfficeSave,
    OutreachRecord,
    PartnerImport,
    PersonProtect,
    PersonUnprotect,
    PersonView,
    PersonalDataBulkRead,
    PersonalDataRead,
    ProtectedPersonRead,
    ReferralCreate,
    ReferralStatus,
    RegisterBackup,
    RegisterRestore,
    RetentionAnonymise,
    RetentionDelete,
    ReviewRequest,
    ReviewResolve,
    RuleSetActivate,
    RuleSetDraft,
    RuleSetPublish,
    SubjectReport,
    TimporaRecord,
    TokenAdd,
    TokenRevoke,
    UserAdd,
    UserDisable,
    UserEnable,
    UserLock,
    UserLogin,
    UserLoginFailed,
    UserLogout,
    UserPassword,
    UserRole,
    UserSessionExpired,
    UserUnlock,
    VillageAssign,
    VillageDesignate,
    VillageEnd,
    VillageUnassign,
    VillageReportFile,
    VillageReportRead,
    VillageReportStatus,
}

impl AuditAction {
    /// Every action, in declaration order.
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::ApplicationCreate,
        AuditAction::ApplicationImport,
        AuditAction::AssessmentRecord,
        AuditAction::AuditExport,
        AuditAction::AuditVerify,
        AuditAction::DecisionRecord,
        AuditAction::ExchangeAcknowledge,
        AuditAction::ExchangePartner,
        AuditAction::ExchangePrepare,
        AuditAction::ExchangeReceive,
        AuditAction::ExchangeSend,
        AuditAction::ImportExpired,
        AuditAction::ImportHeld,
        AuditAction::ImportUploadTaken,
        AuditAction::LegalHoldLift,
        AuditAction::LegalHoldPlace,
        AuditAction::LoginThrottled,
        AuditAction::MatchConfirm,
        AuditAction::MatchReject,
        AuditAction::OfficeSave,
        AuditAction::OutreachRecord,
        AuditAction::PartnerImport,
        AuditAction::PersonProtect,
        AuditAction::PersonUnprotect,
        AuditAction::PersonView,
        AuditAction::PersonalDataBulkRead,
        AuditAction::PersonalDataRead,
        AuditAction::ProtectedPersonRead,
        AuditAction::ReferralCreate,
        AuditAction::ReferralStatus,
        AuditAction::RegisterBackup,
        AuditAction::RegisterRestore,
        AuditAction::RetentionAnonymise,
        AuditAction::RetentionDelete,
        AuditAction::ReviewRequest,
        AuditAction::ReviewResolve,
        AuditAction::RuleSetActivate,
        AuditAction::RuleSetDraft,
        AuditAction::RuleSetPublish,
        AuditAction::SubjectReport,
        AuditAction::TimporaRecord,
        AuditAction::TokenAdd,
        AuditAction::TokenRevoke,
        AuditAction::UserAdd,
        AuditAction::UserDisable,
        AuditAction::UserEnable,
        AuditAction::UserLock,
        AuditAction::UserLogin,
        AuditAction::UserLoginFailed,
        AuditAction::UserLogout,
        AuditAction::UserPassword,
        AuditAction::UserRole,
        AuditAction::UserSessionExpired,
        AuditAction::UserUnlock,
        AuditAction::VillageAssign,
        AuditAction::VillageDesignate,
        AuditAction::VillageEnd,
        AuditAction::VillageUnassign,
        AuditAction::VillageReportFile,
        AuditAction::VillageReportRead,
        AuditAction::VillageReportStatus,
    ];

    /// The text stored in the audit log (and covered by the entry's hash).
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditAction::ApplicationCreate => "application.create",
            AuditAction::ApplicationImport => "application.import",
            AuditAction::AssessmentRecord => "assessment.record",
            AuditAction::AuditExport => "audit.export",
            AuditAction::AuditVerify => "audit.verify",
            AuditAction::DecisionRecord => "decision.record",
            AuditAction::ExchangeAcknowledge => "exchange.acknowledge",
            AuditAction::ExchangePartner => "exchange.partner",
            AuditAction::ExchangePrepare => "exchange.prepare",
            AuditAction::ExchangeReceive => "exchange.receive",
            AuditAction::ExchangeSend => "exchange.send",
            AuditAction::ImportExpired => "import.expired",
            AuditAction::ImportHeld => "import.held",
            AuditAction::ImportUploadTaken => "import.upload_taken",
            AuditAction::LegalHoldLift => "legal_hold.lift",
            AuditAction::LegalHoldPlace => "legal_hold.place",
            AuditAction::LoginThrottled => "login.throttled",
            AuditAction::MatchConfirm => "match.confirm",
            AuditAction::MatchReject => "match.reject",
            AuditAction::OfficeSave => "office.save",
            AuditAction::OutreachRecord => "outreach.record",
            AuditAction::PartnerImport => "partner.import",
            AuditAction::PersonProtect => "person.protect",
            AuditAction::PersonUnprotect => "person.unprotect",
            AuditAction::PersonView => "person.view",
            AuditAction::PersonalDataBulkRead => "personal_data.bulk_read",
            AuditAction::PersonalDataRead => "personal_data.read",
            AuditAction::ProtectedPersonRead => "protected_person.read",
            AuditAction::ReferralCreate => "referral.create",
            AuditAction::ReferralStatus => "referral.status",
            AuditAction::RegisterBackup => "register.backup",
            AuditAction::RegisterRestore => "register.restore",
            AuditAction::RetentionAnonymise => "retention.anonymise",
            AuditAction::RetentionDelete => "retention.delete",
            AuditAction::ReviewRequest => "review.request",
            AuditAction::ReviewResolve => "review.resolve",
            AuditAction::RuleSetActivate => "rule_set.activate",
            AuditAction::RuleSetDraft => "rule_set.draft",
            AuditAction::RuleSetPublish => "rule_set.publish",
            AuditAction::SubjectReport => "subject.report",
            AuditAction::TimporaRecord => "timpora.record",
            AuditAction::TokenAdd => "token.add",
            AuditAction::TokenRevoke => "token.revoke",
            AuditAction::UserAdd => "user.add",
            AuditAction::UserDisable => "user.disable",
            AuditAction::UserEnable => "user.enable",
            AuditAction::UserLock => "user.lock",
            AuditAction::UserLogin => "user.login",
            AuditAction::UserLoginFailed => "user.login_failed",
            AuditAction::UserLogout => "user.logout",
            AuditAction::UserPassword => "user.password",
            AuditAction::UserRole => "user.role",
            AuditAction::UserSessionExpired => "user.session_expired",
            AuditAction::UserUnlock => "user.unlock",
            AuditAction::VillageAssign => "village.assign",
            AuditAction::VillageDesignate => "village.designate",
            AuditAction::VillageEnd => "village.end",
            AuditAction::VillageUnassign => "village.unassign",
            AuditAction::VillageReportFile => "village_report.file",
            AuditAction::VillageReportRead => "village_report.read",
            AuditAction::VillageReportStatus => "village_report.status",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored action text that names no [`AuditAction`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit action {0:?}")]
pub struct UnknownAuditAction(pub String);

impl FromStr for AuditAction {
    type Err = UnknownAuditAction;

    /// The action whose stored text is exactly `text` (no trimming or case folding: the
    /// text is what the hash covers).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|action| action.as_str() == text)
            .ok_or_else(|| UnknownAuditAction(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Lists every variant through an exhaustive match, so a variant added to the enum but
    /// not to `ALL` fails to compile here (the match) or fails the length check below.
    fn in_all(action: AuditAction) -> bool {
        match action {
            AuditAction::ApplicationCreate
            | AuditAction::ApplicationImport
            | AuditAction::AssessmentRecord
            | AuditAction::AuditExport
            | AuditAction::AuditVerify
            | AuditAction::DecisionRecord
            | AuditAction::ExchangeAcknowledge
            | AuditAction::ExchangePartner
            | AuditAction::ExchangePrepare
            | AuditAction::ExchangeReceive
            | AuditAction::ExchangeSend
            | AuditAction::ImportExpired
            | AuditAction::ImportHeld
            | AuditAction::ImportUploadTaken
            | AuditAction::LegalHoldLift
            | AuditAction::LegalHoldPlace
            | AuditAction::LoginThrottled
            | AuditAction::MatchConfirm
            | AuditAction::MatchReject
            | AuditAction::OfficeSave
            | AuditAction::OutreachRecord
            | AuditAction::PartnerImport
            | AuditAction::PersonProtect
            | AuditAction::PersonUnprotect
            | AuditAction::PersonView
            | AuditAction::PersonalDataBulkRead
            | AuditAction::PersonalDataRead
            | AuditAction::ProtectedPersonRead
            | AuditAction::ReferralCreate
            | AuditAction::ReferralStatus
            | AuditAction::RegisterBackup
            | AuditAction::RegisterRestore
            | AuditAction::RetentionAnonymise
            | AuditAction::RetentionDelete
            | AuditAction::ReviewRequest
            | AuditAction::ReviewResolve
            | AuditAction::RuleSetActivate
            | AuditAction::RuleSetDraft
            | AuditAction::RuleSetPublish
            | AuditAction::SubjectReport
            | AuditAction::TimporaRecord
            | AuditAction::TokenAdd
            | AuditAction::TokenRevoke
            | AuditAction::UserAdd
            | AuditAction::UserDisable
            | AuditAction::UserEnable
            | AuditAction::UserLock
            | AuditAction::UserLogin
            | AuditAction::UserLoginFailed
            | AuditAction::UserLogout
            | AuditAction::UserPassword
            | AuditAction::UserRole
            | AuditAction::UserSessionExpired
            | AuditAction::UserUnlock
            | AuditAction::VillageAssign
            | AuditAction::VillageDesignate
            | AuditAction::VillageEnd
            | AuditAction::VillageUnassign
            | AuditAction::VillageReportFile
            | AuditAction::VillageReportRead
            | AuditAction::VillageReportStatus => AuditAction::ALL.contains(&action),
        }
    }

    #[test]
    fn every_action_round_trips_through_its_stored_text() {
        for &action in AuditAction::ALL {
            assert!(in_all(action));
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
            assert_eq!(action.to_string(), action.as_str());
        }
    }

    #[test]
    fn the_stored_texts_are_unique_and_every_variant_is_listed_once() {
        let texts: HashSet<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(texts.len(), AuditAction::ALL.len(), "two actions share a text");
        let variants: HashSet<AuditAction> = AuditAction::ALL.iter().copied().collect();
        assert_eq!(variants.len(), AuditAction::ALL.len(), "a variant is listed twice");
        // The number of variants (`match` above is exhaustive): a new variant must be added
        // to `ALL` and counted here.
        assert_eq!(AuditAction::ALL.len(), 61);
    }

    #[test]
    fn the_stored_texts_keep_their_entity_dot_verb_shape() {
        for &action in AuditAction::ALL {
            let text = action.as_str();
            let (entity, verb) = text.split_once('.').unwrap_or_else(|| panic!("{text}"));
            let word =
                |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            assert!(word(entity) && word(verb), "{text}");
        }
    }

    /// The stored texts themselves: the audit chain's hashes cover them, so changing one
    /// breaks the verification of every entry already written with it.
    #[test]
    fn the_stored_texts_are_the_ones_already_in_audit_logs() {
        let texts: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        let expected = "application.create application.import assessment.record audit.export audit.verify \
         decision.record exchange.acknowledge exchange.partner exchange.prepare \
         exchange.receive exchange.send import.expired import.held import.upload_taken \
         legal_hold.lift legal_hold.place login.throttled match.confirm match.reject \
         office.save outreach.record partner.import person.protect person.unprotect \
         person.view personal_data.bulk_read personal_data.read protected_person.read \
         referral.create referral.status register.backup register.restore \
         retention.anonymise retention.delete review.request review.resolve \
         rule_set.activate rule_set.draft rule_set.publish subject.report timpora.record \
         token.add token.revoke user.add user.disable user.enable user.lock user.login \
         user.login_failed user.logout user.password user.role user.session_expired \
         user.unlock village.assign village.designate village.end village.unassign \
         village_report.file village_report.read village_report.status";
        assert_eq!(texts.join(" "), expected);
    }

    #[test]
    fn unknown_or_altered_texts_are_refused() {
        for text in ["", "user", "User.login", " user.login", "user.login ", "application.delete"] {
            assert_eq!(text.parse::<AuditAction>(), Err(UnknownAuditAction(text.to_owned())));
        }
    }
}
