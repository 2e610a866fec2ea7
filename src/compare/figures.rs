//! The three overlays of the comparison (bytes sent, congestion window,
//! throughput), saved as SVG and PNG and inlined in the HTML, each with
//! caption lines drawn under it and the report's sentence (`captions`).

use super::measure::Row;
use super::strings::{fill, CompareStrings};
use super::{captions, curves};
use super::{Measured, Result};
use std::path::{Path, PathBuf};
use tcplab_render::plot::{Figure, ImageFormat, Overlay, OverlayKind, PlotStrings, Style, Trace};
use tcplab_render::report::doc::Block;
use tcplab_render::report::units::rate_in;

/// Draws the overlays into `dir`: the report's figure blocks and the files.
pub fn render_all(
    runs: &[Measured],
    subtitle: &str,
    link_rate: Option<u64>,
    s: &CompareStrings,
    dir: &Path,
) -> Result<(Vec<Block>, Vec<PathBuf>)> {
    let style = Style::default();
    let rows: Vec<Row> = runs.iter().map(|m| m.row.clone()).collect();
    let (mut blocks, mut files) = (Vec::new(), Vec::new());
    for (i, kind) in OverlayKind::ALL.into_iter().enumerate() {
        let overlay = Overlay {
            kind,
            lang: s.lang,
            subtitle: subtitle.to_string(),
            traces: traces(kind, runs),
            caption: image_caption(kind, runs, s),
        };
        let svg = overlay.render(&style, ImageFormat::Svg)?;
        let png = overlay.render(&style, ImageFormat::Png)?;
        for fig in [&svg, &png] {
            files.push(save(fig, dir, kind)?);
        }
        blocks.push(Block::Figure {
            stem: kind.name().to_string(),
            title: s.graph_names[i].to_string(),
            caption: captions::caption(kind, &rows, link_rate, s),
            svg: svg.as_svg().unwrap_or_default().to_string(),
        });
    }
    Ok((blocks, files))
}

fn save(fig: &Figure, dir: &Path, kind: OverlayKind) -> Result<PathBuf> {
    let path = dir.join(format!("{}.{}", kind.name(), fig.format.extension()));
    fig.save(&path)?;
    Ok(path)
}

fn traces(kind: OverlayKind, runs: &[Measured]) -> Vec<Trace> {
    let interval = throughput_interval(runs);
    runs.iter()
        .map(|m| {
            let label = &m.row.algorithm;
            match kind {
                OverlayKind::Sequence => curves::sequence(label, &m.series, m.dir),
                OverlayKind::Cwnd => curves::cwnd(
                    label,
                    &m.tcp_info,
                    m.series.start.as_secs_f64(),
                    m.row.slow_start_end.as_ref(),
                ),
                OverlayKind::Throughput => curves::throughput(label, &m.series, m.dir, interval),
            }
        })
        .collect()
}

fn throughput_interval(runs: &[Measured]) -> f64 {
    let pairs: Vec<_> = runs.iter().map(|m| (&m.series, m.dir)).collect();
    curves::throughput_interval(&pairs)
}

/// The lines drawn under the chart, in the figure's language.
fn image_caption(kind: OverlayKind, runs: &[Measured], s: &CompareStrings) -> Vec<String> {
    let t = PlotStrings::of(s.lang);
    let list = |f: &dyn Fn(&Row) -> String| {
        runs.iter()
            .map(|m| format!("{} {}", m.row.algorithm, f(&m.row)))
            .collect::<Vec<_>>()
            .join(t.list_sep)
    };
    match kind {
        OverlayKind::Sequence => vec![
            t.overlay_seq_caption.to_string(),
            fill(
                t.overlay_retransmissions,
                &[&list(&|r| s.lang.thousands(r.sent_again_total))],
            ),
        ],
        OverlayKind::Cwnd => {
            let mut lines = vec![t.overlay_cwnd_caption.to_string()];
            for m in runs.iter().filter(|m| m.tcp_info.is_empty()) {
                lines.push(fill(t.overlay_no_cwnd, &[&m.row.algorithm]));
            }
            lines
        }
        OverlayKind::Throughput => vec![fill(
            t.overlay_throughput_caption,
            &[
                &tcplab_render::plot::units::duration(s.lang, throughput_interval(runs)),
                &list(&|r| rate_in(s.lang, r.goodput_bps)),
            ],
        )],
    }
}
