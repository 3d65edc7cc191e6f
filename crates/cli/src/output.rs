//! Writing to the terminal: the only place (with the commands) that prints.

use std::io::IsTerminal;

/// Prints an error line on stderr.
#[expect(clippy::print_stderr, reason = "the CLI reports errors on stderr")]
pub(crate) fn error(message: &str) {
    eprintln!("error: {message}");
}

/// Prints a warning or note on stderr.
#[expect(clippy::print_stderr, reason = "the CLI reports warnings on stderr")]
pub(crate) fn note(message: &str) {
    eprintln!("{message}");
}

/// Prints a result line on stdout.
#[expect(clippy::print_stdout, reason = "the CLI prints results on stdout")]
pub(crate) fn line(message: &str) {
    println!("{message}");
}

/// Whether stderr is a terminal (progress bars only make sense there).
pub(crate) fn interactive() -> bool {
    std::io::stderr().is_terminal()
}
