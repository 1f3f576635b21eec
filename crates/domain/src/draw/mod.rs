//! Double-random extraction (双随机抽取, DRAW-1…DRAW-10): the pure rules —
//! task sources, frequency caps and their marks, and the reproducible sampler.
//! Storage enforces the caps inside the transaction that creates a task (issue
//! "Double-random extraction"); these functions decide what the numbers mean.

pub mod caps;
pub mod sampler;
