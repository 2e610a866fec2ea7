//! One file per subcommand: each builds options, calls the library and prints.
//! Errors are `anyhow` here (context for the user); the library's are typed.

pub mod analyze;
pub mod compare;
pub mod lab;
pub mod path_args;
pub mod plot;
pub mod report;
pub mod run_and_capture;
pub mod values;

/// Exit codes (documented in README.md):
/// 0 everything read; 1 the command failed (nothing useful could be produced);
/// 2 usage error (clap); 3 partial: output was produced but some input was
/// damaged or skipped (a warning says what).
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_PARTIAL: u8 = 3;
