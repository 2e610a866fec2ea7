//! Benchmark: plotting a connection of one million segments.
//!
//!     cargo bench --bench plot_million            # both parts
//!     cargo bench --bench plot_million -- render  # drawing only
//!
//! Part 1 (`render`) draws every graph, SVG and PNG, from a synthetic
//! one-million-segment connection (`plot::synthetic::bulk_transfer`), and
//! checks the bounds: under 2 s per graph, SVG under 5 MB.
//! Part 2 (`capture`) writes a one-million-segment pcap to a temporary
//! directory (70 MB, deleted afterwards; never kept in the repository) and
//! times the whole pipeline: reading, analysis, collection, drawing.
//! Exits non-zero when a bound is exceeded. With `TCPLAB_BENCH_OUT=DIR`
//! the figures of part 1 are saved there, to be looked at.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;
use tcplab_render::plot::{self, synthetic, Graph, ImageFormat, PlotOptions, Style, View};

const SEGMENTS: usize = 1_000_000;
const MAX_SECONDS: f64 = 2.0;
const MAX_SVG_BYTES: usize = 5_000_000;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |part: &str| filter.as_deref().is_none_or(|f| part.contains(f));
    let mut ok = true;
    if wants("render") {
        ok &= render();
    }
    if wants("capture") {
        ok &= capture();
    }
    println!("peak memory (VmHWM): {}", peak_memory());
    if !ok {
        std::process::exit(1);
    }
}

fn render() -> bool {
    let t = Instant::now();
    let series = synthetic::bulk_transfer(SEGMENTS);
    println!(
        "render: {} segments built in {:.3} s",
        series.segments.len(),
        t.elapsed().as_secs_f64()
    );
    let view = View::new(&series, &PlotOptions::default());
    let style = Style::default();
    let mut ok = true;
    println!(
        "{:<11} {:>7} {:>10} {:>7} {:>10}  drawn",
        "graph", "svg s", "svg bytes", "png s", "png bytes"
    );
    for graph in Graph::ALL {
        let t = Instant::now();
        let svg = plot::render(graph, &view, &style, ImageFormat::Svg).expect("svg");
        let svg_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let png = plot::render(graph, &view, &style, ImageFormat::Png).expect("png");
        let png_s = t.elapsed().as_secs_f64();
        if let Some(dir) = std::env::var_os("TCPLAB_BENCH_OUT") {
            let dir = Path::new(&dir);
            for fig in [&svg, &png] {
                let name = format!("million-{graph}.{}", fig.format.extension());
                fig.save(&dir.join(name)).expect("save figure");
            }
        }
        let tally = svg.drawn.tally;
        println!(
            "{:<11} {:>7.3} {:>10} {:>7.3} {:>10}  {} of {}",
            graph.name(),
            svg_s,
            svg.bytes.len(),
            png_s,
            png.bytes.len(),
            tally.drawn,
            tally.input
        );
        if svg_s > MAX_SECONDS || png_s > MAX_SECONDS || svg.bytes.len() > MAX_SVG_BYTES {
            println!("  FAIL: over {MAX_SECONDS} s or {MAX_SVG_BYTES} bytes");
            ok = false;
        }
    }
    ok
}

fn capture() -> bool {
    let dir = std::env::temp_dir().join(format!("tcplab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("million.pcap");
    let t = Instant::now();
    write_capture(&path, SEGMENTS).expect("write capture");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "capture: wrote {} bytes in {:.3} s",
        size,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let got = plot::collect_file(&path, None).expect("collect");
    let read_s = t.elapsed().as_secs_f64();
    println!(
        "capture: read, analysed and collected {} segments in {:.3} s",
        got.series.segments.len(),
        read_s
    );
    let view = View::new(&got.series, &PlotOptions::default());
    let mut ok = true;
    for graph in [Graph::Stevens, Graph::Tcptrace] {
        let t = Instant::now();
        let fig = plot::render(graph, &view, &Style::default(), ImageFormat::Svg).expect("svg");
        let s = t.elapsed().as_secs_f64();
        println!(
            "capture: {graph} SVG in {s:.3} s, {} bytes",
            fig.bytes.len()
        );
        ok &= s <= MAX_SECONDS && fig.bytes.len() <= MAX_SVG_BYTES;
    }
    let _ = std::fs::remove_dir_all(&dir);
    ok
}

/// A bulk transfer 10.0.0.1:40001 → 10.0.0.2:5001 of `segments` segments
/// (handshake, two 1448-byte data segments per ACK, a retransmission every
/// 1000 data segments), headers only: a 54-byte snap length.
fn write_capture(path: &Path, segments: usize) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    // pcap header: microseconds, snaplen 54, Ethernet.
    w.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
    w.write_all(&2u16.to_le_bytes())?;
    w.write_all(&4u16.to_le_bytes())?;
    w.write_all(&[0u8; 8])?;
    w.write_all(&54u32.to_le_bytes())?;
    w.write_all(&1u32.to_le_bytes())?;
    let (c, s) = (1_000_000u32, 2_000_000u32);
    let mut put = |i: usize, from_client: bool, seq: u32, ack: u32, flags: u8, len: u16| {
        frame(&mut w, i as u64 * 10, from_client, seq, ack, flags, len)
    };
    put(0, true, c, 0, 0x02, 0)?;
    put(1, false, s, c + 1, 0x12, 0)?;
    put(2, true, c + 1, s + 1, 0x10, 0)?;
    let (mut next, mut sent) = (c + 1, 0usize);
    for i in 3..segments {
        if i % 3 == 0 {
            put(i, false, s + 1, next, 0x10, 0)?;
        } else if sent > 0 && sent % 1000 == 0 {
            put(i, true, next - 5 * 1448, s + 1, 0x18, 1448)?;
            sent += 1;
        } else {
            put(i, true, next, s + 1, 0x18, 1448)?;
            next = next.wrapping_add(1448);
            sent += 1;
        }
    }
    w.flush()
}

fn frame(
    w: &mut impl Write,
    micros: u64,
    from_client: bool,
    seq: u32,
    ack: u32,
    flags: u8,
    len: u16,
) -> std::io::Result<()> {
    let (src, dst, sport, dport) = if from_client {
        ([10, 0, 0, 1], [10, 0, 0, 2], 40001u16, 5001u16)
    } else {
        ([10, 0, 0, 2], [10, 0, 0, 1], 5001, 40001)
    };
    let ip_len = 20 + 20 + len;
    w.write_all(&((micros / 1_000_000) as u32).to_le_bytes())?;
    w.write_all(&((micros % 1_000_000) as u32).to_le_bytes())?;
    w.write_all(&54u32.to_le_bytes())?;
    w.write_all(&(14 + u32::from(ip_len)).to_le_bytes())?;
    w.write_all(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00])?;
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
    ip[8] = 64;
    ip[9] = 6;
    ip[12..16].copy_from_slice(&src);
    ip[16..20].copy_from_slice(&dst);
    let sum = !ip.chunks(2).fold(0u32, |acc, c| {
        let acc = acc + u32::from(u16::from_be_bytes([c[0], c[1]]));
        (acc & 0xffff) + (acc >> 16)
    }) as u16;
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    w.write_all(&ip)?;
    let mut tcp = [0u8; 20];
    tcp[0..2].copy_from_slice(&sport.to_be_bytes());
    tcp[2..4].copy_from_slice(&dport.to_be_bytes());
    tcp[4..8].copy_from_slice(&seq.to_be_bytes());
    tcp[8..12].copy_from_slice(&ack.to_be_bytes());
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14..16].copy_from_slice(&65535u16.to_be_bytes());
    w.write_all(&tcp)
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
