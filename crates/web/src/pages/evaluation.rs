//! The Desa Binaan programme evaluation (`/evaluasi`, issue 16 item 2): each designated
//! village before and after its designation date against comparable villages of the same
//! regency not (yet) designated, rates per 1,000 applications with their counts, and the
//! method in plain Indonesian. Designations come from the village register (`Villages::designations`).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jejak_service::stats::evaluate;
use jejak_service::stats::evaluation::{OUTCOMES, PublishedCohort, Rate};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;

#[derive(Deserialize, Default)]
pub(crate) struct EvaluationQuery {
    /// Months before and after the designation date (default 12).
    jendela: Option<u32>,
}

fn rate(r: &Rate) -> Markup {
    html! {
        (r.per_thousand.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}")))
        span.muted { " (" (r.count.text()) ")" }
    }
}

/// `GET /evaluasi[?jendela=12]`.
pub(crate) async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<EvaluationQuery>,
) -> Response {
    let window = q.jendela.unwrap_or(12).clamp(1, 36);
    let designations = match state.villages.designations().await {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    let cohorts = match evaluate(state.casework.screening(), ctx.actor(), &designations, window) {
        Ok(c) => c,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let outcome_label = |o: &str| match o {
        "flagged_high" => lang.t("Risiko tinggi", "High risk"),
        "adverse" => lang.t("Ditunda atau ditolak", "Deferred or rejected"),
        _ => lang.t("Tertangkap lintas kantor", "Cross-office catches"),
    };
    let village_name = |c: &PublishedCohort| match &c.village {
        Some(v) => match v.info() {
            Some(info) => format!("{} ({})", info.name, v.dotted()),
            None => v.dotted(),
        },
        None => lang.t("Gabungan semua desa binaan", "All designated villages pooled").to_owned(),
    };
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
        @if designations.is_empty() {
            p.notice { (lang.t("Belum ada Desa Binaan yang tercatat.", "No Desa Binaan is recorded yet.")) }
        } @else {
            @for (oi, o) in OUTCOMES.iter().enumerate() {
                section {
                    div.table-scroll {
                        table {
                            caption { (outcome_label(o)) " " (lang.t("per 1.000 permohonan", "per 1,000 applications")) }
                            thead { tr {
                                th scope="col" { (lang.t("Desa Binaan", "Designated village")) }
                                th scope="col" { (lang.t("Ditetapkan", "Designated")) }
                                th scope="col" { (lang.t("Desa pembanding", "Comparison villages")) }
                                th scope="col" { (lang.t("Binaan sebelum", "Designated before")) }
                                th scope="col" { (lang.t("Binaan sesudah", "Designated after")) }
                                th scope="col" { (lang.t("Pembanding sebelum", "Comparison before")) }
                                th scope="col" { (lang.t("Pembanding sesudah", "Comparison after")) }
                                th scope="col" { (lang.t("Perkiraan pengaruh", "Estimated effect")) }
                            } }
                            tbody {
                                @for c in &cohorts {
                                    tr {
                                        th scope="row" { (village_name(c)) }
                                        td { (c.designated_on.map(|d| lang.date(d)).unwrap_or_default()) }
                                        td.num { (c.comparison_villages) }
                                        @for g in 0..4 {
                                            td.num { (rate(&c.rates[oi][g])) br; span.muted { "n=" (c.applications[g].text()) } }
                                        }
                                        td.num { (c.estimate[oi].map_or_else(|| "–".to_owned(), |v| format!("{v:+.1}"))) }
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
