//! Functions for posts: `figure`, `ref`, `table`, `cell` and `cite`.
//!
//! ```text
//! {{ figure(id="mle_consistency.rmse", caption="RMSE against n.") }}
//! {{ ref(id="mle_consistency.rmse") }}      [Figure 1](#fig-mle_consistency-rmse)
//! {{ table(id="kl_monte_carlo") }}          the experiment's first table
//! {{ cell(exp="elbo_gap") }}                spec, figures and tables
//! {{ cite(key="lai2025", locator=12) }}     {% cite lai2025 -l 12 %}
//! ```
//!
//! Each renders a partial from `templates/partials/`, chosen by the target
//! (Jekyll or HTML) and, for Jekyll figures, by the site's figure style.
//!
//! Figures are numbered per post in the order the rendered post shows them,
//! so a post is rendered twice: the first time `figure` writes only a
//! marker naming the figure and `ref` nothing, and [`numbering`] reads the
//! order from the markers; the second time the order is in the context
//! (under [`FIGURES`]), `figure` captions each figure "Figure N: ..." and
//! `ref` links to figures before or after it. Loops and conditions are
//! followed as they are rendered.

use std::sync::Arc;

use serde::Serialize;
use tera::{Context, Error, Kwargs, State, Tera, TeraResult, Value};

use super::{Entry, Library};
use crate::config::FigureStyle;
use crate::outcome::{Cell, Table};

/// Registers the functions; they render `partials` and look results up in
/// `library`.
pub(super) fn register(
    tera: &mut Tera,
    partials: Arc<Tera>,
    library: Arc<Library>,
    style: FigureStyle,
) {
    let env = Arc::new(Env {
        partials,
        library,
        style,
    });
    let e = Arc::clone(&env);
    tera.register_function("figure", move |kwargs: Kwargs, state: &State| {
        let id = kwargs.must_get::<&str>("id")?;
        let caption = kwargs.get::<&str>("caption")?.unwrap_or("");
        let (experiment, entry) = e.lookup(id.split('.').next().unwrap_or(id))?;
        let name = e.figure_name(id, experiment, entry)?;
        let Some(shown) = shown(state)? else {
            return Ok(Value::safe_string(&format!(
                "{MARK}{experiment}.{name}{MARK_END}"
            )));
        };
        let number = shown
            .iter()
            .position(|s| *s == format!("{experiment}.{name}"));
        let caption = match (number, caption) {
            (Some(k), "") => format!("Figure {}", k + 1),
            (Some(k), caption) => format!("Figure {}: {caption}", k + 1),
            (None, caption) => caption.to_owned(),
        };
        e.figure(state, experiment, &name, &caption)
            .map(|s| Value::safe_string(&s))
    });
    let e = Arc::clone(&env);
    tera.register_function("ref", move |kwargs: Kwargs, state: &State| {
        let id = kwargs.must_get::<&str>("id")?;
        let (experiment, entry) = e.lookup(id.split('.').next().unwrap_or(id))?;
        let name = e.figure_name(id, experiment, entry)?;
        reference(state, experiment, &name).map(|s| Value::safe_string(&s))
    });
    let e = Arc::clone(&env);
    tera.register_function("table", move |kwargs: Kwargs, _: &State| {
        let id = kwargs.must_get::<&str>("id")?;
        let caption = kwargs.get::<&str>("caption")?.unwrap_or("");
        let (experiment, entry) = e.lookup(id.split('.').next().unwrap_or(id))?;
        let table = e.table_named(id, experiment, entry)?;
        e.table(table, caption).map(|s| Value::safe_string(&s))
    });
    tera.register_function("cell", move |kwargs: Kwargs, state: &State| {
        let id = kwargs.must_get::<&str>("exp")?;
        env.cell(state, id).map(|s| Value::safe_string(&s))
    });
    tera.register_function("cite", |kwargs: Kwargs, state: &State| {
        let keys = kwargs.must_get::<&str>("key")?;
        let locator = kwargs.get::<Value>("locator")?.map(|l| l.to_string());
        cite(state, keys, locator.as_deref()).map(|s| Value::safe_string(&s))
    });
}

/// The context variables that hold the bibliography a post cites from:
/// its file, relative to the site, and its keys (absent when there is no
/// bibliography).
pub(super) const BIB_FILE: &str = "__likely_bib_file";
pub(super) const BIB_KEYS: &str = "__likely_bib_keys";

/// `cite`: jekyll-scholar's `{% cite KEYS [-l LOCATOR] %}`, which Jekyll
/// renders and the HTML site shows as an author–year citation linked to
/// the post's reference list. Keys are checked here, so a typo is an
/// error at the post's line rather than a "missing reference" on the blog.
fn cite(state: &State, keys: &str, locator: Option<&str>) -> TeraResult<String> {
    let file = state
        .get::<String>(BIB_FILE)?
        .unwrap_or_else(|| crate::bib::PATH.to_owned());
    let Some(known) = state.get::<Value>(BIB_KEYS)? else {
        return Err(Error::message(format!(
            "`cite` needs a bibliography, and the site has no {file}"
        )));
    };
    let known: Vec<&str> = known
        .as_array()
        .map(|keys| keys.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let keys: Vec<&str> = keys
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|k| !k.is_empty())
        .collect();
    if keys.is_empty() {
        return Err(Error::message("`cite` needs a key: cite(key=\"lai2025\")"));
    }
    if let Some(missing) = keys.iter().find(|k| !known.contains(k)) {
        let listed = if known.len() > 20 {
            format!("{}, ...", known[..20].join(", "))
        } else {
            known.join(", ")
        };
        return Err(Error::message(format!(
            "`cite`: {file} has no entry `{missing}`; its keys are: {listed}"
        )));
    }
    let mut tag = format!("{{% cite {}", keys.join(" "));
    if let Some(locator) = locator {
        if locator.is_empty()
            || locator.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        {
            return Err(Error::message(format!(
                "`cite`: the locator \"{locator}\" must be one word, like 12 or 10-14"
            )));
        }
        tag.push_str(&format!(" -l {locator}"));
    }
    tag.push_str(" %}");
    Ok(super::liquid::written(&tag))
}

/// The context variable that holds, on a post's second rendering, the
/// figures it shows (`experiment.figure`), in order.
pub(super) const FIGURES: &str = "__likely_figures";

/// What `figure` writes on a post's first rendering around the figure's id.
const MARK: char = '\u{E002}';
const MARK_END: char = '\u{E003}';

/// The figures a post's first rendering shows, in order of first
/// appearance, from the markers `figure` wrote.
pub(super) fn numbering(rendered: &str) -> Vec<String> {
    let mut shown: Vec<String> = Vec::new();
    for piece in rendered.split(MARK).skip(1) {
        if let Some((id, _)) = piece.split_once(MARK_END)
            && !shown.iter().any(|s| s == id)
        {
            shown.push(id.to_owned());
        }
    }
    shown
}

/// The figures the post shows, in order, or `None` on the first rendering.
fn shown(state: &State) -> TeraResult<Option<Vec<String>>> {
    let Some(value) = state.get::<Value>(FIGURES)? else {
        return Ok(None);
    };
    Ok(Some(
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    ))
}

/// The id of a figure's anchor in both outputs: `fig-` with the experiment
/// and the figure's name, any character an id had better not hold as `-`.
pub(super) fn anchor(experiment: &str, name: &str) -> String {
    format!("fig-{experiment}-{name}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `ref`: "Figure N" linked to the figure's anchor; an error naming the
/// figures the post shows when it does not show this one.
fn reference(state: &State, experiment: &str, name: &str) -> TeraResult<String> {
    let Some(shown) = shown(state)? else {
        return Ok(String::new());
    };
    let id = format!("{experiment}.{name}");
    match shown.iter().position(|s| *s == id) {
        Some(k) => Ok(format!("[Figure {}](#{})", k + 1, anchor(experiment, name))),
        None if shown.is_empty() => Err(Error::message(format!(
            "`ref` to figure `{id}`, which the post does not show; it shows no figures through `figure(...)`"
        ))),
        None => Err(Error::message(format!(
            "`ref` to figure `{id}`, which the post does not show; the figures it shows are: {}",
            shown
                .iter()
                .enumerate()
                .map(|(k, s)| format!("{s} (Figure {})", k + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

struct Env {
    partials: Arc<Tera>,
    library: Arc<Library>,
    style: FigureStyle,
}

#[derive(Serialize)]
struct FigureView<'a> {
    experiment: &'a str,
    name: &'a str,
    path: String,
    url: String,
    caption: &'a str,
    /// The figure's anchor: the HTML id that `ref` links to.
    anchor: String,
}

#[derive(Serialize)]
struct TableView<'a> {
    caption: &'a str,
    header: Vec<String>,
    align: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct CellView<'a> {
    id: &'a str,
    description: Option<&'a str>,
    source: &'a str,
    liquid_raw: bool,
    figures: Vec<String>,
    tables: Vec<String>,
}

impl Env {
    fn lookup<'a>(&'a self, experiment: &'a str) -> TeraResult<(&'a str, &'a Entry)> {
        match self.library.get(experiment) {
            Some(entry) => Ok((experiment, entry)),
            None => {
                let known: Vec<&str> = self.library.keys().map(String::as_str).collect();
                Err(Error::message(format!(
                    "unknown experiment `{experiment}`; the experiments are: {}",
                    known.join(", ")
                )))
            }
        }
    }

    fn figure_name(&self, id: &str, experiment: &str, entry: &Entry) -> TeraResult<String> {
        let names: Vec<&str> = entry
            .outcome
            .figures
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        match id.split_once('.') {
            Some((_, name)) if names.contains(&name) => Ok(name.to_string()),
            None if names.len() == 1 => Ok(names[0].to_string()),
            Some((_, name)) => Err(Error::message(format!(
                "experiment `{experiment}` has no figure `{name}`; its figures are: {}",
                names.join(", ")
            ))),
            None => Err(Error::message(format!(
                "experiment `{experiment}` has {} figures; name one: {}",
                names.len(),
                names
                    .iter()
                    .map(|n| format!("{experiment}.{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn table_named<'a>(
        &self,
        id: &str,
        experiment: &str,
        entry: &'a Entry,
    ) -> TeraResult<&'a Table> {
        let tables = &entry.outcome.tables;
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        let found = match id.split_once('.') {
            Some((_, name)) => tables.iter().find(|t| t.name == name),
            None => tables.first(),
        };
        found.ok_or_else(|| {
            Error::message(format!(
                "experiment `{experiment}` has no table `{id}`; its tables are: {}",
                names.join(", ")
            ))
        })
    }

    fn figure(
        &self,
        state: &State,
        experiment: &str,
        name: &str,
        caption: &str,
    ) -> TeraResult<String> {
        let target = state.get::<String>("target")?.unwrap_or_default();
        let root = state.get::<String>("root")?.unwrap_or_default();
        let path = crate::paths::figure(experiment, name);
        let template = match (target.as_str(), self.style) {
            ("html", _) => "partials/figure.html.md",
            (_, FigureStyle::Include) => "partials/figure.include.md",
            (_, FigureStyle::Markdown) => "partials/figure.markdown.md",
        };
        let view = FigureView {
            experiment,
            name,
            url: format!("{root}{path}"),
            path,
            caption,
            anchor: anchor(experiment, name),
        };
        self.render(template, &view)
    }

    fn table(&self, table: &Table, caption: &str) -> TeraResult<String> {
        let cell = |s: &str| s.replace('|', "\\|");
        let view = TableView {
            caption,
            header: table.columns.iter().map(|c| cell(&c.header)).collect(),
            align: (0..table.columns.len())
                .map(|k| match table.rows.first().and_then(|r| r.get(k)) {
                    Some(Cell::Num(_)) => "--:",
                    _ => ":--",
                })
                .collect(),
            rows: table
                .formatted()
                .iter()
                .map(|row| row.iter().map(|s| cell(s)).collect())
                .collect(),
        };
        self.render("partials/table.md", &view)
    }

    fn cell(&self, state: &State, experiment: &str) -> TeraResult<String> {
        let (experiment, entry) = self.lookup(experiment)?;
        let target = state.get::<String>("target")?.unwrap_or_default();
        let figures = entry
            .outcome
            .figures
            .iter()
            .map(|f| self.figure(state, experiment, &f.name, ""))
            .collect::<TeraResult<_>>()?;
        let tables = entry
            .outcome
            .tables
            .iter()
            .map(|t| self.table(t, ""))
            .collect::<TeraResult<_>>()?;
        let view = CellView {
            id: experiment,
            description: entry.description.as_deref(),
            source: entry.source.trim_end(),
            liquid_raw: target == "jekyll"
                && (entry.source.contains("{{") || entry.source.contains("{%")),
            figures,
            tables,
        };
        self.render("partials/cell.md", &view)
    }

    fn render(&self, template: &str, view: &impl Serialize) -> TeraResult<String> {
        let context = Context::from_serialize(view)?;
        // The post decides the spacing around a function's output.
        let text = self.partials.render(template, &context)?;
        Ok(text.trim_end().to_string())
    }
}
