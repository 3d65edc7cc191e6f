//! Interface language: Bahasa Indonesia by default, English on request. The choice comes from
//! `?lang=` (kept in the `jejak_lang` cookie by `/bahasa`) and dates are written as
//! Indonesians write them ("1 Februari 2025").

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use time::Date;

/// Name of the cookie that remembers the language.
pub(crate) const LANG_COOKIE: &str = "jejak_lang";

/// The two interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    Id,
    En,
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Lang {
    pub(crate) fn parse(code: Option<&str>) -> Option<Lang> {
        match code? {
            "en" => Some(Lang::En),
            "id" => Some(Lang::Id),
            _ => None,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Picks the text in this language.
    pub(crate) fn t<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// A date as people write it in this language: "1 Februari 2025".
    pub(crate) fn date(self, date: Date) -> String {
        let months = match self {
            Lang::Id => &MONTHS_ID,
            Lang::En => &MONTHS_EN,
        };
        format!(
            "{} {} {}",
            date.day(),
            months[usize::from(u8::from(date.month())) - 1],
            date.year()
        )
    }
}

/// The request's language: `?lang=` first, then the cookie, then Indonesian.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .and_then(|v| Lang::parse(Some(v)))
        });
        Ok(from_query.or_else(|| Lang::parse(cookie(parts, LANG_COOKIE))).unwrap_or_default())
    }
}

/// The value of cookie `name` in the request, if sent.
pub(crate) fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_indonesians_write_them() {
        let d = jejak_domain::date::ymd(2025, 2, 1).unwrap();
        assert_eq!(Lang::Id.date(d), "1 Februari 2025");
        assert_eq!(Lang::En.date(d), "1 February 2025");
    }
}
