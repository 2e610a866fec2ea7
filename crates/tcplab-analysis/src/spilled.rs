//! A connection in the spill file: encoded with its form (`encode`: the
//! whole state, or, for a finished connection when no summary is wanted,
//! only what the analysis of a later packet reads), and decoded on the
//! stack, either to be kept (`decode`: a packet came for it) or only looked
//! at (`with_decoded`: its summary at the end). In: a connection, or a
//! payload and its slot; out: the payload, or the connection, or
//! `DiskError::Corrupt` naming the slot's byte. Not here: reading the file
//! (`disk::SpillFile`), the encoding of the fields
//! (`connection/codec.rs`), nor deciding which connections go out
//! (`connections.rs`).

use crate::connection::Connection;
use crate::disk::{Code, DiskError, DiskFile, Reader, Slot};

/// The first byte of a payload: which form follows.
const WHOLE: u8 = 0;
const FOR_ANALYSIS: u8 = 1;

/// Appends `conn`'s payload to `out`: its whole state, or with
/// `for_analysis` only what the analysis of a later packet reads
/// (`Connection::put_for_analysis`).
pub(crate) fn encode(conn: &Connection, for_analysis: bool, out: &mut Vec<u8>) {
    if for_analysis {
        out.push(FOR_ANALYSIS);
        conn.put_for_analysis(out);
    } else {
        out.push(WHOLE);
        conn.put(out);
    }
}

/// A connection from its spill-file payload (slot `index`), on the stack
/// (the caller boxes it), in either form.
pub(crate) fn decode(payload: &[u8], index: u32) -> Result<Connection, DiskError> {
    let (&form, rest) = payload.split_first().ok_or_else(|| corrupt(index))?;
    let mut r = Reader::new(rest);
    let conn = match form {
        WHOLE => Connection::get(&mut r),
        FOR_ANALYSIS => Connection::get_for_analysis(&mut r),
        _ => return Err(corrupt(index)),
    };
    r.finish(()).map_err(|_| corrupt(index))?;
    Ok(conn)
}

/// What `look` makes of the connection in a spill-file payload (slot
/// `index`), decoded on the stack and looked at where it is: 2 KB not
/// moved through a `Result` (a summary at the end reads it only). Only the
/// whole state has a summary: the other form is never written when
/// summaries are wanted, and is refused as damage.
pub(crate) fn with_decoded<T>(
    payload: &[u8],
    index: u32,
    look: impl FnOnce(&Connection) -> T,
) -> Result<T, DiskError> {
    let Some((&WHOLE, rest)) = payload.split_first() else {
        return Err(corrupt(index));
    };
    let mut r = Reader::new(rest);
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
