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
    #[error(
        "file name {name:?} contains the invisible formatting character U+{:04X}{}; \
         such characters (bidirectional overrides, zero-width marks, ...) can make \
         a name display as something it is not",
        u32::from(*ch),
        format_name(*ch).map(|n| format!(" ({n})")).unwrap_or_default()
    )]
    Format { name: String, ch: char },
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
    if let Some(ch) = name.chars().find(|&c| is_format(c)) {
        return Err(NameError::Format {
            name: name.to_owned(),
            ch,
        });
    }
    Ok(name)
}

/// Unicode's invisible format characters (general category Cf) and the line
/// and paragraph separators (Zl, Zp): bidirectional embeddings, overrides and
/// isolates, zero-width spaces and joiners, the byte-order mark, tags ...
/// (Unicode 15 ranges; `char::is_control` covers only Cc.)
fn is_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// The name of the most abused format characters, for the refusal.
fn format_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "BYTE ORDER MARK",
        _ => return None,
    })
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

    #[test]
    fn bidirectional_and_other_format_characters_are_refused() {
        let err = check_file_name("invoice\u{202E}fdp.exe").unwrap_err();
        assert_eq!(
            err,
            NameError::Format {
                name: "invoice\u{202E}fdp.exe".into(),
                ch: '\u{202E}'
            }
        );
        let text = err.to_string();
        assert!(text.contains("U+202E (RIGHT-TO-LEFT OVERRIDE)"), "{text}");
        // The name is shown escaped, never raw.
        assert!(text.contains("invoice\\u{202e}fdp.exe"), "{text}");
        assert!(!text.contains('\u{202E}'), "{text}");
        for c in [
            '\u{200B}',
            '\u{2066}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{2028}',
            '\u{E0041}',
        ] {
            let name = format!("a{c}b.txt");
            assert!(
                matches!(check_file_name(&name), Err(NameError::Format { .. })),
                "{c:?}"
            );
        }
        // C1 controls (U+0080 to U+009F) were refused already.
        assert!(matches!(
            check_file_name("a\u{85}b"),
            Err(NameError::Control(_))
        ));
    }
}
