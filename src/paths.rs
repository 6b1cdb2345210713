//! Where every output goes, relative to `site/`: the one place output
//! paths are made.

/// likely's assets: figures, numbers, the stylesheet.
pub const ASSETS: &str = "assets/likely";

/// The standalone HTML site's folder in a project of its own (inside a
/// blog it is a setting).
pub const HTML: &str = "_site";

/// A figure of an experiment.
pub fn figure(experiment: &str, name: &str) -> String {
    format!("{ASSETS}/{experiment}/{name}.svg")
}

/// An experiment's numbers.
pub fn numbers(experiment: &str) -> String {
    format!("{ASSETS}/{experiment}/numbers.json")
}

/// An experiment's spec, as the HTML site carries it.
pub fn spec(experiment: &str) -> String {
    format!("{ASSETS}/{experiment}/{experiment}.yaml")
}

/// A post for Jekyll.
pub fn jekyll_post(file_name: &str) -> String {
    format!("_posts/{file_name}")
}

/// The HTML site's stylesheet, relative to the HTML site's root.
pub const STYLESHEET: &str = "assets/likely/style.css";

/// The math stylesheet and fonts, relative to the HTML site's root.
pub const MATH_ASSETS: &str = "assets/katex";

/// A file of the HTML site in the folder `dir`, from its path relative to
/// the HTML site's root.
pub fn html(dir: &str, path: &str) -> String {
    format!("{dir}/{path}")
}

/// The file serving `url` in the HTML site, relative to its root:
/// `/blog/x/` is `blog/x/index.html`.
pub fn page_file(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_files_serve_directory_urls() {
        assert_eq!(page_file("/blog/2025/x/"), "blog/2025/x/index.html");
        assert_eq!(page_file("/"), "index.html");
        assert_eq!(
            page_file("/statistics/2025/11/27/x.html"),
            "statistics/2025/11/27/x.html"
        );
    }

    #[test]
    fn figures_and_numbers_sit_in_the_experiments_folder() {
        assert_eq!(
            figure("s3", "convergence"),
            "assets/likely/s3/convergence.svg"
        );
        assert_eq!(numbers("s3"), "assets/likely/s3/numbers.json");
        assert_eq!(html(HTML, STYLESHEET), "_site/assets/likely/style.css");
    }
}
