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

/// The message of a duration option's value that is not one (clap puts the
/// option and the value before it): `"5 parsecs" is not a duration:
/// unknown unit "parsecs"; use ns, us, ms, s, m or h`.
pub fn not_a_duration(text: &str, why: &tcplab_wire::duration::DurationError) -> String {
    format!("{text:?} is not a duration: {why}")
}
