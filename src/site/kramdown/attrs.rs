//! kramdown's attribute lists: `{: #id .class key="value" ref}` after or
//! before a block, `{:...}` right after a span, and `{:name: ...}`
//! definitions (ALDs) that lists refer to by name.

use std::collections::HashMap;

/// An element's attributes, in the order kramdown writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs(Vec<(String, String)>);

impl Attrs {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `key`, keeping its place if it was set before.
    pub fn set(&mut self, key: &str, value: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    /// Adds a class unless the element has it already.
    pub fn add_class(&mut self, class: &str) {
        match self.get("class") {
            Some(classes) if classes.split(' ').any(|c| c == class) => {}
            Some(classes) => {
                let joined = format!("{classes} {class}");
                self.set("class", joined);
            }
            None => self.set("class", class.to_owned()),
        }
    }

    /// kramdown's rule for applying a list to an element: classes are
    /// added to the element's, anything else replaces its value.
    /// Event handlers and script URLs are skipped, so an element keeps
    /// its own `href` when a list gives a `javascript:` one.
    pub fn update(&mut self, list: &Attrs) {
        for (key, value) in &list.0 {
            if !is_safe(key, value) {
                continue;
            }
            if key == "class" {
                let joined = match self.get("class") {
                    Some(classes) => format!("{classes} {value}").trim().to_owned(),
                    None => value.clone(),
                };
                self.set("class", joined);
            } else {
                self.set(key, value.clone());
            }
        }
    }

    /// The attributes that are safe to write, in order.
    pub fn safe(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .filter(|(k, v)| is_safe(k, v))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The attributes as HTML, each with a leading space; event handlers
    /// and script URLs are left out.
    pub fn html(&self) -> String {
        let mut out = String::new();
        for (key, value) in self.safe() {
            out.push(' ');
            out.push_str(key);
            out.push_str("=\"");
            out.push_str(&escape_attribute(value));
            out.push('"');
        }
        out
    }
}

/// No `on...` handler, and no `javascript:` or `vbscript:` URL in any
/// value (browsers ignore white space and control characters there).
fn is_safe(key: &str, value: &str) -> bool {
    if key.len() >= 2 && key[..2].eq_ignore_ascii_case("on") {
        return false;
    }
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    !(squeezed.starts_with("javascript:") || squeezed.starts_with("vbscript:"))
}

/// Escapes a value for a double-quoted attribute; like kramdown, an
/// entity the author wrote (`&lt;`) is kept.
pub fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (at, c) in value.char_indices() {
        match c {
            '&' if starts_entity(&value[at..]) => out.push('&'),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn starts_entity(text: &str) -> bool {
    let Some(end) = text.find(';') else {
        return false;
    };
    let name = &text[1..end];
    let name = name.strip_prefix('#').map_or(name, |n| {
        n.strip_prefix(['x', 'X'])
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
            .unwrap_or(n)
    });
    !name.is_empty() && name.len() <= 32 && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A parsed attribute list: its own attributes and the ALDs it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    attrs: Attrs,
    refs: Vec<String>,
}

impl List {
    /// The attributes, with the named definitions applied first, as
    /// kramdown does.
    pub fn resolve(&self, alds: &HashMap<String, List>) -> Attrs {
        let mut attrs = Attrs::default();
        for name in &self.refs {
            if let Some(ald) = alds.get(name) {
                // Definitions do not refer on (kramdown resolves one level).
                attrs.update(&ald.attrs);
            }
        }
        attrs.update(&self.attrs);
        attrs
    }
}

/// A line that is only an attribute list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `{: ...}`: applies to a block.
    Ial(List),
    /// `{:name: ...}`: a definition, shown nowhere.
    Ald(String, List),
}

/// Where the span attribute list starting at byte `at` of `text` ends
/// (just after its `}`), if one starts there: `{:` not followed by `:`
/// or `/` (those are extensions), up to the first `}` not escaped by a
/// backslash, on one line.
pub fn span_end(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?.strip_prefix("{:")?;
    if rest.starts_with([':', '/']) {
        return None;
    }
    let mut escaped = false;
    for (k, c) in rest.char_indices() {
        match c {
            '\n' => return None,
            '}' if !escaped => return Some(at + 2 + k + 1),
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    None
}

/// The line, if it is nothing but one attribute list (white space around
/// it allowed).
pub fn line(text: &str) -> Option<Line> {
    let text = text.trim();
    if span_end(text, 0)? != text.len() {
        return None;
    }
    let inner = &text[2..text.len() - 1];
    let name_len = inner
        .char_indices()
        .take_while(|&(k, c)| c.is_alphanumeric() || c == '_' || (k > 0 && c == '-'))
        .count();
    if name_len > 0 && inner[name_len..].starts_with(':') {
        return Some(Line::Ald(
            inner[..name_len].to_owned(),
            parse(&inner[name_len + 1..]),
        ));
    }
    Some(Line::Ial(parse(inner)))
}

/// Parses the inside of an attribute list, following kramdown's
/// `parse_attribute_list`: `#id` and `.class` (which may be run together,
/// `#a.b.c`), `key="value"` or `key='value'` (`\"` and `\}` escaped), and
/// bare names of definitions. Anything else is skipped.
pub fn parse(inner: &str) -> List {
    let mut list = List::default();
    let chars: Vec<char> = inner.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c.is_whitespace() {
            k += 1;
        } else if c == '#' || c == '.' {
            let start = k;
            while k < chars.len() && !chars[k].is_whitespace() {
                k += 1;
            }
            let token: String = chars[start..k].iter().collect();
            ids_and_classes(&token, &mut list.attrs);
        } else if c.is_alphanumeric() || c == '_' {
            let start = k;
            while k < chars.len()
                && (chars[k].is_alphanumeric() || chars[k] == '_' || chars[k] == '-')
            {
                k += 1;
            }
            let key: String = chars[start..k].iter().collect();
            let quote = chars.get(k + 1).copied();
            if chars.get(k) == Some(&'=')
                && let Some(quote @ ('"' | '\'')) = quote
            {
                let (value, next) = quoted(&chars, k + 2, quote);
                k = next;
                // `class="..."` replaces the classes listed before it.
                list.attrs.set(&key, value);
            } else {
                list.refs.push(key);
            }
        } else {
            k += 1;
        }
    }
    list
}

/// A quoted value from `start` (after the quote) and the index after its
/// closing quote; an unclosed value runs to the end.
fn quoted(chars: &[char], start: usize, quote: char) -> (String, usize) {
    let mut value = String::new();
    let mut k = start;
    while k < chars.len() {
        match chars[k] {
            '\\' if matches!(chars.get(k + 1), Some(&c) if c == quote || c == '}') => {
                value.push(chars[k + 1]);
                k += 2;
            }
            c if c == quote => return (value, k + 1),
            c => {
                value.push(c);
                k += 1;
            }
        }
    }
    (value, k)
}

fn ids_and_classes(token: &str, attrs: &mut Attrs) {
    let mut rest = token;
    while let Some(first) = rest.chars().next() {
        let body = &rest[1..];
        let len = body.find(['#', '.']).unwrap_or(body.len());
        let name = &body[..len];
        match first {
            '.' if !name.is_empty() => {
                let joined = match attrs.get("class") {
                    Some(classes) => format!("{classes} {name}"),
                    None => name.to_owned(),
                };
                attrs.set("class", joined);
            }
            '#' if name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-')) =>
            {
                attrs.set("id", name.to_owned());
            }
            _ => {}
        }
        rest = &body[len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(inner: &str) -> String {
        parse(inner).resolve(&HashMap::new()).html()
    }

    #[test]
    fn lists_parse_as_kramdown_does() {
        assert_eq!(
            attrs(" #pid .c1 .c2 key=\"v\" "),
            " id=\"pid\" class=\"c1 c2\" key=\"v\""
        );
        assert_eq!(attrs(".a .b class=\"c\""), " class=\"c\"");
        assert_eq!(attrs("class=\"c\" .a"), " class=\"c a\"");
        assert_eq!(attrs("#a.b.c"), " id=\"a\" class=\"b c\"");
        assert_eq!(attrs("x='q' y=\"a\\\"b\""), " x=\"q\" y=\"a&quot;b\"");
        assert_eq!(attrs("target=\"\\_blank\""), " target=\"\\_blank\"");
    }

    #[test]
    fn values_are_escaped_but_entities_kept() {
        assert_eq!(
            attrs("k=\"a<b&c\" e=\"&lt;&#8617;\""),
            " k=\"a&lt;b&amp;c\" e=\"&lt;&#8617;\""
        );
    }

    #[test]
    fn handlers_and_script_urls_are_left_out() {
        assert_eq!(
            attrs(
                "onclick=\"x\" OnLoad=\"y\" href=\" JaVa\tscript:alert(1)\" src=\"vbscript:x\" k=\"v\""
            ),
            " k=\"v\""
        );
    }

    #[test]
    fn definitions_are_resolved_by_name() {
        let Some(Line::Ald(name, ald)) = line("{:ref: .cls #rid}") else {
            panic!("not a definition");
        };
        let alds = HashMap::from([(name, ald)]);
        let Some(Line::Ial(list)) = line("{: ref .more}") else {
            panic!("not a list");
        };
        assert_eq!(list.resolve(&alds).html(), " class=\"cls more\" id=\"rid\"");
    }

    #[test]
    fn only_whole_lines_are_block_lists() {
        assert!(line("  {: .x}  ").is_some());
        assert!(line("{: .x} text").is_none());
        assert!(line("{::comment}").is_none());
        assert!(line("{:/}").is_none());
        assert_eq!(span_end("{:a=\"\\}\"} b", 0), Some(9));
        assert_eq!(span_end("{: .x\n}", 0), None);
    }
}
