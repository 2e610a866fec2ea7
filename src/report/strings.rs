//! Every sentence of the report, one table per language. Templates take
//! their values in order at each `{}` (`fill`); a `Plural` is a count with
//! its noun (`of`), or a sentence about a count whose singular names its
//! one thing without the number (`sentence`). Nothing else in `report`
//! writes prose. `Lang`, `fill` and `Plural` are shared with the graphs
//! (`plot::lang`).

pub use crate::plot::lang::{fill, Lang, Plural};

pub struct Strings {
    /// The path and kernel sections (`report::path`).
    pub path: &'static super::strings_path::PathStrings,
    /// The language of the table (its numbers' decimal separator).
    pub lang: Lang,
    /// Between the numbers of a list: "×1.0, ×2.0" but "×1,0; ×2,0".
    pub number_sep: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub studied: &'static str,
    pub studied_no_data: &'static str,
    pub connections: &'static str,
    pub conn_head: [&'static str; 6],
    pub state_closed: &'static str,
    pub state_reset: &'static str,
    pub state_closing: &'static str,
    pub state_open: &'static str,
    pub sockets: &'static str,
    pub sockets_head: [&'static str; 3],
    pub sockets_summary: &'static str,
    pub n_listening_sockets: Plural,
    pub n_connection_sockets: Plural,
    pub sockets_none: &'static str,
    pub establishment: &'static str,
    pub seg_head: [&'static str; 9],
    pub no_handshake: &'static str,
    pub no_syn_ack: &'static str,
    pub initial_rtt: &'static str,
    pub chk_syn_ack: &'static str,
    pub chk_ack_seq: &'static str,
    pub chk_ack_ack: &'static str,
    pub chk_options: &'static str,
    pub transfer: &'static str,
    pub transfer_line: &'static str,
    pub transfer_lost_first: &'static str,
    pub transfer_rates: &'static str,
    pub transfer_none: &'static str,
    pub chk_bytes: &'static str,
    pub release: &'static str,
    pub no_release: &'static str,
    pub chk_fin: &'static str,
    pub fin_unacked: &'static str,
    pub rst_line: &'static str,
    pub rst_refused: &'static str,
    pub graphs: &'static str,
    pub graph_names: [&'static str; 6],
    pub cap_ladder: &'static str,
    pub cap_ladder_fold: &'static str,
    pub cap_stevens_clean: &'static str,
    pub cap_stevens_loss: Plural,
    pub cap_tcptrace_clean: &'static str,
    pub cap_tcptrace_zero: Plural,
    pub cap_tcptrace_loss: &'static str,
    pub cap_tcptrace_full: Plural,
    pub cap_throughput: &'static str,
    pub cap_rtt: &'static str,
    pub cap_rtt_none: &'static str,
    pub cap_no_data: Plural,
    pub cap_window: &'static str,
    pub cap_window_const: &'static str,
    pub cap_window_zero: Plural,
    pub answers: &'static str,
    pub no_data_answers: &'static str,
    pub q_retrans: &'static str,
    pub retrans_none: &'static str,
    pub retrans_some: Plural,
    pub retrans_kinds: [&'static str; 4],
    /// How many retransmissions of each of `retrans_kinds` ("3 fast").
    pub retrans_kind_counts: [Plural; 4],
    pub retrans_item: &'static str,
    pub retrans_item_short: &'static str,
    pub retrans_lost: &'static str,
    pub retrans_dup: &'static str,
    pub q_buffer: &'static str,
    pub buffer_no: &'static str,
    pub buffer_zero: &'static str,
    pub buffer_period: &'static str,
    pub buffer_full_only: &'static str,
    pub buffer_updates: &'static str,
    pub buffer_probes: &'static str,
    pub q_slow_start: &'static str,
    pub ss_head: [&'static str; 5],
    pub ss_visible: &'static str,
    pub ss_linear: &'static str,
    pub ss_ended: &'static str,
    pub ss_short_note: &'static str,
    pub ss_loss_early: &'static str,
    pub ss_loss_last: &'static str,
    pub ss_loss: &'static str,
    pub ss_loss_later: &'static str,
    pub retrans_ooo: &'static str,
    pub ss_limited: &'static str,
    pub ss_too_short: &'static str,
    pub ss_not_visible: &'static str,
    pub ss_window_capped: &'static str,
    pub ss_suggest: &'static str,
    pub q_rtt: &'static str,
    pub rtt_line: &'static str,
    pub rtt_var: &'static str,
    pub rtt_var_zero: &'static str,
    pub rtt_none: &'static str,
    pub q_limit: &'static str,
    pub limit_flow: &'static str,
    pub limit_congestion: &'static str,
    pub limit_mostly_congestion: &'static str,
    pub limit_neither: &'static str,
    pub limit_neither_ss: &'static str,
    pub quality: &'static str,
    pub sha_line: &'static str,
    pub sha_identical: &'static str,
    pub sha_differ: &'static str,
    pub no_meta: &'static str,
    pub drops: &'static str,
    pub drops_unknown: &'static str,
    pub truncated: &'static str,
    pub not_tcp: &'static str,
    pub damaged: &'static str,
    /// A list of frames: "frame 12", "frames 12, 16".
    pub frames: Plural,
    pub more: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub n_packets: Plural,
    pub n_connections: Plural,
    pub n_data_segments: Plural,
    pub n_times: Plural,
    pub n_periods: Plural,
    pub n_samples: Plural,
    pub n_round_trips: Plural,
    pub n_retransmissions: Plural,
    pub n_gaps: Plural,
    pub n_duplicate_acks: Plural,
    pub n_window_updates: Plural,
}

impl Strings {
    pub fn of(lang: Lang) -> &'static Strings {
        match lang {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

pub static EN: Strings = Strings {
    path: &super::strings_path::EN,
    lang: Lang::En,
    number_sep: ", ",
    title: "TCP report: {}",
    intro: "Capture `{}`: {}, {} of them TCP segments, in {}.",
    studied: "This report studies stream {}: the client {} opens the connection to the server {}; the data flows {} → {}.",
    studied_no_data: "This report studies stream {}: the client {} tries to open a connection to the server {}; no data was sent.",
    connections: "Connections",
    conn_head: ["stream", "client", "server", "packets", "duration", "end"],
    state_closed: "closed (FIN both ways)",
    state_reset: "reset (RST)",
    state_closing: "closing (FIN not acknowledged)",
    state_open: "open (no FIN or RST captured)",
    sockets: "Sockets (exercise 4)",
    sockets_head: ["local", "remote", "state"],
    sockets_summary: "While the connections were up, port {} had {} and {}: the server accepts on the listening socket and talks to each client on a socket of its own.",
    n_listening_sockets: Plural("{} listening socket", "{} listening sockets"),
    n_connection_sockets: Plural("{} connection socket", "{} connection sockets"),
    sockets_none: "There is no run metadata beside this capture, so there is no socket snapshot; `tcplab run-and-capture` records one (`netstat -tan` shows the same).",
    establishment: "Establishment",
    seg_head: ["frame", "time (s)", "from", "flags", "seq", "ack", "len", "window", "options"],
    no_handshake: "The three-way handshake is not in the capture (it started before the capture).",
    no_syn_ack: "No SYN/ACK answered the SYN: the handshake did not complete (see the release below).",
    initial_rtt: "The handshake took {}: SYN to SYN/ACK {}, SYN/ACK to ACK {}.",
    chk_syn_ack: "SYN/ACK ack = SYN seq + 1: {} + 1 = {} {} (the SYN consumes one sequence number)",
    chk_ack_seq: "ACK seq = SYN seq + 1: {} + 1 = {} {}",
    chk_ack_ack: "ACK ack = SYN/ACK seq + 1: {} + 1 = {} {} (the server's SYN consumes one too)",
    chk_options: "Options agreed: MSS {} / {}, window scale {} / {}, SACK {}, timestamps {} (client / server).",
    transfer: "Transfer",
    transfer_line: "{} → {}: {} carrying {} payload bytes, {} of them seen for the first time in the capture and {} in retransmissions, from frame {} to frame {} ({}).",
    transfer_lost_first: "The retransmitted bytes of {} also count as first seen: their first copies were lost before the capture point.",
    transfer_rates: "Throughput {} and goodput {} over the connection's {}.",
    transfer_none: "No data segment was sent.",
    chk_bytes: "{}: data bytes sent = last sequence number − first: {} − ({} + 1) = {} (the {} of frame {} comes after the last byte, ISN + 1 is the first byte); new bytes counted in the capture: {} {}",
    release: "Release",
    no_release: "No FIN or RST was captured: the connection was still open when the capture stopped.",
    chk_fin: "ACK of the FIN from {} = FIN seq + len + 1: {} + {} + 1 = {} {} (frame {} acknowledges frame {}; the FIN consumes one sequence number)",
    fin_unacked: "The FIN of {} (frame {}) was not acknowledged in the capture.",
    rst_line: "Frame {}: {} sends RST with seq {} (the next byte it would send is {}) {}: the connection is aborted, the RST consumes no sequence number and is not acknowledged.",
    rst_refused: "Frame {}: {} answers the SYN with RST/ACK, ack {} = SYN seq {} + 1 {}: nothing listens on port {} (connection refused).",
    graphs: "Graphs",
    graph_names: ["Ladder diagram", "Stevens graph", "tcptrace graph", "Throughput", "Round-trip time", "Window"],
    cap_ladder: "Read it top to bottom: all {} segments of the connection, each arrow labelled with its flags and absolute seq and ack, as exercise 5 asks you to draw.",
    cap_ladder_fold: "Read it top to bottom: the handshake and the first data segments, then the middle of the {} segments folded into one gap, then the release, each arrow labelled with its flags and absolute seq and ack.",
    cap_stevens_clean: "The sequence number climbs from the ISN to {} bytes later in {} without stepping back: no segment was sent twice.",
    cap_stevens_loss: Plural(
        "The red cross below the rising line is the only retransmission, at frame {} ({} s).",
        "The red crosses below the rising line are the {} retransmissions, from frame {} ({} s) to frame {} ({} s).",
    ),
    cap_tcptrace_clean: "The data (vertical bars) stays between the ACK line (below) and the receive-window line (above), never touching the window line: the receiver window never limited the sender.",
    cap_tcptrace_zero: Plural(
        "The receive-window line (top) runs right on the data: the sender sent only what the receiver's window allowed, and the purple square is the only zero-window ACK, at frame {} ({} s).",
        "The receive-window line (top) runs right on the data: the sender sent only what the receiver's window allowed, and the purple squares are the {} zero-window ACKs, the first at frame {} ({} s).",
    ),
    cap_tcptrace_loss: "Look at the ACK line flattening while data keeps going above it from frame {}: duplicate ACKs ({}) until the retransmission fills the hole.",
    cap_tcptrace_full: Plural(
        "The data reaches the window line (top) once, at frame {}: there the sender had filled the receiver's window.",
        "The data reaches the window line (top) {} times, first at frame {}: there the sender had filled the receiver's window.",
    ),
    cap_throughput: "The sender averaged {} over the connection; the curve shows how that rate varied while it was sending.",
    cap_rtt: "Each point is an ACK's round-trip time for the data it acknowledged: {} between {} and {}.",
    cap_rtt_none: "The capture gives no RTT sample for this direction's data.",
    cap_no_data: Plural(
        "No data was sent, so this graph shows only the connection's single captured segment.",
        "No data was sent, so this graph shows only the {} segments that opened and ended the connection.",
    ),
    cap_window: "The receiver advertised between {} and {} bytes; compare it with the bytes in flight, which peaked at {} bytes (frame {}).",
    cap_window_const: "The receiver advertised a constant {} bytes; compare it with the bytes in flight, which peaked at {} bytes (frame {}).",
    cap_window_zero: Plural(
        "The advertised window falls to zero once (at frame {}, {} s) while the bytes in flight stop growing: the receiver's buffer was full.",
        "The advertised window falls to zero {} times (first at frame {}, {} s) while the bytes in flight stop growing: the receiver's buffer was full.",
    ),
    answers: "Answers to final exercise 3",
    no_data_answers: "This connection carried no data: there were no retransmissions, no receive buffer to fill, no slow start and no flow or congestion control to observe.",
    q_retrans: "Were there retransmissions?",
    retrans_none: "No: {} sent {} and none was retransmitted; the capture shows no lost segment and no duplicate ACK.",
    retrans_some: Plural(
        "Yes: one of the {} data segments of {} was a retransmission ({} bytes resent): {}, {}, {}, {}.",
        "Yes: {} of the {} data segments of {} were retransmissions ({} bytes resent): {}, {}, {}, {}.",
    ),
    retrans_kinds: [
        "fast retransmission (after duplicate ACKs)",
        "retransmission after a timeout (RTO)",
        "retransmission sooner than Linux's 200 ms minimum RTO, so not after a timeout",
        "spurious retransmission (the receiver already had the data)",
    ],
    retrans_kind_counts: [
        Plural("{} fast", "{} fast"),
        Plural("{} after a timeout", "{} after a timeout"),
        Plural("{} sooner than a timeout could fire", "{} sooner than a timeout could fire"),
        Plural("{} spurious", "{} spurious"),
    ],
    retrans_item: "frame {} at {} s: {}; original frame {}, {} earlier",
    retrans_item_short: "frame {} at {} s: {}",
    retrans_lost: "The sequence numbers jump over data that was never captured (\"previous segment not captured\") {}: the missing segments were lost before the capture point.",
    retrans_dup: "The receiver sent {}, {}.",
    q_buffer: "Did the receive buffer fill?",
    buffer_no: "No: the receiver never advertised a zero window and the sender never filled the window (largest window {}, most bytes in flight {}).",
    buffer_zero: "Yes: the receiver advertised a zero window {} in {} ({}), {} in all; the sender filled the window {}.",
    buffer_period: "from frame {} at {} s for {} (window reopened by frame {})",
    buffer_full_only: "Almost: the window never went to zero, but the sender filled it {} (\"window full\", {}).",
    buffer_updates: "The receiver sent {} as the application read data, {}.",
    buffer_probes: "The sender probed the closed window {}, {} (Linux sends a probe that Wireshark labels keep-alive).",
    q_slow_start: "Is slow start visible?",
    ss_head: ["round trip", "time (s)", "first frame", "segments", "bytes in flight"],
    ss_visible: "Yes: the bytes in flight per round trip grow from {} (round trip 1) to {} (round trip {}), {} from one round trip to the next: close to doubling, as slow start does.",
    ss_linear: "From round trip {} (frame {}) it stops doubling ({} → {} bytes).",
    ss_ended: "The transfer ends after round trip {}, so no later phase can be seen.",
    ss_short_note: "The whole transfer took only {} round trips of about {}: too few to watch the growth turn linear.",
    ss_loss_last: "No: the first loss comes in round trip {} (frame {}, {} s), the last one of the transfer, when at most {} bytes had been in flight: there is no doubling to see before it and no round trip after it.",
    ss_loss_early: "No: the first loss comes in round trip {} (frame {}, {} s), when at most {} bytes had been in flight; in the {} after it the bytes in flight per round trip stay between {} and {} bytes, so there is no doubling to see.",
    ss_loss: "The first loss, in round trip {} (frame {}), ends slow start.",
    ss_loss_later: "The first loss came later, in round trip {} (frame {}).",
    retrans_ooo: "Wireshark labels {} from {} out of order ({}): data below the highest sequence number already sent, close behind the previous segment. In a capture taken at the sender that can only be data sent again, so count them as retransmissions too.",
    ss_limited: "The growth stops at the receiver's window ({} bytes): flow control, not congestion control, caps it.",
    ss_too_short: "Not really: the transfer took {} of about {} and carried {} bytes, too little to see the window double (a Linux sender may put 10 segments in flight in its first round trip).",
    ss_not_visible: "No: over {} round trips the bytes in flight per round trip do not keep doubling ({} at the start, at most {}); with round trips of about {} there is little to see.",
    ss_window_capped: "No: the receiver's window (at most {} bytes) caps the bytes in flight from the first round trip on ({} bytes at most, {} round trips), so the congestion window never gets to grow: flow control, not slow start, sets the pace.",
    ss_suggest: "To see it, make the path slower than the sender and the transfer longer: `tcplab run-and-capture --rate 10mbit --delay 20ms --payload-size 5M` puts tcplab's emulated link (10 Mbit/s, 40 ms round trip) between a 5 MB sender and its receiver.",
    q_rtt: "RTT",
    rtt_line: "RTT of {}'s data (from ACKs): min {}, avg {}, max {} over {}; the handshake measured {}.",
    rtt_var: "It varies: standard deviation {}, the maximum is {} times the minimum; the largest sample is the ACK in frame {} at {} s{}.",
    rtt_var_zero: " — ACKs waited while the receiver's window was closed, so these samples measure the slow reader, not the path",
    rtt_none: "The capture gives no RTT sample for {}'s data.",
    q_limit: "Flow control or congestion control?",
    limit_flow: "Flow control limited the sender: the receiver's window closed {} and the sender filled it {}, while the most bytes in flight ({}) never exceeded the window.",
    limit_mostly_congestion: "Mostly congestion control: {} and {} of data lost before the capture point, each one cutting the sender's congestion window; the sender filled the receiver's window only {} (most bytes in flight {}, window up to {} bytes), so flow control held it back only briefly.",
    limit_congestion: "Congestion control limited the sender: {} and {} of data lost before the capture point, while the bytes in flight never went above {} bytes, far below the receiver's window of {} bytes: the limit was the sender's congestion window, which TCP reduces at every loss.",
    limit_neither: "Not flow control: at most {} bytes were in flight against a receiver window of up to {} bytes, so the window never filled; and no loss made congestion control slow the sender down. The transfer went as fast as the application wrote and the path carried it.",
    limit_neither_ss: "Not flow control: at most {} bytes were in flight against a receiver window of up to {} bytes, so the window never filled. Congestion control, yes, but only through slow start: the congestion window, growing round trip by round trip, set how much could be in flight; no loss occurred.",
    quality: "Integrity and capture quality",
    sha_line: "SHA-256 of the file sent ({} bytes): `{}`; received ({} bytes): `{}`.",
    sha_identical: "The two are identical ✓: the file arrived intact.",
    sha_differ: "They differ ✗: the file did not arrive intact.",
    no_meta: "No run metadata: the file hashes and the kernel drop counters are only known for captures made with `tcplab run-and-capture`.",
    drops: "libpcap: {} packets received, {} dropped by the kernel, {} by the interface {}.",
    drops_unknown: "Kernel drops: unknown (no run metadata).",
    truncated: "Segments cut by the snap length: {}.",
    not_tcp: "Packets that are not TCP segments: {}{}.",
    damaged: "The file is damaged: {}; everything before it was analysed.",
    frames: Plural("frame {}", "frames {}"),
    more: "… ({} in all)",
    yes: "yes",
    no: "no",
    n_packets: Plural("{} packet", "{} packets"),
    n_connections: Plural("{} connection", "{} connections"),
    n_data_segments: Plural("{} data segment", "{} data segments"),
    n_times: Plural("once", "{} times"),
    n_periods: Plural("{} period", "{} periods"),
    n_samples: Plural("{} sample", "{} samples"),
    n_round_trips: Plural("{} round trip", "{} round trips"),
    n_retransmissions: Plural("{} retransmission", "{} retransmissions"),
    n_gaps: Plural("{} gap", "{} gaps"),
    n_duplicate_acks: Plural("{} duplicate ACK", "{} duplicate ACKs"),
    n_window_updates: Plural("{} window update", "{} window updates"),
};

pub static ES: Strings = Strings {
    path: &super::strings_path::ES,
    lang: Lang::Es,
    number_sep: "; ",
    title: "Informe TCP: {}",
    intro: "Captura `{}`: {}, {} de ellos segmentos TCP, en {}.",
    studied: "Este informe estudia el stream {}: el cliente {} abre la conexión con el servidor {}; los datos van de {} a {}.",
    studied_no_data: "Este informe estudia el stream {}: el cliente {} intenta abrir una conexión con el servidor {}; no se enviaron datos.",
    connections: "Conexiones",
    conn_head: ["stream", "cliente", "servidor", "paquetes", "duración", "final"],
    state_closed: "cerrada (FIN en ambos sentidos)",
    state_reset: "abortada (RST)",
    state_closing: "cerrándose (FIN sin asentir)",
    state_open: "abierta (sin FIN ni RST capturados)",
    sockets: "Sockets (ejercicio 4)",
    sockets_head: ["local", "remoto", "estado"],
    sockets_summary: "Mientras las conexiones estaban abiertas, el puerto {} tenía {} y {}: el servidor acepta en el socket de escucha y atiende a cada cliente en un socket propio.",
    n_listening_sockets: Plural("{} socket de escucha", "{} sockets de escucha"),
    n_connection_sockets: Plural("{} socket de conexión", "{} sockets de conexión"),
    sockets_none: "No hay metadatos de la ejecución junto a esta captura, así que no hay instantánea de sockets; `tcplab run-and-capture` la registra (`netstat -tan` muestra lo mismo).",
    establishment: "Establecimiento",
    seg_head: ["trama", "tiempo (s)", "de", "flags", "seq", "ack", "len", "ventana", "opciones"],
    no_handshake: "El saludo en tres pasos no está en la captura (empezó antes de capturar).",
    no_syn_ack: "Ningún SYN/ACK respondió al SYN: el saludo no se completó (ver la liberación más abajo).",
    initial_rtt: "El saludo duró {}: de SYN a SYN/ACK {}, de SYN/ACK a ACK {}.",
    chk_syn_ack: "ack del SYN/ACK = seq del SYN + 1: {} + 1 = {} {} (el SYN consume un número de secuencia)",
    chk_ack_seq: "seq del ACK = seq del SYN + 1: {} + 1 = {} {}",
    chk_ack_ack: "ack del ACK = seq del SYN/ACK + 1: {} + 1 = {} {} (el SYN del servidor también consume uno)",
    chk_options: "Opciones acordadas: MSS {} / {}, escala de ventana {} / {}, SACK {}, marcas de tiempo {} (cliente / servidor).",
    transfer: "Transferencia",
    transfer_line: "{} → {}: {} con {} bytes de carga, {} de ellos vistos por primera vez en la captura y {} en retransmisiones, de la trama {} a la {} ({}).",
    transfer_lost_first: "Los bytes retransmitidos de {} cuentan también como vistos por primera vez: sus primeras copias se perdieron antes del punto de captura.",
    transfer_rates: "Throughput {} y goodput {} durante los {} de la conexión.",
    transfer_none: "No se envió ningún segmento de datos.",
    chk_bytes: "{}: bytes de datos enviados = último número de secuencia − primero: {} − ({} + 1) = {} (el {} de la trama {} va tras el último byte, ISN + 1 es el primer byte); bytes nuevos contados en la captura: {} {}",
    release: "Liberación",
    no_release: "No se capturó ningún FIN ni RST: la conexión seguía abierta al parar la captura.",
    chk_fin: "ACK del FIN de {} = seq del FIN + len + 1: {} + {} + 1 = {} {} (la trama {} asiente la trama {}; el FIN consume un número de secuencia)",
    fin_unacked: "El FIN de {} (trama {}) no fue asentido en la captura.",
    rst_line: "Trama {}: {} envía RST con seq {} (el siguiente byte que enviaría es {}) {}: la conexión se aborta; el RST no consume número de secuencia y no se asiente.",
    rst_refused: "Trama {}: {} responde al SYN con RST/ACK, ack {} = seq del SYN {} + 1 {}: nadie escucha en el puerto {} (conexión rechazada).",
    graphs: "Gráficas",
    graph_names: ["Diagrama de escalera", "Gráfica de Stevens", "Gráfica tcptrace", "Throughput", "Tiempo de ida y vuelta", "Ventana"],
    cap_ladder: "Léelo de arriba abajo: los {} segmentos de la conexión, cada flecha con sus flags y sus seq y ack absolutos, como pide dibujar el ejercicio 5.",
    cap_ladder_fold: "Léelo de arriba abajo: el establecimiento y los primeros segmentos de datos, luego la parte central de los {} segmentos plegada en un hueco, luego la liberación, cada flecha con sus flags y sus seq y ack absolutos.",
    cap_stevens_clean: "El número de secuencia sube desde el ISN hasta {} bytes más en {} sin retroceder: ningún segmento se envió dos veces.",
    cap_stevens_loss: Plural(
        "La cruz roja bajo la línea ascendente es la única retransmisión, en la trama {} ({} s).",
        "Las cruces rojas bajo la línea ascendente son las {} retransmisiones, de la trama {} ({} s) a la trama {} ({} s).",
    ),
    cap_tcptrace_clean: "Los datos (barras verticales) quedan entre la línea de ACK (debajo) y la de ventana de recepción (encima), sin tocar nunca la de ventana: la ventana del receptor no limitó al emisor.",
    cap_tcptrace_zero: Plural(
        "La línea de ventana de recepción (arriba) va pegada a los datos: el emisor solo envió lo que permitía la ventana del receptor, y el cuadrado morado es el único ACK con ventana cero, en la trama {} ({} s).",
        "La línea de ventana de recepción (arriba) va pegada a los datos: el emisor solo envió lo que permitía la ventana del receptor, y los cuadrados morados son los {} ACK con ventana cero, el primero en la trama {} ({} s).",
    ),
    cap_tcptrace_loss: "Fíjate en la línea de ACK que se queda plana mientras los datos siguen por encima desde la trama {}: ACK duplicados ({}) hasta que la retransmisión rellena el hueco.",
    cap_tcptrace_full: Plural(
        "Los datos alcanzan la línea de ventana (arriba) una vez, en la trama {}: ahí el emisor había llenado la ventana del receptor.",
        "Los datos alcanzan la línea de ventana (arriba) {} veces, la primera en la trama {}: ahí el emisor había llenado la ventana del receptor.",
    ),
    cap_throughput: "El emisor promedió {} en la conexión; la curva muestra cómo varió ese ritmo mientras enviaba.",
    cap_rtt: "Cada punto es el tiempo de ida y vuelta de un ACK para los datos que asiente: {} entre {} y {}.",
    cap_rtt_none: "La captura no da ninguna muestra de RTT para los datos de este sentido.",
    cap_no_data: Plural(
        "No se enviaron datos, así que esta gráfica muestra solo el único segmento capturado de la conexión.",
        "No se enviaron datos, así que esta gráfica muestra solo los {} segmentos que abrieron y cerraron la conexión.",
    ),
    cap_window: "El receptor anunció entre {} y {} bytes; compárala con los bytes en vuelo, cuyo máximo fue {} bytes (trama {}).",
    cap_window_const: "El receptor anunció siempre {} bytes; compárala con los bytes en vuelo, cuyo máximo fue {} bytes (trama {}).",
    cap_window_zero: Plural(
        "La ventana anunciada cae a cero una vez (en la trama {}, {} s) mientras los bytes en vuelo dejan de crecer: el buffer del receptor estaba lleno.",
        "La ventana anunciada cae a cero {} veces (la primera en la trama {}, {} s) mientras los bytes en vuelo dejan de crecer: el buffer del receptor estaba lleno.",
    ),
    answers: "Respuestas al ejercicio final 3",
    no_data_answers: "Esta conexión no llevó datos: no hubo retransmisiones, ni buffer de recepción que llenar, ni arranque lento, ni control de flujo o de congestión que observar.",
    q_retrans: "¿Ha habido retransmisiones?",
    retrans_none: "No: {} envió {} y ninguno se retransmitió; la captura no muestra segmentos perdidos ni ACK duplicados.",
    retrans_some: Plural(
        "Sí: uno de los {} segmentos de datos de {} fue una retransmisión ({} bytes reenviados): {}, {}, {}, {}.",
        "Sí: {} de los {} segmentos de datos de {} fueron retransmisiones ({} bytes reenviados): {}, {}, {}, {}.",
    ),
    retrans_kinds: [
        "retransmisión rápida (tras ACK duplicados)",
        "retransmisión por vencimiento del temporizador (RTO)",
        "retransmisión antes de los 200 ms de RTO mínimo de Linux, así que no es por vencimiento del temporizador",
        "retransmisión espuria (el receptor ya tenía los datos)",
    ],
    retrans_kind_counts: [
        Plural("{} rápida", "{} rápidas"),
        Plural("{} por temporizador", "{} por temporizador"),
        Plural("{} antes de que pudiera vencer el temporizador", "{} antes de que pudiera vencer el temporizador"),
        Plural("{} espuria", "{} espurias"),
    ],
    retrans_item: "trama {} a los {} s: {}; trama original {}, {} antes",
    retrans_item_short: "trama {} a los {} s: {}",
    retrans_lost: "Los números de secuencia saltan sobre datos que nunca se capturaron (\"previous segment not captured\") {}: los segmentos que faltan se perdieron antes del punto de captura.",
    retrans_dup: "El receptor envió {}, {}.",
    q_buffer: "¿Se ha llenado el buffer de recepción?",
    buffer_no: "No: el receptor nunca anunció ventana cero y el emisor nunca llenó la ventana (ventana máxima {}, máximo de bytes en vuelo {}).",
    buffer_zero: "Sí: el receptor anunció ventana cero {} en {} ({}), {} en total; el emisor llenó la ventana {}.",
    buffer_period: "desde la trama {} a los {} s durante {} (la trama {} reabre la ventana)",
    buffer_full_only: "Casi: la ventana nunca llegó a cero, pero el emisor la llenó {} (\"window full\", {}).",
    buffer_updates: "El receptor envió {} a medida que la aplicación leía, {}.",
    buffer_probes: "El emisor sondeó la ventana cerrada {}, {} (Linux envía una sonda que Wireshark etiqueta como keep-alive).",
    q_slow_start: "¿Se aprecia el arranque lento?",
    ss_head: ["ida y vuelta", "tiempo (s)", "primera trama", "segmentos", "bytes en vuelo"],
    ss_visible: "Sí: los bytes en vuelo por ida y vuelta crecen de {} (ida y vuelta 1) a {} (ida y vuelta {}), {} de una ida y vuelta a la siguiente: casi duplicándose, como hace el arranque lento.",
    ss_linear: "Desde la ida y vuelta {} (trama {}) deja de duplicarse ({} → {} bytes).",
    ss_ended: "La transferencia termina tras la ida y vuelta {}, así que no se ve ninguna fase posterior.",
    ss_short_note: "La transferencia entera duró solo {} idas y vueltas de unos {}: demasiado pocas para ver el crecimiento volverse lineal.",
    ss_loss_last: "No: la primera pérdida llega en la ida y vuelta {} (trama {}, {} s), la última de la transferencia, cuando como mucho había {} bytes en vuelo: no hay duplicación que ver antes de ella ni ida y vuelta después.",
    ss_loss_early: "No: la primera pérdida llega en la ida y vuelta {} (trama {}, {} s), cuando como mucho había {} bytes en vuelo; en {} más, los bytes en vuelo por ida y vuelta se quedan entre {} y {} bytes, así que no hay duplicación que ver.",
    ss_loss: "La primera pérdida, en la ida y vuelta {} (trama {}), termina el arranque lento.",
    ss_loss_later: "La primera pérdida llegó después, en la ida y vuelta {} (trama {}).",
    retrans_ooo: "Wireshark marca {} de {} como desordenados ({}): datos por debajo del mayor número de secuencia ya enviado, muy poco después del segmento anterior. En una captura tomada en el emisor solo pueden ser datos enviados de nuevo, así que cuéntalos también como retransmisiones.",
    ss_limited: "El crecimiento se detiene en la ventana del receptor ({} bytes): lo limita el control de flujo, no el de congestión.",
    ss_too_short: "No realmente: la transferencia duró {} de unos {} y llevó {} bytes, demasiado poco para ver duplicarse la ventana (un emisor Linux puede tener 10 segmentos en vuelo ya en su primera ida y vuelta).",
    ss_not_visible: "No: en {} idas y vueltas los bytes en vuelo por ida y vuelta no se duplican de forma sostenida ({} al principio, como mucho {}); con idas y vueltas de unos {} hay poco que ver.",
    ss_window_capped: "No: la ventana del receptor (como mucho {} bytes) limita los bytes en vuelo desde la primera ida y vuelta ({} bytes como mucho, {} idas y vueltas), así que la ventana de congestión no llega a crecer: marca el ritmo el control de flujo, no el arranque lento.",
    ss_suggest: "Para verlo, haz el camino más lento que el emisor y la transferencia más larga: `tcplab run-and-capture --rate 10mbit --delay 20ms --payload-size 5M` pone el enlace emulado de tcplab (10 Mbit/s, 40 ms de ida y vuelta) entre un emisor de 5 MB y su receptor.",
    q_rtt: "RTT",
    rtt_line: "RTT de los datos de {} (a partir de los ACK): mín {}, media {}, máx {} en {}; el saludo midió {}.",
    rtt_var: "Varía: desviación típica {}, el máximo es {} veces el mínimo; la muestra mayor es el ACK de la trama {} a los {} s{}.",
    rtt_var_zero: " — los ACK esperaron mientras la ventana del receptor estaba cerrada, así que estas muestras miden al lector lento, no el camino",
    rtt_none: "La captura no da ninguna muestra de RTT para los datos de {}.",
    q_limit: "¿Control de flujo o control de congestión?",
    limit_flow: "El control de flujo limitó al emisor: la ventana del receptor se cerró {} y el emisor la llenó {}, sin que los bytes en vuelo (máximo {}) superasen nunca la ventana.",
    limit_mostly_congestion: "Sobre todo el control de congestión: {} y {} de datos perdidos antes del punto de captura, cada una reduciendo la ventana de congestión del emisor; el emisor llenó la ventana del receptor solo {} (máximo en vuelo {}, ventana de hasta {} bytes), así que el control de flujo lo frenó solo un momento.",
    limit_congestion: "El control de congestión limitó al emisor: {} y {} de datos perdidos antes del punto de captura, mientras los bytes en vuelo nunca pasaron de {} bytes, muy por debajo de la ventana del receptor de {} bytes: el límite fue la ventana de congestión del emisor, que TCP reduce en cada pérdida.",
    limit_neither: "No fue el control de flujo: como mucho hubo {} bytes en vuelo frente a una ventana del receptor de hasta {} bytes, así que la ventana nunca se llenó; y ninguna pérdida hizo que el control de congestión frenara al emisor. La transferencia fue tan rápida como la aplicación escribía y el camino transportaba.",
    limit_neither_ss: "No fue el control de flujo: como mucho hubo {} bytes en vuelo frente a una ventana del receptor de hasta {} bytes, así que la ventana nunca se llenó. Sí el control de congestión, pero solo a través del arranque lento: la ventana de congestión, creciendo en cada ida y vuelta, marcó cuánto podía haber en vuelo; no hubo pérdidas.",
    quality: "Integridad y calidad de la captura",
    sha_line: "SHA-256 del fichero enviado ({} bytes): `{}`; recibido ({} bytes): `{}`.",
    sha_identical: "Son idénticos ✓: el fichero llegó íntegro.",
    sha_differ: "Son distintos ✗: el fichero no llegó íntegro.",
    no_meta: "Sin metadatos de la ejecución: los hashes del fichero y los descartes del kernel solo se conocen para capturas hechas con `tcplab run-and-capture`.",
    drops: "libpcap: {} paquetes recibidos, {} descartados por el kernel, {} por la interfaz {}.",
    drops_unknown: "Descartes del kernel: desconocidos (sin metadatos de la ejecución).",
    truncated: "Segmentos recortados por la longitud de captura (snaplen): {}.",
    not_tcp: "Paquetes que no son segmentos TCP: {}{}.",
    damaged: "El fichero está dañado: {}; se analizó todo lo anterior.",
    frames: Plural("trama {}", "tramas {}"),
    more: "… ({} en total)",
    yes: "sí",
    no: "no",
    n_packets: Plural("{} paquete", "{} paquetes"),
    n_connections: Plural("{} conexión", "{} conexiones"),
    n_data_segments: Plural("{} segmento de datos", "{} segmentos de datos"),
    n_times: Plural("una vez", "{} veces"),
    n_periods: Plural("{} periodo", "{} periodos"),
    n_samples: Plural("{} muestra", "{} muestras"),
    n_round_trips: Plural("{} ida y vuelta", "{} idas y vueltas"),
    n_retransmissions: Plural("{} retransmisión", "{} retransmisiones"),
    n_gaps: Plural("{} hueco", "{} huecos"),
    n_duplicate_acks: Plural("{} ACK duplicado", "{} ACK duplicados"),
    n_window_updates: Plural("{} actualización de ventana", "{} actualizaciones de ventana"),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::lang::tests::assert_same_holes;

    #[test]
    fn both_languages_take_the_same_values() {
        assert_same_holes(include_str!("strings.rs"), "Strings", 50);
    }

    /// "connection(s)", "conexión(es)", "vez/veces": each count has its
    /// own singular and plural instead ("time (s)" is a unit, not a plural).
    #[test]
    fn no_table_writes_both_forms_of_a_word() {
        let source = include_str!("strings.rs");
        for marker in ["pub static EN: Strings", "pub static ES: Strings"] {
            let table = source.split(marker).nth(1).unwrap_or_default();
            let table = table.split("\n};").next().unwrap_or_default();
            assert!(table.len() > 1000, "{marker}");
            for alternation in ["(s)", "(es)"] {
                for (at, _) in table.match_indices(alternation) {
                    let before = table[..at].chars().last().unwrap_or(' ');
                    assert!(
                        !before.is_alphabetic(),
                        "{marker}: {:?}",
                        &table[at.saturating_sub(30)..at + alternation.len()]
                    );
                }
            }
            assert!(!table.contains("vez/veces"), "{marker}");
        }
    }

    #[test]
    fn counts_agree_in_both_languages() {
        assert_eq!(EN.n_connections.of(1), "1 connection");
        assert_eq!(EN.n_connections.of(2), "2 connections");
        assert_eq!(ES.n_connections.of(1), "1 conexión");
        assert_eq!(ES.n_connections.of(2), "2 conexiones");
        assert_eq!(EN.n_times.of(1), "once");
        assert_eq!(EN.n_times.of(3), "3 times");
        assert_eq!(ES.n_times.of(1), "una vez");
        assert_eq!(ES.n_times.of(3), "3 veces");
        assert_eq!(ES.n_round_trips.of(1), "1 ida y vuelta");
        assert_eq!(ES.n_round_trips.of(4), "4 idas y vueltas");
        assert_eq!(ES.retrans_kind_counts[3].of(1), "1 espuria");
        assert_eq!(ES.retrans_kind_counts[3].of(0), "0 espurias");
        assert_eq!(EN.frames.shown(1, &"29"), "frame 29");
        assert_eq!(ES.frames.shown(2, &"8, 10"), "tramas 8, 10");
    }

    /// A sentence `Plural`'s singular takes the values after the count
    /// (`Plural::sentence`), maybe fewer.
    #[test]
    fn singular_sentences_leave_out_the_count() {
        for s in [&EN, &ES] {
            for p in [
                s.cap_stevens_loss,
                s.cap_tcptrace_zero,
                s.cap_tcptrace_full,
                s.cap_no_data,
                s.cap_window_zero,
                s.retrans_some,
            ] {
                let holes = |t: &str| t.matches("{}").count();
                assert!(holes(p.0) < holes(p.1), "{p:?}");
            }
        }
        assert_eq!(
            ES.cap_tcptrace_full.sentence(1, &[&5]),
            "Los datos alcanzan la línea de ventana (arriba) una vez, en la trama 5: ahí el emisor había llenado la ventana del receptor."
        );
        assert!(ES
            .cap_tcptrace_full
            .sentence(3, &[&5])
            .contains("(arriba) 3 veces, la primera en la trama 5"));
    }
}
