//! The in-memory index of open village reports and the linkage of an application to them
//! (issue 14 item 5). Derived state like the match index: built from the store at start-up and
//! refreshed from the change sequence by `Screening`. Linking is a handful of hash look-ups
//! (phones in E.164, the domicile village, the birth date or NIK of named persons, the folded
//! tokens of recruiter and agency names), then a name comparison through the identity
//! engine's normaliser on the few reports found, so it costs microseconds with thousands of
//! open reports. A link is a signal for the officer; it never changes a decision.

use std::collections::{HashMap, HashSet};

use jejak_domain::{NewApplication, ReportTopic, VillageReport};
use jejak_matching::name::NameNormaliser;
use serde::Serialize;
use time::Date;

/// Why a report is linked to an application, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkedBy {
    /// A person named in the report is the applicant (NIK, or name and birth date).
    Person,
    /// A phone in the report is the applicant's or the sponsor's.
    Phone,
    /// A recruiter or agency named in the report is the sponsor.
    Recruiter,
    /// The report is about the applicant's village of domicile.
    Village,
}

impl LinkedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkedBy::Person => "person",
            LinkedBy::Phone => "phone",
            LinkedBy::Recruiter => "recruiter",
            LinkedBy::Village => "village",
        }
    }
}

/// One report linked to an application, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageAlert {
    pub report_id: String,
    /// The strongest reason.
    pub linked_by: LinkedBy,
    /// Every reason, in words (Indonesian), e.g. "telepon sponsor 0812*****900".
    pub reasons: Vec<String>,
    /// Whether the link is through the sponsor (sponsor phone or recruiter name) rather
    /// than the applicant.
    #[serde(skip)]
    pub via_sponsor: bool,
    #[serde(skip)]
    pub via_person: bool,
    #[serde(skip)]
    pub in_village: bool,
    pub village_code: String,
    pub topic: &'static str,
    pub reported_on: String,
    pub status: &'static str,
}

/// The rules' facts from a set of alerts: (person, sponsor, village) report counts.
pub fn alert_counts(alerts: &[VillageAlert]) -> (i64, i64, i64) {
    let count = |f: &dyn Fn(&VillageAlert) -> bool| alerts.iter().filter(|a| f(a)).count() as i64;
    (count(&|a| a.via_person), count(&|a| a.via_sponsor), count(&|a| a.in_village))
}

#[derive(Debug, Clone)]
struct Entry {
    village: String,
    topic: ReportTopic,
    reported_on: Date,
    status: &'static str,
    phones: Vec<String>,
    /// (birth date, close-key tokens) of persons named with a birth date.
    persons: Vec<(Date, Vec<String>)>,
    niks: Vec<String>,
    /// Significant tokens of each recruiter / agency name.
    orgs: Vec<Vec<String>>,
}

/// Open village reports by what links them.
#[derive(Debug, Default, Clone)]
pub struct VillageIndex {
    reports: HashMap<String, Entry>,
    by_phone: HashMap<String, Vec<String>>,
    by_village: HashMap<String, Vec<String>>,
    by_birth: HashMap<Date, Vec<String>>,
    by_nik: HashMap<String, Vec<String>>,
    by_org_token: HashMap<String, Vec<String>>,
}

/// Words that do not identify an organisation or a recruiter.
const ORG_STOPWORDS: &[&str] = &[
    "pt", "cv", "ud", "pak", "bapak", "bu", "ibu", "haji", "hj", "h", "mas", "mbak", "bang", "tbk",
    "persero", "dan", "and", "the", "sdn", "bhd", "ltd", "co", "agency", "agen",
];

/// The tokens of an organisation or recruiter name that identify it: folded, ASCII letters
/// and digits, without legal forms and honorifics.
pub fn org_tokens(name: &str) -> Vec<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && !ORG_STOPWORDS.contains(t))
        .map(str::to_owned)
        .collect()
}

fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let mut i = 0;
    while i < short.len() && short[i] == long[i] {
        i += 1;
    }
    if short.len() == long.len() {
        short[i + 1.min(short.len() - i)..] == long[i + 1.min(long.len() - i)..]
    } else {
        short[i..] == long[i + 1..]
    }
}

fn token_agrees(a: &str, b: &str) -> bool {
    a == b || (a.len().min(b.len()) >= 4 && within_one_edit(a, b))
}

/// Whether two token lists name the same thing: every token of the shorter list agrees with
/// a token of the longer (equal, or one edit apart when 4 letters or longer), and the
/// shorter list has at least one token of 3 letters or more.
pub fn tokens_agree(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty()
        && short.iter().any(|t| t.len() >= 3)
        && short.iter().all(|t| long.iter().any(|u| token_agrees(t, u)))
}

fn push(map: &mut HashMap<String, Vec<String>>, key: String, id: &str) {
    let list = map.entry(key).or_default();
    if !list.iter().any(|x| x == id) {
        list.push(id.to_owned());
    }
}

fn pull(map: &mut HashMap<String, Vec<String>>, key: &str, id: &str) {
    if let Some(list) = map.get_mut(key) {
        list.retain(|x| x != id);
        if list.is_empty() {
            map.remove(key);
        }
    }
}

impl VillageIndex {
    /// The number of open reports held.
    pub fn len(&self) -> usize {
        self.reports.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }

    /// Adds a report, replaces its earlier state, or lets go of it once it is no longer open.
    pub fn upsert(&mut self, report: &VillageReport, normaliser: &NameNormaliser) {
        let id = report.data.report_id.as_str();
        self.remove(id);
        if !report.status.is_open() {
            return;
        }
        let d = &report.data;
        let mut persons = Vec::new();
        let mut niks = Vec::new();
        for p in &d.persons {
            if let Some(nik) = &p.nik {
                niks.push(nik.as_str().to_owned());
            }
            if let Some(birth) = p.birth_date {
                persons.push((birth, normaliser.normalise(&p.name).close_key));
            }
        }
        let orgs: Vec<Vec<String>> = d
            .recruiters
            .iter()
            .chain(d.agency.as_ref())
            .map(|n| org_tokens(n))
            .filter(|t| !t.is_empty())
            .collect();
        let entry = Entry {
            village: d.village.as_str().to_owned(),
            topic: d.topic,
            reported_on: d.reported_on,
            status: report.status.as_str(),
            phones: d.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            persons,
            niks,
            orgs,
        };
        for phone in &entry.phones {
            push(&mut self.by_phone, phone.clone(), id);
        }
        push(&mut self.by_village, entry.village.clone(), id);
        for (birth, _) in &entry.persons {
            let list = self.by_birth.entry(*birth).or_default();
            if !list.iter().any(|x| x == id) {
                list.push(id.to_owned());
            }
        }
        for nik in &entry.niks {
            push(&mut self.by_nik, nik.clone(), id);
        }
        for token in entry.orgs.iter().flatten() {
            push(&mut self.by_org_token, token.clone(), id);
        }
        self.reports.insert(id.to_owned(), entry);
    }

    /// Lets go of a report.
    pub fn remove(&mut self, id: &str) {
        let Some(entry) = self.reports.remove(id) else { return };
        for phone in &entry.phones {
            pull(&mut self.by_phone, phone, id);
        }
        pull(&mut self.by_village, &entry.village, id);
        for (birth, _) in &entry.persons {
            if let Some(list) = self.by_birth.get_mut(birth) {
                list.retain(|x| x != id);
                if list.is_empty() {
                    self.by_birth.remove(birth);
                }
            }
        }
        for nik in &entry.niks {
            pull(&mut self.by_nik, nik, id);
        }
        for token in entry.orgs.iter().flatten() {
            pull(&mut self.by_org_token, token, id);
        }
    }

    /// The open reports linked to `app`, strongest link first, then newest report.
    pub fn link(&self, app: &NewApplication, normaliser: &NameNormaliser) -> Vec<VillageAlert> {
        #[derive(Default)]
        struct Found {
            reasons: Vec<(LinkedBy, String)>,
            via_person: bool,
            via_sponsor: bool,
            in_village: bool,
        }
        let mut found: HashMap<&str, Found> = HashMap::new();
        let mut add = |id: &str, by: LinkedBy, reason: String, f: &dyn Fn(&mut Found)| {
            if let Some((key, _)) = self.reports.get_key_value(id) {
                let entry = found.entry(key.as_str()).or_default();
                if !entry.reasons.iter().any(|(_, r)| *r == reason) {
                    entry.reasons.push((by, reason));
                }
                f(entry);
            }
        };
        if let Some(nik) = &app.nik {
            for id in self.by_nik.get(nik.as_str()).into_iter().flatten() {
                add(
                    id,
                    LinkedBy::Person,
                    format!("NIK {} disebut dalam laporan", nik.masked()),
                    &|f| f.via_person = true,
                );
            }
        }
        if let Some(birth) = app.birth_date
            && let Some(ids) = self.by_birth.get(&birth)
        {
            let key = normaliser.normalise(&app.full_name).close_key;
            for id in ids {
                let Some(entry) = self.reports.get(id) else { continue };
                if entry.persons.iter().any(|(b, tokens)| *b == birth && tokens_agree(&key, tokens))
                {
                    let reason = format!(
                        "nama dan tanggal lahir ({}) sesuai orang yang disebut",
                        jejak_domain::date::iso(birth)
                    );
                    add(id, LinkedBy::Person, reason, &|f| f.via_person = true);
                }
            }
        }
        if let Some(phone) = &app.phone {
            for id in self.by_phone.get(phone.as_str()).into_iter().flatten() {
                let reason = format!("telepon pemohon {} disebut dalam laporan", phone.masked());
                add(id, LinkedBy::Phone, reason, &|f| f.via_person = true);
            }
        }
        if let Some(phone) = &app.sponsor_phone {
            for id in self.by_phone.get(phone.as_str()).into_iter().flatten() {
                let reason = format!("telepon sponsor {} disebut dalam laporan", phone.masked());
                add(id, LinkedBy::Phone, reason, &|f| f.via_sponsor = true);
            }
        }
        if let Some(sponsor) = app.sponsor_name.as_deref() {
            let tokens = org_tokens(sponsor);
            let mut seen = HashSet::new();
            for token in &tokens {
                for id in self.by_org_token.get(token).into_iter().flatten() {
                    if !seen.insert(id.as_str()) {
                        continue;
                    }
                    let Some(entry) = self.reports.get(id) else { continue };
                    if entry.orgs.iter().any(|org| tokens_agree(&tokens, org)) {
                        let reason =
                            format!("sponsor \"{}\" disebut sebagai perekrut/agen", sponsor.trim());
                        add(id, LinkedBy::Recruiter, reason, &|f| f.via_sponsor = true);
                    }
                }
            }
        }
        if let Some(village) = &app.village_code {
            // A recruitment drive or a planned group departure in the home village, reported
            // in the twelve months before the application (or since).
            let since = app.applied_on - time::Duration::days(365);
            for id in self.by_village.get(village.as_str()).into_iter().flatten() {
                let Some(entry) = self.reports.get(id) else { continue };
                if !matches!(entry.topic, ReportTopic::Recruiter | ReportTopic::PlannedDeparture)
                    || entry.reported_on < since
                {
                    continue;
                }
                let reason = format!("laporan tentang desa domisili {}", village.dotted());
                add(id, LinkedBy::Village, reason, &|f| f.in_village = true);
            }
        }
        let mut alerts: Vec<VillageAlert> = found
            .into_iter()
            .filter_map(|(id, f)| {
                let entry = self.reports.get(id)?;
                let linked_by = f.reasons.iter().map(|(by, _)| *by).min()?;
                Some(VillageAlert {
                    report_id: id.to_owned(),
                    linked_by,
                    reasons: f.reasons.into_iter().map(|(_, r)| r).collect(),
                    via_person: f.via_person,
                    via_sponsor: f.via_sponsor,
                    in_village: f.in_village,
                    village_code: entry.village.clone(),
                    topic: entry.topic.as_str(),
                    reported_on: jejak_domain::date::iso(entry.reported_on),
                    status: entry.status,
                })
            })
            .collect();
        alerts.sort_by(|a, b| {
            a.linked_by
                .cmp(&b.linked_by)
                .then_with(|| b.reported_on.cmp(&a.reported_on))
                .then_with(|| a.report_id.cmp(&b.report_id))
        });
        alerts
    }
}

/// An application linked to one report, for the report's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedApplication {
    pub key: jejak_domain::ApplicationKey,
    pub application_id: String,
    pub office: jejak_domain::OfficeCode,
    pub full_name: String,
    pub applied_on: Date,
    pub alert: VillageAlert,
}

/// The stored applications one report links to (whatever its status: the page shows what
/// the report named), strongest link first, then newest application; at most `limit`, with
/// the number found. A pass over the register with a one-report index: the same rules as
/// screening, so the page and the screening agree.
pub fn applications_linked(
    register: &crate::register::Register,
    report: &VillageReport,
    limit: usize,
) -> (Vec<LinkedApplication>, usize) {
    let mut open = report.clone();
    open.status = jejak_domain::ReportStatus::New;
    let normaliser = register.normaliser();
    let mut index = VillageIndex::default();
    index.upsert(&open, normaliser);
    let mut found: Vec<LinkedApplication> = register
        .applications()
        .filter_map(|(key, app)| {
            let alert = index.link(app, normaliser).into_iter().next()?;
            Some(LinkedApplication {
                key,
                application_id: app.application_id.clone(),
                office: app.office_code.clone(),
                full_name: app.full_name.clone(),
                applied_on: app.applied_on,
                alert: VillageAlert { status: report.status.as_str(), ..alert },
            })
        })
        .collect();
    found.sort_by(|a, b| {
        a.alert
            .linked_by
            .cmp(&b.alert.linked_by)
            .then_with(|| b.applied_on.cmp(&a.applied_on))
            .then_with(|| a.key.cmp(&b.key))
    });
    let total = found.len();
    found.truncate(limit);
    (found, total)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    #[test]
    fn one_edit_apart() {
        assert!(within_one_edit("rohmah", "rochmah"));
        assert!(within_one_edit("jaya", "jaja"));
        assert!(within_one_edit("abc", "abc"));
        assert!(!within_one_edit("rohmah", "rahmat"));
        assert!(within_one_edit("", "a"));
    }

    #[test]
    fn organisation_names_agree_folded_and_tolerant() {
        let a = org_tokens("PT. Maju Jaya");
        assert_eq!(a, ["maju", "jaya"]);
        assert!(tokens_agree(&a, &org_tokens("maju  jaya")));
        assert!(tokens_agree(&a, &org_tokens("CV Majuu Jaya")), "one letter off");
        assert!(tokens_agree(&org_tokens("Pak Joko"), &org_tokens("Joko Susilo")));
        assert!(!tokens_agree(&org_tokens("PT Maju Jaya"), &org_tokens("PT Sinar Jaya")));
        assert!(!tokens_agree(&org_tokens("PT"), &org_tokens("PT Sinar")));
    }
}
