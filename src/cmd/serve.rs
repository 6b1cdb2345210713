//! `likely serve`: build, serve the HTML site, and rebuild on every change
//! until Ctrl-C.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use likely::build::{self, Layout};
use likely::config::SiteConfig;
use likely::serve::watch::{Change, DIRS, Watch};
use likely::serve::{DEFAULT_PORT, Port, Server};

/// How long changes settle before a rebuild: an editor's save is often
/// several writes, and a checkout many files.
const SETTLE: Duration = Duration::from_millis(150);

/// The longest changes are collected before a rebuild, however many come.
const LONGEST_BATCH: Duration = Duration::from_secs(2);

enum Event {
    Change(Change),
    Stop,
}

/// `likely serve`.
pub(crate) fn serve(root: &Path, port: Option<u16>) -> anyhow::Result<()> {
    let layout = Layout::of(root);
    if !layout.experiments.is_dir() && !layout.posts.is_dir() {
        bail!(
            "{} has neither experiments/ nor posts/: run likely in a project directory (or pass --root)",
            root.display()
        );
    }
    let config = SiteConfig::load(&layout.site).unwrap_or_default();
    let mut baseurl = config.baseurl.clone();
    let choice = port.map_or(Port::FirstFreeFrom(DEFAULT_PORT), Port::Exactly);
    let site_dir = layout.site.join(layout.html_dir(&config));
    let server = Server::start(choice, site_dir.clone(), &baseurl)?;
    if port.is_none() && server.addr().port() != DEFAULT_PORT {
        eprintln!(
            "note: port {DEFAULT_PORT} is in use, so the site is served on port {}",
            server.addr().port()
        );
    }

    let (events, received) = mpsc::channel();
    let building = Arc::new(AtomicBool::new(false));
    stop_on_ctrl_c(events.clone(), Arc::clone(&building))?;
    let mut watch = Watch::start(root, move |change| {
        let _ = events.send(Event::Change(change));
    })?;

    let options = build::Options {
        root: root.to_path_buf(),
        force: false,
        no_cache: false,
        quiet: false,
        check: false,
    };
    rebuild(&options, &server, &building);
    out!(
        "serving {} at {} (Ctrl-C stops)",
        site_dir.display(),
        server.url()
    );
    let dirs: Vec<String> = DIRS.iter().map(|d| format!("{d}/")).collect();
    out!(
        "watching {}, {} and the bibliography",
        dirs.join(", "),
        layout.config_file().display()
    );

    while let Ok(first) = received.recv() {
        let (changed, stop) = batch(first, &received);
        if stop {
            break;
        }
        if changed.is_empty() {
            continue;
        }
        let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
        out!("changed: {}", names.join(", "));
        rebuild(&options, &server, &building);
        if let Some(now) = self::baseurl(&layout).filter(|b| *b != baseurl) {
            baseurl = now;
            server.set_baseurl(&baseurl);
            out!("the baseurl changed: serving at {}", server.url());
        }
        if let Err(e) = watch.refresh() {
            eprintln!("warning: {e:#}");
        }
    }
    drop(watch);
    server.stop();
    out!("stopped");
    Ok(())
}

/// The first Ctrl-C (or termination signal) stops the server once the
/// build in progress, if any, has finished; a second stops at once.
fn stop_on_ctrl_c(events: mpsc::Sender<Event>, building: Arc<AtomicBool>) -> anyhow::Result<()> {
    let presses = AtomicUsize::new(0);
    ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        if building.load(Ordering::SeqCst) {
            eprintln!("stopping after the build in progress (Ctrl-C again stops now)");
        }
        let _ = events.send(Event::Stop);
    })
    .context("handling Ctrl-C")
}

/// `first` and every event until none has come for [`SETTLE`] (or for
/// at most [`LONGEST_BATCH`]): the paths changed, and whether to stop.
fn batch(first: Event, received: &mpsc::Receiver<Event>) -> (Vec<PathBuf>, bool) {
    let until = Instant::now() + LONGEST_BATCH;
    let mut changed = Vec::new();
    let mut stop = false;
    let mut next = Some(first);
    while let Some(event) = next {
        match event {
            Event::Stop => stop = true,
            Event::Change(Change::Files(paths)) => changed.extend(paths),
            Event::Change(Change::Failed(e)) => eprintln!("warning: watching the project: {e}"),
        }
        next = if stop || Instant::now() > until {
            None
        } else {
            received.recv_timeout(SETTLE).ok()
        };
    }
    changed.sort();
    changed.dedup();
    (changed, stop)
}

/// Builds; prints what happened and tells the open pages.
fn rebuild(options: &build::Options, server: &Server, building: &AtomicBool) {
    building.store(true, Ordering::SeqCst);
    let built = build::build(options);
    building.store(false, Ordering::SeqCst);
    match built {
        Ok(summary) => {
            // Only a comparison (`--check`) can fail to report.
            let _ = super::report(&summary, false);
            server.publish(None);
        }
        Err(e) => {
            let text = super::error_text(&e);
            eprintln!("{text}");
            eprintln!("the last good site is still served; fix the error and save to rebuild");
            server.publish(Some(text));
        }
    }
}

/// The `baseurl` of `site/_config.yml`, when it reads.
fn baseurl(layout: &Layout) -> Option<String> {
    SiteConfig::load(&layout.site).ok().map(|c| c.baseurl)
}
