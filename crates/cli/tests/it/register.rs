//! Import, export and their guarantees, on both backends.

use crate::support::{count, generated_csv, jejak};

fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("register.db").display())
}

/// The whole migration story on one backend.
fn import_story(db: &str, dir: &std::path::Path) {
    let file = generated_csv(dir, 25_000, 7);
    let run = jejak(&["import", file.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 0, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stdout.contains("imported 25000 new application(s)"), "{}", run.stdout);
    assert_eq!(count(db, dir), 25_000);

    // Re-importing the same file changes nothing.
    let again = jejak(&["import", file.to_str().unwrap(), "--database", db]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("imported 0 new application(s), 25000 unchanged"),
        "{}",
        again.stdout
    );

    // Export reproduces what was imported.
    let out = dir.join("export.csv");
    let run = jejak(&["export", "--out", out.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sorted = |path: &std::path::Path| {
        let text = std::fs::read(path).unwrap();
        let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(sorted(&out), sorted(&file));
}

#[test]
fn a_25k_row_file_imports_exactly_into_sqlite_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    import_story(&sqlite_url(dir.path()), dir.path());
}

#[test]
fn a_25k_row_file_imports_exactly_into_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = runtime.block_on(jejak_testkit::fresh_postgres_url("cli_import")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    import_story(&url, dir.path());
}

const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,birth_date\n";

#[test]
fn a_bad_row_is_named_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("{HEADER}BDL-1,BDL,2025-01-02,Sri Wahyuni,,\n")).unwrap();
    assert_eq!(jejak(&["import", good.to_str().unwrap(), "--database", &db]).code, 0);

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{HEADER}BDL-2,XYZ,2025-01-03,Suryani,,\nBDL-3,BDL,2025-01-03,Soeryani,,31-02-2024\nBDL-4,BDL,2025-01-04,Joko,,\n"),
    )
    .unwrap();
    let run = jejak(&["import", bad.to_str().unwrap(), "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("bad.csv: row 2, column office_code: unknown office XYZ"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("bad.csv: row 3, column birth_date: 31-02-2024 is not a calendar date"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert_eq!(count(&db, dir.path()), 1);

    // With --skip-invalid the good row goes in and the bad ones go to the rejects file.
    let rejects = dir.path().join("rejects.csv");
    let run = jejak(&[
        "import",
        bad.to_str().unwrap(),
        "--database",
        &db,
        "--skip-invalid",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_ne!(run.code, 0, "errors still make the exit code non-zero");
    assert_eq!(count(&db, dir.path()), 2);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.starts_with("file,row,reasons,"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("office_code: unknown office XYZ"), "{text}");
}

#[test]
fn a_changed_row_is_a_conflict_not_an_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let first = dir.path().join("first.csv");
    std::fs::write(&first, format!("{HEADER}KLA-1,KLA,2025-01-02,Suryani,,\n")).unwrap();
    assert_eq!(jejak(&["import", first.to_str().unwrap(), "--database", &db]).code, 0);
    let second = dir.path().join("second.csv");
    std::fs::write(
        &second,
        format!("{HEADER}KLA-1,KLA,2025-01-02,Soeryani,,\nKLA-2,KLA,2025-01-02,Joko,,\n"),
    )
    .unwrap();
    let run = jejak(&["import", second.to_str().unwrap(), "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("second.csv: row 2, column application_id: application KLA-1 of office KLA is already in the register with different full_name"), "{}", run.stderr);
    assert_eq!(count(&db, dir.path()), 1, "the conflict aborts the whole file");
}

#[test]
fn legacy_headers_need_a_mapping_and_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let legacy = dir.path().join("legacy.csv");
    std::fs::write(&legacy, "no_permohonan,kode_kantor,tanggal_permohonan,Nama Pemohon,Catatan\nKTB-9,KTB,09/02/2025,Ketut Sudarma,-\n").unwrap();
    let run = jejak(&["import", legacy.to_str().unwrap(), "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("legacy.csv: row 1, column Nama Pemohon: unknown column"),
        "{}",
        run.stderr
    );
    let run = jejak(&[
        "import",
        legacy.to_str().unwrap(),
        "--database",
        &db,
        "--map",
        "Nama Pemohon=full_name",
        "--ignore-unknown",
        "--dry-run",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("dry run: 1 valid row(s)"), "{}", run.stdout);
    assert_eq!(count(&db, dir.path()), 0);
    let run = jejak(&[
        "import",
        legacy.to_str().unwrap(),
        "--database",
        &db,
        "--map",
        "Nama Pemohon=full_name",
        "--map",
        "Catatan=ignore",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(count(&db, dir.path()), 1);
}

#[test]
fn offices_can_be_added_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let run = jejak(&[
        "office",
        "add",
        "MTR",
        "--name",
        "Kantor Imigrasi Metro",
        "--area",
        "18.72",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = jejak(&["office", "list", "--database", &db]);
    assert!(
        list.stdout.contains("MTR\tKantor Imigrasi Metro\t18.72 Kota Metro"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("BDL\tKantor Imigrasi Kelas I TPI Bandar Lampung"),
        "{}",
        list.stdout
    );
    let bad = jejak(&["office", "add", "X", "--name", "X", "--area", "18.99", "--database", &db]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("is not a known regency"), "{}", bad.stderr);
}

#[test]
fn export_writes_xlsx_that_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let file = generated_csv(dir.path(), 300, 11);
    assert_eq!(jejak(&["import", file.to_str().unwrap(), "--database", &db]).code, 0);
    let xlsx = dir.path().join("out.xlsx");
    let run =
        jejak(&["export", "--out", xlsx.to_str().unwrap(), "--office", "KLA", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let other = format!("sqlite://{}", dir.path().join("other.db").display());
    let run = jejak(&["import", xlsx.to_str().unwrap(), "--database", &other]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kla = csv::Reader::from_path(&file)
        .unwrap()
        .records()
        .filter(|r| &r.as_ref().unwrap()[1] == "KLA")
        .count();
    assert!(kla > 0);
    assert_eq!(count(&other, dir.path()), kla);
}
