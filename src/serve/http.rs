//! What a request for a path of the HTML site is answered with: the file,
//! a redirect, or not found. Pure functions of the site directory, the
//! `baseurl` and the path, so they are tested without a socket.

use std::path::{Path, PathBuf};

/// What a request resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site.
    File(PathBuf),
    /// Elsewhere: the path to redirect to.
    Redirect(String),
    /// Nothing there (or a path that would leave the site).
    NotFound,
}

/// Resolves the request target `target` (path and query, as sent) against
/// the site in `site_dir` served under `baseurl` (`""` or `/sub`): `/` is
/// redirected to the `baseurl`, `/dir/` is `dir/index.html`, `/dir` is
/// redirected to `/dir/`, and no path leaves `site_dir`.
pub fn resolve(site_dir: &Path, baseurl: &str, target: &str) -> Resolved {
    let raw = target.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(raw) else {
        return Resolved::NotFound;
    };
    if !path.starts_with('/') {
        return Resolved::NotFound;
    }
    let base = normal_baseurl(baseurl);
    let rest = if base.is_empty() {
        path.as_str()
    } else if path == "/" || path == base {
        return Resolved::Redirect(format!("{base}/"));
    } else if let Some(rest) = path.strip_prefix(&base).filter(|r| r.starts_with('/')) {
        rest
    } else {
        return Resolved::NotFound;
    };
    let mut file = site_dir.to_path_buf();
    for segment in rest.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Resolved::NotFound,
            s if s.contains(['\\', '\0']) || Path::new(s).is_absolute() => {
                return Resolved::NotFound;
            }
            s => file.push(s),
        }
    }
    if file.is_dir() {
        if !rest.ends_with('/') {
            return Resolved::Redirect(format!("{raw}/"));
        }
        file.push("index.html");
    }
    if !file.is_file() || !inside(site_dir, &file) {
        return Resolved::NotFound;
    }
    Resolved::File(file)
}

/// Whether `file` is inside `dir` once links are followed.
fn inside(dir: &Path, file: &Path) -> bool {
    match (dir.canonicalize(), file.canonicalize()) {
        (Ok(dir), Ok(file)) => file.starts_with(dir),
        _ => false,
    }
}

/// `baseurl` as a path: `""`, or `/sub` with one leading slash and none
/// trailing.
pub fn normal_baseurl(baseurl: &str) -> String {
    let trimmed = baseurl.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

/// `%XX` escapes decoded; `None` for a bad escape or text that is not
/// UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "txt" | "md" | "yaml" | "yml" | "csv" | "bib" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether a `Content-Type` is an HTML page.
pub fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

/// `html` with `script` inserted before its last `</body>`, or at its end
/// when it has none.
pub fn inject(html: &[u8], script: &str) -> Vec<u8> {
    const CLOSE: &[u8] = b"</body>";
    let at = html
        .windows(CLOSE.len())
        .rposition(|w| w.eq_ignore_ascii_case(CLOSE))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("_site");
        std::fs::create_dir_all(root.join("blog/2025/a note")).unwrap();
        std::fs::write(root.join("index.html"), "<p>home</p>").unwrap();
        std::fs::write(root.join("blog/2025/a note/index.html"), "<p>a</p>").unwrap();
        std::fs::write(root.join("style.css"), "p {}").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        dir
    }

    #[test]
    fn directories_serve_their_index_and_gain_a_slash() {
        let dir = site();
        let root = dir.path().join("_site");
        assert_eq!(
            resolve(&root, "", "/"),
            Resolved::File(root.join("index.html"))
        );
        assert_eq!(
            resolve(&root, "", "/blog/2025/a%20note/?x=1"),
            Resolved::File(root.join("blog/2025/a note/index.html"))
        );
        assert_eq!(
            resolve(&root, "", "/blog/2025/a%20note?x=1"),
            Resolved::Redirect("/blog/2025/a%20note/".into())
        );
        assert_eq!(
            resolve(&root, "", "/style.css"),
            Resolved::File(root.join("style.css"))
        );
        assert_eq!(resolve(&root, "", "/missing.html"), Resolved::NotFound);
    }

    #[test]
    fn no_path_leaves_the_site() {
        let dir = site();
        let root = dir.path().join("_site");
        for target in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/blog/../../secret.txt",
            "/..%2fsecret.txt",
            "/%2E%2E%5Csecret.txt",
            "/%ff",
            "/%2",
            "secret.txt",
        ] {
            assert_eq!(resolve(&root, "", target), Resolved::NotFound, "{target}");
        }
    }

    #[test]
    fn the_site_is_served_under_its_baseurl() {
        let dir = site();
        let root = dir.path().join("_site");
        for base in ["/notes", "notes/", "/notes/"] {
            assert_eq!(
                resolve(&root, base, "/"),
                Resolved::Redirect("/notes/".into())
            );
            assert_eq!(
                resolve(&root, base, "/notes"),
                Resolved::Redirect("/notes/".into())
            );
            assert_eq!(
                resolve(&root, base, "/notes/"),
                Resolved::File(root.join("index.html"))
            );
            assert_eq!(
                resolve(&root, base, "/notes/style.css"),
                Resolved::File(root.join("style.css"))
            );
            assert_eq!(resolve(&root, base, "/style.css"), Resolved::NotFound);
            assert_eq!(resolve(&root, base, "/notesx/"), Resolved::NotFound);
        }
    }

    #[test]
    fn content_types_follow_extensions() {
        for (file, expected) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.CSS", "text/css; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.woff2", "font/woff2"),
            ("a.json", "application/json"),
            ("feed.xml", "application/xml; charset=utf-8"),
            ("a.png", "image/png"),
            ("a", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(file)), expected, "{file}");
        }
    }

    #[test]
    fn scripts_go_before_the_last_closing_body() {
        assert_eq!(
            inject(b"<body><p>x</p></BODY></html>", "<s/>"),
            b"<body><p>x</p><s/></BODY></html>"
        );
        assert_eq!(inject(b"<p>x</p>", "<s/>"), b"<p>x</p><s/>");
    }
}
