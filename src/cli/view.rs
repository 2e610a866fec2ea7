//! `tcplab view CAPTURE [-o FILE.html] [--stream N] [--lang es|en] [--open]
//! [--tunnels merge|separate] [--decode-as udp:PORT=vxlan|geneve]`:
//! writes the capture's browser view (one self-contained HTML file,
//! docs/view.md) and prints its path.

use super::decode_args::DecodeArgs;
use super::EXIT_PARTIAL;
use crate::cli::values::LangArg;
use anyhow::{anyhow, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use tcplab_view::{write_view, ViewOptions};

#[derive(Args, Debug)]
pub struct ViewArgs {
    /// Capture file (.pcap or .pcapng, also compressed with gzip or zstd), or - for standard input (copied to a temporary file first)
    pub capture: PathBuf,
    /// The HTML file to write [default: reports/<capture name>/view.html]
    #[arg(short, long, value_name = "FILE.html")]
    pub output: Option<PathBuf>,
    /// The connection shown first (Wireshark's tcp.stream); default: the one carrying the most data
    #[arg(long, value_name = "N")]
    pub stream: Option<u32>,
    /// The page's first language (it can switch) [default: from LANG, else en]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// The sender's TCP_INFO series (CSV from run-and-capture) [default: CAPTURE's `<name>-tcpinfo.csv` beside it]
    #[arg(long, value_name = "CSV")]
    pub tcp_info: Option<PathBuf>,
    /// Open the page in the desktop's browser (xdg-open) once written
    #[arg(long)]
    pub open: bool,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

pub fn run(mut args: ViewArgs) -> Result<ExitCode> {
    let capture = super::one_capture::OneCapture::new(&args.capture, "view")?;
    args.capture = capture.path().to_path_buf();
    let out = args
        .output
        .unwrap_or_else(|| super::report::default_dir(&args.capture).join("view.html"));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow!("{}: cannot create: {e}", dir.display()))?;
    }
    let opts = ViewOptions {
        stream: args.stream,
        lang: LangArg::or_env(args.lang),
        tcp_info: args.tcp_info,
        analyzer: args.decode.options(),
        ..ViewOptions::default()
    };
    let page = write_view(&args.capture, &out, &opts).map_err(|e| anyhow!("{e}"))?;
    if page.left_out > 0 {
        eprintln!(
            "tcplab: note: the page holds {} segments; {} more are left out (at most {} per connection, {} in all: docs/view.md)",
            page.segments, page.left_out, opts.limits.per_connection, opts.limits.total
        );
    }
    println!("{}", out.display());
    let mut exit = 0;
    if let Some(damage) = &page.damage {
        eprintln!("tcplab: warning: {damage}; the view shows the records before it");
        exit = EXIT_PARTIAL;
    }
    if args.open {
        open(&out)?;
    }
    Ok(ExitCode::from(exit))
}

/// Hands the page to the desktop's browser; it does not wait for it.
fn open(page: &std::path::Path) -> Result<()> {
    Command::new("xdg-open")
        .arg(page)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| {
            anyhow!(
                "{}: written, but xdg-open could not start ({e}); open it in a browser yourself",
                page.display()
            )
        })
}
