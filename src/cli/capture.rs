//! `tcplab capture -i IFACE [-f BPF] [-w FILE] [-c N] [--duration D]
//! [--rotate-size S | --rotate-time T]`: packets from an interface into
//! pcapng files. Ctrl-C, `kill` or a closed terminal end the capture like
//! `--count` does: the files are complete and the exit status is 0. With
//! `--live`, a full-screen view of the connections (`capture_live`).

use super::lab::{parse_bytes_as, parse_duration};
use crate::capture::{Capture, CaptureOptions, Progress, Rotation, Stopped};
use crate::run_and_capture::stamp;
use crate::signals::{StopSignal, StopSignals};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tcplab_net::privilege;
use tcplab_wire::capture::live::SNAPLEN;

#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// The interface to capture on (`any` for all of them, as tcpdump)
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: String,
    /// A capture filter in tcpdump's language (BPF), e.g. 'tcp port 5001'
    #[arg(short = 'f', long, value_name = "BPF", default_value = "")]
    pub filter: String,
    /// The pcapng file to write [default: captures/tcplab-capture-IFACE-STAMP.pcapng]; with rotation, the numbered files are made from this name (NAME-0001.pcapng …)
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Stop after this many packets
    #[arg(short = 'c', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Stop after this long (e.g. 30s, 5m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Start a new file once the current one holds this many bytes (e.g. 100MiB), like tcpdump -C
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes_as::<usize>, conflicts_with = "rotate_time")]
    pub rotate_size: Option<usize>,
    /// Start a new file once the current one is this old (e.g. 60s), like tcpdump -G
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub rotate_time: Option<Duration>,
    /// A full-screen view of the connections as they happen (needs a terminal; q quits)
    #[arg(long)]
    pub live: bool,
    /// Keep at most this many bytes of each packet
    #[arg(short = 's', long, value_name = "BYTES", default_value_t = SNAPLEN, value_parser = clap::value_parser!(u32).range(1..=i64::from(SNAPLEN)))]
    pub snaplen: u32,
}

pub fn run(args: CaptureArgs) -> Result<ExitCode> {
    if !privilege::current().capture {
        let exe = std::env::current_exe().context("finding the tcplab executable")?;
        bail!(privilege::missing_message(
            &exe.display().to_string(),
            false
        ));
    }
    if args.rotate_time.is_some_and(|t| t.is_zero()) {
        bail!("--rotate-time must be longer than 0s");
    }
    let out = args.write.clone().unwrap_or_else(|| {
        let iface: String = args
            .interface
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        PathBuf::from("captures").join(format!("tcplab-capture-{iface}-{}.pcapng", stamp::now()))
    });
    let rotation = match (args.rotate_size, args.rotate_time) {
        (Some(bytes), _) => Some(Rotation::Size(bytes as u64)),
        (None, Some(age)) => Some(Rotation::Time(age)),
        (None, None) => None,
    };
    let opts = CaptureOptions {
        device: args.interface.clone(),
        filter: args.filter.clone(),
        snaplen: args.snaplen,
        out,
        count: args.count,
        duration: args.duration,
        rotation,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let stop = {
        let _entered = runtime.enter();
        StopSignals::catch()?
    };
    let started = Capture::start(&opts)?;
    let what = format!(
        "capturing on {} (link type {}, {} bytes of each packet){}",
        opts.device,
        started.link(),
        started.snaplen(),
        if opts.filter.is_empty() {
            String::new()
        } else {
            format!(", filter {:?}", opts.filter)
        }
    );
    let cancel = Arc::new(AtomicBool::new(false));
    let signalled = watch_signals(runtime, stop, Arc::clone(&cancel));
    let on_terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.live && !on_terminal {
        eprintln!(
            "tcplab: note: --live needs a terminal; printing a progress line every second instead"
        );
    }
    let outcome = if args.live && on_terminal {
        let label = format!(
            "{}{} → {}",
            opts.device,
            if opts.filter.is_empty() {
                String::new()
            } else {
                format!(" {:?}", opts.filter)
            },
            opts.out.display()
        );
        super::capture_live::run(started, &cancel, &label)?
    } else {
        eprintln!("tcplab: {what}; stop with Ctrl-C");
        let progress_on_terminal = std::io::stderr().is_terminal();
        let work = {
            let cancel = Arc::clone(&cancel);
            std::thread::spawn(move || {
                started.run(&cancel, |p| show_progress(p, progress_on_terminal), |_| {})
            })
        };
        let outcome = work
            .join()
            .map_err(|_| anyhow::anyhow!("the capture thread panicked"))??;
        if progress_on_terminal {
            eprintln!();
        }
        outcome
    };
    let signalled = *signalled.lock().unwrap_or_else(|e| e.into_inner());
    let why = match (outcome.stopped, signalled) {
        (Stopped::Count, _) => "the packet count was reached".to_string(),
        (Stopped::Duration, _) => "the duration passed".to_string(),
        (Stopped::Cancelled, Some(signal)) => format!("stopped by {}", signal.name()),
        (Stopped::Cancelled, None) => "stopped from the live view".to_string(),
    };
    let k = outcome.kernel;
    let said = writeln!(
        std::io::stdout(),
        "{} {} saved to {} ({why}); the kernel dropped {}, the interface {}",
        outcome.packets,
        if outcome.packets == 1 {
            "packet"
        } else {
            "packets"
        },
        file_list(&outcome.files),
        k.dropped,
        k.if_dropped
    );
    // A closed terminal (SIGHUP) has nowhere to say it: the files are
    // written all the same.
    if let Err(e) = said {
        if signalled != Some(StopSignal::HangUp) {
            return Err(anyhow::Error::new(e).context("writing to standard output"));
        }
    }
    if k.dropped > 0 {
        eprintln!(
            "tcplab: warning: the kernel dropped {} packets the capture buffer could not hold; the files miss them",
            k.dropped
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A thread that waits on `runtime` for Ctrl-C, `kill` or a closed
/// terminal and then stops the capture; which signal it was, if any.
fn watch_signals(
    runtime: tokio::runtime::Runtime,
    mut stop: StopSignals,
    cancel: Arc<AtomicBool>,
) -> Arc<Mutex<Option<StopSignal>>> {
    let signalled = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&signalled);
    std::thread::spawn(move || {
        let signal = runtime.block_on(stop.recv());
        *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(signal);
        cancel.store(true, Ordering::Relaxed);
    });
    signalled
}

fn file_list(files: &[PathBuf]) -> String {
    match files {
        [one] => one.display().to_string(),
        [first, .., last] => format!(
            "{} files, {} … {}",
            files.len(),
            first.display(),
            last.display()
        ),
        [] => "no file".to_string(),
    }
}

/// On a terminal one line rewritten in place; piped, one line a second.
fn show_progress(p: &Progress, on_terminal: bool) {
    let line = format!(
        "{:>6.0} s  {} packets  {:.1} MB in {} {}  kernel drops {}",
        p.elapsed.as_secs_f64(),
        p.packets,
        p.bytes as f64 / 1e6,
        p.files,
        if p.files == 1 { "file" } else { "files" },
        p.kernel.dropped
    );
    let mut err = std::io::stderr().lock();
    let _ = if on_terminal {
        write!(err, "\r{line}")
    } else {
        writeln!(err, "{line}")
    };
    let _ = err.flush();
}
