//! A read filter in tcpdump's language (`-f 'tcp port 80'`): libpcap
//! compiles the expression once per link type met in the capture (a
//! pcapng file may hold several) and runs it on each record.
//!
//! libpcap's offline filter sees the captured bytes: `len`, `greater` and
//! `less` compare the captured length, which is the wire length except in
//! captures cut by a snap length.

use super::{LinkType, Record};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum FilterError {
    #[error("the filter {expr:?} was refused for link type {link}: {message} (it is tcpdump's language: man 7 pcap-filter)")]
    Compile {
        expr: String,
        link: String,
        message: String,
    },
}

pub struct ReadFilter {
    expr: String,
    programs: Vec<(LinkType, pcap::BpfProgram)>,
}

impl std::fmt::Debug for ReadFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadFilter")
            .field("expr", &self.expr)
            .finish()
    }
}

impl ReadFilter {
    /// Compiles `expr` for Ethernet at once, so that a bad expression is
    /// reported before anything is read.
    pub fn new(expr: &str) -> Result<ReadFilter, FilterError> {
        let mut filter = ReadFilter {
            expr: expr.to_string(),
            programs: Vec::new(),
        };
        filter.program(LinkType::from_number(1))?;
        Ok(filter)
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Does the record match?
    pub fn matches(&mut self, rec: &Record<'_>) -> Result<bool, FilterError> {
        Ok(self.program(rec.link)?.filter(rec.data))
    }

    fn program(&mut self, link: LinkType) -> Result<&pcap::BpfProgram, FilterError> {
        let at = match self.programs.iter().position(|(l, _)| *l == link) {
            Some(at) => at,
            None => {
                let err = |e: pcap::Error| FilterError::Compile {
                    expr: self.expr.clone(),
                    link: link.to_string(),
                    message: e.to_string(),
                };
                let dead =
                    pcap::Capture::dead(pcap::Linktype(link.number() as i32)).map_err(err)?;
                let program = dead.compile(&self.expr, true).map_err(err)?;
                self.programs.push((link, program));
                self.programs.len() - 1
            }
        };
        Ok(&self.programs[at].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;

    /// An Ethernet/IPv4/TCP frame from port `sport` to port 80.
    fn frame(sport: u16) -> Vec<u8> {
        let mut f = vec![0u8; 14 + 20 + 20];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        let ip = &mut f[14..34];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&40u16.to_be_bytes());
        ip[8] = 64;
        ip[9] = 6;
        ip[12..16].copy_from_slice(&[192, 0, 2, 1]);
        ip[16..20].copy_from_slice(&[192, 0, 2, 2]);
        let tcp = &mut f[34..54];
        tcp[0..2].copy_from_slice(&sport.to_be_bytes());
        tcp[2..4].copy_from_slice(&80u16.to_be_bytes());
        tcp[12] = 5 << 4;
        f
    }

    fn record(data: &[u8]) -> Record<'_> {
        Record {
            frame: 1,
            offset: 0,
            ts: Timestamp(0),
            link: LinkType::from_number(1),
            orig_len: data.len() as u32,
            data,
            ts_valid: true,
        }
    }

    #[test]
    fn matches_as_tcpdump_would() {
        let mut f = ReadFilter::new("tcp src port 40001").expect("compiles");
        assert!(f.matches(&record(&frame(40001))).expect("runs"));
        assert!(!f.matches(&record(&frame(40002))).expect("runs"));
        assert_eq!(f.expr(), "tcp src port 40001");
    }

    #[test]
    fn a_bad_expression_is_refused_at_once_with_libpcaps_reason() {
        let err = ReadFilter::new("tcp port").expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("\"tcp port\"") && text.contains("pcap-filter"),
            "{text}"
        );
    }
}
