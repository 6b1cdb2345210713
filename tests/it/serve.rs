//! `likely serve` on a real socket on 127.0.0.1: pages with the reload
//! script, rebuilds after a change (with every experiment cached when a
//! post changes), errors shown over the last good site, the `baseurl`, and
//! a clean stop on SIGINT. Every wait is bounded.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{likely, project};

/// The longest any one thing may take.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `likely serve`, killed if a test fails before stopping it.
struct Served {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Served {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_likely"))
            .args(["serve", "--port", "0"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("likely serve starts");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Served {
            child,
            port: 0,
            lines,
            seen: Vec::new(),
        };
        let line = served.line_with("serving ");
        let at = line.find("http://127.0.0.1:").expect("a URL") + "http://127.0.0.1:".len();
        let digits: String = line[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        served.port = digits.parse().unwrap();
        served
    }

    /// The next line of output containing `text`, waiting at most
    /// [`PATIENCE`].
    fn line_with(&mut self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with `{text}`; output so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn get(&self, path: &str) -> Reply {
        get(self.port, path)
    }

    /// Asks for `path` until `ok` holds of the reply, for at most
    /// [`PATIENCE`].
    fn until(&self, path: &str, what: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let reply = self.get(path);
            if ok(&reply) {
                return reply;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: {path} never did; last reply {} {}",
                reply.status,
                reply.body
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One HTTP/1.1 request on a fresh connection.
fn get(port: u16, path: &str) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("a reply");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers and a body");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    Reply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// The URL path of the fixture's one post page, from the built site.
fn post_url(dir: &Path) -> String {
    fn find(dir: &Path) -> Option<std::path::PathBuf> {
        for entry in std::fs::read_dir(dir).ok()? {
            let path = entry.ok()?.path();
            if path.is_dir() {
                if let Some(found) = find(&path) {
                    return Some(found);
                }
            } else if path.file_name().is_some_and(|n| n == "index.html")
                // A post's page, not a list of posts.
                && std::fs::read_to_string(&path).is_ok_and(|h| h.contains("<article"))
            {
                return Some(path);
            }
        }
        None
    }
    let site = dir.join("site/_site");
    let page = find(&site.join("blog")).expect("a post page under blog/");
    let rel = page.parent().unwrap().strip_prefix(&site).unwrap();
    format!("/{}/", rel.to_str().unwrap().replace('\\', "/"))
}

/// The state the reload script waits on: (generation, error).
fn status(served: &Served) -> (u64, Option<String>) {
    let reply = served.get("/__likely/wait");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let v: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    (
        v["generation"].as_u64().unwrap(),
        v["error"].as_str().map(str::to_string),
    )
}

#[test]
fn serve_rebuilds_on_change_shows_errors_and_stops_cleanly() {
    let dir = project("tiny");
    let mut served = Served::start(dir.path());

    let index = served.get("/");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(index.body.contains("/__likely/wait"), "{}", index.body);
    let on_disk = std::fs::read_to_string(dir.path().join("site/_site/index.html")).unwrap();
    assert!(!on_disk.contains("__likely"), "the script reached the file");

    let css = served.get("/assets/katex/katex.min.css");
    assert_eq!(
        (css.status, css.header("content-type")),
        (200, Some("text/css; charset=utf-8"))
    );
    let missing = served.get("/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/__likely/wait"));
    for escape in [
        "/../site/_config.yml",
        "/%2e%2e/site/_config.yml",
        "/..%2f..%2fsite/_config.yml",
    ] {
        assert_eq!(served.get(escape).status, 404, "{escape}");
    }

    // A post edit is served after the rebuild, which reruns no experiment.
    let post = dir.path().join("posts/2025-01-02-tiny-post.md");
    let url = post_url(dir.path());
    let original = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, format!("{original}\nZebras graze here.\n")).unwrap();
    served.until(&url, "the edit is served", |r| {
        r.body.contains("Zebras graze here.")
    });
    served.line_with("changed: posts/2025-01-02-tiny-post.md");
    let built = served.line_with("built site/");
    assert!(built.contains("(0 ran, 5 cached)"), "{built}");

    // A broken post: the error is published, the last good page still served.
    let (before, _) = status(&served);
    std::fs::write(
        &post,
        format!("{original}\nZebras graze here.\n\n{{{{ nope(\n"),
    )
    .unwrap();
    let deadline = Instant::now() + PATIENCE;
    let error = loop {
        if let (g, Some(e)) = status(&served) {
            assert!(g > before);
            break e;
        }
        assert!(Instant::now() < deadline, "the error was never published");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(error.contains("posts/2025-01-02-tiny-post.md"), "{error}");
    let page = served.get(&url);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Zebras graze here."));
    assert!(
        page.body
            .contains("error = \"error: posts/2025-01-02-tiny-post.md"),
        "{}",
        page.body
    );

    // Fixed: pages reload to the new build.
    std::fs::write(&post, format!("{original}\nZebras rest.\n")).unwrap();
    served.until(&url, "the fix is served", |r| {
        r.body.contains("Zebras rest.")
    });
    // The build writes the pages a moment before it says it succeeded.
    let deadline = Instant::now() + PATIENCE;
    while status(&served).1.is_some() {
        assert!(Instant::now() < deadline, "the error was never cleared");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A baseurl in the config moves the site under it.
    let config = dir.path().join("site/_config.yml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("baseurl: \"\"", "baseurl: /notes")).unwrap();
    let moved = served.until("/", "the site moves under /notes", |r| r.status == 302);
    assert_eq!(moved.header("location"), Some("/notes/"));
    assert_eq!(served.get("/notes/").status, 200);
    assert_eq!(served.get(&format!("/notes{url}")).status, 200);

    // SIGINT stops it cleanly.
    let pid = served.child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + PATIENCE;
    let code = loop {
        if let Some(code) = served.child.try_wait().unwrap() {
            break code;
        }
        assert!(Instant::now() < deadline, "likely serve did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
    served.line_with("stopped");
    assert!(TcpStream::connect(("127.0.0.1", served.port)).is_err());
}

#[test]
fn serve_says_when_its_port_is_taken() {
    let dir = project("tiny");
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = likely(dir.path(), &["serve", "--port", &port], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains(&format!("port {port} on 127.0.0.1 is in use")),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("site/_site").exists(), "nothing was built");

    let empty = tempfile::tempdir().unwrap();
    let out = likely(empty.path(), &["serve", "--port", "0"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("neither experiments/ nor posts/"),
        "{}",
        out.stderr
    );
}
