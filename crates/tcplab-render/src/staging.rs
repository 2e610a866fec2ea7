//! Output written all or nothing: a report or a set of graphs is written
//! into a hidden directory beside its destination (`.NAME.tcplab-part-XXXX`,
//! made fresh with mkdir) and moved into place only when every file is
//! written. A capture that turns out to be unusable half-way, a full disk
//! or an interruption leaves no half-written output; the hidden directory
//! goes when the `Staging` is dropped without [`Staging::commit`].
//!
//! The destination may already exist (a report written again): its files
//! of the same names are replaced one by one at the commit, others stay.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// A fresh hidden directory beside `target` (whose parent is created
    /// if needed).
    pub fn new(target: &Path) -> io::Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.tcplab-part-"))
            .tempdir_in(&parent)?
            .keep();
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where to write.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `staged` (a path inside [`Staging::dir`]) ends up.
    pub fn final_path(&self, staged: &Path) -> PathBuf {
        match staged.strip_prefix(&self.dir) {
            Ok(rest) if rest.as_os_str().is_empty() => self.target.clone(),
            Ok(rest) => self.target.join(rest),
            Err(_) => staged.to_path_buf(),
        }
    }

    /// Moves everything into the destination: the whole directory when the
    /// destination does not exist, else each file over its namesake.
    pub fn commit(mut self) -> io::Result<()> {
        match std::fs::symlink_metadata(&self.target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::rename(&self.dir, &self.target)?;
            }
            Err(e) => return Err(e),
            Ok(m) if !m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    "exists and is not a directory",
                ))
            }
            Ok(_) => {
                for entry in std::fs::read_dir(&self.dir)? {
                    let entry = entry?;
                    std::fs::rename(entry.path(), self.target.join(entry.file_name()))?;
                }
                std::fs::remove_dir(&self.dir)?;
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_shows_until_the_commit_and_nothing_stays_without_it() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = tmp.path().join("reports").join("run");
        let s = Staging::new(&target).expect("staging");
        std::fs::write(s.dir().join("a.txt"), "a").expect("write");
        assert!(!target.exists());
        assert_eq!(s.final_path(&s.dir().join("a.txt")), target.join("a.txt"));
        drop(s);
        assert_eq!(names(&tmp.path().join("reports")), Vec::<String>::new());

        let s = Staging::new(&target).expect("staging");
        std::fs::write(s.dir().join("a.txt"), "a").expect("write");
        s.commit().expect("commit");
        assert_eq!(names(&target), ["a.txt"]);
        assert_eq!(names(&tmp.path().join("reports")), ["run"]);
    }

    #[test]
    fn an_existing_destination_gets_the_new_files_and_keeps_the_others() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = tmp.path().join("out");
        std::fs::create_dir(&target).expect("mkdir");
        std::fs::write(target.join("a.txt"), "old").expect("write");
        std::fs::write(target.join("mine.txt"), "keep").expect("write");
        let s = Staging::new(&target).expect("staging");
        std::fs::write(s.dir().join("a.txt"), "new").expect("write");
        s.commit().expect("commit");
        assert_eq!(names(&target), ["a.txt", "mine.txt"]);
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).expect("read"),
            "new"
        );
        assert_eq!(names(tmp.path()), ["out"]);
    }
}
