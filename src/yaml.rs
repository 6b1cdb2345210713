//! Reading YAML as likely's files are written, with positions for errors.

use serde::de::DeserializeOwned;

/// Deserializes YAML as specs are written: enums as single-key mappings
/// (`{normal: {...}}`), not YAML tags.
///
/// # Errors
/// The YAML error, with its location.
pub fn from_yaml<T: DeserializeOwned>(src: &str) -> Result<T, serde_yaml::Error> {
    let de = serde_yaml::Deserializer::from_str(src);
    serde_yaml::with::singleton_map_recursive::deserialize(de)
}

/// A YAML error's location (1-based line and column) and its message with
/// every "at line L column C" removed, so the location can be printed once,
/// in front.
pub fn yaml_message(e: &serde_yaml::Error) -> (Option<(usize, usize)>, String) {
    let location = e.location().map(|l| (l.line(), l.column()));
    let mut text = e.to_string();
    let mut from = 0;
    while let Some(found) = text[from..].find(" at line ") {
        let start = from + found;
        let tail = &text[start + " at line ".len()..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let line_len = digits(tail);
        let rest = &tail[line_len..];
        let end = match rest.strip_prefix(" column ") {
            Some(col) if line_len > 0 && digits(col) > 0 => {
                start + " at line ".len() + line_len + " column ".len() + digits(col)
            }
            _ => {
                from = start + 1;
                continue;
            }
        };
        text.replace_range(start..end, "");
        from = start;
    }
    (location, text)
}

/// The line and column of the first `key:` in `src`, for errors found
/// after parsing.
pub fn locate_key(src: &str, key: &str) -> Option<(usize, usize)> {
    let needle = format!("{key}:");
    src.lines().enumerate().find_map(|(i, line)| {
        let col = line.find(&needle)?;
        let before = line[..col].chars().last();
        (before.is_none_or(|c| !c.is_alphanumeric() && c != '_')).then_some((i + 1, col + 1))
    })
}
