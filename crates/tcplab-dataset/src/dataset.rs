//! A dataset directory: which captures it holds (by SHA-256), and the
//! admission of new ones with their partition names.

use crate::captures::read_known;
use crate::error::{DatasetError, Result};
use crate::names::partition_name;
use crate::writer::CaptureWriter;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The three tables, each a directory of the dataset.
pub(crate) const TABLES: [&str; 3] = ["segments", "connections", "captures"];
/// The one file of a partition.
pub(crate) const PART_FILE: &str = "part-0.parquet";

/// A dataset directory, opened for adding captures.
pub struct Dataset {
    dir: PathBuf,
    /// Partition name of each capture, by SHA-256: those already in the
    /// dataset and those admitted since it was opened.
    by_sha256: HashMap<String, String>,
    names: HashSet<String>,
}

/// What `Dataset::admit` decided for a capture.
pub enum Admission {
    /// A capture with the same SHA-256 is in the dataset already (or was
    /// admitted earlier in this run) under this partition name.
    Present { name: String, sha256: String },
    /// A new capture, to be written.
    New(CaptureSlot),
}

/// A capture admitted to the dataset: everything needed to write its
/// partitions, on any thread.
#[derive(Clone, Debug)]
pub struct CaptureSlot {
    /// The partition name (`capture=NAME`), unique in the dataset.
    pub name: String,
    pub file: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub(crate) dir: PathBuf,
}

impl Dataset {
    /// Opens `dir` (created when missing, with its three table
    /// directories) and reads which captures it holds. A captures file of
    /// another schema version, or not written by tcplab, is an error.
    pub fn open(dir: &Path) -> Result<Dataset> {
        for table in TABLES {
            let t = dir.join(table);
            std::fs::create_dir_all(&t).map_err(DatasetError::io(&t))?;
        }
        let mut dataset = Dataset {
            dir: dir.to_path_buf(),
            by_sha256: HashMap::new(),
            names: HashSet::new(),
        };
        let captures = dir.join("captures");
        let mut parts: Vec<(String, PathBuf)> = std::fs::read_dir(&captures)
            .map_err(DatasetError::io(&captures))?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let dir = e.file_name().to_string_lossy().into_owned();
                let name = dir.strip_prefix("capture=")?.to_string();
                Some((name, e.path().join(PART_FILE)))
            })
            .filter(|(_, p)| p.is_file())
            .collect();
        parts.sort();
        for (name, part) in parts {
            for known in read_known(&part, &name)? {
                dataset.names.insert(known.capture.clone());
                dataset.by_sha256.insert(known.sha256, known.capture);
            }
        }
        Ok(dataset)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many captures the dataset holds (with those admitted since it
    /// was opened).
    pub fn len(&self) -> usize {
        self.by_sha256.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_sha256.is_empty()
    }

    /// Hashes `file` (SHA-256 of its bytes as stored, compressed or not)
    /// and admits it unless the dataset has it already. Admit the
    /// captures in the order they are given so that names are the same
    /// from run to run; write them in any order.
    pub fn admit(&mut self, file: &Path) -> Result<Admission> {
        let (size, sha256) = sha256_of(file)?;
        Ok(self.admit_hashed(file, size, sha256))
    }

    /// As [`Dataset::admit`], with the file's size and SHA-256 already
    /// known ([`sha256_of`], on any thread: a parallel driver hashes on
    /// its workers and admits in order on one thread).
    pub fn admit_hashed(&mut self, file: &Path, size: u64, sha256: String) -> Admission {
        if let Some(name) = self.by_sha256.get(&sha256) {
            return Admission::Present {
                name: name.clone(),
                sha256,
            };
        }
        let mut slot = self.admit_stream(file);
        slot.size = size;
        slot.sha256.clone_from(&sha256);
        self.by_sha256.insert(sha256, slot.name.clone());
        Admission::New(slot)
    }

    /// Admits a stream whose SHA-256 is known only once it has been read
    /// (standard input): its partition name now; its size and SHA-256 go
    /// to `CaptureWriter::set_source` before `finish`, and the caller asks
    /// [`Dataset::holds`] then whether it is a copy of a capture already
    /// there (and if so drops the writer, which leaves nothing behind).
    pub fn admit_stream(&mut self, file: &Path) -> CaptureSlot {
        let name = partition_name(file, &self.names);
        self.names.insert(name.clone());
        CaptureSlot {
            name,
            file: file.to_path_buf(),
            size: 0,
            sha256: String::new(),
            dir: self.dir.clone(),
        }
    }

    /// The partition name of the capture with this SHA-256, if the
    /// dataset holds it or admitted it since it was opened.
    pub fn holds(&self, sha256: &str) -> Option<&str> {
        self.by_sha256.get(sha256).map(String::as_str)
    }
}

impl CaptureSlot {
    /// Starts writing this capture's partitions (under temporary names).
    pub fn writer(self) -> Result<CaptureWriter> {
        CaptureWriter::new(self)
    }

    /// `DIR/<table>/capture=NAME`.
    pub(crate) fn partition(&self, table: &str) -> PathBuf {
        self.dir.join(table).join(format!("capture={}", self.name))
    }
}

/// Size and SHA-256 (lowercase hex) of a file, read once.
pub fn sha256_of(path: &Path) -> Result<(u64, String)> {
    let mut file = File::open(path).map_err(DatasetError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(DatasetError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// Lowercase hex, as the `sha256` column holds it.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
