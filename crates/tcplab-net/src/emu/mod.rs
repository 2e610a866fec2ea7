//! tcplab's own link emulator, in the manner of Mahimahi: two TUN devices,
//! one in the sender's network namespace and one in the receiver's, and a
//! user-space pump between them that applies rate, queue, delay, jitter and
//! loss with a seeded random source. It needs only the `tun` driver, so it
//! works on kernels without `sch_netem`. Design: docs/emulated-path.md.

pub mod gauge;
pub mod key;
pub mod link;

mod pump;
mod timer;
pub mod tun;

pub use gauge::{LaneGauge, LaneNow, LinkGauges};
pub use link::{Fate, Link};
pub use pump::{EmuError, Emulator};
pub use tcplab_analysis::record::drops::{DropReason, DroppedPacket, LinkDirection};
pub use tcplab_analysis::record::link::{EmuStats, LinkParams, LinkStats, QueueLimit};
