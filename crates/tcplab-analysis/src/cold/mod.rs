//! The cold tier: what the analysis keeps per stream, moved to disk once
//! there are too many streams for memory (docs/memory.md).
//!
//! Stream ids are given in order of first packet, and old streams are
//! rarely looked at again, so a per-stream array is split at a moving
//! boundary: recent elements in memory, older ones in an unnamed temporary
//! file (`PagedVec`, read back through a small page cache). Finding a
//! 4-tuple among the old streams goes through `RunIndex`: sorted runs of
//! (hash, stream) pairs on disk, found through one in-memory "fence" (4
//! bytes) per 1 KiB block, merged so that there are few of them, behind a
//! fixed-size bitmap that answers most lookups of new 4-tuples.
//!
//! Failures follow the spill file's rules: what cannot be written stays in
//! memory (and `off` says why, for a note); what cannot be read back is an
//! error, never a guess.

mod error;
mod file;
mod paged;
mod runs;
#[cfg(test)]
mod runs_tests;

pub use error::ColdError;
pub(crate) use paged::{Fixed, PagedVec};
pub(crate) use runs::RunIndex;
