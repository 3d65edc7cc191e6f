//! Tags that say how an application differs from its person's true identity: the ground
//! truth for measuring what the identity engine misses.

use std::fmt;

macro_rules! variations {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)+) => {
        /// One way in which an application differs from the person's true identity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Variation { $($(#[$doc])* $variant,)+ }

        impl Variation {
            /// Every variation, in declaration order.
            pub const ALL: &'static [Variation] = &[$(Variation::$variant),+];

            /// Snake-case name, as written in reports.
            pub fn as_str(self) -> &'static str {
                match self { $(Variation::$variant => $name),+ }
            }
        }
    };
}

variations! {
    /// Old versus new spelling (oe/u, dj/j, tj/c, j/y, nj/ny, sj/sy, ch/kh).
    Spelling = "spelling",
    /// Muhammad/Moh./M., Ahmad/Achmad, Nur/Noor, Siti/St., Abdul/Abd. and the like.
    TokenVariant = "token_variant",
    TitleAdded = "title_added",
    TitleDropped = "title_dropped",
    /// Two name tokens swapped.
    TokenOrder = "token_order",
    /// A name token left out.
    TokenDropped = "token_dropped",
    /// Two tokens written as one (Nur Haliza → Nurhaliza).
    TokensJoined = "tokens_joined",
    /// One token written as two (Nurhaliza → Nur Haliza).
    TokenSplit = "token_split",
    /// A typing error in the name.
    Typo = "typo",
    /// Final i for y or y for i (Rizki/Rizky).
    FinalIY = "final_i_y",
    /// f/p, z/j, dropped h, doubled consonant, -a/-o.
    Phonetic = "phonetic",
    /// bin/binti + father's name added.
    PatronymAdded = "patronym_added",
    /// bin/binti + father's name left out.
    PatronymDropped = "patronym_dropped",
    /// An alias or nickname written after the name ("als Iyem", "a.k.a. Iyem", "(Iyem)").
    AliasAdded = "alias_added",
    /// NIK with another serial (same district and birth date).
    NikSerial = "nik_serial",
    /// A second NIK from another district.
    NikDistrict = "nik_district",
    /// A second NIK from another regency whose birth part (DDMMYY, sex) is the true one.
    NikRegency = "nik_regency",
    NikOmitted = "nik_omitted",
    /// Day and month of birth swapped.
    BirthSwapped = "birth_swapped",
    /// Year of birth off by one or two.
    BirthYear = "birth_year",
    PhoneChanged = "phone_changed",
    PhoneOmitted = "phone_omitted",
    /// Another village (and so another address).
    VillageChanged = "village_changed",
    /// Same address written another way.
    AddressRewritten = "address_rewritten",
    /// Another address (in the same regency, often another village).
    AddressNew = "address_new",
    AddressOmitted = "address_omitted",
    MotherVaried = "mother_varied",
    MotherOmitted = "mother_omitted",
    FatherVaried = "father_varied",
    FatherOmitted = "father_omitted",
    /// Alm./Almh. written before a parent's name.
    DeceasedMarker = "deceased_marker",
    BirthPlaceVaried = "birth_place_varied",
    BirthPlaceOmitted = "birth_place_omitted",
    OccupationChanged = "occupation_changed",
    /// Applied at another office than the person's first application.
    OfficeChanged = "office_changed",
}

impl fmt::Display for Variation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of variations, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Variations(u64);

impl Variations {
    pub const NONE: Variations = Variations(0);

    pub fn insert(&mut self, v: Variation) {
        self.0 |= 1 << (v as u8);
    }

    pub fn remove(&mut self, v: Variation) {
        self.0 &= !(1 << (v as u8));
    }

    pub fn contains(self, v: Variation) -> bool {
        self.0 & (1 << (v as u8)) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = Variation> {
        Variation::ALL.iter().copied().filter(move |v| self.contains(*v))
    }

    /// Any change to the name itself.
    pub fn touches_name(self) -> bool {
        use Variation::*;
        [
            Spelling,
            TokenVariant,
            TitleAdded,
            TitleDropped,
            TokenOrder,
            TokenDropped,
            TokensJoined,
            TokenSplit,
            Typo,
            FinalIY,
            Phonetic,
            PatronymAdded,
            PatronymDropped,
            AliasAdded,
        ]
        .into_iter()
        .any(|v| self.contains(v))
    }
}

impl FromIterator<Variation> for Variations {
    fn from_iter<I: IntoIterator<Item = Variation>>(iter: I) -> Self {
        let mut set = Variations::NONE;
        for v in iter {
            set.insert(v);
        }
        set
    }
}

/// Names joined by `;`, e.g. `spelling;nik_serial`; empty for none.
impl fmt::Display for Variations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(v.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_each_variation_once() {
        assert!(Variation::ALL.len() <= 64);
        let mut set: Variations = [Variation::Typo, Variation::NikSerial].into_iter().collect();
        set.insert(Variation::Typo);
        assert_eq!(set.len(), 2);
        assert!(set.touches_name());
        assert_eq!(set.to_string(), "typo;nik_serial");
        set.remove(Variation::Typo);
        assert!(!set.touches_name());
        assert_eq!(set.to_string(), "nik_serial");
    }
}
