//! One module per page, in the order a person meets them.

pub mod done;
pub mod enroll;
pub mod login;
pub mod pin;
pub mod welcome;
