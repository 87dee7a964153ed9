//! Work done on a second thread a few batches ahead of the statement that
//! takes it (LOAD CSV's records, a streamed write's rows).

use std::sync::mpsc;

use super::XResult;

/// A batch, or the error that ended them.
pub(super) type Batch<T> = XResult<Vec<T>>;

/// Sends the batches `fill` makes, `size` items at most each: `fill` adds
/// to the batch it is given and answers whether more may follow. Stops at
/// the end, at an error (sent after the items before it), or as soon as
/// the receiver is gone.
pub(super) fn send_batches<T>(
    tx: &mpsc::SyncSender<Batch<T>>,
    size: usize,
    mut fill: impl FnMut(&mut Vec<T>) -> XResult<bool>,
) {
    loop {
        let mut batch = Vec::with_capacity(size.min(1 << 16));
        let (more, failed) = match fill(&mut batch) {
            Ok(more) => (more, None),
            Err(e) => (false, Some(e)),
        };
        if !batch.is_empty() && tx.send(Ok(batch)).is_err() {
            return;
        }
        if let Some(e) = failed {
            let _ = tx.send(Err(e));
        }
        if !more {
            return;
        }
    }
}
