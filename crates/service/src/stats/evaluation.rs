//! Programme evaluation of the Desa Binaan (issue 16 item 2): applicants from designated
//! villages before and after each village's designation date, against comparable villages
//! (same regency) not designated by then, as a staggered difference-in-differences.
//!
//! For every designated village (a cohort) with designation date D and a window of W
//! months: "before" is the W months up to D, "after" the W months from D. The comparison
//! villages of that cohort are the villages of the same regency that were not designated
//! before the end of its after window (never, or later: a village designated later is a
//! comparison for one designated earlier). Each outcome is counted per 1,000 applications;
//! the estimate is (designated after - before) - (comparison after - before). The pooled
//! row adds up the cohorts' counts.
//!
//! Pure: designations and applications are passed in (the Desa Binaan register is a
//! separate area); counts go through [`super::suppress`] before anything is shown.

use std::collections::HashMap;

use jejak_domain::RegionCode;
use time::Date;

use super::suppress::{Shown, suppress_grid};

/// A village and the date it became a Desa Binaan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    pub village: RegionCode,
    pub designated_on: Date,
}

/// What the evaluation needs of one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalApplication<'a> {
    /// The applicant's village (10 digits); others are not counted.
    pub village: &'a RegionCode,
    pub applied_on: Date,
    pub flagged_high: bool,
    /// Deferred or rejected (any decision on it).
    pub adverse: bool,
    /// Caught re-applying at another office.
    pub cross_office: bool,
}

/// The outcomes counted per 1,000 applications.
pub const OUTCOMES: [&str; 3] = ["flagged_high", "adverse", "cross_office"];

/// Counts of one group in one period: applications and each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub applications: u64,
    pub outcomes: [u64; 3],
}

/// One cohort's (or the pool's) raw counts: designated before/after, comparison before/after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortCounts {
    /// The designated village; `None` for the pooled row.
    pub village: Option<RegionCode>,
    pub designated_on: Option<Date>,
    pub comparison_villages: usize,
    /// `[treated before, treated after, comparison before, comparison after]`.
    pub groups: [Counts; 4],
}

/// The evaluation's true counts: one entry per designation (in order) and the pool last.
pub fn evaluate_counts(
    designations: &[Designation],
    applications: &[EvalApplication<'_>],
    window_months: u32,
) -> Vec<CohortCounts> {
    let designated: HashMap<&RegionCode, Date> =
        designations.iter().map(|d| (&d.village, d.designated_on)).collect();
    // Applications by village, for the comparison scan.
    let mut by_village: HashMap<&RegionCode, Vec<&EvalApplication<'_>>> = HashMap::new();
    for a in applications {
        by_village.entry(a.village).or_default().push(a);
    }
    let mut out = Vec::new();
    let mut pool = CohortCounts {
        village: None,
        designated_on: None,
        comparison_villages: 0,
        groups: [Counts::default(); 4],
    };
    for d in designations {
        let start = shift_months(d.designated_on, -(window_months as i32));
        let end = shift_months(d.designated_on, window_months as i32);
        let regency = d.village.as_str().get(..4).unwrap_or("");
        let mut cohort = CohortCounts {
            village: Some(d.village.clone()),
            designated_on: Some(d.designated_on),
            comparison_villages: 0,
            groups: [Counts::default(); 4],
        };
        for (village, apps) in &by_village {
            let treated = **village == d.village;
            let comparable = !treated
                && village.as_str().starts_with(regency)
                && designated.get(village).is_none_or(|on| *on >= end);
            if !treated && !comparable {
                continue;
            }
            if comparable {
                cohort.comparison_villages += 1;
            }
            for a in apps {
                let period = if a.applied_on >= start && a.applied_on < d.designated_on {
                    0
                } else if a.applied_on >= d.designated_on && a.applied_on < end {
                    1
                } else {
                    continue;
                };
                let g = &mut cohort.groups[if treated { period } else { 2 + period }];
                g.applications += 1;
                for (i, flag) in [a.flagged_high, a.adverse, a.cross_office].into_iter().enumerate()
                {
                    g.outcomes[i] += u64::from(flag);
                }
            }
        }
        for (p, c) in pool.groups.iter_mut().zip(cohort.groups.iter()) {
            p.applications += c.applications;
            for i in 0..3 {
                p.outcomes[i] += c.outcomes[i];
            }
        }
        pool.comparison_villages += cohort.comparison_villages;
        out.push(cohort);
    }
    out.push(pool);
    out
}

/// `date` moved by `months` calendar months (the day clamped to the month's length).
pub fn shift_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
    let mut day = date.day();
    loop {
        if let Some(d) = jejak_domain::date::ymd(year, month, day) {
            return d;
        }
        day -= 1;
    }
}

/// One published figure: a count and its rate per 1,000 applications (hidden with the count).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: Shown,
    pub per_thousand: Option<f64>,
}

/// A published cohort row: per group the applications and per outcome the rate, and per
/// outcome the difference-in-differences (only when all four rates are shown).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedCohort {
    pub village: Option<RegionCode>,
    pub designated_on: Option<Date>,
    pub comparison_villages: usize,
    pub applications: [Shown; 4],
    /// `rates[outcome][group]`.
    pub rates: [[Rate; 4]; 3],
    pub estimate: [Option<f64>; 3],
}

/// Suppresses the counts (cohorts x groups grids with the pool as the column totals) and
/// computes the rates and estimates from what is shown.
pub fn publish(counts: &[CohortCounts]) -> Vec<PublishedCohort> {
    let cohorts = &counts[..counts.len().saturating_sub(1)];
    if cohorts.is_empty() {
        // No designation: nothing to compare (not even a pooled row).
        return Vec::new();
    }
    let grid_of = |f: &dyn Fn(&Counts) -> u64| -> Vec<Vec<u64>> {
        cohorts.iter().map(|c| c.groups.iter().map(f).collect()).collect()
    };
    let apps = suppress_grid(&grid_of(&|g| g.applications));
    let outcomes: Vec<_> =
        (0..3).map(|i| suppress_grid(&grid_of(&|g: &Counts| g.outcomes[i]))).collect();
    let mut out = Vec::new();
    for (ci, c) in counts.iter().enumerate() {
        let pooled = ci == cohorts.len();
        let app_cells: [Shown; 4] =
            std::array::from_fn(|g| if pooled { apps.column_totals[g] } else { apps.cells[ci][g] });
        let rates: [[Rate; 4]; 3] = std::array::from_fn(|o| {
            std::array::from_fn(|g| {
                let count =
                    if pooled { outcomes[o].column_totals[g] } else { outcomes[o].cells[ci][g] };
                let per_thousand = match (count, app_cells[g]) {
                    (Shown::Count(n), Shown::Count(a)) if a > 0 => {
                        Some(n as f64 * 1000.0 / a as f64)
                    }
                    _ => None,
                };
                Rate { count, per_thousand }
            })
        });
        let estimate: [Option<f64>; 3] = std::array::from_fn(|o| {
            let r = rates[o];
            Some(
                (r[1].per_thousand? - r[0].per_thousand?)
                    - (r[3].per_thousand? - r[2].per_thousand?),
            )
        });
        out.push(PublishedCohort {
            village: c.village.clone(),
            designated_on: c.designated_on,
            comparison_villages: c.comparison_villages,
            applications: app_cells,
            rates,
            estimate,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jejak_domain::date::ymd;

    fn day(y: i32, m: u8, d: u8) -> Date {
        ymd(y, m, d).unwrap()
    }

    #[test]
    fn staggered_cohorts_compare_with_villages_not_yet_designated() {
        let early = RegionCode::parse("1809012004").unwrap();
        let late = RegionCode::parse("1809012005").unwrap();
        let never = RegionCode::parse("1809012006").unwrap();
        let elsewhere = RegionCode::parse("1810032001").unwrap();
        let designations = vec![
            Designation { village: early.clone(), designated_on: day(2024, 1, 1) },
            Designation { village: late.clone(), designated_on: day(2025, 6, 1) },
        ];
        let mut apps = Vec::new();
        let mut add = |v: &'static RegionCode, on: Date, flagged: bool| {
            apps.push(EvalApplication {
                village: v,
                applied_on: on,
                flagged_high: flagged,
                adverse: false,
                cross_office: false,
            });
        };
        let early: &'static RegionCode = Box::leak(Box::new(early));
        let late: &'static RegionCode = Box::leak(Box::new(late));
        let never: &'static RegionCode = Box::leak(Box::new(never));
        let elsewhere: &'static RegionCode = Box::leak(Box::new(elsewhere));
        add(early, day(2023, 12, 31), true); // before, flagged
        add(early, day(2024, 1, 1), false); // after (on the day)
        add(early, day(2022, 12, 31), true); // outside the 12-month window
        add(late, day(2023, 6, 1), true); // comparison for `early`, before
        add(late, day(2024, 6, 1), false); // comparison, after
        add(never, day(2024, 2, 1), true); // comparison, after
        add(elsewhere, day(2024, 2, 1), true); // another regency: not comparable
        let counts = evaluate_counts(&designations, &apps, 12);
        assert_eq!(counts.len(), 3);
        let first = &counts[0];
        assert_eq!(first.comparison_villages, 2, "late and never, not elsewhere");
        assert_eq!(first.groups[0], Counts { applications: 1, outcomes: [1, 0, 0] });
        assert_eq!(first.groups[1], Counts { applications: 1, outcomes: [0, 0, 0] });
        assert_eq!(first.groups[2], Counts { applications: 1, outcomes: [1, 0, 0] });
        assert_eq!(first.groups[3], Counts { applications: 2, outcomes: [1, 0, 0] });
        // `early` was designated before `late`'s after window ends: not its comparison.
        let second = &counts[1];
        assert_eq!(second.comparison_villages, 1);
        assert_eq!(second.groups[0].applications, 1, "late's own application of 2024-06");
        let pool = &counts[2];
        assert_eq!(pool.groups[0].applications, 2);
        assert!(publish(&evaluate_counts(&[], &apps, 12)).is_empty());
        // Everything here is below 5: nothing is shown.
        let published = publish(&counts);
        assert!(published.iter().all(|c| c.estimate.iter().all(Option::is_none)));
    }

    #[test]
    fn rates_and_estimate_from_large_counts() {
        let c = |a, f| Counts { applications: a, outcomes: [f, 0, 0] };
        let cohort = CohortCounts {
            village: Some(RegionCode::parse("1809012004").unwrap()),
            designated_on: Some(day(2024, 1, 1)),
            comparison_villages: 3,
            groups: [c(200, 20), c(250, 10), c(1000, 50), c(1000, 50)],
        };
        let pool = CohortCounts { village: None, designated_on: None, ..cohort.clone() };
        let published = publish(&[cohort, pool]);
        let r = published[0].rates[0];
        assert_eq!(r[0].per_thousand, Some(100.0));
        assert_eq!(r[1].per_thousand, Some(40.0));
        let estimate = published[0].estimate[0].unwrap();
        assert!((estimate - (-60.0)).abs() < 1e-9, "{estimate}");
        assert_eq!(shift_months(day(2024, 3, 31), -1), day(2024, 2, 29));
    }
}
