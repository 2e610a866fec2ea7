//! Every word of the page, in both languages (the page switches without
//! being written again). The graphs' titles, legend keys and axis labels
//! are the static graphs' own (`tcplab_render::plot::PlotStrings`), so a
//! view and a PNG name things alike; the rest (the list, the panels, the
//! help) is this table's. Templates take their values at each `{}`.

use serde_json::{Map, Value};
use tcplab_render::plot::{Lang, PlotStrings};

/// (key, English, Spanish).
const VIEW: &[(&str, &str, &str)] = &[
    ("title", "tcplab view: {}", "tcplab view: {}"),
    ("connections", "Connections", "Conexiones"),
    ("stream", "Stream", "Flujo"),
    ("endpoints", "Endpoints (A ↔ B)", "Extremos (A ↔ B)"),
    ("packets", "Packets", "Paquetes"),
    ("bytes", "Bytes", "Bytes"),
    ("payload", "Payload A→B / B→A", "Carga A→B / B→A"),
    ("duration", "Duration", "Duración"),
    ("state", "State", "Estado"),
    ("sent_again", "Sent again", "Reenviados"),
    ("zero_windows", "Zero windows", "Ventanas cero"),
    ("rtt", "RTT (mean)", "RTT (media)"),
    ("state_closed", "closed", "cerrada"),
    ("state_reset", "reset", "reiniciada (RST)"),
    ("state_closing", "closing", "cerrándose"),
    ("state_open", "open", "abierta"),
    ("direction", "Data direction", "Sentido de los datos"),
    ("relative", "relative sequence numbers", "números de secuencia relativos"),
    ("interval", "Throughput interval", "Intervalo del caudal"),
    ("collapse", "collapse idle gaps", "plegar los huecos sin paquetes"),
    ("reset_zoom", "Reset zoom", "Deshacer zoom"),
    ("language", "Language", "Idioma"),
    ("help", "Drag a box to zoom, wheel to zoom at the pointer, double-click to reset. Keys: + and − zoom, ← → pan, 0 resets. Click a point to select its segment.",
     "Arrastre un recuadro para ampliar, la rueda amplía en el puntero, doble clic deshace. Teclas: + y − amplían, ← → desplazan, 0 deshace. Un clic en un punto selecciona su segmento."),
    ("events", "Events", "Eventos"),
    ("events_none", "No analysis event in this connection.", "Ninguna incidencia del análisis en esta conexión."),
    ("events_all", "All", "Todos"),
    ("events_again", "sent again: {}", "reenviado: {}"),
    ("events_more", "… and {} more (the list shows the first {})", "… y {} más (la lista muestra los {} primeros)"),
    ("segment", "Selected segment", "Segmento seleccionado"),
    ("segment_none", "Click a point of a graph, or an event, to select its segment.", "Haga clic en un punto de una gráfica, o en un evento, para seleccionar su segmento."),
    ("neighbours", "Neighbouring segments", "Segmentos vecinos"),
    ("ladder", "Ladder around the segment", "Diagrama de escalera alrededor del segmento"),
    ("frame", "Frame", "Trama"),
    ("time", "Time", "Tiempo"),
    ("time_note", "s since the connection's first packet", "s desde el primer paquete de la conexión"),
    ("dir", "Direction", "Sentido"),
    ("flags", "Flags", "Flags"),
    ("seq", "seq", "seq"),
    ("ack_no", "ack", "ack"),
    ("rel", "relative", "relativo"),
    ("len", "len", "len"),
    ("win", "Window", "Ventana"),
    ("in_flight", "In flight", "En vuelo"),
    ("ev", "Events", "Eventos"),
    ("why", "Sent again because", "Reenviado por"),
    ("ack_rtt", "ACK RTT", "RTT por ACK"),
    ("ts_rtt", "Timestamp RTT", "RTT por marcas de tiempo"),
    ("sack", "SACK", "SACK"),
    ("mech_fast_recovery", "fast recovery (duplicate ACKs)", "recuperación rápida (ACK duplicados)"),
    ("mech_timeout", "retransmission timeout", "vencimiento del temporizador de retransmisión"),
    ("mech_tail_loss_probe", "tail loss probe", "sonda de pérdida final (TLP)"),
    ("mech_spurious", "spurious (the data had arrived)", "espurio (los datos ya habían llegado)"),
    ("mech_unexplained", "unexplained", "sin explicar"),
    ("left_out", "This page holds the first {} segments of this connection; {} more are in the capture but not here (tcplab view keeps at most {} per connection and {} in all).",
     "Esta página contiene los {} primeros segmentos de esta conexión; otros {} están en la captura pero no aquí (tcplab view guarda como mucho {} por conexión y {} en total)."),
    ("no_segments", "This page holds no segment of this connection (the limit of {} segments in all was reached before it).",
     "Esta página no contiene ningún segmento de esta conexión (se alcanzó antes el límite de {} segmentos en total)."),
    ("damaged", "The capture is damaged part-way: {}. The page shows what came before.", "La captura está dañada a partir de un punto: {}. La página muestra lo anterior."),
    ("kernel_note", "TCP_INFO samples of the sender's kernel: {}.", "Muestras TCP_INFO del núcleo del emisor: {}."),
    ("licence", "This page embeds uPlot (MIT licence, text below).", "Esta página incluye uPlot (licencia MIT, texto abajo)."),
    ("intervals", "{} intervals", "{} intervalos"),
];

/// The table of one language: the view's strings and the graphs'.
fn table(lang: Lang) -> Map<String, Value> {
    let mut m = Map::new();
    for (key, en, es) in VIEW {
        let s = if lang == Lang::Es { es } else { en };
        m.insert((*key).to_string(), Value::from(*s));
    }
    let p = PlotStrings::of(lang);
    let graph: [(&str, &str); 29] = [
        ("stevens_title", p.stevens_title),
        ("tcptrace_title", p.tcptrace_title),
        ("throughput_title", p.throughput_title),
        ("rtt_title", p.rtt_title),
        ("window_title", p.window_title),
        ("ladder_title", p.ladder_title),
        ("time_axis", p.time_axis),
        ("seq_axis_absolute", p.seq_axis_absolute),
        ("seq_axis_relative", p.seq_axis_relative),
        ("rate_axis", p.rate_axis),
        ("rtt_axis", p.rtt_axis),
        ("bytes_axis", p.bytes_axis),
        ("data_segment", p.data_segment),
        ("sent_again_key", p.sent_again),
        ("zero_window", p.zero_window),
        ("ack", p.ack),
        ("window_limit", p.window_limit),
        ("sack_block", p.sack_block),
        ("duplicate_ack", p.duplicate_ack),
        ("throughput_all", p.throughput_all),
        ("goodput", p.goodput),
        ("moving_average", p.moving_average),
        ("ack_rtt_sample", p.ack_rtt_sample),
        ("timestamp_rtt_sample", p.timestamp_rtt_sample),
        ("smoothed_rtt", p.smoothed_rtt),
        ("kernel_srtt", p.kernel_srtt),
        ("kernel_cwnd", p.kernel_cwnd),
        ("kernel_ssthresh", p.kernel_ssthresh),
        ("window_advertised_by", p.window_advertised_by),
    ];
    for (key, s) in graph {
        m.insert(key.to_string(), Value::from(s));
    }
    m.insert("in_flight_from".into(), Value::from(p.in_flight_from));
    m.insert("subtitle".into(), Value::from(p.subtitle));
    m
}

/// `{"en": {...}, "es": {...}}`.
pub fn both() -> Value {
    let mut m = Map::new();
    for lang in [Lang::En, Lang::Es] {
        m.insert(lang.code().to_string(), Value::Object(table(lang)));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_holes() {
        let all = both();
        let (en, es) = (&all["en"], &all["es"]);
        let keys = |v: &Value| -> Vec<String> {
            v.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys(en), keys(es));
        for k in keys(en) {
            let holes = |v: &Value| v[&k].as_str().unwrap_or("").matches("{}").count();
            assert_eq!(holes(en), holes(es), "{k}");
        }
    }
}
