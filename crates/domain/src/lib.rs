//! Domain types of the register: applications, decisions, offices, and the identifiers
//! (NIK, phone, passport number, region codes, countries) with their validation.
//! Pure: no I/O, no clock; "today" is always an argument.

pub mod application;
pub mod audit_action;
pub mod country;
pub mod date;
pub mod decision;
pub mod match_decision;
pub mod nik;
pub mod office;
pub mod partners;
pub mod passport;
pub mod person;
pub mod phone;
pub mod referral;
pub mod region;
pub mod review;
pub mod text;
pub mod village;

pub use application::{
    Application, ApplicationKey, IdentifierField, InvalidIdentifiers, NewApplication, Outcome,
    Purpose, Sex,
};
pub use audit_action::{AuditAction, UnknownAuditAction};
pub use country::CountryCode;
pub use decision::{Decision, DecisionKind, NewDecision};
pub use match_decision::{MatchDecision, MatchDecisionError, NewMatchDecision, Verdict};
pub use nik::{Nik, NikError, NikWarning};
pub use office::{Office, OfficeCode};
pub use partners::{
    CpmiRecord, CpmiStatus, DeportationKind, DeportationRecord, P3miLicence, PartnerKind,
    PartnerSnapshot,
};
pub use passport::PassportNo;
pub use person::{PersonId, PersonIdError};
pub use phone::Phone;
pub use referral::{
    Agency, NewReferral, Protection, Referral, ReferralEvent, ReferralStatus, ReferralSubject,
};
pub use region::{RegionCode, RegionLevel};
pub use review::{NewReviewRequest, ReviewRequest, ReviewStatus};
pub use village::{
    Assignment, NewOperation, NewOutreach, NewVillage, NewVillageReport, Operation, Outreach,
    ReportPerson, ReportStatus, ReportTopic, StatusChange, Village, VillageReport,
};
