//! Small-count suppression, applied to every published table (pages, API, CLI, downloads).
//!
//! - **Primary**: a count of 1 to 4 is shown as `<5`. Zero is shown as 0: it says that no one
//!   had the property, which singles no one out.
//! - **Complementary**: a table is a grid whose rows and columns both add up to published
//!   totals (a month's region-wide figure is the sum of its offices; a category table's
//!   total is the sum of its categories). Whenever a line (row or column) holds exactly one
//!   hidden cell, its smallest other cell (non-zero if there is one) is withheld too and
//!   shown as `x`, repeated until no line has a single hidden cell; then `total - shown
//!   cells` is always the sum of at least two hidden cells. A withheld cell is not shown as
//!   `<5`, which would misstate a large count. A total is computed from the true counts; it
//!   reads `<5` when it is 1 to 4, and `x` when its line is a single hidden cell.
//!
//! Pure functions over counts.

use serde::Serialize;

/// Counts below this (and above 0) are not shown.
pub const THRESHOLD: u64 = 5;

/// A published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(u64),
    /// 1 to 4: reads `<5`.
    Suppressed,
    /// Any count, hidden so that a `<5` cell cannot be worked out from a total: reads `x`.
    Withheld,
}

impl Shown {
    /// The count, `<5` or `x`.
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Suppressed => "<5".to_owned(),
            Shown::Withheld => "x".to_owned(),
        }
    }

    /// Whether the count is hidden (`<5` or `x`).
    pub fn is_hidden(self) -> bool {
        !matches!(self, Shown::Count(_))
    }

    /// A single count on its own (primary suppression only).
    pub fn of(n: u64) -> Shown {
        if (1..THRESHOLD).contains(&n) { Shown::Suppressed } else { Shown::Count(n) }
    }

    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            Shown::Suppressed | Shown::Withheld => None,
        }
    }
}

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Count(n) => s.serialize_u64(*n),
            Shown::Suppressed => s.serialize_str("<5"),
            Shown::Withheld => s.serialize_str("x"),
        }
    }
}

/// A grid with its suppressed cells and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedGrid {
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub total: Shown,
}

/// Suppresses a grid (rows x columns of counts; every row the same length) whose row and
/// column totals are published.
pub fn suppress_grid(grid: &[Vec<u64>]) -> SuppressedGrid {
    suppress_grid_forced(grid, &[])
}

/// [`suppress_grid`] with the non-zero cells of the columns marked in `forced_columns`
/// withheld from the start (their totals are hidden elsewhere, so the column must not add up
/// to them).
pub fn suppress_grid_forced(grid: &[Vec<u64>], forced_columns: &[bool]) -> SuppressedGrid {
    suppress_table(grid, &Forced { columns: forced_columns, ..Forced::default() })
}

/// What must be hidden in a table from the start, because of figures published elsewhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Forced<'a> {
    /// Columns whose total is hidden elsewhere: their non-zero cells are withheld.
    pub columns: &'a [bool],
    /// Cells (`cells[row][column]`) that must not be shown: a figure of an enclosing view
    /// minus this one would be 1 to 4.
    pub cells: &'a [Vec<bool>],
    /// Row totals that must not be shown, for the same reason.
    pub row_totals: &'a [bool],
    /// When the row totals add up to a total published elsewhere: whether that total is
    /// hidden there. Then no single row total may be hidden on its own (nor all shown when
    /// it is hidden), or it could be worked out by subtraction.
    pub grand_hidden: Option<bool>,
}

/// Suppresses a grid whose row and column totals are published, with the cells and totals
/// in `forced` hidden from the start. Every line (a row with its total, a column, and the
/// row totals with the grand total when [`Forced::grand_hidden`] is given) ends with no
/// single hidden element, so no hidden count equals a published total minus shown cells.
pub fn suppress_table(grid: &[Vec<u64>], forced: &Forced<'_>) -> SuppressedGrid {
    let rows = grid.len();
    let cols = grid.first().map_or(0, Vec::len);
    let flag = |list: &[bool], i: usize| list.get(i).copied().unwrap_or(false);
    let mut state: Vec<Vec<Shown>> = grid
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, &n)| {
                    let forced_cell = forced.cells.get(r).is_some_and(|row| flag(row, c));
                    if (1..THRESHOLD).contains(&n) {
                        Shown::Suppressed
                    } else if n > 0 && (flag(forced.columns, c) || forced_cell) {
                        Shown::Withheld
                    } else {
                        Shown::Count(n)
                    }
                })
                .collect()
        })
        .collect();
    let row_sums: Vec<u64> = grid.iter().map(|r| r.iter().sum()).collect();
    // Whether each row total is hidden (a small sum or forced).
    let mut row_hidden: Vec<bool> = row_sums
        .iter()
        .enumerate()
        .map(|(r, &sum)| Shown::of(sum).is_hidden() || (sum > 0 && flag(forced.row_totals, r)))
        .collect();
    loop {
        let mut changed = false;
        for (r, total_hidden) in row_hidden.iter_mut().enumerate() {
            let line: Vec<(usize, usize)> = (0..cols).map(|c| (r, c)).collect();
            if complement(grid, &mut state, &line, *total_hidden) {
                changed = true;
            } else if !*total_hidden
                && line.iter().filter(|&&(r, c)| state[r][c].is_hidden()).count() == 1
            {
                // A line of one hidden cell and nothing else to withhold: its total goes.
                *total_hidden = true;
                changed = true;
            }
        }
        for c in 0..cols {
            let line: Vec<(usize, usize)> = (0..rows).map(|r| (r, c)).collect();
            changed |= complement(grid, &mut state, &line, false);
        }
        if let Some(grand_hidden) = forced.grand_hidden {
            let hidden = row_hidden.iter().filter(|h| **h).count() + usize::from(grand_hidden);
            if hidden == 1 {
                let partner = (0..rows)
                    .filter(|&r| !row_hidden[r] && row_sums[r] > 0)
                    .min_by_key(|&r| (row_sums[r], r));
                if let Some(r) = partner {
                    row_hidden[r] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let row_totals = row_sums
        .iter()
        .zip(&row_hidden)
        .map(|(&sum, &hidden)| match Shown::of(sum) {
            Shown::Count(_) if hidden => Shown::Withheld,
            shown => shown,
        })
        .collect();
    let line_total = |cells: &[(usize, usize)]| {
        let hidden = cells.iter().filter(|&&(r, c)| state[r][c].is_hidden()).count();
        let sum: u64 = cells.iter().map(|&(r, c)| grid[r][c]).sum();
        match Shown::of(sum) {
            Shown::Count(_) if hidden == 1 => Shown::Withheld,
            shown => shown,
        }
    };
    let column_totals =
        (0..cols).map(|c| line_total(&(0..rows).map(|r| (r, c)).collect::<Vec<_>>())).collect();
    let total = Shown::of(grid.iter().flatten().sum());
    SuppressedGrid { cells: state, row_totals, column_totals, total }
}

/// One line: when exactly one element is hidden (a cell, or the line's total when
/// `total_hidden`), withholds the smallest other non-zero cell (or, when all others are 0,
/// another 0: the line's total equals the hidden cell).
fn complement(
    grid: &[Vec<u64>],
    state: &mut [Vec<Shown>],
    line: &[(usize, usize)],
    total_hidden: bool,
) -> bool {
    let hidden_count = line.iter().filter(|&&(r, c)| state[r][c].is_hidden()).count();
    if hidden_count + usize::from(total_hidden) != 1 {
        return false;
    }
    let partner = line
        .iter()
        .filter(|&&(r, c)| !state[r][c].is_hidden())
        .filter(|&&(r, c)| !total_hidden || grid[r][c] > 0)
        .min_by_key(|&&(r, c)| (grid[r][c] == 0, grid[r][c], r, c));
    match partner {
        Some(&(r, c)) => {
            state[r][c] = Shown::Withheld;
            true
        }
        // A line of one cell: its total mirrors it.
        None => false,
    }
}

/// Suppresses a single column of counts whose total is published.
pub fn suppress_column(counts: &[u64]) -> (Vec<Shown>, Shown) {
    let grid: Vec<Vec<u64>> = counts.iter().map(|&n| vec![n]).collect();
    let s = suppress_grid(&grid);
    (s.cells.into_iter().map(|r| r[0]).collect(), s.total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether some hidden cell's value follows from a published total minus shown cells.
    fn recoverable(grid: &[Vec<u64>], s: &SuppressedGrid) -> bool {
        let rows = grid.len();
        let cols = grid.first().map_or(0, Vec::len);
        let line_leaks = |cells: Vec<Shown>, total: Shown| {
            let hidden = cells.iter().filter(|c| c.is_hidden()).count();
            hidden == 1 && matches!(total, Shown::Count(_))
        };
        (0..rows).any(|r| line_leaks(s.cells[r].clone(), s.row_totals[r]))
            || (0..cols)
                .any(|c| line_leaks((0..rows).map(|r| s.cells[r][c]).collect(), s.column_totals[c]))
    }

    #[test]
    fn small_counts_read_less_than_five_and_zero_stays() {
        let s = suppress_grid(&[vec![0, 3, 120, 40]]);
        assert_eq!(s.cells[0][0], Shown::Count(0));
        assert_eq!(s.cells[0][1], Shown::Suppressed);
        // The row total is published, so the smallest other non-zero cell is withheld.
        assert_eq!(s.cells[0][3], Shown::Withheld);
        assert_eq!(Shown::Withheld.text(), "x");
        assert_eq!(s.cells[0][2], Shown::Count(120));
        assert_eq!(s.row_totals[0], Shown::Count(163));
        assert_eq!(Shown::Suppressed.text(), "<5");
    }

    #[test]
    fn no_line_of_a_grid_lets_a_hidden_cell_be_subtracted_out() {
        // A small deterministic generator: many grids with small and large counts.
        let mut x: u64 = 12345;
        for _ in 0..500 {
            let rows = 1 + (x % 5) as usize;
            let cols = 1 + ((x / 7) % 6) as usize;
            let mut grid = vec![vec![0u64; cols]; rows];
            for cell in grid.iter_mut().flatten() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *cell = match (x >> 33) % 4 {
                    0 => 0,
                    1 => (x >> 40) % 5,
                    _ => (x >> 40) % 60,
                };
            }
            let s = suppress_grid(&grid);
            assert!(!recoverable(&grid, &s), "{grid:?} -> {s:?}");
            for (r, row) in grid.iter().enumerate() {
                for (c, &n) in row.iter().enumerate() {
                    if (1..THRESHOLD).contains(&n) {
                        assert_eq!(s.cells[r][c], Shown::Suppressed);
                    }
                    if let Shown::Count(shown) = s.cells[r][c] {
                        assert_eq!(shown, n);
                    }
                }
            }
        }
    }

    #[test]
    fn category_totals_adding_up_to_a_shown_month_total_hide_in_pairs() {
        // Two regencies over three offices; the month's 103 applications are shown
        // elsewhere. Regency 2's total is 3 (<5): regency 1's total must not be shown, or
        // 103 - 100 gives it away.
        let grid = vec![vec![50, 30, 20], vec![3, 0, 0]];
        let forced = Forced { grand_hidden: Some(false), ..Forced::default() };
        let s = suppress_table(&grid, &forced);
        assert_eq!(s.row_totals[1], Shown::Suppressed);
        assert!(s.row_totals[0].is_hidden(), "{s:?}");
        let hidden_in_row_0 = s.cells[0].iter().filter(|c| c.is_hidden()).count();
        assert!(hidden_in_row_0 >= 1, "a hidden total needs a hidden cell: {s:?}");
        // And a month total hidden elsewhere cannot be rebuilt from shown category totals.
        let grid = vec![vec![50, 30], vec![40, 20]];
        let forced = Forced { grand_hidden: Some(true), ..Forced::default() };
        let s = suppress_table(&grid, &forced);
        assert!(s.row_totals.iter().filter(|t| t.is_hidden()).count() >= 1, "{s:?}");
    }

    #[test]
    fn forced_cells_and_totals_never_stand_alone_in_a_line() {
        let mut x: u64 = 99;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            x >> 33
        };
        for _ in 0..500 {
            let rows = 1 + (next() % 5) as usize;
            let cols = 1 + (next() % 5) as usize;
            let grid: Vec<Vec<u64>> = (0..rows)
                .map(|_| (0..cols).map(|_| [0, 3, 7, 12, 40][(next() % 5) as usize]).collect())
                .collect();
            let cells: Vec<Vec<bool>> =
                (0..rows).map(|_| (0..cols).map(|_| next() % 7 == 0).collect()).collect();
            let row_totals: Vec<bool> = (0..rows).map(|_| next() % 5 == 0).collect();
            let grand_hidden = Some(next() % 3 == 0);
            let forced = Forced {
                cells: &cells,
                row_totals: &row_totals,
                grand_hidden,
                ..Forced::default()
            };
            let s = suppress_table(&grid, &forced);
            for r in 0..rows {
                for c in 0..cols {
                    if cells[r][c] && grid[r][c] > 0 {
                        assert!(s.cells[r][c].is_hidden(), "{grid:?} {r},{c}");
                    }
                }
                let sum: u64 = grid[r].iter().sum();
                if row_totals[r] && sum > 0 {
                    assert!(s.row_totals[r].is_hidden());
                }
                // A row with its total: never exactly one hidden element.
                let hidden = s.cells[r].iter().filter(|c| c.is_hidden()).count()
                    + usize::from(s.row_totals[r].is_hidden());
                assert_ne!(hidden, 1, "{grid:?} -> {s:?}");
            }
            // The row totals with the month total: never exactly one hidden element.
            let hidden = s.row_totals.iter().filter(|t| t.is_hidden()).count()
                + usize::from(grand_hidden == Some(true));
            let nonzero_rows = grid.iter().filter(|r| r.iter().sum::<u64>() > 0).count();
            assert!(hidden != 1 || nonzero_rows <= 1, "{grid:?} -> {s:?}");
        }
    }

    #[test]
    fn a_lone_small_count_hides_its_total() {
        let (cells, total) = suppress_column(&[0, 2, 0]);
        assert_eq!(cells, vec![Shown::Withheld, Shown::Suppressed, Shown::Count(0)]);
        assert_eq!(total, Shown::Suppressed);
        let (cells, total) = suppress_column(&[50, 2]);
        assert_eq!(cells, vec![Shown::Withheld, Shown::Suppressed]);
        assert_eq!(total, Shown::Count(52));
    }
}
