//! The village programme on the monitoring dashboard (issues 14 and 16): village reports by
//! topic and outreach sessions, per month and office, under the same small-count suppression
//! as every other published table. Read from the village register (reports and outreach are
//! few next to applications), with the dashboard's permission (`view_dashboard`: analysts
//! every office, supervisors their own).

use jejak_domain::{OfficeCode, ReportTopic};
use jejak_store::Store;

use super::cube::{Month, month_of};
use super::dashboard_offices;
use super::suppress::{SuppressedGrid, suppress_grid};
use crate::Result;
use crate::authz::Actor;
use crate::villages::route;

/// The village tables of one dashboard view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageActivity {
    /// The months shown, oldest first (the rows of both grids).
    pub months: Vec<Month>,
    /// Village reports by month (rows) and topic (columns, as [`ReportTopic::ALL`]), of the
    /// office shown or the whole region.
    pub reports_by_topic: SuppressedGrid,
    /// The offices of the outreach grid's columns.
    pub offices: Vec<OfficeCode>,
    /// Outreach sessions by month (rows) and office (columns).
    pub outreach_by_office: SuppressedGrid,
}

/// Village reports by topic and outreach sessions by office, per month from `from` to `to`
/// (inclusive), for the dashboard's office scope (`office` as asked, a supervisor their own).
pub async fn village_activity(
    store: &dyn Store,
    actor: &Actor,
    from: Month,
    to: Month,
    office: Option<&OfficeCode>,
) -> Result<VillageActivity> {
    let mut all: Vec<OfficeCode> =
        store.list_offices().await?.into_iter().map(|o| o.code).collect();
    all.sort();
    let scope = dashboard_offices(actor, office, &all)?;
    let months: Vec<Month> = (from..=to).collect();
    let row_of = |m: Month| (m >= from && m <= to).then(|| (m - from) as usize);

    let mut reports = vec![vec![0u64; ReportTopic::ALL.len()]; months.len()];
    for r in store.village_reports_since(0, scope.as_ref(), u32::MAX).await? {
        let Some(row) = row_of(month_of(r.data.reported_on)) else { continue };
        if let Some(col) = ReportTopic::ALL.iter().position(|t| *t == r.data.topic) {
            reports[row][col] += 1;
        }
    }

    let offices: Vec<OfficeCode> = match &scope {
        Some(o) => vec![o.clone()],
        None => all.clone(),
    };
    let work_areas = store.list_offices().await?;
    let mut outreach = vec![vec![0u64; offices.len()]; months.len()];
    for o in store.outreach(None).await? {
        let Some(row) = row_of(month_of(o.data.held_on)) else { continue };
        let Some(routed) = route(&work_areas, &o.data.village) else { continue };
        if let Some(col) = offices.iter().position(|x| *x == routed) {
            outreach[row][col] += 1;
        }
    }
    Ok(VillageActivity {
        months,
        reports_by_topic: suppress_grid(&reports),
        offices,
        outreach_by_office: suppress_grid(&outreach),
    })
}
