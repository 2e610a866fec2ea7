//! Snapshot tests of `report.md`, one per capture, stream and language:
//! every sentence of the report is reviewed when it changes.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test --test report_golden`.

mod common;

use std::path::PathBuf;
use tcplab_render::report::{self, Lang, ReportOptions};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Line by line: the first differences, with line numbers.
fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b && shown < 20 {
            shown += 1;
            out.push_str(&format!(
                "line {}:\n- {}\n+ {}\n",
                i + 1,
                a.unwrap_or(&"<none>"),
                b.unwrap_or(&"<none>")
            ));
        }
    }
    out
}

fn check(capture: &str, stream: Option<u32>, lang: Lang, golden: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let opts = ReportOptions {
        lang,
        stream,
        run_meta: None,
        ..ReportOptions::default()
    };
    let files = report::write_report(&common::data(capture), dir.path(), &opts)
        .unwrap_or_else(|e| panic!("{capture}: {e}"));
    let got = std::fs::read_to_string(&files.markdown).expect("report.md was written");
    let path = golden_dir().join(golden);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).expect("the golden file can be written");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; create it with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert!(
        want == got,
        "{} differs from the report of {capture} (UPDATE_GOLDEN=1 accepts the new text):\n{}",
        path.display(),
        diff(&want, &got)
    );
}

macro_rules! golden {
    ($name:ident, $capture:expr, $stream:expr, $lang:expr, $file:expr) => {
        #[test]
        fn $name() {
            check($capture, $stream, $lang, $file);
        }
    };
}

golden!(
    loopback_en,
    "ns-lo-v4.pcap",
    None,
    Lang::En,
    "ns-lo-v4.en.md"
);
golden!(
    loopback_es,
    "ns-lo-v4.pcap",
    None,
    Lang::Es,
    "ns-lo-v4.es.md"
);
golden!(
    congested_en,
    "congested.pcap",
    None,
    Lang::En,
    "congested.en.md"
);
golden!(
    congested_es,
    "congested.pcap",
    None,
    Lang::Es,
    "congested.es.md"
);
golden!(
    zero_window_en,
    "zero-window.pcap",
    None,
    Lang::En,
    "zero-window.en.md"
);
golden!(
    zero_window_es,
    "zero-window.pcap",
    None,
    Lang::Es,
    "zero-window.es.md"
);
golden!(rst_en, "rst.pcap", None, Lang::En, "rst.en.md");
golden!(rst_es, "rst.pcap", None, Lang::Es, "rst.es.md");
golden!(
    rst_refused_en,
    "rst.pcap",
    Some(1),
    Lang::En,
    "rst-stream1.en.md"
);
golden!(
    rst_refused_es,
    "rst.pcap",
    Some(1),
    Lang::Es,
    "rst-stream1.es.md"
);

#[test]
fn golden_files_have_no_paths_or_dates() {
    for entry in std::fs::read_dir(golden_dir()).expect("tests/golden exists") {
        let path = entry.expect("a directory entry").path();
        let text = std::fs::read_to_string(&path).expect("a golden file");
        for needle in [
            env!("CARGO_MANIFEST_DIR"),
            "tests/data/",
            "/tmp/",
            "2025-",
            "2026-",
        ] {
            assert!(
                !text.contains(needle),
                "{} contains {needle:?}",
                path.display()
            );
        }
    }
}
