//! An in-memory mirror of the register for screening: the match index over every stored
//! application, the applications' data and decision histories, persons (auto-link matches and
//! officers' verdicts, see [`crate::person_graph`]) and contact look-ups (phone, sponsor) for
//! the broker facts.
//!
//! Derived state only (ARCHITECTURE.md invariant 6): the live [`crate::screening::Screening`]
//! fills it from the store's change sequence, the backtest fills it day by day.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use jejak_domain::{
    Application, ApplicationKey, Decision, MatchDecision, NewApplication, OfficeCode, PersonId,
    RegionCode,
};
use jejak_interchange::Column;
use jejak_matching::{
    Band, FieldEvidence, MatchIndex, Model, Parameters, PreparedRecord, Record, RecordBuilder,
};
use rayon::prelude::*;
use time::Date;

pub use crate::contacts::sponsor_keys;
use crate::contacts::{Contacts, Household};
use crate::name_tokens::{NameTokens, TokenHits, token_count};
use crate::person_graph::{PersonGraph, PersonMove};
use crate::{Result, ServiceError};

pub(crate) mod brief;
mod snapshot;
use crate::stats::cube::Interner;
pub use brief::{Brief, DecisionBrief, ReasonSet};
use brief::{IdTable, NONE, record_hash};
pub use snapshot::MirrorParts;

/// Most candidates screening returns (and looks at when joining persons).
pub const SCREEN_LIMIT: usize = 20;

/// Id under which an application not (yet) in the register is screened; stored records use
/// their numeric key, so it never collides.
const QUERY_ID: &str = "query";

/// The matching record of an application: every interchange column the model compares, under
/// `id`.
pub fn record_of(model: &Model, id: &str, app: &NewApplication) -> Result<Record> {
    let cells = jejak_interchange::cells(app);
    let mut builder = RecordBuilder::new(model, id);
    for (column, value) in Column::ALL.iter().zip(cells.iter()) {
        if let Some(index) = model.column_index(column.canonical()) {
            builder.set_index(index, value);
        }
    }
    builder.build().map_err(|e| ServiceError::Invalid(format!("matching record {id}: {e}")))
}

/// Whether screening keeps only the candidates an officer is shown (auto-link or review band,
/// or with an officer's verdict) or every ranked one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShownOnly {
    Yes,
    No,
}

/// One stored application that may be the screened person.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenedCandidate {
    pub key: ApplicationKey,
    pub application_id: String,
    pub office_code: OfficeCode,
    pub applied_on: Date,
    /// The person the candidate belongs to (see [`Mirror::person_id`]).
    pub person_id: PersonId,
    pub probability: f64,
    pub match_weight: f64,
    pub band: Band,
    /// Field-by-field explanation from the matching engine.
    pub evidence: Vec<FieldEvidence>,
    pub history: HistorySummary,
    /// The latest officer's verdict on the pair (screened application, candidate), if the
    /// screened application is stored and an officer has judged the pair.
    pub verdict: Option<MatchDecision>,
}

/// A candidate application's decision history, as known at the reference date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySummary {
    /// Every decision, oldest first.
    pub decisions: Vec<DecisionSummary>,
    /// Deferrals, rejections and cancellations among them.
    pub adverse: usize,
    /// The latest end of a bar (`deferral_until`) still in force at the reference date.
    pub active_bar_until: Option<Date>,
}

/// One decision, as shown next to a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionSummary {
    pub kind: jejak_domain::DecisionKind,
    pub decided_on: Date,
    pub deferral_until: Option<Date>,
    pub reason_codes: Vec<String>,
}

/// The mirror. Not synchronised: [`crate::screening::Screening`] keeps it behind a lock.
#[derive(Debug)]
pub struct Mirror {
    model: Arc<Model>,
    index: MatchIndex,
    /// What is kept of each stored application (see [`brief`]).
    apps: HashMap<ApplicationKey, Brief>,
    /// Application keys by office and the office's application id.
    ids: IdTable,
    offices: Interner<OfficeCode>,
    villages: Interner<RegionCode>,
    decisions: HashMap<ApplicationKey, Vec<DecisionBrief>>,
    persons: PersonGraph,
    contacts: Contacts,
    names: NameTokens,
    /// Applications whose NIK is kept as written because it is not valid (few: legacy
    /// typing errors), with that NIK, for the NIK search (see [`Mirror::near_invalid_niks`]).
    invalid_niks: BTreeMap<ApplicationKey, Box<str>>,
    /// The latest application date held (never lowered): when it is before a cut-off date,
    /// every application is.
    latest_applied_on: Option<Date>,
}

impl Mirror {
    /// An empty mirror using `parameters` for scoring.
    pub fn new(model: Arc<Model>, parameters: Parameters) -> Self {
        Self {
            index: MatchIndex::new(model.clone(), parameters),
            model,
            apps: HashMap::new(),
            ids: IdTable::default(),
            offices: Interner::default(),
            villages: Interner::default(),
            decisions: HashMap::new(),
            persons: PersonGraph::default(),
            contacts: Contacts::default(),
            names: NameTokens::default(),
            invalid_niks: BTreeMap::new(),
            latest_applied_on: None,
        }
    }

    /// Parameters for a register: estimated from its applications (the model's defaults when
    /// there are too few, as the matching crate decides).
    pub fn estimate_parameters(model: &Model, apps: &[Application]) -> Result<Parameters> {
        let prepared: Vec<PreparedRecord> = apps
            .par_iter()
            .map(|a| record_of(model, &a.key.0.to_string(), &a.data).map(|r| model.prepare(&r)))
            .collect::<Result<_>>()?;
        Ok(jejak_matching::training::estimate_for_register(model, &prepared).0)
    }

    /// A mirror of `apps` and `decisions` without officers' match verdicts (see
    /// [`Mirror::build_with_verdicts`]).
    pub fn build(
        model: Arc<Model>,
        parameters: Option<Parameters>,
        apps: Vec<Application>,
        decisions: Vec<Decision>,
    ) -> Result<Self> {
        Self::build_with_verdicts(model, parameters, apps, decisions, Vec::new())
    }

    /// A mirror of `apps`, `decisions` and match `verdicts`, built on all cores: the index in
    /// one pass, then persons by screening every application against it and clustering the
    /// auto-link matches under the verdicts.
    pub fn build_with_verdicts(
        model: Arc<Model>,
        parameters: Option<Parameters>,
        apps: Vec<Application>,
        decisions: Vec<Decision>,
        verdicts: Vec<MatchDecision>,
    ) -> Result<Self> {
        let columns = model.columns().len();
        let (prepared, hashes): (Vec<PreparedRecord>, Vec<u64>) = apps
            .par_iter()
            .map(|a| {
                record_of(&model, &a.key.0.to_string(), &a.data)
                    .map(|r| (model.prepare(&r), record_hash(&r, columns)))
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .unzip();
        let parameters = match parameters {
            Some(p) => p,
            None => jejak_matching::training::estimate_for_register(&model, &prepared).0,
        };
        let index = MatchIndex::from_prepared(model.clone(), parameters, prepared);
        let prepared = |n: usize| {
            let app: &Application = &apps[n];
            record_of(&model, &app.key.0.to_string(), &app.data).map(|r| model.prepare(&r))
        };
        // Each record prepared again rather than kept from the build: a second copy of every
        // prepared record would double the build's peak memory.
        let links: Vec<((ApplicationKey, ApplicationKey), f64)> = (0..apps.len())
            .into_par_iter()
            .map(|n| {
                let record = prepared(n)?;
                let own = apps[n].key;
                Ok(index
                    .rank_prepared(&record, SCREEN_LIMIT)
                    .into_iter()
                    .filter(|c| c.band == Band::AutoLink)
                    .filter_map(|c| Some(((own, parse_key(&c.id)?), c.probability)))
                    .collect::<Vec<_>>())
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let mut mirror = Self { index, ..Self::new(model.clone(), Parameters::defaults(&model)) };
        for (app, hash) in apps.into_iter().zip(hashes) {
            mirror.remember(app, hash);
        }
        mirror.persons.add_links(links);
        let moves = mirror.persons.apply_verdicts(verdicts);
        mirror.follow_persons(moves);
        let moves = mirror.persons.cluster_everything();
        mirror.follow_persons(moves);
        for decision in decisions {
            mirror.add_decision(decision);
        }
        Ok(mirror)
    }

    /// Number of applications held.
    pub fn len(&self) -> usize {
        self.apps.len()
    }

    /// Whether no application is held.
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// The match index (for memory figures).
    /// The identity engine's name normaliser (village reports' named persons are compared
    /// through it).
    pub fn normaliser(&self) -> &jejak_matching::name::NameNormaliser {
        self.model.normaliser()
    }

    pub fn index(&self) -> &MatchIndex {
        &self.index
    }

    /// Adds or replaces an application, joining it to the persons it auto-links with (as far
    /// as the officers' verdicts allow). A replaced application whose compared fields did not
    /// change (a new decision changes only its outcome) keeps its matches.
    pub fn upsert(&mut self, app: Application) -> Result<()> {
        let id = app.key.0.to_string();
        let record = record_of(&self.model, &id, &app.data)?;
        let hash = record_hash(&record, self.model.columns().len());
        let unchanged = self.apps.get(&app.key).is_some_and(|old| old.record == hash);
        let key = app.key;
        if unchanged {
            self.remember(app, hash);
            return Ok(());
        }
        let prepared = self.model.prepare(&record);
        let links: Vec<(ApplicationKey, f64)> = self
            .index
            .rank_prepared(&prepared, SCREEN_LIMIT)
            .into_iter()
            .filter(|c| c.band == Band::AutoLink)
            .filter_map(|c| Some((parse_key(&c.id)?, c.probability)))
            .collect();
        self.index.upsert_prepared(prepared);
        self.remember(app, hash);
        let moves = self.persons.set_links_of(key, &links);
        self.follow_persons(moves);
        Ok(())
    }

    /// Forgets an application deleted by retention: the index, the contact groups, the
    /// name search, its decisions and its place in the persons all let go of it. False
    /// when it was not held.
    pub fn remove(&mut self, key: ApplicationKey) -> bool {
        let Some(app) = self.apps.remove(&key) else {
            return false;
        };
        let person = self.persons.person_of(key);
        self.index.remove(&key.0.to_string());
        self.ids.remove(&app, key);
        self.contacts.remove(key, &app, person);
        self.names.remove(self.model.normaliser(), key, app.full_name());
        self.invalid_niks.remove(&key);
        self.decisions.remove(&key);
        let moves = self.persons.remove_application(key);
        self.follow_persons(moves);
        true
    }

    /// Takes in officers' verdicts on pairs (the latest per pair counts) and re-forms the
    /// persons they touch.
    pub fn add_verdicts(&mut self, verdicts: Vec<MatchDecision>) {
        let moves = self.persons.apply_verdicts(verdicts);
        self.follow_persons(moves);
    }

    /// Adds a decision (a repeated id replaces the earlier copy).
    pub fn add_decision(&mut self, decision: Decision) {
        let list = self.decisions.entry(decision.data.application).or_default();
        list.retain(|d| d.id != decision.id);
        list.push(DecisionBrief::of(&decision));
        list.sort_by_key(|d| (d.decided_on, d.id));
    }

    /// What is kept of a stored application (the whole application is in the register).
    pub fn brief(&self, key: ApplicationKey) -> Option<&Brief> {
        self.apps.get(&key)
    }

    /// Whether an application is held.
    pub fn contains(&self, key: ApplicationKey) -> bool {
        self.apps.contains_key(&key)
    }

    /// Every stored application's brief, in no particular order.
    pub fn briefs(&self) -> impl Iterator<Item = (ApplicationKey, &Brief)> {
        self.apps.iter().map(|(key, brief)| (*key, brief))
    }

    /// The office code of a brief.
    pub fn office_code(&self, brief: &Brief) -> &OfficeCode {
        // Every brief's office is numbered when the brief is made.
        self.offices.get(brief.office).unwrap_or_else(|| unreachable_office())
    }

    /// The village code of a brief, if the application gave one.
    pub fn village_code(&self, brief: &Brief) -> Option<&RegionCode> {
        (brief.village != NONE).then(|| self.villages.get(brief.village)).flatten()
    }

    /// The number of a village code among the briefs', if any application names it.
    pub fn village_number(&self, village: &RegionCode) -> Option<u32> {
        self.villages.find(village)
    }

    /// The key of a stored application by office and the office's application id.
    pub fn key_of(&self, office: &OfficeCode, application_id: &str) -> Option<ApplicationKey> {
        let office = self.offices.find(office)?;
        self.ids.find(&self.apps, office, application_id)
    }

    /// Decisions of one application, oldest first.
    pub fn decisions_of(&self, key: ApplicationKey) -> &[DecisionBrief] {
        self.decisions.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The contact groups (see [`crate::contacts`]).
    pub(crate) fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    /// Approximate bytes held outside the match index, by part (for memory figures).
    pub fn memory_outside_index(&self) -> Vec<(&'static str, usize)> {
        let entry = |size: usize| size + 1;
        let briefs = self.apps.capacity() * entry(std::mem::size_of::<(ApplicationKey, Brief)>())
            + self.apps.values().map(|b| b.heap_bytes() + 16).sum::<usize>();
        let decisions = self.decisions.capacity()
            * entry(std::mem::size_of::<(ApplicationKey, Vec<DecisionBrief>)>())
            + self
                .decisions
                .values()
                .map(|d| d.capacity() * std::mem::size_of::<DecisionBrief>() + 16)
                .sum::<usize>();
        vec![("briefs", briefs), ("ids", self.ids.heap_bytes()), ("decisions", decisions)]
    }

    /// The person of an application: `P` and the key of the person's first application (the
    /// id rule is documented in [`crate::person_graph`]).
    pub fn person_id(&self, key: ApplicationKey) -> PersonId {
        PersonId::of_first(self.persons.person_of(key))
    }

    /// The applications of a person, ascending by key; `None` when `person` names no
    /// current person.
    pub fn person_members(&self, person: PersonId) -> Option<&[ApplicationKey]> {
        let members = self.persons.members_of(person.first_application());
        (!members.is_empty()).then_some(members)
    }

    /// The latest officer's verdict on a pair, either order.
    pub fn verdict(&self, a: ApplicationKey, b: ApplicationKey) -> Option<&MatchDecision> {
        self.persons.verdict(a, b)
    }

    /// The latest verdicts on pairs that include `key`.
    pub fn verdicts_of(&self, key: ApplicationKey) -> Vec<&MatchDecision> {
        self.persons.verdicts_of(key).collect()
    }

    /// Confirmed pairs among `members` that could not be joined because a rejection forbids
    /// it (the officers' verdicts contradict each other; the rejection wins).
    pub fn unresolved_confirmations(
        &self,
        members: &[ApplicationKey],
    ) -> Vec<(ApplicationKey, ApplicationKey)> {
        self.persons.conflicts_among(members)
    }

    /// The applications of the person whose first application is `first` (empty for an
    /// application that is a person on its own).
    pub fn members_of_person(&self, first: ApplicationKey) -> &[ApplicationKey] {
        self.persons.members_of(first)
    }

    /// The applications `key` is joined to directly (auto-link matches and confirmed pairs),
    /// ascending: the edges its person is formed from.
    pub fn joined_to(&self, key: ApplicationKey) -> Vec<ApplicationKey> {
        let mut keys: Vec<ApplicationKey> = self.persons.joined_to(key).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// The first application of `key`'s person: the person as a number (see
    /// [`Mirror::person_id`]).
    pub fn person_key(&self, key: ApplicationKey) -> ApplicationKey {
        self.persons.person_of(key)
    }

    /// Applications whose NIK, kept as written because it is not valid, the identity engine
    /// finds equal or close to `nik` (a mistyped copy of it), ascending by key.
    pub fn near_invalid_niks(&self, nik: &str) -> Vec<ApplicationKey> {
        self.invalid_niks
            .iter()
            .filter(|(_, written)| {
                matches!(
                    jejak_matching::nik_level(nik, written),
                    jejak_matching::Level::Exact | jejak_matching::Level::Close
                )
            })
            .map(|(key, _)| *key)
            .collect()
    }

    /// Other applications whose applicant phone equals `phone`.
    pub fn with_phone(&self, phone: &str) -> &[ApplicationKey] {
        self.contacts.with_phone(phone)
    }

    /// Other applications naming the same sponsor (sponsor phone `phone:...` or folded
    /// sponsor name `name:...`, see [`sponsor_keys`]).
    pub fn with_sponsor(&self, sponsor_key: &str) -> &[ApplicationKey] {
        self.contacts.members(sponsor_key)
    }

    /// Whether every application held was applied strictly before `cut`.
    pub fn all_applied_before(&self, cut: Date) -> bool {
        self.latest_applied_on.is_none_or(|latest| latest < cut)
    }

    /// Distinct persons with an application whose applicant phone is `phone`, other than the
    /// `excluded` persons (first applications, see [`Mirror::person_key`]) and persons all
    /// of whose applications there share `household`. Answered from kept aggregates.
    pub fn unrelated_sharing_phone(
        &self,
        phone: &str,
        household: &Household,
        excluded: &HashSet<ApplicationKey>,
    ) -> usize {
        let names = [crate::contacts::phone_group(phone)];
        self.contacts.unrelated_persons(&names, household, excluded, &self.persons, &self.apps)
    }

    /// As [`Mirror::unrelated_sharing_phone`], for applications naming any of the sponsor
    /// keys `sponsors` (see [`sponsor_keys`]).
    pub fn unrelated_sharing_sponsor(
        &self,
        sponsors: &[String],
        household: &Household,
        excluded: &HashSet<ApplicationKey>,
    ) -> usize {
        self.contacts.unrelated_persons(sponsors, household, excluded, &self.persons, &self.apps)
    }

    /// Applications whose name holds every token of `query` (spelling variants folded), at
    /// most `limit`, closest in length first, then newest.
    pub fn find_by_name_tokens(&self, query: &str, limit: usize) -> TokenHits {
        let normaliser = self.model.normaliser();
        self.names.find(normaliser, query, limit, |key| {
            self.apps.get(&key).map_or(usize::MAX, |a| usize::from(a.name_tokens))
        })
    }

    /// Screens an application: up to `limit` candidates, most probable first, with their
    /// history as known before `reference` (its application date). With `before`, only
    /// applications applied strictly before that date are candidates.
    pub fn screen(
        &self,
        app: &NewApplication,
        limit: usize,
        before: Option<Date>,
    ) -> Result<Vec<ScreenedCandidate>> {
        self.screen_keeping(app, limit, before, ShownOnly::No)
    }

    /// Like [`Mirror::screen`], but only the candidates an officer is shown: those in band
    /// auto-link or review, and those an officer gave a verdict on (a confirmed pair counts
    /// whatever its score; a rejected one is shown with its verdict).
    pub fn screen_shown(
        &self,
        app: &NewApplication,
        limit: usize,
        before: Option<Date>,
    ) -> Result<Vec<ScreenedCandidate>> {
        self.screen_keeping(app, limit, before, ShownOnly::Yes)
    }

    fn screen_keeping(
        &self,
        app: &NewApplication,
        limit: usize,
        before: Option<Date>,
        shown: ShownOnly,
    ) -> Result<Vec<ScreenedCandidate>> {
        let own = self.key_of(&app.office_code, &app.application_id);
        let id = own.map_or_else(|| QUERY_ID.to_owned(), |k| k.0.to_string());
        let record = record_of(&self.model, &id, app)?;
        let record = self.model.prepare(&record);
        // Ranked first, explained only when kept: explaining costs as much as ranking.
        let candidates = match (shown, own) {
            // An application not stored has no verdicts: only the review band and above are
            // shown, so pairs that cannot reach it need not be scored to the end.
            (ShownOnly::Yes, None) => {
                self.index.rank_prepared_at_least(&record, limit, self.model.thresholds().review)
            }
            _ => self.index.rank_prepared(&record, limit),
        };
        let keep = |band: Band, has_verdict: bool| match shown {
            ShownOnly::Yes => band != Band::NoMatch || has_verdict,
            ShownOnly::No => true,
        };
        Ok(candidates
            .into_iter()
            .filter_map(|c| {
                let key = parse_key(&c.id)?;
                let data = self.apps.get(&key)?;
                if before.is_some_and(|d| data.applied_on >= d) {
                    return None;
                }
                let verdict = own.and_then(|own| self.persons.verdict(own, key));
                if !keep(c.band, verdict.is_some()) {
                    return None;
                }
                Some(ScreenedCandidate {
                    key,
                    application_id: data.application_id().to_owned(),
                    office_code: self.office_code(data).clone(),
                    applied_on: data.applied_on,
                    person_id: self.person_id(key),
                    probability: c.probability,
                    match_weight: c.match_weight,
                    band: c.band,
                    evidence: self.index.explain(&record, &c.id)?,
                    history: self.history(key, app.applied_on, before),
                    verdict: verdict.cloned(),
                })
            })
            .collect())
    }

    /// Decision history of one application, decisions before `before` only when given, bars
    /// judged at `reference`.
    pub fn history(
        &self,
        key: ApplicationKey,
        reference: Date,
        before: Option<Date>,
    ) -> HistorySummary {
        let mut summary = HistorySummary::default();
        for d in self.decisions_of(key) {
            if before.is_some_and(|b| d.decided_on >= b) {
                continue;
            }
            if d.kind.is_adverse() {
                summary.adverse += 1;
            }
            if d.bar_active_on(reference) {
                summary.active_bar_until = summary.active_bar_until.max(d.deferral_until);
            }
            summary.decisions.push(DecisionSummary {
                kind: d.kind,
                decided_on: d.decided_on,
                deferral_until: d.deferral_until,
                reason_codes: d.reasons.codes(),
            });
        }
        summary
    }

    /// Keeps the brief of a stored application (replacing an earlier version's) and files it
    /// in the contact groups, the name search and the id table. `record` is the hash of its
    /// compared fields.
    fn remember(&mut self, app: Application, record: u64) {
        let key = app.key;
        let data = app.data;
        self.persons.add_application(key);
        let person = self.persons.person_of(key);
        let office = self.offices.intern(&data.office_code);
        let village = data.village_code.as_ref().map_or(NONE, |v| self.villages.intern(v));
        let normaliser = self.model.normaliser();
        let mut brief =
            Brief::of(&data, office, village, token_count(normaliser, &data.full_name), record);
        let old = self.apps.remove(&key);
        let same_contacts = old.as_ref().is_some_and(|old| {
            old.mother == brief.mother
                && old.address == brief.address
                && self.contacts.groups_of_existing(&data) == Some(old.groups)
        });
        if let Some(old) = &old {
            self.ids.remove(old, key);
            if same_contacts {
                brief.groups = old.groups;
            } else {
                self.contacts.remove(key, old, person);
            }
        }
        match &old {
            Some(old) if old.full_name() == data.full_name => {}
            _ => {
                if let Some(old) = &old {
                    self.names.remove(normaliser, key, old.full_name());
                }
                self.names.insert(normaliser, key, &data.full_name);
            }
        }
        self.latest_applied_on = self.latest_applied_on.max(Some(data.applied_on));
        match data.nik_text().filter(|_| !data.nik_valid()) {
            Some(written) => {
                self.invalid_niks.insert(key, written.into());
            }
            None => {
                self.invalid_niks.remove(&key);
            }
        }
        self.apps.insert(key, brief);
        self.ids.insert(&self.apps, key);
        if !same_contacts {
            let groups = self.contacts.add(key, &data, &self.apps, person);
            if let Some(brief) = self.apps.get_mut(&key) {
                brief.groups = groups;
            }
        }
    }

    /// Keeps the contact groups' persons in step with the person graph.
    fn follow_persons(&mut self, moves: Vec<PersonMove>) {
        for (key, from, to) in moves {
            if let Some(brief) = self.apps.get(&key) {
                self.contacts.move_person(brief.groups(), from, to);
            }
        }
    }
}

#[cold]
fn unreachable_office() -> &'static OfficeCode {
    panic!("a brief names an office the mirror never numbered")
}

fn parse_key(id: &str) -> Option<ApplicationKey> {
    id.parse().ok().map(ApplicationKey)
}
