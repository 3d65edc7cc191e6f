//! The village early-warning store (migration 0009): designated villages and PIMPASA
//! assignments with periods, village reports with their named persons, phones and recruiters
//! (the informant kept in `village_report_sources`, read only through `report_source`), the
//! follow-up history, the outreach log and Timpora operations. `village_impl!` implements
//! `VillageStore` for both backends next to `store_impl!`. Every write reserves a change
//! number and appends its audit event in the same transaction; filing a report whose id is
//! already stored changes nothing (client-generated ids make retries safe).

use std::collections::HashMap;

use async_trait::async_trait;
use jejak_domain::date::parse_date;
use jejak_domain::{
    Assignment, AuditAction, CountryCode, NewOperation, NewOutreach, NewVillage, NewVillageReport,
    Nik, OfficeCode, Operation, Outreach, Phone, RegionCode, ReportPerson, ReportStatus,
    ReportTopic, StatusChange, Village, VillageReport,
};

use crate::backend::{Dialect, SqlStore, query, query_scalar};
use crate::codec::{RowExt, corrupt, date, opt};
use crate::{AuditCtx, Result, StoreError};

pub(crate) const INSERT_VILLAGE: &str = "insert into villages (code, office_code, designated_on, decree, ends_on, partners, designated_by, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const SELECT_VILLAGE: &str = "select * from villages where code = $1";
pub(crate) const LIST_VILLAGES: &str = "select * from villages order by designated_on, code";
pub(crate) const INSERT_ASSIGNMENT: &str = "insert into village_assignments (id, village_code, username, from_on, until_on, change_seq) values ($1, $2, $3, $4, null, $5)";
pub(crate) const OPEN_ASSIGNMENT: &str = "select id from village_assignments where village_code = $1 and username = $2 and until_on is null";
pub(crate) const END_ASSIGNMENT: &str =
    "update village_assignments set until_on = $1, change_seq = $2 where id = $3";
pub(crate) const END_DESIGNATION: &str =
    "update villages set ends_on = $1, change_seq = $2 where code = $3";
pub(crate) const END_OPEN_ASSIGNMENTS: &str = "update village_assignments set until_on = $1, change_seq = $2 where village_code = $3 and until_on is null";
pub(crate) const LIST_ASSIGNMENTS: &str = "select * from village_assignments where ($1 is null or village_code = $1) and ($2 is null or username = $2) order by village_code, from_on, id";
pub(crate) const REPORT_EXISTS: &str = "select report_id from village_reports where report_id = $1";
pub(crate) const INSERT_REPORT: &str = "insert into village_reports (report_id, village_code, office_code, reported_on, topic, source_reliability, info_credibility, agency, destination_country, planned_departure_on, narrative, reported_by, status, filed_at, acknowledged_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'new', $13, null, $14)";
pub(crate) const INSERT_SOURCE: &str =
    "insert into village_report_sources (report_id, source) values ($1, $2)";
pub(crate) const SELECT_SOURCE: &str =
    "select source from village_report_sources where report_id = $1";
pub(crate) const INSERT_PERSON: &str = "insert into village_report_persons (report_id, position, name, birth_date, nik, relation) values ($1, $2, $3, $4, $5, $6)";
pub(crate) const INSERT_PHONE: &str =
    "insert into village_report_phones (report_id, position, phone) values ($1, $2, $3)";
pub(crate) const INSERT_RECRUITER: &str =
    "insert into village_report_recruiters (report_id, position, name) values ($1, $2, $3)";
pub(crate) const INSERT_STATUS: &str = "insert into village_report_status (id, report_id, status, note, by_user, at) values ($1, $2, $3, $4, $5, $6)";
pub(crate) const SELECT_REPORT: &str = "select * from village_reports where report_id = $1";
pub(crate) const UPDATE_STATUS: &str = "update village_reports set status = $1, acknowledged_at = coalesce(acknowledged_at, $2), change_seq = $3 where report_id = $4";
pub(crate) const STATUS_HISTORY: &str =
    "select * from village_report_status where report_id = $1 order by id";
pub(crate) const INSERT_OUTREACH: &str = "insert into outreach_sessions (id, held_on, village_code, venue, kind, attendees_female, attendees_male, topics, partners, notes, recorded_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(crate) const LIST_OUTREACH: &str = "select * from outreach_sessions where ($1 is null or village_code = $1) order by held_on desc, id desc";
pub(crate) const INSERT_OPERATION: &str = "insert into timpora_operations (id, held_on, area_code, lead_office, agencies, foreigners_checked, violations, persons_secured, pmi_np_stopped, notes, recorded_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(crate) const INSERT_OPERATION_REPORT: &str =
    "insert into timpora_operation_reports (operation_id, report_id) values ($1, $2)";
pub(crate) const LIST_OPERATIONS: &str =
    "select * from timpora_operations order by held_on desc, id desc";
pub(crate) const LIST_OPERATION_REPORTS: &str =
    "select * from timpora_operation_reports order by operation_id, report_id";

/// The rows of report children (persons, phones, recruiters) and reports that
/// `REPORTS_FILTER` selects.
pub(crate) const PERSONS_OF_FILTER: &str = "select * from village_report_persons where report_id in (select report_id from village_reports where change_seq > $1 and ($2 is null or office_code = $2) order by change_seq limit $3) order by report_id, position";
pub(crate) const PHONES_OF_FILTER: &str = "select * from village_report_phones where report_id in (select report_id from village_reports where change_seq > $1 and ($2 is null or office_code = $2) order by change_seq limit $3) order by report_id, position";
pub(crate) const RECRUITERS_OF_FILTER: &str = "select * from village_report_recruiters where report_id in (select report_id from village_reports where change_seq > $1 and ($2 is null or office_code = $2) order by change_seq limit $3) order by report_id, position";
pub(crate) const REPORTS_OF_FILTER: &str = "select * from village_reports where report_id in (select report_id from village_reports where change_seq > $1 and ($2 is null or office_code = $2) order by change_seq limit $3) order by change_seq";
pub(crate) const PERSONS_OF: &str =
    "select * from village_report_persons where report_id = $1 order by position";
pub(crate) const PHONES_OF: &str =
    "select * from village_report_phones where report_id = $1 order by position";
pub(crate) const RECRUITERS_OF: &str =
    "select * from village_report_recruiters where report_id = $1 order by position";

/// A report as filing left it: `created` is false when its id was already stored (the
/// stored report is returned unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledReport {
    pub report: VillageReport,
    pub created: bool,
}

/// A report to file with the office it is routed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutedReport {
    pub report: NewVillageReport,
    pub office: OfficeCode,
}

/// Storage of the village early-warning data.
#[async_trait]
pub trait VillageStore {
    /// Designates a village; a village already designated is a `Conflict`.
    async fn designate_village(&self, village: &NewVillage, ctx: &AuditCtx) -> Result<Village>;

    async fn village(&self, code: &RegionCode) -> Result<Option<Village>>;

    /// Designated villages, by designation date.
    async fn villages(&self) -> Result<Vec<Village>>;

    /// Assigns a PIMPASA to a village from `from_on`. An assignment of the same officer to
    /// the same village still running is a `Conflict`; an unknown village is `NotFound`.
    async fn assign_pimpasa(
        &self,
        village: &RegionCode,
        username: &str,
        from_on: time::Date,
        ctx: &AuditCtx,
    ) -> Result<Assignment>;

    /// Ends a running assignment on `until_on` (kept in the history).
    async fn end_assignment(
        &self,
        village: &RegionCode,
        username: &str,
        until_on: time::Date,
        ctx: &AuditCtx,
    ) -> Result<()>;

    /// Ends a designation on `ends_on` (the row is kept: evaluation needs to know when the
    /// village was designated) and ends its running assignments that day. A village not
    /// designated is `NotFound`; one already ended is a `Conflict`.
    async fn end_designation(
        &self,
        village: &RegionCode,
        ends_on: time::Date,
        ctx: &AuditCtx,
    ) -> Result<Village>;

    /// Assignments (running and ended), filtered by village and/or officer.
    async fn assignments(
        &self,
        village: Option<&RegionCode>,
        username: Option<&str>,
    ) -> Result<Vec<Assignment>>;

    /// Files reports in one transaction (all or nothing). A report id already stored is left
    /// as it is (`created: false`).
    async fn file_village_reports(
        &self,
        reports: &[RoutedReport],
        ctx: &AuditCtx,
    ) -> Result<Vec<FiledReport>>;

    async fn village_report(&self, report_id: &str) -> Result<Option<VillageReport>>;

    /// The informant of a report (the service lets only the reporter and supervisors read it).
    async fn report_source(&self, report_id: &str) -> Result<Option<String>>;

    /// Reports changed after `seq`, of `office` when given, in change order, at most `limit`
    /// (the open-report index follows this stream).
    async fn village_reports_since(
        &self,
        seq: i64,
        office: Option<&OfficeCode>,
        limit: u32,
    ) -> Result<Vec<VillageReport>>;

    /// Moves a report to `status` with a note, appending to its history. A closed report is
    /// final (`Conflict`). Acknowledging sets `acknowledged_at` once.
    async fn set_report_status(
        &self,
        change: &StatusChange,
        ctx: &AuditCtx,
    ) -> Result<VillageReport>;

    async fn report_history(&self, report_id: &str) -> Result<Vec<StatusChange>>;

    async fn record_outreach(&self, outreach: &NewOutreach, ctx: &AuditCtx) -> Result<Outreach>;

    /// Outreach sessions, newest first, of one village when given.
    async fn outreach(&self, village: Option<&RegionCode>) -> Result<Vec<Outreach>>;

    /// Records a Timpora operation with its findings; every linked report must exist.
    async fn record_operation(&self, op: &NewOperation, ctx: &AuditCtx) -> Result<Operation>;

    /// Operations, newest first.
    async fn operations(&self) -> Result<Vec<Operation>>;
}

/// Joins list values for a text column (`;` never occurs in the values: it is refused).
pub(crate) fn join_list(values: &[String]) -> Result<String> {
    if values.iter().any(|v| v.contains(';')) {
        return Err(StoreError::InvalidValue("a list entry may not contain ';'".into()));
    }
    Ok(values.iter().map(|v| v.trim()).collect::<Vec<_>>().join(";"))
}

pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(';').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

fn office(t: &'static str, c: &'static str, v: &str) -> Result<OfficeCode> {
    OfficeCode::parse(v).map_err(|e| corrupt(t, c, e))
}

fn region(t: &'static str, c: &'static str, v: &str) -> Result<RegionCode> {
    RegionCode::parse(v).map_err(|e| corrupt(t, c, e))
}

pub(crate) fn read_village(row: &impl RowExt) -> Result<Village> {
    const T: &str = "villages";
    Ok(Village {
        data: NewVillage {
            code: region(T, "code", &row.text("code")?)?,
            office: office(T, "office_code", &row.text("office_code")?)?,
            designated_on: date(T, "designated_on", &row.text("designated_on")?)?,
            decree: row.opt_text("decree")?,
            ends_on: opt(T, "ends_on", row.opt_text("ends_on")?, parse_date)?,
            partners: split_list(&row.text("partners")?),
        },
        designated_by: row.text("designated_by")?,
        change_seq: row.int("change_seq")?,
    })
}

pub(crate) fn read_assignment(row: &impl RowExt) -> Result<Assignment> {
    const T: &str = "village_assignments";
    Ok(Assignment {
        village: region(T, "village_code", &row.text("village_code")?)?,
        username: row.text("username")?,
        from_on: date(T, "from_on", &row.text("from_on")?)?,
        until_on: opt(T, "until_on", row.opt_text("until_on")?, parse_date)?,
    })
}

/// The children of reports, grouped by report id.
#[derive(Default)]
pub(crate) struct Children {
    pub persons: HashMap<String, Vec<ReportPerson>>,
    pub phones: HashMap<String, Vec<Phone>>,
    pub recruiters: HashMap<String, Vec<String>>,
}

impl Children {
    pub(crate) fn person(&mut self, row: &impl RowExt) -> Result<()> {
        const T: &str = "village_report_persons";
        let person = ReportPerson {
            name: row.text("name")?,
            birth_date: opt(T, "birth_date", row.opt_text("birth_date")?, parse_date)?,
            nik: opt(T, "nik", row.opt_text("nik")?, Nik::parse)?,
            relation: row.opt_text("relation")?,
        };
        self.persons.entry(row.text("report_id")?).or_default().push(person);
        Ok(())
    }

    pub(crate) fn phone(&mut self, row: &impl RowExt) -> Result<()> {
        let phone = Phone::parse(&row.text("phone")?)
            .map_err(|e| corrupt("village_report_phones", "phone", e))?;
        self.phones.entry(row.text("report_id")?).or_default().push(phone);
        Ok(())
    }

    pub(crate) fn recruiter(&mut self, row: &impl RowExt) -> Result<()> {
        self.recruiters.entry(row.text("report_id")?).or_default().push(row.text("name")?);
        Ok(())
    }

    /// The report of a `village_reports` row with its children.
    pub(crate) fn report(&mut self, row: &impl RowExt) -> Result<VillageReport> {
        const T: &str = "village_reports";
        let id = row.text("report_id")?;
        let topic = row.text("topic")?;
        let status = row.text("status")?;
        let credibility = row.int("info_credibility")?;
        Ok(VillageReport {
            data: NewVillageReport {
                village: region(T, "village_code", &row.text("village_code")?)?,
                reported_on: date(T, "reported_on", &row.text("reported_on")?)?,
                topic: ReportTopic::parse(&topic)
                    .ok_or_else(|| corrupt(T, "topic", format!("unknown topic {topic}")))?,
                source_reliability: row.text("source_reliability")?,
                info_credibility: u8::try_from(credibility)
                    .map_err(|e| corrupt(T, "info_credibility", e))?,
                persons: self.persons.remove(&id).unwrap_or_default(),
                phones: self.phones.remove(&id).unwrap_or_default(),
                recruiters: self.recruiters.remove(&id).unwrap_or_default(),
                agency: row.opt_text("agency")?,
                destination_country: opt(
                    T,
                    "destination_country",
                    row.opt_text("destination_country")?,
                    CountryCode::parse,
                )?,
                planned_departure_on: opt(
                    T,
                    "planned_departure_on",
                    row.opt_text("planned_departure_on")?,
                    parse_date,
                )?,
                narrative: row.text("narrative")?,
                source: None,
                reported_by: row.text("reported_by")?,
                report_id: id,
            },
            office: office(T, "office_code", &row.text("office_code")?)?,
            status: ReportStatus::parse(&status)
                .ok_or_else(|| corrupt(T, "status", format!("unknown status {status}")))?,
            filed_at: row.text("filed_at")?,
            acknowledged_at: row.opt_text("acknowledged_at")?,
            change_seq: row.int("change_seq")?,
        })
    }
}

pub(crate) fn read_status(row: &impl RowExt) -> Result<StatusChange> {
    let status = row.text("status")?;
    Ok(StatusChange {
        report_id: row.text("report_id")?,
        status: ReportStatus::parse(&status).ok_or_else(|| {
            corrupt("village_report_status", "status", format!("unknown status {status}"))
        })?,
        note: row.opt_text("note")?,
        by: row.text("by_user")?,
        at: row.text("at")?,
    })
}

fn count(t: &'static str, c: &'static str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|e| corrupt(t, c, e))
}

pub(crate) fn read_outreach(row: &impl RowExt) -> Result<Outreach> {
    const T: &str = "outreach_sessions";
    Ok(Outreach {
        id: row.int("id")?,
        data: NewOutreach {
            held_on: date(T, "held_on", &row.text("held_on")?)?,
            village: region(T, "village_code", &row.text("village_code")?)?,
            venue: row.opt_text("venue")?,
            kind: row.text("kind")?,
            attendees_female: count(T, "attendees_female", row.int("attendees_female")?)?,
            attendees_male: count(T, "attendees_male", row.int("attendees_male")?)?,
            topics: split_list(&row.text("topics")?),
            partners: split_list(&row.text("partners")?),
            notes: row.opt_text("notes")?,
            recorded_by: row.text("recorded_by")?,
        },
    })
}

/// Violations as stored: `kind=n;kind=n`.
pub(crate) fn join_violations(violations: &[(String, u32)]) -> Result<String> {
    if violations.iter().any(|(k, _)| k.contains([';', '='])) {
        return Err(StoreError::InvalidValue("a violation kind may not contain ';' or '='".into()));
    }
    Ok(violations.iter().map(|(k, n)| format!("{}={n}", k.trim())).collect::<Vec<_>>().join(";"))
}

pub(crate) fn read_operation(
    row: &impl RowExt,
    reports: &mut HashMap<i64, Vec<String>>,
) -> Result<Operation> {
    const T: &str = "timpora_operations";
    let id = row.int("id")?;
    let mut violations = Vec::new();
    for item in split_list(&row.text("violations")?) {
        let (kind, n) =
            item.split_once('=').ok_or_else(|| corrupt(T, "violations", "missing '='"))?;
        let n = n.parse::<u32>().map_err(|e| corrupt(T, "violations", e))?;
        violations.push((kind.to_owned(), n));
    }
    Ok(Operation {
        id,
        data: NewOperation {
            held_on: date(T, "held_on", &row.text("held_on")?)?,
            area: region(T, "area_code", &row.text("area_code")?)?,
            lead_office: office(T, "lead_office", &row.text("lead_office")?)?,
            agencies: split_list(&row.text("agencies")?),
            foreigners_checked: count(T, "foreigners_checked", row.int("foreigners_checked")?)?,
            violations,
            persons_secured: count(T, "persons_secured", row.int("persons_secured")?)?,
            pmi_np_stopped: count(T, "pmi_np_stopped", row.int("pmi_np_stopped")?)?,
            report_ids: reports.remove(&id).unwrap_or_default(),
            notes: row.opt_text("notes")?,
            recorded_by: row.text("recorded_by")?,
        },
    })
}

impl<B: Dialect> SqlStore<B> {
    async fn village_reports_where(
        &self,
        seq: i64,
        office: Option<String>,
        limit: i64,
    ) -> crate::Result<Vec<jejak_domain::VillageReport>> {
        use crate::villages::{
            Children, PERSONS_OF_FILTER, PHONES_OF_FILTER, RECRUITERS_OF_FILTER, REPORTS_OF_FILTER,
        };
        let mut children = Children::default();
        for (sql, kind) in
            [(PERSONS_OF_FILTER, 0), (PHONES_OF_FILTER, 1), (RECRUITERS_OF_FILTER, 2)]
        {
            let rows =
                query(sql).bind(seq).bind(office.clone()).bind(limit).fetch_all(self).await?;
            for row in &rows {
                match kind {
                    0 => children.person(row)?,
                    1 => children.phone(row)?,
                    _ => children.recruiter(row)?,
                }
            }
        }
        let rows =
            query(REPORTS_OF_FILTER).bind(seq).bind(office).bind(limit).fetch_all(self).await?;
        rows.iter().map(|row| children.report(row)).collect()
    }
}

#[async_trait]
impl<B: Dialect> crate::villages::VillageStore for SqlStore<B> {
    async fn designate_village(
        &self,
        village: &jejak_domain::NewVillage,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Village> {
        use jejak_domain::date::iso;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let code = village.code.dotted();
        let exists = query(crate::villages::SELECT_VILLAGE)
            .bind(village.code.as_str())
            .fetch_optional(&mut tx)
            .await?;
        if exists.is_some() {
            return Err(crate::StoreError::Conflict(format!(
                "village {code} is already designated"
            )));
        }
        query(crate::villages::INSERT_VILLAGE)
            .bind(village.code.as_str())
            .bind(village.office.as_str())
            .bind(iso(village.designated_on))
            .bind(village.decree.clone())
            .bind(village.ends_on.map(iso))
            .bind(crate::villages::join_list(&village.partners)?)
            .bind(&ctx.actor)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        let details = format!(
            "designated on {} for {}{}",
            iso(village.designated_on),
            village.office.as_str(),
            village.decree.as_deref().map(|d| format!(", SK {d}")).unwrap_or_default()
        );
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::VillageDesignate,
            "village",
            Some(&code),
            &details,
        )
        .await?;
        tx.commit().await?;
        crate::villages::VillageStore::village(self, &village.code)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("village {code}")))
    }

    async fn village(
        &self,
        code: &jejak_domain::RegionCode,
    ) -> crate::Result<Option<jejak_domain::Village>> {
        let row =
            query(crate::villages::SELECT_VILLAGE).bind(code.as_str()).fetch_optional(self).await?;
        row.as_ref().map(crate::villages::read_village).transpose()
    }

    async fn villages(&self) -> crate::Result<Vec<jejak_domain::Village>> {
        let rows = query(crate::villages::LIST_VILLAGES).fetch_all(self).await?;
        rows.iter().map(crate::villages::read_village).collect()
    }

    async fn assign_pimpasa(
        &self,
        village: &jejak_domain::RegionCode,
        username: &str,
        from_on: time::Date,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Assignment> {
        use jejak_domain::date::iso;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let code = village.dotted();
        if query(crate::villages::SELECT_VILLAGE)
            .bind(village.as_str())
            .fetch_optional(&mut tx)
            .await?
            .is_none()
        {
            return Err(crate::StoreError::NotFound(format!("village {code} is not designated")));
        }
        if query(crate::villages::OPEN_ASSIGNMENT)
            .bind(village.as_str())
            .bind(username)
            .fetch_optional(&mut tx)
            .await?
            .is_some()
        {
            return Err(crate::StoreError::Conflict(format!(
                "{username} is already assigned to village {code}"
            )));
        }
        query(crate::villages::INSERT_ASSIGNMENT)
            .bind(seq)
            .bind(village.as_str())
            .bind(username)
            .bind(iso(from_on))
            .bind(seq)
            .execute(&mut tx)
            .await?;
        let details = format!("{username} assigned from {}", iso(from_on));
        Self::audit_tx(&mut tx, ctx, AuditAction::VillageAssign, "village", Some(&code), &details)
            .await?;
        tx.commit().await?;
        Ok(jejak_domain::Assignment {
            village: village.clone(),
            username: username.to_owned(),
            from_on,
            until_on: None,
        })
    }

    async fn end_assignment(
        &self,
        village: &jejak_domain::RegionCode,
        username: &str,
        until_on: time::Date,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        use crate::codec::RowExt;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let code = village.dotted();
        let row = query(crate::villages::OPEN_ASSIGNMENT)
            .bind(village.as_str())
            .bind(username)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| {
                crate::StoreError::NotFound(format!(
                    "no running assignment of {username} to village {code}"
                ))
            })?;
        let id = row.int("id")?;
        query(crate::villages::END_ASSIGNMENT)
            .bind(jejak_domain::date::iso(until_on))
            .bind(seq)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let details = format!("{username} assignment ended {}", jejak_domain::date::iso(until_on));
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::VillageUnassign,
            "village",
            Some(&code),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn end_designation(
        &self,
        village: &jejak_domain::RegionCode,
        ends_on: time::Date,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Village> {
        use jejak_domain::date::iso;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let code = village.dotted();
        let row = query(crate::villages::SELECT_VILLAGE)
            .bind(village.as_str())
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| {
                crate::StoreError::NotFound(format!("village {code} is not designated"))
            })?;
        let stored = crate::villages::read_village(&row)?;
        if let Some(ended) = stored.data.ends_on {
            return Err(crate::StoreError::Conflict(format!(
                "the designation of village {code} already ends on {}",
                iso(ended)
            )));
        }
        if ends_on < stored.data.designated_on {
            return Err(crate::StoreError::InvalidValue(format!(
                "ends_on: {} is before the designation date {}",
                iso(ends_on),
                iso(stored.data.designated_on)
            )));
        }
        query(crate::villages::END_DESIGNATION)
            .bind(iso(ends_on))
            .bind(seq)
            .bind(village.as_str())
            .execute(&mut tx)
            .await?;
        query(crate::villages::END_OPEN_ASSIGNMENTS)
            .bind(iso(ends_on))
            .bind(seq)
            .bind(village.as_str())
            .execute(&mut tx)
            .await?;
        let details = format!("designation ended {} (running assignments ended)", iso(ends_on));
        Self::audit_tx(&mut tx, ctx, AuditAction::VillageEnd, "village", Some(&code), &details)
            .await?;
        tx.commit().await?;
        crate::villages::VillageStore::village(self, village)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("village {code}")))
    }

    async fn assignments(
        &self,
        village: Option<&jejak_domain::RegionCode>,
        username: Option<&str>,
    ) -> crate::Result<Vec<jejak_domain::Assignment>> {
        let rows = query(crate::villages::LIST_ASSIGNMENTS)
            .bind(village.map(|v| v.as_str().to_owned()))
            .bind(username.map(str::to_owned))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::villages::read_assignment).collect()
    }

    async fn file_village_reports(
        &self,
        reports: &[crate::villages::RoutedReport],
        ctx: &crate::AuditCtx,
    ) -> crate::Result<Vec<crate::villages::FiledReport>> {
        use jejak_domain::date::iso;
        let mut tx = self.begin_write().await?;
        let mut created = Vec::with_capacity(reports.len());
        for routed in reports {
            let r = &routed.report;
            let exists = query(crate::villages::REPORT_EXISTS)
                .bind(&r.report_id)
                .fetch_optional(&mut tx)
                .await?
                .is_some();
            if exists || created.iter().any(|(id, c): &(String, bool)| *c && *id == r.report_id) {
                created.push((r.report_id.clone(), false));
                continue;
            }
            let seq = Self::reserve(&mut tx, 2).await?;
            query(crate::villages::INSERT_REPORT)
                .bind(&r.report_id)
                .bind(r.village.as_str())
                .bind(routed.office.as_str())
                .bind(iso(r.reported_on))
                .bind(r.topic.as_str())
                .bind(&r.source_reliability)
                .bind(i64::from(r.info_credibility))
                .bind(r.agency.clone())
                .bind(r.destination_country.map(|c| c.as_str().to_owned()))
                .bind(r.planned_departure_on.map(iso))
                .bind(&r.narrative)
                .bind(&r.reported_by)
                .bind(&ctx.at)
                .bind(seq)
                .execute(&mut tx)
                .await?;
            if let Some(source) = r.source.as_deref().filter(|s| !s.trim().is_empty()) {
                query(crate::villages::INSERT_SOURCE)
                    .bind(&r.report_id)
                    .bind(source.trim())
                    .execute(&mut tx)
                    .await?;
            }
            for (i, p) in r.persons.iter().enumerate() {
                query(crate::villages::INSERT_PERSON)
                    .bind(&r.report_id)
                    .bind(i as i64)
                    .bind(p.name.trim())
                    .bind(p.birth_date.map(iso))
                    .bind(p.nik.as_ref().map(|n| n.as_str().to_owned()))
                    .bind(p.relation.clone())
                    .execute(&mut tx)
                    .await?;
            }
            for (i, phone) in r.phones.iter().enumerate() {
                query(crate::villages::INSERT_PHONE)
                    .bind(&r.report_id)
                    .bind(i as i64)
                    .bind(phone.as_str())
                    .execute(&mut tx)
                    .await?;
            }
            for (i, name) in r.recruiters.iter().enumerate() {
                query(crate::villages::INSERT_RECRUITER)
                    .bind(&r.report_id)
                    .bind(i as i64)
                    .bind(name.trim())
                    .execute(&mut tx)
                    .await?;
            }
            query(crate::villages::INSERT_STATUS)
                .bind(seq + 1)
                .bind(&r.report_id)
                .bind("new")
                .bind(None::<String>)
                .bind(&r.reported_by)
                .bind(&ctx.at)
                .execute(&mut tx)
                .await?;
            let details = format!(
                "village {} topic {} routed to {}",
                r.village.dotted(),
                r.topic.as_str(),
                routed.office.as_str()
            );
            Self::audit_tx(
                &mut tx,
                ctx,
                AuditAction::VillageReportFile,
                "village_report",
                Some(&r.report_id),
                &details,
            )
            .await?;
            created.push((r.report_id.clone(), true));
        }
        tx.commit().await?;
        let mut out = Vec::with_capacity(created.len());
        for (id, created) in created {
            let report = crate::villages::VillageStore::village_report(self, &id)
                .await?
                .ok_or_else(|| crate::StoreError::NotFound(format!("report {id}")))?;
            out.push(crate::villages::FiledReport { report, created });
        }
        Ok(out)
    }

    async fn village_report(
        &self,
        report_id: &str,
    ) -> crate::Result<Option<jejak_domain::VillageReport>> {
        let mut children = crate::villages::Children::default();
        for (sql, kind) in [
            (crate::villages::PERSONS_OF, 0),
            (crate::villages::PHONES_OF, 1),
            (crate::villages::RECRUITERS_OF, 2),
        ] {
            let rows = query(sql).bind(report_id).fetch_all(self).await?;
            for row in &rows {
                match kind {
                    0 => children.person(row)?,
                    1 => children.phone(row)?,
                    _ => children.recruiter(row)?,
                }
            }
        }
        let row =
            query(crate::villages::SELECT_REPORT).bind(report_id).fetch_optional(self).await?;
        row.as_ref().map(|r| children.report(r)).transpose()
    }

    async fn report_source(&self, report_id: &str) -> crate::Result<Option<String>> {
        Ok(query_scalar(crate::villages::SELECT_SOURCE)
            .bind(report_id)
            .fetch_optional(self)
            .await?)
    }

    async fn village_reports_since(
        &self,
        seq: i64,
        office: Option<&jejak_domain::OfficeCode>,
        limit: u32,
    ) -> crate::Result<Vec<jejak_domain::VillageReport>> {
        self.village_reports_where(seq, office.map(|o| o.as_str().to_owned()), i64::from(limit))
            .await
    }

    async fn set_report_status(
        &self,
        change: &jejak_domain::StatusChange,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::VillageReport> {
        use crate::codec::RowExt;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let id = &change.report_id;
        let row = query(crate::villages::SELECT_REPORT)
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("village report {id}")))?;
        if row.text("status")? == "closed" {
            return Err(crate::StoreError::Conflict(format!("village report {id} is closed")));
        }
        let acknowledged =
            (change.status != jejak_domain::ReportStatus::New).then(|| change.at.clone());
        query(crate::villages::UPDATE_STATUS)
            .bind(change.status.as_str())
            .bind(acknowledged)
            .bind(seq)
            .bind(id)
            .execute(&mut tx)
            .await?;
        query(crate::villages::INSERT_STATUS)
            .bind(seq)
            .bind(id)
            .bind(change.status.as_str())
            .bind(change.note.clone())
            .bind(&change.by)
            .bind(&change.at)
            .execute(&mut tx)
            .await?;
        let details = format!(
            "status {}{}",
            change.status.as_str(),
            change.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
        );
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::VillageReportStatus,
            "village_report",
            Some(id),
            &details,
        )
        .await?;
        tx.commit().await?;
        crate::villages::VillageStore::village_report(self, id)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("village report {id}")))
    }

    async fn report_history(
        &self,
        report_id: &str,
    ) -> crate::Result<Vec<jejak_domain::StatusChange>> {
        let rows = query(crate::villages::STATUS_HISTORY).bind(report_id).fetch_all(self).await?;
        rows.iter().map(crate::villages::read_status).collect()
    }

    async fn record_outreach(
        &self,
        o: &jejak_domain::NewOutreach,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Outreach> {
        use jejak_domain::date::iso;
        let mut tx = self.begin_write().await?;
        let id = Self::reserve(&mut tx, 1).await?;
        query(crate::villages::INSERT_OUTREACH)
            .bind(id)
            .bind(iso(o.held_on))
            .bind(o.village.as_str())
            .bind(o.venue.clone())
            .bind(&o.kind)
            .bind(i64::from(o.attendees_female))
            .bind(i64::from(o.attendees_male))
            .bind(crate::villages::join_list(&o.topics)?)
            .bind(crate::villages::join_list(&o.partners)?)
            .bind(o.notes.clone())
            .bind(&o.recorded_by)
            .execute(&mut tx)
            .await?;
        let details = format!("{} at village {} on {}", o.kind, o.village.dotted(), iso(o.held_on));
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::OutreachRecord,
            "outreach",
            Some(&id.to_string()),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(jejak_domain::Outreach { id, data: o.clone() })
    }

    async fn outreach(
        &self,
        village: Option<&jejak_domain::RegionCode>,
    ) -> crate::Result<Vec<jejak_domain::Outreach>> {
        let rows = query(crate::villages::LIST_OUTREACH)
            .bind(village.map(|v| v.as_str().to_owned()))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::villages::read_outreach).collect()
    }

    async fn record_operation(
        &self,
        op: &jejak_domain::NewOperation,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Operation> {
        use jejak_domain::date::iso;
        let mut tx = self.begin_write().await?;
        let id = Self::reserve(&mut tx, 1).await?;
        for report in &op.report_ids {
            if query(crate::villages::REPORT_EXISTS)
                .bind(report)
                .fetch_optional(&mut tx)
                .await?
                .is_none()
            {
                return Err(crate::StoreError::NotFound(format!("village report {report}")));
            }
        }
        query(crate::villages::INSERT_OPERATION)
            .bind(id)
            .bind(iso(op.held_on))
            .bind(op.area.as_str())
            .bind(op.lead_office.as_str())
            .bind(crate::villages::join_list(&op.agencies)?)
            .bind(i64::from(op.foreigners_checked))
            .bind(crate::villages::join_violations(&op.violations)?)
            .bind(i64::from(op.persons_secured))
            .bind(i64::from(op.pmi_np_stopped))
            .bind(op.notes.clone())
            .bind(&op.recorded_by)
            .execute(&mut tx)
            .await?;
        let mut linked = op.report_ids.clone();
        linked.sort();
        linked.dedup();
        for report in &linked {
            query(crate::villages::INSERT_OPERATION_REPORT)
                .bind(id)
                .bind(report)
                .execute(&mut tx)
                .await?;
        }
        let details = format!(
            "operation at {} on {} led by {}; reports: {}",
            op.area.dotted(),
            iso(op.held_on),
            op.lead_office.as_str(),
            linked.join(",")
        );
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::TimporaRecord,
            "timpora_operation",
            Some(&id.to_string()),
            &details,
        )
        .await?;
        tx.commit().await?;
        let mut data = op.clone();
        data.report_ids = linked;
        Ok(jejak_domain::Operation { id, data })
    }

    async fn operations(&self) -> crate::Result<Vec<jejak_domain::Operation>> {
        use crate::codec::RowExt;
        let links = query(crate::villages::LIST_OPERATION_REPORTS).fetch_all(self).await?;
        let mut reports: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        for row in &links {
            reports.entry(row.int("operation_id")?).or_default().push(row.text("report_id")?);
        }
        let rows = query(crate::villages::LIST_OPERATIONS).fetch_all(self).await?;
        rows.iter().map(|r| crate::villages::read_operation(r, &mut reports)).collect()
    }
}
