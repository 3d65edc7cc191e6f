//! The command line's gate. Every write `jejak` makes at the console goes through here (or
//! through the gates the pages use, `Admin`, `Auth`, `Villages`), as an actor: the console
//! operator named by `--user` (`JEJAK_USER`), whose permissions are the console's row of the
//! permission table ([`CONSOLE_ACTIONS`](crate::authz::CONSOLE_ACTIONS)). Each method names
//! its action, is refused when the console may not do it, and is audited under the
//! operator's name, so the audit log tells console work from desk work the same way.

use std::path::Path;
use std::sync::Arc;

use jejak_domain::{NewApplication, OfficeCode, PartnerKind};
use jejak_exchange::{Batch, SecretKey, Transport};
use jejak_rules::Source;
use jejak_store::{
    AuditCtx, ExchangeBatchLog, ExchangePartner, ExportFilter, NewExchangePartner, Store,
    StoredRuleSet,
};
use time::Date;

use crate::audit_anchor::{self, AnchorOutcome};
use crate::authz::{Action, Actor};
use crate::backup::{self, BackupSummary};
use crate::exchange::{self, ExchangeFailure, Received};
use crate::import::{self, ImportOptions, ImportProgress, ImportReport, InputFile};
use crate::partners::{self, PartnerImport};
use crate::rulesets;
use crate::{Clock, Result};

/// The console operator's use cases that write to the register.
pub struct Console {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    actor: Actor,
}

impl Console {
    /// The console as `operator` at `office` (see [`Actor::console`]).
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        operator: &str,
        office: OfficeCode,
    ) -> Console {
        Console { store, clock, actor: Actor::console(operator, office) }
    }

    /// The console's actor, for the gates the pages share (`Admin`, `Auth`, `Villages`).
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Checks `action` and gives the audit context of the write it allows.
    fn permit(&self, action: Action, purpose: Option<String>) -> Result<AuditCtx> {
        self.actor.authorize(action, None)?;
        Ok(self.actor.audit_ctx(self.clock.timestamp(), purpose))
    }

    /// Imports application files (`import_applications`), reporting progress.
    pub async fn import_applications(
        &self,
        files: &[InputFile],
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport> {
        let ctx = self.permit(Action::ImportApplications, None)?;
        import::import_files_with_progress(self.store.as_ref(), files, options, &ctx, progress)
            .await
    }

    /// The applications `filter` selects, for a CSV/XLSX export (`export_applications`).
    pub async fn export_applications(&self, filter: &ExportFilter) -> Result<Vec<NewApplication>> {
        self.permit(Action::ExportApplications, None)?;
        Ok(self.store.export(filter).await?)
    }

    /// Loads a partner's list as one dated snapshot (`import_partner_data`).
    pub async fn import_partner_list(
        &self,
        kind: PartnerKind,
        file: &str,
        bytes: &[u8],
        taken_on: Date,
        purpose: Option<String>,
    ) -> Result<PartnerImport> {
        let ctx = self.permit(Action::ImportPartnerData, purpose)?;
        partners::import_file(self.store.as_ref(), kind, file, bytes, taken_on, &ctx).await
    }

    /// Stores rule files as a draft (unless stored already) and publishes them by
    /// `publisher`, who must not be their author (`publish_rules`; four eyes).
    pub async fn publish_rules(
        &self,
        sources: &[Source],
        publisher: &str,
    ) -> Result<StoredRuleSet> {
        let ctx = self.on_behalf_of(Action::PublishRules, publisher)?;
        rulesets::draft_and_publish(self.store.as_ref(), sources, &ctx).await
    }

    /// Activates a published rule set, recorded as done by `by` (`activate_rules`).
    pub async fn activate_rules(&self, version: &str, by: &str) -> Result<StoredRuleSet> {
        let ctx = self.on_behalf_of(Action::ActivateRules, by)?;
        rulesets::activate(self.store.as_ref(), version, &ctx).await
    }

    /// The audit context of a console write recorded as done by a named person (`--by`),
    /// such as the publisher of a rule set whom the four-eyes check compares with its author.
    fn on_behalf_of(&self, action: Action, person: &str) -> Result<AuditCtx> {
        let mut ctx = self.permit(action, None)?;
        ctx.actor = person.trim().to_owned();
        Ok(ctx)
    }

    /// Writes a verified backup of the register to `out` (`backup_register`).
    pub async fn backup(&self, out: &Path) -> Result<BackupSummary> {
        let ctx = self.permit(Action::BackupRegister, None)?;
        backup::backup(self.store.as_ref(), out, &ctx).await
    }

    /// Restores the SQLite register file `target` from `from` (`backup_register`). The
    /// register may not exist yet, so the console is checked without one.
    pub async fn restore(
        clock: &dyn Clock,
        operator: &str,
        from: &Path,
        target: &Path,
        force: bool,
    ) -> Result<BackupSummary> {
        let actor = Actor::console(operator, OfficeCode::console());
        actor.authorize(Action::BackupRegister, None)?;
        backup::restore(from, target, force, &actor.audit_ctx(clock.timestamp(), None)).await
    }

    /// Signs the audit chain's head with `key` (`anchor_audit`).
    pub async fn anchor_audit(&self, key: &SecretKey) -> Result<AnchorOutcome> {
        self.permit(Action::AnchorAudit, None)?;
        audit_anchor::anchor(self.store.as_ref(), key, &self.clock.timestamp()).await
    }

    /// The audit context for writing a history straight to the store, such as the demo's
    /// synthetic past (backdated reports, designations, referrals): the seeding is checked
    /// as the console operator's `action` and audited under their name like every console
    /// write, but keeps the dates and authors it records.
    pub fn history_ctx(clock: &dyn Clock, operator: &str, action: Action) -> Result<AuditCtx> {
        let actor = Actor::console(operator, OfficeCode::console());
        actor.authorize(action, None)?;
        Ok(actor.audit_ctx(clock.timestamp(), None))
    }

    /// Adds or updates an exchange partner (`exchange_partner_data`).
    pub async fn save_exchange_partner(
        &self,
        partner: &NewExchangePartner,
    ) -> Result<ExchangePartner, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::save_partner(self.store.as_ref(), partner, &ctx).await
    }

    /// The partner's outbound batches not yet acknowledged, a new one first made of what was
    /// decided since (`exchange_partner_data`).
    pub async fn pending_batches(&self, partner: &str) -> Result<Vec<Batch>, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::pending_outbound(self.store.as_ref(), self.clock.as_ref(), partner, &ctx).await
    }

    /// Writes the partner's next outbound batch into `dir`, if there is one.
    pub async fn export_batch(
        &self,
        partner: &str,
        dir: &Path,
    ) -> Result<Option<Batch>, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::export_folder(self.store.as_ref(), self.clock.as_ref(), partner, dir, &ctx).await
    }

    /// Verifies and applies one inbound batch, whole or not at all.
    pub async fn apply_batch(&self, batch: &Batch) -> Result<ExchangeBatchLog, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::apply_inbound(self.store.as_ref(), self.clock.as_ref(), batch, &ctx).await
    }

    /// Receives and applies the partner's batches after the last applied one.
    pub async fn receive_batches(
        &self,
        transport: &dyn Transport,
        partner: &str,
    ) -> Result<Received, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::receive(self.store.as_ref(), self.clock.as_ref(), transport, partner, &ctx).await
    }

    /// Sends the partner's pending batches through `transport` (`via` names it in the audit).
    pub async fn send_batches(
        &self,
        transport: &dyn Transport,
        partner: &str,
        via: &str,
    ) -> Result<ExchangePartner, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::send(self.store.as_ref(), self.clock.as_ref(), transport, partner, via, &ctx)
            .await
    }

    /// Records the partner's acknowledgement of our batches up to `sequence`.
    pub async fn acknowledge_batches(
        &self,
        partner: &str,
        sequence: u64,
    ) -> Result<ExchangePartner, ExchangeFailure> {
        let ctx = self.permit(Action::ExchangePartnerData, None)?;
        exchange::acknowledge(self.store.as_ref(), partner, sequence, &ctx).await
    }
}
