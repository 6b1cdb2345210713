//! Texts as they go into the SVG: made safe for XML, and fitted into the
//! room they are given.
//!
//! A text that does not fit on one line is wrapped at spaces, so numbers
//! and `name=value` pairs stay whole, preferring breaks outside brackets
//! and lines of even length. If it still does not fit in the lines
//! allowed, its font shrinks step by step down to a floor, and as a last
//! resort it is cut short with an ellipsis. Widths are estimates, so a
//! line is taken to fit only with [`FIT_SPARE`] to spare.

use std::borrow::Cow;

use super::style::{FIT_SPARE, text_width};

/// Distance between the baselines of wrapped lines, in font sizes.
pub(super) const LINE: f64 = 1.2;

/// The smallest font a text is shrunk to, as a fraction of its own.
const FLOOR: f64 = 0.75;

/// Sizes tried below the nominal one, evenly spaced down to the floor.
const SHRINK_STEPS: u32 = 5;

/// Marks a text cut short.
const ELLIPSIS: &str = "…";

/// A text laid out in lines at one font size.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fitted {
    /// The lines, top to bottom (left to right when turned); none for a
    /// blank text or one that has no room at all.
    pub lines: Vec<String>,
    /// The font size.
    pub size: f64,
}

impl Fitted {
    /// How far the lines after the first reach beyond it.
    pub(super) fn extra(&self) -> f64 {
        self.lines.len().saturating_sub(1) as f64 * LINE * self.size
    }
}

/// Font sizes to try for a text of size `nominal`, largest first.
pub(super) fn sizes(nominal: f64) -> impl Iterator<Item = f64> {
    (0..=SHRINK_STEPS)
        .map(move |k| nominal * (1.0 - (1.0 - FLOOR) * f64::from(k) / f64::from(SHRINK_STEPS)))
}

/// Whether a line of estimated width `width` fits in `room`.
fn fits(width: f64, room: f64) -> bool {
    width * FIT_SPARE <= room
}

/// Lays out `text` in at most `max_lines` lines no wider than `room`:
/// wrapped into as few lines as will do at size `nominal`, else shrunk
/// as little as will do, else cut short at the floor size.
pub(super) fn fit(text: &str, nominal: f64, room: f64, max_lines: usize) -> Fitted {
    let max_lines = max_lines.max(1);
    let at_nominal = (1..=max_lines).map(|n| (nominal, n));
    let shrunk = sizes(nominal).skip(1).map(|size| (size, max_lines));
    for (size, n) in at_nominal.chain(shrunk) {
        if let Some(lines) = wrap(text, size, room, n) {
            return Fitted { lines, size };
        }
    }
    let size = sizes(nominal).last().unwrap_or(nominal);
    Fitted {
        lines: cut(text, size, room, max_lines),
        size,
    }
}

/// `text` in at most `max_lines` lines no wider than `room` at font size
/// `size`, if it fits; in as few lines as will do, and as one line it
/// stays exactly as given. No lines for a blank text.
pub(super) fn wrap(text: &str, size: f64, room: f64, max_lines: usize) -> Option<Vec<String>> {
    let text = clean(text);
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    if fits(text_width(&text, size), room) {
        return Some(vec![text.into_owned()]);
    }
    Words::new(&text).wrap(size, room, max_lines.max(1))
}

/// `text` in at most `max_lines` lines no wider than `room` at font size
/// `size`, filled greedily, the last line cut short with an ellipsis if
/// the rest does not fit.
pub(super) fn cut(text: &str, size: f64, room: f64, max_lines: usize) -> Vec<String> {
    let text = clean(text);
    Words::new(&text).cut(size, room, max_lines.max(1))
}

/// What breaking a line inside one more pair of brackets costs.
const DEPTH_COST: f64 = 0.25;

/// What breaking a line inside innermost brackets costs on top, so that
/// `normal(mean=0, std=1)` or `[0.3, 0.7]` stay on one line if they can.
const INNERMOST_COST: f64 = 1.0;

/// A text split at its spaces, with what wrapping needs to know.
struct Words<'a> {
    words: Vec<&'a str>,
    /// `starts[i]` is the summed width (at size 1) of the words before
    /// word `i`; one more entry than words.
    starts: Vec<f64>,
    /// What a line break before word `i` costs: more the deeper inside
    /// brackets it falls.
    cost: Vec<f64>,
    space: f64,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
        let mut starts = Vec::with_capacity(words.len() + 1);
        // For each break, the brackets open there, as indices into
        // `nested`, which says whether a bracket pair holds another.
        let mut open_at = Vec::with_capacity(words.len());
        let mut nested: Vec<bool> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut sum = 0.0;
        for w in &words {
            starts.push(sum);
            open_at.push((open.len(), open.last().copied()));
            sum += text_width(w, 1.0);
            for c in w.chars() {
                match c {
                    '(' | '[' | '{' => {
                        if let Some(&outer) = open.last() {
                            nested[outer] = true;
                        }
                        open.push(nested.len());
                        nested.push(false);
                    }
                    ')' | ']' | '}' => {
                        open.pop();
                    }
                    _ => {}
                }
            }
        }
        starts.push(sum);
        let cost = open_at
            .into_iter()
            .map(|(depth, innermost)| {
                let innermost = innermost.is_some_and(|b| !nested[b]);
                DEPTH_COST * depth as f64 + if innermost { INNERMOST_COST } else { 0.0 }
            })
            .collect();
        Self {
            words,
            starts,
            cost,
            space: text_width(" ", 1.0),
        }
    }

    /// Width at `size` of words `i..j` joined by single spaces, a hair
    /// wide: sums taken this way can differ from [`text_width`] of the
    /// joined line in the last bits, and a line found to fit here must
    /// fit when measured.
    fn width(&self, i: usize, j: usize, size: f64) -> f64 {
        let gaps = j.saturating_sub(i + 1) as f64;
        (self.starts[j] - self.starts[i] + gaps * self.space) * size * (1.0 + 1e-9)
    }

    fn join(&self, i: usize, j: usize) -> String {
        self.words[i..j].join(" ")
    }

    /// The words in at most `max_lines` lines no wider than `room` at
    /// `size`, if they fit. Of all ways to break them, this takes the one
    /// with the fewest lines, then the least cost: breaks inside brackets
    /// and uneven lines cost (dynamic programming over break points).
    fn wrap(&self, size: f64, room: f64, max_lines: usize) -> Option<Vec<String>> {
        let n = self.words.len();
        // best[l][j]: the cheapest way to set words 0..j in l lines, and
        // where its last line starts.
        let mut best = vec![vec![None::<(f64, usize)>; n + 1]; max_lines + 1];
        best[0][0] = Some((0.0, 0));
        for l in 1..=max_lines {
            for j in 1..=n {
                for i in (0..j).rev() {
                    let w = self.width(i, j, size);
                    if !fits(w, room) {
                        break;
                    }
                    let Some((before, _)) = best[l - 1][i] else {
                        continue;
                    };
                    let slack = 1.0 - w * FIT_SPARE / room;
                    let broken = if i > 0 { self.cost[i] } else { 0.0 };
                    let cost = before + broken + slack * slack;
                    if best[l][j].is_none_or(|(c, _)| cost < c) {
                        best[l][j] = Some((cost, i));
                    }
                }
            }
            if best[l][n].is_some() {
                return Some(self.lines_of(&best, l));
            }
        }
        None
    }

    /// The lines of the `lines`-line solution in `best`, top first.
    fn lines_of(&self, best: &[Vec<Option<(f64, usize)>>], lines: usize) -> Vec<String> {
        let mut out = Vec::with_capacity(lines);
        let mut j = self.words.len();
        for l in (1..=lines).rev() {
            let i = best[l][j].map_or(0, |(_, i)| i);
            out.push(self.join(i, j));
            j = i;
        }
        out.reverse();
        out
    }

    /// The last resort: lines filled greedily, the last one cut short
    /// with an ellipsis where the rest does not fit.
    fn cut(&self, size: f64, room: f64, max_lines: usize) -> Vec<String> {
        let n = self.words.len();
        let mut lines = Vec::new();
        let mut i = 0;
        while i < n && lines.len() + 1 < max_lines {
            let j = (i + 1..=n)
                .take_while(|&j| fits(self.width(i, j, size), room))
                .last();
            let Some(j) = j else { break };
            lines.push(self.join(i, j));
            i = j;
        }
        if i < n {
            let last = shorten(&self.join(i, n), size, room);
            if !last.is_empty() {
                lines.push(last);
            }
        }
        lines
    }
}

/// `line` cut short with an ellipsis so that it fits; not inside a number
/// or before a combining mark, unless there is nothing else to keep.
/// Empty when not even the ellipsis fits.
fn shorten(line: &str, size: f64, room: f64) -> String {
    if fits(text_width(line, size), room) {
        return line.to_string();
    }
    if !fits(text_width(ELLIPSIS, size), room) {
        return String::new();
    }
    // Longer prefixes are wider, so the longest that fits is found by
    // bisection.
    let ends: Vec<usize> = line
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .collect();
    let fitting = ends.partition_point(|&end| {
        let candidate = format!("{}{ELLIPSIS}", &line[..end]);
        fits(text_width(&candidate, size), room)
    });
    let end = fitting
        .checked_sub(1)
        .and_then(|k| ends.get(k).copied())
        .unwrap_or(0);
    // Cutting further back only makes the line narrower.
    let end = clean_cut(line, end);
    let kept = line[..end].trim_end_matches([' ', ',', ';', ':']);
    format!("{kept}{ELLIPSIS}")
}

/// Moves a cut at byte `end` of `line` back so that it splits no number
/// and leaves no combining mark without its letter, if anything is left.
fn clean_cut(line: &str, end: usize) -> usize {
    let before = &line[..end];
    let after = line[end..].chars().next();
    let mut at = end;
    if after.is_some_and(combining) {
        // Drop the letter the mark belongs to, and any marks before it.
        at = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !combining(c))
            .map_or(0, |(i, _)| i);
    }
    let numeric = |c: char| c.is_ascii_digit() || c == '.';
    let inside_number =
        after.is_some_and(numeric) && line[..at].chars().next_back().is_some_and(numeric);
    if inside_number {
        let start = line[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| numeric(c) || c == '-' || c == '−')
            .last()
            .map_or(at, |(i, _)| i);
        if start > 0 {
            at = start;
        }
    }
    if at == 0 { end } else { at }
}

/// Whether `c` is a combining mark, drawn on the letter before it.
fn combining(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// `text` fit for an XML document: tabs and line breaks become spaces (SVG
/// would show them as spaces anyway, and wrapping should see them as break
/// points); other control characters and the non-characters U+FFFE and
/// U+FFFF become U+FFFD. plotters escapes markup (`<`, `&`, quotes) itself
/// but passes these through, and most of them are forbidden in XML 1.0:
/// a single one makes the whole document unreadable to an XML parser.
pub(super) fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| replacement(c).is_none()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| replacement(c).unwrap_or(c)).collect())
}

/// What `c` becomes in a document, if it cannot stay.
fn replacement(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' => Some(' '),
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}' => Some('\u{FFFD}'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MIXTURE: &str = "mixture(weights=[0.3, 0.7], components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])";

    /// The words of `text`, as wrapping sees them.
    fn words(text: &str) -> Vec<&str> {
        text.split(' ').filter(|w| !w.is_empty()).collect()
    }

    #[test]
    fn a_text_that_fits_stays_exactly_as_given() {
        let f = fit(" two  spaces ", 12.0, 500.0, 3);
        assert_eq!(f.lines, [" two  spaces "]);
        assert_eq!(f.size, 12.0);
    }

    #[test]
    fn blank_texts_take_no_lines() {
        assert!(fit("", 12.0, 500.0, 3).lines.is_empty());
        assert!(fit(" \t\n", 12.0, 500.0, 3).lines.is_empty());
    }

    #[test]
    fn wrapping_comes_before_shrinking_and_breaks_between_whole_arguments() {
        let second = "components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])";
        let room = text_width(second, 12.0) * FIT_SPARE + 1.0;
        let f = fit(MIXTURE, 12.0, room, 3);
        assert_eq!(f.size, 12.0);
        assert_eq!(
            f.lines,
            [
                "mixture(weights=[0.3, 0.7],",
                "components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])"
            ]
        );
    }

    #[test]
    fn too_few_lines_make_the_font_shrink() {
        let room = text_width(MIXTURE, 12.0) * 0.6;
        let f = fit(MIXTURE, 12.0, room, 2);
        assert!(f.size < 12.0 && f.size >= 12.0 * FLOOR, "{f:?}");
        assert_eq!(f.lines.len(), 2);
        assert_eq!(words(&f.lines.join(" ")), words(MIXTURE));
    }

    #[test]
    fn what_fits_nowhere_is_cut_short_with_an_ellipsis() {
        let long = "x".repeat(400);
        let f = fit(&long, 12.0, 300.0, 2);
        assert_eq!(f.size, 12.0 * FLOOR);
        assert_eq!(f.lines.len(), 1);
        assert!(f.lines[0].ends_with('…'));
        assert!(fits(text_width(&f.lines[0], f.size), 300.0));
    }

    #[test]
    fn cuts_do_not_split_numbers_or_orphan_combining_marks() {
        let room = text_width("value 12345.6…", 10.0) * FIT_SPARE;
        assert_eq!(shorten("value 12345.678", 10.0, room), "value…");
        let room = text_width("ab…", 10.0) * FIT_SPARE;
        assert_eq!(shorten("abp\u{302}q", 10.0, room), "ab…");
    }

    #[test]
    fn without_room_nothing_is_drawn() {
        for room in [0.0, -5.0, f64::NAN, 1.0] {
            assert!(fit("abc", 12.0, room, 2).lines.is_empty(), "{room}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        assert!(matches!(clean("μ ± σ <b> & \"q\""), Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_become_spaces_and_controls_become_replacement_characters() {
        assert_eq!(clean("a\tb\r\nc"), "a b  c");
        assert_eq!(
            clean("x\u{0}y\u{1B}z\u{FFFF}"),
            "x\u{FFFD}y\u{FFFD}z\u{FFFD}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(11),
            ..ProptestConfig::default()
        })]

        #[test]
        fn fitted_lines_fit_and_keep_every_word_unless_cut(
            text in prop_oneof![
                "[a-zA-Z0-9=.,()\\[\\] ]{0,300}",
                "[a-z]{1,200}",
                "\\PC{0,100}",
            ],
            room in 0.0..900.0,
            max_lines in 0usize..5,
        ) {
            let f = fit(&text, 14.0, room, max_lines);
            prop_assert!(f.lines.len() <= max_lines.max(1));
            prop_assert!(f.size <= 14.0 && f.size >= 14.0 * FLOOR - 1e-9);
            for line in &f.lines {
                prop_assert!(fits(text_width(line, f.size), room), "{line:?}");
            }
            let cut = f.lines.last().is_some_and(|l| l.ends_with('…') && !text.ends_with('…'));
            if !cut && !f.lines.is_empty() {
                let cleaned = clean(&text);
                let joined = f.lines.join(" ");
                prop_assert_eq!(words(&joined), words(&cleaned));
            }
        }
    }
}
