//! Text input of the village pages (designation, assignment, outreach log, Timpora
//! operations): read by the service after the permission check, so a refused user learns
//! nothing from a validation message, and every error names its field (`field: message`).

use jejak_domain::date::parse_date;
use jejak_domain::{NewOperation, NewOutreach, NewVillage, OfficeCode, RegionCode};
use serde::Deserialize;
use time::Date;

use crate::authz::{Action, Actor};
use crate::text::checked_note;
use crate::villages::Villages;
use crate::{Result, ServiceError};

/// Designating a village: `partners` holds entries separated by `;` or lines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DesignationInput {
    pub code: String,
    pub office: String,
    pub on: String,
    pub decree: String,
    pub partners: String,
}

/// Assigning a PIMPASA (`from` empty: today), or ending an assignment (`until`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssignmentInput {
    pub code: String,
    pub user: String,
    pub from: String,
    pub until: String,
}

/// Ending a designation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EndDesignationInput {
    pub code: String,
    pub on: String,
}

/// An outreach (sosialisasi) session as typed on a phone; lists separated by `;` or lines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OutreachInput {
    pub held_on: String,
    pub village: String,
    pub venue: String,
    pub kind: String,
    pub attendees_female: String,
    pub attendees_male: String,
    pub topics: String,
    pub partners: String,
    pub notes: String,
}

/// A Timpora operation: `violations` as `kind=count` entries, `report_ids` the village
/// reports that prompted it; lists separated by `;`, commas or lines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OperationInput {
    pub held_on: String,
    pub area: String,
    pub lead_office: String,
    pub agencies: String,
    pub foreigners_checked: String,
    pub violations: String,
    pub persons_secured: String,
    pub pmi_np_stopped: String,
    pub report_ids: String,
    pub notes: String,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

fn date(field: &str, text: &str) -> Result<Date> {
    parse_date(text.trim()).map_err(|e| invalid(field, format!("{e} (value {:?})", text.trim())))
}

fn optional_date(field: &str, text: &str) -> Result<Option<Date>> {
    if text.trim().is_empty() { Ok(None) } else { date(field, text).map(Some) }
}

fn village(field: &str, text: &str) -> Result<RegionCode> {
    RegionCode::parse_village(text.trim()).map_err(|e| {
        invalid(field, format!("{e} (a Kemendagri village code such as 18.09.01.2004)"))
    })
}

fn office(field: &str, text: &str) -> Result<OfficeCode> {
    OfficeCode::parse(text.trim()).map_err(|e| invalid(field, e))
}

fn count(field: &str, text: &str) -> Result<u32> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<u32>().map_err(|_| invalid(field, format!("must be a whole number (value {t:?})")))
}

/// Entries of a list field; each checked as a one-line text of at most 200 characters.
fn list(field: &str, text: &str, separators: &[char]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in text.split(|c: char| c == '\n' || separators.contains(&c)) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        jejak_domain::text::check_text(entry, 200, false)
            .map_err(|problem| invalid(field, format!("{entry:?} {problem}")))?;
        out.push(entry.to_owned());
    }
    Ok(out)
}

fn note(field: &str, text: &str) -> Result<Option<String>> {
    let n = checked_note(field, text)?;
    Ok((!n.is_empty()).then(|| n.to_owned()))
}

impl DesignationInput {
    fn parse(&self) -> Result<NewVillage> {
        Ok(NewVillage {
            code: village("code", &self.code)?,
            office: office("office", &self.office)?,
            designated_on: date("on", &self.on)?,
            decree: note("decree", &self.decree)?,
            ends_on: None,
            partners: list("partners", &self.partners, &[';'])?,
        })
    }
}

impl OutreachInput {
    fn parse(&self) -> Result<NewOutreach> {
        let kind = self.kind.trim();
        if kind.is_empty() {
            return Err(invalid("kind", "is required"));
        }
        jejak_domain::text::check_text(kind, 100, false).map_err(|p| invalid("kind", p))?;
        Ok(NewOutreach {
            held_on: date("held_on", &self.held_on)?,
            village: village("village", &self.village)?,
            venue: note("venue", &self.venue)?,
            kind: kind.to_owned(),
            attendees_female: count("attendees_female", &self.attendees_female)?,
            attendees_male: count("attendees_male", &self.attendees_male)?,
            topics: list("topics", &self.topics, &[';'])?,
            partners: list("partners", &self.partners, &[';'])?,
            notes: note("notes", &self.notes)?,
            recorded_by: String::new(),
        })
    }
}

impl OperationInput {
    fn parse(&self) -> Result<NewOperation> {
        let area = RegionCode::parse(self.area.trim())
            .map_err(|e| invalid("area", format!("{e} (a Kemendagri region code)")))?;
        let mut violations = Vec::new();
        for entry in list("violations", &self.violations, &[';', ','])? {
            let (kind, n) = match entry.split_once('=') {
                Some((kind, n)) => (kind.trim(), count("violations", n)?),
                None => (entry.as_str(), 1),
            };
            if kind.is_empty() {
                return Err(invalid("violations", format!("{entry:?}: write KIND=COUNT")));
            }
            violations.push((kind.to_owned(), n));
        }
        Ok(NewOperation {
            held_on: date("held_on", &self.held_on)?,
            area,
            lead_office: office("lead_office", &self.lead_office)?,
            agencies: list("agencies", &self.agencies, &[';', ','])?,
            foreigners_checked: count("foreigners_checked", &self.foreigners_checked)?,
            violations,
            persons_secured: count("persons_secured", &self.persons_secured)?,
            pmi_np_stopped: count("pmi_np_stopped", &self.pmi_np_stopped)?,
            report_ids: list("report_ids", &self.report_ids, &[';', ',', ' '])?,
            notes: note("notes", &self.notes)?,
            recorded_by: String::new(),
        })
    }
}

impl Villages {
    /// Designates a village from a page's input (permission `manage_villages`).
    pub async fn designate_input(
        &self,
        actor: &Actor,
        input: &DesignationInput,
    ) -> Result<jejak_domain::Village> {
        actor.authorize(Action::ManageVillages, None)?;
        self.designate(actor, input.parse()?).await
    }

    /// Assigns a PIMPASA from a page's input (`from` empty: today).
    pub async fn assign_input(
        &self,
        actor: &Actor,
        input: &AssignmentInput,
    ) -> Result<jejak_domain::Assignment> {
        actor.authorize(Action::ManageVillages, None)?;
        let code = village("code", &input.code)?;
        let from = optional_date("from", &input.from)?.unwrap_or_else(|| self.today());
        self.assign(actor, &code, input.user.trim(), from).await
    }

    /// Ends an assignment from a page's input (`until` empty: today).
    pub async fn end_assignment_input(
        &self,
        actor: &Actor,
        input: &AssignmentInput,
    ) -> Result<Vec<jejak_domain::Assignment>> {
        actor.authorize(Action::ManageVillages, None)?;
        let code = village("code", &input.code)?;
        let until = optional_date("until", &input.until)?.unwrap_or_else(|| self.today());
        self.end_assignment(actor, &code, input.user.trim(), until).await
    }

    /// Ends a designation from a page's input (`on` empty: today).
    pub async fn end_designation_input(
        &self,
        actor: &Actor,
        input: &EndDesignationInput,
    ) -> Result<jejak_domain::Village> {
        actor.authorize(Action::ManageVillages, None)?;
        let code = village("code", &input.code)?;
        let on = optional_date("on", &input.on)?.unwrap_or_else(|| self.today());
        self.end_designation(actor, &code, on).await
    }

    /// Records an outreach session from a page's input (a PIMPASA for their villages).
    pub async fn record_outreach_input(
        &self,
        actor: &Actor,
        input: &OutreachInput,
    ) -> Result<jejak_domain::Outreach> {
        self.check_any_village_role(actor).await?;
        self.record_outreach(actor, input.parse()?).await
    }

    /// Records a Timpora operation from a page's input.
    pub async fn record_operation_input(
        &self,
        actor: &Actor,
        input: &OperationInput,
    ) -> Result<jejak_domain::Operation> {
        actor.authorize(Action::ManageVillages, None)?;
        self.record_operation(actor, input.parse()?).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    #[test]
    fn operation_input_reads_violations_and_lists() {
        let input = OperationInput {
            held_on: "2026-10-20".into(),
            area: "18.07.05".into(),
            lead_office: "KLA".into(),
            agencies: "Polres Lampung Timur; Disnaker".into(),
            foreigners_checked: "12".into(),
            violations: "overstay=2, izin tinggal=1".into(),
            persons_secured: "".into(),
            pmi_np_stopped: "3".into(),
            report_ids: "demo-0001 demo-0010".into(),
            notes: "".into(),
        };
        let op = input.parse().unwrap();
        assert_eq!(op.violations, [("overstay".to_owned(), 2), ("izin tinggal".to_owned(), 1)]);
        assert_eq!(op.agencies.len(), 2);
        assert_eq!(op.persons_secured, 0);
        assert_eq!(op.report_ids, ["demo-0001", "demo-0010"]);
        let bad = OperationInput { foreigners_checked: "banyak".into(), ..input };
        assert!(bad.parse().unwrap_err().to_string().contains("foreigners_checked"));
    }

    #[test]
    fn outreach_input_names_the_bad_field() {
        let input = OutreachInput {
            held_on: "2026-10-20".into(),
            village: "18.07.05.2001".into(),
            kind: "sekolah".into(),
            attendees_female: "31".into(),
            attendees_male: "x".into(),
            ..OutreachInput::default()
        };
        assert!(input.parse().unwrap_err().to_string().contains("attendees_male"));
        let missing = OutreachInput { kind: " ".into(), ..input };
        assert!(missing.parse().unwrap_err().to_string().contains("kind"));
    }
}
