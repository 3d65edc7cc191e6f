//! Running the binary and making input files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn jejak(args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_jejak"))
        .args(args)
        .env_remove("JEJAK_DATABASE")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `jejak` with `input` on standard input.
pub fn jejak_with_stdin(args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_jejak"))
        .args(args)
        .env_remove("JEJAK_DATABASE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A refused command may exit before it reads its input: the write then fails with a
    // broken pipe, and what counts is the command's own answer below.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `jejak user add` for `username` (shown as `name`) at `db` with `password` on
/// standard input.
pub fn try_add_user(
    db: &str,
    (username, name): (&str, &str),
    role: &str,
    office: &str,
    password: &str,
) -> Run {
    let args = [
        "user",
        "add",
        "--username",
        username,
        "--name",
        name,
        "--role",
        role,
        "--office",
        office,
        "--password-stdin",
        "--database",
        db,
    ];
    jejak_with_stdin(&args, &format!("{password}\n"))
}

/// Adds a user to the register at `db` through the command line.
pub fn add_user(db: &str, username: &str, role: &str, office: &str) {
    let run = try_add_user(db, (username, username), role, office, "kata-sandi-uji-2025-panjang");
    assert_eq!(run.code, 0, "user add {username}: {}", run.stderr);
}

/// A generated interchange file cut to exactly `rows` data rows.
pub fn generated_csv(dir: &Path, rows: usize, seed: u64) -> PathBuf {
    let full = dir.join(format!("full-{seed}.csv"));
    let persons = (rows * 9 / 10).max(1).to_string();
    let run = jejak(&[
        "generate",
        "--persons",
        &persons,
        "--seed",
        &seed.to_string(),
        "--out",
        full.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&full).unwrap();
    let mut out = String::new();
    let mut lines = 0;
    // Records may span lines (quoted newlines), so count CSV records, not text lines.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        if lines > rows {
            break;
        }
        writer.write_record(&record.unwrap()).unwrap();
        lines += 1;
    }
    out.push_str(&String::from_utf8(writer.into_inner().unwrap()).unwrap());
    assert_eq!(lines, rows + 1, "generator made too few rows");
    let path = dir.join(format!("rows-{rows}-{seed}.csv"));
    std::fs::write(&path, out).unwrap();
    path
}

/// Number of applications in the register, counted through `export`.
pub fn count(db: &str, dir: &Path) -> usize {
    let out = dir.join("count.csv");
    let run = jejak(&["export", "--out", out.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read(&out).unwrap();
    csv::Reader::from_reader(text.as_slice()).records().count()
}

/// A line on stdout from a child process a test drives (the parent reads it).
#[allow(clippy::print_stdout, reason = "the parent test process reads this line")]
pub fn progress_line(line: &str) {
    println!("{line}");
}
