//! Writers for the analysis: human text, JSON (schema in
//! `docs/analyze-json.md`) and the per-segment CSV.

pub mod csv;
mod csv_row;
mod csv_streams;
mod digits;
pub mod json;
mod json_connection;
pub mod jsonl;
mod kept_numbers;
mod numbers;
pub mod segment_writers;
pub mod summary_table;
#[cfg(test)]
mod test_sink;
pub mod text;

/// Seconds with nanosecond precision, as tshark prints them.
pub fn secs(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs();
    format!("{sign}{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000)
}
