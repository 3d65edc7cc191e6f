//! The data subject's access report (UU PDP Art. 5-7, DOMAIN.md §8): everything the register
//! holds on the person with a NIK. That is the applications carrying the NIK, the applications
//! the identity engine joins to the same person or finds holding a mistyped copy of the NIK
//! (when a `Screening` is given), their decision
//! histories, the legal holds on them and the audit events about them. Producing the report
//! is itself audited.

use std::collections::{BTreeMap, BTreeSet};

use jejak_domain::date::iso;
use jejak_domain::{ApplicationKey, AuditAction, Decision, NewApplication, Nik, PersonId};
use jejak_interchange::Column;
use jejak_store::{AuditCtx, AuditEvent, LegalHold, Store};
use serde::Serialize;

use crate::Result;
use crate::mirror::SCREEN_LIMIT;
use crate::screening::Screening;

/// Why an application is in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// It carries the NIK.
    Nik,
    /// The identity engine joins it to the same person as an application with the NIK, or
    /// finds its NIK, kept as written because it is not valid, a mistyped copy of the NIK.
    IdentityEngine,
}

/// One application held on the person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectApplication {
    pub key: ApplicationKey,
    pub found_by: Found,
    /// The person id the identity engine gives it (when screening was available).
    pub person_id: Option<PersonId>,
    pub version: i64,
    /// The fields held, by interchange column name (fields not held are left out).
    pub application: BTreeMap<&'static str, String>,
    /// `false` when the NIK held is not valid and kept exactly as written.
    pub nik_valid: bool,
    pub decisions: Vec<DecisionView>,
}

/// A decision as shown to the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionView {
    pub kind: &'static str,
    pub decided_on: String,
    pub deferral_until: Option<String>,
    pub reason_codes: Vec<String>,
    pub reason_text: Option<String>,
    pub officer: Option<String>,
}

impl From<Decision> for DecisionView {
    fn from(d: Decision) -> Self {
        Self {
            kind: d.data.kind.as_str(),
            decided_on: iso(d.data.decided_on),
            deferral_until: d.data.deferral_until.map(iso),
            reason_codes: d.data.reason_codes,
            reason_text: d.data.reason_text,
            officer: d.data.officer,
        }
    }
}

fn fields(app: &NewApplication) -> BTreeMap<&'static str, String> {
    Column::ALL
        .iter()
        .zip(jejak_interchange::cells(app))
        .filter(|(_, value)| !value.is_empty())
        .map(|(column, value)| (column.canonical(), value))
        .collect()
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectReport {
    pub nik: String,
    pub generated_at: String,
    pub generated_by: String,
    pub applications: Vec<SubjectApplication>,
    pub legal_holds: Vec<LegalHold>,
    pub audit_events: Vec<AuditEventView>,
    /// What the report cannot show, in words.
    pub notes: Vec<String>,
}

/// An audit event as shown to the subject (without the chain hashes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEventView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub office_code: Option<String>,
    pub purpose: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub details: String,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            office_code: e.office_code,
            purpose: e.purpose,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            details: e.details,
        }
    }
}

/// Builds the report for `nik` and records it in the audit log.
pub async fn report(
    store: &dyn Store,
    screening: Option<&Screening>,
    nik: &Nik,
    ctx: &AuditCtx,
) -> Result<SubjectReport> {
    let direct = store.applications_with_nik(nik).await?;
    let direct_keys: BTreeSet<ApplicationKey> = direct.iter().map(|a| a.key).collect();
    let mut linked: BTreeSet<ApplicationKey> = BTreeSet::new();
    let mut persons = std::collections::HashMap::new();
    if let Some(screening) = screening {
        screening.with_mirror(|mirror, _| -> Result<()> {
            for app in &direct {
                let person = mirror.person_id(app.key);
                for c in mirror.screen(&app.data, SCREEN_LIMIT, None)? {
                    if c.person_id == person {
                        persons.insert(c.key, c.person_id);
                        if !direct_keys.contains(&c.key) {
                            linked.insert(c.key);
                        }
                    }
                }
                persons.insert(app.key, person);
            }
            for key in mirror.near_invalid_niks(nik.as_str()) {
                persons.insert(key, mirror.person_id(key));
                linked.insert(key);
            }
            Ok(())
        })??;
    }
    let mut applications = Vec::new();
    let mut all = Vec::new();
    for app in direct {
        all.push((app, Found::Nik));
    }
    for key in &linked {
        all.push((store.get_application(*key).await?, Found::IdentityEngine));
    }
    for (app, found_by) in all {
        applications.push(SubjectApplication {
            key: app.key,
            found_by,
            person_id: persons.get(&app.key).copied(),
            version: app.version,
            decisions: store
                .decisions_of(app.key)
                .await?
                .into_iter()
                .map(DecisionView::from)
                .collect(),
            nik_valid: app.data.nik_valid(),
            application: fields(&app.data),
        });
    }
    let keys: Vec<ApplicationKey> = applications.iter().map(|a| a.key).collect();
    let legal_holds: Vec<LegalHold> = store
        .legal_holds(true)
        .await?
        .into_iter()
        .filter(|h| {
            h.nik.as_deref() == Some(nik.as_str())
                || h.application.is_some_and(|k| keys.contains(&k))
        })
        .collect();
    let app_ids: Vec<String> = keys.iter().map(ToString::to_string).collect();
    let hold_ids: Vec<String> = legal_holds.iter().map(|h| h.id.to_string()).collect();
    let mut events = store.audit_events_about("application", &app_ids).await?;
    events.extend(store.audit_events_about("legal_hold", &hold_ids).await?);
    events.sort_by_key(|e| e.seq);

    let mut notes = vec![
        "Bulk imports are audited once per file, not per application: an application's import is not listed among its audit events.".to_owned(),
    ];
    if screening.is_none() {
        notes.push(
            "The identity engine was not consulted: only applications carrying the NIK are listed."
                .to_owned(),
        );
    }
    let details = format!(
        "applications {}",
        if app_ids.is_empty() { "none".to_owned() } else { app_ids.join(",") }
    );
    store
        .append_audit(ctx, AuditAction::SubjectReport, "subject", Some(&nik.masked()), &details)
        .await?;
    Ok(SubjectReport {
        nik: nik.as_str().to_owned(),
        generated_at: ctx.at.clone(),
        generated_by: ctx.actor.clone(),
        applications,
        legal_holds,
        audit_events: events.into_iter().map(AuditEventView::from).collect(),
        notes,
    })
}
