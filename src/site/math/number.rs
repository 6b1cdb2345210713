//! Equation numbers and references, as al-folio's MathJax (`tags: "ams"`)
//! gives them, computed before rendering so that they are text in the page.
//!
//! `equation`, `align`, `gather`, `multline`, `alignat` and `flalign` are
//! numbered, a number per row for the multi-row ones; their starred forms
//! are not; `\nonumber` or `\notag` leaves a row out and `\tag{..}`
//! (`\tag*{..}`, without parentheses) gives it its own. Numbers restart
//! with each post. Each numbered row is given its number as an explicit
//! `\tag`, in the environment's starred form, so the renderer never
//! numbers by itself; `\label{key}` becomes an anchor, and `\eqref{key}`
//! and `\ref{key}` links to it that read "(3)" and "3".

use std::collections::BTreeMap;

/// What a label stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The tag's text: `3`, or what `\tag{..}` said.
    pub text: String,
    /// `\tag*`: shown without parentheses.
    pub star: bool,
}

/// The labels of one post.
pub type Labels = BTreeMap<String, Tag>;

/// Environments numbered per row.
const ROWS: [&str; 5] = ["align", "gather", "alignat", "flalign", "eqnarray"];
/// Environments numbered once.
const WHOLE: [&str; 2] = ["equation", "multline"];

/// The starred environment KaTeX draws for an environment of amsmath: its
/// own, or for those it lacks the nearest it has (`multline` as `gather*`
/// with the number on its last line, `flalign` and `eqnarray` as `align*`).
fn drawn_as(name: &str) -> String {
    match name.trim_end_matches('*') {
        "multline" => "gather*".into(),
        "flalign" | "eqnarray" => "align*".into(),
        base => format!("{base}*"),
    }
}

/// The anchor id of a label.
pub fn anchor(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.:".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("eqn-{safe}")
}

/// Numbers the display formulas of a post, in order: each formula
/// rewritten for the renderer, the labels, and a problem per label that
/// cannot be given a number (with the index of its formula).
pub fn number(displays: &[String]) -> (Vec<String>, Labels, Vec<(usize, String)>) {
    let mut labels = Labels::new();
    let mut problems = Vec::new();
    let mut next = 1;
    let mut out = Vec::with_capacity(displays.len());
    for (index, tex) in displays.iter().enumerate() {
        let mut note = |key: &str, tag: Option<Tag>| {
            match tag {
            None => problems.push((
                index,
                format!("\\label{{{key}}} is on an equation without a number, so nothing can refer to it"),
            )),
            Some(_) if labels.contains_key(key) => {
                problems.push((index, format!("\\label{{{key}}} is used twice; references go to the first")));
            }
            Some(tag) => {
                labels.insert(key.to_owned(), tag);
            }
        }
        };
        out.push(number_formula(tex, &mut next, &mut note));
    }
    (out, labels, problems)
}

/// One formula: its numbered environments' rows tagged, starred forms
/// named, `\nonumber` and `\notag` dropped and labels made anchors.
fn number_formula(tex: &str, next: &mut usize, note: &mut impl FnMut(&str, Option<Tag>)) -> String {
    let mut out = String::with_capacity(tex.len() + 16);
    let mut at = 0;
    let mut numbered_any = false;
    while let Some((start, name)) = find_begin(tex, at) {
        let base = name.trim_end_matches('*');
        let per_row = ROWS.contains(&base);
        let numbered = !name.ends_with('*');
        if !per_row && !WHOLE.contains(&base) {
            // Not numbered: copy through its `\begin` and go on inside.
            let after = start + "\\begin{}".len() + name.len();
            out.push_str(&clean(&tex[at..after]));
            at = after;
            continue;
        }
        let body_start = start + "\\begin{}".len() + name.len();
        let Some((body_end, end_len)) = find_end(tex, body_start, name) else {
            break;
        };
        numbered_any = true;
        out.push_str(&clean(&tex[at..start]));
        let drawn = drawn_as(name);
        out.push_str(&format!("\\begin{{{drawn}}}"));
        let body = &tex[body_start..body_end];
        let rows = if per_row {
            split_rows(body)
        } else {
            vec![(0, body.len())]
        };
        let mut copied = 0;
        let last = rows.len() - 1;
        for (k, &(row_start, row_end)) in rows.iter().enumerate() {
            let row = &body[row_start..row_end];
            out.push_str(&clean(&body[copied..row_start]));
            let keys = label_keys(row);
            let own = own_tag(row);
            let tagged = own.is_some();
            let skip = has_command(row, "nonumber") || has_command(row, "notag");
            let empty = k == last && k > 0 && strip_labels(row).trim().is_empty();
            let tag = match own {
                Some(tag) => Some(tag),
                None if skip || empty || !numbered => None,
                None => {
                    let tag = Tag {
                        text: next.to_string(),
                        star: false,
                    };
                    *next += 1;
                    Some(tag)
                }
            };
            for key in &keys {
                note(key, tag.clone());
            }
            if base == "eqnarray" {
                // `a &=& b`: three columns, the relation in the middle; as
                // `align`, `a &= b`.
                out.push_str(&clean(&without_second_ampersand(row)));
            } else {
                out.push_str(&clean(row));
            }
            if !tagged && let Some(tag) = &tag {
                out.push_str(&format!(" \\tag{{{}}}", tag.text));
            }
            copied = row_end;
        }
        out.push_str(&clean(&body[copied..]));
        out.push_str(&format!("\\end{{{drawn}}}"));
        at = body_end + end_len;
    }
    let rest = &tex[at..];
    if numbered_any {
        out.push_str(&clean(rest));
        return out;
    }
    // No numbered environment: a `\tag` of the whole formula is its
    // number; a label elsewhere has none.
    let tag = own_tag(tex);
    for key in label_keys(tex) {
        note(&key, tag.clone());
    }
    clean(tex)
}

/// `row` without its second `&` at the top level.
fn without_second_ampersand(row: &str) -> String {
    let mut depth = 0i32;
    let mut seen = 0;
    let mut chars = row.char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => depth += 1,
            '}' => depth -= 1,
            '&' if depth == 0 => {
                seen += 1;
                if seen == 2 {
                    return format!("{}{}", &row[..k], &row[k + 1..]);
                }
            }
            _ => {}
        }
    }
    row.to_owned()
}

/// `\nonumber` and `\notag` dropped, `\label{key}` made an anchor.
pub fn clean(tex: &str) -> String {
    let mut out = String::with_capacity(tex.len());
    let mut at = 0;
    while let Some(start) = tex[at..].find('\\').map(|k| at + k) {
        let (name, end) = command(tex, start);
        match name {
            "nonumber" | "notag" => {
                out.push_str(&tex[at..start]);
                at = end;
            }
            "label" => match group(tex, end) {
                Some((key, after)) => {
                    out.push_str(&tex[at..start]);
                    out.push_str(&format!("\\htmlId{{{}}}{{}}", anchor(key.trim())));
                    at = after;
                }
                None => {
                    out.push_str(&tex[at..end]);
                    at = end;
                }
            },
            _ => {
                out.push_str(&tex[at..end]);
                at = end;
            }
        }
    }
    out.push_str(&tex[at..]);
    out
}

fn strip_labels(tex: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    while let Some(start) = tex[at..].find("\\label").map(|k| at + k) {
        out.push_str(&tex[at..start]);
        let (_, end) = command(tex, start);
        at = group(tex, end).map_or(end, |(_, after)| after);
    }
    out.push_str(&tex[at..]);
    out
}

/// Rewrites `\eqref{key}` and `\ref{key}` as links to the label's anchor,
/// showing its tag; a key with no label shows `(??)` and is named in the
/// second value.
pub fn references(tex: &str, labels: &Labels) -> (String, Vec<String>) {
    let mut out = String::with_capacity(tex.len());
    let mut unknown = Vec::new();
    let mut at = 0;
    while let Some(start) = tex[at..].find('\\').map(|k| at + k) {
        let (name, end) = command(tex, start);
        let paren = match name {
            "eqref" => true,
            "ref" => false,
            _ => {
                out.push_str(&tex[at..end]);
                at = end;
                continue;
            }
        };
        let Some((key, after)) = group(tex, end) else {
            out.push_str(&tex[at..end]);
            at = end;
            continue;
        };
        out.push_str(&tex[at..start]);
        let key = key.trim();
        match labels.get(key) {
            Some(tag) => {
                let text = if paren && !tag.star {
                    format!("({})", tag.text)
                } else {
                    tag.text.clone()
                };
                out.push_str(&format!("\\href{{\\#{}}}{{\\text{{{text}}}}}", anchor(key)));
            }
            None => {
                unknown.push(key.to_owned());
                out.push_str(if paren { "\\text{(??)}" } else { "\\text{??}" });
            }
        }
        at = after;
    }
    out.push_str(&tex[at..]);
    (out, unknown)
}

/// The control sequence at `start` (a backslash): its name (letters, or
/// one other character) and where it ends.
fn command(tex: &str, start: usize) -> (&str, usize) {
    let rest = &tex[start + 1..];
    let letters = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(rest.len(), |(k, _)| k);
    if letters > 0 {
        (&rest[..letters], start + 1 + letters)
    } else {
        let len = rest.chars().next().map_or(0, char::len_utf8);
        (&rest[..len], start + 1 + len)
    }
}

/// The braced group at `at` (after optional spaces): its content and
/// where it ends.
fn group(tex: &str, at: usize) -> Option<(&str, usize)> {
    let open = at + (tex[at..].len() - tex[at..].trim_start().len());
    if !tex[open..].starts_with('{') {
        return None;
    }
    let mut depth = 0usize;
    let mut chars = tex[open..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&tex[open + 1..open + k], open + k + 1));
                }
            }
            _ => {}
        }
    }
    None
}

fn has_command(tex: &str, name: &str) -> bool {
    let mut at = 0;
    while let Some(start) = tex[at..].find('\\').map(|k| at + k) {
        let (found, end) = command(tex, start);
        if found == name {
            return true;
        }
        at = end;
    }
    false
}

fn label_keys(tex: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut at = 0;
    while let Some(start) = tex[at..].find('\\').map(|k| at + k) {
        let (name, end) = command(tex, start);
        at = end;
        if name == "label"
            && let Some((key, after)) = group(tex, end)
        {
            keys.push(key.trim().to_owned());
            at = after;
        }
    }
    keys
}

/// The row's own `\tag{..}` or `\tag*{..}`.
fn own_tag(tex: &str) -> Option<Tag> {
    let mut at = 0;
    while let Some(start) = tex[at..].find('\\').map(|k| at + k) {
        let (name, end) = command(tex, start);
        at = end;
        if name == "tag" {
            let star = tex[end..].starts_with('*');
            let (text, _) = group(tex, end + usize::from(star))?;
            return Some(Tag {
                text: text.trim().to_owned(),
                star,
            });
        }
    }
    None
}

/// The next `\begin{name}` from `at`: where it starts, and the name.
fn find_begin(tex: &str, mut at: usize) -> Option<(usize, &str)> {
    while let Some(start) = tex[at..].find("\\begin").map(|k| at + k) {
        let (name, end) = command(tex, start);
        if name == "begin"
            && let Some((env, _)) = group(tex, end)
            && tex[end..].starts_with('{')
        {
            return Some((start, env));
        }
        at = end;
    }
    None
}

/// The `\end{name}` closing an environment whose body starts at `from`,
/// counting nested ones of the same name: where it starts and its length.
fn find_end(tex: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let begin = format!("\\begin{{{name}}}");
    let end = format!("\\end{{{name}}}");
    let mut depth = 1;
    let mut at = from;
    loop {
        let next_end = tex[at..].find(&end).map(|k| at + k)?;
        let next_begin = tex[at..].find(&begin).map(|k| at + k);
        match next_begin {
            Some(b) if b < next_end => {
                depth += 1;
                at = b + begin.len();
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some((next_end, end.len()));
                }
                at = next_end + end.len();
            }
        }
    }
}

/// The rows of an environment's body: the ranges between `\\` at the top
/// level (not inside braces or a nested environment).
fn split_rows(body: &str) -> Vec<(usize, usize)> {
    let mut rows = Vec::new();
    let mut start = 0;
    let mut braces = 0i32;
    let mut envs = 0i32;
    let mut at = 0;
    while at < body.len() {
        let c = body[at..].chars().next().unwrap_or(' ');
        match c {
            '{' => braces += 1,
            '}' => braces -= 1,
            '\\' => {
                let (name, end) = command(body, at);
                match name {
                    "begin" => envs += 1,
                    "end" => envs -= 1,
                    "\\" if braces == 0 && envs == 0 => {
                        rows.push((start, at));
                        // The separator, with its optional `[4pt]`, starts
                        // the next row's text but belongs to no row.
                        at = end;
                        let rest = &body[at..];
                        if rest.trim_start().starts_with('[')
                            && let Some(close) = rest.find(']')
                        {
                            at += close + 1;
                        }
                        start = at;
                        continue;
                    }
                    _ => {}
                }
                at = end;
                continue;
            }
            _ => {}
        }
        at += c.len_utf8();
    }
    rows.push((start, body.len()));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(displays: &[&str]) -> (Vec<String>, Labels, Vec<(usize, String)>) {
        number(&displays.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn equations_and_rows_are_numbered_in_order_and_starred_forms_are_not() {
        let (tex, labels, problems) = numbered(&[
            "\\begin{equation} x = 1 \\label{eq:x} \\end{equation}",
            "\\begin{align} a &= b \\label{eq:a} \\\\ c &= d \\nonumber \\\\ e &= f \\label{eq:e} \\end{align}",
            "\\begin{equation*} y \\end{equation*}",
            "\\begin{gather} p \\\\ q \\tag{Q} \\label{eq:q} \\end{gather}",
            "x = 2",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            tex[0],
            "\\begin{equation*} x = 1 \\htmlId{eqn-eq:x}{}  \\tag{1}\\end{equation*}"
        );
        assert_eq!(
            tex[1],
            "\\begin{align*} a &= b \\htmlId{eqn-eq:a}{}  \\tag{2}\\\\ c &= d  \\\\ e &= f \\htmlId{eqn-eq:e}{}  \\tag{3}\\end{align*}"
        );
        assert_eq!(tex[2], "\\begin{equation*} y \\end{equation*}");
        assert!(tex[3].contains("p  \\tag{4}\\\\ q \\tag{Q}"), "{}", tex[3]);
        assert_eq!(tex[4], "x = 2");
        let tag = |t: &str| Tag {
            text: t.into(),
            star: false,
        };
        assert_eq!(labels["eq:x"], tag("1"));
        assert_eq!(labels["eq:a"], tag("2"));
        assert_eq!(labels["eq:e"], tag("3"));
        assert_eq!(labels["eq:q"], tag("Q"));
    }

    #[test]
    fn environments_katex_lacks_are_drawn_by_the_nearest_it_has() {
        let (tex, labels, _) = numbered(&[
            "\\begin{multline} a \\\\ b \\label{m} \\end{multline}",
            "\\begin{eqnarray} a &=& b \\\\ &=& c \\end{eqnarray}",
            "\\begin{flalign*} x &= y \\end{flalign*}",
        ]);
        assert_eq!(
            tex[0],
            "\\begin{gather*} a \\\\ b \\htmlId{eqn-m}{}  \\tag{1}\\end{gather*}"
        );
        assert_eq!(labels["m"].text, "1");
        assert_eq!(
            tex[1],
            "\\begin{align*} a &= b  \\tag{2}\\\\ &= c  \\tag{3}\\end{align*}"
        );
        assert_eq!(tex[2], "\\begin{align*} x &= y \\end{align*}");
        for t in &tex {
            assert!(super::super::katex::render(t, true).is_ok(), "{t}");
        }
    }

    #[test]
    fn a_trailing_row_separator_makes_no_numbered_empty_row() {
        let (tex, _, _) = numbered(&["\\begin{align} a &= b \\\\ c &= d \\\\\n\\end{align}"]);
        assert_eq!(tex[0].matches("\\tag").count(), 2, "{}", tex[0]);
    }

    #[test]
    fn rows_split_only_at_the_top_level() {
        let (tex, _, _) = numbered(&[
            "\\begin{align} A &= \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} \\\\[4pt] B &= {x \\\\ y} \\end{align}",
        ]);
        assert_eq!(tex[0].matches("\\tag").count(), 2, "{}", tex[0]);
        assert!(tex[0].contains("\\tag{1}\\\\[4pt] B"), "{}", tex[0]);
    }

    #[test]
    fn a_whole_formula_tag_carries_its_labels() {
        let (tex, labels, problems) = numbered(&["e^{i\\pi} = -1 \\tag*{Euler} \\label{euler}"]);
        assert!(problems.is_empty());
        assert_eq!(
            labels["euler"],
            Tag {
                text: "Euler".into(),
                star: true
            }
        );
        assert!(tex[0].contains("\\htmlId{eqn-euler}{}"));
        let (out, unknown) = references("see \\eqref{euler} and \\ref{nope}", &labels);
        assert_eq!(
            out,
            "see \\href{\\#eqn-euler}{\\text{Euler}} and \\text{??}"
        );
        assert_eq!(unknown, ["nope"]);
    }

    #[test]
    fn labels_without_numbers_and_twice_are_problems() {
        let (_, labels, problems) = numbered(&[
            "x \\label{a}",
            "\\begin{equation} y \\label{b} \\end{equation}",
            "\\begin{equation} z \\label{b} \\end{equation}",
            "\\begin{align} u \\nonumber \\label{c} \\end{align}",
        ]);
        assert_eq!(labels.len(), 1);
        let indices: Vec<usize> = problems.iter().map(|(k, _)| *k).collect();
        assert_eq!(indices, [0, 2, 3], "{problems:?}");
        assert!(problems[1].1.contains("twice"));
    }

    #[test]
    fn references_show_the_number_in_parentheses_or_bare() {
        let (_, labels, _) = numbered(&["\\begin{equation} y \\label{k 1} \\end{equation}"]);
        let (out, unknown) = references("\\eqref{k 1}, \\ref{ k 1 }", &labels);
        assert!(unknown.is_empty());
        assert_eq!(
            out,
            "\\href{\\#eqn-k-1}{\\text{(1)}}, \\href{\\#eqn-k-1}{\\text{1}}"
        );
    }
}
