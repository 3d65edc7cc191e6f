//! What to generate: how many persons, over which dates, with how many households and
//! re-applicants, and how evasive re-applicants vary their identity.

use time::Date;
use time::macros::date;

/// Settings of one generator run. `Config::default()` gives a realistic Lampung mix.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Distinct persons to generate (each applies once or more).
    pub persons: usize,
    /// Same seed, same config: same dataset, byte for byte.
    pub seed: u64,
    /// First day applications may be made (inclusive).
    pub start: Date,
    /// Last day applications may be made (inclusive); decisions after it stay pending.
    pub end: Date,
    /// Days before `end` whose applications are all still undecided: the offices' current
    /// backlog (the demo's work queue). 0 leaves only decisions that would fall after `end`.
    pub backlog_days: i64,
    /// Share of persons who belong to a household of two or more applicants (siblings,
    /// twins, spouses, parent and child).
    pub household_share: f64,
    /// Share of persons who apply more than once.
    pub reapplicant_share: f64,
    /// Share of re-applications after a deferral or refusal in which the person tries to
    /// stay unrecognised (the rest re-apply honestly with complete documents).
    pub evasive_share: f64,
    /// Share of evasive re-applications made by a determined evader, who changes several
    /// things at once from the list of issue 17 (name order, alias, bin/binti + father,
    /// joined tokens, dropped middle name, day/month swap, year off by one, a second NIK
    /// from another regency, new phone, new address) and nothing else.
    pub determined_share: f64,
    /// Scale of the omission of optional fields (0 = every field filled in).
    pub missing_rate: f64,
    /// How evasive re-applicants vary each field.
    pub variation: VariationRates,
}

impl Config {
    /// The evasive set of issue 17: many households (siblings and twins who share mother,
    /// father, village, phone and address) and re-applicants who, after a deferral or
    /// refusal, come back as determined evaders.
    pub fn evasive_set(persons: usize, seed: u64) -> Self {
        Self {
            persons,
            seed,
            household_share: 0.5,
            reapplicant_share: 0.4,
            evasive_share: 1.0,
            determined_share: 1.0,
            ..Self::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            persons: 1_000,
            seed: 1,
            start: date!(2023 - 01 - 01),
            end: date!(2025 - 12 - 31),
            backlog_days: 0,
            household_share: 0.2,
            reapplicant_share: 0.2,
            evasive_share: 0.7,
            determined_share: 0.0,
            missing_rate: 0.05,
            variation: VariationRates::default(),
        }
    }
}

/// Probabilities of each change in an evasive re-application. Every change is drawn
/// independently; afterwards changes are undone until at least `min_kept` of the five
/// anchors (NIK, birth date, phone, mother's name, village) are left as they were.
#[derive(Debug, Clone, PartialEq)]
pub struct VariationRates {
    /// Distribution of the number of changes to the name: index = number of changes.
    pub name_changes: [u32; 4],
    /// A different serial number in the same district and date.
    pub nik_serial: f64,
    /// A second NIK from another Lampung district.
    pub nik_district: f64,
    /// No NIK written.
    pub nik_omitted: f64,
    /// Day and month of birth swapped (when the day is at most 12).
    pub birth_swapped: f64,
    /// Year of birth one or two years off.
    pub birth_year: f64,
    pub phone_changed: f64,
    pub phone_omitted: f64,
    /// Moved to (or claims) another village.
    pub village_changed: f64,
    /// Same village, address written differently.
    pub address_rewritten: f64,
    pub mother_varied: f64,
    pub mother_omitted: f64,
    pub father_varied: f64,
    pub father_omitted: f64,
    pub birth_place_varied: f64,
    pub occupation_changed: f64,
    /// Applies at another office than the one before.
    pub office_changed: f64,
    /// Anchors left unchanged at least (0..=5).
    pub min_kept: usize,
    /// A determined evader's number of changes: index 0 = two, 1 = three, 2 = four.
    pub determined_changes: [u32; 3],
}

impl Default for VariationRates {
    fn default() -> Self {
        Self {
            name_changes: [20, 45, 27, 8],
            nik_serial: 0.15,
            nik_district: 0.2,
            nik_omitted: 0.12,
            birth_swapped: 0.15,
            birth_year: 0.06,
            phone_changed: 0.55,
            phone_omitted: 0.08,
            village_changed: 0.3,
            address_rewritten: 0.25,
            mother_varied: 0.25,
            mother_omitted: 0.08,
            father_varied: 0.15,
            father_omitted: 0.12,
            birth_place_varied: 0.2,
            occupation_changed: 0.3,
            office_changed: 0.7,
            min_kept: 2,
            determined_changes: [40, 40, 20],
        }
    }
}
