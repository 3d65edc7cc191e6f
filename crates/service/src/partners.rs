//! Partner data in use (issue 15): the newest CPMI snapshot from SISKOP2MI, the licensed P3MI
//! list and BP3MI's returns/deportations, held in memory by [`crate::screening::Screening`]
//! (reloaded when a snapshot is imported anywhere), matched to applicants and turned into the
//! rules' facts `cpmi_status`, `cpmi_record_status`, `cpmi_recommendation`, `p3mi_licensed`
//! and `prior_deportation`.
//!
//! Matching a person record (CPMI, deportation) to an applicant: the same NIK, or the same
//! birth date and the same name within the identity engine's spelling tolerance
//! ([`jejak_matching::name::same_name`]: old/new spelling, variants, titles, typos). A P3MI is
//! matched by its folded company name ([`jejak_domain::partners::fold_company`]) against the
//! applicant's sponsor, else against the P3MI of the matched CPMI registration.
//!
//! A kind of which no snapshot was ever imported leaves its facts unknown: no check was
//! possible. Backtests do not use partner data (it describes today, not the application date).

use std::collections::HashMap;

use jejak_domain::partners::fold_company;
use jejak_domain::{
    CpmiRecord, CpmiStatus, DeportationRecord, NewApplication, P3miLicence, PartnerKind,
    PartnerSnapshot,
};
use jejak_matching::name::{NameNormaliser, NormalisedName, same_name};
use jejak_store::{AuditCtx, NewPartnerSnapshot, PartnerRecords, Store};
use serde::Serialize;
use time::Date;

use crate::{Result, ServiceError};

/// How a partner record was matched to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The same NIK.
    Nik,
    /// The same birth date and the same name within the spelling tolerance.
    NameBirthDate,
}

impl MatchedBy {
    /// The JSON value (`nik`, `name_birth_date`).
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Nik => "nik",
            MatchedBy::NameBirthDate => "name_birth_date",
        }
    }
}

/// The CPMI registration matched to an applicant, as the examination page, the API and
/// `jejak assess` show it (`"cpmi": {...}`). Fields after `status` are not serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CpmiMatch {
    // Serialised in alphabetical order, like every API reply.
    pub cpmi_id: String,
    pub destination_country: Option<String>,
    pub matched_by: MatchedBy,
    pub p3mi_name: Option<String>,
    pub status: CpmiStatus,
    /// The name as SISKOP2MI holds it.
    #[serde(skip)]
    pub full_name: String,
    #[serde(skip)]
    pub recommendation_no: Option<String>,
    /// The date of the snapshot the registration comes from.
    #[serde(skip)]
    pub snapshot_taken_on: Date,
}

/// A person list (CPMI registrations or deportations) indexed for matching.
#[derive(Debug, Default)]
struct PersonIndex {
    by_nik: HashMap<String, Vec<usize>>,
    by_birth: HashMap<Date, Vec<usize>>,
    names: Vec<NormalisedName>,
}

impl PersonIndex {
    fn build<'a>(
        normaliser: &NameNormaliser,
        people: impl Iterator<Item = (Option<&'a str>, &'a str, Option<Date>)>,
    ) -> Self {
        let mut index = PersonIndex::default();
        for (i, (nik, name, birth)) in people.enumerate() {
            if let Some(nik) = nik {
                index.by_nik.entry(nik.to_owned()).or_default().push(i);
            }
            if let Some(birth) = birth {
                index.by_birth.entry(birth).or_default().push(i);
            }
            index.names.push(normaliser.normalise(name));
        }
        index
    }

    /// The records matching the applicant: by NIK when any record has the NIK, else by birth
    /// date and name.
    fn matches(
        &self,
        normaliser: &NameNormaliser,
        app: &NewApplication,
    ) -> (Vec<usize>, MatchedBy) {
        if let Some(hits) = app.nik.as_ref().and_then(|n| self.by_nik.get(n.as_str())) {
            return (hits.clone(), MatchedBy::Nik);
        }
        let Some(hits) = app.birth_date.and_then(|b| self.by_birth.get(&b)) else {
            return (Vec::new(), MatchedBy::NameBirthDate);
        };
        let name = normaliser.normalise(&app.full_name);
        let found = hits.iter().copied().filter(|&i| same_name(&name, &self.names[i])).collect();
        (found, MatchedBy::NameBirthDate)
    }
}

/// The newest snapshot of each kind, ready for matching.
#[derive(Debug)]
pub struct PartnerData {
    normaliser: NameNormaliser,
    /// The highest snapshot change number loaded.
    seq: i64,
    cpmi: Option<(PartnerSnapshot, Vec<CpmiRecord>, PersonIndex)>,
    p3mi: Option<(PartnerSnapshot, Vec<P3miLicence>, Vec<String>)>,
    deportations: Option<(PartnerSnapshot, Vec<DeportationRecord>, PersonIndex)>,
}

impl PartnerData {
    /// No partner data: every partner fact stays unknown.
    pub fn empty() -> Result<Self> {
        Ok(Self { normaliser: normaliser()?, seq: 0, cpmi: None, p3mi: None, deportations: None })
    }

    /// Loads the newest snapshot of each kind from the store.
    pub async fn load(store: &dyn Store) -> Result<Self> {
        let seq = store.partner_change_seq().await?;
        let mut data = Self::empty()?;
        data.seq = seq;
        for kind in PartnerKind::ALL {
            let Some(snapshot) = store.latest_partner_snapshot(*kind).await? else { continue };
            match store.partner_records(&snapshot).await? {
                PartnerRecords::Cpmi(records) => {
                    let index = PersonIndex::build(
                        &data.normaliser,
                        records.iter().map(|r| {
                            (r.nik.as_ref().map(|n| n.as_str()), r.full_name.as_str(), r.birth_date)
                        }),
                    );
                    data.cpmi = Some((snapshot, records, index));
                }
                PartnerRecords::P3mi(records) => {
                    let folded = records.iter().map(|r| fold_company(&r.p3mi_name)).collect();
                    data.p3mi = Some((snapshot, records, folded));
                }
                PartnerRecords::Deportations(records) => {
                    let index = PersonIndex::build(
                        &data.normaliser,
                        records.iter().map(|r| {
                            (r.nik.as_ref().map(|n| n.as_str()), r.full_name.as_str(), r.birth_date)
                        }),
                    );
                    data.deportations = Some((snapshot, records, index));
                }
            }
        }
        Ok(data)
    }

    /// The highest snapshot change number this data reflects.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// The newest snapshot of a kind, if any was imported.
    pub fn snapshot(&self, kind: PartnerKind) -> Option<&PartnerSnapshot> {
        match kind {
            PartnerKind::Cpmi => self.cpmi.as_ref().map(|c| &c.0),
            PartnerKind::P3mi => self.p3mi.as_ref().map(|c| &c.0),
            PartnerKind::Deportations => self.deportations.as_ref().map(|c| &c.0),
        }
    }

    /// The applicant's CPMI registration in the newest snapshot: several matches give the one
    /// in force, then the most recently updated.
    pub fn cpmi_match(&self, app: &NewApplication) -> Option<CpmiMatch> {
        let (snapshot, records, index) = self.cpmi.as_ref()?;
        let (hits, matched_by) = index.matches(&self.normaliser, app);
        let best = hits
            .into_iter()
            .map(|i| &records[i])
            .max_by_key(|r| (r.status.in_force(), r.updated_on, r.recommendation_date))?;
        Some(CpmiMatch {
            cpmi_id: best.cpmi_id.clone(),
            status: best.status,
            destination_country: best.destination_country.map(|c| c.as_str().to_owned()),
            p3mi_name: best.p3mi_name.clone(),
            matched_by,
            full_name: best.full_name.clone(),
            recommendation_no: best.recommendation_no.clone(),
            snapshot_taken_on: snapshot.taken_on,
        })
    }

    /// Whether the named company holds a P3MI licence valid on `day`; `None` without a list.
    pub fn p3mi_licensed(&self, name: &str, day: Date) -> Option<bool> {
        let (_, records, folded) = self.p3mi.as_ref()?;
        let wanted = fold_company(name);
        if wanted.is_empty() {
            return None;
        }
        let wanted_name = self.normaliser.normalise(&wanted);
        Some(records.iter().zip(folded).any(|(r, f)| {
            r.valid_on(day)
                && (*f == wanted || same_name(&wanted_name, &self.normaliser.normalise(f)))
        }))
    }

    /// The applicant's returns and deportations dated before `before` (or undated); `None`
    /// without a list.
    pub fn deportations_of(
        &self,
        app: &NewApplication,
        before: Date,
    ) -> Option<Vec<&DeportationRecord>> {
        let (_, records, index) = self.deportations.as_ref()?;
        let (hits, _) = index.matches(&self.normaliser, app);
        Some(
            hits.into_iter()
                .map(|i| &records[i])
                .filter(|r| r.event_date.is_none_or(|d| d < before))
                .collect(),
        )
    }

    /// Sets the partner facts for one application (see the module doc).
    pub fn facts(
        &self,
        app: &NewApplication,
        set: &mut dyn FnMut(&str, jejak_rules::FactInput) -> Result<()>,
    ) -> Result<()> {
        let cpmi = self.cpmi_match(app);
        if self.cpmi.is_some() {
            let in_force = cpmi.as_ref().is_some_and(|c| c.status.in_force());
            set("cpmi_status", if in_force { "registered" } else { "not_found" }.into())?;
            let status = cpmi.as_ref().map_or("none", |c| c.status.as_str());
            set("cpmi_record_status", status.into())?;
            let recommendation =
                cpmi.as_ref().is_some_and(|c| c.recommendation_no.is_some() && in_force);
            set("cpmi_recommendation", recommendation.into())?;
        }
        let sponsor = app
            .sponsor_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| cpmi.as_ref().and_then(|c| c.p3mi_name.as_deref()));
        if let Some(licensed) = sponsor.and_then(|s| self.p3mi_licensed(s, app.applied_on)) {
            set("p3mi_licensed", licensed.into())?;
        }
        if let Some(found) = self.deportations_of(app, app.applied_on) {
            set("prior_deportation", (!found.is_empty()).into())?;
        }
        Ok(())
    }
}

fn normaliser() -> Result<NameNormaliser> {
    NameNormaliser::embedded()
        .map_err(|e| ServiceError::Internal(format!("the embedded name tables: {e}")))
}

/// What one partner import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerImport {
    pub snapshot: PartnerSnapshot,
}

/// Reads a partner file (CSV or JSON) and stores it as one snapshot dated `taken_on`: all or
/// nothing. Problems name the file, row and column ([`ServiceError::Invalid`], one per line).
pub async fn import_file(
    store: &dyn Store,
    kind: PartnerKind,
    file: &str,
    bytes: &[u8],
    taken_on: Date,
    ctx: &AuditCtx,
) -> Result<PartnerImport> {
    use jejak_interchange::partner::{read_cpmi, read_deportations, read_p3mi};
    let records = match kind {
        PartnerKind::Cpmi => read_cpmi(file, bytes).map(PartnerRecords::Cpmi),
        PartnerKind::P3mi => read_p3mi(file, bytes).map(PartnerRecords::P3mi),
        PartnerKind::Deportations => {
            read_deportations(file, bytes).map(PartnerRecords::Deportations)
        }
    }
    .map_err(|problems| {
        ServiceError::Invalid(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        )
    })?;
    let header = NewPartnerSnapshot { kind, taken_on, source: file.to_owned() };
    let snapshot = store.import_partner_snapshot(&header, &records, ctx).await?;
    Ok(PartnerImport { snapshot })
}
