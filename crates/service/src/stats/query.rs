//! Reading the aggregates: the `jejak stats` / `GET /api/v1/stats` table and the dashboard's
//! breakdowns, each as true counts (for tests) and as published (suppressed) tables.
//!
//! Every published number is a cell of one month: a month is the finest time unit and no
//! figure sums several months, so two overlapping period filters cannot be subtracted to
//! isolate a month. The month x office grid of every measure is suppressed as a whole
//! (offices add up to the region's figure), whoever asks and whatever office they see; a
//! breakdown (categories x offices of one month) starts with the cells whose office-month
//! total is hidden in that grid already hidden, so adding up categories cannot reveal it;
//! the categories' month totals (which add up to the month's applications) are protected
//! the same way.
//!
//! A region-filtered view (`*_within`) is also checked against the views enclosing it (the
//! whole region and, for a district, its regency): a figure that differs from the enclosing
//! one by 1 to 4 is withheld before its table is suppressed, so subtracting one view from
//! another reveals no small count. Villages are not offered as a filter (see
//! `stats::check_region`).
//!
//! Pure functions over a [`Cube`].

use std::collections::{BTreeMap, HashMap};

use jejak_domain::decision::REASON_CODES;
use jejak_domain::{DecisionKind, OfficeCode, Purpose, RegionCode};

use super::cube::{AgeBand, Cube, FREE_TEXT_REASON, MAX_DAYS, Margin, Month, NONE, RiskBand};
use super::suppress::{Forced, Shown, THRESHOLD, suppress_table};

/// Which applications and decisions a figure covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// First month (inclusive).
    pub from: Month,
    /// Last month (inclusive).
    pub to: Month,
    /// Origin within this region (a code prefix: regency, district or village).
    pub region: Option<RegionCode>,
}

impl Filter {
    pub fn months(&self) -> impl Iterator<Item = Month> + use<> {
        self.from..=self.to
    }
}

/// The measures of the `jejak stats` table, in column order.
pub const MEASURES: [&str; 7] = [
    "applications",
    "issued",
    "deferred",
    "rejected",
    "cancelled",
    "flagged_high",
    "cross_office_catches",
];

/// Runs `f` on the applications the filter's region covers: the whole cube, or the cube
/// restricted to that region (the margins hold no origin below the category they count by).
fn in_region<T>(cube: &Cube, filter: &Filter, f: impl FnOnce(&Cube, &Filter) -> T) -> T {
    match &filter.region {
        None => f(cube, filter),
        Some(region) => {
            let restricted = cube.restricted_to(region);
            f(&restricted, &Filter { region: None, ..filter.clone() })
        }
    }
}

/// True counts per (month, office) of every measure, for every month of the filter and every
/// office given (zeros included).
pub fn measure_counts(
    cube: &Cube,
    filter: &Filter,
    offices: &[OfficeCode],
) -> BTreeMap<(Month, OfficeCode), [u64; 7]> {
    in_region(cube, filter, |cube, filter| {
        let mut out = BTreeMap::new();
        for m in filter.months() {
            for o in offices {
                out.insert((m, o.clone()), [0u64; 7]);
            }
        }
        let office_of = |i: u32| cube.offices.get(i).cloned();
        for (cell, &n) in &cube.apps {
            if cell.month < filter.from || cell.month > filter.to {
                continue;
            }
            let column = match (cell.margin, cell.category) {
                (Margin::All, _) => 0,
                (Margin::RiskBand, band) if band == RiskBand::High as u32 => 5,
                (Margin::CrossOffice, _) => 6,
                _ => continue,
            };
            let Some(office) = office_of(cell.office) else { continue };
            if let Some(row) = out.get_mut(&(cell.month, office)) {
                row[column] += u64::from(n);
            }
        }
        for (cell, &n) in &cube.decisions {
            if cell.month < filter.from || cell.month > filter.to {
                continue;
            }
            let Some(office) = office_of(cell.office) else { continue };
            if let Some(row) = out.get_mut(&(cell.month, office)) {
                let i = match cell.kind {
                    DecisionKind::Issued => 1,
                    DecisionKind::Deferred => 2,
                    DecisionKind::Rejected => 3,
                    DecisionKind::Cancelled => 4,
                };
                row[i] += u64::from(n);
            }
        }
        out
    })
}

/// The published month x office grids: for each measure, the suppressed grid with months as
/// rows and `offices` as columns.
#[derive(Debug, Clone)]
pub struct PublishedMeasures {
    pub months: Vec<Month>,
    pub offices: Vec<OfficeCode>,
    /// One grid per entry of [`MEASURES`].
    pub grids: Vec<super::suppress::SuppressedGrid>,
}

impl PublishedMeasures {
    /// The shown value of measure `m` at (month row, office column).
    pub fn cell(&self, measure: usize, month: usize, office: usize) -> Shown {
        self.grids[measure].cells[month][office]
    }

    /// The region-wide value of measure `m` in a month (the row total).
    pub fn region(&self, measure: usize, month: usize) -> Shown {
        self.grids[measure].row_totals[month]
    }
}

/// Suppresses the measures over every office (so each office's view and the region's agree).
pub fn publish_measures(cube: &Cube, filter: &Filter, offices: &[OfficeCode]) -> PublishedMeasures {
    publish_measures_within(cube, filter, offices, &[], None)
}

/// Whether showing `inner` (a region-filtered figure) next to `outer` (the same figure of an
/// enclosing view) would let a count of 1 to 4 be worked out by subtraction.
pub fn reveals_by_difference(outer: u64, inner: u64) -> bool {
    inner > 0 && (1..THRESHOLD).contains(&outer.saturating_sub(inner))
}

/// [`publish_measures`] for a region-filtered `cube` (a [`Cube::restricted_to`]) inside
/// the `enclosing` views (the whole register and, for a district, its regency, restricted
/// the same way): a cell or month total that differs from an enclosing one by 1 to 4 is
/// withheld, so subtracting one view from another reveals no small count. The applications
/// also hide what `applications_hidden` names: the region's own row of the unfiltered
/// origin breakdown (see [`origin_hidden`]).
pub fn publish_measures_within(
    cube: &Cube,
    filter: &Filter,
    offices: &[OfficeCode],
    enclosing: &[&Cube],
    applications_hidden: Option<&HiddenMonths>,
) -> PublishedMeasures {
    let counts = measure_counts(cube, filter, offices);
    let outer: Vec<_> = enclosing.iter().map(|e| measure_counts(e, filter, offices)).collect();
    let months: Vec<Month> = filter.months().collect();
    let grid_of = |counts: &BTreeMap<(Month, OfficeCode), [u64; 7]>, m: usize| -> Vec<Vec<u64>> {
        months
            .iter()
            .map(|month| {
                offices
                    .iter()
                    .map(|o| counts.get(&(*month, o.clone())).map_or(0, |row| row[m]))
                    .collect()
            })
            .collect()
    };
    let grids = (0..MEASURES.len())
        .map(|m| {
            let grid = grid_of(&counts, m);
            let outer: Vec<Vec<Vec<u64>>> = outer.iter().map(|o| grid_of(o, m)).collect();
            let (mut cells, mut row_totals) = forced_by_enclosing(&grid, &outer);
            if let Some(hidden) = applications_hidden.filter(|_| m == 0) {
                // Month rows here: row `i` is month `i` of the region's one category.
                for (i, (cells, total)) in cells.iter_mut().zip(row_totals.iter_mut()).enumerate() {
                    add_hidden(
                        std::slice::from_mut(cells),
                        std::slice::from_mut(total),
                        &[Some(hidden)],
                        i,
                    );
                }
            }
            suppress_table(
                &grid,
                &Forced { cells: &cells, row_totals: &row_totals, ..Forced::default() },
            )
        })
        .collect();
    PublishedMeasures { months, offices: offices.to_vec(), grids }
}

/// The cells and row totals of `grid` to hide because an enclosing grid of the same shape
/// differs from them by 1 to 4.
pub(crate) fn forced_by_enclosing(
    grid: &[Vec<u64>],
    outer: &[Vec<Vec<u64>>],
) -> (Vec<Vec<bool>>, Vec<bool>) {
    let cells = grid
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, &n)| outer.iter().any(|o| reveals_by_difference(o[r][c], n)))
                .collect()
        })
        .collect();
    let rows = grid
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let sum: u64 = row.iter().sum();
            outer.iter().any(|o| reveals_by_difference(o[r].iter().sum(), sum))
        })
        .collect();
    (cells, rows)
}

/// A dashboard breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Regency,
    District,
    Destination,
    Purpose,
    Sex,
    AgeBand,
    RiskBand,
    Outcome,
    Reason,
    /// Applications whose latest assessment fired a rule, per rule-set version and rule
    /// (an application counts under every rule it fired).
    Rule,
}

impl Dimension {
    pub const ALL: [Dimension; 10] = [
        Dimension::Regency,
        Dimension::District,
        Dimension::Destination,
        Dimension::Purpose,
        Dimension::Sex,
        Dimension::AgeBand,
        Dimension::RiskBand,
        Dimension::Outcome,
        Dimension::Reason,
        Dimension::Rule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Regency => "regency",
            Dimension::District => "district",
            Dimension::Destination => "destination",
            Dimension::Purpose => "purpose",
            Dimension::Sex => "sex",
            Dimension::AgeBand => "age_band",
            Dimension::RiskBand => "risk_band",
            Dimension::Outcome => "outcome",
            Dimension::Reason => "reason",
            Dimension::Rule => "rule",
        }
    }

    pub fn parse(text: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// Whether its categories are decisions (by decision month) rather than applications.
    pub fn of_decisions(self) -> bool {
        matches!(self, Dimension::Outcome | Dimension::Reason)
    }

    /// The measure whose office-month totals its categories add up to (applications or, for
    /// outcomes, none: outcomes are four measures of their own).
    fn total_measure(self) -> Option<usize> {
        match self {
            Dimension::Outcome | Dimension::Reason => None,
            _ => Some(0),
        }
    }

    /// Whether every application falls in exactly one category (unknown included), so the
    /// categories' totals add up to the month's applications. Not so for rules (one
    /// application fires several) nor for decisions (reasons repeat; outcomes are measures).
    fn partitions_applications(self) -> bool {
        !matches!(self, Dimension::Outcome | Dimension::Reason | Dimension::Rule)
    }
}

/// Per category: (month, office) -> count.
pub type BreakdownCounts = BTreeMap<String, BTreeMap<(Month, OfficeCode), u64>>;

/// True counts of a breakdown: category code -> (month, office) -> count.
pub fn breakdown_counts(cube: &Cube, filter: &Filter, dimension: Dimension) -> BreakdownCounts {
    breakdown_counts_many(cube, filter, &[dimension]).pop().unwrap_or_default()
}

/// The true counts of several breakdowns, in the order asked, walking each table of the cube
/// once for all of them (a view asks for every dimension; one walk per dimension was the
/// dashboard's cost at a million applications).
pub fn breakdown_counts_many(
    cube: &Cube,
    filter: &Filter,
    dimensions: &[Dimension],
) -> Vec<BreakdownCounts> {
    in_region(cube, filter, |cube, filter| breakdowns_in(cube, filter, dimensions))
}

/// The margin an applications breakdown reads.
fn margin_of(dimension: Dimension) -> Option<Margin> {
    match dimension {
        Dimension::Regency => Some(Margin::Regency),
        Dimension::District => Some(Margin::District),
        Dimension::Destination => Some(Margin::Destination),
        Dimension::Purpose => Some(Margin::Purpose),
        Dimension::Sex => Some(Margin::Sex),
        Dimension::AgeBand => Some(Margin::AgeBand),
        Dimension::RiskBand => Some(Margin::RiskBand),
        Dimension::Rule => Some(Margin::Rule),
        Dimension::Outcome | Dimension::Reason => None,
    }
}

fn breakdowns_in(cube: &Cube, filter: &Filter, dimensions: &[Dimension]) -> Vec<BreakdownCounts> {
    let in_period = |month: Month| month >= filter.from && month <= filter.to;
    // Counted under small integer keys first (dimension slot, category id, month, office);
    // category texts are made once per key.
    let mut by_id: ahash::AHashMap<(u8, u32, Month, u32), u64> = ahash::AHashMap::new();
    let slot_of_margin: Vec<(Margin, u8)> = dimensions
        .iter()
        .enumerate()
        .filter_map(|(i, d)| margin_of(*d).map(|m| (m, i as u8)))
        .collect();
    if !slot_of_margin.is_empty() {
        for (cell, &n) in &cube.apps {
            if !in_period(cell.month) {
                continue;
            }
            for &(margin, slot) in &slot_of_margin {
                if margin == cell.margin {
                    *by_id.entry((slot, cell.category, cell.month, cell.office)).or_insert(0) +=
                        u64::from(n);
                }
            }
        }
    }
    // Decision categories: outcome = the kind's index; reasons = bit index, 16 for no
    // reason, 15 (FREE_TEXT_REASON's bit) for free text only.
    const NO_REASON: u32 = 16;
    let of_decisions: Vec<(u8, Dimension)> = dimensions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.of_decisions())
        .map(|(i, d)| (i as u8, *d))
        .collect();
    if !of_decisions.is_empty() {
        for (cell, &n) in &cube.decisions {
            if !in_period(cell.month) {
                continue;
            }
            for &(slot, dimension) in &of_decisions {
                let mut add = |id: u32| {
                    *by_id.entry((slot, id, cell.month, cell.office)).or_insert(0) += u64::from(n);
                };
                if dimension == Dimension::Outcome {
                    let kind = DecisionKind::ALL.iter().position(|k| *k == cell.kind);
                    add(kind.map_or(u32::MAX, |k| k as u32));
                } else if cell.reasons == 0 {
                    add(NO_REASON);
                } else {
                    for bit in 0..16u32 {
                        if cell.reasons & (1 << bit) != 0 {
                            add(bit);
                        }
                    }
                }
            }
        }
    }
    let origin_at = |origin: u32, len: usize| -> String {
        cube.regions
            .get(origin)
            .and_then(|r| r.as_str().get(..len))
            .map_or_else(|| "?".to_owned(), str::to_owned)
    };
    let label = |dimension: Dimension, id: u32| -> String {
        let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "?".to_owned());
        match dimension {
            Dimension::Regency => origin_at(id, 4),
            Dimension::District => origin_at(id, 6),
            Dimension::Destination => {
                or_unknown(cube.countries.get(id).map(|c| c.as_str().to_owned()))
            }
            Dimension::Purpose => {
                or_unknown(Purpose::ALL.get(id as usize).map(|p| p.as_str().to_owned()))
            }
            Dimension::Sex => ["L", "P", "?"][(id as usize).min(2)].to_owned(),
            Dimension::AgeBand => {
                or_unknown(AgeBand::ALL.get(id as usize).map(|a| a.label().to_owned()))
            }
            Dimension::RiskBand => {
                or_unknown(RiskBand::ALL.get(id as usize).map(|b| b.as_str().to_owned()))
            }
            Dimension::Outcome => {
                or_unknown(DecisionKind::ALL.get(id as usize).map(|k| k.as_str().to_owned()))
            }
            Dimension::Reason => match id {
                NO_REASON => "-".to_owned(),
                bit if 1u16.checked_shl(bit) == Some(FREE_TEXT_REASON) => "TEXT".to_owned(),
                bit => or_unknown(REASON_CODES.get(bit as usize).map(|r| r.code.to_owned())),
            },
            Dimension::Rule => or_unknown(
                cube.rule_ids.get(id).map(|(version, rule)| rule_category(version, rule)),
            ),
        }
    };
    let mut out: Vec<BreakdownCounts> = vec![BTreeMap::new(); dimensions.len()];
    let mut labels: ahash::AHashMap<(u8, u32), String> = ahash::AHashMap::new();
    for ((slot, id, month, office), n) in by_id {
        let Some(office) = cube.offices.get(office) else { continue };
        let category = labels
            .entry((slot, id))
            .or_insert_with(|| label(dimensions[usize::from(slot)], id))
            .clone();
        *out[usize::from(slot)]
            .entry(category)
            .or_default()
            .entry((month, office.clone()))
            .or_insert(0) += n;
    }
    out
}

/// The category of a rule fired under a rule-set version: `VERSION RULE` (sorts by version,
/// then rule).
pub fn rule_category(version: &str, rule: &str) -> String {
    format!("{version} {rule}")
}

/// The category codes of a dimension in display order, given those present.
pub fn ordered_categories(
    dimension: Dimension,
    present: impl Iterator<Item = String>,
) -> Vec<String> {
    let mut present: Vec<String> = present.collect();
    let fixed: Vec<String> = match dimension {
        Dimension::AgeBand => AgeBand::ALL.iter().map(|a| a.label().to_owned()).collect(),
        Dimension::RiskBand => RiskBand::ALL.iter().map(|b| b.as_str().to_owned()).collect(),
        Dimension::Sex => vec!["L".into(), "P".into(), "?".into()],
        Dimension::Outcome => DecisionKind::ALL.iter().map(|k| k.as_str().to_owned()).collect(),
        _ => {
            present.sort();
            return present;
        }
    };
    fixed.into_iter().filter(|f| present.contains(f)).collect()
}

/// A published breakdown: per category and month, the shown value for the chosen office, or
/// for the region when `office` is `None`.
#[derive(Debug, Clone)]
pub struct PublishedBreakdown {
    pub dimension: Dimension,
    pub months: Vec<Month>,
    pub categories: Vec<String>,
    /// `values[category][month]`.
    pub values: Vec<Vec<Shown>>,
}

/// Publishes a breakdown for one office (or the region), suppressing, month by month, the
/// categories x offices grid with the office-month cells already hidden in `measures`
/// withheld.
pub fn publish_breakdown(
    cube: &Cube,
    filter: &Filter,
    dimension: Dimension,
    measures: &PublishedMeasures,
    office: Option<&OfficeCode>,
) -> PublishedBreakdown {
    let counts = breakdown_counts(cube, filter, dimension);
    publish_counts(&counts, filter, dimension, measures, office)
}

/// Publishes every dimension of `dimensions` from one walk of the cube (what a dashboard
/// view does).
pub fn publish_breakdowns(
    cube: &Cube,
    filter: &Filter,
    dimensions: &[Dimension],
    measures: &PublishedMeasures,
    office: Option<&OfficeCode>,
) -> Vec<PublishedBreakdown> {
    publish_breakdowns_within(cube, filter, dimensions, measures, office, &[], None)
}

/// [`publish_breakdowns`] for a region-filtered `cube` inside the `enclosing` views (see
/// [`publish_measures_within`]): a cell or category total that differs from the enclosing
/// view's by 1 to 4 is withheld.
pub fn publish_breakdowns_within(
    cube: &Cube,
    filter: &Filter,
    dimensions: &[Dimension],
    measures: &PublishedMeasures,
    office: Option<&OfficeCode>,
    enclosing: &[&Cube],
    inside: Option<(&RegionCode, &[(Dimension, OriginHidden)])>,
) -> Vec<PublishedBreakdown> {
    let outer: Vec<Vec<BreakdownCounts>> =
        enclosing.iter().map(|e| breakdown_counts_many(e, filter, dimensions)).collect();
    breakdown_counts_many(cube, filter, dimensions)
        .iter()
        .zip(dimensions)
        .enumerate()
        .map(|(i, (counts, d))| {
            let outer: Vec<&BreakdownCounts> = outer.iter().map(|o| &o[i]).collect();
            // The origins inside the filter's region count the same here as unfiltered.
            let same = inside.and_then(|(region, origins)| {
                let (_, hidden) = origins.iter().find(|(dimension, _)| dimension == d)?;
                Some((region, hidden))
            });
            let categories = ordered_categories(*d, counts.keys().cloned());
            let grids =
                suppressed_months_with(counts, &outer, filter, *d, measures, &categories, same);
            published_values(*d, filter, measures, office, categories, &grids)
        })
        .collect()
}

/// Publishes one breakdown's true counts (see [`publish_breakdown`]).
pub fn publish_counts(
    counts: &BreakdownCounts,
    filter: &Filter,
    dimension: Dimension,
    measures: &PublishedMeasures,
    office: Option<&OfficeCode>,
) -> PublishedBreakdown {
    publish_counts_within(counts, &[], filter, dimension, measures, office)
}

/// [`publish_counts`] with the true counts of the enclosing views' same breakdown (see
/// [`publish_breakdowns_within`]).
pub fn publish_counts_within(
    counts: &BreakdownCounts,
    enclosing: &[&BreakdownCounts],
    filter: &Filter,
    dimension: Dimension,
    measures: &PublishedMeasures,
    office: Option<&OfficeCode>,
) -> PublishedBreakdown {
    let categories = ordered_categories(dimension, counts.keys().cloned());
    let grids = suppressed_months(counts, enclosing, filter, dimension, measures, &categories);
    published_values(dimension, filter, measures, office, categories, &grids)
}

/// The shown values of a breakdown's suppressed months for one office or the region.
fn published_values(
    dimension: Dimension,
    filter: &Filter,
    measures: &PublishedMeasures,
    office: Option<&OfficeCode>,
    categories: Vec<String>,
    grids: &[super::suppress::SuppressedGrid],
) -> PublishedBreakdown {
    let months: Vec<Month> = filter.months().collect();
    let office_col = office.and_then(|o| measures.offices.iter().position(|x| x == o));
    let values = (0..categories.len())
        .map(|ci| {
            grids
                .iter()
                .map(|published| match office_col {
                    Some(oi) => published.cells[ci][oi],
                    None if office.is_some() => Shown::Count(0),
                    None => published.row_totals[ci],
                })
                .collect()
        })
        .collect();
    PublishedBreakdown { dimension, months, categories, values }
}

/// The suppressed categories x offices grid of a breakdown, month by month (see
/// [`publish_counts_within`]).
fn suppressed_months(
    counts: &BreakdownCounts,
    enclosing: &[&BreakdownCounts],
    filter: &Filter,
    dimension: Dimension,
    measures: &PublishedMeasures,
    categories: &[String],
) -> Vec<super::suppress::SuppressedGrid> {
    suppressed_months_with(counts, enclosing, filter, dimension, measures, categories, None)
}

/// [`suppressed_months`] hiding, for the categories inside `same`'s region, at least what
/// the unfiltered view hides for them.
fn suppressed_months_with(
    counts: &BreakdownCounts,
    enclosing: &[&BreakdownCounts],
    filter: &Filter,
    dimension: Dimension,
    measures: &PublishedMeasures,
    categories: &[String],
    same: Option<(&RegionCode, &OriginHidden)>,
) -> Vec<super::suppress::SuppressedGrid> {
    let unfiltered: Vec<Option<&HiddenMonths>> = categories
        .iter()
        .map(|c| {
            let (region, hidden) = same?;
            c.starts_with(region.as_str()).then(|| hidden.get(c)).flatten()
        })
        .collect();
    let grid_of = |counts: &BreakdownCounts, month: Month| -> Vec<Vec<u64>> {
        categories
            .iter()
            .map(|c| {
                measures
                    .offices
                    .iter()
                    .map(|o| {
                        counts.get(c).and_then(|m| m.get(&(month, o.clone()))).copied().unwrap_or(0)
                    })
                    .collect()
            })
            .collect()
    };
    filter
        .months()
        .enumerate()
        .map(|(mi, month)| {
            let grid = grid_of(counts, month);
            let outer: Vec<Vec<Vec<u64>>> = enclosing.iter().map(|e| grid_of(e, month)).collect();
            let (mut cells, mut row_totals) = forced_by_enclosing(&grid, &outer);
            add_hidden(&mut cells, &mut row_totals, &unfiltered, mi);
            let forced: Vec<bool> = (0..measures.offices.len())
                .map(|oi| match dimension.total_measure() {
                    Some(m) => measures.cell(m, mi, oi).is_hidden(),
                    // Outcomes and reasons: hide an office's column when any of its decision
                    // counts is hidden.
                    None => (1..=4).any(|m| measures.cell(m, mi, oi).is_hidden()),
                })
                .collect();
            // The categories' region-wide totals add up to the month's applications, shown
            // (or hidden) in the monthly figures.
            let grand_hidden =
                dimension.partitions_applications().then(|| measures.region(0, mi).is_hidden());
            suppress_table(
                &grid,
                &Forced { columns: &forced, cells: &cells, row_totals: &row_totals, grand_hidden },
            )
        })
        .collect()
}

/// Per month: which offices' cells of one category are hidden, and whether its month total is.
pub type HiddenMonths = Vec<(Vec<bool>, bool)>;

/// For each category of an origin breakdown (regency or district of origin) as the
/// unfiltered view publishes it: what is hidden, month by month.
pub type OriginHidden = HashMap<String, HiddenMonths>;

/// The unfiltered view's regency and district breakdowns, as [`OriginHidden`]. A view
/// filtered to a region shows the same counts for the region itself (its applications) and
/// for the origins inside it, so it must hide at least what these hide (or a cell withheld
/// there could be read off here).
pub fn origin_hidden(
    whole: &Cube,
    filter: &Filter,
    offices: &[OfficeCode],
) -> Vec<(Dimension, OriginHidden)> {
    let measures = publish_measures(whole, filter, offices);
    let dimensions = [Dimension::Regency, Dimension::District];
    breakdown_counts_many(whole, filter, &dimensions)
        .iter()
        .zip(dimensions)
        .map(|(counts, dimension)| {
            let categories = ordered_categories(dimension, counts.keys().cloned());
            let grids = suppressed_months(counts, &[], filter, dimension, &measures, &categories);
            let hidden = categories
                .iter()
                .enumerate()
                .map(|(row, category)| {
                    let months = grids
                        .iter()
                        .map(|g| {
                            let cells = g.cells[row].iter().map(|c| c.is_hidden()).collect();
                            (cells, g.row_totals[row].is_hidden())
                        })
                        .collect();
                    (category.clone(), months)
                })
                .collect();
            (dimension, hidden)
        })
        .collect()
}

/// Adds to `cells` and `row_totals` (one month of a categories x offices grid, or a single
/// row) what `hidden` says is hidden in month `month_index`.
fn add_hidden(
    cells: &mut [Vec<bool>],
    row_totals: &mut [bool],
    hidden: &[Option<&HiddenMonths>],
    month_index: usize,
) {
    for ((cells, total), hidden) in cells.iter_mut().zip(row_totals.iter_mut()).zip(hidden) {
        let Some((hidden_cells, hidden_total)) = hidden.and_then(|h| h.get(month_index)) else {
            continue;
        };
        for (c, h) in cells.iter_mut().zip(hidden_cells) {
            *c |= *h;
        }
        *total |= *hidden_total;
    }
}

/// Days from application to first decision in a month: how many, median and mean, hidden
/// when fewer than 5 decisions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DaysFigure {
    pub decisions: Shown,
    pub median: Option<u16>,
    pub mean: Option<f64>,
}

/// Days to first decision per month, for one office or all.
pub fn days_to_decision(
    cube: &Cube,
    filter: &Filter,
    office: Option<&OfficeCode>,
) -> Vec<(Month, DaysFigure)> {
    in_region(cube, filter, |cube, filter| days_in(cube, filter, office))
}

/// [`days_to_decision`] for a region-filtered `cube` inside the `enclosing` views (see
/// [`publish_measures_within`]): a month whose number of first decisions differs from an
/// enclosing view's by 1 to 4 is withheld with its median and mean.
pub fn days_to_decision_within(
    cube: &Cube,
    filter: &Filter,
    office: Option<&OfficeCode>,
    enclosing: &[&Cube],
) -> Vec<(Month, DaysFigure)> {
    let totals = |cube: &Cube| -> Vec<u64> {
        days_histograms(cube, filter, office).values().map(|h| h.iter().sum()).collect()
    };
    let outer: Vec<Vec<u64>> = enclosing.iter().map(|e| totals(e)).collect();
    let hist = days_histograms(cube, filter, office);
    hist.into_iter()
        .enumerate()
        .map(|(i, (m, h))| {
            let total: u64 = h.iter().sum();
            let leaks = outer.iter().any(|o| reveals_by_difference(o[i], total));
            let figure = days_figure(&h);
            if leaks && !figure.decisions.is_hidden() {
                (m, DaysFigure { decisions: Shown::Withheld, median: None, mean: None })
            } else {
                (m, figure)
            }
        })
        .collect()
}

fn days_in(cube: &Cube, filter: &Filter, office: Option<&OfficeCode>) -> Vec<(Month, DaysFigure)> {
    days_histograms(cube, filter, office).into_iter().map(|(m, h)| (m, days_figure(&h))).collect()
}

/// Per month of the filter: how many first decisions took each number of days.
fn days_histograms(
    cube: &Cube,
    filter: &Filter,
    office: Option<&OfficeCode>,
) -> BTreeMap<Month, Vec<u64>> {
    let office_index = office.map(|o| cube.offices.find(o).unwrap_or(NONE));
    let mut hist: BTreeMap<Month, Vec<u64>> =
        filter.months().map(|m| (m, vec![0u64; usize::from(MAX_DAYS) + 1])).collect();
    for (cell, &n) in &cube.days {
        if office_index.is_some_and(|o| o != cell.office) {
            continue;
        }
        if let Some(h) = hist.get_mut(&cell.month) {
            h[usize::from(cell.days)] += u64::from(n);
        }
    }
    hist
}

/// The published figure of one month's histogram (median and mean only from 5 decisions).
fn days_figure(h: &[u64]) -> DaysFigure {
    let total: u64 = h.iter().sum();
    let shown = Shown::of(total);
    if total < THRESHOLD {
        return DaysFigure { decisions: shown, median: None, mean: None };
    }
    let mut seen = 0;
    let half = total.div_ceil(2);
    let median = h.iter().position(|&n| {
        seen += n;
        seen >= half
    });
    let sum: u64 = h.iter().enumerate().map(|(d, &n)| d as u64 * n).sum();
    DaysFigure {
        decisions: shown,
        median: median.map(|d| d as u16),
        mean: Some(sum as f64 / total as f64),
    }
}
