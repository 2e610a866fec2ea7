//! The disk tier: what keeps the analysis's memory bounded however many
//! connections a capture has, by moving what does not fit to unnamed
//! temporary files (docs/memory.md). Two things go there:
//!
//! - **Spilled connections** (`SpillFile`): the whole analysis state of
//!   the connections beyond `max_in_memory`, each encoded with `Code` into
//!   a slot of the spill file, read back whole when a packet or the
//!   summaries need it. `crate::connections` decides which go and when.
//! - **Old streams** (`PagedVec`, `RunIndex`): what is kept per stream
//!   for the streams older than the newest `max_hot_streams`. Stream ids
//!   are given in order of first packet and old streams are rarely looked
//!   at again, so a per-stream array is split at a moving boundary: recent
//!   elements in memory, older ones in the file, each `Fixed`-size, read
//!   back through a small page cache (`PagedVec`: the stream records of
//!   `crate::flow` and the connections' places). Finding a 4-tuple among
//!   the old streams goes through `RunIndex`: sorted runs of (hash,
//!   stream) pairs on disk, found through one in-memory "fence" (4 bytes)
//!   per 1 KiB block, merged so that there are few of them, behind a
//!   fixed-size bitmap that answers most lookups of new 4-tuples.
//!
//! In: values to keep (encoded by `codec`: `Fixed` and `Code`). Out: the
//! same values when asked for, or a `DiskError` (one type for both files:
//! `DiskFile` says which). Every file is a `TempFile`, made at its first
//! write. Not here: which connections or streams go out, and when (that is
//! `crate::connections` and `crate::flow`), nor what the values mean.
//!
//! Failures, for both: what cannot be written stays in memory (the owner
//! keeps the error, `DiskError::is_write`, for a note on standard error);
//! what cannot be read back is an error, never a guess.

mod codec;
mod error;
mod paged;
mod runs;
#[cfg(test)]
mod runs_tests;
mod spill_file;
mod temp_file;

pub(crate) use codec::{
    fixed_record, get_sparse, put_list, put_sparse, record, Code, Fixed, Reader, Sink, Stack,
};
pub use error::{DiskError, DiskFile};
pub(crate) use paged::PagedVec;
pub(crate) use runs::RunIndex;
pub(crate) use spill_file::{Slot, SpillFile, SpillReader};
