//! The columns of the interchange format, with their canonical and Indonesian names.

/// One column of the format, in the spec's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    ApplicationId,
    OfficeCode,
    AppliedOn,
    FullName,
    Nik,
    Sex,
    BirthDate,
    BirthPlace,
    Address,
    VillageCode,
    Phone,
    MotherName,
    FatherName,
    Occupation,
    Purpose,
    DestinationCountry,
    PreviousPassportNo,
    SponsorName,
    SponsorPhone,
    CpmiId,
    Outcome,
    OutcomeReason,
    DecidedOn,
}

impl Column {
    /// Every column in the order the format writes them.
    pub const ALL: [Column; 23] = [
        Column::ApplicationId,
        Column::OfficeCode,
        Column::AppliedOn,
        Column::FullName,
        Column::Nik,
        Column::Sex,
        Column::BirthDate,
        Column::BirthPlace,
        Column::Address,
        Column::VillageCode,
        Column::Phone,
        Column::MotherName,
        Column::FatherName,
        Column::Occupation,
        Column::Purpose,
        Column::DestinationCountry,
        Column::PreviousPassportNo,
        Column::SponsorName,
        Column::SponsorPhone,
        Column::CpmiId,
        Column::Outcome,
        Column::OutcomeReason,
        Column::DecidedOn,
    ];

    /// The canonical English header, written on output.
    pub fn canonical(self) -> &'static str {
        self.names().0
    }

    /// The Indonesian alias accepted on input.
    pub fn alias(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Column::ApplicationId => ("application_id", "no_permohonan"),
            Column::OfficeCode => ("office_code", "kode_kantor"),
            Column::AppliedOn => ("applied_on", "tanggal_permohonan"),
            Column::FullName => ("full_name", "nama_lengkap"),
            Column::Nik => ("nik", "nik"),
            Column::Sex => ("sex", "jenis_kelamin"),
            Column::BirthDate => ("birth_date", "tanggal_lahir"),
            Column::BirthPlace => ("birth_place", "tempat_lahir"),
            Column::Address => ("address", "alamat"),
            Column::VillageCode => ("village_code", "kode_desa"),
            Column::Phone => ("phone", "no_hp"),
            Column::MotherName => ("mother_name", "nama_ibu"),
            Column::FatherName => ("father_name", "nama_ayah"),
            Column::Occupation => ("occupation", "pekerjaan"),
            Column::Purpose => ("purpose", "tujuan"),
            Column::DestinationCountry => ("destination_country", "negara_tujuan"),
            Column::PreviousPassportNo => ("previous_passport_no", "no_paspor_lama"),
            Column::SponsorName => ("sponsor_name", "nama_sponsor"),
            Column::SponsorPhone => ("sponsor_phone", "no_hp_sponsor"),
            Column::CpmiId => ("cpmi_id", "id_cpmi"),
            Column::Outcome => ("outcome", "hasil"),
            Column::OutcomeReason => ("outcome_reason", "alasan"),
            Column::DecidedOn => ("decided_on", "tanggal_keputusan"),
        }
    }

    /// Whether a row must have a value in this column.
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::ApplicationId | Column::OfficeCode | Column::AppliedOn | Column::FullName
        )
    }

    /// Finds a column by its canonical or Indonesian name (case-insensitive, trimmed).
    pub fn from_header(header: &str) -> Option<Column> {
        let h = header.trim();
        // Every name is ASCII, so an ASCII header needs no lowercased copy (the screening
        // API resolves a few dozen names per request); others take Unicode's lowercase.
        if h.is_ascii() {
            return Column::ALL.into_iter().find(|c| {
                c.canonical().eq_ignore_ascii_case(h) || c.alias().eq_ignore_ascii_case(h)
            });
        }
        let h = h.to_lowercase();
        Column::ALL.into_iter().find(|c| c.canonical() == h || c.alias() == h)
    }
}

impl Column {
    /// The most characters a value of this column may have: room for any real value, but no
    /// megabyte "address" in the register.
    pub fn max_chars(self) -> usize {
        match self {
            Column::ApplicationId | Column::CpmiId => 64,
            Column::OfficeCode | Column::Sex | Column::Purpose | Column::Outcome => 32,
            Column::AppliedOn | Column::BirthDate | Column::DecidedOn => 32,
            Column::Nik | Column::Phone | Column::SponsorPhone | Column::PreviousPassportNo => 32,
            Column::VillageCode | Column::DestinationCountry => 64,
            Column::FullName | Column::MotherName | Column::FatherName | Column::SponsorName => 200,
            Column::BirthPlace | Column::Occupation => 100,
            Column::Address | Column::OutcomeReason => 500,
        }
    }

    /// Whether a value may span lines (a cell typed with Alt+Enter in a spreadsheet): free
    /// text only, never a name or an identifier.
    pub fn is_multiline(self) -> bool {
        matches!(self, Column::Address | Column::Occupation | Column::OutcomeReason)
    }

    /// Whether the column holds a person's or an agency's name (stored without bidirectional
    /// controls).
    pub fn is_name(self) -> bool {
        matches!(
            self,
            Column::FullName
                | Column::MotherName
                | Column::FatherName
                | Column::SponsorName
                | Column::BirthPlace
        )
    }
}
