//! One file per subcommand: each builds options, calls the library and prints.
//! Errors are `anyhow` here (context for the user); the library's are typed.

pub mod analyze;
mod analyze_jobs;
mod analyze_notes;
mod analyze_one;
mod analyze_parquet;
pub mod capture;
mod capture_live;
pub mod compare;
mod decode_args;
pub mod lab;
mod live_screen;
mod live_stats;
mod one_capture;
pub mod path_args;
pub mod plot;
pub mod report;
pub mod run_and_capture;
mod run_live;
pub mod summary;
pub mod values;
pub mod view;

/// Exit codes (documented in README.md):
/// 0 everything read; 1 the command failed (nothing useful could be produced);
/// 2 usage error (clap); 3 partial: output was produced but some input was
/// damaged or skipped (a warning says what).
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_PARTIAL: u8 = 3;

/// The exit code of a command that met both `a` and `b` (over several
/// captures): a failure stays a failure, whatever was partial besides.
pub fn worse_exit(a: u8, b: u8) -> u8 {
    if a == EXIT_FAILURE || b == EXIT_FAILURE {
        EXIT_FAILURE
    } else {
        a.max(b)
    }
}

/// The message of a duration option's value that is not one (clap puts the
/// option and the value before it): `"5 parsecs" is not a duration:
/// unknown unit "parsecs"; use ns, us, ms, s, m or h`.
pub fn not_a_duration(text: &str, why: &tcplab_wire::duration::DurationError) -> String {
    format!("{text:?} is not a duration: {why}")
}

/// A file named on the command line, staged (tcplab_render::staging: it
/// appears whole, and only when `commit` is called) and a handle to write
/// into it.
pub fn staged_output(
    path: &std::path::Path,
) -> anyhow::Result<(tcplab_render::staging::OutputFile, std::fs::File)> {
    use anyhow::Context;
    let creating = || format!("creating {}", path.display());
    let file = tcplab_render::staging::OutputFile::create(path).with_context(creating)?;
    let handle = file.file().try_clone().with_context(creating)?;
    Ok((file, handle))
}

/// The one wording of a size option's error: the value, then why.
pub fn not_a_size(text: &str, why: &tcplab_wire::size::SizeError) -> String {
    format!("{text:?} is not a size: {why}")
}

/// An error and its causes on one line, each cause once: a library error
/// whose message already quotes its source (`/x: not a directory`) and
/// also returns it as its `source()` would otherwise be printed twice
/// (`/x: not a directory: not a directory`).
pub fn one_line(err: &anyhow::Error) -> String {
    let mut line = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

#[cfg(test)]
mod one_line_tests {
    use super::one_line;
    use anyhow::Context;

    #[derive(Debug, thiserror::Error)]
    #[error("/x: not a usable directory: {source}")]
    struct Quoting {
        source: std::io::Error,
    }

    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory");
        let quoting = anyhow::Error::from(Quoting { source: io });
        assert_eq!(
            one_line(&quoting),
            "/x: not a usable directory: not a directory"
        );
        let plain: anyhow::Result<()> =
            Err(std::io::Error::other("disk full")).context("writing x.csv");
        let plain = plain.expect_err("an error");
        assert_eq!(one_line(&plain), "writing x.csv: disk full");
    }
}

#[cfg(test)]
mod exit_code_tests {
    use super::*;

    #[test]
    fn a_failure_is_not_hidden_by_a_partial_capture_in_either_order() {
        assert_eq!(worse_exit(EXIT_FAILURE, EXIT_PARTIAL), EXIT_FAILURE);
        assert_eq!(worse_exit(EXIT_PARTIAL, EXIT_FAILURE), EXIT_FAILURE);
        assert_eq!(worse_exit(0, EXIT_PARTIAL), EXIT_PARTIAL);
        assert_eq!(worse_exit(EXIT_PARTIAL, 0), EXIT_PARTIAL);
        assert_eq!(worse_exit(0, 0), 0);
    }
}
