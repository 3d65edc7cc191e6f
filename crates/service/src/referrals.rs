//! Referrals to the cross-agency forum (issue 15 item 5) and protected persons (item 6).
//!
//! An officer refers a case (an application, or the person it belongs to) to BP3MI, Disnaker,
//! Polri (Unit PPA) or the local government with a purpose, a legal basis and a due date. What
//! each agency receives is a minimal set per agency (data minimisation, UU PDP Art. 16),
//! configured in `[referrals.fields]` ([`ReferralFields`], defaults [`DEFAULT_AGENCY_FIELDS`])
//! from the fields a letter can print ([`SHAREABLE_FIELDS`]): the form, the letter and the
//! partner JSON show only those fields. Supervisors see open referrals past their due date.
//!
//! A person recorded as a trafficking victim is marked protected by a supervisor (with a
//! reason, audited; lifting likewise). Searches and queues then show only that a protected
//! record exists; opening it needs `view_protected_person` (supervisors) and a stated purpose,
//! and every such read is audited.

use std::collections::HashSet;

use jejak_domain::{
    Agency, ApplicationKey, AuditAction, IdentifierField, NewApplication, NewReferral, OfficeCode,
    PersonId, Protection, Referral, ReferralEvent, ReferralStatus, ReferralSubject,
};
use jejak_store::{ReferralFilter, ReferralUpdate};
use time::{Date, Duration};

use crate::authz::{Action, Actor};
use crate::casework::Casework;
use crate::{Result, ServiceError};

/// Every field a referral can share, with its label (Indonesian, English): what the letter and
/// the partner JSON know how to print. A configured field set is checked against it.
pub const SHAREABLE_FIELDS: [(&str, &str, &str); 14] = [
    ("full_name", "Nama lengkap", "Full name"),
    ("nik", "NIK", "NIK"),
    ("birth_date", "Tanggal lahir", "Date of birth"),
    ("birth_place", "Tempat lahir", "Place of birth"),
    ("sex", "Jenis kelamin", "Sex"),
    ("address", "Alamat", "Address"),
    ("village_code", "Desa/kelurahan (kode)", "Village (code)"),
    ("phone", "Nomor telepon", "Phone number"),
    ("occupation", "Pekerjaan", "Occupation"),
    ("destination_country", "Negara tujuan", "Destination country"),
    ("sponsor_name", "Sponsor / perusahaan", "Sponsor / agency"),
    ("sponsor_phone", "Telepon sponsor", "Sponsor's phone"),
    ("cpmi_id", "ID CPMI", "CPMI id"),
    ("outcome", "Hasil permohonan paspor", "Passport application outcome"),
];

/// The fields each agency receives unless the configuration's `[referrals.fields]` says
/// otherwise, in letter order: the agreed minimal set per agency. BP3MI handles placement
/// and protection (identity, destination, agency, CPMI id, outcome); Disnaker the
/// recommendation and the job (domicile village, occupation); Polri's PPA unit investigates
/// trafficking and needs the contacts of the applicant and the sponsor; the local government
/// only whom to reach in which village. Mothers' and fathers' names, passport numbers and
/// free text are never shared (they are not among [`SHAREABLE_FIELDS`]).
pub const DEFAULT_AGENCY_FIELDS: [(Agency, &[&str]); 4] = [
    (
        Agency::Bp3mi,
        &[
            "full_name",
            "nik",
            "birth_date",
            "sex",
            "destination_country",
            "sponsor_name",
            "cpmi_id",
            "outcome",
        ],
    ),
    (
        Agency::Disnaker,
        &[
            "full_name",
            "nik",
            "birth_date",
            "village_code",
            "occupation",
            "destination_country",
            "cpmi_id",
        ],
    ),
    (
        Agency::PolriPpa,
        &[
            "full_name",
            "nik",
            "birth_date",
            "birth_place",
            "sex",
            "address",
            "phone",
            "destination_country",
            "sponsor_name",
            "sponsor_phone",
            "outcome",
        ],
    ),
    (Agency::Pemda, &["full_name", "nik", "village_code", "address"]),
];

/// The fields each agency receives, in letter order: [`DEFAULT_AGENCY_FIELDS`] with the
/// agencies the configuration names (`[referrals.fields]`) replaced by their configured set.
/// A referral records the fields it shared, so changing the configuration changes what new
/// referrals share, never what an earlier letter showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFields {
    /// One entry per agency, in [`Agency::ALL`] order.
    by_agency: Vec<(Agency, Vec<String>)>,
}

impl Default for ReferralFields {
    fn default() -> Self {
        let by_agency = DEFAULT_AGENCY_FIELDS
            .iter()
            .map(|(agency, fields)| (*agency, fields.iter().map(|f| (*f).to_owned()).collect()))
            .collect();
        ReferralFields { by_agency }
    }
}

impl ReferralFields {
    /// The defaults with each `(agency, fields)` of the configuration in place of the
    /// agency's default set. An unknown agency or field, an empty set or a field listed
    /// twice is refused with the setting named (`referrals.fields.<agency>`).
    pub fn configured<'a>(
        configured: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Result<ReferralFields> {
        let mut out = ReferralFields::default();
        for (name, fields) in configured {
            let setting = format!("referrals.fields.{name}");
            let agency = Agency::ALL.into_iter().find(|a| a.as_str() == name).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "{setting}: {name:?} is not an agency; the agencies are {}",
                    Agency::ALL.map(Agency::as_str).join(", ")
                ))
            })?;
            if fields.is_empty() {
                return Err(ServiceError::Invalid(format!(
                    "{setting}: list at least one field the agency receives"
                )));
            }
            for (i, field) in fields.iter().enumerate() {
                if !SHAREABLE_FIELDS.iter().any(|(known, ..)| known == field) {
                    return Err(ServiceError::Invalid(format!(
                        "{setting}: {field:?} is not a field a referral can share; the fields are {}",
                        SHAREABLE_FIELDS.map(|(f, ..)| f).join(", ")
                    )));
                }
                if fields[..i].contains(field) {
                    return Err(ServiceError::Invalid(format!(
                        "{setting}: {field:?} is listed twice"
                    )));
                }
            }
            if let Some((_, set)) = out.by_agency.iter_mut().find(|(a, _)| *a == agency) {
                *set = fields.to_vec();
            }
        }
        Ok(out)
    }

    /// The fields `agency` receives, in letter order.
    pub fn of(&self, agency: Agency) -> &[String] {
        self.by_agency.iter().find(|(a, _)| *a == agency).map_or(&[], |(_, f)| f.as_slice())
    }

    /// Each agency with its fields, in [`Agency::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Agency, &[String])> {
        self.by_agency.iter().map(|(a, f)| (*a, f.as_slice()))
    }
}

/// The legal basis a referral names unless the officer writes another.
pub const DEFAULT_LEGAL_BASIS: &str = "UU 27/2022 Pasal 20 (pelaksanaan tugas pelayanan publik); UU 18/2017 tentang Pelindungan PMI; UU 21/2007 tentang Pemberantasan TPPO; Nota Kesepahaman KemenP2MI–Kemenimipas 25 April 2025";

/// Days a referral is due in when no due date is given.
pub const DEFAULT_DUE_DAYS: i64 = 14;

/// The label a protected record shows in lists instead of a name.
pub const PROTECTED_LABEL: &str = "Catatan dilindungi";

/// A shared field's label (Indonesian, English).
pub fn field_label(field: &str) -> (&'static str, &'static str) {
    SHAREABLE_FIELDS
        .iter()
        .find(|(known, ..)| *known == field)
        .map_or(("Data", "Data"), |(_, id, en)| (*id, *en))
}

/// The value of a shared field of an application, as the letter prints it.
pub fn field_value(app: &NewApplication, field: &str) -> Option<String> {
    match field {
        "full_name" => Some(app.full_name.clone()),
        "nik" => app.nik_text().map(str::to_owned),
        "birth_date" => app.birth_date.map(jejak_domain::date::iso),
        "birth_place" => app.birth_place.clone(),
        "sex" => app.sex.map(|s| s.code().to_owned()),
        "address" => app.address.clone(),
        "village_code" => app.village_code.as_ref().map(|v| v.dotted()),
        "phone" => app.identifier_text(IdentifierField::Phone).map(str::to_owned),
        "occupation" => app.occupation.clone(),
        "destination_country" => app.destination_country.map(|c| c.as_str().to_owned()),
        "sponsor_name" => app.sponsor_name.clone(),
        "sponsor_phone" => app.identifier_text(IdentifierField::SponsorPhone).map(str::to_owned),
        "cpmi_id" => app.cpmi_id.clone(),
        "outcome" => Some(match &app.outcome_reason {
            Some(reason) => format!("{} ({reason})", app.outcome.indonesian()),
            None => app.outcome.indonesian().to_owned(),
        }),
        _ => None,
    }
}

/// What the officer fills in to refer a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralInput {
    /// The agency's name (`bp3mi`, `disnaker`, `polri_ppa`, `pemda`).
    pub agency: String,
    /// Refer the person (every application of theirs) rather than this application.
    pub person: bool,
    pub purpose: String,
    /// Empty: [`DEFAULT_LEGAL_BASIS`].
    pub legal_basis: String,
    /// `None`: [`DEFAULT_DUE_DAYS`] from today.
    pub due_on: Option<Date>,
    pub note: Option<String>,
    /// A subset of the agency's configured fields; `None`: all of them.
    pub fields: Option<Vec<String>>,
}

/// One shared field with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedField {
    pub field: String,
    pub value: Option<String>,
}

/// An application of a referred person, as the letter lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferredApplication {
    pub application_id: String,
    pub office: OfficeCode,
    pub applied_on: Date,
}

/// The application a referral form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralTarget {
    pub key: ApplicationKey,
    pub application_id: String,
    pub office: OfficeCode,
    pub person_id: PersonId,
    pub protected: bool,
}

/// A referral as its letter and the partner JSON show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralView {
    pub referral: Referral,
    pub history: Vec<ReferralEvent>,
    /// The referred application's number (`None` once retention removed it).
    pub application_id: Option<String>,
    /// Exactly the fields the referral shares, with their values.
    pub shared: Vec<SharedField>,
    /// For a person referral, the person's applications.
    pub applications: Vec<ReferredApplication>,
    pub overdue: bool,
    /// The subject is protected and the reader may not see it: values are withheld.
    pub withheld: bool,
    /// The reader may record the next step of the follow-up (the referral is open and of an
    /// office they refer for).
    pub may_follow_up: bool,
}

/// `app` reduced to what a list may show of a protected record: its number, office, date
/// and outcome; the name reads [`PROTECTED_LABEL`].
pub fn masked(app: &NewApplication) -> NewApplication {
    let mut out = NewApplication::new(
        &app.application_id,
        app.office_code.clone(),
        app.applied_on,
        PROTECTED_LABEL,
    );
    out.outcome = app.outcome;
    out
}

fn purpose_text<'a>(field: &str, text: &'a str) -> Result<&'a str> {
    let text = crate::text::checked_note(field, text)?;
    if text.chars().count() < 5 {
        return Err(ServiceError::Invalid(format!("{field}: state it in a few words")));
    }
    Ok(text)
}

impl Casework {
    /// Refers the application `key` (or its person) to a partner agency. The officer's own
    /// office's applications only; the fields are the agency's set or a subset of it.
    pub async fn refer(
        &self,
        actor: &Actor,
        key: ApplicationKey,
        input: &ReferralInput,
    ) -> Result<Referral> {
        actor.authorize(Action::MakeReferral, None)?;
        let app = self.store().get_application(key).await?;
        actor.authorize(Action::MakeReferral, Some(&app.data.office_code))?;
        let agency = Agency::parse(&input.agency).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "agency: {:?} is not one of bp3mi, disnaker, polri_ppa, pemda",
                input.agency
            ))
        })?;
        let purpose = purpose_text("purpose", &input.purpose)?.to_owned();
        let legal_basis = match input.legal_basis.trim() {
            "" => DEFAULT_LEGAL_BASIS.to_owned(),
            text => purpose_text("legal_basis", text)?.to_owned(),
        };
        let note = match &input.note {
            Some(n) => {
                Some(crate::text::checked_note("note", n)?.to_owned()).filter(|n| !n.is_empty())
            }
            None => None,
        };
        let configured = self.referral_fields()?;
        let allowed = configured.of(agency);
        let fields: Vec<String> = match &input.fields {
            None => allowed.to_vec(),
            Some(chosen) => {
                if let Some(extra) = chosen.iter().find(|f| !allowed.contains(f)) {
                    return Err(ServiceError::Invalid(format!(
                        "fields: {extra} is not shared with {}",
                        agency.short()
                    )));
                }
                // Letter order, whatever order they came in.
                allowed.iter().filter(|f| chosen.contains(f)).cloned().collect()
            }
        };
        if fields.is_empty() {
            return Err(ServiceError::Invalid("fields: choose at least one field".into()));
        }
        let today = self.clock().today();
        let due_on = input.due_on.unwrap_or(today + Duration::days(DEFAULT_DUE_DAYS));
        if due_on < today {
            return Err(ServiceError::Invalid("due_on: the due date is in the past".into()));
        }
        let subject = if input.person {
            let person_id = self.screening().person_of(key)?;
            ReferralSubject::Person { person_id, application: key }
        } else {
            ReferralSubject::Application(key)
        };
        let referral = NewReferral {
            office: app.data.office_code.clone(),
            subject,
            agency,
            purpose: purpose.clone(),
            legal_basis,
            fields,
            due_on: Some(due_on),
            note,
            created_by: actor.username.clone(),
            created_at: self.clock().timestamp(),
        };
        let ctx = actor.audit_ctx(self.clock().timestamp(), Some(purpose));
        Ok(self.store().create_referral(&referral, &ctx).await?)
    }

    /// The application to refer, when the actor may refer it (for the referral form).
    pub async fn referral_target(
        &self,
        actor: &Actor,
        key: ApplicationKey,
    ) -> Result<ReferralTarget> {
        actor.authorize(Action::MakeReferral, None)?;
        let app = self.store().get_application(key).await?;
        actor.authorize(Action::MakeReferral, Some(&app.data.office_code))?;
        let protected = !self.protected_among(&[key]).await?.is_empty();
        Ok(ReferralTarget {
            key,
            application_id: app.data.application_id,
            office: app.data.office_code,
            person_id: self.screening().person_of(key)?,
            protected,
        })
    }

    /// The referrals the actor may see: their office's (every office's for analysts),
    /// newest first.
    pub async fn referrals(&self, actor: &Actor) -> Result<Vec<Referral>> {
        actor.authorize(Action::ViewReferrals, Some(&actor.office))?;
        let filter = match crate::authz::permission(actor.role, Action::ViewReferrals) {
            Some(crate::authz::Scope::AllOffices) => ReferralFilter::All,
            _ => ReferralFilter::Office(actor.office.clone()),
        };
        Ok(self.store().referrals(&filter).await?)
    }

    /// The referrals made about one application (for its examination page).
    pub async fn referrals_of(&self, actor: &Actor, key: ApplicationKey) -> Result<Vec<Referral>> {
        actor.authorize(Action::ViewReferrals, None)?;
        let referrals = self.store().referrals(&ReferralFilter::Application(key)).await?;
        Ok(referrals
            .into_iter()
            .filter(|r| actor.may(Action::ViewReferrals, Some(&r.data.office)))
            .collect())
    }

    /// Open referrals past their due date, oldest due first (supervisors: their office;
    /// analysts: every office).
    pub async fn overdue_referrals(&self, actor: &Actor) -> Result<Vec<Referral>> {
        actor.authorize(Action::SuperviseReferrals, Some(&actor.office))?;
        let today = self.clock().today();
        let filter = match crate::authz::permission(actor.role, Action::SuperviseReferrals) {
            Some(crate::authz::Scope::AllOffices) => ReferralFilter::All,
            _ => ReferralFilter::Office(actor.office.clone()),
        };
        let mut overdue: Vec<Referral> = self
            .store()
            .referrals(&filter)
            .await?
            .into_iter()
            .filter(|r| r.is_overdue(today))
            .collect();
        overdue.sort_by_key(|r| (r.data.due_on, r.id));
        Ok(overdue)
    }

    /// One referral with its history and shared data (the letter, the partner JSON). The
    /// shared data is personal: the read is logged with its purpose.
    pub async fn referral(&self, actor: &Actor, id: i64) -> Result<ReferralView> {
        actor.authorize(Action::ViewReferrals, None)?;
        let referral = self
            .store()
            .referral(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("referral {id}")))?;
        actor.authorize(Action::ViewReferrals, Some(&referral.data.office))?;
        let history = self.store().referral_history(id).await?;
        let key = referral.data.subject.application();
        let app = match self.store().get_application(key).await {
            Ok(app) => Some(app),
            Err(jejak_store::StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let protected = !self.protected_among(&[key]).await?.is_empty();
        let withheld = protected && !actor.may(Action::ViewProtectedPerson, None);
        let shared = referral
            .data
            .fields
            .iter()
            .map(|field| SharedField {
                field: field.clone(),
                value: match (&app, withheld) {
                    (Some(app), false) => field_value(&app.data, field),
                    _ => None,
                },
            })
            .collect();
        let applications = match (&referral.data.subject, withheld) {
            (ReferralSubject::Person { person_id, .. }, false) => {
                self.person_applications(*person_id).await?
            }
            _ => Vec::new(),
        };
        let purpose = format!("melihat rujukan {}", referral.letter_no);
        let details =
            if protected { "referral letter (protected person)" } else { "referral letter" };
        self.store()
            .append_audit(
                &actor.audit_ctx(self.clock().timestamp(), Some(purpose)),
                AuditAction::PersonalDataRead,
                "referral",
                Some(&id.to_string()),
                details,
            )
            .await?;
        let overdue = referral.is_overdue(self.clock().today());
        let may_follow_up = referral.status.is_open()
            && actor.may(Action::MakeReferral, Some(&referral.data.office));
        Ok(ReferralView {
            application_id: app.map(|a| a.data.application_id),
            referral,
            history,
            shared,
            applications,
            overdue,
            withheld,
            may_follow_up,
        })
    }

    async fn person_applications(&self, person_id: PersonId) -> Result<Vec<ReferredApplication>> {
        let keys: Vec<ApplicationKey> = self.screening().with_mirror(|mirror, _| {
            mirror.person_members(person_id).map(<[ApplicationKey]>::to_vec).unwrap_or_default()
        })?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Ok(app) = self.store().get_application(key).await {
                out.push(ReferredApplication {
                    application_id: app.data.application_id,
                    office: app.data.office_code,
                    applied_on: app.data.applied_on,
                });
            }
        }
        Ok(out)
    }

    /// Records a step of a referral's follow-up: a new status with a note and, when given,
    /// a new due date. Declined and closed referrals are final.
    pub async fn update_referral(
        &self,
        actor: &Actor,
        id: i64,
        status: &str,
        note: Option<&str>,
        due_on: Option<Date>,
    ) -> Result<Referral> {
        actor.authorize(Action::MakeReferral, None)?;
        let status = ReferralStatus::parse(status).ok_or_else(|| {
            ServiceError::Invalid(format!("status: {status:?} is not a referral status"))
        })?;
        let referral = self
            .store()
            .referral(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("referral {id}")))?;
        actor.authorize(Action::MakeReferral, Some(&referral.data.office))?;
        if status == ReferralStatus::Sent {
            return Err(ServiceError::Invalid("status: a referral is sent only once".into()));
        }
        let note = match note {
            Some(n) => {
                Some(crate::text::checked_note("note", n)?.to_owned()).filter(|n| !n.is_empty())
            }
            None => None,
        };
        if matches!(status, ReferralStatus::Declined | ReferralStatus::Closed) && note.is_none() {
            return Err(ServiceError::Invalid(format!(
                "note: say why the referral is {}",
                status.label_en().to_lowercase()
            )));
        }
        if let Some(d) = due_on
            && d < self.clock().today()
        {
            return Err(ServiceError::Invalid("due_on: the due date is in the past".into()));
        }
        let update = ReferralUpdate {
            referral_id: id,
            status,
            note,
            due_on,
            by: actor.username.clone(),
            at: self.clock().timestamp(),
        };
        let ctx = actor.audit_ctx(self.clock().timestamp(), None);
        Ok(self.store().update_referral(&update, &ctx).await?)
    }
}

impl Casework {
    /// The keys among `keys` whose person is protected (empty when no protection is in
    /// force, without touching the register).
    pub async fn protected_among(
        &self,
        keys: &[ApplicationKey],
    ) -> Result<HashSet<ApplicationKey>> {
        let protections = self.store().protections(true).await?;
        if protections.is_empty() || keys.is_empty() {
            return Ok(HashSet::new());
        }
        self.screening().with_mirror(|mirror, _| {
            let persons: HashSet<ApplicationKey> =
                protections.iter().map(|p| mirror.person_key(p.application)).collect();
            let anchors: HashSet<ApplicationKey> =
                protections.iter().map(|p| p.application).collect();
            keys.iter()
                .copied()
                .filter(|k| anchors.contains(k) || persons.contains(&mirror.person_key(*k)))
                .collect()
        })
    }

    /// The protection in force over the person of `key`, if any (any officer who may
    /// examine applications may know that a record is protected).
    pub async fn protection_of(
        &self,
        actor: &Actor,
        key: ApplicationKey,
    ) -> Result<Option<Protection>> {
        actor.authorize(Action::ViewPerson, None)?;
        let protections = self.store().protections(true).await?;
        if protections.is_empty() {
            return Ok(None);
        }
        self.screening().with_mirror(|mirror, _| {
            let person = mirror.person_key(key);
            protections
                .into_iter()
                .find(|p| p.application == key || mirror.person_key(p.application) == person)
        })
    }

    /// Marks the person of `key` protected (a recorded trafficking victim), with a reason.
    pub async fn protect_person(
        &self,
        actor: &Actor,
        key: ApplicationKey,
        reason: &str,
    ) -> Result<Protection> {
        actor.authorize(Action::ProtectPerson, None)?;
        let app = self.store().get_application(key).await?;
        actor.authorize(Action::ProtectPerson, Some(&app.data.office_code))?;
        let reason = purpose_text("reason", reason)?;
        if let Some(existing) = self.protection_of(actor, key).await? {
            return Err(ServiceError::Conflict(format!(
                "this person is already protected (since {}, by {})",
                existing.marked_at, existing.marked_by
            )));
        }
        let ctx = actor.audit_ctx(self.clock().timestamp(), Some(reason.to_owned()));
        Ok(self.store().protect_person(key, reason, &ctx).await?)
    }

    /// Lifts the protection over the person of `key`, with a reason.
    pub async fn lift_protection(
        &self,
        actor: &Actor,
        key: ApplicationKey,
        reason: &str,
    ) -> Result<Protection> {
        actor.authorize(Action::ProtectPerson, None)?;
        let reason = purpose_text("reason", reason)?;
        let protection = self.protection_of(actor, key).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("no protection over application {key}"))
        })?;
        let ctx = actor.audit_ctx(self.clock().timestamp(), Some(reason.to_owned()));
        Ok(self.store().lift_protection(protection.application, reason, &ctx).await?)
    }

    /// Refuses a protected record to an actor who may not open one, and asks a supervisor
    /// for a purpose; logs the read of a protected record with it.
    pub(crate) async fn check_protected_read(
        &self,
        actor: &Actor,
        keys: &[ApplicationKey],
        purpose: Option<&str>,
        entity: &str,
        entity_id: &str,
    ) -> Result<bool> {
        if self.protected_among(keys).await?.is_empty() {
            return Ok(false);
        }
        if !actor.may(Action::ViewProtectedPerson, None) {
            return Err(ServiceError::Forbidden(format!(
                "{PROTECTED_LABEL}: only a supervisor may open it, with a stated purpose"
            )));
        }
        let purpose = purpose_text("purpose", purpose.unwrap_or_default()).map_err(|_| {
            ServiceError::Invalid(
                "purpose: this record is protected; state the purpose of opening it".into(),
            )
        })?;
        self.store()
            .append_audit(
                &actor.audit_ctx(self.clock().timestamp(), Some(purpose.to_owned())),
                AuditAction::ProtectedPersonRead,
                entity,
                Some(entity_id),
                "protected record opened",
            )
            .await?;
        Ok(true)
    }

    /// Hides protected candidates' values from an actor who may not open protected records
    /// (the evidence shows the stored side of each comparison).
    pub(crate) async fn mask_candidates(
        &self,
        actor: &Actor,
        report: &mut crate::assess::AssessmentReport,
    ) -> Result<()> {
        if actor.may(Action::ViewProtectedPerson, None) || report.candidates.is_empty() {
            return Ok(());
        }
        let keys: Vec<ApplicationKey> = report.candidates.iter().map(|c| c.key).collect();
        let protected = self.protected_among(&keys).await?;
        for candidate in report.candidates.iter_mut().filter(|c| protected.contains(&c.key)) {
            for evidence in &mut candidate.evidence {
                evidence.right = PROTECTED_LABEL.to_owned();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn strings(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn every_default_field_is_one_the_letter_can_print() {
        for (agency, fields) in ReferralFields::default().iter() {
            for field in fields {
                assert_ne!(field_label(field), ("Data", "Data"), "{agency}: {field}");
            }
        }
        assert_eq!(ReferralFields::configured([]).unwrap(), ReferralFields::default());
    }

    #[test]
    fn a_configured_agency_gets_its_set_in_its_order_and_the_others_keep_theirs() {
        let pemda = strings(&["village_code", "full_name"]);
        let fields = ReferralFields::configured([("pemda", pemda.as_slice())]).unwrap();
        assert_eq!(fields.of(Agency::Pemda), pemda.as_slice());
        assert_eq!(fields.of(Agency::Bp3mi), ReferralFields::default().of(Agency::Bp3mi));
    }

    #[test]
    fn a_bad_field_set_is_refused_naming_the_setting() {
        let refused = |agency: &str, fields: &[&str]| {
            let fields = strings(fields);
            ReferralFields::configured([(agency, fields.as_slice())]).unwrap_err().to_string()
        };
        let err = refused("bp3mi", &["full_name", "mother_name"]);
        assert!(err.contains("referrals.fields.bp3mi") && err.contains("mother_name"), "{err}");
        let err = refused("polri", &["full_name"]);
        assert!(err.contains("referrals.fields.polri") && err.contains("polri_ppa"), "{err}");
        let err = refused("pemda", &[]);
        assert!(err.contains("referrals.fields.pemda"), "{err}");
        let err = refused("disnaker", &["nik", "nik"]);
        assert!(err.contains("referrals.fields.disnaker") && err.contains("twice"), "{err}");
    }
}
