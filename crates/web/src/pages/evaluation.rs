//! The Desa Binaan programme evaluation (`/evaluasi`, issue 16 item 2): each designated
//! village before and after its designation date against comparable villages of the same
//! regency not (yet) designated, rates per 1,000 applications with their counts, and the
//! method in plain Indonesian. Designations come from the village register (`Villages::designations`).
//! The page's tables download as CSV or XLSX (`/evaluasi/unduh`) through the dashboard's
//! download code, cell for cell.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jejak_service::ServiceError;
use jejak_service::stats::evaluation::{OUTCOMES, PublishedCohort, Rate};
use jejak_service::stats::{dashboard_offices, evaluate};
use maud::html;
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Lang;
use crate::layout::page;
use crate::pages::PageCtx;
use crate::pages::dashboard::{ShownTable, download_response};

#[derive(Deserialize, Default)]
pub(crate) struct EvaluationQuery {
    /// Months before and after the designation date (default 12).
    jendela: Option<u32>,
    /// `csv` or `xlsx` (downloads only).
    format: Option<String>,
}

/// The four groups compared, in column order.
fn group_labels(lang: Lang) -> [&'static str; 4] {
    [
        lang.t("Binaan sebelum", "Designated before"),
        lang.t("Binaan sesudah", "Designated after"),
        lang.t("Pembanding sebelum", "Comparison before"),
        lang.t("Pembanding sesudah", "Comparison after"),
    ]
}

fn outcome_label(lang: Lang, outcome: &str) -> &'static str {
    match outcome {
        "flagged_high" => lang.t("Risiko tinggi", "High risk"),
        "adverse" => lang.t("Ditunda atau ditolak", "Deferred or rejected"),
        _ => lang.t("Tertangkap lintas kantor", "Cross-office catches"),
    }
}

/// The evaluation's tables, one per outcome, as shown and downloaded: village, designation
/// date, comparison villages, then per group the rate per 1,000, the count and the
/// applications, then the estimated effect.
fn tables(lang: Lang, cohorts: &[PublishedCohort]) -> Vec<ShownTable> {
    let village_name = |c: &PublishedCohort| match &c.village {
        Some(v) => match v.info() {
            Some(info) => format!("{} ({})", info.name, v.dotted()),
            None => v.dotted(),
        },
        None => lang.t("Gabungan semua desa binaan", "All designated villages pooled").to_owned(),
    };
    let rate = |r: &Rate| r.per_thousand.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    OUTCOMES
        .iter()
        .enumerate()
        .map(|(oi, o)| {
            let mut header = vec![
                lang.t("Desa Binaan", "Designated village").to_owned(),
                lang.t("Ditetapkan", "Designated").to_owned(),
                lang.t("Desa pembanding", "Comparison villages").to_owned(),
            ];
            for g in group_labels(lang) {
                header.push(format!("{g}: {}", lang.t("per 1.000", "per 1,000")));
                header.push(format!("{g}: {}", lang.t("jumlah", "count")));
                header.push(format!("{g}: {}", lang.t("permohonan", "applications")));
            }
            header.push(lang.t("Perkiraan pengaruh", "Estimated effect").to_owned());
            let rows = cohorts
                .iter()
                .map(|c| {
                    let mut row = vec![
                        village_name(c),
                        c.designated_on.map(|d| lang.date(d)).unwrap_or_default(),
                        c.comparison_villages.to_string(),
                    ];
                    for g in 0..4 {
                        row.push(rate(&c.rates[oi][g]));
                        row.push(c.rates[oi][g].count.text());
                        row.push(c.applications[g].text());
                    }
                    row.push(c.estimate[oi].map_or_else(|| "–".to_owned(), |v| format!("{v:+.1}")));
                    row
                })
                .collect();
            ShownTable {
                title: format!(
                    "{} {}",
                    outcome_label(lang, o),
                    lang.t("per 1.000 permohonan", "per 1,000 applications")
                ),
                header,
                rows,
            }
        })
        .collect()
}

/// The designations and the published cohorts for the actor.
async fn load(
    state: &AppState,
    ctx: &PageCtx,
    window: u32,
) -> Result<(bool, Vec<PublishedCohort>), ServiceError> {
    let designations = state.villages.designations().await?;
    let cohorts = evaluate(state.casework.screening(), ctx.actor(), &designations, window)?;
    Ok((!designations.is_empty(), cohorts))
}

/// `GET /evaluasi/unduh?jendela=12&format=csv|xlsx`: exactly the tables of the page, with
/// the window and the office scope at the top.
pub(crate) async fn download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<EvaluationQuery>,
) -> Response {
    let window = q.jendela.unwrap_or(12).clamp(1, 36);
    let cohorts = match load(&state, &ctx, window).await {
        Ok((_, c)) => c,
        Err(e) => return ctx.fail(&e),
    };
    let scope = match dashboard_offices(ctx.actor(), None, &[]) {
        Ok(s) => s,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let filters = vec![
        (lang.t("Jendela (bulan)", "Window (months)").to_owned(), window.to_string()),
        (
            lang.t("Kantor", "Office").to_owned(),
            scope.map_or_else(|| lang.t("semua kantor", "all offices").to_owned(), |o| o.to_string()),
        ),
        (
            lang.t("Keterangan", "Note").to_owned(),
            lang.t(
                "<5 = 1 sampai 4; x = disembunyikan agar angka <5 tidak dapat dihitung dari baris gabungan",
                "<5 = 1 to 4; x = withheld so that a <5 cannot be worked out from the pooled row",
            )
            .to_owned(),
        ),
    ];
    let name = format!("evaluasi-desa-binaan-{window}-bulan");
    download_response(&ctx, &name, q.format.as_deref(), &filters, &tables(lang, &cohorts))
}

/// `GET /evaluasi[?jendela=12]`.
pub(crate) async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<EvaluationQuery>,
) -> Response {
    let window = q.jendela.unwrap_or(12).clamp(1, 36);
    let (any_designated, cohorts) = match load(&state, &ctx, window).await {
        Ok(loaded) => loaded,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let shown = tables(lang, &cohorts);
    let groups = group_labels(lang);
    let body = html! {
        section.method {
            h2 { (lang.t("Cara membaca", "How to read this")) }
            p { (lang.t(
                "Untuk setiap Desa Binaan kami membandingkan pemohon dari desa itu sebelum dan sesudah tanggal penetapannya, dalam jendela yang sama panjang. Sebagai pembanding dipakai desa-desa lain di kabupaten/kota yang sama yang belum ditetapkan sebagai Desa Binaan sampai akhir jendela itu (desa yang ditetapkan belakangan menjadi pembanding bagi desa yang ditetapkan lebih dahulu). Angka ditulis per 1.000 permohonan, dengan jumlah kasusnya dalam kurung.",
                "For each Desa Binaan we compare applicants from that village before and after its designation date, over windows of equal length. The comparison is the other villages of the same regency not yet designated by the end of that window (a village designated later is a comparison for one designated earlier). Figures are per 1,000 applications, with the number of cases in brackets.",
            )) }
            p { (lang.t(
                "Perkiraan pengaruh = (perubahan di Desa Binaan) − (perubahan di desa pembanding). Angka negatif berarti lebih sedikit kasus setelah penetapan dibanding desa pembanding. Ini perbandingan, bukan bukti sebab-akibat: desa dipilih karena alasan tertentu, dan jumlah pemohon per desa kecil.",
                "Estimated effect = (change in the Desa Binaan) − (change in the comparison villages). A negative figure means fewer cases after designation than in the comparison villages. This is a comparison, not proof of cause: villages are chosen for reasons, and numbers per village are small.",
            )) }
            p.muted { (lang.t(
                "Angka 1 sampai 4 ditulis <5 dan tingkatnya tidak ditampilkan; x = disembunyikan agar angka <5 tidak dapat dihitung dari baris gabungan.",
                "Counts of 1 to 4 read <5 and their rates are not shown; x = withheld so that a <5 cannot be worked out from the pooled row.",
            )) " " (lang.t("Jendela", "Window")) ": " (window) " " (lang.t("bulan", "months")) "." }
        }
        @if !any_designated {
            p.notice { (lang.t("Belum ada Desa Binaan yang tercatat.", "No Desa Binaan is recorded yet.")) }
        } @else {
            p {
                a href=(format!("/evaluasi/unduh?jendela={window}&format=csv")) download { (lang.t("Unduh CSV", "Download CSV")) }
                " · "
                a href=(format!("/evaluasi/unduh?jendela={window}&format=xlsx")) download { (lang.t("Unduh XLSX", "Download XLSX")) }
            }
            @for t in &shown {
                section {
                    div.table-scroll {
                        table {
                            caption { (t.title) }
                            thead { tr {
                                @for h in t.header.iter().take(3) { th scope="col" { (h) } }
                                @for g in groups { th scope="col" { (g) } }
                                @if let Some(h) = t.header.last() { th scope="col" { (h) } }
                            } }
                            tbody {
                                @for r in &t.rows {
                                    tr {
                                        th scope="row" { (r[0]) }
                                        td { (r[1]) }
                                        td.num { (r[2]) }
                                        @for g in 0..4 {
                                            td.num {
                                                (r[3 + 3 * g]) span.muted { " (" (r[4 + 3 * g]) ")" }
                                                br; span.muted { "n=" (r[5 + 3 * g]) }
                                            }
                                        }
                                        td.num { (r[15]) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(
        &ctx.chrome(),
        lang.t("Evaluasi program Desa Binaan", "Desa Binaan programme evaluation"),
        body,
    )
    .into_response()
}
