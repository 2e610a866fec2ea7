//! Copies uPlot's minified JavaScript, its CSS and its licence from
//! `web/node_modules` (installed by `npm ci`, pinned by `web/package-lock.json`)
//! into `OUT_DIR`, where `src/assets.rs` includes them: the page needs no
//! network and no build step when it is opened. Third-party code is never
//! committed; without `npm ci` the build stops with one line saying what to run.

use std::path::{Path, PathBuf};

const FILES: [(&str, &str); 3] = [
    ("uplot/dist/uPlot.iife.min.js", "uPlot.iife.min.js"),
    ("uplot/dist/uPlot.min.css", "uPlot.min.css"),
    ("uplot/LICENSE", "uPlot.LICENSE"),
];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let modules = manifest.join("web/node_modules");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo::rerun-if-changed=web/package-lock.json");
    for (from, to) in FILES {
        let src = modules.join(from);
        println!("cargo::rerun-if-changed={}", src.display());
        if let Err(e) = std::fs::copy(&src, out.join(to)) {
            missing(&src, &e);
        }
    }
}

fn missing(src: &Path, e: &std::io::Error) -> ! {
    println!(
        "cargo::error={}: {e}; run `npm ci --prefix crates/tcplab-view/web` (or `.ci/install-deps`) to install the viewer's uPlot",
        src.display()
    );
    std::process::exit(1);
}
