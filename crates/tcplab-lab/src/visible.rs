//! Text from one chat client made harmless for the others' terminals.
//!
//! In: the bytes of one line a client sent (any bytes). Out: a `String` that
//! shows every control character instead of obeying it: C0 controls in caret
//! notation (`ESC` is `^[`, `\r` is `^M`, NUL is `^@`, DEL is `^?`), C1
//! controls and the bidirectional-text overrides as `<U+XXXX>`, invalid UTF-8
//! as U+FFFD. Ordinary text, accents and emoji included, and tabs pass as they
//! are. So no client can move another's cursor, clear a screen, or forge a
//! line that seems to come from someone else.

/// The shown form of `line`.
pub fn visible(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => shown.push('\t'),
            '\0'..='\x1f' => {
                shown.push('^');
                // '@' (0x40) + the control's number: 'A' for 0x01, '[' for ESC.
                shown.push(char::from(b'@' + c as u8));
            }
            '\x7f' => shown.push_str("^?"),
            '\u{80}'..='\u{9f}'
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => shown.push_str(&format!("<U+{:04X}>", u32::from(c))),
            _ => shown.push(c),
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn controls_are_shown() {
        assert_eq!(visible(b"\x1b[2J\x1b]0;title\x07"), "^[[2J^[]0;title^G");
        assert_eq!(visible(b"ok\rforged"), "ok^Mforged");
        assert_eq!(visible(b"a\x08\x00\x7f\x1f"), "a^H^@^?^_");
        assert_eq!(visible("\u{9b}31m".as_bytes()), "<U+009B>31m");
        assert_eq!(visible("\u{202e}txt.exe".as_bytes()), "<U+202E>txt.exe");
    }

    #[test]
    fn text_stays_as_it_is() {
        let text = "hola\tñandú, café, 🙂 — 東京 ^[ literal";
        assert_eq!(visible(text.as_bytes()), text);
        assert_eq!(visible(b"bad \xff byte"), "bad \u{fffd} byte");
    }
}
