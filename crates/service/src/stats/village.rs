//! The village programme on the monitoring dashboard (issues 14 and 16): village reports by
//! topic and outreach sessions, per month and office, under the same small-count suppression
//! as every other published table. Read from the village register (reports and outreach are
//! few next to applications), with the dashboard's permission (`view_dashboard`: analysts
//! every office, supervisors their own).

use jejak_domain::{OfficeCode, RegionCode, ReportTopic};
use jejak_store::Store;

use super::cube::{Month, month_of};
use super::query::forced_by_enclosing;
use super::suppress::{Forced, SuppressedGrid, suppress_table};
use super::{check_region, dashboard_offices};
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
/// (inclusive), for the dashboard's office scope (`office` as asked, a supervisor their own)
/// and, when given, the villages of `region` (at most a district, as the dashboard's filter).
/// A filtered cell or month total that differs from the unfiltered one by 1 to 4 is
/// withheld, so subtracting one view from another reveals no small count.
pub async fn village_activity(
    store: &dyn Store,
    actor: &Actor,
    from: Month,
    to: Month,
    office: Option<&OfficeCode>,
    region: Option<&RegionCode>,
) -> Result<VillageActivity> {
    if let Some(region) = region {
        check_region(region)?;
    }
    let mut all: Vec<OfficeCode> =
        store.list_offices().await?.into_iter().map(|o| o.code).collect();
    all.sort();
    let scope = dashboard_offices(actor, office, &all)?;
    let months: Vec<Month> = (from..=to).collect();
    let row_of = |m: Month| (m >= from && m <= to).then(|| (m - from) as usize);
    let mine = |o: &OfficeCode| scope.as_ref().is_none_or(|s| s == o);
    // The regions a figure is counted over: the view's own (`None`: everywhere), then, for a
    // filtered view, the whole region and a district's regency.
    let mut regions: Vec<Option<RegionCode>> = vec![region.cloned()];
    if let Some(r) = region {
        regions.push(None);
        if r.level() == jejak_domain::region::RegionLevel::District {
            regions.push(r.regency());
        }
    }
    // The views that enclose this one (every office instead of the one shown, a wider
    // region, or both): a shown figure must not differ from theirs by 1 to 4.
    let any_office: &[bool] = if scope.is_some() { &[false, true] } else { &[false] };
    let lifted: Vec<(bool, usize)> = any_office
        .iter()
        .flat_map(|o| (0..regions.len()).map(move |r| (*o, r)))
        .filter(|view| *view != (false, 0))
        .collect();
    let counted = |any_office: bool, region: usize, office: &OfficeCode, village: &RegionCode| {
        (any_office || mine(office))
            && regions[region].as_ref().is_none_or(|r| village.as_str().starts_with(r.as_str()))
    };

    let topics = ReportTopic::ALL.len();
    let mut reports = vec![vec![0u64; topics]; months.len()];
    let mut outer_reports = vec![reports.clone(); lifted.len()];
    for r in store.village_reports_since(0, None, u32::MAX).await? {
        let Some(row) = row_of(month_of(r.data.reported_on)) else { continue };
        let Some(col) = ReportTopic::ALL.iter().position(|t| *t == r.data.topic) else {
            continue;
        };
        if counted(false, 0, &r.office, &r.data.village) {
            reports[row][col] += 1;
        }
        for (grid, (o, v)) in outer_reports.iter_mut().zip(&lifted) {
            if counted(*o, *v, &r.office, &r.data.village) {
                grid[row][col] += 1;
            }
        }
    }

    // Outreach: one column per office shown; the enclosing views add every office's
    // sessions to the column of the office shown (a supervisor's one column is then checked
    // against the region's total).
    let offices: Vec<OfficeCode> = match &scope {
        Some(o) => vec![o.clone()],
        None => all.clone(),
    };
    let work_areas = store.list_offices().await?;
    let mut outreach = vec![vec![0u64; offices.len()]; months.len()];
    let mut outer_outreach = vec![outreach.clone(); lifted.len()];
    for o in store.outreach(None).await? {
        let Some(row) = row_of(month_of(o.data.held_on)) else { continue };
        let Some(routed) = route(&work_areas, &o.data.village) else { continue };
        let column = offices.iter().position(|x| *x == routed);
        if let Some(col) = column
            && counted(false, 0, &routed, &o.data.village)
        {
            outreach[row][col] += 1;
        }
        for (grid, (any_office, wider)) in outer_outreach.iter_mut().zip(&lifted) {
            let col = if *any_office { column.or(Some(0)) } else { column };
            if let Some(col) = col
                && counted(*any_office, *wider, &routed, &o.data.village)
            {
                grid[row][col] += 1;
            }
        }
    }
    let publish = |grid: &[Vec<u64>], outer: &[Vec<Vec<u64>>]| {
        let (cells, row_totals) = forced_by_enclosing(grid, outer);
        suppress_table(
            grid,
            &Forced { cells: &cells, row_totals: &row_totals, ..Forced::default() },
        )
    };
    Ok(VillageActivity {
        months,
        reports_by_topic: publish(&reports, &outer_reports),
        offices,
        outreach_by_office: publish(&outreach, &outer_outreach),
    })
}
