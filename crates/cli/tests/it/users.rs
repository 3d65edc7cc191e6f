//! `jejak user` and `jejak token`: the first admin, listing, disabling, token secrets shown
//! once, revocation, and clear refusals.

use crate::support::{Run, jejak, try_add_user};

fn add_user(db: &str, username: &str, role: &str, office: &str, password: &str) -> Run {
    try_add_user(db, (username, "Ibu Sari"), role, office, password)
}

#[test]
fn the_first_admin_is_added_from_the_command_line_and_users_are_listed_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("u.db").display());
    let run = add_user(&db, "admin", "admin", "BDL", "sangat-rahasia-sekali");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("added user admin (admin) at BDL"), "{}", run.stdout);
    let run = add_user(&db, "sari", "petugas", "KLA", "kata-sandi-rahasia-1");
    assert_eq!(run.code, 0, "{}", run.stderr);

    let weak = add_user(&db, "adi", "petugas", "KLA", "pendek");
    assert_ne!(weak.code, 0);
    assert!(weak.stderr.contains("at least 12 characters"), "{}", weak.stderr);
    let role = add_user(&db, "adi", "kepala", "KLA", "rahasia-panjang-99");
    assert!(role.stderr.contains("--role \"kepala\""), "{}", role.stderr);
    let office = add_user(&db, "adi", "petugas", "XYZ", "rahasia-panjang-99");
    assert!(office.stderr.contains("unknown office XYZ"), "{}", office.stderr);
    let twice = add_user(&db, "sari", "petugas", "KLA", "kata-sandi-rahasia-1");
    assert!(twice.stderr.contains("already exists"), "{}", twice.stderr);

    let list = jejak(&["user", "list", "--database", &db]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", list.stdout);
    assert!(lines[1].starts_with("sari\tIbu Sari\tpetugas\tKLA\tactive"), "{}", list.stdout);
    assert!(!list.stdout.contains("argon2"), "no hashes are printed");

    let run = jejak(&["user", "disable", "sari", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = jejak(&["user", "list", "--database", &db]);
    assert!(list.stdout.contains("sari\tIbu Sari\tpetugas\tKLA\tdisabled"), "{}", list.stdout);
    let missing = jejak(&["user", "disable", "nobody", "--database", &db]);
    assert_ne!(missing.code, 0);
    assert!(missing.stderr.contains("nobody"), "{}", missing.stderr);
}

#[test]
fn token_secrets_are_printed_once_and_revocation_shows_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let run = jejak(&[
        "token",
        "add",
        "--name",
        "siskop2mi",
        "--role",
        "analis",
        "--office",
        "BDL",
        "--scope",
        "search_register",
        "view_person",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let secret = run.stdout.trim();
    assert!(secret.starts_with("jejak_") && secret.len() == 49, "{secret}");
    assert!(run.stderr.contains("shown only now"), "{}", run.stderr);

    let list = jejak(&["token", "list", "--database", &db]);
    assert!(
        list.stdout.starts_with("siskop2mi\tanalis\tBDL\tsearch_register,view_person\tactive"),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.contains(&secret[6..]), "the secret is never shown again");

    let bad = jejak(&[
        "token",
        "add",
        "--name",
        "xx",
        "--role",
        "analis",
        "--office",
        "BDL",
        "--scope",
        "record_decision",
        "--database",
        &db,
    ]);
    assert!(bad.stderr.contains("may not record_decision"), "{}", bad.stderr);
    let unknown = jejak(&[
        "token",
        "add",
        "--name",
        "xx",
        "--role",
        "analis",
        "--office",
        "BDL",
        "--scope",
        "fly",
        "--database",
        &db,
    ]);
    assert!(unknown.stderr.contains("--scope \"fly\""), "{}", unknown.stderr);

    let run = jejak(&["token", "revoke", "siskop2mi", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = jejak(&["token", "list", "--database", &db]);
    assert!(list.stdout.contains("\trevoked "), "{}", list.stdout);
    let again = jejak(&["token", "revoke", "siskop2mi", "--database", &db]);
    assert_ne!(again.code, 0);
}

#[test]
fn a_token_can_end_on_a_given_day_and_the_list_says_when() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let token = |name: &str, day: &str| {
        jejak(&[
            "token",
            "add",
            "--name",
            name,
            "--role",
            "analis",
            "--office",
            "BDL",
            "--scope",
            "search_register",
            "--expires-on",
            day,
            "--database",
            &db,
        ])
    };
    let run = token("bp3mi", "2099-12-31");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = jejak(&["token", "list", "--database", &db]);
    assert!(list.stdout.contains("\texpires 2100-01-01T00:00:00Z"), "{}", list.stdout);
    let past = token("old", "2020-01-01");
    assert_ne!(past.code, 0);
    assert!(past.stderr.contains("expires_at must be in the future"), "{}", past.stderr);
    let bad = token("odd", "2099-13-01");
    assert!(bad.stderr.contains("--expires-on \"2099-13-01\""), "{}", bad.stderr);
}
