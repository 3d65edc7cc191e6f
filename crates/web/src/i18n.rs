//! Interface language: Bahasa Indonesia by default, English on request (`?lang=en`).

use serde::Deserialize;

/// The two interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    Id,
    En,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct LangQuery {
    pub(crate) lang: Option<String>,
}

impl Lang {
    pub(crate) fn from_query(q: &LangQuery) -> Lang {
        match q.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Id,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Picks the text in this language.
    pub(crate) fn t(self, id: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}
