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
    id: String,
    village: String,
    topic: ReportTopic,
    reported_on: Date,
    /// `reported_on` as shown (formatted once, not per link).
    reported_on_iso: String,
    status: &'static str,
    phones: Vec<String>,
    /// (birth date, close-key tokens) of persons named with a birth date.
    persons: Vec<(Date, Vec<String>)>,
    niks: Vec<String>,
    /// Significant tokens of each recruiter / agency name.
    orgs: Vec<Vec<String>>,
}

/// A report's place in the index: posting lists hold slots, not ids, so linking hashes small
/// integers and compares no strings until the alerts are written.
type Slot = u32;

/// Hashes a slot with one multiplication (slots are dense small integers; no attacker
/// chooses them).
#[derive(Debug, Default, Clone, Copy)]
struct SlotHasher(u64);

impl std::hash::Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type SlotMap<V> = HashMap<Slot, V, std::hash::BuildHasherDefault<SlotHasher>>;
type SlotSet = HashSet<Slot, std::hash::BuildHasherDefault<SlotHasher>>;

/// Open village reports by what links them.
#[derive(Debug, Default, Clone)]
pub struct VillageIndex {
    slots: Vec<Option<Entry>>,
    free: Vec<Slot>,
    by_id: HashMap<String, Slot>,
    by_phone: HashMap<String, Vec<Slot>>,
    by_village: HashMap<String, Vec<Slot>>,
    by_birth: HashMap<Date, Vec<Slot>>,
    by_nik: HashMap<String, Vec<Slot>>,
    by_org_token: HashMap<String, Vec<Slot>>,
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

/// The significant tokens of each recruiter and agency a report names.
fn report_orgs(report: &jejak_domain::NewVillageReport) -> Vec<Vec<String>> {
    report
        .recruiters
        .iter()
        .chain(report.agency.as_ref())
        .map(|n| org_tokens(n))
        .filter(|t| !t.is_empty())
        .collect()
}

fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return within_one_edit_of(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    within_one_edit_of(&a, &b)
}

/// One substitution, insertion or deletion at most (without allocating: screening calls
/// this for every report sharing a token with the sponsor).
fn within_one_edit_of<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let mut i = 0;
    while i < short.len() && short[i] == long[i] {
        i += 1;
    }
    if i == short.len() {
        return true;
    }
    if short.len() == long.len() {
        short[i + 1..] == long[i + 1..]
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

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<Slot>>, key: K, slot: Slot) {
    let list = map.entry(key).or_default();
    if !list.contains(&slot) {
        list.push(slot);
    }
}

fn pull<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<Slot>>, key: &K, slot: Slot) {
    if let Some(list) = map.get_mut(key) {
        list.retain(|x| *x != slot);
        if list.is_empty() {
            map.remove(key);
        }
    }
}

impl VillageIndex {
    /// The number of open reports held.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn entry(&self, slot: Slot) -> Option<&Entry> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
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
        let orgs = report_orgs(d);
        let entry = Entry {
            id: id.to_owned(),
            village: d.village.as_str().to_owned(),
            topic: d.topic,
            reported_on: d.reported_on,
            reported_on_iso: jejak_domain::date::iso(d.reported_on),
            status: report.status.as_str(),
            phones: d.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            persons,
            niks,
            orgs,
        };
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as Slot
            }
        };
        for phone in &entry.phones {
            push(&mut self.by_phone, phone.clone(), slot);
        }
        push(&mut self.by_village, entry.village.clone(), slot);
        for (birth, _) in &entry.persons {
            push(&mut self.by_birth, *birth, slot);
        }
        for nik in &entry.niks {
            push(&mut self.by_nik, nik.clone(), slot);
        }
        for token in entry.orgs.iter().flatten() {
            push(&mut self.by_org_token, token.clone(), slot);
        }
        self.by_id.insert(id.to_owned(), slot);
        if let Some(place) = self.slots.get_mut(slot as usize) {
            *place = Some(entry);
        }
    }

    /// Lets go of a report.
    pub fn remove(&mut self, id: &str) {
        let Some(slot) = self.by_id.remove(id) else { return };
        let Some(entry) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        self.free.push(slot);
        for phone in &entry.phones {
            pull(&mut self.by_phone, phone, slot);
        }
        pull(&mut self.by_village, &entry.village, slot);
        for (birth, _) in &entry.persons {
            pull(&mut self.by_birth, birth, slot);
        }
        for nik in &entry.niks {
            pull(&mut self.by_nik, nik, slot);
        }
        for token in entry.orgs.iter().flatten() {
            pull(&mut self.by_org_token, token, slot);
        }
    }

    /// The open reports linked to `app`, strongest link first, then newest report.
    pub fn link(&self, app: &NewApplication, normaliser: &NameNormaliser) -> Vec<VillageAlert> {
        #[derive(Default)]
        struct Found {
            reasons: Vec<(LinkedBy, std::rc::Rc<str>)>,
            via_person: bool,
            via_sponsor: bool,
            in_village: bool,
        }
        #[derive(Clone, Copy)]
        enum Via {
            Person,
            Sponsor,
            Village,
        }
        let mut found: SlotMap<Found> = SlotMap::default();
        // Each reason is written once per application, then shared by every report it names.
        let mut add = |slot: Slot, by: LinkedBy, reason: &std::rc::Rc<str>, via: Via| {
            let f = found.entry(slot).or_default();
            if !f.reasons.iter().any(|(_, r)| std::rc::Rc::ptr_eq(r, reason) || **r == **reason) {
                f.reasons.push((by, reason.clone()));
            }
            match via {
                Via::Person => f.via_person = true,
                Via::Sponsor => f.via_sponsor = true,
                Via::Village => f.in_village = true,
            }
        };
        if let Some(nik) = &app.nik
            && let Some(slots) = self.by_nik.get(nik.as_str())
        {
            let reason: std::rc::Rc<str> =
                format!("NIK {} disebut dalam laporan", nik.masked()).into();
            for slot in slots {
                add(*slot, LinkedBy::Person, &reason, Via::Person);
            }
        }
        if let Some(birth) = app.birth_date
            && let Some(slots) = self.by_birth.get(&birth)
        {
            let key = normaliser.normalise(&app.full_name).close_key;
            let reason: std::rc::Rc<str> = format!(
                "nama dan tanggal lahir ({}) sesuai orang yang disebut",
                jejak_domain::date::iso(birth)
            )
            .into();
            for slot in slots {
                let Some(entry) = self.entry(*slot) else { continue };
                if entry.persons.iter().any(|(b, tokens)| *b == birth && tokens_agree(&key, tokens))
                {
                    add(*slot, LinkedBy::Person, &reason, Via::Person);
                }
            }
        }
        if let Some(phone) = &app.phone
            && let Some(slots) = self.by_phone.get(phone.as_str())
        {
            let reason: std::rc::Rc<str> =
                format!("telepon pemohon {} disebut dalam laporan", phone.masked()).into();
            for slot in slots {
                add(*slot, LinkedBy::Phone, &reason, Via::Person);
            }
        }
        if let Some(phone) = &app.sponsor_phone
            && let Some(slots) = self.by_phone.get(phone.as_str())
        {
            let reason: std::rc::Rc<str> =
                format!("telepon sponsor {} disebut dalam laporan", phone.masked()).into();
            for slot in slots {
                add(*slot, LinkedBy::Phone, &reason, Via::Sponsor);
            }
        }
        if let Some(sponsor) = app.sponsor_name.as_deref() {
            let tokens = org_tokens(sponsor);
            let reason: std::rc::Rc<str> =
                format!("sponsor \"{}\" disebut sebagai perekrut/agen", sponsor.trim()).into();
            let mut seen = SlotSet::default();
            for token in &tokens {
                for slot in self.by_org_token.get(token).into_iter().flatten() {
                    if !seen.insert(*slot) {
                        continue;
                    }
                    let Some(entry) = self.entry(*slot) else { continue };
                    if entry.orgs.iter().any(|org| tokens_agree(&tokens, org)) {
                        add(*slot, LinkedBy::Recruiter, &reason, Via::Sponsor);
                    }
                }
            }
        }
        if let Some(village) = &app.village_code
            && let Some(slots) = self.by_village.get(village.as_str())
        {
            // A recruitment drive or a planned group departure in the home village, reported
            // in the twelve months before the application (or since).
            let since = app.applied_on - time::Duration::days(365);
            let reason: std::rc::Rc<str> =
                format!("laporan tentang desa domisili {}", village.dotted()).into();
            for slot in slots {
                let Some(entry) = self.entry(*slot) else { continue };
                if !matches!(entry.topic, ReportTopic::Recruiter | ReportTopic::PlannedDeparture)
                    || entry.reported_on < since
                {
                    continue;
                }
                add(*slot, LinkedBy::Village, &reason, Via::Village);
            }
        }
        let mut ranked: Vec<(LinkedBy, &Entry, Found)> = found
            .into_iter()
            .filter_map(|(slot, f)| {
                let entry = self.entry(slot)?;
                let linked_by = f.reasons.iter().map(|(by, _)| *by).min()?;
                Some((linked_by, entry, f))
            })
            .collect();
        ranked.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.1.reported_on.cmp(&a.1.reported_on))
                .then_with(|| a.1.id.cmp(&b.1.id))
        });
        ranked
            .into_iter()
            .map(|(linked_by, entry, f)| VillageAlert {
                report_id: entry.id.clone(),
                linked_by,
                reasons: f.reasons.iter().map(|(_, r)| r.to_string()).collect(),
                via_person: f.via_person,
                via_sponsor: f.via_sponsor,
                in_village: f.in_village,
                village_code: entry.village.clone(),
                topic: entry.topic.as_str(),
                reported_on: entry.reported_on_iso.clone(),
                status: entry.status,
            })
            .collect()
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

/// The stored applications the mirror finds linked to one report (whatever its status: the
/// page shows what the report named), each with its strongest link. The same rules as
/// screening, so the page and the screening agree: every application sharing a birth date,
/// the village or a contact group the report names is rebuilt from its brief and what the
/// group says it carries, and linked through a one-report index. The NIKs a report names are
/// not in the mirror: the caller asks the register for them.
pub fn linked_in_mirror(
    mirror: &crate::mirror::Mirror,
    report: &VillageReport,
) -> Vec<(jejak_domain::ApplicationKey, LinkedBy)> {
    /// What an application in a contact group carries.
    enum Carried {
        Phone(jejak_domain::Phone),
        SponsorPhone(jejak_domain::Phone),
        SponsorName(String),
    }
    let mut open = report.clone();
    open.status = jejak_domain::ReportStatus::New;
    let normaliser = mirror.normaliser();
    let mut index = VillageIndex::default();
    index.upsert(&open, normaliser);
    let d = &report.data;
    let contacts = mirror.contacts();
    let mut groups: HashMap<crate::contacts::GroupId, Carried> = HashMap::new();
    for phone in &d.phones {
        if let Some(id) = contacts.group_id(&crate::contacts::phone_group(phone.as_str())) {
            groups.insert(id, Carried::Phone(phone.clone()));
        }
        if let Some(id) = contacts.group_id(&format!("phone:{}", phone.as_str())) {
            groups.insert(id, Carried::SponsorPhone(phone.clone()));
        }
    }
    let orgs = report_orgs(d);
    if !orgs.is_empty() {
        for (id, folded) in contacts.sponsor_name_groups() {
            let tokens = org_tokens(folded);
            if orgs.iter().any(|org| tokens_agree(&tokens, org)) {
                groups.insert(id, Carried::SponsorName(folded.to_owned()));
            }
        }
    }
    let births: HashSet<Date> = d.persons.iter().filter_map(|p| p.birth_date).collect();
    let village = mirror.village_number(&d.village);
    mirror
        .briefs()
        .filter_map(|(key, brief)| {
            let carried: Vec<&Carried> = brief.groups().filter_map(|g| groups.get(&g)).collect();
            let born = brief.birth_date.is_some_and(|b| births.contains(&b));
            let here = village.is_some_and(|v| v == brief.village);
            if carried.is_empty() && !born && !here {
                return None;
            }
            let mut app = NewApplication::new(
                brief.application_id(),
                mirror.office_code(brief).clone(),
                brief.applied_on,
                brief.full_name(),
            );
            app.birth_date = brief.birth_date;
            app.village_code = mirror.village_code(brief).cloned();
            for c in carried {
                match c {
                    Carried::Phone(p) => app.phone = Some(p.clone()),
                    Carried::SponsorPhone(p) => app.sponsor_phone = Some(p.clone()),
                    Carried::SponsorName(n) => app.sponsor_name = Some(n.clone()),
                }
            }
            let alert = index.link(&app, normaliser).into_iter().next()?;
            Some((key, alert.linked_by))
        })
        .collect()
}

/// The alert `report` gives `app` (whatever the report's status), if it links.
pub fn link_one(
    report: &VillageReport,
    app: &NewApplication,
    normaliser: &NameNormaliser,
) -> Option<VillageAlert> {
    let mut open = report.clone();
    open.status = jejak_domain::ReportStatus::New;
    let mut index = VillageIndex::default();
    index.upsert(&open, normaliser);
    let alert = index.link(app, normaliser).into_iter().next()?;
    Some(VillageAlert { status: report.status.as_str(), ..alert })
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
