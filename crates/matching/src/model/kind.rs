//! Comparison kinds (how a field's values are prepared and compared) and blocking-key
//! transforms (which part of a value a key uses), with their defaults.

/// How a field's values are prepared and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Personal name: Indonesian normalisation, token sets, spelling equivalences.
    Name,
    /// Free text (addresses, places): folded string, token order, Jaro-Winkler.
    Text,
    /// Identifier or code: exact, or one typo apart.
    Code,
    /// Small closed set (sex, state): exact or different.
    Category,
    /// Calendar date: exact, day/month swapped, one typo, same year.
    Date,
    /// Indonesian NIK: exact, typo, or same decoded region, birth date and sex.
    Nik,
    /// Phone number: national digits, exact or one typo.
    Phone,
    /// Kemendagri region code: same village, kecamatan or kabupaten.
    Region,
}

/// Which part of a field's value a blocking key uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transform {
    /// The prepared value (for names: the sorted equivalent-spelling tokens).
    Value,
    /// Names: the sorted close-spelling tokens.
    Close,
    /// Names and text: each token on its own (one key per token).
    Tokens,
    /// Dates: the year.
    Year,
    /// Dates: year with day and month unordered, so swapped dates share the key.
    DayMonthUnordered,
    /// Dates: day and month unordered, without the year (a birth year off by one).
    Birthday,
    /// NIK: the birth date encoded in digits 7-12 (women's day minus 40).
    NikBirth,
    /// NIK: the sex encoded in the day.
    NikSex,
    /// NIK and region codes: the kabupaten/kota (first four digits).
    Regency,
    /// NIK and region codes: the kecamatan (first six digits).
    District,
    /// The first letter (names: of the sorted close-spelling tokens).
    Initial,
}

impl Kind {
    pub(crate) const EXPECTED: &'static str =
        "name, text, code, category, date, nik, phone, region";

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "name" => Kind::Name,
            "text" => Kind::Text,
            "code" => Kind::Code,
            "category" => Kind::Category,
            "date" => Kind::Date,
            "nik" => Kind::Nik,
            "phone" => Kind::Phone,
            "region" => Kind::Region,
            _ => return None,
        })
    }

    /// The kind as written in model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Text => "text",
            Kind::Code => "code",
            Kind::Category => "category",
            Kind::Date => "date",
            Kind::Nik => "nik",
            Kind::Phone => "phone",
            Kind::Region => "region",
        }
    }

    /// Default (close, partial) similarity thresholds.
    pub(crate) fn default_thresholds(self) -> (f64, f64) {
        match self {
            Kind::Name => (0.90, 0.80),
            _ => (0.92, 0.80),
        }
    }

    /// Default m and u over (exact, equivalent, close, partial, different): sound starting
    /// points for a small register, refined by estimation when there is enough data.
    pub(crate) fn default_parameters(self) -> ([f64; 5], [f64; 5]) {
        match self {
            Kind::Name => ([0.70, 0.12, 0.08, 0.06, 0.04], [0.002, 0.001, 0.004, 0.02, 0.973]),
            Kind::Text => ([0.80, 0.04, 0.06, 0.04, 0.06], [0.01, 0.001, 0.01, 0.04, 0.939]),
            Kind::Code => {
                ([0.90, 0.001, 0.05, 0.001, 0.048], [0.0005, 0.0001, 0.002, 0.0001, 0.9973])
            }
            Kind::Category => {
                ([0.97, 0.001, 0.001, 0.001, 0.027], [0.5, 0.0001, 0.0001, 0.0001, 0.4997])
            }
            Kind::Date => ([0.88, 0.03, 0.04, 0.02, 0.03], [0.0001, 0.0001, 0.002, 0.02, 0.9778]),
            Kind::Nik => {
                ([0.82, 0.06, 0.05, 0.03, 0.04], [0.00001, 0.00001, 0.0001, 0.001, 0.99888])
            }
            Kind::Phone => {
                ([0.65, 0.001, 0.05, 0.001, 0.298], [0.0002, 0.0001, 0.001, 0.0001, 0.9986])
            }
            Kind::Region => ([0.75, 0.001, 0.10, 0.08, 0.069], [0.001, 0.0001, 0.01, 0.06, 0.9289]),
        }
    }
}

impl Transform {
    pub(crate) const EXPECTED: &'static str = "value, close, tokens, year, day_month_unordered, birthday, nik_birth, nik_sex, regency, district, initial";

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "value" => Transform::Value,
            "close" => Transform::Close,
            "tokens" => Transform::Tokens,
            "year" => Transform::Year,
            "day_month_unordered" => Transform::DayMonthUnordered,
            "birthday" => Transform::Birthday,
            "nik_birth" => Transform::NikBirth,
            "nik_sex" => Transform::NikSex,
            "regency" => Transform::Regency,
            "district" => Transform::District,
            "initial" => Transform::Initial,
            _ => return None,
        })
    }

    pub(crate) fn applies_to(self, kind: Kind) -> bool {
        match self {
            Transform::Value => true,
            Transform::Close => kind == Kind::Name,
            Transform::Tokens => matches!(kind, Kind::Name | Kind::Text),
            Transform::Year | Transform::DayMonthUnordered | Transform::Birthday => {
                kind == Kind::Date
            }
            Transform::NikBirth | Transform::NikSex => kind == Kind::Nik,
            Transform::Regency | Transform::District => matches!(kind, Kind::Nik | Kind::Region),
            Transform::Initial => matches!(kind, Kind::Name | Kind::Text),
        }
    }
}
