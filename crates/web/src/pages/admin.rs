//! The administrator's pages for people and systems (issue 20): users (`/admin`: create with
//! a temporary password shown once, disable/enable, reset the password, clear a login
//! throttle, change role and office), API tokens (`/admin/token`: create with scopes and
//! expiry, the secret shown once; revoke) and offices with their work areas
//! (`/admin/kantor`). The service checks every permission and audits every change; a secret
//! is shown only in the answer to the POST that made it, never in a URL.

use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jejak_service::admin::OfficeInput;
use jejak_service::admin_forms::{self, TokenForm, UserForm};
use jejak_service::authz::{Action, Role};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;

/// Links between the administration pages.
pub(crate) fn admin_menu(ctx: &PageCtx) -> Markup {
    html! {
        nav.subnav aria-label=(ctx.t("Menu admin", "Admin menu")) {
            a href="/admin" { (ctx.t("Pengguna", "Users")) } " · "
            a href="/admin/token" { (ctx.t("Token API", "API tokens")) } " · "
            a href="/admin/kantor" { (ctx.t("Kantor", "Offices")) } " · "
            a href="/admin/audit" { (ctx.t("Log audit", "Audit log")) } " · "
            a href="/admin/retensi" { (ctx.t("Retensi dan penahanan", "Retention and holds")) } " · "
            a href="/admin/subjek" { (ctx.t("Laporan subjek data", "Data-subject report")) }
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct DoneQuery {
    pub(crate) ok: Option<String>,
}

/// The notice after a change (a redirect carries only what was done, never a secret).
pub(crate) fn done_notice(ctx: &PageCtx, ok: Option<&str>) -> Markup {
    html! {
        @if let Some(what) = ok {
            p.notice role="status" { (ctx.t("Tersimpan", "Saved")) ": " (what) }
        }
    }
}

pub(crate) fn redirect_done(path: &str, what: &str) -> Response {
    let what: String = form_urlencoded::byte_serialize(what.as_bytes()).collect();
    Redirect::to(&format!("{path}?ok={what}")).into_response()
}

fn role_name(ctx: &PageCtx, role: Role) -> &'static str {
    let (id, en) = role.label();
    match ctx.lang {
        crate::i18n::Lang::Id => id,
        crate::i18n::Lang::En => en,
    }
}

fn role_select(ctx: &PageCtx, id: &str, selected: Option<Role>) -> Markup {
    html! {
        select id=(id) name="role" required {
            @for role in Role::ALL {
                option value=(role.as_str()) selected[selected == Some(role)] { (role_name(ctx, role)) }
            }
        }
    }
}

fn office_select(id: &str, offices: &[String], selected: Option<&str>) -> Markup {
    html! {
        select id=(id) name="office" required {
            @for code in offices {
                option value=(code) selected[selected == Some(code.as_str())] { (code) }
            }
        }
    }
}

/// What an action (a token scope) allows, in the reader's language.
fn action_label(ctx: &PageCtx, action: Action) -> &'static str {
    match action {
        Action::ViewQueue => ctx.t("Melihat antrean kantor", "See the office's queue"),
        Action::RegisterApplication => ctx.t("Mendaftarkan permohonan", "Register applications"),
        Action::ScreenApplication => ctx.t("Menyaring permohonan", "Screen applications"),
        Action::SearchRegister => ctx.t("Mencari di register", "Search the register"),
        Action::ViewPerson => ctx.t("Membuka catatan orang", "Open a person's record"),
        Action::RecordDecision => ctx.t("Mencatat keputusan", "Record decisions"),
        Action::ReviewOverride => ctx.t("Meninjau pengecualian", "Review overrides"),
        Action::ConfirmMatch => ctx.t("Menilai kecocokan", "Judge matches"),
        Action::SplitPerson => ctx.t("Memisahkan orang", "Split persons"),
        Action::ImportApplications => ctx.t("Mengimpor permohonan", "Import applications"),
        Action::ExportApplications => ctx.t("Mengekspor permohonan", "Export applications"),
        Action::ViewRules => ctx.t("Melihat aturan risiko", "See risk rules"),
        Action::DraftRules => ctx.t("Menyusun draf aturan", "Draft rules"),
        Action::PublishRules => ctx.t("Menerbitkan aturan", "Publish rules"),
        Action::ActivateRules => ctx.t("Mengaktifkan aturan", "Activate rules"),
        Action::RunBacktest => ctx.t("Menguji aturan pada riwayat", "Run backtests"),
        Action::ViewDashboard => ctx.t("Melihat dasbor", "See the dashboard"),
        Action::SubmitVillageReport => ctx.t("Mengirim laporan desa", "File village reports"),
        Action::ManageVillages => ctx.t("Mengelola desa binaan", "Manage villages"),
        Action::FollowUpVillageReports => {
            ctx.t("Menindaklanjuti laporan desa", "Follow up village reports")
        }
        Action::ManageUsers => ctx.t("Mengelola pengguna", "Manage users"),
        Action::ManageTokens => ctx.t("Mengelola token API", "Manage API tokens"),
        Action::ManageOffices => ctx.t("Mengelola kantor", "Manage offices"),
        Action::ViewAudit => {
            ctx.t("Membaca dan memverifikasi log audit", "Read and verify the audit log")
        }
        Action::RunRetention => ctx.t("Menjalankan retensi", "Run retention"),
        Action::SubjectReport => ctx.t("Membuat laporan subjek data", "Make data-subject reports"),
        Action::ViewReferrals => ctx.t("Melihat rujukan", "See referrals"),
        Action::MakeReferral => ctx.t("Membuat rujukan", "Make referrals"),
        Action::SuperviseReferrals => ctx.t("Mengawasi rujukan", "Supervise referrals"),
        Action::ProtectPerson => ctx.t("Menandai orang dilindungi", "Mark persons protected"),
        Action::ViewProtectedPerson => {
            ctx.t("Membuka catatan orang dilindungi", "Open protected records")
        }
        Action::ExchangePartnerData => {
            ctx.t("Bertukar data dengan mitra", "Exchange data with partners")
        }
        Action::ImportPartnerData => ctx.t("Memuat daftar mitra", "Load partners' lists"),
        Action::BackupRegister => ctx.t("Mencadangkan register", "Back up the register"),
        Action::AnchorAudit => ctx.t("Menandatangani rantai audit", "Sign the audit chain"),
    }
}

/// A secret shown once, with the warning that it will not be shown again.
fn shown_once(ctx: &PageCtx, label: &str, secret: &str) -> Markup {
    html! {
        div.notice.secret role="status" {
            p { strong { (label) } }
            p { code #secret { (secret) } }
            p { (ctx.t(
                "Hanya ditampilkan sekali ini. Salin dan serahkan dengan aman; Jejak tidak menyimpannya.",
                "Shown only this once. Copy it and hand it over safely; Jejak does not keep it.")) }
        }
    }
}

/// `GET /admin`: users and login blocks.
pub(crate) async fn users(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    users_page(&state, &ctx, done_notice(&ctx, q.ok.as_deref())).await
}

/// The configured offices' codes, for the office choices of the user and token forms.
async fn office_codes(
    state: &AppState,
    ctx: &PageCtx,
) -> Result<Vec<String>, jejak_service::ServiceError> {
    let codes = state.admin.office_codes(ctx.actor()).await?;
    Ok(codes.into_iter().map(|code| code.as_str().to_owned()).collect())
}

async fn users_page(state: &AppState, ctx: &PageCtx, notice: Markup) -> Response {
    let users = match state.auth.list_users(ctx.actor()).await {
        Ok(u) => u,
        Err(e) => return ctx.fail(&e),
    };
    let blocks = match state.auth.login_blocks(ctx.actor()).await {
        Ok(b) => b,
        Err(e) => return ctx.fail(&e),
    };
    let offices = match office_codes(state, ctx).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let own = ctx.actor().office.as_str().to_owned();
    let body = html! {
        (admin_menu(ctx))
        (notice)
        section {
            h2 { (ctx.t("Pengguna baru", "New user")) }
            form.stack method="post" action="/admin/pengguna" {
                (ctx.chrome().csrf_field())
                label for="u-name" { (ctx.t("Nama pengguna (huruf kecil, angka, . _ -)", "Username (lowercase letters, digits, . _ -)")) }
                input #u-name name="username" type="text" required autocomplete="off";
                label for="u-display" { (ctx.t("Nama lengkap", "Display name")) }
                input #u-display name="display_name" type="text" required;
                label for="u-role" { (ctx.t("Peran", "Role")) }
                (role_select(ctx, "u-role", Some(Role::Petugas)))
                label for="u-office" { (ctx.t("Kantor", "Office")) }
                (office_select("u-office", &offices, Some(&own)))
                button type="submit" { (ctx.t("Buat pengguna (kata sandi sementara)", "Create user (temporary password)")) }
            }
        }
        @if !blocks.is_empty() {
            section {
                h2 { (ctx.t("Login yang sedang diperlambat", "Logins being slowed down")) }
                table.blocks {
                    thead { tr {
                        th { (ctx.t("Pengguna", "User")) }
                        th { (ctx.t("Alamat klien", "Client address")) }
                        th { (ctx.t("Diblokir sampai", "Blocked until")) }
                    } }
                    tbody { @for b in &blocks { tr {
                        td { (b.username.as_deref().unwrap_or_else(|| ctx.t("(semua nama dari alamat ini)", "(any name from this address)"))) }
                        td { (b.address) }
                        td { (lang.instant(&b.blocked_until)) }
                    } } }
                }
            }
        }
        h2 { (ctx.t("Pengguna", "Users")) }
        table.users {
            thead { tr {
                th { (ctx.t("Nama pengguna", "Username")) }
                th { (ctx.t("Nama", "Name")) }
                th { (ctx.t("Peran dan kantor", "Role and office")) }
                th { (ctx.t("Status", "State")) }
                th { (ctx.t("Tindakan", "Actions")) }
            } }
            tbody {
                @for u in &users {
                    @let base = format!("/admin/pengguna/{}", u.username);
                    tr id=(format!("pengguna-{}", u.username)) {
                        td { (u.username) }
                        td { (u.display_name) }
                        td {
                            form.inline method="post" action=(format!("{base}/peran")) {
                                (ctx.chrome().csrf_field())
                                label.visually-hidden for=(format!("r-{}", u.username)) { (ctx.t("Peran", "Role")) }
                                (role_select(ctx, &format!("r-{}", u.username), Some(u.role)))
                                label.visually-hidden for=(format!("o-{}", u.username)) { (ctx.t("Kantor", "Office")) }
                                (office_select(&format!("o-{}", u.username), &offices, Some(u.office.as_str())))
                                " " button type="submit" { (ctx.t("Ubah", "Change")) }
                            }
                        }
                        td.state { @if u.active { (ctx.t("aktif", "active")) } @else { (ctx.t("nonaktif", "disabled")) } }
                        td {
                            form.inline method="post" action=(format!("{base}/aktif")) {
                                (ctx.chrome().csrf_field())
                                @if u.active {
                                    input type="hidden" name="active" value="0";
                                    button type="submit" { (ctx.t("Nonaktifkan", "Disable")) }
                                } @else {
                                    input type="hidden" name="active" value="1";
                                    button type="submit" { (ctx.t("Aktifkan", "Enable")) }
                                }
                            }
                            " "
                            form.inline method="post" action=(format!("{base}/sandi")) {
                                (ctx.chrome().csrf_field())
                                button type="submit" { (ctx.t("Atur ulang kata sandi", "Reset password")) }
                            }
                            " "
                            form.inline method="post" action=(format!("{base}/buka")) {
                                (ctx.chrome().csrf_field())
                                button type="submit" { (ctx.t("Buka blokir login", "Clear login block")) }
                            }
                        }
                    }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Admin: pengguna", "Admin: users"), body).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    office: String,
}

/// `POST /admin/pengguna`: creates the user and shows the temporary password once.
pub(crate) async fn create_user(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<NewUserForm>,
) -> Response {
    let input = UserForm {
        username: form.username,
        display_name: form.display_name,
        role: form.role,
        office: form.office,
    };
    match admin_forms::create_user(&state.auth, ctx.actor(), &input).await {
        Ok((user, password)) => {
            let label = format!(
                "{} {}:",
                ctx.t("Kata sandi sementara untuk", "Temporary password for"),
                user.username
            );
            users_page(&state, &ctx, shown_once(&ctx, &label, &password)).await
        }
        Err(e) => ctx.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ActiveForm {
    active: String,
}

/// `POST /admin/pengguna/{name}/aktif`: `active=0` disables (sessions end), `1` enables.
pub(crate) async fn set_active(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(name): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let enable = form.active == "1";
    let result = if enable {
        state.auth.enable_user(ctx.actor(), &name).await
    } else {
        state.auth.disable_user(ctx.actor(), &name).await
    };
    match result {
        Ok(()) => {
            let what = if enable {
                ctx.t("pengguna diaktifkan", "user enabled")
            } else {
                ctx.t("pengguna dinonaktifkan", "user disabled")
            };
            redirect_done("/admin", &format!("{what}: {name}"))
        }
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /admin/pengguna/{name}/sandi`: a new temporary password, shown once.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(name): Path<String>,
) -> Response {
    match state.auth.reset_password(ctx.actor(), &name).await {
        Ok(password) => {
            let label = format!(
                "{} {}:",
                ctx.t("Kata sandi sementara baru untuk", "New temporary password for"),
                name
            );
            users_page(&state, &ctx, shown_once(&ctx, &label, &password)).await
        }
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /admin/pengguna/{name}/buka`: clears the user's login throttle.
pub(crate) async fn unlock(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(name): Path<String>,
) -> Response {
    match state.auth.unlock_user(ctx.actor(), &name).await {
        Ok(cleared) => redirect_done(
            "/admin",
            &format!(
                "{name}: {cleared} {}",
                ctx.t("blokir login dihapus", "login block(s) cleared")
            ),
        ),
        Err(e) => ctx.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RoleForm {
    role: String,
    office: String,
}

/// `POST /admin/pengguna/{name}/peran`: another role and office.
pub(crate) async fn set_role(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(name): Path<String>,
    Form(form): Form<RoleForm>,
) -> Response {
    match admin_forms::set_role(&state.auth, ctx.actor(), &name, &form.role, &form.office).await {
        Ok(user) => redirect_done(
            "/admin",
            &format!("{}: {} {}", user.username, user.role, user.office.as_str()),
        ),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /admin/token`: tokens (never a secret) and the form for a new one.
pub(crate) async fn tokens(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    tokens_page(&state, &ctx, done_notice(&ctx, q.ok.as_deref())).await
}

async fn tokens_page(state: &AppState, ctx: &PageCtx, notice: Markup) -> Response {
    let tokens = match state.auth.list_tokens(ctx.actor()).await {
        Ok(t) => t,
        Err(e) => return ctx.fail(&e),
    };
    let offices = match office_codes(state, ctx).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let own = ctx.actor().office.as_str().to_owned();
    let body = html! {
        (admin_menu(ctx))
        (notice)
        section {
            h2 { (ctx.t("Token API baru", "New API token")) }
            form.stack method="post" action="/admin/token" {
                (ctx.chrome().csrf_field())
                label for="t-name" { (ctx.t("Nama token (sistem mitra)", "Token name (partner system)")) }
                input #t-name name="name" type="text" required autocomplete="off";
                label for="t-role" { (ctx.t("Bertindak sebagai peran", "Acts as role")) }
                (role_select(ctx, "t-role", Some(Role::Analis)))
                label for="t-office" { (ctx.t("Kantor", "Office")) }
                (office_select("t-office", &offices, Some(&own)))
                fieldset {
                    legend { (ctx.t("Cakupan (tindakan yang diizinkan; harus dimiliki peran)", "Scopes (allowed actions; the role must have them)")) }
                    @for action in Action::ALL {
                        label.check {
                            input type="checkbox" name="scope" value=(action.as_str());
                            " " (action_label(ctx, action)) " (" code { (action.as_str()) } ")"
                        }
                    }
                }
                label for="t-expires" { (ctx.t("Berlaku sampai (akhir hari, UTC; kosong: sampai dicabut)", "Valid through (end of day, UTC; empty: until revoked)")) }
                input #t-expires name="expires_on" type="date";
                button type="submit" { (ctx.t("Buat token", "Create token")) }
            }
        }
        h2 { (ctx.t("Token API", "API tokens")) }
        table.tokens {
            thead { tr {
                th { (ctx.t("Nama", "Name")) }
                th { (ctx.t("Peran dan kantor", "Role and office")) }
                th { (ctx.t("Cakupan", "Scopes")) }
                th { (ctx.t("Dibuat", "Created")) }
                th { (ctx.t("Berakhir", "Expires")) }
                th { (ctx.t("Terakhir dipakai", "Last used")) }
                th { (ctx.t("Status", "State")) }
            } }
            tbody {
                @for t in &tokens {
                    tr id=(format!("token-{}", t.name)) {
                        td { (t.name) }
                        td { (role_name(ctx, t.role)) " · " (t.office.as_str()) }
                        td { @for (i, s) in t.scopes.iter().enumerate() { @if i > 0 { ", " } code { (s.as_str()) } } }
                        td { (lang.instant(&t.created_at)) " · " (t.created_by) }
                        td { (t.expires_at.as_deref().map(|e| lang.instant(e)).unwrap_or_else(|| "—".into())) }
                        td { (t.last_used_at.as_deref().map(|e| lang.instant(e)).unwrap_or_else(|| ctx.t("belum pernah", "never").into())) }
                        td.state {
                            @if let Some(at) = &t.revoked_at {
                                (ctx.t("dicabut", "revoked")) " " (lang.instant(at))
                            } @else {
                                form.inline method="post" action=(format!("/admin/token/{}/cabut", t.name)) {
                                    (ctx.chrome().csrf_field())
                                    button type="submit" { (ctx.t("Cabut", "Revoke")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Admin: token API", "Admin: API tokens"), body).into_response()
}

/// `POST /admin/token`: creates a token and shows its secret once. The body is read as
/// plain form pairs, since `scope` repeats.
pub(crate) async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    body: Bytes,
) -> Response {
    let mut form = TokenForm::default();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "name" => form.name = value.into_owned(),
            "role" => form.role = value.into_owned(),
            "office" => form.office = value.into_owned(),
            "scope" => form.scopes.push(value.into_owned()),
            "expires_on" => form.expires_on = value.into_owned(),
            _ => {}
        }
    }
    match admin_forms::create_token(&state.auth, ctx.actor(), &form).await {
        Ok(secret) => {
            let label = format!(
                "{} {}:",
                ctx.t("Rahasia token", "Secret of the token"),
                form.name.trim().to_ascii_lowercase()
            );
            tokens_page(&state, &ctx, shown_once(&ctx, &label, &secret)).await
        }
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /admin/token/{name}/cabut`: revokes at once.
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(name): Path<String>,
) -> Response {
    match state.auth.revoke_token(ctx.actor(), &name).await {
        Ok(()) => redirect_done(
            "/admin/token",
            &format!("{}: {name}", ctx.t("token dicabut", "token revoked")),
        ),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /admin/kantor`: offices with their work areas, each editable.
pub(crate) async fn offices(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    let offices = match state.admin.offices(ctx.actor()).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    let area_text = |o: &jejak_domain::Office| {
        o.work_area.iter().map(|r| r.dotted()).collect::<Vec<_>>().join(" ")
    };
    let area_names = |o: &jejak_domain::Office| {
        o.work_area
            .iter()
            .map(|r| match r.info() {
                Some(info) => format!("{} ({})", info.name, r.dotted()),
                None => r.dotted(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let body = html! {
        (admin_menu(&ctx))
        (done_notice(&ctx, q.ok.as_deref()))
        section {
            h2 { (ctx.t("Tambah kantor", "Add an office")) }
            (office_form(&ctx, None, "", "", "k-new"))
        }
        h2 { (ctx.t("Kantor dan wilayah kerja", "Offices and work areas")) }
        @for o in &offices {
            section.office id=(format!("kantor-{}", o.code.as_str())) {
                h3 { (o.code.as_str()) " · " (o.name) }
                p { (ctx.t("Wilayah kerja", "Work area")) ": "
                    @if o.work_area.is_empty() { "—" } @else { (area_names(o)) } }
                (office_form(&ctx, Some(o.code.as_str()), &o.name, &area_text(o), &format!("k-{}", o.code.as_str())))
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Admin: kantor", "Admin: offices"), body).into_response()
}

fn office_form(ctx: &PageCtx, code: Option<&str>, name: &str, areas: &str, id: &str) -> Markup {
    html! {
        form.stack method="post" action="/admin/kantor" {
            (ctx.chrome().csrf_field())
            @if let Some(code) = code {
                input type="hidden" name="code" value=(code);
            } @else {
                label for=(format!("{id}-code")) { (ctx.t("Kode kantor", "Office code")) }
                input id=(format!("{id}-code")) name="code" type="text" required placeholder="KLA";
            }
            label for=(format!("{id}-name")) { (ctx.t("Nama kantor", "Office name")) }
            input id=(format!("{id}-name")) name="name" type="text" value=(name) required;
            label for=(format!("{id}-areas")) { (ctx.t("Wilayah kerja: kode kab/kota, dipisah spasi", "Work area: regency codes, separated by spaces")) }
            input id=(format!("{id}-areas")) name="areas" type="text" value=(areas) placeholder="18.01 18.71";
            button type="submit" { (ctx.t("Simpan kantor", "Save office")) }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OfficeForm {
    code: String,
    name: String,
    areas: String,
}

/// `POST /admin/kantor`: adds an office or updates its name and work area.
pub(crate) async fn save_office(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<OfficeForm>,
) -> Response {
    let input = OfficeInput { code: form.code, name: form.name, areas: form.areas };
    match state.admin.save_office(ctx.actor(), &input).await {
        Ok(office) => redirect_done(
            "/admin/kantor",
            &format!("{} {}", ctx.t("kantor", "office"), office.code.as_str()),
        ),
        Err(e) => ctx.fail(&e),
    }
}
