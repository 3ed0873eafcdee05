//! Pieces shared by several pages.

pub mod code_input;
pub mod header;
