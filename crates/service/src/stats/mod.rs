//! Monitoring and programme evaluation (issue 16): the aggregates kept by the live
//! [`crate::screening::Screening`] from the change sequence ([`cube`]), small-count
//! suppression ([`suppress`]), reading them ([`query`]), the Desa Binaan evaluation
//! ([`evaluation`]), and the use cases with their permission check (`view_dashboard`:
//! analis every office, supervisor their own).

pub mod cube;
pub mod evaluation;
pub mod query;
pub mod suppress;
pub mod village;

use std::collections::HashSet;

use jejak_domain::{ApplicationKey, OfficeCode, RegionCode};
use jejak_store::StoredAssessment;
use serde::Serialize;

use crate::authz::{Action, Actor, Scope, permission};
use crate::mirror::Mirror;
use crate::screening::Screening;
use crate::{Result, ServiceError};
use cube::{Cube, Month, RiskBand, caught_as_of, month_label};
use query::{Dimension, Filter, MEASURES, OriginHidden, PublishedBreakdown, PublishedMeasures};
use suppress::Shown;

/// Rules whose firing marks a cross-office re-application (previous adverse decision; office
/// shopping).
pub const CROSS_OFFICE_RULES: [&str; 2] = ["R12", "R16"];

/// Takes in a recorded assessment (the latest per application counts).
pub(crate) fn apply_assessment(cube: &mut Cube, assessment: &StoredAssessment) {
    let a = &assessment.data;
    let cross = a.fired_indicators.iter().any(|f| CROSS_OFFICE_RULES.contains(&f.id.as_str()));
    let fired: Vec<&str> = a.fired_indicators.iter().map(|f| f.id.as_str()).collect();
    cube.set_assessment(
        a.application,
        RiskBand::parse(&a.band),
        cross,
        &a.rule_set_version,
        &fired,
    );
}

/// Re-derives the person flag of every application sharing a person with one of `keys`
/// (see [`caught_as_of`]: judged by the applications known on each one's date).
pub(crate) fn refresh_person_catches(
    cube: &mut Cube,
    mirror: &Mirror,
    keys: impl IntoIterator<Item = ApplicationKey>,
) {
    let mut done: HashSet<ApplicationKey> = HashSet::new();
    for key in keys {
        let person = mirror.person_key(key);
        if !done.insert(person) {
            continue;
        }
        let members = mirror.members_of_person(person);
        let members: &[ApplicationKey] = if members.is_empty() { &[key] } else { members };
        let list: Vec<(ApplicationKey, &OfficeCode, time::Date)> = members
            .iter()
            .filter_map(|k| mirror.brief(*k).map(|a| (*k, mirror.office_code(a), a.applied_on)))
            .collect();
        for (k, _, _) in &list {
            cube.set_person_catch(*k, caught_as_of(*k, &list, |at| mirror.joined_to(at)));
        }
    }
}

/// How the `jejak stats` table is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per month and office.
    MonthOffice,
    /// One row per month, the whole region (or the actor's office).
    Month,
}

impl GroupBy {
    /// Reads `month,office` (either order) or `month`. Grouping by office alone is refused:
    /// a sum over months could be subtracted from another period's to isolate a month.
    pub fn parse(text: &str) -> Result<GroupBy> {
        let mut parts: Vec<&str> =
            text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        parts.sort_unstable();
        parts.dedup();
        match parts.as_slice() {
            ["month", "office"] => Ok(GroupBy::MonthOffice),
            ["month"] => Ok(GroupBy::Month),
            _ => Err(ServiceError::Invalid(format!(
                "group-by: expected `month,office` or `month`, found `{text}` (every figure is one month's)"
            ))),
        }
    }
}

/// What a caller asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRequest {
    pub from: time::Date,
    pub to: time::Date,
    pub group_by: GroupBy,
    /// Only this office (an analyst's choice; a supervisor gets their own either way).
    pub office: Option<OfficeCode>,
    /// Only applicants from this region (a regency or district code; see [`check_region`]).
    pub region: Option<RegionCode>,
}

impl StatsRequest {
    /// Reads the parameters as the command line and the API take them: `from` and `to`
    /// (YYYY-MM-DD), `group_by` (default `month,office`), `office` and `region` (optional).
    /// Errors name the parameter.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        group_by: Option<&str>,
        office: Option<&str>,
        region: Option<&str>,
    ) -> Result<StatsRequest> {
        let date = |name: &str, value: Option<&str>| -> Result<time::Date> {
            let value = value
                .ok_or_else(|| ServiceError::Invalid(format!("{name}: required (YYYY-MM-DD)")))?;
            jejak_domain::date::parse_date(value)
                .map_err(|e| ServiceError::Invalid(format!("{name}: `{value}`: {e}")))
        };
        let office = office
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                OfficeCode::parse(o)
                    .map_err(|e| ServiceError::Invalid(format!("office: `{o}`: {e}")))
            })
            .transpose()?;
        let region = region
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| {
                RegionCode::parse(r)
                    .map_err(|e| ServiceError::Invalid(format!("region: `{r}`: {e}")))
            })
            .transpose()?;
        Ok(StatsRequest {
            from: date("from", from)?,
            to: date("to", to)?,
            group_by: GroupBy::parse(group_by.unwrap_or("month,office"))?,
            office,
            region,
        })
    }
}

/// One row of `jejak stats` / `GET /api/v1/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsRow {
    pub period: String,
    /// Empty when grouped by month only and the region is shown.
    pub office_code: String,
    pub applications: Shown,
    pub issued: Shown,
    pub deferred: Shown,
    pub rejected: Shown,
    pub cancelled: Shown,
    pub flagged_high: Shown,
    pub cross_office_catches: Shown,
}

impl StatsRow {
    /// The values in the order of [`MEASURES`].
    pub fn values(&self) -> [Shown; 7] {
        [
            self.applications,
            self.issued,
            self.deferred,
            self.rejected,
            self.cancelled,
            self.flagged_high,
            self.cross_office_catches,
        ]
    }
}

/// The offices an actor sees on the dashboard: every office for the analyst (or the one
/// asked for), their own for a supervisor (asking for another is refused).
pub fn dashboard_offices(
    actor: &Actor,
    asked: Option<&OfficeCode>,
    all: &[OfficeCode],
) -> Result<Option<OfficeCode>> {
    actor.authorize(Action::ViewDashboard, asked)?;
    match permission(actor.role, Action::ViewDashboard) {
        Some(Scope::AllOffices) => {
            if let Some(o) = asked
                && !all.contains(o)
            {
                return Err(ServiceError::Invalid(format!("office: unknown office {o}")));
            }
            Ok(asked.cloned())
        }
        _ => Ok(Some(actor.office.clone())),
    }
}

/// The months of a date range (from's month to to's month).
fn filter_of(from: time::Date, to: time::Date) -> Result<Filter> {
    if to < from {
        return Err(ServiceError::Invalid(format!("to: {to} is before from {from}")));
    }
    let (from, to) = (cube::month_of(from), cube::month_of(to));
    if to - from >= 240 {
        return Err(ServiceError::Invalid("from/to: at most 20 years at a time".into()));
    }
    Ok(Filter { from, to, region: None })
}

/// The office codes the grids are built over: the configured offices plus any office seen in
/// the register, sorted.
fn grid_offices(cube: &Cube, configured: &[OfficeCode]) -> Vec<OfficeCode> {
    let mut all: Vec<OfficeCode> = configured.to_vec();
    for o in cube.offices.values() {
        if !all.contains(o) {
            all.push(o.clone());
        }
    }
    all.sort();
    all
}

/// The `jejak stats` table for an actor (permission `view_dashboard`).
pub fn stats_table(
    screening: &Screening,
    actor: &Actor,
    request: &StatsRequest,
) -> Result<Vec<StatsRow>> {
    let filter = filter_of(request.from, request.to)?;
    if let Some(region) = &request.region {
        check_region(region)?;
    }
    screening.with_stats(|cube, configured| {
        let offices = grid_offices(cube, configured);
        let scope = dashboard_offices(actor, request.office.as_ref(), &offices)?;
        let view = RegionView::of(cube, request.region.as_ref());
        let origins = view.origins(&filter, &offices);
        let published = view.publish_measures(&filter, &offices, &origins);
        Ok(rows_of(&published, request.group_by, scope.as_ref()))
    })?
}

/// The finest region a filter may name is a district: a village holds too few applicants,
/// and its figures set against its district's could single someone out.
pub fn check_region(region: &RegionCode) -> Result<()> {
    if region.level() == jejak_domain::region::RegionLevel::Village {
        return Err(ServiceError::Invalid(format!(
            "wilayah {}: saring paling rinci sampai kecamatan (kode 6 angka); desa terlalu kecil untuk diterbitkan / region {}: filter by district (6 digits) at the finest; a village is too small to publish",
            region.dotted(),
            region.dotted()
        )));
    }
    Ok(())
}

/// A view's applications: the whole register, or those from one region together with the
/// views enclosing it (the whole register and, for a district, its regency), against which
/// its figures are suppressed so that no subtraction between views reveals a count below 5.
struct RegionView<'a> {
    whole: &'a Cube,
    region: Option<RegionCode>,
    /// The region's applications, then its regency's (a district's only).
    restricted: Vec<Cube>,
}

impl<'a> RegionView<'a> {
    fn of(whole: &'a Cube, region: Option<&RegionCode>) -> RegionView<'a> {
        let mut regions = Vec::new();
        if let Some(region) = region {
            regions.push(region.clone());
            if region.level() == jejak_domain::region::RegionLevel::District
                && let Some(regency) = region.regency()
            {
                regions.push(regency);
            }
        }
        let restricted =
            if regions.is_empty() { Vec::new() } else { whole.restricted_to_each(&regions) };
        RegionView { whole, region: region.cloned(), restricted }
    }

    /// The applications the view counts.
    fn cube(&self) -> &Cube {
        self.restricted.first().unwrap_or(self.whole)
    }

    /// How the unfiltered view publishes the regency and district breakdowns (nothing for
    /// the whole register): what a filtered view must hide at least.
    fn origins(&self, filter: &Filter, offices: &[OfficeCode]) -> Vec<(Dimension, OriginHidden)> {
        match self.region {
            Some(_) => query::origin_hidden(self.whole, filter, offices),
            None => Vec::new(),
        }
    }

    /// The monthly figures of the view, suppressed against the enclosing views and, for a
    /// regency or district, against its own row of the unfiltered origin breakdown.
    fn publish_measures(
        &self,
        filter: &Filter,
        offices: &[OfficeCode],
        origins: &[(Dimension, OriginHidden)],
    ) -> PublishedMeasures {
        let own = self.region.as_ref().and_then(|region| {
            let level = match region.level() {
                jejak_domain::region::RegionLevel::Regency => Dimension::Regency,
                jejak_domain::region::RegionLevel::District => Dimension::District,
                _ => return None,
            };
            let (_, hidden) = origins.iter().find(|(d, _)| *d == level)?;
            hidden.get(region.as_str())
        });
        query::publish_measures_within(self.cube(), filter, offices, &self.enclosing(), own)
    }

    /// The views enclosing it (none for the whole register).
    fn enclosing(&self) -> Vec<&Cube> {
        if self.restricted.is_empty() {
            return Vec::new();
        }
        std::iter::once(self.whole).chain(self.restricted.iter().skip(1)).collect()
    }
}

/// The rows of a published table for one office or all.
pub fn rows_of(
    published: &PublishedMeasures,
    group_by: GroupBy,
    office: Option<&OfficeCode>,
) -> Vec<StatsRow> {
    let mut rows = Vec::new();
    for (mi, month) in published.months.iter().enumerate() {
        let row = |office_code: String, value: &dyn Fn(usize) -> Shown| StatsRow {
            period: month_label(*month),
            office_code,
            applications: value(0),
            issued: value(1),
            deferred: value(2),
            rejected: value(3),
            cancelled: value(4),
            flagged_high: value(5),
            cross_office_catches: value(6),
        };
        match (group_by, office) {
            (GroupBy::Month, None) => {
                rows.push(row(String::new(), &|m| published.region(m, mi)));
            }
            (_, Some(o)) => {
                if let Some(oi) = published.offices.iter().position(|x| x == o) {
                    rows.push(row(o.to_string(), &|m| published.cell(m, mi, oi)));
                }
            }
            (GroupBy::MonthOffice, None) => {
                for (oi, o) in published.offices.iter().enumerate() {
                    rows.push(row(o.to_string(), &|m| published.cell(m, mi, oi)));
                }
            }
        }
    }
    rows
}

/// The CSV of a stats table: the contract's columns, suppressed cells as `<5`.
pub fn stats_csv(rows: &[StatsRow]) -> String {
    let mut out = String::from("period,office_code");
    for m in MEASURES {
        out.push(',');
        out.push_str(m);
    }
    out.push('\n');
    for r in rows {
        out.push_str(&r.period);
        out.push(',');
        out.push_str(&r.office_code);
        for v in r.values() {
            out.push(',');
            out.push_str(&v.text());
        }
        out.push('\n');
    }
    out
}

/// Everything the dashboard shows for a filter.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub from: Month,
    pub to: Month,
    /// The office shown, `None` for the whole region.
    pub office: Option<OfficeCode>,
    pub region: Option<RegionCode>,
    /// Offices the actor may choose from (empty for a supervisor: their own only).
    pub office_choices: Vec<OfficeCode>,
    /// Per month: the contract measures for the office or the region.
    pub trend: Vec<StatsRow>,
    pub breakdowns: Vec<PublishedBreakdown>,
    pub days: Vec<(Month, query::DaysFigure)>,
    /// The register position the figures reflect.
    pub as_of_seq: i64,
}

/// The dashboard for an actor (permission `view_dashboard`).
pub fn dashboard(
    screening: &Screening,
    actor: &Actor,
    from: Month,
    to: Month,
    office: Option<&OfficeCode>,
    region: Option<RegionCode>,
) -> Result<Dashboard> {
    let as_of_seq = screening.as_of_seq()?;
    screening.with_stats(|cube, configured| {
        dashboard_of(cube, configured, actor, DashboardAsk { from, to, office, region, as_of_seq })
    })?
}

/// What a dashboard view asks for.
#[derive(Debug, Clone)]
pub struct DashboardAsk<'a> {
    pub from: Month,
    pub to: Month,
    /// The office asked for, `None` for the whole region.
    pub office: Option<&'a OfficeCode>,
    pub region: Option<RegionCode>,
    /// The register position the aggregates reflect.
    pub as_of_seq: i64,
}

/// [`dashboard`] over the aggregates themselves (`configured`: the register's offices), as
/// the service answers it; the `dashboard` example times this.
pub fn dashboard_of(
    cube: &Cube,
    configured: &[OfficeCode],
    actor: &Actor,
    ask: DashboardAsk<'_>,
) -> Result<Dashboard> {
    let DashboardAsk { from, to, office, region, as_of_seq } = ask;
    if to < from || to - from >= 240 {
        return Err(ServiceError::Invalid(
            "period: from must not be after to (at most 20 years)".into(),
        ));
    }
    if let Some(region) = &region {
        check_region(region)?;
    }
    let filter = Filter { from, to, region: None };
    let offices = grid_offices(cube, configured);
    let scope = dashboard_offices(actor, office, &offices)?;
    // A region filter restricts the aggregates once for every query of the view.
    let view = RegionView::of(cube, region.as_ref());
    let (cube, enclosing) = (view.cube(), view.enclosing());
    let origins = view.origins(&filter, &offices);
    let published = view.publish_measures(&filter, &offices, &origins);
    let group = if scope.is_some() { GroupBy::MonthOffice } else { GroupBy::Month };
    let trend = rows_of(&published, group, scope.as_ref());
    let breakdowns = query::publish_breakdowns_within(
        cube,
        &filter,
        &Dimension::ALL,
        &published,
        scope.as_ref(),
        &enclosing,
        region.as_ref().map(|r| (r, origins.as_slice())),
    );
    let days = query::days_to_decision_within(cube, &filter, scope.as_ref(), &enclosing);
    let office_choices = match permission(actor.role, Action::ViewDashboard) {
        Some(Scope::AllOffices) => offices.clone(),
        _ => Vec::new(),
    };
    Ok(Dashboard {
        from,
        to,
        office: scope,
        region,
        office_choices,
        trend,
        breakdowns,
        days,
        as_of_seq,
    })
}

/// The Desa Binaan evaluation for an actor (permission `view_dashboard`; a supervisor sees
/// the applications of their own office only). Only applications whose village is known
/// count; an application counts as adverse when deferred or rejected by the end of the
/// cohort's window at the latest (decisions after it are not known at that time).
pub fn evaluate(
    screening: &Screening,
    actor: &Actor,
    designations: &[evaluation::Designation],
    window_months: u32,
) -> Result<Vec<evaluation::PublishedCohort>> {
    let scope = dashboard_offices(actor, None, &[])?;
    let latest_end = designations
        .iter()
        .map(|d| evaluation::shift_months(d.designated_on, window_months as i32))
        .max();
    screening.with_stats(|cube, _| {
        let mut held: Vec<(RegionCode, time::Date, bool, bool, bool)> = Vec::new();
        cube.for_each_application(|facts, band, cross, decisions| {
            if scope.as_ref().is_some_and(|o| o != facts.office) {
                return;
            }
            let Some(village) = facts.origin.filter(|o| o.as_str().len() == 10) else {
                return;
            };
            let adverse = decisions.iter().any(|d| {
                matches!(
                    d.kind,
                    jejak_domain::DecisionKind::Deferred | jejak_domain::DecisionKind::Rejected
                ) && latest_end.is_some_and(|end| d.decided_on < end)
            });
            held.push((village.clone(), facts.applied_on, band == RiskBand::High, adverse, cross));
        });
        let apps: Vec<evaluation::EvalApplication<'_>> = held
            .iter()
            .map(|(v, on, high, adverse, cross)| evaluation::EvalApplication {
                village: v,
                applied_on: *on,
                flagged_high: *high,
                adverse: *adverse,
                cross_office: *cross,
            })
            .collect();
        let counts = evaluation::evaluate_counts(designations, &apps, window_months);
        evaluation::publish(&counts)
    })
}
