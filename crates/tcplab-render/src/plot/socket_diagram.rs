//! The socket diagram of exercise 4: the processes as boxes (the server on
//! the left, one box per client on the right), each socket a small box
//! inside its process with its IP:port, the listening socket marked, a
//! line for each TCP connection between the two sockets it joins, and a
//! dashed arrow from the listening socket to each connected socket its
//! `accept()` returned.
//!
//! In: a [`SocketDiagram`], every text already written in the report's
//! language (the report decides whose each socket is, from the run's
//! snapshot: `tcplab_analysis::record::sockets`). Out: a `Figure`, SVG or
//! PNG, drawn with the same frame, fonts and colours as the graphs. Rows
//! are one per listening socket, then one per client, so nothing overlaps
//! whatever the number of clients; an address too long for its box is
//! written smaller.

use super::canvas::{OrDraw, Paint};
use super::frame::{self, Glyph, Key};
use super::style::{colour, Pen, Style};
use super::{Drawn, Figure, ImageFormat, Result};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One socket: its address and a short note under it (its role, state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketBox {
    pub addr: String,
    pub note: String,
}

/// One client: its socket on the server (when the snapshot has it), its
/// own socket, and the label of the connection between the two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRow {
    pub accepted: Option<SocketBox>,
    pub name: String,
    pub socket: SocketBox,
    pub link: String,
}

/// The whole diagram, in the report's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketDiagram {
    pub title: String,
    pub subtitle: String,
    pub server: String,
    pub listening: Vec<SocketBox>,
    pub clients: Vec<ClientRow>,
    pub connection_key: String,
    pub accept_key: String,
    /// Under the legend: at most three lines are drawn.
    pub caption: Vec<String>,
}

const TOP: f64 = 16.0;
const SERVER_TITLE_H: f64 = 34.0;
const ROW_H: f64 = 80.0;
const SOCKET_H: f64 = 54.0;
const CLIENT_H: f64 = 64.0;
const BOTTOM: f64 = 24.0;
/// The arrow's line from the listening socket runs this far left of the
/// sockets (CSS px).
const BUS: f64 = 34.0;

const PROCESS_FILL: RGBColor = RGBColor(0xf5, 0xf5, 0xf5);
const LISTEN_FILL: RGBColor = RGBColor(0xfd, 0xf3, 0xdc);
const CONNECTED_FILL: RGBColor = RGBColor(0xe8, 0xf1, 0xf9);

impl SocketDiagram {
    pub fn render(&self, style: &Style, format: ImageFormat) -> Result<Figure> {
        super::paint_figure(self, style, format)
    }

    fn rows(&self) -> usize {
        self.listening.len() + self.clients.len()
    }

    fn chart_height(&self) -> f64 {
        TOP + SERVER_TITLE_H + ROW_H * self.rows() as f64 + BOTTOM
    }
}

/// Where things go, in output pixels, for a chart `w` pixels wide.
struct Geometry {
    pen: Pen,
    server: (i32, i32),
    server_sockets: (i32, i32),
    client: (i32, i32),
    client_sockets: (i32, i32),
}

impl Geometry {
    fn new(w: u32, pen: Pen) -> Geometry {
        let css = f64::from(w) / pen.k;
        let at = |f: f64| pen.px(css * f);
        let server = (at(0.04), at(0.46));
        let client = (at(0.60), at(0.96));
        Geometry {
            pen,
            server,
            server_sockets: (server.0 + pen.px(BUS + 36.0), server.1 - pen.px(22.0)),
            client,
            // The socket on the left, facing the server, the client's name on
            // its right: the connection's line crosses no text.
            client_sockets: (client.0 + pen.px(14.0), client.1 - pen.px(112.0)),
        }
    }

    /// The centre line of row `r`.
    fn row_y(&self, r: usize) -> i32 {
        self.pen.px(TOP + SERVER_TITLE_H + ROW_H * (r as f64 + 0.5))
    }
}

impl Paint for SocketDiagram {
    fn size(&self, style: &Style) -> (u32, u32) {
        let h = self.chart_height() + frame::chrome_height();
        (style.width, h.ceil() as u32)
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, pen: Pen) -> Result<Drawn> {
        let mut keys = vec![Key::new(
            Glyph::Line(colour::DATA, 2.0),
            self.connection_key.as_str(),
        )];
        if !self.listening.is_empty() && self.clients.iter().any(|c| c.accepted.is_some()) {
            keys.push(Key::new(
                Glyph::Dashed(colour::NOTE, 1.4),
                self.accept_key.as_str(),
            ));
        }
        let layout = frame::layout(root, pen, &self.title, &self.subtitle, keys)?;
        let area = &layout.chart;
        let g = Geometry::new(area.dim_in_pixel().0, pen);
        draw_server(area, &g, self)?;
        for (i, c) in self.clients.iter().enumerate() {
            draw_client(area, &g, c, self.listening.len() + i)?;
        }
        draw_accepts(area, &g, self)?;
        layout.finish(&self.caption)?;
        Ok(Drawn {
            tally: Default::default(),
            caption: self.caption.clone(),
        })
    }
}

fn rect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    fill: RGBColor,
    border: (RGBColor, f64),
) -> Result<()> {
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))
        .or_draw()?;
    area.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        pen.line(border.0, border.1),
    ))
    .or_draw()
}

/// `text` at `size` CSS px, or smaller so that it fits in `width` px.
fn fitted<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    text: &str,
    size: f64,
    width: i32,
    mono: bool,
) -> Result<TextStyle<'static>> {
    let style = |s: f64| {
        if mono {
            pen.mono(s, colour::TEXT)
        } else {
            pen.text(s, colour::NOTE)
        }
    };
    let (w, _) = area.estimate_text_size(text, &style(size)).or_draw()?;
    let shrink = if w as i32 > width && w > 0 {
        f64::from(width) / f64::from(w)
    } else {
        1.0
    };
    Ok(style((size * shrink).max(6.0)))
}

/// A socket box centred on row line `y` between `x0` and `x1`.
fn draw_socket<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    s: &SocketBox,
    (x0, x1): (i32, i32),
    y: i32,
    listening: bool,
) -> Result<()> {
    let half = pen.px(SOCKET_H / 2.0);
    let (fill, border) = if listening {
        (LISTEN_FILL, (colour::WINDOW, 2.4))
    } else {
        (CONNECTED_FILL, (colour::DATA, 1.4))
    };
    rect(area, pen, (x0, y - half, x1, y + half), fill, border)?;
    let inner = x1 - x0 - pen.px(12.0);
    let centre = Pos::new(HPos::Center, VPos::Center);
    let mid = (x0 + x1) / 2;
    let addr = fitted(area, pen, &s.addr, 15.5, inner, true)?;
    area.draw(&Text::new(
        s.addr.as_str(),
        (mid, y - pen.px(9.0)),
        addr.pos(centre),
    ))
    .or_draw()?;
    let note = fitted(area, pen, &s.note, 12.5, inner, false)?;
    area.draw(&Text::new(
        s.note.as_str(),
        (mid, y + pen.px(12.0)),
        note.pos(centre),
    ))
    .or_draw()
}

fn draw_server<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    g: &Geometry,
    d: &SocketDiagram,
) -> Result<()> {
    let pen = g.pen;
    let bottom = g.row_y(d.rows().saturating_sub(1)) + pen.px(ROW_H / 2.0);
    rect(
        area,
        pen,
        (g.server.0, pen.px(TOP), g.server.1, bottom),
        PROCESS_FILL,
        (colour::AXIS, 1.2),
    )?;
    area.draw(&Text::new(
        d.server.as_str(),
        (g.server.0 + pen.px(14.0), pen.px(TOP + 9.0)),
        pen.text(16.5, colour::TEXT)
            .pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .or_draw()?;
    for (r, s) in d.listening.iter().enumerate() {
        draw_socket(area, pen, s, g.server_sockets, g.row_y(r), true)?;
    }
    for (i, c) in d.clients.iter().enumerate() {
        if let Some(s) = &c.accepted {
            let y = g.row_y(d.listening.len() + i);
            draw_socket(area, pen, s, g.server_sockets, y, false)?;
        }
    }
    Ok(())
}

/// Client `c`'s box on row `r`, and the line of its connection.
fn draw_client<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    g: &Geometry,
    c: &ClientRow,
    r: usize,
) -> Result<()> {
    let pen = g.pen;
    let y = g.row_y(r);
    let half = pen.px(CLIENT_H / 2.0);
    rect(
        area,
        pen,
        (g.client.0, y - half, g.client.1, y + half),
        PROCESS_FILL,
        (colour::AXIS, 1.2),
    )?;
    let room = g.client.1 - g.client_sockets.1 - pen.px(20.0);
    let name = fitted(area, pen, &c.name, 16.0, room, false)?;
    area.draw(&Text::new(
        c.name.as_str(),
        (g.client_sockets.1 + pen.px(12.0), y),
        name.color(&colour::TEXT)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .or_draw()?;
    draw_socket(area, pen, &c.socket, g.client_sockets, y, false)?;
    if c.accepted.is_none() {
        return Ok(());
    }
    let (from, to) = (g.server_sockets.1, g.client_sockets.0);
    area.draw(&PathElement::new(
        vec![(from, y), (to, y)],
        pen.line(colour::DATA, 2.0),
    ))
    .or_draw()?;
    for x in [from, to] {
        area.draw(&Circle::new((x, y), pen.upx(3.5), colour::DATA.filled()))
            .or_draw()?;
    }
    let gap = g.client.0 - g.server.1 - pen.px(8.0);
    let label = fitted(area, pen, &c.link, 12.5, gap, false)?;
    area.draw(&Text::new(
        c.link.as_str(),
        ((g.server.1 + g.client.0) / 2, y - pen.px(5.0)),
        label.pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))
    .or_draw()
}

/// The dashed arrows from the (first) listening socket down to each
/// connected socket of the server.
fn draw_accepts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    g: &Geometry,
    d: &SocketDiagram,
) -> Result<()> {
    let pen = g.pen;
    let targets: Vec<i32> = d
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.accepted.is_some())
        .map(|(i, _)| g.row_y(d.listening.len() + i))
        .collect();
    let (Some(&last), false) = (targets.last(), d.listening.is_empty()) else {
        return Ok(());
    };
    let style = pen.line(colour::NOTE, 1.4);
    let dashed = |points: Vec<(i32, i32)>| {
        DashedPathElement::new(points, pen.px(frame::DASH), pen.px(frame::DASH_GAP), style)
    };
    let (bus, left) = (g.server_sockets.0 - pen.px(BUS), g.server_sockets.0);
    let top = g.row_y(0);
    area.draw(&dashed(vec![(left, top), (bus, top), (bus, last)]))
        .or_draw()?;
    let head = pen.px(10.0);
    let wing = pen.px(4.5);
    for y in targets {
        area.draw(&dashed(vec![(bus, y), (left - head, y)]))
            .or_draw()?;
        area.draw(&Polygon::new(
            vec![(left, y), (left - head, y - wing), (left - head, y + wing)],
            colour::NOTE.filled(),
        ))
        .or_draw()?;
    }
    // "accept()" once, in the gap under the listening socket.
    let gap_y = (g.row_y(d.listening.len() - 1) + g.row_y(d.listening.len())) / 2;
    area.draw(&Text::new(
        "accept()",
        (bus + pen.px(6.0), gap_y),
        pen.mono(12.0, colour::NOTE)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .or_draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(clients: usize) -> SocketDiagram {
        let socket = |addr: &str, note: &str| SocketBox {
            addr: addr.into(),
            note: note.into(),
        };
        SocketDiagram {
            title: "Sockets".into(),
            subtitle: "port 5001".into(),
            server: "server".into(),
            listening: vec![socket("127.0.0.1:5001", "listening (LISTEN)")],
            clients: (1..=clients)
                .map(|n| ClientRow {
                    accepted: Some(socket(
                        "127.0.0.1:5001",
                        &format!("connected to client {n}"),
                    )),
                    name: format!("client {n}"),
                    socket: socket(&format!("127.0.0.1:4000{n}"), "ESTABLISHED"),
                    link: format!("stream {}", n - 1),
                })
                .collect(),
            connection_key: "TCP connection".into(),
            accept_key: "accept()".into(),
            caption: vec!["caption".into()],
        }
    }

    #[test]
    fn every_address_and_label_is_in_the_svg() {
        let fig = sample(2)
            .render(&Style::default(), ImageFormat::Svg)
            .expect("drawn");
        let svg = fig.as_svg().expect("svg");
        for text in [
            "127.0.0.1:5001",
            "127.0.0.1:40001",
            "127.0.0.1:40002",
            "client 2",
            "stream 1",
            "accept()",
            "listening (LISTEN)",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        // Three rows (listening, two clients) plus the frame.
        assert_eq!(fig.height, sample(2).size(&Style::default()).1);
        assert!(fig.height > sample(1).size(&Style::default()).1);
    }

    #[test]
    fn a_png_is_drawn_at_its_scale() {
        let fig = sample(1)
            .render(&Style::default(), ImageFormat::Png)
            .expect("drawn");
        assert_eq!(fig.width, 2048);
        assert!(fig.bytes.starts_with(b"\x89PNG"));
    }
}
