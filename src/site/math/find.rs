//! Where a post's display math is, by the rules of the al-folio site it
//! was written for: kramdown's `$$` blocks (which may hold blank lines and
//! lines starting with `-` or `+`), and paragraphs that are one bare
//! `\begin{equation}...\end{equation}`, which kramdown leaves as text and
//! MathJax then typesets.
//!
//! Such blocks are taken out of the Markdown before it is parsed, since
//! CommonMark would read their blank lines and `- ` lines as paragraphs
//! and lists, and replaced by a placeholder HTML comment on the same line,
//! padded with empty lines so every later line keeps its number.

use crate::render::liquid::fenced_block;

/// A placeholder: an HTML comment, which starts an HTML block of its own.
pub fn placeholder(k: usize) -> String {
    format!("<!--likely-math-block:{k}-->")
}

/// The Markdown with each display block replaced by [`placeholder`] `k`,
/// and the blocks' TeX, in order.
pub fn blocks(markdown: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = markdown.split_inclusive('\n').collect();
    let mut out = String::with_capacity(markdown.len());
    let mut found = Vec::new();
    let mut after_boundary = true;
    let mut at = 0;
    let mut i = 0;
    while i < lines.len() {
        if let Some(len) = fenced_block(&markdown[at..]) {
            out.push_str(&markdown[at..at + len]);
            let end = at + len;
            while i < lines.len() && at < end {
                at += lines[i].len();
                i += 1;
            }
            after_boundary = false;
            continue;
        }
        let line = lines[i];
        let text = line.trim_end_matches(['\n', '\r']);
        if after_boundary
            && let Some((tex, used)) = dollar_block(&lines[i..]).or_else(|| env_block(&lines[i..]))
        {
            out.push_str(&text[..indent(text)]);
            out.push_str(&placeholder(found.len()));
            out.push('\n');
            // The block's other lines become empty lines, so line numbers
            // stay those of the source.
            for _ in 1..used {
                out.push('\n');
            }
            found.push(tex);
            at += lines[i..i + used].iter().map(|l| l.len()).sum::<usize>();
            i += used;
            after_boundary = false;
            continue;
        }
        after_boundary = text.trim().is_empty();
        out.push_str(line);
        at += line.len();
        i += 1;
    }
    (out, found)
}

/// The number of leading spaces when a block may start at this line (at
/// most three; four make code).
fn indent(text: &str) -> usize {
    text.len() - text.trim_start_matches(' ').len()
}

/// kramdown's block math: after a block boundary, `$$` at the start of a
/// line (up to three spaces in), everything to the next `$$`, across any
/// lines, then only white space to the end of that line, and a block
/// boundary (a blank line, `{:` or the end) after it. Returns the TeX and
/// how many lines the block takes.
fn dollar_block(lines: &[&str]) -> Option<(String, usize)> {
    let first = lines[0];
    let lead = indent(first);
    if lead > 3 || !first[lead..].starts_with("$$") {
        return None;
    }
    let mut tex = String::new();
    let mut rest = &first[lead + 2..];
    for (k, line) in lines.iter().enumerate() {
        if k > 0 {
            rest = line;
        }
        if let Some(end) = rest.find("$$") {
            tex.push_str(&rest[..end]);
            let after = &rest[end + 2..];
            if !after.trim().is_empty() {
                return None;
            }
            let next = lines.get(k + 1).copied();
            return is_boundary(next).then(|| (tex.trim().to_owned(), k + 1));
        }
        tex.push_str(rest);
    }
    None
}

/// A paragraph that is one LaTeX environment, `\begin{name}` on its first
/// line and `\end{name}` ending its last: MathJax typesets it as display
/// math wherever it is.
fn env_block(lines: &[&str]) -> Option<(String, usize)> {
    let first = lines[0];
    let lead = indent(first);
    let name = first[lead..].strip_prefix("\\begin{")?.split('}').next()?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic() || c == '*') {
        return None;
    }
    let used = lines
        .iter()
        .position(|l| l.trim().is_empty())
        .unwrap_or(lines.len());
    let tex: String = lines[..used].concat();
    let tex = tex.trim();
    tex.ends_with(&format!("\\end{{{name}}}"))
        .then(|| (tex.to_owned(), used))
}

/// Whether a block may end before `next` (the line after it, if any).
fn is_boundary(next: Option<&str>) -> bool {
    match next {
        None => true,
        Some(line) => {
            let text = line.trim_end_matches(['\n', '\r']);
            text.trim().is_empty() || (indent(text) <= 3 && text.trim_start().starts_with("{:"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(markdown: &str) -> Vec<String> {
        blocks(markdown).1
    }

    // Each `$$` case below was run through kramdown 2.4.0 with the GFM
    // parser, as Jekyll does, and the expectation is what it made of it.

    #[test]
    fn a_block_may_hold_blank_lines_and_list_markers() {
        let md = "Text\n\n$$\na = b\n\n- c\n+ d\n$$\n\nAfter\n";
        assert_eq!(found(md), ["a = b\n\n- c\n+ d"]);
        let (out, _) = blocks(md);
        assert_eq!(
            out,
            "Text\n\n<!--likely-math-block:0-->\n\n\n\n\n\n\nAfter\n"
        );
        assert_eq!(out.lines().count(), md.lines().count());
    }

    #[test]
    fn a_block_needs_a_boundary_before_and_after() {
        // Directly after a paragraph line: inline math in that paragraph.
        assert!(found("This is a para.\n$$ x $$\n").is_empty());
        // Directly before one: the same.
        assert!(found("P\n\n$$\na\n$$\nText after\n").is_empty());
        // Text after the closing dollars on its line.
        assert!(found("P\n\n$$a$$ text\n").is_empty());
        // Two formulas on consecutive lines are one paragraph.
        assert!(found("P\n\n$$a$$\n$$b$$\n\nQ\n").is_empty());
        // After a heading line (no blank line): a paragraph.
        assert!(found("# H\n$$x$$\n").is_empty());
        // Escaped: inline.
        assert!(found("P\n\n\\$$x$$\n").is_empty());
        // Two blocks, each between blank lines.
        assert_eq!(found("$$a$$\n\n$$b$$\n"), ["a", "b"]);
        // Trailing white space after the closing dollars; an IAL after.
        assert_eq!(found("P\n\n$$\na\n$$ \n{: .x}\n"), ["a"]);
    }

    #[test]
    fn up_to_three_spaces_of_indent_and_never_in_code() {
        assert_eq!(found("P\n\n   $$a$$\n"), ["a"]);
        assert!(found("P\n\n    $$b$$\n").is_empty());
        assert!(found("```\n\n$$\nx\n$$\n\n```\n").is_empty());
        assert!(found("~~~~ tex\n\n$$x$$\n\n~~~\n\n~~~~\n").is_empty());
        assert_eq!(found("```\ncode\n```\n\n$$y$$\n"), ["y"]);
    }

    #[test]
    fn an_indented_block_keeps_its_indent_for_the_list_it_is_in() {
        let (out, tex) = blocks("- item\n\n  $$\n  x\n  $$\n\n- two\n");
        assert_eq!(tex, ["x"]);
        assert!(
            out.starts_with("- item\n\n  <!--likely-math-block:0-->\n"),
            "{out}"
        );
    }

    /// kramdown leaves these as text in a paragraph (turning `\\` into
    /// `\`) and MathJax typesets them; here the TeX is taken as written.
    #[test]
    fn a_bare_environment_paragraph_is_display_math() {
        let md = "Text\n\n\\begin{equation}\nx = 1 \\label{a}\n\\end{equation}\n\nMore\n";
        assert_eq!(
            found(md),
            ["\\begin{equation}\nx = 1 \\label{a}\n\\end{equation}"]
        );
        assert_eq!(
            found("\\begin{align*}\na &= b \\\\\n- c &= d\n\\end{align*}\n"),
            ["\\begin{align*}\na &= b \\\\\n- c &= d\n\\end{align*}"]
        );
        // Not closed by its own end, or with text after it: left alone.
        assert!(found("\\begin{equation}\nx\n\\end{align}\n").is_empty());
        assert!(found("\\begin{equation} x \\end{equation} and text\n").is_empty());
    }

    #[test]
    fn an_unclosed_block_is_left_to_the_paragraph_rules() {
        assert!(found("P\n\n$$\nx\n\nno end\n").is_empty());
    }
}
