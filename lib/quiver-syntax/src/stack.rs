//! Recursion without stack overflows: every recursive walk over a query or a
//! pattern match goes through `guarded`, which moves to a fresh stack segment
//! when the current one runs low. Depth limits still bound the work.

/// Room left on the stack below which a new segment is started.
const RED_ZONE: usize = 256 * 1024;
/// Size of each new segment.
const SEGMENT: usize = 8 * 1024 * 1024;

/// Runs `f`, first moving to a new stack segment if this one is nearly full.
#[inline]
pub fn guarded<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
