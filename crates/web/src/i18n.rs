//! Interface language: Bahasa Indonesia by default, English on request. The choice comes from
//! `?lang=` (kept in the `jejak_lang` cookie by `/bahasa`) and dates are written as
//! Indonesians write them ("1 Februari 2025").

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

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

    /// A stored RFC 3339 instant in Lampung's time zone (WIB, UTC+7), as people write it:
    /// "1 Februari 2025 15.30 WIB" (Indonesian uses a dot between hours and minutes).
    /// Text that is not an instant is shown as it is.
    pub(crate) fn instant(self, rfc3339: &str) -> String {
        let Ok(at) = OffsetDateTime::parse(rfc3339, &Rfc3339) else {
            return rfc3339.to_owned();
        };
        let local = at.to_offset(WIB);
        let separator = match self {
            Lang::Id => '.',
            Lang::En => ':',
        };
        format!(
            "{} {:02}{separator}{:02} WIB",
            self.date(local.date()),
            local.hour(),
            local.minute()
        )
    }
}

/// Western Indonesian Time, the zone of the Lampung offices.
const WIB: UtcOffset = time::macros::offset!(+7);

impl Lang {
    /// The request's language: `?lang=` first, then the cookie, then Indonesian.
    pub(crate) fn of(uri: &Uri, headers: &HeaderMap) -> Lang {
        let from_query = uri.query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .and_then(|v| Lang::parse(Some(v)))
        });
        from_query.or_else(|| Lang::parse(cookie(headers, LANG_COOKIE))).unwrap_or_default()
    }
}

/// The request's language (`Lang::of`).
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(&parts.uri, &parts.headers))
    }
}

/// The value of cookie `name` in the request, if sent.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
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

    #[test]
    fn instants_are_shown_in_western_indonesian_time() {
        assert_eq!(Lang::Id.instant("2025-02-01T20:05:00Z"), "2 Februari 2025 03.05 WIB");
        assert_eq!(Lang::En.instant("2025-02-01T08:30:00+00:00"), "1 February 2025 15:30 WIB");
        assert_eq!(Lang::Id.instant("kemarin"), "kemarin");
    }
}
