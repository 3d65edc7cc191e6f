//! The determined evader of issue 17, one evasion class per test: a woman deferred at one
//! office re-applies with that change (and a new phone and address), and is screened
//! against a register holding her first application, her sister or twin (same mother,
//! father, village, phone and address, another first name) and 2,400 generated strangers.
//! She must be found (review band or auto-link); her sister must not be shown.

use std::sync::{Arc, OnceLock};

use jejak_matching::batch::{self, Input};
use jejak_matching::{Band, Candidate, MatchIndex, Model, Parameters, Record};

/// One application's identity fields.
#[derive(Clone, Copy)]
struct Applicant {
    id: &'static str,
    name: &'static str,
    nik: &'static str,
    birth: &'static str,
    phone: &'static str,
    address: &'static str,
    village: &'static str,
}

/// The evader's first application: Dewi Maryadi, born 12 March 1995 in Metro, NIK from
/// kecamatan 180705 (Lampung Timur).
const DEWI: Applicant = Applicant {
    id: "DEWI-1",
    name: "Dewi Maryadi",
    nik: "1807055203950003",
    birth: "1995-03-12",
    phone: "081234567890",
    address: "Dusun II RT 003 RW 001",
    village: "1807052001",
};

/// Her sister: same household, three years younger.
const SARI: Applicant = Applicant {
    id: "SARI-1",
    name: "Sari Maryadi",
    nik: "1807055508980004",
    birth: "1998-08-15",
    ..DEWI
};

/// Her twin: same birth date, the next NIK serial.
const WULAN: Applicant =
    Applicant { id: "WULAN-1", name: "Wulan Maryati", nik: "1807055203950004", ..DEWI };

/// A re-application by Dewi with a new phone and a new address in another village.
fn evader(name: &'static str) -> Applicant {
    Applicant {
        id: "DEWI-2",
        name,
        phone: "085377001122",
        address: "Jl. Merdeka No. 14",
        village: "1807062003",
        ..DEWI
    }
}

fn model() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Arc::new(Model::interchange().unwrap())).clone()
}

fn record(a: &Applicant) -> Record {
    Record::from_pairs(
        &model(),
        a.id,
        [
            ("full_name", a.name),
            ("nik", a.nik),
            ("sex", "P"),
            ("birth_date", a.birth),
            ("birth_place", "Metro"),
            ("address", a.address),
            ("village_code", a.village),
            ("phone", a.phone),
            ("mother_name", "Sumarni"),
            ("father_name", "Karto Wiyono"),
        ],
    )
    .unwrap()
}

/// Generated strangers, so that the prior and the household cap are a real register's.
fn strangers() -> &'static [Record] {
    static STRANGERS: OnceLock<Vec<Record>> = OnceLock::new();
    STRANGERS.get_or_init(|| {
        let config = jejak_synth::Config { persons: 2_000, seed: 23, ..Default::default() };
        let data = jejak_synth::generate(&config);
        let mut csv = Vec::new();
        jejak_synth::write_csv(&data, &mut csv).unwrap();
        batch::read_inputs(&model(), vec![Input::new("strangers", csv.as_slice())]).unwrap().0
    })
}

/// Screens `query` against the strangers plus `household`; the candidates by id.
fn screen(household: &[Applicant], query: &Applicant) -> Vec<Candidate> {
    let model = model();
    let mut records = strangers().to_vec();
    records.extend(household.iter().map(record));
    let index = MatchIndex::build(model.clone(), Parameters::defaults(&model), &records);
    index.screen(&record(query), 20)
}

fn band_of(candidates: &[Candidate], id: &str) -> Band {
    candidates.iter().find(|c| c.id == id).map_or(Band::NoMatch, |c| c.band)
}

fn level_of(candidates: &[Candidate], id: &str, field: &str) -> Option<jejak_matching::Level> {
    let candidate = candidates.iter().find(|c| c.id == id)?;
    candidate.evidence.iter().find(|e| e.field == field).map(|e| e.level)
}

/// Dewi is found and neither her sister nor her twin is shown.
fn assert_found_and_sisters_apart(query: &Applicant) -> Vec<Candidate> {
    let candidates = screen(&[DEWI, SARI, WULAN], query);
    let describe = |id: &str| candidates.iter().find(|c| c.id == id).cloned();
    assert_ne!(
        band_of(&candidates, DEWI.id),
        Band::NoMatch,
        "{:?} not found: {:?}",
        query.name,
        describe(DEWI.id)
    );
    for sister in [SARI.id, WULAN.id] {
        assert_eq!(
            band_of(&candidates, sister),
            Band::NoMatch,
            "{sister} shown for {:?}: {:?}",
            query.name,
            describe(sister)
        );
    }
    candidates
}

#[test]
fn token_order_is_the_same_name() {
    let candidates = assert_found_and_sisters_apart(&evader("Maryadi Dewi"));
    assert_eq!(level_of(&candidates, DEWI.id, "full_name"), Some(jejak_matching::Level::Exact));
    // Counter-example: the sister's name in another order is still her name, not Dewi's.
    let sari = Applicant { id: "SARI-2", name: "Maryadi Sari", ..SARI };
    let candidates = screen(&[DEWI, SARI], &sari);
    assert_eq!(band_of(&candidates, DEWI.id), Band::NoMatch);
    assert_ne!(band_of(&candidates, SARI.id), Band::NoMatch);
}

#[test]
fn an_alias_is_set_apart_and_compared_with_the_other_name() {
    for name in [
        "Dewi Maryadi als Iyem",
        "Dewi Maryadi alias Iyem",
        "DEWI MARYADI A.K.A. IYEM",
        "Dewi Maryadi (Iyem)",
    ] {
        let candidates = assert_found_and_sisters_apart(&evader(name));
        assert_eq!(
            level_of(&candidates, DEWI.id, "full_name"),
            Some(jejak_matching::Level::Exact),
            "{name}"
        );
    }
    // The alias alone against a name that carried it: close, not different.
    let stored = Applicant { name: "Dewi Maryadi als Iyem", ..DEWI };
    let candidates = screen(&[stored, SARI, WULAN], &Applicant { name: "Iyem", ..evader("") });
    assert_eq!(level_of(&candidates, DEWI.id, "full_name"), Some(jejak_matching::Level::Close));
    // Counter-example: the sister with the same nickname is not Dewi.
    let sari = Applicant { id: "SARI-2", name: "Sari Maryadi als Iyem", ..SARI };
    let candidates = screen(&[stored, SARI], &sari);
    assert_eq!(band_of(&candidates, DEWI.id), Band::NoMatch);
}

#[test]
fn bin_or_binti_with_the_fathers_name_is_the_same_name() {
    let candidates = assert_found_and_sisters_apart(&evader("Dewi Maryadi binti Karto"));
    assert_eq!(level_of(&candidates, DEWI.id, "full_name"), Some(jejak_matching::Level::Exact));
    // Counter-example: the sister adding the same father.
    let sari = Applicant { id: "SARI-2", name: "Sari Maryadi binti Karto", ..SARI };
    assert_eq!(band_of(&screen(&[DEWI, SARI], &sari), DEWI.id), Band::NoMatch);
}

#[test]
fn joined_and_split_tokens_are_the_same_name() {
    for name in ["Dewimaryadi", "Maryadi Dewi als Iyem", "Dewi Mar Yadi"] {
        let candidates = assert_found_and_sisters_apart(&evader(name));
        assert!(
            level_of(&candidates, DEWI.id, "full_name") <= Some(jejak_matching::Level::Equivalent),
            "{name}: {:?}",
            level_of(&candidates, DEWI.id, "full_name")
        );
    }
    // Counter-example: the sister's name joined is hers.
    let sari = Applicant { id: "SARI-2", name: "Sarimaryadi", ..SARI };
    assert_eq!(band_of(&screen(&[DEWI, SARI], &sari), DEWI.id), Band::NoMatch);
}

#[test]
fn a_dropped_middle_name_is_still_found() {
    let siti = Applicant { name: "Siti Nur Aisyah", ..DEWI };
    let sister = Applicant { name: "Nur Hasanah", ..SARI };
    let twin = Applicant { name: "Aminah Nur Aisyah", ..WULAN };
    let query = Applicant { name: "Siti Aisyah", ..evader("") };
    let candidates = screen(&[siti, sister, twin], &query);
    assert_ne!(band_of(&candidates, DEWI.id), Band::NoMatch, "{candidates:?}");
    assert_eq!(level_of(&candidates, DEWI.id, "full_name"), Some(jejak_matching::Level::Partial));
    assert_eq!(band_of(&candidates, sister.id), Band::NoMatch);
    assert_eq!(band_of(&candidates, twin.id), Band::NoMatch);
}

#[test]
fn day_and_month_swapped_or_the_year_one_off_is_the_same_birth_date() {
    for (birth, level) in [
        ("1995-12-03", jejak_matching::Level::Equivalent),
        ("1994-03-12", jejak_matching::Level::Close),
        ("1996-12-03", jejak_matching::Level::Close),
    ] {
        let query = Applicant { birth, ..evader("Maryadi Dewi") };
        let candidates = assert_found_and_sisters_apart(&query);
        assert_eq!(level_of(&candidates, DEWI.id, "birth_date"), Some(level), "{birth}");
    }
    // Across a decade: 1989 for 1990 is one year, not two digits.
    let older = Applicant { birth: "1990-03-12", nik: "1807055203900003", ..DEWI };
    let query =
        Applicant { birth: "1989-03-12", nik: "1807055203900003", ..evader("Dewi Maryadi") };
    let candidates = screen(&[older, SARI], &query);
    assert_eq!(level_of(&candidates, DEWI.id, "birth_date"), Some(jejak_matching::Level::Close));
    // Counter-example: a sister born a year later on another day is a different date.
    assert!(
        level_of(&candidates, SARI.id, "birth_date")
            .is_none_or(|l| l >= jejak_matching::Level::Partial)
    );
}

#[test]
fn a_second_ktp_from_another_regency_keeps_the_birth_part_and_tells_a_twin_apart() {
    // Kota Metro (1872) instead of Lampung Timur (1807); same DDMMYY (520395, a woman).
    let query = Applicant { nik: "1872015203950011", ..evader("Maryadi Dewi") };
    let candidates = assert_found_and_sisters_apart(&query);
    assert_eq!(level_of(&candidates, DEWI.id, "nik"), Some(jejak_matching::Level::Partial));
    assert_eq!(
        jejak_matching::nik_level(DEWI.nik, query.nik),
        jejak_matching::Level::Partial,
        "same birth part, other regency"
    );
    // Counter-examples: the twin's NIK (same regency and birth part, next serial) is the
    // re-registration level, the sister's (another birth part) different.
    assert_eq!(jejak_matching::nik_level(DEWI.nik, WULAN.nik), jejak_matching::Level::Equivalent);
    assert_eq!(jejak_matching::nik_level(DEWI.nik, SARI.nik), jejak_matching::Level::Different);
    assert_eq!(jejak_matching::nik_level(query.nik, SARI.nik), jejak_matching::Level::Different);
}

#[test]
fn several_evasions_at_once_are_still_found() {
    // The evader: name order, an alias, the father added, day and month swapped,
    // the year off by one, a second NIK from another regency, new phone and address.
    let query = Applicant {
        name: "Maryadi Dewi als Iyem binti Karto",
        birth: "1996-12-03",
        nik: "1872015203950011",
        ..evader("")
    };
    assert_found_and_sisters_apart(&query);
    let joined = Applicant { name: "Dewimaryadi", birth: "1994-03-12", ..query };
    assert_found_and_sisters_apart(&joined);
    // Counter-example: the twin making the same changes to her own name stays apart.
    let twin = Applicant { id: "WULAN-2", name: "Maryati Wulan als Iyem binti Karto", ..query };
    let candidates = screen(&[DEWI, SARI, WULAN], &twin);
    assert_eq!(band_of(&candidates, DEWI.id), Band::NoMatch, "{candidates:?}");
}
