//! Double-random extraction (双随机抽取, DRAW-1…DRAW-10): the pure rules —
//! task sources, frequency caps and their marks, the reproducible sampler and
//! its record, how credit weighs, and what a task is. Storage enforces the caps
//! inside the transaction that creates a task; these functions decide what the
//! numbers mean.

pub mod caps;
pub mod policy;
pub mod record;
pub mod sampler;
pub mod task;
