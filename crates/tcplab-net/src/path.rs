//! An emulated path between two private network namespaces: the sender's
//! (`tcplab-snd-<pid>`, address 10.77.0.1) and the receiver's
//! (`tcplab-rcv-<pid>`, 10.77.0.2), each with a TUN device `tcplab0` whose
//! other end is tcplab's link emulator ([`crate::emu`]). [`EmulatedPath::remove`]
//! stops the emulator and removes both namespaces, with their devices, and
//! says which could not be removed; dropping the path does the same silently.

use super::netns::{Netns, NetnsError, RemoveError};
use crate::emu::{self, DroppedPacket, EmuError, EmuStats, Emulator, LinkParams};
use std::net::{IpAddr, Ipv4Addr};
pub use tcplab_analysis::record::link::PathEnd;
use thiserror::Error;

pub const SENDER_ADDR: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
pub const RECEIVER_ADDR: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);
/// The TUN device's name in both namespaces.
pub const DEVICE: &str = "tcplab0";

#[derive(Debug, Error)]
pub enum PathError {
    #[error(transparent)]
    Netns(#[from] NetnsError),
    #[error("creating the TUN device in {ns}: {source}")]
    Tun { ns: String, source: std::io::Error },
    #[error(transparent)]
    Emulator(#[from] EmuError),
}

pub struct EmulatedPath {
    params: LinkParams,
    // Declared before the namespaces: the emulator stops first.
    emulator: Option<Emulator>,
    sender: Netns,
    receiver: Netns,
}

impl EmulatedPath {
    /// Creates both namespaces, their TUN devices and addresses, and starts
    /// the emulator. Call [`crate::stale::sweep`] first.
    pub fn create(params: LinkParams) -> Result<EmulatedPath, PathError> {
        let sender = Netns::add("snd")?;
        let receiver = Netns::add("rcv")?;
        let mtu = params.mtu.to_string();
        let mut fds = Vec::new();
        for (ns, addr) in [(&sender, SENDER_ADDR), (&receiver, RECEIVER_ADDR)] {
            let fd = ns
                .run_inside(|| emu::tun::open(DEVICE))?
                .map_err(|source| PathError::Tun {
                    ns: ns.name().to_string(),
                    source,
                })?;
            fds.push(fd);
            ns.ip(&["addr", "add", &format!("{addr}/24"), "dev", DEVICE])?;
            ns.ip(&["link", "set", DEVICE, "mtu", &mtu, "up"])?;
        }
        let receiver_fd = fds.pop();
        let sender_fd = fds.pop();
        let (Some(sender_fd), Some(receiver_fd)) = (sender_fd, receiver_fd) else {
            return Err(PathError::Emulator(EmuError::Died));
        };
        let emulator = Emulator::start(params, sender_fd, receiver_fd)?;
        Ok(EmulatedPath {
            params,
            emulator: Some(emulator),
            sender,
            receiver,
        })
    }

    pub fn params(&self) -> &LinkParams {
        &self.params
    }

    pub fn namespace(&self, end: PathEnd) -> &Netns {
        match end {
            PathEnd::Sender => &self.sender,
            PathEnd::Receiver => &self.receiver,
        }
    }

    pub fn address(end: PathEnd) -> IpAddr {
        IpAddr::V4(match end {
            PathEnd::Sender => SENDER_ADDR,
            PathEnd::Receiver => RECEIVER_ADDR,
        })
    }

    /// Turns `true` if the emulator fails while the run goes on.
    pub fn emulator_died(&self) -> Option<tokio::sync::watch::Receiver<bool>> {
        self.emulator.as_ref().map(Emulator::died)
    }

    /// The link's counters as it runs, for a live view (`None` once stopped).
    pub fn gauges(&self) -> Option<std::sync::Arc<emu::LinkGauges>> {
        self.emulator.as_ref().map(Emulator::gauges)
    }

    /// Stops the emulator and returns what crossed the link and what it
    /// dropped; the namespaces go with [`EmulatedPath::remove`].
    pub fn stop(&mut self) -> Result<(EmuStats, Vec<DroppedPacket>), PathError> {
        match self.emulator.take() {
            Some(e) => Ok(e.stop()?),
            None => Err(PathError::Emulator(EmuError::Died)),
        }
    }

    /// Stops the emulator (if still running), then removes both namespaces;
    /// returns those that could not be removed.
    pub fn remove(self) -> Vec<RemoveError> {
        let EmulatedPath {
            emulator,
            sender,
            receiver,
            ..
        } = self;
        drop(emulator);
        [sender.remove(), receiver.remove()]
            .into_iter()
            .filter_map(Result::err)
            .collect()
    }
}
