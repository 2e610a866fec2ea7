//! A part of a connection in time, to zoom a static graph (`tcplab plot
//! --from/--to`): bounds in seconds since the connection's first packet
//! (the graphs' time axis) or frame numbers (`#120`), and the series cut
//! to them.
//!
//! In: a `ConnectionSeries` and a `Zoom`. Out: the series of the segments
//! inside, which every graph draws as it would the whole connection, and a
//! caption line saying what was left out (`View::range_note_for`). Not
//! here: parsing the command line's spelling (`Bound::parse` is used by
//! the binary).

use super::collect::ConnectionSeries;
use tcplab_wire::duration::{self, Bare};
use thiserror::Error;

/// One end of the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// Seconds since the connection's first captured packet.
    Secs(f64),
    /// A frame number of the capture: the time of that frame.
    Frame(u64),
}

impl Bound {
    /// `#120` (a frame), `1.5` (seconds), `300ms`, `2s` (a duration).
    pub fn parse(text: &str) -> Result<Bound, String> {
        let text = text.trim();
        if let Some(frame) = text.strip_prefix('#') {
            return frame
                .parse()
                .map(Bound::Frame)
                .map_err(|_| format!("{text:?}: a frame number after # (e.g. #120)"));
        }
        duration::parse_secs(text, Bare::Seconds).map(Bound::Secs).map_err(|e| {
            format!("{text:?}: {e}; give seconds since the connection's first packet (1.5, 300ms) or a frame number (#120)")
        })
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum ZoomError {
    #[error("frame {frame} is not in stream {stream} (its frames are {first} to {last}); choose a frame of the plotted connection, or --stream")]
    NoSuchFrame {
        frame: u64,
        stream: u32,
        first: u64,
        last: u64,
    },
    #[error("--from {from} s comes after --to {to} s: nothing to draw")]
    Reversed { from: f64, to: f64 },
    #[error("no segment of stream {stream} between {from} s and {to} s (the connection lasted {duration} s)")]
    Empty {
        stream: u32,
        from: f64,
        to: f64,
        duration: f64,
    },
}

/// `--from` and `--to`, either or both.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Zoom {
    pub from: Option<Bound>,
    pub to: Option<Bound>,
}

impl ConnectionSeries {
    /// The segments (and SACK blocks) between the two bounds, inclusive;
    /// the clock stays the connection's.
    pub fn zoomed(&self, zoom: &Zoom) -> Result<ConnectionSeries, ZoomError> {
        let time = |b: Option<Bound>, default: f64| -> Result<f64, ZoomError> {
            match b {
                None => Ok(default),
                Some(Bound::Secs(t)) => Ok(t),
                Some(Bound::Frame(f)) => self
                    .segments
                    .iter()
                    .find(|p| u64::from(p.frame) == f)
                    .map(|p| p.t)
                    .ok_or_else(|| ZoomError::NoSuchFrame {
                        frame: f,
                        stream: self.stream,
                        first: self.segments.first().map_or(0, |p| u64::from(p.frame)),
                        last: self.segments.last().map_or(0, |p| u64::from(p.frame)),
                    }),
            }
        };
        let (from, to) = (time(zoom.from, 0.0)?, time(zoom.to, self.duration())?);
        if from > to {
            return Err(ZoomError::Reversed { from, to });
        }
        let inside = |t: f64| (from..=to).contains(&t);
        let mut out = self.clone();
        out.segments.retain(|p| inside(p.t));
        out.sacks.retain(|s| inside(s.t));
        if out.segments.is_empty() {
            return Err(ZoomError::Empty {
                stream: self.stream,
                from,
                to,
                duration: self.duration(),
            });
        }
        out.zoom = Some((from, to, self.duration()));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::synthetic::bulk_transfer;

    #[test]
    fn bounds_are_seconds_durations_or_frames() {
        assert_eq!(Bound::parse("1.5"), Ok(Bound::Secs(1.5)));
        assert_eq!(Bound::parse("300ms"), Ok(Bound::Secs(0.3)));
        assert_eq!(Bound::parse("#120"), Ok(Bound::Frame(120)));
        assert!(Bound::parse("#x").unwrap_err().contains("frame number"));
        assert!(Bound::parse("soon").unwrap_err().contains("#120"));
    }

    #[test]
    fn a_window_keeps_what_is_inside_and_says_so() {
        let s = bulk_transfer(300);
        let (t10, t20) = (s.segments[9].t, s.segments[19].t);
        let z = Zoom {
            from: Some(Bound::Frame(10)),
            to: Some(Bound::Secs(t20)),
        };
        let w = s.zoomed(&z).unwrap();
        assert_eq!(w.segments.len(), 11);
        assert_eq!(w.segments[0].t, t10);
        assert_eq!(w.zoom, Some((t10, t20, s.duration())));
        let missing = Zoom {
            from: Some(Bound::Frame(9999)),
            to: None,
        };
        assert!(matches!(
            s.zoomed(&missing),
            Err(ZoomError::NoSuchFrame { .. })
        ));
        let reversed = Zoom {
            from: Some(Bound::Secs(1.0)),
            to: Some(Bound::Secs(0.5)),
        };
        assert!(matches!(
            s.zoomed(&reversed),
            Err(ZoomError::Reversed { .. })
        ));
    }
}
