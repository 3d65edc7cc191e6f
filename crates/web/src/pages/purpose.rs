//! The stated purpose of a read of personal data (issue 20, defect 10): a choice from the
//! configured list plus free text, asked before a person's record or another office's
//! application is opened. The service checks it; this module only asks and carries it.

use jejak_service::security::StatedPurpose;
use maud::{Markup, html};
use serde::Deserialize;

use crate::pages::PageCtx;

/// `?keperluan=CHOICE&tujuan=TEXT` on the pages that read personal data.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct PurposeQuery {
    pub(crate) keperluan: Option<String>,
    pub(crate) tujuan: Option<String>,
}

impl PurposeQuery {
    /// The purpose as stated, when the caller stated one (either part given).
    pub(crate) fn stated(&self) -> Option<StatedPurpose> {
        let choice = self.keperluan.as_deref().unwrap_or("").trim();
        let detail = self.tujuan.as_deref().unwrap_or("").trim();
        (!choice.is_empty() || !detail.is_empty()).then(|| StatedPurpose::new(choice, detail))
    }
}

/// A GET form to `action` asking for the purpose (the list from the configuration).
pub(crate) fn purpose_form(ctx: &PageCtx, action: &str, choices: &[String]) -> Markup {
    html! {
        form.stack method="get" action=(action) {
            div {
                label for="keperluan" { (ctx.t("Keperluan", "Purpose")) }
                select id="keperluan" name="keperluan" required {
                    @for choice in choices { option value=(choice) { (choice) } }
                }
            }
            div {
                label for="tujuan" { (ctx.t("Uraian keperluan (mis. nomor permohonan atau perkara)",
                                            "The purpose in words (e.g. the application or case number)")) }
                input type="text" id="tujuan" name="tujuan" required minlength="8" maxlength="2000";
            }
            div { button type="submit" { (ctx.t("Buka", "Open")) } }
        }
    }
}
