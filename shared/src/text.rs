//! Splitting text on an ASCII separator byte by byte, for the widget's few splits.

/// The pieces of `text` between each `separator`, as `str::split(char)` gives them, found byte by byte.
/// `split(char)` links a character searcher with `memchr` (about 1.2 KB of the widget's wasm for three
/// uses); an ASCII byte never falls inside a character, so each piece is cut on a character boundary.
pub fn split_ascii(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    debug_assert!(separator.is_ascii());
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `text` without the `trailing` ASCII bytes at its end, as `str::trim_end_matches(char)` gives it.
pub fn trim_end_ascii(text: &str, trailing: u8) -> &str {
    let end = text
        .bytes()
        .rposition(|b| b != trailing)
        .map_or(0, |at| at + 1);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_str_split_does() {
        for (text, separator) in [
            ("a.b.c", '.'),
            ("", '.'),
            (".", '.'),
            ("a..b.", '.'),
            ("é.ü,ß", ','),
            ("Order, Billing,Sales", ','),
            ("no separator", ','),
        ] {
            let ours: Vec<&str> = split_ascii(text, separator as u8).collect();
            let std: Vec<&str> = text.split(separator).collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn trims_the_end_as_trim_end_matches_does() {
        for text in ["abc==", "==", "", "a=b=", "é="] {
            assert_eq!(
                trim_end_ascii(text, b'='),
                text.trim_end_matches('='),
                "{text:?}"
            );
        }
    }
}
