//! The monitoring aggregates (issue 16): counts per month, office and category, kept up to
//! date one application, decision, assessment or person change at a time, so a dashboard
//! reads a few thousand cells instead of the register.
//!
//! Pure: no I/O, no clock. [`Cube`] holds, per stored application, what it contributes
//! (its facts, risk band, cross-office flags and decisions) and the summed cells; every
//! change first withdraws the application's contribution and then adds the new one, so
//! the cells always equal a count over the applications held (tested against a direct count).
//!
//! What is counted where (no look-ahead: every figure of a month uses only events dated in
//! that month):
//! - applications, risk band, cross-office catches and the categories (origin, destination,
//!   purpose, sex, age band) by the month of `applied_on`; a catch by person is judged from
//!   the applications known on that date ([`caught_as_of`]);
//! - decisions by outcome and reason code by the month of their decision date;
//! - days from application to decision: each application's first decision, in its month.

use std::collections::HashMap;
use std::hash::Hash;

use jejak_domain::decision::REASON_CODES;
use jejak_domain::region::RegionLevel;
use jejak_domain::{
    ApplicationKey, CountryCode, Decision, DecisionKind, NewApplication, OfficeCode, Purpose,
    RegionCode, Sex,
};
use time::Date;

/// A calendar month as a number: `year * 12 + month - 1`.
pub type Month = i32;

/// The month of a date.
pub fn month_of(date: Date) -> Month {
    date.year() * 12 + i32::from(u8::from(date.month())) - 1
}

/// `YYYY-MM`.
pub fn month_label(month: Month) -> String {
    format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1)
}

/// Reads `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<Month> {
    let (y, m) = text.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month: i32 = m.parse().ok()?;
    (1..=12).contains(&month).then_some(year * 12 + month - 1)
}

/// Age bands at the application date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AgeBand {
    Under18,
    From18To24,
    From25To34,
    From35To44,
    From45To54,
    From55,
    Unknown,
}

impl AgeBand {
    pub const ALL: [AgeBand; 7] = [
        AgeBand::Under18,
        AgeBand::From18To24,
        AgeBand::From25To34,
        AgeBand::From35To44,
        AgeBand::From45To54,
        AgeBand::From55,
        AgeBand::Unknown,
    ];

    /// The band of someone born on `birth` at `on`.
    pub fn at(birth: Option<Date>, on: Date) -> AgeBand {
        let Some(birth) = birth else { return AgeBand::Unknown };
        let mut age = on.year() - birth.year();
        if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
            age -= 1;
        }
        match age {
            a if a < 0 => AgeBand::Unknown,
            0..=17 => AgeBand::Under18,
            18..=24 => AgeBand::From18To24,
            25..=34 => AgeBand::From25To34,
            35..=44 => AgeBand::From35To44,
            45..=54 => AgeBand::From45To54,
            _ => AgeBand::From55,
        }
    }

    /// The label used in tables and files (the same in both languages).
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under18 => "<18",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To54 => "45-54",
            AgeBand::From55 => "55+",
            AgeBand::Unknown => "?",
        }
    }
}

/// The risk band of an application's latest recorded assessment.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum RiskBand {
    Low,
    Medium,
    High,
    /// No assessment recorded.
    Unassessed,
}

impl RiskBand {
    pub const ALL: [RiskBand; 4] =
        [RiskBand::Low, RiskBand::Medium, RiskBand::High, RiskBand::Unassessed];

    /// Reads a stored band name (`low`, `medium`, `high`).
    pub fn parse(name: &str) -> RiskBand {
        match name {
            "low" => RiskBand::Low,
            "medium" => RiskBand::Medium,
            "high" => RiskBand::High,
            _ => RiskBand::Unassessed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RiskBand::Low => "low",
            RiskBand::Medium => "medium",
            RiskBand::High => "high",
            RiskBand::Unassessed => "unassessed",
        }
    }
}

/// What an application contributes, read from its data alone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppFacts {
    pub office: OfficeCode,
    pub applied_on: Date,
    /// The village of domicile when given, else the district of the NIK (where the person was
    /// first registered).
    pub origin: Option<RegionCode>,
    pub destination: Option<CountryCode>,
    pub purpose: Option<Purpose>,
    /// Declared, else read from the NIK.
    pub sex: Option<Sex>,
    pub age: AgeBand,
}

impl AppFacts {
    pub fn of(app: &NewApplication) -> AppFacts {
        let origin = app.village_code.clone().or_else(|| app.nik.as_ref().map(|n| n.district()));
        let sex = app.sex.or_else(|| app.nik.as_ref().map(|n| n.sex()));
        let birth = app
            .birth_date
            .or_else(|| app.nik.as_ref().and_then(|n| n.birth_date(app.applied_on, None)));
        AppFacts {
            office: app.office_code.clone(),
            applied_on: app.applied_on,
            origin,
            destination: app.destination_country,
            purpose: app.purpose,
            sex,
            age: AgeBand::at(birth, app.applied_on),
        }
    }
}

/// A decision as counted: kind, date and reason codes (bit `i` = `REASON_CODES[i]`; bit 15 =
/// a free-text reason only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DecisionFacts {
    pub id: i64,
    pub kind: DecisionKind,
    pub decided_on: Date,
    pub reasons: u16,
}

/// Bit for a decision whose reason is free text only.
pub const FREE_TEXT_REASON: u16 = 1 << 15;

impl DecisionFacts {
    pub fn of(decision: &Decision) -> DecisionFacts {
        let mut reasons = 0u16;
        for code in &decision.data.reason_codes {
            if let Some(i) = REASON_CODES.iter().position(|r| r.code.eq_ignore_ascii_case(code)) {
                reasons |= 1 << i;
            }
        }
        let has_text = decision.data.reason_text.as_deref().is_some_and(|t| !t.trim().is_empty());
        if reasons == 0 && has_text {
            reasons = FREE_TEXT_REASON;
        }
        DecisionFacts {
            id: decision.id,
            kind: decision.data.kind,
            decided_on: decision.data.decided_on,
            reasons,
        }
    }
}

/// Small numbers for repeated values (offices, regions, countries).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de> + Eq + std::hash::Hash"))]
pub struct Interner<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self { values: Vec::new(), index: HashMap::new() }
    }
}

impl<T: Clone + Eq + Hash> Interner<T> {
    pub fn intern(&mut self, value: &T) -> u32 {
        if let Some(&i) = self.index.get(value) {
            return i;
        }
        let i = self.values.len() as u32;
        self.values.push(value.clone());
        self.index.insert(value.clone(), i);
        i
    }

    pub fn get(&self, i: u32) -> Option<&T> {
        self.values.get(i as usize)
    }

    pub fn find(&self, value: &T) -> Option<u32> {
        self.index.get(value).copied()
    }

    pub fn values(&self) -> &[T] {
        &self.values
    }
}

/// "No value" in an interned field.
pub const NONE: u32 = u32::MAX;

/// What one margin of the applications table counts by. Each application adds one to a
/// cell of every margin (one per rule fired for [`Margin::Rule`], none for
/// [`Margin::CrossOffice`] unless caught), so a breakdown reads a few cells per month and
/// office instead of the applications.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Margin {
    /// Every application (category 0).
    All,
    /// Regency of origin (category: its id in [`Cube::regions`], or [`NONE`]).
    Regency,
    /// District of origin (the same).
    District,
    /// Destination (id in [`Cube::countries`], or [`NONE`]).
    Destination,
    /// Index in `Purpose::ALL`, or 255.
    Purpose,
    /// 0 = L, 1 = P, 2 = unknown.
    Sex,
    /// `AgeBand as u32`.
    AgeBand,
    /// `RiskBand as u32`.
    RiskBand,
    /// Caught re-applying across offices (category 1).
    CrossOffice,
    /// A rule fired by the latest assessment (id in [`Cube::rule_ids`]).
    Rule,
}

/// One cell of the applications table: applications by the month of `applied_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AppCell {
    pub month: Month,
    pub office: u32,
    pub margin: Margin,
    pub category: u32,
}

/// One cell of the decisions table (by decision month; office of the application).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DecisionCell {
    pub month: Month,
    pub office: u32,
    pub kind: DecisionKind,
    pub reasons: u16,
}

/// One cell of the days-to-decision table (first decisions, by decision month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DaysCell {
    pub month: Month,
    pub office: u32,
    /// Capped at [`MAX_DAYS`].
    pub days: u16,
}

/// Days to decision beyond this are counted as this.
pub const MAX_DAYS: u16 = 730;

/// What one application contributes, in small numbers (a national register holds tens of
/// millions: the facts' own strings would cost more than the counts).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Entry {
    applied_on: Date,
    /// [`Cube::origins`] id of the origin, or [`NONE`].
    origin: u32,
    /// Index in `Purpose::ALL`, or 255.
    purpose: u8,
    /// 0 = L, 1 = P, 2 = unknown.
    sex: u8,
    age: AgeBand,
    office: u32,
    /// Regency and district of origin ([`Cube::regions`] ids, or [`NONE`]).
    regency: u32,
    district: u32,
    destination: u32,
    band: RiskBand,
    rule_catch: bool,
    person_catch: bool,
    /// Rules fired by the latest assessment ([`Cube::rule_ids`]).
    rules: Vec<u32>,
    decisions: Vec<DecisionFacts>,
}

/// What an assessment contributes: band, whether R12/R16 fired, the rules fired.
type AssessmentFacts = (RiskBand, bool, Vec<u32>);

/// The aggregates and what each application contributes to them.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Cube {
    entries: HashMap<ApplicationKey, Entry>,
    /// Decisions whose application has not arrived yet.
    orphans: HashMap<ApplicationKey, Vec<DecisionFacts>>,
    /// Assessments (band, R12/R16 fired) whose application has not arrived yet.
    orphan_assessments: HashMap<ApplicationKey, AssessmentFacts>,
    pub offices: Interner<OfficeCode>,
    /// Regencies and districts of origin.
    pub regions: Interner<RegionCode>,
    /// Origins as given (villages, or NIK districts).
    origins: Interner<RegionCode>,
    pub countries: Interner<CountryCode>,
    /// (rule-set version, rule id) of every rule seen firing.
    pub rule_ids: Interner<(String, String)>,
    pub apps: HashMap<AppCell, u32>,
    pub decisions: HashMap<DecisionCell, u32>,
    pub days: HashMap<DaysCell, u32>,
}

/// Adds (or withdraws) what one application contributes to the tables.
fn count_entry(
    e: &Entry,
    apps: &mut HashMap<AppCell, u32>,
    decisions: &mut HashMap<DecisionCell, u32>,
    days: &mut HashMap<DaysCell, u32>,
    add: bool,
) {
    let month = month_of(e.applied_on);
    let office = e.office;
    let cell = |margin, category| AppCell { month, office, margin, category };
    for c in [
        cell(Margin::All, 0),
        cell(Margin::Regency, e.regency),
        cell(Margin::District, e.district),
        cell(Margin::Destination, e.destination),
        cell(Margin::Purpose, u32::from(e.purpose)),
        cell(Margin::Sex, u32::from(e.sex)),
        cell(Margin::AgeBand, e.age as u32),
        cell(Margin::RiskBand, e.band as u32),
    ] {
        bump(apps, c, add);
    }
    if e.rule_catch || e.person_catch {
        bump(apps, cell(Margin::CrossOffice, 1), add);
    }
    for &rule in &e.rules {
        bump(apps, cell(Margin::Rule, rule), add);
    }
    for d in &e.decisions {
        let c = DecisionCell {
            month: month_of(d.decided_on),
            office,
            kind: d.kind,
            reasons: d.reasons,
        };
        bump(decisions, c, add);
    }
    if let Some(d) = e.decisions.iter().min_by_key(|d| (d.decided_on, d.id)) {
        let waited = (d.decided_on - e.applied_on).whole_days().clamp(0, MAX_DAYS as i64);
        bump(days, DaysCell { month: month_of(d.decided_on), office, days: waited as u16 }, add);
    }
}

fn bump<K: Hash + Eq>(map: &mut HashMap<K, u32>, key: K, add: bool) {
    if add {
        *map.entry(key).or_insert(0) += 1;
    } else if let Some(n) = map.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            map.remove(&key);
        }
    }
}

fn sex_index(sex: Option<Sex>) -> u8 {
    match sex {
        Some(Sex::Male) => 0,
        Some(Sex::Female) => 1,
        None => 2,
    }
}

fn purpose_index(purpose: Option<Purpose>) -> u8 {
    purpose.and_then(|p| Purpose::ALL.iter().position(|q| *q == p)).map_or(u8::MAX, |i| i as u8)
}

impl Cube {
    pub fn new() -> Cube {
        Cube::default()
    }

    /// Applications held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The facts of a held application.
    pub fn facts(&self, key: ApplicationKey) -> Option<AppFacts> {
        let e = self.entries.get(&key)?;
        let view = self.view(e);
        Some(AppFacts {
            office: view.office.clone(),
            applied_on: e.applied_on,
            origin: view.origin.cloned(),
            destination: self.countries.get(e.destination).copied(),
            purpose: Purpose::ALL.get(usize::from(e.purpose)).copied(),
            sex: match e.sex {
                0 => Some(Sex::Male),
                1 => Some(Sex::Female),
                _ => None,
            },
            age: e.age,
        })
    }

    fn view<'a>(&'a self, e: &Entry) -> AppView<'a> {
        AppView {
            office: self.offices.get(e.office).unwrap_or_else(|| unnumbered_office()),
            origin: self.origins.get(e.origin),
            applied_on: e.applied_on,
        }
    }

    fn contribute(&mut self, key: ApplicationKey, add: bool) {
        let Cube { entries, apps, decisions, days, .. } = self;
        if let Some(e) = entries.get(&key) {
            count_entry(e, apps, decisions, days, add);
        }
    }

    /// The aggregates of the applications whose origin lies in `region` (a code prefix), with
    /// the same interned ids: what a region filter reads. Only the tables are filled (no
    /// entries: a view to query, not to update).
    pub fn restricted_to(&self, region: &RegionCode) -> Cube {
        self.restricted_to_each(std::slice::from_ref(region)).remove(0)
    }

    /// [`Cube::restricted_to`] for several regions in one pass over the applications (a
    /// district's view needs its own and its regency's).
    pub fn restricted_to_each(&self, regions: &[RegionCode]) -> Vec<Cube> {
        let mut out: Vec<Cube> = regions
            .iter()
            .map(|_| Cube {
                offices: self.offices.clone(),
                regions: self.regions.clone(),
                countries: self.countries.clone(),
                rule_ids: self.rule_ids.clone(),
                ..Cube::default()
            })
            .collect();
        // Which region each origin lies in, once per origin rather than per application.
        let inside: Vec<Vec<bool>> = self
            .origins
            .values()
            .iter()
            .map(|origin| regions.iter().map(|r| origin.as_str().starts_with(r.as_str())).collect())
            .collect();
        for e in self.entries.values() {
            let Some(inside) = inside.get(e.origin as usize) else { continue };
            for (within, cube) in inside.iter().zip(out.iter_mut()) {
                if *within {
                    count_entry(e, &mut cube.apps, &mut cube.decisions, &mut cube.days, true);
                }
            }
        }
        out
    }

    /// Adds an application or replaces its data (its decisions, band and flags stay).
    pub fn upsert(&mut self, key: ApplicationKey, app: &NewApplication) {
        let facts = AppFacts::of(app);
        let office = self.offices.intern(&facts.office);
        let mut origin_at = |level| {
            facts
                .origin
                .as_ref()
                .and_then(|r| r.ancestor(level))
                .map_or(NONE, |r| self.regions.intern(&r))
        };
        let regency = origin_at(RegionLevel::Regency);
        let district = origin_at(RegionLevel::District);
        let destination = facts.destination.as_ref().map_or(NONE, |c| self.countries.intern(c));
        let origin = facts.origin.as_ref().map_or(NONE, |r| self.origins.intern(r));
        let (purpose, sex) = (purpose_index(facts.purpose), sex_index(facts.sex));
        self.contribute(key, false);
        let orphan = self.orphan_assessments.remove(&key);
        let entry = self.entries.entry(key).or_insert_with(|| Entry {
            applied_on: facts.applied_on,
            origin,
            purpose,
            sex,
            age: facts.age,
            office,
            regency,
            district,
            destination,
            band: RiskBand::Unassessed,
            rule_catch: false,
            person_catch: false,
            rules: Vec::new(),
            decisions: Vec::new(),
        });
        if let Some((band, rule_catch, rules)) = orphan {
            entry.band = band;
            entry.rule_catch = rule_catch;
            entry.rules = rules;
        }
        entry.applied_on = facts.applied_on;
        entry.origin = origin;
        entry.purpose = purpose;
        entry.sex = sex;
        entry.age = facts.age;
        entry.office = office;
        entry.regency = regency;
        entry.district = district;
        entry.destination = destination;
        if let Some(orphans) = self.orphans.remove(&key) {
            for d in orphans {
                entry.decisions.retain(|x| x.id != d.id);
                entry.decisions.push(d);
            }
        }
        self.contribute(key, true);
    }

    /// Adds a decision (a repeated id replaces the earlier copy).
    pub fn add_decision(&mut self, key: ApplicationKey, decision: DecisionFacts) {
        if !self.entries.contains_key(&key) {
            let list = self.orphans.entry(key).or_default();
            list.retain(|x| x.id != decision.id);
            list.push(decision);
            return;
        }
        self.contribute(key, false);
        if let Some(e) = self.entries.get_mut(&key) {
            e.decisions.retain(|x| x.id != decision.id);
            e.decisions.push(decision);
        }
        self.contribute(key, true);
    }

    /// Sets the band, the cross-office flag (R12 or R16 fired) and the rules fired of the
    /// application's latest assessment under rule-set `version`.
    pub fn set_assessment(
        &mut self,
        key: ApplicationKey,
        band: RiskBand,
        r12_or_r16: bool,
        version: &str,
        fired: &[&str],
    ) {
        let mut rules: Vec<u32> = fired
            .iter()
            .map(|rule| self.rule_ids.intern(&(version.to_owned(), (*rule).to_owned())))
            .collect();
        rules.sort_unstable();
        rules.dedup();
        if !self.entries.contains_key(&key) {
            self.orphan_assessments.insert(key, (band, r12_or_r16, rules));
            return;
        }
        self.contribute(key, false);
        if let Some(e) = self.entries.get_mut(&key) {
            e.band = band;
            e.rule_catch = r12_or_r16;
            e.rules = rules;
        }
        self.contribute(key, true);
    }

    /// Sets whether the identity engine's person of this application has an earlier
    /// application at another office.
    pub fn set_person_catch(&mut self, key: ApplicationKey, caught: bool) {
        match self.entries.get(&key) {
            Some(e) if e.person_catch != caught => {}
            _ => return,
        }
        self.contribute(key, false);
        if let Some(e) = self.entries.get_mut(&key) {
            e.person_catch = caught;
        }
        self.contribute(key, true);
    }

    /// Forgets an application (deleted by retention), its decisions and its rules fired.
    pub fn remove(&mut self, key: ApplicationKey) {
        self.contribute(key, false);
        self.entries.remove(&key);
        self.orphans.remove(&key);
        self.orphan_assessments.remove(&key);
    }
}

impl Cube {
    /// Visits every held application: its facts, band, cross-office flag and decisions.
    pub fn for_each_application(
        &self,
        mut f: impl FnMut(AppView<'_>, RiskBand, bool, &[DecisionFacts]),
    ) {
        for e in self.entries.values() {
            f(self.view(e), e.band, e.rule_catch || e.person_catch, &e.decisions);
        }
    }
}

/// A held application's office, origin and date, borrowed from the cube.
#[derive(Debug, Clone, Copy)]
pub struct AppView<'a> {
    pub office: &'a OfficeCode,
    pub origin: Option<&'a RegionCode>,
    pub applied_on: Date,
}

#[cold]
fn unnumbered_office() -> &'static OfficeCode {
    panic!("a cube entry names an office the cube never numbered")
}

/// Whether `key` was caught re-applying across offices, judged by what was known on its own
/// application date: among the `members` of its person (application, office, applied_on),
/// an application at another office applied strictly earlier is reached from `key` through
/// direct joins (`joined`: auto-link matches and confirmed pairs) whose applications were
/// all applied on or before `key`'s date. So a later application that links two persons
/// never turns an earlier month's application into a catch (no look-ahead); only an
/// officer's verdict (a correction of the persons) can.
pub fn caught_as_of(
    key: ApplicationKey,
    members: &[(ApplicationKey, &OfficeCode, Date)],
    joined: impl Fn(ApplicationKey) -> Vec<ApplicationKey>,
) -> bool {
    let known: HashMap<ApplicationKey, (&OfficeCode, Date)> =
        members.iter().map(|(k, o, d)| (*k, (*o, *d))).collect();
    let Some(&(office, applied)) = known.get(&key) else {
        return false;
    };
    let mut seen = std::collections::HashSet::from([key]);
    let mut stack = vec![key];
    while let Some(at) = stack.pop() {
        for next in joined(at) {
            let Some(&(o, d)) = known.get(&next) else { continue };
            if d > applied || !seen.insert(next) {
                continue;
            }
            if o != office && d < applied {
                return true;
            }
            stack.push(next);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use jejak_domain::date::ymd;

    fn day(y: i32, m: u8, d: u8) -> Date {
        ymd(y, m, d).unwrap()
    }

    #[test]
    fn months_round_trip_and_order() {
        let m = month_of(day(2025, 12, 31));
        assert_eq!(month_label(m), "2025-12");
        assert_eq!(month_label(m + 1), "2026-01");
        assert_eq!(parse_month("2026-01"), Some(m + 1));
        assert_eq!(parse_month("2026-13"), None);
    }

    #[test]
    fn age_bands_turn_on_the_birthday() {
        let birth = Some(day(2000, 3, 15));
        assert_eq!(AgeBand::at(birth, day(2018, 3, 14)), AgeBand::Under18);
        assert_eq!(AgeBand::at(birth, day(2018, 3, 15)), AgeBand::From18To24);
        assert_eq!(AgeBand::at(None, day(2018, 3, 15)), AgeBand::Unknown);
    }

    fn app(office: &str, applied: Date) -> NewApplication {
        NewApplication::new("A-1", OfficeCode::parse(office).unwrap(), applied, "Siti")
    }

    #[test]
    fn a_change_moves_the_count_instead_of_adding_one() {
        let mut cube = Cube::new();
        let key = ApplicationKey(1);
        cube.upsert(key, &app("KLA", day(2025, 3, 31)));
        cube.set_assessment(key, RiskBand::High, false, "2025.1", &["R05", "R20"]);
        cube.upsert(key, &app("KLA", day(2025, 4, 1)));
        let margin = |cube: &Cube, m: Margin| -> Vec<AppCell> {
            cube.apps.keys().filter(|c| c.margin == m).copied().collect()
        };
        let all = margin(&cube, Margin::All);
        assert_eq!(all.len(), 1);
        assert_eq!(cube.apps[&all[0]], 1);
        assert_eq!(month_label(all[0].month), "2025-04");
        assert_eq!(margin(&cube, Margin::RiskBand)[0].category, RiskBand::High as u32);
        let rules = margin(&cube, Margin::Rule);
        assert_eq!(rules.len(), 2);
        assert!(rules.iter().all(|c| month_label(c.month) == "2025-04"));
        cube.set_assessment(key, RiskBand::Low, false, "2026.1", &["R05"]);
        let rules = margin(&cube, Margin::Rule);
        assert_eq!(rules.len(), 1, "a new assessment replaces the old one's rules");
        let rule = rules[0].category;
        assert_eq!(cube.rule_ids.get(rule), Some(&("2026.1".to_owned(), "R05".to_owned())));
        cube.remove(key);
        assert!(cube.apps.is_empty());
    }

    #[test]
    fn a_decision_before_its_application_is_kept_until_it_arrives() {
        let mut cube = Cube::new();
        let key = ApplicationKey(7);
        let d = DecisionFacts {
            id: 9,
            kind: DecisionKind::Deferred,
            decided_on: day(2025, 5, 2),
            reasons: 1,
        };
        cube.add_decision(key, d);
        assert!(cube.decisions.is_empty());
        cube.upsert(key, &app("BDL", day(2025, 4, 30)));
        assert_eq!(cube.decisions.values().sum::<u32>(), 1);
        let days = cube.days.keys().next().unwrap();
        assert_eq!(days.days, 2);
        assert_eq!(month_label(days.month), "2025-05");
    }

    #[test]
    fn only_an_earlier_application_elsewhere_is_a_catch() {
        let kla = OfficeCode::parse("KLA").unwrap();
        let bdl = OfficeCode::parse("BDL").unwrap();
        let a = (ApplicationKey(1), &kla, day(2025, 1, 10));
        let b = (ApplicationKey(2), &bdl, day(2025, 2, 10));
        let c = (ApplicationKey(3), &bdl, day(2025, 1, 10));
        let all_joined = |members: Vec<ApplicationKey>| {
            move |k: ApplicationKey| members.iter().copied().filter(|m| *m != k).collect()
        };
        let ab = all_joined(vec![a.0, b.0]);
        assert!(caught_as_of(ApplicationKey(2), &[a, b], &ab));
        assert!(!caught_as_of(ApplicationKey(1), &[a, b], &ab), "no look-ahead");
        let ac = all_joined(vec![a.0, c.0]);
        assert!(!caught_as_of(ApplicationKey(3), &[a, c], &ac), "same day is not earlier");
    }

    #[test]
    fn a_later_application_linking_two_persons_does_not_change_an_earlier_catch() {
        let kla = OfficeCode::parse("KLA").unwrap();
        let bdl = OfficeCode::parse("BDL").unwrap();
        // February at BDL and March at KLA are not matched to each other; an April
        // application matches both, so today they are one person.
        let feb = (ApplicationKey(1), &bdl, day(2025, 2, 10));
        let march = (ApplicationKey(2), &kla, day(2025, 3, 10));
        let april = (ApplicationKey(3), &kla, day(2025, 4, 10));
        let joined = |k: ApplicationKey| match k.0 {
            1 | 2 => vec![ApplicationKey(3)],
            _ => vec![ApplicationKey(1), ApplicationKey(2)],
        };
        let members = [feb, march, april];
        assert!(!caught_as_of(march.0, &members, joined), "March was not a catch in March");
        assert!(caught_as_of(april.0, &members, joined), "April is: February was at BDL");
    }
}
