//! Street addresses as written on forms: `Jl.`/`Gg.`/`No.` with RT and LK in towns, `Dusun`
//! with RT/RW in villages, each in several spellings of the same place.

use rand::Rng;

use crate::geo::{Geo, Village};
use crate::pick::{Rng8, chance};
use crate::tables::tables;

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Street { street: &'static str, gang: Option<&'static str>, number: u16 },
    Hamlet { name: Option<&'static str>, number: u8 },
}

/// How an address is spelled; the same place has many spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    /// 0: `RT 003 RW 001`, 1: `RT.03/RW.01`, 2: `Rt 3 Rw 1`, 3: `RT 003/RW 001`.
    numbers: u8,
    /// Hamlet shown as `Dusun III`, `Dsn. III` or `Dusun 3`.
    hamlet: u8,
    /// 0: no village, 1: `, Way Layap`, 2: `Desa Way Layap Kec. Gedong Tataan`.
    village: u8,
}

impl Style {
    pub(crate) fn random(rng: &mut Rng8) -> Self {
        Self {
            numbers: rng.random_range(0..4),
            hamlet: rng.random_range(0..3),
            village: rng.random_range(0..3),
        }
    }
}

/// A dwelling: where in the village a household lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    place: Place,
    rt: u8,
    rw: u8,
}

impl Address {
    pub(crate) fn random(rng: &mut Rng8, village: &Village) -> Self {
        let t = tables();
        let place = if village.urban {
            Place::Street {
                street: t.pool("street").pick(rng).copied().unwrap_or("Jl. Merdeka"),
                gang: if chance(rng, 0.4) { t.pool("gang").pick(rng).copied() } else { None },
                number: rng.random_range(1..=150),
            }
        } else {
            Place::Hamlet {
                name: if chance(rng, 0.5) { t.pool("dusun").pick(rng).copied() } else { None },
                number: rng.random_range(1..=8),
            }
        };
        Self { place, rt: rng.random_range(1..=25), rw: rng.random_range(1..=8) }
    }

    /// The address in `style`, in the village with index `village`.
    pub(crate) fn render(&self, style: Style, geo: &Geo, village: usize) -> String {
        let mut out = String::with_capacity(64);
        let unit = if matches!(self.place, Place::Street { .. }) { "LK" } else { "RW" };
        match &self.place {
            Place::Street { street, gang, number } => {
                out.push_str(street);
                if let Some(gang) = gang {
                    out.push(' ');
                    out.push_str(gang);
                }
                out.push_str(if style.numbers == 2 { " No " } else { " No. " });
                out.push_str(&number.to_string());
            }
            Place::Hamlet { name, number } => {
                out.push_str(if style.hamlet == 1 { "Dsn. " } else { "Dusun " });
                match name {
                    Some(name) => out.push_str(name),
                    None if style.hamlet == 2 => out.push_str(&number.to_string()),
                    None => out.push_str(ROMAN[usize::from(*number - 1) % ROMAN.len()]),
                }
            }
        }
        let (rt, rw) = (self.rt, self.rw);
        let numbers = match style.numbers {
            0 => format!(" RT {rt:03} {unit} {rw:03}"),
            1 => format!(" RT.{rt:02}/{unit}.{rw:02}"),
            2 => format!(" Rt {rt} {} {rw}", if unit == "LK" { "Lk" } else { "Rw" }),
            _ => format!(" RT {rt:03}/{unit} {rw:03}"),
        };
        out.push_str(&numbers);
        let v = &geo.villages[village];
        match style.village {
            1 => {
                out.push_str(", ");
                out.push_str(&v.name);
            }
            2 => {
                out.push_str(if v.urban { " Kel. " } else { " Desa " });
                out.push_str(&v.name);
                out.push_str(" Kec. ");
                out.push_str(&geo.districts[v.district].name);
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::geo;
    use rand::SeedableRng;

    #[test]
    fn one_dwelling_has_many_spellings() {
        let g = geo();
        let way_layap = g.villages.iter().position(|v| v.code.as_str() == "1809012004");
        let way_layap = way_layap.expect("Way Layap");
        let address = Address { place: Place::Hamlet { name: None, number: 3 }, rt: 2, rw: 1 };
        let a = address.render(Style { numbers: 0, hamlet: 0, village: 0 }, g, way_layap);
        assert_eq!(a, "Dusun III RT 002 RW 001");
        let b = address.render(Style { numbers: 1, hamlet: 2, village: 2 }, g, way_layap);
        assert_eq!(b, "Dusun 3 RT.02/RW.01 Desa Way Layap Kec. Gedong Tataan");
        let mut rng = Rng8::seed_from_u64(9);
        let town = g.villages.iter().position(|v| v.urban).expect("a kelurahan");
        let street = Address::random(&mut rng, &g.villages[town]);
        assert!(street.render(Style::random(&mut rng), g, town).starts_with("Jl. "));
    }
}
