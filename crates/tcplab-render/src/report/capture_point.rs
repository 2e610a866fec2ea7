//! Where the capture was taken, from the handshake's two halves: SYN to
//! SYN/ACK is the time the capture point waits for the server to answer,
//! SYN/ACK to ACK the time it waits for the client. At the client the
//! first half spans the path and the second is the client's own reply
//! time; at the server the other way round; in between, each half is the
//! part of the path on its side. With the direction of the data this says
//! whether the capture sees the data at its sender or at its receiver.
//!
//! Why it matters: at the data's receiver, the RTT of an ACK (data to the
//! ACK that covers it) is the receiver's ACK delay, not the path's round
//! trip, and the bytes Wireshark counts in flight are only what the
//! receiver has not yet acknowledged. The report then groups the sender's
//! round trips by the path's RTT (`evidence`) and says what it measures.

/// Both halves shorter than this: both ends are next to the capture point
/// (one machine, or one LAN), and neither half tells them apart.
pub const NEAR: f64 = 0.5e-3;
/// One half this many times the other: the capture is at that end.
const ONE_SIDED: f64 = 2.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Point {
    Client,
    Server,
    Between,
    /// Both ends close to the capture point (loopback, a LAN).
    Near,
}

impl Point {
    /// From SYN→SYN/ACK and SYN/ACK→ACK, in seconds.
    pub fn of(syn_to_syn_ack: f64, syn_ack_to_ack: f64) -> Point {
        let (a, b) = (syn_to_syn_ack, syn_ack_to_ack);
        if a.max(b) < NEAR {
            Point::Near
        } else if a >= ONE_SIDED * b {
            Point::Client
        } else if b >= ONE_SIDED * a {
            Point::Server
        } else {
            Point::Between
        }
    }

    /// The capture sees the data where it arrives, after the path: at the
    /// server for the client's data, at the client for the server's.
    pub fn at_receiver(self, data_from_client: bool) -> bool {
        matches!(
            (self, data_from_client),
            (Point::Server, true) | (Point::Client, false)
        )
    }

    /// Index into `Strings::capture_point`.
    pub fn index(self) -> usize {
        match self {
            Point::Client => 0,
            Point::Server => 1,
            Point::Between => 2,
            Point::Near => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_halves_of_the_handshake_say_where_the_capture_was() {
        // A web download captured at the client: 10.08 ms to the SYN/ACK.
        assert_eq!(Point::of(10.08e-3, 0.05e-3), Point::Client);
        assert!(Point::of(10.08e-3, 0.05e-3).at_receiver(false));
        assert!(!Point::of(10.08e-3, 0.05e-3).at_receiver(true));
        // tcplab's emulated link captured at the receiving server.
        assert_eq!(Point::of(44e-6, 40.45e-3), Point::Server);
        assert!(Point::of(44e-6, 40.45e-3).at_receiver(true));
        assert_eq!(Point::of(20e-3, 20e-3), Point::Between);
        assert_eq!(Point::of(14e-6, 14e-6), Point::Near);
        assert!(!Point::Near.at_receiver(true) && !Point::Between.at_receiver(false));
    }
}
