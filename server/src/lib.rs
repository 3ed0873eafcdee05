//! twostep: a TOTP second factor in front of web logins.
//!
//! The server holds the whole sign-in state machine ([`flow`]) and its storage ([`store`]); the
//! web app and any reverse proxy only ask it. [`http::router`] is the complete HTTP service and
//! [`cli`] the `twostep` command.

pub mod avatar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod flow;
pub mod http;
pub mod password;
pub mod session;
pub mod store;
pub mod theme;
pub mod totp;
