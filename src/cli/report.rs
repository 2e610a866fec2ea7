//! `tcplab report CAPTURE [-o reports/NAME/] [--lang es|en] [--stream N]`:
//! writes the lab report of an existing capture, with its browser view
//! (`view.html`) beside it, and lists the files.

use super::decode_args::DecodeArgs;
use super::EXIT_PARTIAL;
use crate::cli::values::LangArg;
use crate::report_view;
use anyhow::{anyhow, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_render::report::ReportOptions;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Capture file (.pcap or .pcapng, also compressed with gzip or zstd), or - for standard input (copied to a temporary file first)
    pub capture: PathBuf,
    /// Directory for the report and its files [default: reports/<capture name>/]
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Language of the report [default: from LANG, else en]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// The connection (Wireshark's tcp.stream); default: the one carrying the most data
    #[arg(long, value_name = "N")]
    pub stream: Option<u32>,
    /// The run's metadata JSON [default: CAPTURE with .json, if it exists]
    #[arg(long, value_name = "FILE.json")]
    pub meta: Option<PathBuf>,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// `reports/<capture file name without extension>/`.
pub fn default_dir(capture: &Path) -> PathBuf {
    let stem = capture
        .file_stem()
        .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    Path::new("reports").join(stem)
}

pub fn run(mut args: ReportArgs) -> Result<ExitCode> {
    let capture = super::one_capture::OneCapture::new(&args.capture, "report")?;
    args.capture = capture.path().to_path_buf();
    let dir = args.output.unwrap_or_else(|| default_dir(&args.capture));
    let opts = ReportOptions {
        lang: LangArg::or_env(args.lang),
        stream: args.stream,
        run_meta: args.meta,
        analyzer: args.decode.options(),
        view: None,
    };
    // The library's message already names the file and the cause: print it
    // once, without anyhow repeating the underlying I/O error.
    let written =
        report_view::write(&args.capture, &dir, &opts, None).map_err(|e| anyhow!("{e}"))?;
    let files = &written.report;
    if files.connections > 1 && args.stream.is_none() {
        eprintln!(
            "tcplab: note: {} has {} connections; the report is about stream {}, which carried the most data (choose with --stream N)",
            args.capture.display(),
            files.connections,
            files.stream
        );
    }
    println!("{}", files.html.display());
    println!("{}", files.markdown.display());
    println!("{}", written.view.display());
    let mut exit = 0;
    if let Some(damage) = &files.damage {
        eprintln!("tcplab: warning: {damage}; the report covers the records before it");
        exit = EXIT_PARTIAL;
    }
    Ok(ExitCode::from(exit))
}
