//! The visit on site (APP-1, APP-2, APP-7; RESULT-…): pure rules of the
//! field app and the enterprise app.
//!
//! Each file is one topic; a helper adding a topic adds its `pub mod` line here.

pub mod checkin;
pub mod results;
pub mod sign_up;
