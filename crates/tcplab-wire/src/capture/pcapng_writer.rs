//! Writing pcapng as a capture runs: one section, one interface (its name,
//! the capture filter, nanosecond time stamps), the packets, and at the end
//! the interface's statistics block with libpcap's counters, so a file
//! says by itself what it captured and how much the kernel dropped
//! (Wireshark shows them under Statistics › Capture File Properties).
//!
//! The blocks are encoded by the `pcap-file` crate; this module decides
//! what goes in them.

use super::{LinkType, Timestamp};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::interface_statistics::{
    InterfaceStatisticsBlock, InterfaceStatisticsOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::{PcapNgBlock, PcapNgWriter};
use pcap_file::{DataLink, Endianness, PcapError};
use std::borrow::Cow;
use std::io::{self, Write};

/// The interface a capture comes from, as the file records it.
#[derive(Clone, Debug)]
pub struct Interface<'a> {
    pub name: &'a str,
    pub link: LinkType,
    pub snaplen: u32,
    /// The BPF expression applied while capturing ("" for none).
    pub filter: &'a str,
}

/// libpcap's counters for the interface, written when a file is closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterfaceCounters {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Packets that passed the filter (libpcap's `ps_recv`).
    pub accepted: u64,
    /// Dropped because the capture buffer was full (`ps_drop`).
    pub os_dropped: u64,
    /// Dropped by the interface or its driver (`ps_ifdrop`).
    pub if_dropped: u64,
    /// Packets written to this file.
    pub delivered: u64,
}

pub struct PcapngWriter<W: Write> {
    out: PcapNgWriter<W>,
    bytes: u64,
}

/// The option value of pcapng's `if_tsresol` for nanoseconds (10^-9).
const NANOSECONDS: u8 = 9;

impl<W: Write> PcapngWriter<W> {
    /// Starts a file: its section header (naming `application`) and the
    /// interface's description.
    pub fn new(out: W, interface: &Interface<'_>, application: &str) -> io::Result<Self> {
        let section = SectionHeaderBlock {
            endianness: Endianness::native(),
            major_version: 1,
            minor_version: 0,
            section_length: -1,
            options: vec![
                SectionHeaderOption::UserApplication(Cow::Owned(application.to_string())),
                SectionHeaderOption::OS(Cow::Borrowed(std::env::consts::OS)),
            ],
        };
        let out = PcapNgWriter::with_section_header(out, section).map_err(io_error)?;
        let mut writer = PcapngWriter { out, bytes: 0 };
        let mut options = vec![
            InterfaceDescriptionOption::IfName(Cow::Owned(interface.name.to_string())),
            InterfaceDescriptionOption::IfTsResol(NANOSECONDS),
        ];
        if !interface.filter.is_empty() {
            // if_filter: a first byte of 0 says "libpcap filter string".
            let mut filter = vec![0u8];
            filter.extend_from_slice(interface.filter.as_bytes());
            options.push(InterfaceDescriptionOption::IfFilter(Cow::Owned(filter)));
        }
        let description = InterfaceDescriptionBlock {
            linktype: DataLink::from(interface.link.number()),
            snaplen: interface.snaplen,
            options,
        };
        writer.write(&description.into_block())?;
        Ok(writer)
    }

    /// One packet of the interface.
    pub fn packet(&mut self, ts: Timestamp, orig_len: u32, data: &[u8]) -> io::Result<()> {
        let block = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: since_epoch(ts),
            original_len: orig_len,
            data: Cow::Borrowed(data),
            options: Vec::new(),
        };
        self.write(&block.into_block())
    }

    /// Bytes written so far (for rotation by size).
    pub fn bytes_written(&self) -> u64 {
        self.bytes
    }

    /// Ends the file with the interface's statistics and flushes it.
    pub fn finish(mut self, counters: &InterfaceCounters) -> io::Result<W> {
        let nanos = |t: Timestamp| u64::try_from(t.0).unwrap_or(0);
        let mut options = Vec::new();
        if let Some(start) = counters.start {
            options.push(InterfaceStatisticsOption::IsbStartTime(nanos(start)));
        }
        if let Some(end) = counters.end {
            options.push(InterfaceStatisticsOption::IsbEndTime(nanos(end)));
        }
        options.extend([
            InterfaceStatisticsOption::IsbFilterAccept(counters.accepted),
            InterfaceStatisticsOption::IsbOsDrop(counters.os_dropped),
            InterfaceStatisticsOption::IsbIfDrop(counters.if_dropped),
            InterfaceStatisticsOption::IsbUsrDeliv(counters.delivered),
        ]);
        let at = counters.end.or(counters.start).unwrap_or(Timestamp(0));
        let statistics = InterfaceStatisticsBlock {
            interface_id: 0,
            timestamp: nanos(at),
            options,
        };
        self.write(&statistics.into_block())?;
        let mut out = self.out.into_inner();
        out.flush()?;
        Ok(out)
    }

    fn write(&mut self, block: &pcap_file::pcapng::Block<'_>) -> io::Result<()> {
        let n = self.out.write_block(block).map_err(io_error)?;
        self.bytes += n as u64;
        Ok(())
    }
}

fn since_epoch(ts: Timestamp) -> std::time::Duration {
    std::time::Duration::from_nanos(u64::try_from(ts.0).unwrap_or(0))
}

fn io_error(e: PcapError) -> io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureReader;

    #[test]
    fn what_is_written_reads_back_with_its_times_lengths_and_link_type() {
        let interface = Interface {
            name: "lo",
            link: LinkType::from_number(1),
            snaplen: 262_144,
            filter: "tcp port 5001",
        };
        let mut w = PcapngWriter::new(Vec::new(), &interface, "tcplab test").expect("header");
        let t0 = Timestamp::from_secs_nanos(1_764_000_000, 123_456_789);
        let t1 = Timestamp::from_secs_nanos(1_764_000_001, 1);
        w.packet(t0, 60, &[0xaa; 60]).expect("packet");
        w.packet(t1, 1514, &[0xbb; 96]).expect("packet");
        let before = w.bytes_written();
        let counters = InterfaceCounters {
            start: Some(t0),
            end: Some(t1),
            accepted: 2,
            delivered: 2,
            ..InterfaceCounters::default()
        };
        let bytes = w.finish(&counters).expect("finish");
        assert!(bytes.len() as u64 > before, "the statistics block follows");
        let mut reader =
            CaptureReader::new(std::io::Cursor::new(bytes), "test.pcapng".as_ref()).expect("reads");
        let first = reader.next_record().expect("ok").expect("a record");
        assert_eq!(first.ts, t0);
        assert_eq!((first.orig_len, first.data.len()), (60, 60));
        assert_eq!(first.link.number(), 1);
        let second = reader.next_record().expect("ok").expect("a record");
        assert_eq!(second.ts, t1);
        assert_eq!((second.orig_len, second.data.len()), (1514, 96));
        assert!(reader.next_record().expect("ok").is_none());
    }
}
