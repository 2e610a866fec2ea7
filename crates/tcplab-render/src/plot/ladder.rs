//! The ladder (sequence) diagram of exercise 5: the two endpoints as
//! vertical lines, each segment as an arrow from its sender to the other
//! side, labelled with its flags, sequence and acknowledgement numbers,
//! length and time. The handshake and the first data segments are drawn in
//! full, then the middle of the transfer is folded into one labelled gap,
//! then the teardown in full.
//!
//! Rows are evenly spaced (one per segment), not to time scale: the times
//! are written beside each arrow instead. Arrows slope slightly, as in a
//! textbook, because a segment arrives after it leaves.

use super::canvas::OrDraw;
use super::collect::SegPoint;
use super::frame::{self, Glyph, Key};
use super::lang::fill;
use super::stevens::is_sent_again;
use super::strings::PlotStrings;
use super::style::{colour, Pen, Style};
use super::{Drawn, Result, View};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use tcplab_analysis::flow::Direction;
use tcplab_analysis::Event;

/// Connections up to this many segments are drawn whole.
const WHOLE: usize = 40;
/// Segments drawn before the fold (handshake and first data).
const HEAD: usize = 12;
/// Segments drawn after the fold, at least...
const TAIL: usize = 8;
/// ...and more, up to this many, to start the tail at the first FIN or RST.
const MAX_TAIL: usize = 20;

const HEADER_H: f64 = 58.0;
const ROW_H: f64 = 38.0;
const FOLD_H: f64 = 56.0;
const FOOT_H: f64 = 20.0;
const SLANT: f64 = 12.0;

enum Row<'a> {
    Segment(&'a SegPoint),
    Fold { segments: usize, bytes: u64 },
}

/// What is drawn: everything when short, else head, fold, tail.
fn rows<'a>(segs: &'a [SegPoint]) -> Vec<Row<'a>> {
    let n = segs.len();
    if n <= WHOLE {
        return segs.iter().map(Row::Segment).collect();
    }
    let closing = segs[HEAD..]
        .iter()
        .position(|p| p.flags.fin() || p.flags.rst())
        .map(|i| i + HEAD)
        .filter(|&i| n - i <= MAX_TAIL);
    let tail_start = closing.map_or(n - TAIL, |i| i.min(n - TAIL));
    let folded = &segs[HEAD..tail_start];
    let mut rows: Vec<Row> = segs[..HEAD].iter().map(Row::Segment).collect();
    if !folded.is_empty() {
        rows.push(Row::Fold {
            segments: folded.len(),
            bytes: folded.iter().map(|p| u64::from(p.len)).sum(),
        });
    }
    rows.extend(segs[tail_start..].iter().map(Row::Segment));
    rows
}

fn ladder_height(rows: &[Row<'_>]) -> f64 {
    rows.iter()
        .map(|r| match r {
            Row::Segment(_) => ROW_H,
            Row::Fold { .. } => FOLD_H,
        })
        .sum::<f64>()
        + HEADER_H
        + FOOT_H
}

pub fn size(view: &View<'_>, style: &Style) -> (u32, u32) {
    let h = ladder_height(&rows(&view.series.segments)) + frame::chrome_height();
    (style.width, h.ceil() as u32)
}

/// "SYN, ACK", "PSH, ACK", "FIN, ACK", as Wireshark's Info column names them.
fn flag_words(p: &SegPoint, t: &PlotStrings) -> String {
    const NAMES: [(u16, &str); 8] = [
        (0x02, "SYN"),
        (0x01, "FIN"),
        (0x04, "RST"),
        (0x08, "PSH"),
        (0x10, "ACK"),
        (0x20, "URG"),
        (0x40, "ECE"),
        (0x80, "CWR"),
    ];
    let words: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| p.flags.has(*bit))
        .map(|(_, name)| *name)
        .collect();
    if words.is_empty() {
        t.no_flags.into()
    } else {
        words.join(", ")
    }
}

/// Between the fields of a label: no-break spaces, which SVG viewers do
/// not collapse into one.
const SEP: &str = "\u{a0}\u{a0}";

/// The label above an arrow: frame number, flags, seq, ack, len and the
/// first event.
fn label(view: &View<'_>, p: &SegPoint) -> String {
    let number = |unwrapped: i64, dir: Direction| {
        if view.relative {
            unwrapped - view.series.base[dir.index()].unwrap_or(0)
        } else {
            unwrapped.rem_euclid(1 << 32)
        }
    };
    let flags = flag_words(p, view.text());
    let mut text = format!("#{}{SEP}{flags}{SEP}seq={}", p.frame, number(p.seq, p.dir));
    if p.flags.ack() {
        text += &format!("{SEP}ack={}", number(p.ack, p.dir.reverse()));
    }
    text += &format!("{SEP}len={}", p.len);
    if let Some(e) = p.events.iter().find(|e| *e != Event::WindowUpdate) {
        text += &format!("{SEP}[{}]", e.wireshark_label());
    }
    text
}

fn arrow_colour(p: &SegPoint) -> RGBColor {
    if is_sent_again(p) {
        colour::RETRANSMISSION
    } else if p.flags.syn() || p.flags.fin() || p.flags.rst() {
        colour::CONTROL
    } else if p.len > 0 {
        colour::DATA
    } else {
        colour::ACK
    }
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let series = view.series;
    let rows = rows(&series.segments);
    let t = view.text();
    let kinds = [
        (colour::CONTROL, t.arrow_control),
        (colour::DATA, t.arrow_data),
        (colour::ACK, t.arrow_ack_only),
        (colour::RETRANSMISSION, t.sent_again),
    ];
    let drawn: Vec<RGBColor> = rows
        .iter()
        .filter_map(|r| match r {
            Row::Segment(p) => Some(arrow_colour(p)),
            Row::Fold { .. } => None,
        })
        .collect();
    let keys = kinds
        .into_iter()
        .filter(|(c, _)| drawn.contains(c))
        .map(|(c, label)| Key::new(Glyph::Line(c, 2.0), label))
        .collect();
    let subtitle = fill(t.ladder_subtitle, &[&series.stream, &series.a, &series.b]);
    let layout = frame::layout(root, pen, t.ladder_title, &subtitle, keys)?;
    let area = &layout.chart;
    let (w, _) = area.dim_in_pixel();
    let (xa, xb) = (pen.px(230.0), w as i32 - pen.px(120.0));
    draw_endpoints(area, pen, view, (xa, xb), &rows)?;
    let mut y = pen.px(HEADER_H);
    for row in &rows {
        match row {
            Row::Segment(p) => {
                draw_segment(area, pen, view, p, (xa, xb), y)?;
                y += pen.px(ROW_H);
            }
            Row::Fold { segments, bytes } => {
                draw_fold(area, pen, view, (xa, xb), y, (*segments, *bytes))?;
                y += pen.px(FOLD_H);
            }
        }
    }
    let numbers = if view.relative {
        t.numbers_relative
    } else {
        t.numbers_absolute
    };
    let shown = rows.iter().filter(|r| matches!(r, Row::Segment(_))).count() as u64;
    let total = series.segments.len() as u64;
    let count = if shown == total {
        view.count(t.all_drawn, total)
    } else {
        fill(
            t.some_drawn,
            &[&view.thousands(shown), &view.thousands(total)],
        )
    };
    let caption = vec![
        fill(t.ladder_caption, &[&count, &numbers]),
        t.ladder_rows.into(),
    ];
    layout.finish(&caption)?;
    Ok(Drawn {
        tally: Default::default(),
        caption,
    })
}

/// Endpoint names on top and their time lines (dashed across folds).
fn draw_endpoints<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    view: &View<'_>,
    (xa, xb): (i32, i32),
    rows: &[Row<'_>],
) -> Result<()> {
    let series = view.series;
    let client = series
        .segments
        .iter()
        .find(|p| p.flags.is_pure_syn())
        .map(|p| p.dir);
    let t = view.text();
    // "127.0.0.1:40001 (client)"; no role when the SYN was not captured.
    let name = |ep: &dyn std::fmt::Display, d: Direction| match client {
        Some(c) if c == d => fill(t.client, &[ep]),
        Some(_) => fill(t.server, &[ep]),
        None => ep.to_string(),
    };
    let centre = Pos::new(HPos::Center, VPos::Top);
    for (x, ep, d) in [
        (xa, series.a, Direction::AtoB),
        (xb, series.b, Direction::BtoA),
    ] {
        area.draw(&Text::new(
            name(&ep, d),
            (x, pen.px(14.0)),
            pen.text(15.0, colour::TEXT).pos(centre),
        ))
        .or_draw()?;
        draw_time_line(area, pen, x, rows)?;
    }
    Ok(())
}

/// One endpoint's time line: solid along drawn rows, dashed across a fold.
fn draw_time_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    x: i32,
    rows: &[Row<'_>],
) -> Result<()> {
    let line = pen.line(colour::AXIS, 1.5);
    let mut top = pen.px(HEADER_H - 14.0);
    let mut y = pen.px(HEADER_H);
    for row in rows {
        match row {
            Row::Segment(_) => y += pen.px(ROW_H),
            Row::Fold { .. } => {
                let fold_top = y - pen.px(6.0);
                area.draw(&PathElement::new(vec![(x, top), (x, fold_top)], line))
                    .or_draw()?;
                y += pen.px(FOLD_H);
                top = y - pen.px(14.0);
                area.draw(&DashedPathElement::new(
                    vec![(x, fold_top), (x, top)],
                    pen.px(4.0),
                    pen.px(5.0),
                    line,
                ))
                .or_draw()?;
            }
        }
    }
    let bottom = y + pen.px(FOOT_H) - pen.px(14.0);
    area.draw(&PathElement::new(vec![(x, top), (x, bottom)], line))
        .or_draw()?;
    Ok(())
}

fn draw_segment<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    view: &View<'_>,
    p: &SegPoint,
    (xa, xb): (i32, i32),
    y: i32,
) -> Result<()> {
    let (from, to) = match p.dir {
        Direction::AtoB => (xa, xb),
        Direction::BtoA => (xb, xa),
    };
    let y1 = y + pen.px(SLANT);
    let c = arrow_colour(p);
    // Arrowhead along the arrow's direction.
    let (dx, dy) = (f64::from(to - from), f64::from(y1 - y));
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (head, half) = (f64::from(pen.px(11.0)), f64::from(pen.px(4.5)));
    let base = (f64::from(to) - ux * head, f64::from(y1) - uy * head);
    let wing = |s: f64| {
        (
            (base.0 - uy * half * s) as i32,
            (base.1 + ux * half * s) as i32,
        )
    };
    area.draw(&PathElement::new(
        vec![(from, y), (base.0 as i32, base.1 as i32)],
        pen.line(c, 1.8),
    ))
    .or_draw()?;
    area.draw(&Polygon::new(
        vec![(to, y1), wing(1.0), wing(-1.0)],
        c.filled(),
    ))
    .or_draw()?;
    let mid = ((xa + xb) / 2, y + pen.px(SLANT / 2.0) - pen.px(5.0));
    area.draw(&Text::new(
        label(view, p),
        mid,
        pen.mono(12.5, colour::TEXT)
            .pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))
    .or_draw()?;
    area.draw(&Text::new(
        format!("{} s", view.lang.decimal(format!("{:.6}", p.t))),
        (xa - pen.px(16.0), y),
        pen.mono(12.5, colour::NOTE)
            .pos(Pos::new(HPos::Right, VPos::Center)),
    ))
    .or_draw()?;
    Ok(())
}

fn draw_fold<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    view: &View<'_>,
    (xa, xb): (i32, i32),
    y: i32,
    (segments, bytes): (usize, u64),
) -> Result<()> {
    let t = view.text();
    let text = fill(
        t.ladder_fold,
        &[
            &view.count(t.n_segments, segments as u64),
            &view.count(t.n_bytes, bytes),
        ],
    );
    area.draw(&Text::new(
        text,
        ((xa + xb) / 2, y + pen.px(FOLD_H / 2.0 - 10.0)),
        pen.text(15.0, colour::NOTE)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .or_draw()?;
    Ok(())
}
