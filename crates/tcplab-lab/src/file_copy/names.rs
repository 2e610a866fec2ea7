//! Which file names the file server accepts: plain names only.
//!
//! In: the name a sender asked for. Out: the same name, or a [`NameError`]
//! explaining the refusal (and, for a path, which plain name to send instead).
//! Refusing instead of silently rewriting keeps the sender in the know; the
//! server also never follows the name outside its directory because a refused
//! name never reaches the file system.

/// Longest accepted name, leaving room for the temporary-file prefix and
/// suffix within the usual 255-byte file-name limit.
pub const MAX_NAME: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the file name is empty")]
    Empty,
    #[error("file name {name:?} contains a path; send a plain name{}",
        suggestion.as_ref().map(|s| format!(" such as {s:?}")).unwrap_or_default())]
    Path {
        name: String,
        suggestion: Option<String>,
    },
    #[error("file name {0:?} refers to a directory")]
    DirectoryReference(String),
    #[error("file name {0:?} starts with '.' (reserved for hidden and temporary files)")]
    Hidden(String),
    #[error("file name {0:?} contains control characters")]
    Control(String),
    #[error("the file name has {0} bytes; at most {MAX_NAME} are accepted")]
    TooLong(usize),
}

/// `name` if it is a plain file name that stays inside the server's directory.
pub fn check_file_name(name: &str) -> Result<&str, NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME {
        return Err(NameError::TooLong(name.len()));
    }
    if name.contains(['/', '\\']) {
        let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
        let suggestion = check_file_name(last).ok().map(str::to_owned);
        return Err(NameError::Path {
            name: name.to_owned(),
            suggestion,
        });
    }
    if name == "." || name == ".." {
        return Err(NameError::DirectoryReference(name.to_owned()));
    }
    if name.starts_with('.') {
        return Err(NameError::Hidden(name.to_owned()));
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control(name.to_owned()));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass() {
        for name in ["alice30.txt", "a b.txt", "ñandú", "x..y", "file."] {
            assert_eq!(check_file_name(name), Ok(name));
        }
    }

    #[test]
    fn paths_are_refused_with_a_suggestion() {
        let err = check_file_name("../../etc/passwd").unwrap_err();
        assert_eq!(
            err.to_string(),
            "file name \"../../etc/passwd\" contains a path; send a plain name such as \"passwd\""
        );
        assert!(check_file_name("/etc/passwd").is_err());
        assert!(check_file_name("..\\boot.ini").is_err());
        assert!(check_file_name("dir/")
            .unwrap_err()
            .to_string()
            .ends_with("plain name"));
    }

    #[test]
    fn dots_hidden_control_and_long_names_are_refused() {
        assert_eq!(
            check_file_name(".."),
            Err(NameError::DirectoryReference("..".into()))
        );
        assert!(matches!(
            check_file_name("."),
            Err(NameError::DirectoryReference(_))
        ));
        assert!(matches!(
            check_file_name(".bashrc"),
            Err(NameError::Hidden(_))
        ));
        assert!(matches!(
            check_file_name("a\nb"),
            Err(NameError::Control(_))
        ));
        assert!(matches!(
            check_file_name("a\0b"),
            Err(NameError::Control(_))
        ));
        assert!(check_file_name(&"x".repeat(MAX_NAME + 1)).is_err());
        assert_eq!(check_file_name(""), Err(NameError::Empty));
    }
}
