//! `tcplab plot` as a student runs it: each graph as SVG from the captures
//! in tests/data, checked by reading the SVG: title naming the connection,
//! axis labels, legend entries (one per series drawn), and sent-again
//! and zero-window markers exactly when the analysis found those events;
//! and the same graphs in Spanish (`--lang es`, or `LANG=es_ES…`).

use std::path::{Path, PathBuf};
use std::process::Command;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::{Event, SegmentReport};

const RETRANSMISSION_RED: &str = "#D62728";
const ZERO_WINDOW_PURPLE: &str = "#9467BD";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs `tcplab plot CAPTURE --graph G -o OUT.svg EXTRA...` and returns the
/// SVG, in English unless `EXTRA` says otherwise (the language's default
/// comes from `LANG`, which the test removes).
fn plot_svg(capture: &str, graph: &str, extra: &[&str]) -> String {
    plot_svg_env(capture, graph, extra, None)
}

fn plot_svg_env(capture: &str, graph: &str, extra: &[&str], lang_env: Option<&str>) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join(format!("{graph}.svg"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcplab"));
    cmd.arg("plot")
        .arg(data(capture))
        .args(["--graph", graph, "-o"])
        .arg(&out)
        .args(extra)
        .env_remove("LANG");
    if let Some(lang) = lang_env {
        cmd.env("LANG", lang);
    }
    let run = cmd.output().expect("run tcplab");
    assert!(
        run.status.success(),
        "tcplab plot {capture} --graph {graph} failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(&out).expect("SVG written")
}

/// The text of every `<text>` element, in document order.
fn texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let after = &rest[start..];
        let (Some(open_end), Some(close)) = (after.find('>'), after.find("</text>")) else {
            break;
        };
        out.push(
            after[open_end + 1..close]
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
        );
        rest = &after[close..];
    }
    out
}

fn attr(svg: &str, name: &str) -> Option<u32> {
    let root = &svg[..svg.find('>')?];
    let at = root.find(&format!("{name}=\""))? + name.len() + 2;
    root[at..].split('"').next()?.parse().ok()
}

/// `<line>` elements stroked in `colour` (the two strokes of each cross).
fn lines_in(svg: &str, colour: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<line") && l.contains(&format!("stroke=\"{colour}\"")))
        .count()
}

fn rects_in(svg: &str, colour: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<rect") && l.contains(&format!("fill=\"{colour}\"")))
        .count()
}

/// Segments of `dir` in stream 0 that carry data and have `pick`'s event.
fn count(capture: &str, pick: impl Fn(&SegmentReport) -> bool) -> usize {
    let mut n = 0;
    tcplab_analysis::analyze_file(&data(capture), |r| {
        if r.stream == 0 && pick(r) {
            n += 1;
        }
    })
    .expect("analysis");
    n
}

fn retransmitted_data(capture: &str) -> usize {
    count(capture, |r| {
        r.dir == Direction::AtoB && r.len > 0 && r.sent_again.is_some()
    })
}

#[test]
fn every_graph_names_the_connection_and_labels_its_axes() {
    let axes = [
        ("stevens", "Sequence number (absolute)"),
        ("tcptrace", "Sequence number (absolute)"),
        ("throughput", "Rate (Gbit/s)"),
        ("rtt", "Round-trip time (µs)"),
        ("window", "Bytes (kB)"),
    ];
    for (graph, y_label) in axes {
        let svg = plot_svg("lossy.pcap", graph, &[]);
        let t = texts(&svg);
        assert_eq!(
            (attr(&svg, "width"), attr(&svg, "height")),
            (Some(1024), Some(640))
        );
        assert!(
            t.iter()
                .any(|s| s.contains("10.77.0.1:40001 → 10.77.0.2:5001")),
            "{graph}: no title naming the connection in {t:?}"
        );
        assert!(
            t.iter().any(|s| s == y_label),
            "{graph}: no y label {y_label:?} in {t:?}"
        );
        assert!(
            t.iter()
                .any(|s| s == "Time since the connection's first packet (ms)"),
            "{graph}: no time axis label in {t:?}"
        );
    }
}

#[test]
fn relative_numbers_say_so_on_the_axis() {
    let t = texts(&plot_svg("lossy.pcap", "stevens", &["--relative"]));
    assert!(t
        .iter()
        .any(|s| s == "Sequence number (relative to the ISN, bytes)"));
    // The first data byte is relative sequence number 1: the axis starts near 0.
    assert!(t.iter().any(|s| s == "0"), "{t:?}");
}

#[test]
fn sent_again_markers_appear_exactly_where_the_analysis_found_data_sent_again() {
    // lossy.pcap: frames 152 and 154 (Wireshark: fast retransmission,
    // retransmission), 306 and 308 (Wireshark: out of order).
    let lossy = retransmitted_data("lossy.pcap");
    assert_eq!(lossy, 4);
    // ns-lo-v4.pcap: a clean loopback transfer.
    assert_eq!(retransmitted_data("ns-lo-v4.pcap"), 0);
    for graph in ["stevens", "tcptrace"] {
        for (capture, n) in [("lossy.pcap", lossy), ("ns-lo-v4.pcap", 0)] {
            let svg = plot_svg(capture, graph, &[]);
            let legend = texts(&svg).iter().any(|s| s == "segment sent again");
            assert_eq!(legend, n > 0, "{graph} {capture}: legend entry");
            // Each cross is two strokes; the legend shows one cross more.
            let expected = if n > 0 { 2 * n + 2 } else { 0 };
            assert_eq!(
                lines_in(&svg, RETRANSMISSION_RED),
                expected,
                "{graph} {capture}"
            );
        }
    }
}

#[test]
fn tcptrace_draws_a_series_per_kind_of_element_found() {
    let t = texts(&plot_svg("lossy.pcap", "tcptrace", &[]));
    for key in [
        "data segment",
        "segment sent again",
        "ACK",
        "receive window limit",
        "SACK block",
        "duplicate ACK",
    ] {
        assert!(
            t.iter().any(|s| s == key),
            "no legend entry {key:?} in {t:?}"
        );
    }
    // lossy.pcap has no zero window.
    assert!(!t.iter().any(|s| s == "zero window"));
}

#[test]
fn zero_windows_are_marked_where_the_receiver_advertised_them() {
    let zeros = count("zero-window.pcap", |r| {
        r.dir == Direction::BtoA && r.events.contains(Event::ZeroWindow)
    });
    assert!(zeros > 10, "zero-window.pcap should have many zero windows");
    let svg = plot_svg("zero-window.pcap", "window", &[]);
    let t = texts(&svg);
    for key in [
        "receive window advertised by 127.0.0.1:5001",
        "bytes in flight from 127.0.0.1:40001",
        "zero window",
    ] {
        assert!(
            t.iter().any(|s| s == key),
            "no legend entry {key:?} in {t:?}"
        );
    }
    // One square per zero window, one in the legend (fewer only if merged).
    assert_eq!(rects_in(&svg, ZERO_WINDOW_PURPLE), zeros + 1);
}

#[test]
fn throughput_and_rtt_have_their_series() {
    let t = texts(&plot_svg(
        "congested.pcap",
        "throughput",
        &["--interval", "100ms"],
    ));
    assert!(t.iter().any(|s| s == "throughput (all payload)"));
    assert!(t
        .iter()
        .any(|s| s == "goodput (bytes sent for the first time)"));
    assert!(t
        .iter()
        .any(|s| s.starts_with("throughput, moving average of")));
    assert!(
        t.iter()
            .any(|s| s.starts_with("Interval 100 ms (11 intervals)")),
        "{t:?}"
    );
    let t = texts(&plot_svg("lossy.pcap", "rtt", &[]));
    // lossy.pcap uses TCP timestamps: both kinds of samples.
    for key in [
        "ACK RTT sample",
        "timestamp RTT sample",
        "smoothed RTT (RFC 6298)",
    ] {
        assert!(
            t.iter().any(|s| s == key),
            "no legend entry {key:?} in {t:?}"
        );
    }
}

#[test]
fn the_ladder_shows_handshake_fold_and_teardown() {
    let svg = plot_svg("ns-lo-v4.pcap", "ladder", &[]);
    let t = texts(&svg);
    let nb = "\u{a0}\u{a0}";
    // Frame 1 of ns-lo-v4.pcap: the client's SYN, ISN 3383398044; each
    // arrow starts with its frame number (exercise 5 is answered by frame).
    assert!(
        t.contains(&format!("#1{nb}SYN{nb}seq=3383398044{nb}len=0")),
        "{t:?}"
    );
    assert!(t
        .iter()
        .any(|s| s.starts_with(&format!("#2{nb}SYN, ACK")) && s.contains("ack=3383398045")));
    assert!(t.iter().any(|s| s.starts_with(&format!("#130{nb}FIN, "))));
    assert!(t
        .iter()
        .any(|s| s.starts_with("… ") && s.ends_with(" bytes …")));
    assert!(t.contains(&"127.0.0.1:40001 (client)".to_string()));
    assert!(t.contains(&"127.0.0.1:5001 (server)".to_string()));
    // A short connection is drawn whole.
    let t = texts(&plot_svg(
        "echo-two-clients.pcap",
        "ladder",
        &["--stream", "1"],
    ));
    assert!(
        t.iter().any(|s| s.starts_with("All 14 segments drawn")),
        "{t:?}"
    );
    assert!(!t.iter().any(|s| s.starts_with("… ")));
}

#[test]
fn spanish_graphs_say_everything_in_spanish() {
    let svg = plot_svg("lossy.pcap", "stevens", &["--lang", "es"]);
    let t = texts(&svg);
    for text in [
        "Gráfica de Stevens: número de secuencia de cada segmento de datos en el tiempo",
        "Stream TCP 0: 10.77.0.1:40001 → 10.77.0.2:5001 (sentido de los datos)",
        "Número de secuencia (absoluto)",
        "Tiempo desde el primer paquete de la conexión (ms)",
        "segmento de datos",
        "segmento reenviado",
        "181 segmentos de datos, 261\u{202f}792 bytes de carga útil, 4 reenviados",
    ] {
        assert!(t.iter().any(|s| s == text), "no {text:?} in {t:?}");
    }
    // Not a word of the English graph, and decimal commas on the time axis.
    for english in [
        "Stevens graph",
        "Sequence number",
        "Time since",
        "data segment",
    ] {
        assert!(!svg.contains(english), "{english:?} in the Spanish SVG");
    }
    // The axis is broken after the handshake: its ticks go 0,0 then 3,6.
    assert!(t.iter().any(|s| s == "3,6"), "{t:?}");
    assert!(!t.iter().any(|s| s == "3.6"), "{t:?}");
    assert!(
        t.iter().any(|s| s == "3,42 ms sin paquetes, omitidos"),
        "{t:?}"
    );
    let t = texts(&plot_svg("zero-window.pcap", "window", &["--lang", "es"]));
    for key in [
        "ventana de recepción anunciada por 127.0.0.1:5001",
        "bytes en vuelo de 127.0.0.1:40001",
        "ventana cero",
    ] {
        assert!(
            t.iter().any(|s| s == key),
            "no legend entry {key:?} in {t:?}"
        );
    }
    let t = texts(&plot_svg("ns-lo-v4.pcap", "ladder", &["--lang", "es"]));
    assert!(
        t.contains(&"127.0.0.1:40001 (cliente)".to_string()),
        "{t:?}"
    );
    assert!(t.contains(&"0,000000 s".to_string()), "{t:?}");
    assert!(
        t.iter()
            .any(|s| s.starts_with("… ") && s.contains(" segmentos, ")),
        "{t:?}"
    );
}

#[test]
fn the_language_comes_from_lang_unless_given() {
    let title = |svg: &str| texts(svg).into_iter().next().unwrap_or_default();
    let es = plot_svg_env("lossy.pcap", "rtt", &[], Some("es_ES.UTF-8"));
    assert_eq!(title(&es), "Evolución del tiempo de ida y vuelta");
    let en = plot_svg_env("lossy.pcap", "rtt", &["--lang", "en"], Some("es_ES.UTF-8"));
    assert_eq!(title(&en), "Round-trip time over time");
    let default = plot_svg_env("lossy.pcap", "rtt", &[], Some("C.UTF-8"));
    assert_eq!(title(&default), "Round-trip time over time");
}

/// The library draws in the language of `PlotOptions::lang`.
#[test]
fn a_spanish_view_draws_a_spanish_svg() {
    use tcplab_render::plot::{self, Graph, ImageFormat, Lang, PlotOptions, Style, View};
    let got = plot::collect_file(&data("lossy.pcap"), None).expect("lossy.pcap");
    let options = PlotOptions {
        lang: Lang::Es,
        ..PlotOptions::default()
    };
    let view = View::new(&got.series, &options);
    let fig =
        plot::render(Graph::Tcptrace, &view, &Style::default(), ImageFormat::Svg).expect("render");
    let svg = fig.as_svg().expect("an SVG");
    assert!(svg.contains("Número de secuencia (absoluto)"));
    assert!(svg.contains("Gráfica tcptrace"));
    assert!(!svg.contains("tcptrace graph"));
    assert!(fig.drawn.caption[0].starts_with("181 segmentos de datos (4 reenviados)"));
}

/// `--tcp-info CSV` draws the sender kernel's cwnd and ssthresh over the
/// window graph and its smoothed RTT over the RTT graph; a file that is
/// not such a series is refused in one line naming it.
#[test]
fn a_tcp_info_series_is_drawn_over_window_and_rtt() {
    // ns-lo-v4.pcap starts at 1795617332.626014 and lasts 3.7 ms; its
    // client 127.0.0.1:40001 sends the data.
    let header = tcplab_analysis::record::tcp_info::CSV_HEADER;
    let row = |t: f64, cwnd: u32, ssthresh: &str, srtt: u32| {
        let ss_bytes = ssthresh
            .parse::<u32>()
            .map_or(String::new(), |s| (s * 1448).to_string());
        format!(
            "{t:.6},ESTABLISHED,open,{cwnd},{},{ssthresh},{ss_bytes},1448,{srtt},10,20,200000,1,0,0,0,0,0,0,0,0,0,0,0,65000,0,0",
            cwnd * 1448
        )
    };
    let csv = [
        header.to_string(),
        row(1795617332.6265, 10, "", 30),
        row(1795617332.6280, 20, "15", 25),
    ]
    .join("\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let series = dir.path().join("series.csv");
    std::fs::write(&series, csv + "\n").expect("series written");
    let path = series.to_str().expect("utf-8");
    let window = plot_svg("ns-lo-v4.pcap", "window", &["--tcp-info", path]);
    let words = texts(&window).join(" ");
    assert!(
        words.contains("congestion window of 127.0.0.1:40001 (kernel, TCP_INFO)"),
        "{words}"
    );
    assert!(
        words.contains("slow-start threshold of 127.0.0.1:40001"),
        "{words}"
    );
    let rtt = plot_svg("ns-lo-v4.pcap", "rtt", &["--tcp-info", path]);
    assert!(texts(&rtt)
        .join(" ")
        .contains("smoothed RTT of 127.0.0.1:40001 (kernel, TCP_INFO)"));
    let plain = plot_svg("ns-lo-v4.pcap", "window", &[]);
    assert!(
        !texts(&plain).join(" ").contains("TCP_INFO"),
        "nothing beside the capture"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .arg("plot")
        .arg(data("ns-lo-v4.pcap"))
        .args(["--graph", "window", "-o"])
        .arg(dir.path().join("x.svg"))
        .arg("--tcp-info")
        .arg(data("README.md"))
        .output()
        .expect("run tcplab");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("README.md: line 1"), "{err}");
}

/// `--from/--to` zoom a static graph: frame numbers or seconds, the
/// caption says what part is shown; a frame of another connection is a
/// clear error.
#[test]
fn from_and_to_zoom_into_a_part_of_the_connection() {
    // lossy.pcap, frames 140 to 170: 18 data segments of the client, two
    // of them sent again (152 and 154).
    let t = texts(&plot_svg(
        "lossy.pcap",
        "stevens",
        &["--from", "#140", "--to", "#170"],
    ));
    assert!(
        t.iter()
            .any(|s| s == "18 data segments, 26,064 bytes of payload, 2 sent again"),
        "{t:?}"
    );
    assert!(t.iter().any(|s| s.ends_with("(--from/--to).")), "{t:?}");
    let t = texts(&plot_svg("lossy.pcap", "throughput", &["--to", "3.9ms"]));
    assert!(
        t.iter().any(|s| s.contains("only the part from 0")),
        "{t:?}"
    );
    let run = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .arg("plot")
        .arg(data("lossy.pcap"))
        .args(["--graph", "stevens", "--from", "#9999", "-o", "/dev/null"])
        .output()
        .expect("run tcplab");
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("frame 9999 is not in stream 0 (its frames are 1 to 314)"),
        "{err}"
    );
}

/// lossy.pcap: 3.42 ms pass without a packet between the handshake (frame
/// 3, 28 µs) and the first data segment; the time axis of every graph
/// but the throughput one (which covers the data only) breaks there.
#[test]
fn a_long_idle_gap_breaks_the_time_axis_with_true_ticks() {
    for graph in ["stevens", "tcptrace", "rtt", "window"] {
        let t = texts(&plot_svg("lossy.pcap", graph, &[]));
        assert!(
            t.iter().any(|s| s == "3.42 ms without packets, left out"),
            "{graph}: no legend key for the break in {t:?}"
        );
        // True times on both sides of the break: 0.0 before, 3.6 after,
        // and nothing that would fall inside it.
        for tick in ["0.0", "3.6", "4.0"] {
            assert!(
                t.iter().any(|s| s == tick),
                "{graph}: no tick {tick} in {t:?}"
            );
        }
        for inside in ["1.0", "2.0", "3.0"] {
            assert!(
                !t.iter().any(|s| s == inside),
                "{graph}: tick {inside} in the break"
            );
        }
    }
    let t = texts(&plot_svg("lossy.pcap", "stevens", &[]));
    assert!(
        t.iter().any(|s| s.starts_with("The time axis is broken (//) where no packet passed either way: 3.42 ms (from 28 µs to 3.45 ms)")),
        "{t:?}"
    );
}

#[test]
fn no_gap_break_draws_the_gap_to_scale() {
    let t = texts(&plot_svg("lossy.pcap", "stevens", &["--no-gap-break"]));
    assert!(!t.iter().any(|s| s.contains("without packets")), "{t:?}");
    for tick in ["0.0", "1.0", "2.0", "3.0", "4.0"] {
        assert!(t.iter().any(|s| s == tick), "no tick {tick} in {t:?}");
    }
}
