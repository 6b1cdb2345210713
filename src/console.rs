//! Printing for people: lines on stdout that survive a closed pipe.

use std::io::Write as _;

/// Prints a line to stdout; a closed pipe (`likely build | head -1`) is
/// not an error worth stopping for.
pub fn line(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout(), "{text}");
}
