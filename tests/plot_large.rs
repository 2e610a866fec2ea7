//! Large connections: what is drawn is decimated to the figure's pixels,
//! so a big connection renders quickly into a small SVG whose caption says
//! that points were merged. (The one-million-segment timing is in
//! benches/plot_million.rs.)

use tcplab_render::plot::{self, synthetic, Graph, ImageFormat, PlotOptions, Style, View};

#[test]
fn a_large_connection_is_merged_per_pixel_and_says_so() {
    let series = synthetic::bulk_transfer(200_000);
    let view = View::new(&series, &PlotOptions::default());
    for graph in Graph::ALL {
        let fig = plot::render(graph, &view, &Style::default(), ImageFormat::Svg).expect("render");
        let svg = fig.as_svg().expect("an SVG");
        assert!(svg.len() < 1_000_000, "{graph}: {} bytes", svg.len());
        // The throughput graph draws intervals, the ladder a fixed number
        // of rows: neither has points to merge.
        if graph != Graph::Ladder && graph != Graph::Throughput {
            assert!(fig.drawn.tally.merged(), "{graph}: nothing merged");
            assert!(
                svg.contains("points sharing a pixel were merged"),
                "{graph}: no caption about merging"
            );
        }
    }
}

#[test]
fn a_small_connection_is_drawn_point_for_point() {
    let series = synthetic::bulk_transfer(300);
    let view = View::new(&series, &PlotOptions::default());
    let fig =
        plot::render(Graph::Stevens, &view, &Style::default(), ImageFormat::Svg).expect("render");
    assert!(!fig.drawn.tally.merged());
    assert!(!fig.as_svg().unwrap_or_default().contains("were merged"));
}
