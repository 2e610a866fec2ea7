//! The command line: parses arguments and hands them to the library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tcplab::cli;

#[derive(Parser)]
#[command(
    name = "tcplab",
    version,
    about = "Study TCP dynamics: run, capture, analyse, plot, report"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse .pcap/.pcapng captures connection by connection, like Wireshark's TCP analysis
    Analyze(cli::analyze::AnalyzeArgs),
    /// Run the lab's file copy (or echo) on loopback or an emulated path, capture it with libpcap, verify and analyse it
    RunAndCapture(Box<cli::run_and_capture::RunArgs>),
    /// Run the same transfer once per congestion control algorithm over an emulated path and compare them in one report
    Compare(Box<cli::compare::CompareArgs>),
    /// Capture packets on any interface into pcapng files (like tcpdump -w), with the filter and drop counts recorded
    Capture(cli::capture::CaptureArgs),
    /// Draw TCP graphs (Stevens, tcptrace, throughput, RTT, window, ladder) as SVG or PNG
    Plot(cli::plot::PlotArgs),
    /// Write the lab report (Markdown, HTML, graphs, CSV, JSON) of a capture
    Report(cli::report::ReportArgs),
    /// One line per capture (connections, bytes, what was sent again, zero windows, RTT, goodput, the copy's check) as text, CSV or HTML
    Summary(cli::summary::SummaryArgs),
    /// Write one self-contained HTML page to explore a capture's connections and graphs in a browser, offline
    View(cli::view::ViewArgs),
    #[command(flatten)]
    Lab(cli::lab::LabCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => cli::analyze::run(args),
        Command::RunAndCapture(args) => cli::run_and_capture::run(*args),
        Command::Compare(args) => cli::compare::run(*args),
        Command::Capture(args) => cli::capture::run(args),
        Command::Plot(args) => cli::plot::run(args),
        Command::Report(args) => cli::report::run(args),
        Command::Summary(args) => cli::summary::run(args),
        Command::View(args) => cli::view::run(args),
        Command::Lab(cmd) => cli::lab::run(cmd),
    };
    match result {
        Ok(code) => code,
        // `tcplab analyze ... | head` closing the pipe early is not an error.
        Err(err)
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("tcplab: error: {}", cli::one_line(&err));
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
