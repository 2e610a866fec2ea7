//! Runs the viewer's JavaScript tests (`web/test/*.test.js`, node's own
//! test runner) so that `cargo test` covers them. Without `node` the test
//! is skipped with a message, except under CI (`CI` set), where it fails.

use std::path::Path;
use std::process::Command;

#[test]
fn the_viewer_pure_functions_pass_their_node_tests() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let out = match Command::new("node")
        .arg("--test")
        .arg("test/")
        .current_dir(&web)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            let msg = format!(
                "the viewer's JavaScript tests need node ({e}); .ci/install-deps installs it"
            );
            assert!(
                std::env::var_os("CI").is_none(),
                "{msg} (CI is set: failing)"
            );
            eprintln!("skipped: {msg}");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node --test failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("# fail 0") && !text.contains("# pass 0"),
        "{text}"
    );
}
