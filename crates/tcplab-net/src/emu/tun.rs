//! A TUN device: the kernel hands us the IP packets routed to it and takes
//! the ones we write as if they had arrived on it. The device is created in
//! the network namespace of the calling thread and stays there; its file
//! descriptor can then be used from anywhere.

use rustix::fs::{Mode, OFlags};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

/// Opens (creating it) the TUN device `name`, without packet-info header,
/// non-blocking.
pub fn open(name: &str) -> io::Result<OwnedFd> {
    if name.is_empty() || name.len() >= libc::IFNAMSIZ {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("interface name {name:?} must have 1 to 15 bytes"),
        ));
    }
    let fd = rustix::fs::open(
        "/dev/net/tun",
        OFlags::RDWR | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|errno| {
        let e = io::Error::from(errno);
        io::Error::new(
            e.kind(),
            format!("/dev/net/tun: {e} (is the tun module available?)"),
        )
    })?;
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *dst = src as libc::c_char;
    }
    req.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF takes a pointer to an ifreq that lives across the
    // call. rustix and nix wrap no TUN ioctl (rustix's generic `ioctl` is
    // unsafe too), so this one stays with libc.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETIFF, &mut req) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(
            e.kind(),
            format!("creating TUN device {name}: {e}"),
        ));
    }
    Ok(fd)
}

/// Reads one packet; `WouldBlock` when none is waiting.
pub fn read(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
    Ok(rustix::io::read(fd, buf)?)
}

/// Writes one packet (the kernel receives it on the device).
pub fn write(fd: &OwnedFd, pkt: &[u8]) -> io::Result<()> {
    rustix::io::write(fd, pkt)?;
    Ok(())
}
