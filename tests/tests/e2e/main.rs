//! The end-to-end suite in one test binary (one link instead of one per file: the build stays
//! small on disk and fast). Each module is a file of tests over the real server and real files;
//! `memory.rs` stays a binary of its own, as it counts every allocation of its process.

mod bundles;
mod concurrency;
mod console;
mod convergence;
mod faults;
mod http_edge;
mod instances;
mod lost_phone;
mod nginx;
mod postgres_tls;
mod privacy;
mod regions;
mod sales;
mod server_input;
mod server_store;
mod sync_e2e;
mod team;
mod tls;
mod trust;
