//! The analysis events, with Wireshark's meanings (`tcp.analysis.*`). The
//! output name of each event is written in exactly one place: `Event::name`.

use serde::{Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    Retransmission,
    FastRetransmission,
    SpuriousRetransmission,
    OutOfOrder,
    LostSegment,
    AckLostSegment,
    DuplicateAck,
    ZeroWindow,
    ZeroWindowProbe,
    ZeroWindowProbeAck,
    WindowFull,
    WindowUpdate,
    KeepAlive,
    KeepAliveAck,
}

impl Event {
    pub const ALL: [Event; 14] = [
        Event::Retransmission,
        Event::FastRetransmission,
        Event::SpuriousRetransmission,
        Event::OutOfOrder,
        Event::LostSegment,
        Event::AckLostSegment,
        Event::DuplicateAck,
        Event::ZeroWindow,
        Event::ZeroWindowProbe,
        Event::ZeroWindowProbeAck,
        Event::WindowFull,
        Event::WindowUpdate,
        Event::KeepAlive,
        Event::KeepAliveAck,
    ];

    /// The name used in every output (CSV `events`, JSON keys, text).
    pub fn name(self) -> &'static str {
        match self {
            Event::Retransmission => "retransmission",
            Event::FastRetransmission => "fast_retransmission",
            Event::SpuriousRetransmission => "spurious_retransmission",
            Event::OutOfOrder => "out_of_order",
            Event::LostSegment => "lost_segment",
            Event::AckLostSegment => "ack_lost_segment",
            Event::DuplicateAck => "duplicate_ack",
            Event::ZeroWindow => "zero_window",
            Event::ZeroWindowProbe => "zero_window_probe",
            Event::ZeroWindowProbeAck => "zero_window_probe_ack",
            Event::WindowFull => "window_full",
            Event::WindowUpdate => "window_update",
            Event::KeepAlive => "keep_alive",
            Event::KeepAliveAck => "keep_alive_ack",
        }
    }

    /// What Wireshark shows in its Info column, for people who know it.
    pub fn wireshark_label(self) -> &'static str {
        match self {
            Event::Retransmission => "TCP Retransmission",
            Event::FastRetransmission => "TCP Fast Retransmission",
            Event::SpuriousRetransmission => "TCP Spurious Retransmission",
            Event::OutOfOrder => "TCP Out-Of-Order",
            Event::LostSegment => "TCP Previous segment not captured",
            Event::AckLostSegment => "TCP ACKed unseen segment",
            Event::DuplicateAck => "TCP Dup ACK",
            Event::ZeroWindow => "TCP ZeroWindow",
            Event::ZeroWindowProbe => "TCP ZeroWindowProbe",
            Event::ZeroWindowProbeAck => "TCP ZeroWindowProbeAck",
            Event::WindowFull => "TCP Window Full",
            Event::WindowUpdate => "TCP Window Update",
            Event::KeepAlive => "TCP Keep-Alive",
            Event::KeepAliveAck => "TCP Keep-Alive ACK",
        }
    }

    pub fn from_name(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name() == name)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// Any kind of retransmission (what Wireshark's `tcp.analysis.retransmission` filter matches).
    pub fn is_retransmission(self) -> bool {
        matches!(
            self,
            Event::Retransmission | Event::FastRetransmission | Event::SpuriousRetransmission
        )
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A set of events, in the fixed order of `Event::ALL`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct EventSet(u16);

impl EventSet {
    pub fn insert(&mut self, e: Event) {
        self.0 |= e.bit();
    }

    pub fn remove(&mut self, e: Event) {
        self.0 &= !e.bit();
    }

    pub fn contains(self, e: Event) -> bool {
        self.0 & e.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Event> {
        // The lowest bit first: `Event::ALL`'s order. A bit no event has
        // (only from damaged bytes) is above them all and ends the walk.
        let mut bits = self.0;
        std::iter::from_fn(move || {
            let i = bits.trailing_zeros() as usize;
            bits &= bits.wrapping_sub(1);
            Event::ALL.get(i).copied()
        })
    }
}

/// `;`-separated names, empty when there are none (the CSV `events` column).
impl fmt::Display for EventSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(e.name())?;
        }
        Ok(())
    }
}

impl crate::disk::Fixed for EventSet {
    const SIZE: usize = 2;
    #[inline]
    fn put_fixed(&self, out: &mut impl crate::disk::Sink) {
        crate::disk::Fixed::put_fixed(&self.0, out);
    }
    #[inline]
    fn get_fixed(r: &mut crate::disk::Reader) -> Self {
        EventSet(crate::disk::Fixed::get_fixed(r))
    }
}

impl fmt::Debug for EventSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventSet({self})")
    }
}

impl Serialize for EventSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sets_print_in_order() {
        for e in Event::ALL {
            assert_eq!(Event::from_name(e.name()), Some(e));
        }
        let mut set = EventSet::default();
        set.insert(Event::WindowUpdate);
        set.insert(Event::DuplicateAck);
        assert_eq!(set.to_string(), "duplicate_ack;window_update");
        set.remove(Event::DuplicateAck);
        assert_eq!(set.to_string(), "window_update");
    }

    #[test]
    fn iterates_in_the_order_of_all() {
        let mut all = EventSet::default();
        Event::ALL.iter().for_each(|e| all.insert(*e));
        assert!(all.iter().eq(Event::ALL));
        assert_eq!(EventSet::default().iter().count(), 0);
        // Damaged bytes: a bit no event has is not an event.
        let odd = EventSet(1 << 15 | Event::KeepAliveAck.bit() | Event::Retransmission.bit());
        assert!(odd.iter().eq([Event::Retransmission, Event::KeepAliveAck]));
    }
}
