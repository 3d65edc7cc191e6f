//! The import page: upload CSV/XLSX files, see the row-level report (file, row, column,
//! reason), and confirm. The checked upload waits in the register (`security::HeldUploads`:
//! capped per user and in total, expiring) under a one-time token for the same user, so
//! confirming writes exactly what was checked, on whichever server the confirmation reaches.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jejak_service::ServiceError;
use jejak_service::authz::Entry;
use jejak_service::import::{ImportReport, ImportStatus, InputFile};
use maud::{Markup, html};

use crate::AppState;
use crate::layout::{page, respond};
use crate::pages::PageCtx;

/// Largest upload accepted (all files together).
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

fn upload_form(ctx: &PageCtx) -> Markup {
    html! {
        form.stack method="post" action="/impor" enctype="multipart/form-data" {
            (ctx.chrome().csrf_field())
            div {
                label for="files" { (ctx.t("Berkas CSV atau XLSX (format pertukaran Jejak)", "CSV or XLSX files (Jejak interchange format)")) }
                input type="file" id="files" name="files" accept=".csv,.xlsx" multiple required;
            }
            div { button type="submit" { (ctx.t("Periksa berkas", "Check the files")) } }
        }
    }
}

/// `GET /impor`.
pub(crate) async fn form(ctx: PageCtx) -> Response {
    if let Err(e) = ctx.actor().open(Entry::Import) {
        return ctx.fail(&e);
    }
    page(&ctx.chrome(), ctx.t("Impor permohonan", "Import applications"), upload_form(&ctx))
        .into_response()
}

fn report_view(ctx: &PageCtx, report: &ImportReport) -> Markup {
    html! {
        @for file in &report.files {
            h2 { (file.file) }
            p { (file.rows.len()) " " (ctx.t("baris valid", "valid rows")) ", "
                (file.errors.len()) " " (ctx.t("kesalahan", "errors")) ", "
                (file.warnings.len()) " " (ctx.t("peringatan", "warnings")) }
            @if !file.errors.is_empty() {
                table.errors {
                    thead { tr { th { (ctx.t("Baris", "Row")) } th { (ctx.t("Kolom", "Column")) } th { (ctx.t("Nilai", "Value")) } th { (ctx.t("Masalah", "Problem")) } } }
                    tbody {
                        @for d in file.errors.iter().take(500) {
                            tr { td { (d.row) } td { (d.column.as_deref().unwrap_or("—")) } td { (d.value.as_deref().unwrap_or("")) } td { (d.message) } }
                        }
                    }
                }
            }
            @if !file.warnings.is_empty() {
                details {
                    summary { (ctx.t("Peringatan", "Warnings")) " (" (file.warnings.len()) ")" }
                    ul { @for d in file.warnings.iter().take(200) { li { (d.to_string()) } } }
                }
            }
        }
        @if !report.conflicts.is_empty() {
            h2 { (ctx.t("Konflik dengan data tersimpan", "Conflicts with stored data")) }
            ul { @for d in &report.conflicts { li { (d.to_string()) } } }
        }
    }
}

/// `POST /impor`: either a new upload (checked, nothing written) or a confirmation token.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = ctx.actor().open(Entry::Import) {
        return ctx.fail(&e);
    }
    let title = ctx.t("Impor permohonan", "Import applications");
    let mut files = Vec::new();
    let mut confirm = None;
    let mut total = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return ctx.fail(&ServiceError::Invalid(format!("upload: {e}"))),
        };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return ctx.fail(&ServiceError::Invalid(format!("upload: {e}"))),
        };
        total += bytes.len();
        if total > MAX_UPLOAD_BYTES {
            return ctx.fail(&ServiceError::Invalid("the upload is larger than 64 MB".into()));
        }
        match (name.as_str(), file_name) {
            ("files", Some(file)) if !file.is_empty() => {
                files.push(InputFile { name: file, bytes: bytes.to_vec() })
            }
            ("confirm", _) => confirm = Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => {}
        }
    }
    if let Some(token) = confirm {
        let files = match state.uploads.take(ctx.actor(), &token).await {
            Ok(files) => files,
            Err(e) => return ctx.fail(&e),
        };
        let Some(files) = files else {
            let e = ServiceError::Conflict(
                "this upload expired or was already imported; upload it again".into(),
            );
            return ctx.fail(&e);
        };
        return match state.casework.import(ctx.actor(), &files, false).await {
            Ok(report) => {
                let ok = report.status == ImportStatus::Imported;
                let inserted = report.store.as_ref().map_or(0, |s| s.inserted);
                let unchanged = report.store.as_ref().map_or(0, |s| s.unchanged);
                let body = html! {
                    @if ok {
                        div.ok-box role="status" { (inserted) " " (ctx.t("permohonan diimpor", "applications imported"))
                            ", " (unchanged) " " (ctx.t("sudah ada (tidak berubah)", "already present (unchanged)")) }
                    } @else {
                        div.error-box role="alert" { (ctx.t("Tidak ada yang diimpor.", "Nothing was imported.")) }
                    }
                    (report_view(&ctx, &report))
                    p { a href="/impor" { (ctx.t("Impor berkas lain", "Import other files")) } }
                };
                respond(
                    if ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY },
                    page(&ctx.chrome(), title, body),
                )
            }
            Err(e) => ctx.fail(&e),
        };
    }
    if files.is_empty() {
        return ctx.fail(&ServiceError::Invalid("choose at least one CSV or XLSX file".into()));
    }
    let report = match state.casework.import(ctx.actor(), &files, true).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let clean = report.error_count() == 0;
    let token = if clean {
        match state.uploads.hold(ctx.actor(), &files).await {
            Ok(token) => Some(token),
            Err(e) => return ctx.fail(&e),
        }
    } else {
        None
    };
    let body = html! {
        @if clean {
            div.ok-box role="status" { (report.valid_rows()) " " (ctx.t("baris siap diimpor. Tidak ada kesalahan.", "rows ready to import. No errors.")) }
            @if let Some(token) = &token {
                form method="post" action="/impor" enctype="multipart/form-data" {
                    (ctx.chrome().csrf_field())
                    input type="hidden" name="confirm" value=(token);
                    button type="submit" { (ctx.t("Konfirmasi impor", "Confirm the import")) }
                }
            }
        } @else {
            div.error-box role="alert" { (report.error_count()) " "
                (ctx.t("kesalahan: tidak ada yang diimpor. Perbaiki berkas lalu unggah lagi.",
                       "errors: nothing is imported. Fix the file and upload it again.")) }
        }
        (report_view(&ctx, &report))
        h2 { (ctx.t("Unggah lagi", "Upload again")) }
        (upload_form(&ctx))
    };
    let status = if clean { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    respond(status, page(&ctx.chrome(), title, body))
}
