//! Searching the register by NIK, phone, passport number or name (fuzzy, through the identity
//! engine, so "Soeryani" finds "Suryani"). Lists show NIK and phone masked (UU PDP: a list is
//! not a purpose to see them whole).

use jejak_domain::{
    Application, ApplicationKey, IdentifierField, NewApplication, Nik, OfficeCode, Outcome,
    PassportNo, PersonId, Phone,
};
use jejak_store::ApplicationQuery;
use time::Date;

use crate::authz::{Action, Actor};
use crate::casework::Casework;
use crate::{Result, ServiceError};

/// Most hits a search returns.
pub const SEARCH_LIMIT: u32 = 50;

/// What the query was understood as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Nik,
    Phone,
    Passport,
    Name,
}

/// One application found, personal identifiers masked.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub key: ApplicationKey,
    pub application_id: String,
    pub office_code: OfficeCode,
    pub applied_on: Date,
    pub full_name: String,
    pub nik_masked: Option<String>,
    /// `false` when the NIK is kept as written because it is not valid.
    pub nik_valid: bool,
    pub phone_masked: Option<String>,
    pub birth_date: Option<Date>,
    pub outcome: Outcome,
    pub person_id: PersonId,
    /// Match probability for name searches.
    pub probability: Option<f64>,
    /// A protected person's application: only its existence is shown (no name, NIK, phone
    /// or birth date).
    pub protected: bool,
}

/// The found applications and how the query was read.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub kind: SearchKind,
    pub hits: Vec<SearchHit>,
    /// More applications matched than `hits` shows (the officer should type more).
    pub truncated: bool,
}

/// `1807055203950003` -> `1807********0003`.
pub fn mask_nik(nik: &str) -> String {
    mask_middle(nik, 4, 4)
}

/// `+6281234567890` -> `+62812*****890`.
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 6, 3)
}

fn mask_middle(text: &str, keep_head: usize, keep_tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_head + keep_tail {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep_head - keep_tail;
    let mut out: String = chars[..keep_head].iter().collect();
    out.extend(std::iter::repeat_n('*', hidden));
    out.extend(&chars[chars.len() - keep_tail..]);
    out
}

fn classify(query: &str) -> (SearchKind, String) {
    let trimmed = query.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let only_number_chars =
        trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.'));
    if only_number_chars
        && digits.len() == 16
        && !trimmed.starts_with('+')
        && let Ok(nik) = Nik::parse(&digits)
    {
        return (SearchKind::Nik, nik.as_str().to_owned());
    }
    if only_number_chars
        && digits.len() >= 9
        && let Ok(phone) = Phone::parse(trimmed)
    {
        return (SearchKind::Phone, phone.as_str().to_owned());
    }
    let has_letter = trimmed.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = !digits.is_empty();
    if has_letter
        && has_digit
        && !trimmed.contains(' ')
        && let Ok(passport) = PassportNo::parse(trimmed)
    {
        return (SearchKind::Passport, passport.as_str().to_owned());
    }
    (SearchKind::Name, trimmed.to_owned())
}

impl Casework {
    /// Searches the whole register (all offices).
    pub async fn search(&self, actor: &Actor, query: &str) -> Result<SearchResult> {
        actor.authorize(Action::SearchRegister, None)?;
        if query.trim().chars().count() < 3 {
            return Err(ServiceError::Invalid("type at least 3 characters to search".into()));
        }
        let (kind, value) = classify(query);
        // One more than shown, to know whether the list is cut.
        let mut q = ApplicationQuery { limit: SEARCH_LIMIT + 1, ..ApplicationQuery::default() };
        let mut apps: Vec<(Application, Option<f64>)> = match kind {
            SearchKind::Nik => {
                // The NIK as typed, then the applications holding a mistyped copy of it (kept
                // as written from a legacy sheet), as the identity engine compares them.
                let near = self.screening().with_mirror(|r, _| r.near_invalid_niks(&value))?;
                q.nik = Some(value);
                let mut found: Vec<(Application, Option<f64>)> = self
                    .store()
                    .list_applications(&q)
                    .await?
                    .into_iter()
                    .map(|a| (a, None))
                    .collect();
                for key in near.into_iter().take(q.limit as usize) {
                    if found.len() > SEARCH_LIMIT as usize {
                        break;
                    }
                    if !found.iter().any(|(a, _)| a.key == key) {
                        found.push((self.store().get_application(key).await?, None));
                    }
                }
                found
            }
            SearchKind::Phone => {
                q.phone = Some(value);
                self.store().list_applications(&q).await?.into_iter().map(|a| (a, None)).collect()
            }
            SearchKind::Passport => {
                q.passport_no = Some(value);
                self.store().list_applications(&q).await?.into_iter().map(|a| (a, None)).collect()
            }
            SearchKind::Name => self.search_name(actor, &value).await?,
        };
        let truncated = apps.len() > SEARCH_LIMIT as usize;
        apps.truncate(SEARCH_LIMIT as usize);
        let keys: Vec<ApplicationKey> = apps.iter().map(|(a, _)| a.key).collect();
        let protected = self.protected_among(&keys).await?;
        for (app, probability) in apps.iter_mut().filter(|(a, _)| protected.contains(&a.key)) {
            app.data = crate::referrals::masked(&app.data);
            *probability = None;
        }
        let hits = self.screening().with_mirror(|mirror, _| {
            apps.into_iter()
                .map(|(a, probability)| SearchHit {
                    protected: protected.contains(&a.key),
                    key: a.key,
                    person_id: mirror.person_id(a.key),
                    nik_masked: a.data.nik_text().map(mask_nik),
                    nik_valid: a.data.nik_valid(),
                    phone_masked: a.data.identifier_text(IdentifierField::Phone).map(mask_phone),
                    application_id: a.data.application_id,
                    office_code: a.data.office_code,
                    applied_on: a.data.applied_on,
                    full_name: a.data.full_name,
                    birth_date: a.data.birth_date,
                    outcome: a.data.outcome,
                    probability,
                })
                .collect()
        })?;
        Ok(SearchResult { kind, hits, truncated })
    }

    /// Name search: first every application whose name holds all the typed tokens (spelling
    /// variants folded), then, to catch typos, the query screened as an application carrying
    /// only a name, keeping candidates whose name agrees at some level. At most one more than
    /// [`SEARCH_LIMIT`], so the caller sees whether the list is cut.
    async fn search_name(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<Vec<(Application, Option<f64>)>> {
        let wanted = SEARCH_LIMIT as usize + 1;
        let probe =
            NewApplication::new("\u{0}search", actor.office.clone(), self.clock().today(), name);
        let found = self.screening().with_mirror(|mirror, _| {
            let by_tokens = mirror.find_by_name_tokens(name, wanted);
            let mut found: Vec<(ApplicationKey, Option<f64>)> =
                by_tokens.keys.into_iter().map(|k| (k, None)).collect();
            if by_tokens.total > wanted {
                return Ok(found);
            }
            for c in mirror.screen(&probe, SEARCH_LIMIT as usize, None)? {
                let name_agrees =
                    c.evidence.iter().any(|e| e.field == "full_name" && e.weight > 0.0);
                if found.len() >= wanted {
                    break;
                }
                if let Some(hit) = found.iter_mut().find(|(k, _)| *k == c.key) {
                    hit.1 = Some(c.probability);
                } else if name_agrees {
                    found.push((c.key, Some(c.probability)));
                }
            }
            Ok::<_, ServiceError>(found)
        })??;
        let mut out = Vec::with_capacity(found.len());
        for (key, probability) in found {
            out.push((self.store().get_application(key).await?, probability));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_masked_in_the_middle() {
        assert_eq!(mask_nik("1807055203950003"), "1807********0003");
        assert_eq!(mask_phone("+6281234567890"), "+62812*****890");
        assert_eq!(mask_nik("123"), "***");
    }

    #[test]
    fn queries_are_read_as_the_identifier_they_look_like() {
        assert_eq!(classify("1807055203950003").0, SearchKind::Nik);
        assert_eq!(classify("0812-3456-7890"), (SearchKind::Phone, "+6281234567890".into()));
        assert_eq!(classify("c1234567").0, SearchKind::Passport);
        assert_eq!(classify("Soeryani binti Karto").0, SearchKind::Name);
    }
}
