//! `likely serve`: the HTML site over HTTP on 127.0.0.1, with the pages
//! open in a browser reloaded after each rebuild.
//!
//! [`Server`] answers requests from `site/_site/` ([`http`] says with
//! what) and holds the state of the last build; each HTML page it sends
//! carries a small script that waits on `/__likely/wait` and reloads the
//! page when a build succeeds, or shows the error over it when one fails.
//! The files on disk never hold the script. [`watch`] reports changes to
//! what a build reads; the command line runs the loop between the two.

pub mod http;
pub mod watch;

use std::io::Cursor;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tiny_http::{Header, Method, Request, Response};

use http::Resolved;

/// The port `likely serve` tries first (Jekyll's, as people know it).
pub const DEFAULT_PORT: u16 = 4000;

/// How many ports after the first are tried when it is taken.
const PORTS_TRIED: u16 = 20;

/// Where the reload script waits for the next build.
pub const WAIT_PATH: &str = "/__likely/wait";

/// How long one wait lasts before the script asks again.
const WAIT: Duration = Duration::from_secs(25);

/// Which port to serve on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// This one, or fail (0: any free port).
    Exactly(u16),
    /// The first free port from this one on.
    FirstFreeFrom(u16),
}

/// An HTTP server for the HTML site, running until stopped or dropped.
pub struct Server {
    http: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

/// What the request threads share.
struct Shared {
    site_dir: PathBuf,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// Counts builds, from a start that differs between runs, so a page
    /// left open across a restart reloads too.
    generation: u64,
    /// The last build's error, shown over every page until a build succeeds.
    error: Option<String>,
    baseurl: String,
    stopping: bool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is plain values, whole after any panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Server {
    /// Binds 127.0.0.1 on `port` and serves `site_dir` under `baseurl`.
    ///
    /// # Errors
    /// When the port is taken (every port tried, for
    /// [`Port::FirstFreeFrom`]) or cannot be bound.
    pub fn start(port: Port, site_dir: PathBuf, baseurl: &str) -> anyhow::Result<Self> {
        let listener = bind(port)?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow::anyhow!("serving on {addr}: {e}"))?;
        let http = Arc::new(http);
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let shared = Arc::new(Shared {
            site_dir,
            state: Mutex::new(State {
                generation: start,
                error: None,
                baseurl: http::normal_baseurl(baseurl),
                stopping: false,
            }),
            changed: Condvar::new(),
        });
        let accept = {
            let (http, shared) = (Arc::clone(&http), Arc::clone(&shared));
            std::thread::Builder::new()
                .name("likely-serve".into())
                .spawn(move || accept(&http, &shared))
                .context("starting the server's thread")?
        };
        Ok(Self {
            http,
            shared,
            addr,
            accept: Some(accept),
        })
    }

    /// The address served on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site's address: `http://127.0.0.1:PORT/` and the `baseurl`.
    pub fn url(&self) -> String {
        format!("http://{}{}/", self.addr, self.shared.state().baseurl)
    }

    /// Serves the site under `baseurl` from now on.
    pub fn set_baseurl(&self, baseurl: &str) {
        self.shared.state().baseurl = http::normal_baseurl(baseurl);
    }

    /// Tells open pages a build finished: they reload, or with `error`
    /// show it over the last good site.
    pub fn publish(&self, error: Option<String>) {
        let mut state = self.shared.state();
        state.generation += 1;
        state.error = error;
        self.shared.changed.notify_all();
    }

    /// Stops serving: waiting pages are answered, the socket is closed.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.state().stopping = true;
        self.shared.changed.notify_all();
        self.http.unblock();
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn bind(port: Port) -> anyhow::Result<TcpListener> {
    let at = |p: u16| TcpListener::bind((Ipv4Addr::LOCALHOST, p));
    let in_use = |e: &std::io::Error| e.kind() == std::io::ErrorKind::AddrInUse;
    match port {
        Port::Exactly(p) => at(p).map_err(|e| {
            if in_use(&e) {
                anyhow::anyhow!(
                    "port {p} on 127.0.0.1 is in use: stop what is using it, or pass another --port (0 picks a free one)"
                )
            } else {
                anyhow::Error::new(e).context(format!("listening on 127.0.0.1:{p}"))
            }
        }),
        Port::FirstFreeFrom(first) => {
            let last = first.saturating_add(PORTS_TRIED - 1);
            for p in first..=last {
                match at(p) {
                    Ok(listener) => return Ok(listener),
                    Err(e) if in_use(&e) => {}
                    Err(e) => {
                        return Err(e).with_context(|| format!("listening on 127.0.0.1:{p}"));
                    }
                }
            }
            bail!(
                "ports {first} to {last} on 127.0.0.1 are all in use: pass a free one with --port (0 picks any)"
            )
        }
    }
}

/// Hands each request to a thread of its own: a reload script's wait
/// holds its thread for a while.
fn accept(http: &tiny_http::Server, shared: &Arc<Shared>) {
    for request in http.incoming_requests() {
        let shared = Arc::clone(shared);
        // A request whose thread cannot start is dropped, which answers 500.
        let _ = std::thread::Builder::new()
            .name("likely-request".into())
            .spawn(move || {
                let response = answer(&shared, &request);
                let _ = request.respond(response);
            });
    }
}

type Reply = Response<Cursor<Vec<u8>>>;

fn answer(shared: &Shared, request: &Request) -> Reply {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text(405, "only GET and HEAD are served\n");
    }
    let target = request.url();
    let path = target.split('?').next().unwrap_or_default();
    if path == WAIT_PATH {
        return wait(shared, since(target));
    }
    let (baseurl, script) = {
        let state = shared.state();
        (
            state.baseurl.clone(),
            script(state.generation, state.error.as_deref()),
        )
    };
    match http::resolve(&shared.site_dir, &baseurl, target) {
        Resolved::File(file) => match std::fs::read(&file) {
            Ok(bytes) => page(200, http::content_type(&file), bytes, &script),
            Err(_) => not_found(&shared.site_dir, path, &script),
        },
        Resolved::Redirect(to) => {
            let reply = text(302, &format!("see {to}\n"));
            match header("Location", &to) {
                Some(location) => reply.with_header(location),
                None => text(404, "not found\n"),
            }
        }
        Resolved::NotFound => not_found(&shared.site_dir, path, &script),
    }
}

/// The `since` of `/__likely/wait?since=N`.
fn since(target: &str) -> Option<u64> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="))
        .and_then(|n| n.parse().ok())
}

/// Answers when a build after `since` has finished, or after [`WAIT`]:
/// `{"generation": N, "error": null | "..."}`.
fn wait(shared: &Shared, since: Option<u64>) -> Reply {
    let deadline = Instant::now() + WAIT;
    let mut state = shared.state();
    while Some(state.generation) == since && !state.stopping {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        state = shared
            .changed
            .wait_timeout(state, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    let body = serde_json::json!({ "generation": state.generation, "error": state.error });
    drop(state);
    with_type(
        Response::from_data(body.to_string().into_bytes()),
        "application/json",
    )
}

/// The site's `404.html` when it has one, a plain page otherwise.
fn not_found(site_dir: &Path, path: &str, script: &str) -> Reply {
    let own = std::fs::read(site_dir.join("404.html"));
    let html = own.unwrap_or_else(|_| {
        let path = path
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Not found</title></head>\n<body>\n<h1>Not found</h1>\n<p>Nothing is at <code>{path}</code>.</p>\n</body>\n</html>\n"
        )
        .into_bytes()
    });
    page(404, "text/html; charset=utf-8", html, script)
}

/// A file's response; an HTML page gets the reload script.
fn page(status: u16, content_type: &str, bytes: Vec<u8>, script: &str) -> Reply {
    let bytes = if http::is_html(content_type) {
        http::inject(&bytes, script)
    } else {
        bytes
    };
    with_type(
        Response::from_data(bytes).with_status_code(status),
        content_type,
    )
}

fn text(status: u16, body: &str) -> Reply {
    with_type(
        Response::from_data(body.as_bytes().to_vec()).with_status_code(status),
        "text/plain; charset=utf-8",
    )
}

/// The response with its content type, and never cached: the next build
/// may change any file.
fn with_type(reply: Reply, content_type: &str) -> Reply {
    let mut reply = reply;
    for (name, value) in [
        ("Content-Type", content_type),
        ("Cache-Control", "no-cache"),
    ] {
        if let Some(h) = header(name, value) {
            reply = reply.with_header(h);
        }
    }
    reply
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// The reload script for a page served at `generation`, with the last
/// build's error if it failed.
pub fn script(generation: u64, error: Option<&str>) -> String {
    // JSON is a JavaScript literal; `<` escaped so no `</script>` ends it early.
    let error = serde_json::to_string(&error)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c");
    // The error last, so nothing in it is taken for a placeholder.
    RELOAD
        .replace("WAIT_PATH", WAIT_PATH)
        .replace("GENERATION", &generation.to_string())
        .replace("ERROR", &error)
}

const RELOAD: &str = r#"<script>/* likely serve: reloads this page after each build */
(function () {
  var generation = GENERATION, error = ERROR;
  function show(message) {
    var box = document.getElementById("likely-serve-error");
    if (!box) {
      box = document.createElement("pre");
      box.id = "likely-serve-error";
      box.title = "click to hide";
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;margin:0;" +
        "max-height:60vh;overflow:auto;padding:1em 1.5em;white-space:pre-wrap;" +
        "font:13px/1.45 ui-monospace,monospace;background:#fff1f0;color:#7a0010;" +
        "border-top:3px solid #c00;box-shadow:0 -2px 12px rgba(0,0,0,.25)";
      box.onclick = function () { box.remove(); };
      document.body.appendChild(box);
    }
    box.textContent = "likely: the build failed; this is the last good build of the site.\n\n" + message;
  }
  function wait() {
    fetch("WAIT_PATH?since=" + generation, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.generation !== generation) {
          if (s.error === null) { location.reload(); return; }
          generation = s.generation;
          show(s.error);
        }
        wait();
      })
      .catch(function () { setTimeout(wait, 1000); });
  }
  if (error !== null) {
    if (document.body) { show(error); } else { addEventListener("DOMContentLoaded", function () { show(error); }); }
  }
  wait();
})();
</script>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_carries_its_generation_and_error_safely() {
        let s = script(7, Some("posts/x.md:3: `</script>` & \"quotes\""));
        assert!(s.contains("var generation = 7, error = \""), "{s}");
        assert_eq!(s.matches("</script>").count(), 1, "{s}");
        assert!(s.contains("\\u003c/script>"), "{s}");
        assert!(script(1, None).contains("error = null;"));
        assert!(s.contains("fetch(\"/__likely/wait?since=\""));
    }

    #[test]
    fn waits_read_their_generation() {
        assert_eq!(since("/__likely/wait?since=12"), Some(12));
        assert_eq!(since("/__likely/wait?x=1&since=3"), Some(3));
        assert_eq!(since("/__likely/wait"), None);
        assert_eq!(since("/__likely/wait?since=x"), None);
    }
}
