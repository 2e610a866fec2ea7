//! The escaping and the link rule, by example and for any input.

use super::*;
use proptest::prelude::*;

proptest! {
    /// Whatever the input holds, both renderers show it as it is.
    #[test]
    fn any_input_round_trips(s in prop_oneof!["[ -~]{0,40}", "\\PC{0,40}"]) {
        let t = text(&s);
        prop_assert_eq!(plain(&t), s.clone());
        prop_assert_eq!(inline(&t), escape(&s));
        prop_assert_eq!(md(&t), t.clone());
        let c = code(&s);
        prop_assert_eq!(plain(&c), s.clone());
        prop_assert_eq!(md(&c), c.clone());
        let page = inline(&format!("[r](r.html) **{t}** {c} {t}"));
        prop_assert_eq!(page.matches("<a ").count(), 1);
        prop_assert_eq!(page.matches("<strong>").count(), 1);
        prop_assert!(!page.contains("<img"));
    }
}

#[test]
fn inline_markup_is_escaped_and_converted() {
    assert_eq!(
        inline("a <b> **c** `d<e`"),
        "a &lt;b&gt; <strong>c</strong> <code>d&lt;e</code>"
    );
}

#[test]
fn links_become_anchors() {
    assert_eq!(
        inline("see [the report](reno/report.html) and [x] [y](a&b.pcap)."),
        "see <a href=\"reno/report.html\">the report</a> and [x] <a href=\"a&amp;b.pcap\">y</a>."
    );
    assert_eq!(inline("no [link] here (really)"), "no [link] here (really)");
    assert_eq!(
        inline("**reno**: [capture](r.pcap) `[code](c)`"),
        "<strong>reno</strong>: <a href=\"r.pcap\">capture</a> <code>[code](c)</code>"
    );
}

const HOSTILE: &str = "evil [x](javascript:alert(3)) <img src=x onerror=alert(1)> `tick` **b** _i_ \\ | ~~s~~ &amp; $m$ # ! ![i](x.png)";

#[test]
fn text_from_the_input_shows_literally_in_both_renderers() {
    let t = text(HOSTILE);
    assert_eq!(
        t,
        "evil \\[x\\]\\(javascript:alert\\(3\\)\\) \\<img src=x onerror=alert\\(1\\)\\> \\`tick\\` \\*\\*b\\*\\* \\_i\\_ \\\\ \\| \\~\\~s\\~\\~ \\&amp; \\$m\\$ \\# \\! \\!\\[i\\]\\(x.png\\)"
    );
    assert_eq!(inline(&t), escape(HOSTILE));
    assert_eq!(plain(&t), HOSTILE);
    assert_eq!(md(&t), t, "nothing for the Markdown to rewrite");
    // Ordinary names are written as they are.
    for name in [
        "ns-lo-v4.pcap",
        "captures/run-2024.06.01/x.pcap",
        "127.0.0.1:5001",
        "ESTABLISHED",
        "cubic",
    ] {
        assert_eq!(text(name), name);
        assert_eq!(code(name), format!("`{name}`"));
    }
    // A line break cannot start a block.
    assert_eq!(
        text("a\n# b\r\n<script>"),
        "a\u{FFFD}\\# b\u{FFFD}\u{FFFD}\\<script\\>"
    );
}

#[test]
fn code_spans_hold_any_text() {
    for s in [HOSTILE, "`a", "a`", " a ", "x ` y", "a\\", "`", "  "] {
        let c = code(s);
        assert_eq!(
            inline(&c),
            format!("<code>{}</code>", escape(s)),
            "{s:?} as {c:?}"
        );
        assert_eq!(plain(&c), s, "{c:?}");
    }
    assert_eq!(code("a`b"), "``a`b``");
    assert_eq!(code("`a"), "`` `a ``");
    assert_eq!(code(" a "), "`  a  `");
    // Two backticks in a row would need a fence of three: escaped text.
    assert_eq!(code("a``b"), "a\\`\\`b");
    assert_eq!(inline(&code("a``b")), "a``b");
    assert_eq!(code(""), "");
    // Inside a sentence, next to markup of the template.
    let sentence = format!(
        "**{}** in {}: {}.",
        text("a*b"),
        code("x`y"),
        text("[z](javascript:q)")
    );
    assert_eq!(
        inline(&sentence),
        "<strong>a*b</strong> in <code>x`y</code>: [z](javascript:q)."
    );
    assert_eq!(plain(&sentence), "a*b in x`y: [z](javascript:q).");
}

#[test]
fn only_links_to_the_reports_own_files_are_made() {
    for ok in [
        "reno/report.html",
        "../../captures/c/x.pcap",
        "a%20b.pcap",
        "a&b.pcap",
        "r.pcap#top",
    ] {
        assert!(local_href(ok), "{ok}");
        let t = format!("[f]({ok})");
        assert_eq!(md(&t), t);
        assert!(inline(&t).starts_with("<a href="), "{ok}");
    }
    for bad in [
        "javascript:alert(1)",
        "javascript:alert%281%29",
        "JavaScript:x",
        "http://example.com/",
        "data:text/html,x",
        "/etc/passwd",
        "//example.com/x",
        "\\\\example.com\\x",
        "java&#58;script&#58;x",
        "a b",
        "a\tb",
        "",
    ] {
        assert!(!local_href(bad), "{bad}");
    }
    assert_eq!(
        inline("see [x](javascript:alert%281%29) and [y](http://e.x/a)."),
        "see [x](javascript:alert%281%29) and [y](http://e.x/a)."
    );
    assert_eq!(
        md("see [x](javascript:alert%281%29) and [y](//e.x/a)."),
        "see \\[x\\]\\(javascript:alert%281%29\\) and \\[y\\]\\(//e.x/a\\)."
    );
    assert_eq!(
        inline("[**b**](/abs) [c](c.csv)"),
        "[**b**](/abs) <a href=\"c.csv\">c</a>"
    );
    // An escaped bracket makes no link, in either renderer.
    assert_eq!(inline("\\[x](y.html)"), "[x](y.html)");
    assert_eq!(md("\\[x](y.html)"), "\\[x](y.html)");
}

#[test]
fn markdown_lines_and_cells_open_nothing_else() {
    assert_eq!(line_start("- a".into()), "\\- a");
    assert_eq!(line_start("--cc".into()), "\\--cc");
    assert_eq!(line_start("+ a".into()), "\\+ a");
    assert_eq!(line_start("* a".into()), "\\* a");
    assert_eq!(line_start("**a** b".into()), "**a** b");
    assert_eq!(line_start("12. a".into()), "12\\. a");
    assert_eq!(line_start("3) a".into()), "3\\) a");
    assert_eq!(
        line_start("10.77.0.1:40001 → x".into()),
        "10.77.0.1:40001 → x"
    );
    assert_eq!(line_start("# a".into()), "\\# a");
    assert_eq!(line_start("> a".into()), "\\> a");
    assert_eq!(cell("a | b `c|d` \\| e"), "a \\| b `c\\|d` \\| e");
    let doc = markdown(&[
        Block::Title(format!("TCP report: {}", text(HOSTILE))),
        Block::List(vec![text("- 1. <b>")]),
        Block::Table {
            head: vec!["state".into()],
            rows: vec![vec![text("A|B"), code("c|d")]],
        },
    ]);
    assert_eq!(
        doc,
        format!(
            "# TCP report: {}\n\n- \\- 1. \\<b\\>\n\n| state |\n| --- |\n| A\\|B | `c\\|d` |\n",
            text(HOSTILE)
        )
    );
    let page = html(
        &[Block::Title(format!("TCP report: {}", text(HOSTILE)))],
        "en",
    );
    assert!(page.contains(&format!("<title>TCP report: {}</title>", escape(HOSTILE))));
    assert!(!page.contains("<img") && !page.contains("href"), "{page}");
}
