//! A strict well-formedness check for the XML that figures are made of.
//!
//! It covers what SVG output can contain (elements, attributes, character
//! data, entity and character references) and refuses the rest (comments,
//! CDATA, DTDs, processing instructions), so a leaked `<` or `&`, a
//! forbidden character or a mismatched tag is caught the way a browser's
//! XML parser would catch it.

/// Whether `c` may appear in an XML 1.0 document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

fn name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn name_char(c: char) -> bool {
    name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Splits a name off the front of `s`.
fn name(s: &str) -> Result<(&str, &str), String> {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if name_start(c) => {}
        _ => return Err(format!("expected a name at {:?}", head(s))),
    }
    let end = chars
        .find(|&(_, c)| !name_char(c))
        .map_or(s.len(), |(i, _)| i);
    Ok(s.split_at(end))
}

fn head(s: &str) -> &str {
    let end = s.char_indices().nth(40).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// Checks that every `&` in `s` starts a known entity or a character
/// reference to an allowed character.
fn references(s: &str) -> Result<(), String> {
    for (i, _) in s.match_indices('&') {
        let rest = &s[i + 1..];
        let end = rest
            .find(';')
            .ok_or_else(|| format!("unterminated reference at {:?}", head(&s[i..])))?;
        let body = &rest[..end];
        let ok = match body {
            "lt" | "gt" | "amp" | "quot" | "apos" => true,
            _ => {
                let code = if let Some(hex) = body.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = body.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).is_some_and(allowed)
            }
        };
        if !ok {
            return Err(format!("bad reference &{body};"));
        }
    }
    Ok(())
}

/// Character data between tags.
fn text(s: &str) -> Result<(), String> {
    if s.contains("]]>") {
        return Err("`]]>` in character data".into());
    }
    references(s)
}

/// The attributes and the end of a start tag, after its name; returns
/// whether the element is empty (`/>`) and what follows the tag.
fn attributes(mut s: &str) -> Result<(bool, &str), String> {
    let mut seen: Vec<&str> = Vec::new();
    loop {
        let trimmed = s.trim_start_matches(is_space);
        let spaced = trimmed.len() < s.len();
        s = trimmed;
        if let Some(rest) = s.strip_prefix("/>") {
            return Ok((true, rest));
        }
        if let Some(rest) = s.strip_prefix('>') {
            return Ok((false, rest));
        }
        if !spaced {
            return Err(format!("expected a space before {:?}", head(s)));
        }
        let (key, rest) = name(s)?;
        if seen.contains(&key) {
            return Err(format!("attribute {key} repeated"));
        }
        seen.push(key);
        let rest = rest
            .trim_start_matches(is_space)
            .strip_prefix('=')
            .ok_or_else(|| format!("attribute {key} has no `=`"))?
            .trim_start_matches(is_space);
        let quote = rest
            .chars()
            .next()
            .filter(|&q| q == '"' || q == '\'')
            .ok_or_else(|| format!("attribute {key} is not quoted"))?;
        let rest = &rest[1..];
        let end = rest
            .find(quote)
            .ok_or_else(|| format!("attribute {key} is not closed"))?;
        let value = &rest[..end];
        if value.contains('<') {
            return Err(format!("`<` in the value of {key}"));
        }
        references(value)?;
        s = &rest[end + 1..];
    }
}

/// Checks that `doc` is one well-formed XML element, optionally surrounded
/// by white space; the error says what is wrong and where.
pub(super) fn check(doc: &str) -> Result<(), String> {
    if let Some((i, c)) = doc.char_indices().find(|&(_, c)| !allowed(c)) {
        return Err(format!("character {c:?} at byte {i} is not allowed in XML"));
    }
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = doc;
    loop {
        let lt = rest.find('<').unwrap_or(rest.len());
        let data = &rest[..lt];
        if open.is_empty() && !data.trim_matches(is_space).is_empty() {
            return Err(format!("text outside the root: {:?}", head(data)));
        }
        text(data)?;
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix("</") {
            let (tag, after) = name(after)?;
            let after = after.trim_start_matches(is_space);
            rest = after
                .strip_prefix('>')
                .ok_or_else(|| format!("end tag {tag} is not closed"))?;
            match open.pop() {
                Some(top) if top == tag => {}
                top => return Err(format!("end tag {tag} closes {top:?}")),
            }
        } else {
            let (tag, after) = name(&rest[1..])?;
            if open.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(format!("a second root element {tag}"));
                }
            }
            let (empty, after) = attributes(after)?;
            if !empty {
                open.push(tag);
            }
            rest = after;
        }
    }
    match (roots, open.last()) {
        (0, _) => Err("no root element".into()),
        (_, Some(tag)) => Err(format!("element {tag} is never closed")),
        _ => Ok(()),
    }
}

#[test]
fn the_checker_accepts_escaped_markup_and_refuses_leaks() {
    let good =
        r#"<svg a="x &amp; &#60;"><text b='1'>a &lt;b&gt; &quot;c&quot; &#x3B1;</text><g/></svg>"#;
    assert_eq!(check(good), Ok(()));
    let bad = [
        "<svg><text>a <b> c</text></svg>",
        "<svg><text>a & b</text></svg>",
        "<svg><text>a &nbsp; b</text></svg>",
        r#"<svg a="<"/>"#,
        r#"<svg a="1"b="2"/>"#,
        r#"<svg a="1" a="2"/>"#,
        "<svg><text>a</svg></text>",
        "<svg><g></svg>",
        "<svg/><svg/>",
        "<svg>\u{1}</svg>",
        "<svg>&#1;</svg>",
        "<svg>]]></svg>",
        "text<svg/>",
        "<svg><!-- c --></svg>",
        "",
    ];
    for doc in bad {
        assert!(check(doc).is_err(), "{doc:?} passed");
    }
}
