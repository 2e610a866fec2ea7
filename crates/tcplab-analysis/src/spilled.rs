//! A connection from its payload in the spill file: decoded on the stack,
//! either to be kept (`decode`: a packet came for it) or only looked at
//! (`with_decoded`: its summary at the end). In: a payload and its slot;
//! out: the connection, or `DiskError::Corrupt` naming the slot's byte.
//! Not here: reading the file (`disk::SpillFile`), the encoding
//! (`connection/codec.rs`), nor deciding which connections go out
//! (`connections.rs`).

use crate::connection::Connection;
use crate::disk::{Code, DiskError, DiskFile, Reader, Slot};

/// A connection from its spill-file payload (slot `index`), on the stack
/// (the caller boxes it).
pub(crate) fn decode(payload: &[u8], index: u32) -> Result<Connection, DiskError> {
    let mut r = Reader::new(payload);
    let conn = Connection::get(&mut r);
    r.finish(()).map_err(|_| corrupt(index))?;
    Ok(conn)
}

/// What `look` makes of the connection in a spill-file payload (slot
/// `index`), decoded on the stack and looked at where it is: 2 KB not
/// moved through a `Result` (a summary at the end reads it only).
pub(crate) fn with_decoded<T>(
    payload: &[u8],
    index: u32,
    look: impl FnOnce(&Connection) -> T,
) -> Result<T, DiskError> {
    let mut r = Reader::new(payload);
    let conn = Connection::get(&mut r);
    match r.finish(()) {
        Ok(()) => Ok(look(&conn)),
        Err(_) => Err(corrupt(index)),
    }
}

fn corrupt(index: u32) -> DiskError {
    DiskError::Corrupt {
        file: DiskFile::SpilledConnections,
        offset: Slot::offset_of(index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_that_does_not_decode_names_its_slot_s_byte() {
        let e = decode(&[0xff], 3).err();
        assert!(
            matches!(
                e,
                Some(DiskError::Corrupt {
                    file: DiskFile::SpilledConnections,
                    offset: 192,
                })
            ),
            "{e:?}"
        );
    }
}
