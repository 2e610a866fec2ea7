//! Output written all or nothing: a report or a set of graphs is written
//! into a hidden directory beside its destination (`.NAME.tcplab-part-XXXX`,
//! made fresh with mkdir) and moved into place only when every file is
//! written. A capture that turns out to be unusable half-way, a full disk
//! or an interruption leaves no half-written output; the hidden directory
//! goes when the `Staging` is dropped without [`Staging::commit`].
//!
//! The destination may already exist (a report written again): its files
//! of the same names are replaced one by one at the commit, others stay.
//!
//! A single output file the user names (`plot -o FILE`, `analyze
//! --segments FILE`) is an [`OutputFile`]: staged beside its name and
//! renamed into place when it is new or replaces a regular file; written
//! where it is when it is a device, a pipe or the user's own link.
use std::fs::File;
use std::io;
use std::os::unix::fs::PermissionsExt;
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
        let parent = parent_of(target)?;
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

/// The directory `target` goes in, created if needed (`.` for a bare name).
fn parent_of(target: &Path) -> io::Result<PathBuf> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    Ok(parent)
}

/// One output file named by the user (see the module's doc).
///
/// A new file, or one that replaces a regular file, is staged beside its
/// name and renamed at [`OutputFile::commit`]. Anything else that already
/// has the name is written where it is, as any tool would: a device
/// (`/dev/null`), a pipe, or a link the user made (`/dev/stdout`). A link
/// in a shared sticky directory (`/tmp`) that belongs to another user is
/// refused, whatever `fs.protected_symlinks` says, since root writing
/// through it would write where that user chose.
#[derive(Debug)]
pub enum OutputFile {
    Staged {
        file: tempfile::NamedTempFile,
        target: PathBuf,
    },
    Direct(File),
}

impl OutputFile {
    pub fn create(target: &Path) -> io::Result<OutputFile> {
        match std::fs::symlink_metadata(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => OutputFile::staged(target),
            Err(e) => Err(e),
            Ok(m) if m.is_file() => OutputFile::staged(target),
            Ok(m) if m.is_dir() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            )),
            Ok(m) => {
                if m.file_type().is_symlink() {
                    refuse_a_planted_link(target, &m)?;
                }
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(target)
                    .map(OutputFile::Direct)
            }
        }
    }

    /// A new hidden file beside `target`, with the permissions a file
    /// created by `File::create` would have (0666 less the umask).
    fn staged(target: &Path) -> io::Result<OutputFile> {
        let parent = parent_of(target)?;
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let file = tempfile::Builder::new()
            .prefix(&format!(".{name}.tcplab-part-"))
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(parent)?;
        Ok(OutputFile::Staged {
            file,
            target: target.to_path_buf(),
        })
    }

    /// Where to write.
    pub fn file(&self) -> &File {
        match self {
            OutputFile::Staged { file, .. } => file.as_file(),
            OutputFile::Direct(file) => file,
        }
    }

    /// Puts a staged file in place, replacing what has its name by then (a
    /// link planted meanwhile included: the rename does not follow it).
    pub fn commit(self) -> io::Result<()> {
        match self {
            OutputFile::Staged { file, target } => {
                file.persist(&target).map(drop).map_err(|e| e.error)
            }
            OutputFile::Direct(_) => Ok(()),
        }
    }
}

/// Linux's `fs.protected_symlinks` rule, applied always: in a directory
/// that is sticky and writable by everyone, a link is followed only when
/// it belongs to us or to the directory's owner.
fn refuse_a_planted_link(link: &Path, meta: &std::fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let parent = match link.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = std::fs::metadata(parent)?;
    let shared = dir.mode() & 0o1002 == 0o1002;
    let ours = meta.uid() == rustix::process::geteuid().as_raw() || meta.uid() == dir.uid();
    if shared && !ours {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "is a link made by another user in a shared directory; not writing through it (remove it or name another file)",
        ));
    }
    Ok(())
}

/// Writes `bytes` to `target` (see [`OutputFile`]).
pub fn write_file(target: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let out = OutputFile::create(target)?;
    out.file().write_all(bytes)?;
    out.commit()
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

    #[test]
    fn a_new_file_appears_whole_and_a_regular_file_is_replaced() {
        use std::io::Write;
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = tmp.path().join("out.csv");
        let out = OutputFile::create(&target).expect("output");
        out.file().write_all(b"a,b\n").expect("write");
        assert!(!target.exists(), "nothing shows before the commit");
        out.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "a,b\n");
        let out = OutputFile::create(&target).expect("output");
        out.file().write_all(b"c\n").expect("write");
        assert!(matches!(out, OutputFile::Staged { .. }));
        out.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "c\n");
        assert_eq!(names(tmp.path()), ["out.csv"]);
    }

    #[test]
    fn a_dropped_file_leaves_nothing_and_a_directory_is_refused() {
        let tmp = tempfile::tempdir().expect("temp dir");
        drop(OutputFile::create(&tmp.path().join("out.csv")).expect("output"));
        assert_eq!(names(tmp.path()), Vec::<String>::new());
        let dir = tmp.path().join("taken");
        std::fs::create_dir(&dir).expect("mkdir");
        let err = OutputFile::create(&dir).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
    }

    #[test]
    fn devices_and_our_own_links_are_written_where_they_are() {
        use std::io::Write;
        let out = OutputFile::create(Path::new("/dev/null")).expect("output");
        assert!(matches!(out, OutputFile::Direct(_)));
        out.file().write_all(b"x").expect("write");
        out.commit().expect("commit");
        let meta = std::fs::symlink_metadata("/dev/null").expect("meta");
        assert!(!meta.is_file(), "/dev/null is still a device");

        let tmp = tempfile::tempdir().expect("temp dir");
        let real = tmp.path().join("real");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_file(&link, b"through").expect("write");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "through");
        assert!(std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
    }

    #[test]
    fn another_users_link_in_a_shared_directory_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        if !rustix::process::geteuid().is_root() {
            eprintln!("SKIPPED: needs root to make a link owned by another user");
            return;
        }
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o1777))
            .expect("chmod");
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "precious").expect("write");
        let link = tmp.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).expect("lchown");
        let err = write_file(&link, b"overwritten").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("another user"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    }
}
