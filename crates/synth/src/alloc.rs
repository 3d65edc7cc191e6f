//! Unique identifiers for a run: NIK serials per district and birth date, mobile numbers,
//! passport numbers and CPMI ids. Nothing is handed out twice.

use rand::Rng;
use time::Date;

use jejak_domain::{Nik, PassportNo, Phone, Sex};

use crate::fxhash::{FxHashMap, FxHashSet};
use crate::pick::{Rng8, weighted};

/// Operator prefixes after the leading 0 (DOMAIN.md §4.4), weighted by market share.
const MOBILE_PREFIXES: [(&str, u32); 28] = [
    ("811", 6),
    ("812", 10),
    ("813", 8),
    ("821", 8),
    ("822", 8),
    ("823", 5),
    ("851", 4),
    ("852", 8),
    ("853", 5),
    ("814", 1),
    ("815", 3),
    ("816", 2),
    ("855", 2),
    ("856", 4),
    ("857", 5),
    ("858", 3),
    ("817", 3),
    ("818", 2),
    ("819", 4),
    ("859", 3),
    ("877", 4),
    ("878", 4),
    ("831", 2),
    ("838", 2),
    ("895", 3),
    ("896", 3),
    ("882", 2),
    ("881", 1),
];

/// Hands out identifiers that are unique within one dataset.
#[derive(Debug, Default)]
pub(crate) struct Allocators {
    nik_serials: FxHashMap<u64, u16>,
    phones: FxHashSet<u64>,
    passports: u32,
    cpmi: u32,
}

impl Allocators {
    /// A NIK registered in `district` (six digits) for a person born on `birth`: the next
    /// free serial for that district, date and sex.
    pub(crate) fn nik(&mut self, rng: &mut Rng8, district: &str, birth: Date, sex: Sex) -> Nik {
        let district_num: u64 = district.parse().unwrap_or(0);
        let day = birth.day() + if sex == Sex::Female { 40 } else { 0 };
        let key = district_num * 1_000_000
            + u64::from(day) * 10_000
            + u64::from(u8::from(birth.month())) * 100
            + u64::from(birth.year().rem_euclid(100) as u16);
        let next = self.nik_serials.entry(key).or_insert_with(|| rng.random_range(1..=40));
        let serial = *next;
        *next = if *next >= 9999 { 1 } else { *next + 1 };
        let mut text = String::with_capacity(16);
        text.push_str(district);
        let yy = birth.year().rem_euclid(100) as u16;
        for (value, width) in
            [(u16::from(day), 2), (u16::from(u8::from(birth.month())), 2), (yy, 2), (serial, 4)]
        {
            push_digits(&mut text, value, width);
        }
        Nik::parse(&text).expect("a NIK built from a Lampung district and a real date is valid")
    }

    /// A mobile number nobody else in the dataset has.
    pub(crate) fn phone(&mut self, rng: &mut Rng8) -> Phone {
        let weights: [u32; 28] = MOBILE_PREFIXES.map(|(_, w)| w);
        loop {
            let prefix = MOBILE_PREFIXES[weighted(rng, &weights)].0;
            let long = rng.random_bool(0.6);
            let rest: u64 = if long {
                rng.random_range(10_000_000..100_000_000)
            } else {
                rng.random_range(1_000_000..10_000_000)
            };
            let digits = format!("62{prefix}{rest}");
            if self.phones.insert(digits.parse().unwrap_or(0)) {
                return Phone::parse(&digits).expect("62 + operator prefix + 7-8 digits is valid");
            }
        }
    }

    /// A landline of a Lampung office (0721 Bandar Lampung, 0725 Metro, 0727 Kalianda,
    /// 0724 Kotabumi); not checked for uniqueness against mobiles, which never collide.
    pub(crate) fn landline(&mut self, rng: &mut Rng8) -> Phone {
        let area = ["721", "725", "727", "724"][rng.random_range(0..4)];
        let rest: u32 = rng.random_range(200_000..800_000);
        Phone::parse(&format!("0{area}{rest}")).unwrap_or_else(|_| self.phone(rng))
    }

    /// The next passport number: one letter and seven digits, spread over the number space.
    pub(crate) fn passport(&mut self, issued: Date) -> Option<PassportNo> {
        self.passports += 1;
        let digits = (u64::from(self.passports) * 7_919_113 + 1_234_567) % 10_000_000;
        let letter = if issued.year() >= 2025 { 'E' } else { 'C' };
        PassportNo::parse(&format!("{letter}{digits:07}")).ok()
    }

    /// A synthetic SISKOP2MI registration id: regency, year and a serial.
    pub(crate) fn cpmi(&mut self, regency: &str, year: i32) -> String {
        self.cpmi += 1;
        format!("CPMI-{regency}-{}-{:06}", year.rem_euclid(100), self.cpmi)
    }
}

/// Appends `value` zero-padded to `width` digits.
fn push_digits(out: &mut String, value: u16, width: u32) {
    let mut divisor = 10u16.pow(width - 1);
    while divisor > 0 {
        out.push(char::from(b'0' + (value / divisor % 10) as u8));
        divisor /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jejak_domain::date::ymd;
    use rand::SeedableRng;

    #[test]
    fn niks_for_one_district_and_date_get_consecutive_serials() {
        let mut alloc = Allocators::default();
        let mut rng = Rng8::seed_from_u64(1);
        let birth = ymd(1995, 3, 12).expect("date");
        let a = alloc.nik(&mut rng, "180705", birth, Sex::Female);
        let b = alloc.nik(&mut rng, "180705", birth, Sex::Female);
        assert_eq!(&a.as_str()[..12], "180705520395");
        assert_eq!(&a.as_str()[..12], &b.as_str()[..12]);
        let sa: u16 = a.serial().parse().expect("digits");
        let sb: u16 = b.serial().parse().expect("digits");
        assert_eq!(sa + 1, sb);
        let man = alloc.nik(&mut rng, "180705", birth, Sex::Male);
        assert_eq!(&man.as_str()[6..8], "12");
    }

    #[test]
    fn phones_and_passports_are_unique() {
        let mut alloc = Allocators::default();
        let mut rng = Rng8::seed_from_u64(2);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let p = alloc.phone(&mut rng);
            assert!(p.is_mobile());
            assert!(seen.insert(p));
        }
        let issued = ymd(2024, 1, 1).expect("date");
        let passports: std::collections::HashSet<_> =
            (0..20_000).filter_map(|_| alloc.passport(issued)).collect();
        assert_eq!(passports.len(), 20_000);
        assert!(passports.iter().all(PassportNo::looks_indonesian));
    }
}
