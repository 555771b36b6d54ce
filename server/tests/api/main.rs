//! The server's integration tests as one binary (one link, one pool of tests over every area): each module is
//! an area, `common` holds `TestApp` and its helpers. Run one area with `cargo test -p server --test api -- live::`.

mod common;

mod admin;
mod auth;
mod contract;
mod customers;
mod dashboard;
mod hardening;
mod interactions;
mod inventory;
mod leads;
mod live;
mod opportunities;
mod pipeline_rollups;
mod projects;
mod rpc;
mod search;
mod search_engine;
mod tasks;
mod tickets;
