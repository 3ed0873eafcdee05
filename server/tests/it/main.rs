//! The server's integration tests: one binary, a module per area. Each test runs a real server
//! on 127.0.0.1 over a real SQLite file, or the real `twostep` binary.

mod harness;

mod cli;
mod config;
mod enrollment;
mod input;
mod lockout;
mod logs;
mod matrix;
mod nojs;
mod otpauth;
mod race;
mod replay;
mod rfc_vectors;
