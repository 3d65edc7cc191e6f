//! Rule-set pages: the rules in force, every version in the register with its lifecycle
//! (draft -> published by someone other than the author -> active), uploading a draft, and a
//! backtest of a version against the rule set in force.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jejak_rules::Source;
use jejak_service::ServiceError;
use jejak_service::authz::Entry;
use maud::html;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;

/// `GET /aturan`.
pub(crate) async fn list(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let overview = match state.casework.rules_overview(ctx.actor()).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    let rules = &overview.in_force;
    let lang = ctx.lang;
    let body = html! {
        h2 { (ctx.t("Aturan yang berlaku", "Rules in force")) ": " (rules.info().name) " " (rules.info().version) }
        table {
            thead { tr { th { "ID" } th { (ctx.t("Jenis", "Kind")) } th { (ctx.t("Judul", "Title")) } th { (ctx.t("Bobot", "Weight")) } th { (ctx.t("Dasar hukum", "Legal basis")) } } }
            tbody {
                @for r in rules.rules() {
                    tr { td { (r.id) } td { (format!("{:?}", r.kind).to_lowercase()) }
                         td { (lang.t(&r.title_id, &r.title_en)) } td { (r.weight) } td { span.muted { (r.legal_basis) } } }
                }
            }
        }
        h2 { (ctx.t("Versi di register", "Versions in the register")) }
        @if overview.versions.is_empty() { p.muted { (ctx.t("Belum ada; yang berlaku adalah katalog bawaan.", "None yet; the built-in catalogue is in force.")) } }
        table {
            thead { tr { th { (ctx.t("Versi", "Version")) } th { "Status" } th { (ctx.t("Penyusun", "Author")) } th { (ctx.t("Penerbit", "Publisher")) } th { span.muted { (ctx.t("Tindakan", "Action")) } } } }
            tbody {
                @for version in &overview.versions {
                    @let v = &version.stored;
                    tr {
                        td { (v.name) " " (v.version) }
                        td { (v.status.to_string()) }
                        td { (v.author) }
                        td { (v.publisher.as_deref().unwrap_or("—")) }
                        td {
                            @if version.publish {
                                form.inline method="post" action=(format!("/aturan/{}/terbitkan", v.version)) {
                                    (ctx.chrome().csrf_field())
                                    button.secondary type="submit" { (ctx.t("Terbitkan", "Publish")) } }
                            }
                            @if version.activate {
                                " " form.inline method="post" action=(format!("/aturan/{}/aktifkan", v.version)) {
                                    (ctx.chrome().csrf_field())
                                    button type="submit" { (ctx.t("Aktifkan", "Activate")) } }
                            }
                            @if version.backtest {
                                " " a href=(format!("/aturan/{}/uji", v.version)) { (ctx.t("Uji historis", "Backtest")) }
                            }
                        }
                    }
                }
            }
        }
        @if overview.draft {
            h2 { (ctx.t("Unggah draf", "Upload a draft")) }
            form.stack method="post" action="/aturan/draf" enctype="multipart/form-data" {
                (ctx.chrome().csrf_field())
                div {
                    label for="rulefiles" { (ctx.t("Berkas aturan (TOML); Anda harus tercatat sebagai author", "Rule files (TOML); you must be the author named in them")) }
                    input type="file" id="rulefiles" name="files" accept=".toml" multiple required;
                }
                div { button type="submit" { (ctx.t("Simpan sebagai draf", "Save as draft")) } }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Aturan risiko", "Risk rules"), body).into_response()
}

/// `POST /aturan/draf`: multipart TOML files.
pub(crate) async fn draft(
    State(state): State<AppState>,
    ctx: PageCtx,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = ctx.actor().open(Entry::RuleDraft) {
        return ctx.fail(&e);
    }
    let mut sources = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let Some(name) = field.file_name().map(str::to_owned).filter(|n| !n.is_empty())
                else {
                    continue;
                };
                match field.text().await {
                    Ok(text) => sources.push(Source::new(name, text)),
                    Err(e) => return ctx.fail(&ServiceError::Invalid(format!("{name}: {e}"))),
                }
            }
            Ok(None) => break,
            Err(e) => return ctx.fail(&ServiceError::Invalid(format!("upload: {e}"))),
        }
    }
    if sources.is_empty() {
        return ctx.fail(&ServiceError::Invalid("choose at least one rule file".into()));
    }
    match state.casework.draft_rules(ctx.actor(), &sources).await {
        Ok(_) => Redirect::to("/aturan").into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /aturan/{version}/terbitkan`.
pub(crate) async fn publish(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(version): Path<String>,
) -> Response {
    match state.casework.publish_rules(ctx.actor(), &version).await {
        Ok(_) => Redirect::to("/aturan").into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /aturan/{version}/aktifkan`.
pub(crate) async fn activate(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(version): Path<String>,
) -> Response {
    match state.casework.activate_rules(ctx.actor(), &version).await {
        Ok(_) => Redirect::to("/aturan").into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /aturan/{version}/uji`: the backtest table against the rule set in force.
pub(crate) async fn backtest(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(version): Path<String>,
) -> Response {
    let report = match state.casework.backtest_rules(ctx.actor(), &version).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let body = html! {
        p { (ctx.t("Riwayat register diputar ulang per tanggal permohonan, tanpa melihat ke depan; dibandingkan dengan aturan yang berlaku.",
                   "The register's history replayed in application-date order, without look-ahead, against the rules in force.")) }
        pre { (report.render_table()) }
    };
    let title = format!("{} {version}", ctx.t("Uji historis", "Backtest"));
    page(&ctx.chrome(), &title, body).into_response()
}
