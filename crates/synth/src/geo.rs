//! Lampung's regencies, districts and villages from the embedded Kemendagri list, with the
//! share of applicants per regency, its kantong-PMI level, its mix of groups, the office
//! whose work area it is in, and the desa binaan (DOMAIN.md §5.2, §5.3).

use std::sync::OnceLock;

use jejak_domain::region::{RegionLevel, regions};
use jejak_domain::{Office, RegionCode};

use crate::names::Group;
use crate::pick::{Pool, Rng8};

const REGENCIES: &str = include_str!("../data/regencies.csv");

/// Villages named as desa binaan imigrasi, drawn far more often than their size suggests.
const DESA_BINAAN: [&str; 3] = ["1809012004", "1810032001", "1807052001"];
const BINAAN_WEIGHT: u32 = 40;

#[derive(Debug)]
pub(crate) struct Regency {
    pub(crate) code: RegionCode,
    /// Without "Kabupaten"/"Kota", as people write it.
    pub(crate) short_name: String,
    /// 0 (none) to 3 (Lampung Timur), from the ranking of kantong PMI.
    pub(crate) pocket: u8,
    pub(crate) groups: Pool<Group>,
    pub(crate) office: usize,
    pub(crate) districts: Vec<usize>,
    pub(crate) villages: Pool<usize>,
}

#[derive(Debug)]
pub(crate) struct District {
    /// Six digits, as in a NIK.
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) regency: usize,
}

#[derive(Debug)]
pub(crate) struct Village {
    pub(crate) code: RegionCode,
    pub(crate) name: String,
    pub(crate) district: usize,
    /// Kelurahan (urban, streets) rather than desa (dusun, RT/RW).
    pub(crate) urban: bool,
}

#[derive(Debug)]
pub(crate) struct Geo {
    pub(crate) offices: Vec<Office>,
    pub(crate) regencies: Vec<Regency>,
    pub(crate) regency_pool: Pool<usize>,
    pub(crate) districts: Vec<District>,
    pub(crate) villages: Vec<Village>,
}

impl Geo {
    pub(crate) fn pick_regency(&self, rng: &mut Rng8) -> usize {
        self.regency_pool.pick(rng).copied().unwrap_or(0)
    }

    pub(crate) fn pick_village(&self, rng: &mut Rng8, regency: usize) -> usize {
        self.regencies[regency].villages.pick(rng).copied().unwrap_or(0)
    }

    pub(crate) fn regency_of_village(&self, village: usize) -> usize {
        self.districts[self.villages[village].district].regency
    }

    fn build() -> Geo {
        let offices = Office::lampung_pilot();
        let all = regions();
        let mut regencies: Vec<Regency> = Vec::new();
        let mut regency_pool = Pool::new();
        for row in csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(REGENCIES.as_bytes())
            .records()
            .flatten()
        {
            let Some(code) = row.get(0).and_then(|c| RegionCode::parse(c).ok()) else { continue };
            let Some(info) = all.get(&code) else { continue };
            let number = |i: usize| row.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            let groups =
                Group::ALL.iter().enumerate().map(|(i, g)| (*g, number(3 + i) as u32)).collect();
            let office = offices.iter().position(|o| o.serves(&code)).unwrap_or(0);
            let short_name =
                info.name.trim_start_matches("Kabupaten ").trim_start_matches("Kota ").to_owned();
            regency_pool.push(regencies.len(), (number(1) * 10.0) as u32);
            regencies.push(Regency {
                code,
                short_name,
                pocket: number(2) as u8,
                groups,
                office,
                districts: Vec::new(),
                villages: Pool::new(),
            });
        }
        let mut districts = Vec::new();
        let mut district_index = std::collections::HashMap::new();
        for d in all.at_level(RegionLevel::District) {
            let Some(regency) =
                regencies.iter().position(|r| d.code.as_str().starts_with(r.code.as_str()))
            else {
                continue;
            };
            district_index.insert(d.code.as_str().to_owned(), districts.len());
            regencies[regency].districts.push(districts.len());
            districts.push(District {
                code: d.code.as_str().to_owned(),
                name: d.name.clone(),
                regency,
            });
        }
        let mut villages = Vec::new();
        for v in all.at_level(RegionLevel::Village) {
            let Some(&district) = district_index.get(&v.code.as_str()[..6]) else { continue };
            let regency = districts[district].regency;
            let weight = if DESA_BINAAN.contains(&v.code.as_str()) { BINAAN_WEIGHT } else { 1 };
            regencies[regency].villages.push(villages.len(), weight);
            villages.push(Village {
                code: v.code.clone(),
                name: v.name.clone(),
                district,
                urban: v.code.as_str().as_bytes()[6] == b'1',
            });
        }
        Geo { offices, regencies, regency_pool, districts, villages }
    }
}

/// Lampung, built once from the embedded region list.
pub(crate) fn geo() -> &'static Geo {
    static GEO: OnceLock<Geo> = OnceLock::new();
    GEO.get_or_init(Geo::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_of_lampung_is_loaded_and_served_by_the_right_office() {
        let g = geo();
        assert_eq!(g.regencies.len(), 15);
        assert_eq!(g.districts.len(), 229);
        assert_eq!(g.villages.len(), 2651);
        let lamtim = g.regencies.iter().find(|r| r.code.as_str() == "1807");
        let lamtim = lamtim.expect("Lampung Timur");
        assert_eq!(lamtim.short_name, "Lampung Timur");
        assert_eq!(lamtim.pocket, 3);
        assert_eq!(g.offices[lamtim.office].code.as_str(), "KLA");
        for r in &g.regencies {
            assert!(g.offices[r.office].serves(&r.code));
            assert!(!r.villages.is_empty() && !r.groups.is_empty(), "{}", r.code);
        }
    }
}
