//! Official inspection documents (DOC-1…DOC-7): the six templates as data,
//! their number patterns, and the approval and service workflow.

pub mod forms;
pub mod kind;
pub mod numbering;
pub mod workflow;

pub use forms::{Form, Sheet};
pub use kind::DocumentKind;
