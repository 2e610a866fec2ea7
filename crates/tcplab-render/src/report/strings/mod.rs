//! Every sentence of the report, one table per language. Templates take
//! their values in order at each `{}` (`fill`); a `Plural` is a count with
//! its noun (`of`), or a sentence about a count whose singular names its
//! one thing without the number (`sentence`). Nothing else in `report`
//! writes prose. `Lang`, `fill` and `Plural` are shared with the graphs
//! (`plot::lang`). The tables are in `en.rs` and `es.rs`.
//!
//! Templates are Markdown as `report::doc` reads it. A value that comes
//! from the input (a file name, the run metadata) is filled in as
//! `doc::text(v)`, or `doc::code(v)` for a code span: a template never
//! writes the backticks around a `{}` itself, since only `code` knows the
//! fence the value needs.

pub use crate::plot::lang::{fill, Lang, Plural};
use tcplab_analysis::{Mechanism, SentAgain};

mod en;
mod es;
pub use en::EN;
pub use es::ES;

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
    pub sockets_none: &'static str,
    pub establishment: &'static str,
    pub seg_head: [&'static str; 9],
    pub no_handshake: &'static str,
    pub no_syn_ack: &'static str,
    pub initial_rtt: &'static str,
    /// Where the capture was taken (`capture_point::Point::index`), from the two halves.
    pub capture_point: [&'static str; 4],
    /// The data seen at its sender / at its receiver (client or server capture).
    pub capture_data: [&'static str; 2],
    pub rtt_receiver: &'static str,
    pub cap_rtt_receiver: &'static str,
    pub cap_window_receiver: &'static str,
    pub ss_receiver_note: &'static str,
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
    /// A link to the browser view of the connection (`{}`: its file, relative).
    pub view_link: &'static str,
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
    pub cap_throughput_tail: &'static str,
    pub cap_throughput_resent: &'static str,
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
    /// Why a segment was sent again, in `Mechanism::ALL` order.
    pub sent_again_kinds: [&'static str; 5],
    /// How many of each of `sent_again_kinds` ("3 in fast recovery").
    pub sent_again_counts: [Plural; 5],
    /// What "sent again" means at this capture point: at the sender, at
    /// the receiver, downstream of losses (no metadata, but gaps), not known.
    pub sent_again_where: [&'static str; 4],
    /// A segment Wireshark gives none of its retransmission labels.
    pub no_label: &'static str,
    pub retrans_wireshark: &'static str,
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
    pub ss_head: [&'static str; 6],
    pub ss_visible: &'static str,
    pub ss_linear: &'static str,
    pub ss_paused: &'static str,
    pub ss_kernel_only: &'static str,
    pub ss_rule: &'static str,
    pub ss_cut: &'static str,
    pub ss_ended: &'static str,
    pub ss_short_note: &'static str,
    pub ss_loss_early: &'static str,
    pub ss_loss_last: &'static str,
    pub ss_loss: &'static str,
    pub ss_loss_later: &'static str,
    /// Wireshark's out_of_order among them, by `sent_again_where`'s index
    /// (at the sender, at the receiver of the emulated link, elsewhere).
    pub retrans_ooo: [&'static str; 3],
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
    pub wire_lines: &'static str,
    pub wire_whole: &'static str,
    pub wire_other: &'static str,
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
    pub n_sent_again: Plural,
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

    /// "5 in fast recovery, 1 after a timeout": the mechanisms that sent
    /// something again, in `Mechanism::ALL` order.
    pub fn sent_again_breakdown(&self, c: &SentAgain) -> String {
        let parts: Vec<String> = Mechanism::ALL
            .iter()
            .filter(|m| c.by(**m) > 0)
            .map(|m| self.sent_again_counts[m.index()].of(c.by(*m)))
            .collect();
        parts.join(self.number_sep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::lang::table_check::assert_same_holes;

    /// Both tables' source, as the checks below read them.
    fn tables() -> String {
        [include_str!("en.rs"), include_str!("es.rs")].concat()
    }

    #[test]
    fn both_languages_take_the_same_values() {
        assert_same_holes(&tables(), "Strings", 50);
    }

    /// `doc::code` writes a value's code span, fence and all.
    #[test]
    fn no_template_fences_a_value_in_backticks() {
        for table in [tables().as_str(), include_str!("../strings_path.rs")] {
            assert!(!table.contains("`{}`"));
        }
    }

    /// "connection(s)", "conexión(es)", "vez/veces": each count has its
    /// own singular and plural instead ("time (s)" is a unit, not a plural).
    #[test]
    fn no_table_writes_both_forms_of_a_word() {
        let source = tables();
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
        assert_eq!(ES.n_round_trips.of(1), "1 RTT");
        assert_eq!(ES.n_round_trips.of(4), "4 RTT");
        assert_eq!(ES.sent_again_counts[3].of(1), "1 espurio");
        assert_eq!(ES.sent_again_counts[3].of(0), "0 espurios");
        let c = SentAgain {
            segments: 6,
            fast_recovery: 5,
            timeout: 1,
            ..SentAgain::default()
        };
        assert_eq!(
            EN.sent_again_breakdown(&c),
            "5 in fast recovery, 1 after a timeout"
        );
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
