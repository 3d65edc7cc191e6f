//! Persons as officers see them: confirming or rejecting a candidate pair, a person's
//! applications across offices (the timeline), and rectifying a wrong merge by splitting a
//! person. Verdicts are written to the store (audited there) and read back through the
//! change sequence like every other write, so all servers agree; each use case refreshes
//! its own [`Screening`] first, so the caller sees the result at once.

use jejak_domain::{
    ApplicationKey, AuditAction, Decision, MatchDecision, NewApplication, NewMatchDecision,
    PersonId, Verdict,
};
use jejak_store::AuditCtx;

use crate::mirror::Mirror;
use crate::screening::Screening;
use crate::{Result, ServiceError};

/// Most verdicts one split may write (every pair between the two groups).
pub const MAX_SPLIT_PAIRS: usize = 10_000;

/// One application of a person, with its decision history.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonApplication {
    pub key: ApplicationKey,
    pub application: NewApplication,
    /// Decisions, oldest first.
    pub decisions: Vec<Decision>,
}

/// A person: every application joined by matches and officers' verdicts.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: PersonId,
    /// Oldest application date first (then register order): the person's timeline.
    pub applications: Vec<PersonApplication>,
    /// The latest verdicts on pairs with at least one application of this person (rejected
    /// partners elsewhere included), in change order.
    pub verdicts: Vec<MatchDecision>,
    /// Confirmed pairs that could not be joined because a rejection forbids it: the verdicts
    /// contradict each other and an officer should look.
    pub unresolved: Vec<(ApplicationKey, ApplicationKey)>,
}

/// What a split did.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitOutcome {
    /// The rejections written, one per pair between the two groups.
    pub rejected: Vec<MatchDecision>,
    /// The persons the former members now belong to (the kept id first).
    pub persons: Vec<PersonId>,
}

impl Screening {
    /// Records that `a` and `b` are the same person: they form one person from now on, even
    /// when the identity engine scores them below the auto-link threshold. The reason is
    /// required. The officer and office come from `ctx`.
    pub async fn confirm_match(
        &self,
        a: ApplicationKey,
        b: ApplicationKey,
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<MatchDecision> {
        self.record_verdict(a, b, Verdict::Confirm, reason, ctx).await
    }

    /// Records that `a` and `b` are not the same person: they are never in one person again,
    /// not even when both match a third application. The reason is required.
    pub async fn reject_match(
        &self,
        a: ApplicationKey,
        b: ApplicationKey,
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<MatchDecision> {
        self.record_verdict(a, b, Verdict::Reject, reason, ctx).await
    }

    /// The person `key` belongs to, as this server knows it (refreshed every interval).
    pub fn person_of(&self, key: ApplicationKey) -> Result<PersonId> {
        self.with_mirror(|mirror, _| {
            if mirror.contains(key) {
                Ok(mirror.person_id(key))
            } else {
                Err(ServiceError::NotFound(format!("application {key}")))
            }
        })?
    }

    /// A person's applications across offices with their decisions, oldest first. The read
    /// of personal data is audited (`person.view`).
    pub async fn person(&self, person_id: PersonId, ctx: &AuditCtx) -> Result<Person> {
        self.refresh().await?;
        let outline = self.with_mirror(|mirror, _| person_outline(mirror, person_id))??;
        // The mirror knows who belongs to the person; what is shown is read from the register.
        let mut applications = Vec::with_capacity(outline.members.len());
        for key in outline.members {
            let app = match self.store().get_application(key).await {
                Ok(app) => app,
                // Deleted by retention since the last refresh.
                Err(jejak_store::StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            let decisions = self.store().decisions_of(key).await?;
            applications.push(PersonApplication { key, application: app.data, decisions });
        }
        applications.sort_by_key(|a| (a.application.applied_on, a.key));
        let person = Person {
            id: outline.id,
            applications,
            verdicts: outline.verdicts,
            unresolved: outline.unresolved,
        };
        let details = format!("{} applications", person.applications.len());
        self.store()
            .append_audit(
                ctx,
                AuditAction::PersonView,
                "person",
                Some(&person.id.to_string()),
                &details,
            )
            .await?;
        Ok(person)
    }

    /// Rectifies a wrong merge: `keys_to_split_off` leave the person, by rejecting every
    /// pair between them and the applications that stay (one transaction, each rejection
    /// audited with `reason`, which is required). The applications that stay keep the person
    /// id if the first application is among them (see [`crate::person_graph`]); each group
    /// stays one person only as far as its own matches and verdicts join it.
    pub async fn split_person(
        &self,
        person_id: PersonId,
        keys_to_split_off: &[ApplicationKey],
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<SplitOutcome> {
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid("a split needs a reason".into()));
        }
        self.refresh().await?;
        let members = self.with_mirror(|mirror, _| {
            current_members(mirror, person_id).map(<[ApplicationKey]>::to_vec)
        })??;
        let (leaving, staying) = split_groups(person_id, &members, keys_to_split_off)?;
        if leaving.len() * staying.len() > MAX_SPLIT_PAIRS {
            return Err(ServiceError::Invalid(format!(
                "splitting {} of {} applications from {person_id} would write more than \
                 {MAX_SPLIT_PAIRS} rejections; split in smaller steps",
                leaving.len(),
                members.len()
            )));
        }
        let mut rejections = Vec::with_capacity(leaving.len() * staying.len());
        for &x in &leaving {
            for &y in &staying {
                rejections.push(new_verdict(x, y, Verdict::Reject, reason, ctx)?);
            }
        }
        let rejected = self.store().record_match_decisions(&rejections, ctx).await?;
        self.refresh().await?;
        let persons = self.with_mirror(|mirror, _| {
            let mut ids: Vec<PersonId> = Vec::new();
            for key in staying.iter().chain(&leaving) {
                let id = mirror.person_id(*key);
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        })?;
        Ok(SplitOutcome { rejected, persons })
    }

    async fn record_verdict(
        &self,
        a: ApplicationKey,
        b: ApplicationKey,
        verdict: Verdict,
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<MatchDecision> {
        let new = new_verdict(a, b, verdict, reason, ctx)?;
        let recorded = self.store().record_match_decision(&new, ctx).await?;
        self.refresh().await?;
        Ok(recorded)
    }
}

fn new_verdict(
    a: ApplicationKey,
    b: ApplicationKey,
    verdict: Verdict,
    reason: &str,
    ctx: &AuditCtx,
) -> Result<NewMatchDecision> {
    NewMatchDecision::new(a, b, verdict, &ctx.actor, ctx.office.clone(), reason, &ctx.at)
        .map_err(|e| ServiceError::Invalid(e.to_string()))
}

/// The person named by `text` (a path or form value), or why it names none.
pub fn parse_person_id(text: &str) -> Result<PersonId> {
    text.parse().map_err(|e: jejak_domain::PersonIdError| ServiceError::Invalid(e.to_string()))
}

/// The members of a current person, or why there is none.
fn current_members(mirror: &Mirror, person_id: PersonId) -> Result<&[ApplicationKey]> {
    if let Some(members) = mirror.person_members(person_id) {
        return Ok(members);
    }
    let first = person_id.first_application();
    match mirror.contains(first) {
        // The id's first application now belongs to an older person.
        true => Err(ServiceError::NotFound(format!(
            "person {person_id}: merged into {}",
            mirror.person_id(first)
        ))),
        false => Err(ServiceError::NotFound(format!("person {person_id}"))),
    }
}

/// The applications leaving and staying; refuses keys outside the person and a split that
/// leaves nothing on one side.
fn split_groups(
    person_id: PersonId,
    members: &[ApplicationKey],
    keys_to_split_off: &[ApplicationKey],
) -> Result<(Vec<ApplicationKey>, Vec<ApplicationKey>)> {
    if let Some(stranger) = keys_to_split_off.iter().find(|k| !members.contains(k)) {
        return Err(ServiceError::Invalid(format!(
            "application {stranger} is not part of person {person_id}"
        )));
    }
    let (leaving, staying): (Vec<ApplicationKey>, Vec<ApplicationKey>) =
        members.iter().partition(|k| keys_to_split_off.contains(k));
    if leaving.is_empty() || staying.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "a split of {person_id} must leave at least one application on each side"
        )));
    }
    Ok((leaving, staying))
}

/// Who a person is, as the mirror knows it: the members, the verdicts and the conflicts.
struct PersonOutline {
    id: PersonId,
    members: Vec<ApplicationKey>,
    verdicts: Vec<MatchDecision>,
    unresolved: Vec<(ApplicationKey, ApplicationKey)>,
}

fn person_outline(mirror: &Mirror, person_id: PersonId) -> Result<PersonOutline> {
    let members = current_members(mirror, person_id)?;
    let mut verdicts: Vec<MatchDecision> =
        members.iter().flat_map(|&k| mirror.verdicts_of(k)).cloned().collect();
    verdicts.sort_by_key(|v| v.change_seq);
    verdicts.dedup_by_key(|v| v.change_seq);
    Ok(PersonOutline {
        id: mirror.person_id(members[0]),
        members: members.to_vec(),
        verdicts,
        unresolved: mirror.unresolved_confirmations(members),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: i64) -> ApplicationKey {
        ApplicationKey(n)
    }

    #[test]
    fn a_split_names_its_groups_and_refuses_strangers_and_empty_sides() {
        let members = [k(3), k(5), k(8)];
        let p3 = PersonId::of_first(k(3));
        let (leaving, staying) = split_groups(p3, &members, &[k(5)]).unwrap();
        assert_eq!((leaving, staying), (vec![k(5)], vec![k(3), k(8)]));
        let stranger = split_groups(p3, &members, &[k(9)]).unwrap_err();
        assert!(stranger.to_string().contains("application 9 is not part of person P3"));
        assert!(split_groups(p3, &members, &[]).is_err());
        assert!(split_groups(p3, &members, &members).is_err());
    }
}
