-- Queries over tcplab's Parquet dataset (docs/dataset.md), in DuckDB's SQL.
--
-- Written by `tcplab analyze CAPTURES... --format parquet -o dataset`; run
-- from the directory that holds `dataset/` (or change the three paths):
--
--     duckdb < docs/queries.sql
--
-- Each query starts with a `-- name:` line and a comment saying what it
-- answers; tests/dataset_duckdb.rs runs every one and checks the answers
-- against `tcplab analyze --format json` and tshark.

CREATE OR REPLACE VIEW segments AS
  SELECT * FROM read_parquet('dataset/segments/**/*.parquet', hive_partitioning = true);
CREATE OR REPLACE VIEW connections AS
  SELECT * FROM read_parquet('dataset/connections/**/*.parquet', hive_partitioning = true);
CREATE OR REPLACE VIEW captures AS
  SELECT * FROM read_parquet('dataset/captures/**/*.parquet', hive_partitioning = true);

-- name: per_capture
-- Per capture: TCP segments, segments with any retransmission event
-- (Wireshark's tcp.analysis.retransmission, which it also sets on fast and
-- spurious retransmissions) and connections.
SELECT s.capture,
       count(*) AS segments,
       count(*) FILTER (WHERE list_has_any(s.events,
           ['retransmission', 'fast_retransmission', 'spurious_retransmission'])) AS retransmitted,
       any_value(c.connections) AS connections
FROM segments s JOIN captures c USING (capture)
GROUP BY s.capture
ORDER BY s.capture;

-- name: retransmission_rate_per_host_pair_hour
-- Which host pairs lose the most, hour by hour: data segments, those
-- retransmitted (any kind), and the rate. A pair is counted both ways.
SELECT least(src, dst) AS host_a,
       greatest(src, dst) AS host_b,
       date_trunc('hour', time) AS hour,
       count(*) AS data_segments,
       count(*) FILTER (WHERE list_has_any(events,
           ['retransmission', 'fast_retransmission', 'spurious_retransmission'])) AS retransmitted,
       round(100.0 * retransmitted / data_segments, 3) AS retransmitted_pct
FROM segments
WHERE len > 0
GROUP BY ALL
ORDER BY retransmitted_pct DESC, host_a, host_b, hour;

-- name: zero_window_episodes
-- Connections that hit a zero window, and for how long: each episode runs
-- from a side's first window of zero to the next segment from that side
-- that opens it again (NULL: still closed when the capture ended).
WITH sides AS (
  SELECT capture, stream, src, sport, frame, time, win, events,
         lag(win) OVER (PARTITION BY capture, stream, src, sport ORDER BY frame) AS prev_win
  FROM segments
), closed AS (
  SELECT * FROM sides
  WHERE list_contains(events, 'zero_window') AND coalesce(prev_win, 1) <> 0
), episodes AS (
  SELECT z.capture, z.stream, z.src, z.sport, z.frame, z.time AS closed_at,
         min(o.time) AS reopened_at
  FROM closed z LEFT JOIN sides o
    ON o.capture = z.capture AND o.stream = z.stream AND o.src = z.src
   AND o.sport = z.sport AND o.frame > z.frame AND o.win > 0
  GROUP BY ALL
)
SELECT capture, stream, src || ':' || sport AS receiver,
       count(*) AS episodes,
       min(frame) AS first_zero_window_frame,
       sum(epoch_ns(reopened_at) - epoch_ns(closed_at)) / 1e9 AS closed_seconds,
       bool_or(reopened_at IS NULL) AS still_closed_at_end
FROM episodes
GROUP BY ALL
ORDER BY closed_seconds DESC NULLS FIRST, capture, stream;

-- name: rtt_percentiles_per_server
-- RTT to each server (the side that answered the SYN): the ACK RTT
-- samples (Wireshark's tcp.analysis.ack_rtt) of the server's ACKs of its
-- clients' data, in milliseconds.
SELECT c.server_addr, c.server_port,
       count(*) AS samples,
       round(1000 * quantile_cont(s.ack_rtt, 0.5), 3) AS p50_ms,
       round(1000 * quantile_cont(s.ack_rtt, 0.9), 3) AS p90_ms,
       round(1000 * quantile_cont(s.ack_rtt, 0.99), 3) AS p99_ms,
       round(1000 * max(s.ack_rtt), 3) AS max_ms
FROM segments s JOIN connections c USING (capture, stream)
WHERE s.ack_rtt IS NOT NULL AND s.src = c.server_addr AND s.sport = c.server_port
GROUP BY ALL
ORDER BY p90_ms DESC, c.server_addr, c.server_port;

-- name: slowest_handshakes
-- The slowest three-way handshakes: SYN to the client's ACK, and its two
-- halves (network and server: SYN to SYN/ACK; client: SYN/ACK to ACK).
SELECT capture, stream, client_addr, client_port, server_addr, server_port,
       round(1000 * initial_rtt, 3) AS initial_rtt_ms,
       round(1000 * syn_to_syn_ack, 3) AS syn_to_syn_ack_ms,
       round(1000 * syn_ack_to_ack, 3) AS syn_ack_to_ack_ms,
       syn_retransmissions
FROM connections
WHERE initial_rtt IS NOT NULL
ORDER BY initial_rtt DESC, capture, stream
LIMIT 20;

-- name: receive_window_limited
-- Connections limited by the receiver's window: segments that filled the
-- advertised window (window_full) or found it closed (zero_window), with
-- the smallest and largest window each receiver advertised.
SELECT capture, stream, a_addr, a_port, b_addr, b_port,
       window_full, zero_window, zero_window_probe,
       least(a_to_b_min_window, b_to_a_min_window) AS smallest_window,
       greatest(a_to_b_max_window, b_to_a_max_window) AS largest_window
FROM connections
WHERE window_full > 0 OR zero_window > 0
ORDER BY window_full + zero_window DESC, capture, stream;

-- name: damaged_captures
-- Captures that cannot be trusted whole: a file cut short or damaged,
-- records with invalid times, payloads cut by the snap length, or, for
-- runs made by tcplab, a copy whose SHA-256 differs at both ends, kernel
-- drops, or a capture stopped before every teardown.
SELECT capture, file, damage, invalid_times, truncated_payload,
       run_identical, run_kernel_dropped, run_capture_complete
FROM captures
WHERE damage IS NOT NULL OR invalid_times > 0 OR truncated_payload > 0
   OR run_identical = false OR run_kernel_dropped > 0 OR run_capture_complete = false
ORDER BY capture;

-- name: biggest_transfers
-- The connections that moved the most data, with throughput and goodput
-- (unique bytes) of the direction that sent most.
SELECT capture, stream, a_addr, a_port, b_addr, b_port,
       a_to_b_unique_bytes + b_to_a_unique_bytes AS unique_bytes,
       round(duration, 6) AS duration_s,
       round(greatest(a_to_b_goodput_bps, b_to_a_goodput_bps) / 1e6, 3) AS goodput_mbps,
       round(greatest(a_to_b_throughput_bps, b_to_a_throughput_bps) / 1e6, 3) AS throughput_mbps
FROM connections
ORDER BY unique_bytes DESC, capture, stream
LIMIT 20;

-- name: sent_again_by_mechanism
-- Why segments were sent again, per capture (tcplab's rule,
-- docs/analyze-json.md "Sent again"): fast recovery, timeout, tail-loss
-- probe, spurious, unexplained.
SELECT capture,
       sum(a_to_b_sent_again_segments + b_to_a_sent_again_segments) AS segments,
       sum(a_to_b_sent_again_fast_recovery + b_to_a_sent_again_fast_recovery) AS fast_recovery,
       sum(a_to_b_sent_again_timeout + b_to_a_sent_again_timeout) AS timeout,
       sum(a_to_b_sent_again_tail_loss_probe + b_to_a_sent_again_tail_loss_probe) AS tail_loss_probe,
       sum(a_to_b_sent_again_spurious + b_to_a_sent_again_spurious) AS spurious,
       sum(a_to_b_sent_again_unexplained + b_to_a_sent_again_unexplained) AS unexplained
FROM connections
GROUP BY capture
HAVING segments > 0
ORDER BY segments DESC, capture;

-- name: failed_connections
-- Connections that did not end well: refused or never answered (a SYN
-- without a SYN/ACK), reset, or still open or closing at the end.
SELECT capture, stream, a_addr, a_port, b_addr, b_port, final_state,
       syn_time IS NOT NULL AND syn_ack_time IS NULL AS unanswered_syn,
       syn_retransmissions, resets
FROM connections
WHERE final_state <> 'closed' OR (syn_time IS NOT NULL AND syn_ack_time IS NULL)
ORDER BY capture, stream;

-- name: events_per_capture
-- How often each analysis event happened, per capture (one row per
-- capture and event that occurred).
SELECT capture, event, count(*) AS segments
FROM (SELECT capture, unnest(events) AS event FROM segments)
GROUP BY ALL
ORDER BY capture, segments DESC, event;

-- name: not_tcp_per_capture
-- What each capture held besides TCP segments, by reason, so that nothing
-- is lost silently.
SELECT capture, s.reason, s.count
FROM (SELECT capture, unnest(skipped) AS s FROM captures)
ORDER BY capture, s.count DESC, s.reason;

-- name: busiest_seconds
-- The busiest seconds of each capture: segments and payload bytes per
-- second of capture time.
SELECT capture, date_trunc('second', time) AS second,
       count(*) AS segments, sum(len) AS payload_bytes
FROM segments
GROUP BY capture, second
QUALIFY row_number() OVER (PARTITION BY capture ORDER BY payload_bytes DESC, second) <= 3
ORDER BY capture, payload_bytes DESC, second;

-- name: segments_per_tunnel
-- Which tunnel paths (VXLAN VNIs, GRE keys, MPLS label stacks, VLANs…)
-- carried each capture's segments, and how many bytes of payload.
SELECT capture, tunnel, count(*) AS segments, sum(len) AS payload_bytes
FROM segments
WHERE tunnel IS NOT NULL
GROUP BY ALL
ORDER BY capture, segments DESC, tunnel;
