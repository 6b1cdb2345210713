//! `likely new post` and `likely new experiment`.

use std::path::Path;

use likely::build::Layout;
use likely::scaffold::{self, Date};

/// `likely new post "Title"`.
pub(crate) fn post(root: &Path, title: &str, date: Option<&str>) -> anyhow::Result<()> {
    let (date, when) = match date {
        Some(text) => (Date::parse(text)?, ""),
        None => (Date::today_utc(), ", today in UTC"),
    };
    let file = scaffold::post(&Layout::of(root).posts, title, date)?;
    file.create()?;
    out!("wrote {} (dated {date}{when})", file.path.display());
    Ok(())
}

/// `likely new experiment NAME --kind KIND`.
pub(crate) fn experiment(root: &Path, name: &str, kind: &str) -> anyhow::Result<()> {
    let file = scaffold::experiment(&Layout::of(root).experiments, name, kind)?;
    file.create()?;
    out!(
        "wrote {}, a {kind} experiment; posts use it as `{name}`, and `likely build` runs it",
        file.path.display()
    );
    Ok(())
}
