//! The page shell every page shares: language, navigation by permission, the DEMO banner, who
//! is logged in. Pages are plain HTML forms; htmx (vendored, `/static/`) only enhances.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jejak_service::authz::{Actor, Section};
use maud::{DOCTYPE, Markup, html};

use crate::i18n::Lang;

/// What the shell needs to know about the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chrome<'a> {
    pub(crate) lang: Lang,
    pub(crate) demo: bool,
    pub(crate) user: Option<&'a Actor>,
    /// The session's CSRF token, put into every form.
    pub(crate) csrf: &'a str,
    /// The current path, for the language switch to come back to.
    pub(crate) path: &'a str,
}

impl Chrome<'_> {
    pub(crate) fn t<'s>(&self, id: &'s str, en: &'s str) -> &'s str {
        self.lang.t(id, en)
    }

    /// The hidden CSRF field for a form.
    pub(crate) fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="_csrf" value=(self.csrf); }
    }
}

/// Where a section of the navigation lives and what it is called (Indonesian, English); the
/// service decides which sections an actor sees.
fn nav_entry(section: Section) -> (&'static str, &'static str, &'static str) {
    match section {
        Section::Queue => ("/", "Antrean", "Queue"),
        Section::NewApplication => ("/permohonan/baru", "Permohonan baru", "New application"),
        Section::Reviews => ("/tinjauan", "Tinjauan", "Reviews"),
        Section::Search => ("/cari", "Cari", "Search"),
        Section::Villages => ("/desa", "Desa binaan", "Villages"),
        Section::VillageAlerts => ("/desa/peringatan", "Peringatan desa", "Village alerts"),
        Section::Referrals => ("/rujukan", "Rujukan", "Referrals"),
        Section::Import => ("/impor", "Impor", "Import"),
        Section::Rules => ("/aturan", "Aturan risiko", "Risk rules"),
        Section::Dashboard => ("/dasbor", "Dasbor", "Dashboard"),
        Section::Admin => ("/admin", "Admin", "Admin"),
    }
}

/// A whole page around `body`.
pub(crate) fn page(chrome: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    let lang = chrome.lang;
    let (other_code, other_name) = match lang {
        Lang::Id => ("en", "English"),
        Lang::En => ("id", "Bahasa Indonesia"),
    };
    let switch =
        format!("/bahasa?ke={other_code}&kembali={}", encode_path(&without_lang(chrome.path)));
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Jejak" }
                link rel="stylesheet" href="/static/jejak.css";
                script src="/static/htmx.min.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "Jejak" }
                    @if let Some(user) = chrome.user {
                        nav aria-label=(lang.t("Navigasi utama", "Main navigation")) {
                            @for (path, id, en) in user.sections().into_iter().map(nav_entry) {
                                a href=(path) { (lang.t(id, en)) }
                            }
                        }
                    }
                    div.who {
                        a href=(switch) lang=(other_code) { (other_name) }
                        @if let Some(user) = chrome.user {
                            span { (user.display_name) " · " (user.office.as_str()) " · "
                                (match lang { Lang::Id => user.role.label().0, Lang::En => user.role.label().1 }) }
                            form method="post" action="/logout" {
                                (chrome.csrf_field())
                                button type="submit" { (lang.t("Keluar", "Log out")) }
                            }
                        }
                    }
                }
                @if chrome.demo {
                    p.demo role="alert" {
                        (lang.t("DEMO: data sintetis, bukan data pemohon sungguhan.",
                                "DEMO: synthetic data, not real applicants."))
                    }
                }
                main id="main" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// Renders a page with a status code.
pub(crate) fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// `path` without a `lang=` parameter, so that coming back after switching the language does
/// not switch it back (`?lang=` wins over the cookie).
fn without_lang(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else { return path.to_owned() };
    let kept: Vec<&str> =
        query.split('&').filter(|p| !p.starts_with("lang=") && !p.is_empty()).collect();
    if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) }
}

/// A path safe to carry in a query parameter (only paths of this site are kept).
pub(crate) fn encode_path(path: &str) -> String {
    let path = if path.starts_with('/') && !path.starts_with("//") { path } else { "/" };
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A risk band or match band as a coloured label (the text carries the meaning, not only
/// the colour).
pub(crate) fn band_label(lang: Lang, css: &str, id: &str, en: &str) -> Markup {
    html! { span class=(format!("band band-{css}")) { (lang.t(id, en)) } }
}

/// The advisory risk band.
pub(crate) fn risk_band(lang: Lang, band: jejak_rules::Band) -> Markup {
    match band {
        jejak_rules::Band::Low => band_label(lang, "low", "rendah", "low"),
        jejak_rules::Band::Medium => band_label(lang, "medium", "sedang", "medium"),
        jejak_rules::Band::High => band_label(lang, "high", "tinggi", "high"),
    }
}

/// The identity engine's band for a candidate.
pub(crate) fn match_band(lang: Lang, band: jejak_matching::Band) -> Markup {
    match band {
        jejak_matching::Band::AutoLink => {
            band_label(lang, "auto_link", "orang yang sama", "same person")
        }
        jejak_matching::Band::Review => {
            band_label(lang, "review", "perlu diperiksa", "needs review")
        }
        jejak_matching::Band::NoMatch => band_label(lang, "no_match", "berbeda", "different"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_carried() {
        assert_eq!(super::encode_path("/cari?q=a b"), "/cari%3Fq%3Da%20b");
        assert_eq!(super::encode_path("//evil.example"), "/");
        assert_eq!(super::encode_path("https://evil"), "/");
    }

    #[test]
    fn the_language_switch_comes_back_without_the_old_choice() {
        assert_eq!(super::without_lang("/login?lang=en&next=%2F"), "/login?next=%2F");
        assert_eq!(super::without_lang("/login?lang=en"), "/login");
        assert_eq!(super::without_lang("/cari?q=siti"), "/cari?q=siti");
    }
}
