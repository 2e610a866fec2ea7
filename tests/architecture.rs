//! The crate graph is the pipeline (docs/architecture.md): each tcplab
//! crate may depend only on the tcplab crates its row of the table allows,
//! and only the binary may use `clap` or `anyhow`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Crate → the tcplab crates it may depend on.
const ALLOWED: &[(&str, &[&str])] = &[
    ("tcplab-wire", &[]),
    ("tcplab-analysis", &["tcplab-wire"]),
    ("tcplab-render", &["tcplab-wire", "tcplab-analysis"]),
    ("tcplab-lab", &[]),
    ("tcplab-net", &["tcplab-wire", "tcplab-analysis"]),
    ("tcplab-live", &["tcplab-wire", "tcplab-analysis"]),
    ("tcplab-dataset", &["tcplab-wire", "tcplab-analysis"]),
    (
        "tcplab-view",
        &["tcplab-wire", "tcplab-analysis", "tcplab-render"],
    ),
    (
        "tcplab",
        &[
            "tcplab-wire",
            "tcplab-analysis",
            "tcplab-render",
            "tcplab-lab",
            "tcplab-net",
            "tcplab-live",
            "tcplab-view",
            "tcplab-dataset",
        ],
    ),
];

/// Third-party crates that belong to the binary alone.
const BINARY_ONLY: &[&str] = &["clap", "anyhow"];

/// Third-party crates that belong to one tcplab crate alone: the Parquet
/// writer stays out of the analysis core and the rest of the workspace.
const ONLY_IN: &[(&str, &str)] = &[
    ("parquet", "tcplab-dataset"),
    ("arrow-array", "tcplab-dataset"),
    ("arrow-schema", "tcplab-dataset"),
    ("arrow-buffer", "tcplab-dataset"),
];

/// Package → its normal (not dev, not build) dependencies, from `cargo metadata`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut graph = BTreeMap::new();
    for package in meta["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("name").to_string();
        let deps = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().expect("name").to_string())
            .collect();
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn the_workspace_has_exactly_the_crates_of_the_table() {
    let graph = dependencies();
    let found: BTreeSet<&str> = graph.keys().map(String::as_str).collect();
    let table: BTreeSet<&str> = ALLOWED.iter().map(|(name, _)| *name).collect();
    assert_eq!(found, table);
}

#[test]
fn every_tcplab_edge_is_allowed() {
    let graph = dependencies();
    for (name, allowed) in ALLOWED {
        let tcplab: BTreeSet<&str> = graph[*name]
            .iter()
            .map(String::as_str)
            .filter(|d| d.starts_with("tcplab"))
            .collect();
        let allowed: BTreeSet<&str> = allowed.iter().copied().collect();
        let extra: Vec<&&str> = tcplab.difference(&allowed).collect();
        assert!(
            extra.is_empty(),
            "{name} depends on {extra:?}, which docs/architecture.md does not allow"
        );
    }
}

#[test]
fn only_the_binary_parses_command_lines() {
    let graph = dependencies();
    for (name, deps) in &graph {
        if name == "tcplab" {
            continue;
        }
        for dep in BINARY_ONLY {
            assert!(
                !deps.contains(*dep),
                "{name} depends on {dep}: command-line concerns belong to the binary"
            );
        }
    }
}

#[test]
fn the_parquet_writer_lives_in_the_dataset_crate_alone() {
    let graph = dependencies();
    for (dep, owner) in ONLY_IN {
        for (name, deps) in &graph {
            assert!(
                name == owner || !deps.contains(*dep),
                "{name} depends on {dep}, which belongs to {owner} alone (docs/architecture.md)"
            );
        }
    }
}
