//! What the pages show, with what the actor may do there decided here: the home page, the
//! referral list, the rule sets and a person's record. The web layer only renders these, so
//! no permission is decided outside the service.

use std::sync::Arc;

use jejak_rules::RuleSet;
use jejak_store::StoredRuleSet;

use crate::Result;
use crate::authz::{Action, Actor, Role, RuleActions};
use crate::casework::{Casework, Queue};
use crate::persons::Person;
use crate::security::StatedPurpose;
use jejak_domain::Referral;

/// What the home page is for an actor.
#[derive(Debug, Clone)]
pub enum Home {
    /// A village officer's home is their villages and reports.
    Villages,
    /// The actor's office's work queue.
    Queue(Queue),
    /// Someone with no queue (an administrator): a welcome.
    Welcome,
}

/// The referral page: every referral the actor sees and, for those who supervise them, the
/// open ones past their due date.
#[derive(Debug, Clone)]
pub struct ReferralOverview {
    pub referrals: Vec<Referral>,
    /// `None` when the actor does not supervise referrals.
    pub overdue: Option<Vec<Referral>>,
}

/// One stored rule-set version with what the actor may do with it.
#[derive(Debug, Clone)]
pub struct RuleVersion {
    pub stored: StoredRuleSet,
    /// A draft by someone else (four-eyes) and the actor publishes rules.
    pub publish: bool,
    /// Published, and the actor activates rules.
    pub activate: bool,
    pub backtest: bool,
}

/// The rule page: the rule set in force, the register's versions, and whether the actor may
/// upload a draft.
#[derive(Debug, Clone)]
pub struct RulesOverview {
    pub in_force: Arc<RuleSet>,
    pub versions: Vec<RuleVersion>,
    pub draft: bool,
}

/// A person's record with whether the reader may split applications off it.
#[derive(Debug, Clone)]
pub struct PersonView {
    pub person: Person,
    pub may_split: bool,
}

impl Casework {
    /// The actor's own office's work queue.
    pub async fn own_queue(&self, actor: &Actor) -> Result<Queue> {
        self.queue(actor, &actor.office).await
    }

    /// The home page for `actor`.
    pub async fn home(&self, actor: &Actor) -> Result<Home> {
        if actor.role == Role::Pimpasa {
            return Ok(Home::Villages);
        }
        if !actor.may(Action::ViewQueue, Some(&actor.office)) {
            return Ok(Home::Welcome);
        }
        Ok(Home::Queue(self.own_queue(actor).await?))
    }

    /// The referrals the actor sees, with the overdue ones for supervisors.
    pub async fn referral_overview(&self, actor: &Actor) -> Result<ReferralOverview> {
        let referrals = self.referrals(actor).await?;
        let overdue = if actor.may(Action::SuperviseReferrals, Some(&actor.office)) {
            Some(self.overdue_referrals(actor).await?)
        } else {
            None
        };
        Ok(ReferralOverview { referrals, overdue })
    }

    /// The rule sets with the actions the actor may take on each.
    pub async fn rules_overview(&self, actor: &Actor) -> Result<RulesOverview> {
        let stored = self.rule_sets(actor).await?;
        let in_force = self.rules()?;
        let allowed = RuleActions::of(actor);
        let versions = stored
            .into_iter()
            .map(|stored| RuleVersion {
                publish: allowed.publish
                    && stored.status == jejak_store::RuleSetStatus::Draft
                    && stored.author != actor.username,
                activate: allowed.activate
                    && stored.status == jejak_store::RuleSetStatus::Published,
                backtest: allowed.backtest,
                stored,
            })
            .collect();
        Ok(RulesOverview { in_force, versions, draft: allowed.draft })
    }

    /// A person's record (a logged read with its purpose), with whether the reader may split
    /// it.
    pub async fn person_view(
        &self,
        actor: &Actor,
        person_id: &str,
        purpose: &StatedPurpose,
    ) -> Result<PersonView> {
        let person = self.person(actor, person_id, purpose).await?;
        let may_split = actor.may(Action::SplitPerson, Some(&actor.office));
        Ok(PersonView { person, may_split })
    }
}
