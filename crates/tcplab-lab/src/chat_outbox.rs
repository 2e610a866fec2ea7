//! One chat client's pending output, bounded in bytes.
//!
//! In: lines from the room and from the server itself ([`Outbox::push`],
//! which never waits), and the end of the conversation ([`Outbox::close`]).
//! Out: the lines in order for the task that writes the client's socket
//! ([`Outbox::next`]), or the news that the client fell behind: a push that
//! would take the queue past its bound drops the queue and marks the outbox
//! overflowed, and the writer then expels the client. Nothing is ever dropped
//! silently, and no sender ever waits for a slow reader.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;

/// What the writer does next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Line(Arc<str>),
    /// Closed and empty: everything was delivered.
    Closed,
    /// The bound was passed: expel the client.
    Overflowed,
}

pub(crate) struct Outbox {
    pending: Mutex<Pending>,
    /// Wakes the one writer task (a stored permit covers the race between its
    /// look at the queue and its wait).
    wake: Notify,
    max_bytes: usize,
}

#[derive(Default)]
struct Pending {
    lines: VecDeque<Arc<str>>,
    bytes: usize,
    overflowed: bool,
    closed: bool,
}

impl Outbox {
    /// An outbox holding at most `max_bytes` (but always at least one line).
    pub(crate) fn new(max_bytes: usize) -> Self {
        Outbox {
            pending: Mutex::new(Pending::default()),
            wake: Notify::new(),
            max_bytes,
        }
    }

    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        // Every update leaves the state consistent, so a poisoned lock is usable.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `text`. Returns `false` when it was not queued: the outbox is
    /// closed, or already overflowed, or overflows now.
    pub(crate) fn push(&self, text: Arc<str>) -> bool {
        let mut pending = self.pending();
        if pending.overflowed || pending.closed {
            return false;
        }
        let queued = if pending.bytes > 0 && pending.bytes + text.len() > self.max_bytes {
            pending.overflowed = true;
            pending.lines.clear();
            pending.bytes = 0;
            false
        } else {
            pending.bytes += text.len();
            pending.lines.push_back(text);
            true
        };
        drop(pending);
        self.wake.notify_one();
        queued
    }

    /// No more lines will come; [`next`](Outbox::next) says `Closed` once the
    /// queue is empty.
    pub(crate) fn close(&self) {
        self.pending().closed = true;
        self.wake.notify_one();
    }

    /// The next line to write, waiting for one.
    pub(crate) async fn next(&self) -> Next {
        loop {
            {
                let mut pending = self.pending();
                if pending.overflowed {
                    return Next::Overflowed;
                }
                if let Some(line) = pending.lines.pop_front() {
                    pending.bytes -= line.len();
                    return Next::Line(line);
                }
                if pending.closed {
                    return Next::Closed;
                }
            }
            self.wake.notified().await;
        }
    }

    /// Resolves when the outbox overflows (for a writer blocked on the socket).
    pub(crate) async fn overflowed(&self) {
        while !self.pending().overflowed {
            self.wake.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_in_order_then_closed() {
        let outbox = Outbox::new(10);
        assert!(outbox.push("abc\n".into()));
        assert!(outbox.push("def\n".into()));
        outbox.close();
        assert!(!outbox.push("late\n".into()));
        assert_eq!(outbox.next().await, Next::Line("abc\n".into()));
        assert_eq!(outbox.next().await, Next::Line("def\n".into()));
        assert_eq!(outbox.next().await, Next::Closed);
    }

    #[tokio::test]
    async fn passing_the_bound_overflows_and_one_long_line_fits() {
        let outbox = Outbox::new(8);
        assert!(outbox.push("a line longer than 8\n".into()));
        assert_eq!(
            outbox.next().await,
            Next::Line("a line longer than 8\n".into())
        );
        assert!(outbox.push("1234\n".into()));
        assert!(!outbox.push("5678\n".into()));
        assert!(!outbox.push("9\n".into()));
        outbox.overflowed().await;
        assert_eq!(outbox.next().await, Next::Overflowed);
    }

    #[tokio::test]
    async fn a_waiting_writer_is_woken() {
        let outbox = Arc::new(Outbox::new(100));
        let writer = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.next().await }
        });
        tokio::task::yield_now().await;
        assert!(outbox.push("hola\n".into()));
        assert_eq!(writer.await.ok(), Some(Next::Line("hola\n".into())));
    }
}
