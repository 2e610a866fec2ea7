//! The file server: receives files, in the lab's protocol or tcplab's
//! verified exchange, into a directory or one file.
//!
//! In: a bound `TcpListener`, where to store ([`Store`]),
//! [`FileServerOptions`] (the protocol, and for the lab's the mode and header
//! width the senders use), an [`EventSink`]. Out: files stored (only complete
//! ones, never over a file that exists; see the parent module), one
//! `FileStored` or `FileRefused` event per sender, and the reason the server
//! stopped. A failed transfer never stops the server.

use super::lab_receive;
use super::part_file::{sweep, Receiving};
use super::protocol::{FileDigest, Mode};
use super::verified;
use super::FileCopyError;
use crate::event::{Event, EventSink, StopReason};
use crate::framing::HeaderWidth;
use crate::server::{serve_each, Acceptor, Limits};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// A sender silent this long is dropped.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(30);
/// Largest file accepted unless configured otherwise: 1 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;

/// Where the server stores what it receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// Files in this directory. The lab's protocol carries no name, so the
    /// server makes one from the sender's address, `received-IP-PORT`
    /// (`-2`, `-3` ... if that exists); the verified exchange uses the
    /// name the sender gives.
    Dir(PathBuf),
    /// This one file (its directory must exist, the file must not).
    File(PathBuf),
}

impl Store {
    /// The directory the files land in.
    pub fn dir(&self) -> &Path {
        match self {
            Store::Dir(dir) => dir,
            Store::File(path) => match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            },
        }
    }

    /// `File`: its name in [`Store::dir`].
    pub fn file_name(&self) -> Option<String> {
        match self {
            Store::Dir(_) => None,
            Store::File(path) => Some(path.file_name()?.to_string_lossy().into_owned()),
        }
    }

    /// Refuses at start a directory that is not one, or an `--out` file that
    /// exists (it would never be replaced).
    async fn check(&self) -> Result<(), FileCopyError> {
        let dir = self.dir();
        let directory_error = |source| FileCopyError::Directory {
            dir: dir.to_owned(),
            source,
        };
        let meta = tokio::fs::metadata(dir).await.map_err(directory_error)?;
        if !meta.is_dir() {
            return Err(directory_error(io::Error::other("not a directory")));
        }
        if let Store::File(path) = self {
            let target = |why: &str| FileCopyError::Target {
                path: path.clone(),
                why: why.to_owned(),
            };
            if self.file_name().is_none() {
                return Err(target("not a file name"));
            }
            if tokio::fs::symlink_metadata(path).await.is_ok() {
                return Err(target("exists, and the server never replaces a file"));
            }
        }
        Ok(())
    }
}

/// Which exchange the senders speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerProtocol {
    /// The lab's: the file's bytes in this mode (and, `whole`, this header
    /// width), then the sender's FIN.
    Lab { mode: Mode, width: HeaderWidth },
    /// tcplab's: the sender's hello says name, mode, size and SHA-256.
    Verified,
}

impl Default for ServerProtocol {
    fn default() -> Self {
        ServerProtocol::Lab {
            mode: Mode::Whole,
            width: HeaderWidth::LAB,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileServerOptions {
    pub limits: Limits,
    pub protocol: ServerProtocol,
    /// Stop once this many files have been stored.
    pub max_files: Option<u64>,
    pub idle_timeout: Option<Duration>,
    /// Refuse files larger than this.
    pub max_size: u64,
    /// Read the data at most this many bytes per second (a slow reader, to
    /// see the receive window fill). `None`: as fast as it arrives.
    pub read_rate: Option<u64>,
}

impl Default for FileServerOptions {
    fn default() -> Self {
        FileServerOptions {
            limits: Limits::default(),
            protocol: ServerProtocol::default(),
            max_files: None,
            idle_timeout: Some(DEFAULT_IDLE),
            max_size: DEFAULT_MAX_SIZE,
            read_rate: None,
        }
    }
}

/// Receives files into `store` until the limits stop the server (a
/// [`Store::File`] server stops once it has stored its one file).
pub async fn serve(
    listener: TcpListener,
    store: &Store,
    options: FileServerOptions,
    sink: EventSink,
) -> Result<StopReason, FileCopyError> {
    store.check().await?;
    sweep(store.dir(), &sink);
    let max_files = match store {
        Store::File(_) => Some(1),
        Store::Dir(_) => options.max_files,
    };
    let store = Arc::new(store.clone());
    let receiving = Receiving::default();
    let acceptor = Acceptor::new(listener, options.limits, sink.clone());
    let handler = move |stream, peer| {
        let job = Job {
            store: store.clone(),
            options,
            receiving: receiving.clone(),
        };
        receive(stream, peer, job, sink.clone())
    };
    let mut stored = 0;
    let enough = |&ok: &bool| {
        stored += u64::from(ok);
        let max = max_files?;
        (stored >= max).then_some(StopReason::MaxFiles(max))
    };
    Ok(serve_each(acceptor, handler, enough).await)
}

/// What a connection's handler needs from its server.
pub struct Job {
    pub store: Arc<Store>,
    pub options: FileServerOptions,
    /// Names being received right now (verified exchange).
    pub receiving: Receiving,
}

/// One sender: receive, report. True if a file was stored.
async fn receive(stream: TcpStream, peer: SocketAddr, job: Job, sink: EventSink) -> bool {
    match job.options.protocol {
        ServerProtocol::Lab { mode, width } => {
            lab_receive::receive(stream, peer, &job, mode, width, &sink).await
        }
        ServerProtocol::Verified => verified::receive(stream, peer, &job, &sink).await,
    }
}

/// Reports a transfer's outcome; true if a file was stored.
pub fn report(
    sink: &EventSink,
    peer: SocketAddr,
    outcome: &Result<(String, FileDigest), String>,
) -> bool {
    match outcome {
        Ok((name, summary)) => {
            sink(&Event::FileStored {
                peer,
                name: name.clone(),
                summary: *summary,
            });
            true
        }
        Err(reason) => {
            sink(&Event::FileRefused {
                peer,
                reason: reason.clone(),
            });
            false
        }
    }
}
