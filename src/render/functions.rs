//! Functions for posts: `figure`, `table` and `cell`.
//!
//! ```text
//! {{ figure(id="mle_consistency.rmse", caption="RMSE against n.") }}
//! {{ table(id="kl_monte_carlo") }}          the experiment's first table
//! {{ cell(exp="elbo_gap") }}                spec, figures and tables
//! ```
//!
//! Each renders a partial from `templates/partials/`, chosen by the target
//! (Jekyll or HTML) and, for Jekyll figures, by the site's figure style.

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
        e.figure(state, experiment, &name, caption)
            .map(|s| Value::safe_string(&s))
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
