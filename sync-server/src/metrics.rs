//! Prometheus metrics of one server instance, in the text exposition format at `GET /metrics`:
//! requests and their latency by route, pushes, pulls, operations by outcome, server errors.

use desmig_core::protocol::{OpResult, OpStatus};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
pub const ROUTES: [&str; 5] = ["login", "push", "pull", "reference", "other"];

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Microseconds.
    sum_us: AtomicU64,
}

#[derive(Default)]
pub struct Metrics {
    latency: [Histogram; ROUTES.len()],
    responses_ok: [AtomicU64; ROUTES.len()],
    responses_client_error: [AtomicU64; ROUTES.len()],
    responses_server_error: [AtomicU64; ROUTES.len()],
    ops_applied: AtomicU64,
    ops_duplicate: AtomicU64,
    ops_rejected: AtomicU64,
}

pub fn route_of(path: &str) -> usize {
    match path {
        "/v1/auth/login" => 0,
        "/v1/sync/push" => 1,
        "/v1/sync/pull" => 2,
        "/v1/reference" => 3,
        _ => 4,
    }
}

impl Metrics {
    pub fn observe(&self, route: usize, status: u16, elapsed: Duration) {
        let h = &self.latency[route];
        let secs = elapsed.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        h.sum_us.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        let counter = match status {
            500..=599 => &self.responses_server_error[route],
            400..=499 => &self.responses_client_error[route],
            _ => &self.responses_ok[route],
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn operations(&self, results: &[OpResult]) {
        for r in results {
            let c = match r.status {
                OpStatus::Applied => &self.ops_applied,
                OpStatus::Duplicate => &self.ops_duplicate,
                OpStatus::Rejected => &self.ops_rejected,
            };
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP desmig_requests_total HTTP requests answered, by route and outcome.\n# TYPE desmig_requests_total counter"
        );
        for (i, route) in ROUTES.iter().enumerate() {
            for (outcome, c) in [
                ("ok", &self.responses_ok[i]),
                ("client_error", &self.responses_client_error[i]),
                ("server_error", &self.responses_server_error[i]),
            ] {
                let _ = writeln!(out, "desmig_requests_total{{route=\"{route}\",outcome=\"{outcome}\"}} {}", get(c));
            }
        }
        let _ = writeln!(out, "# HELP desmig_pushes_total Push requests answered.\n# TYPE desmig_pushes_total counter");
        let _ = writeln!(
            out,
            "desmig_pushes_total {}",
            get(&self.responses_ok[1]) + get(&self.responses_client_error[1]) + get(&self.responses_server_error[1])
        );
        let _ = writeln!(out, "# HELP desmig_pulls_total Pull requests answered.\n# TYPE desmig_pulls_total counter");
        let _ = writeln!(
            out,
            "desmig_pulls_total {}",
            get(&self.responses_ok[2]) + get(&self.responses_client_error[2]) + get(&self.responses_server_error[2])
        );
        let _ = writeln!(out, "# HELP desmig_operations_total Pushed operations, by outcome.\n# TYPE desmig_operations_total counter");
        for (outcome, c) in [("applied", &self.ops_applied), ("duplicate", &self.ops_duplicate), ("rejected", &self.ops_rejected)] {
            let _ = writeln!(out, "desmig_operations_total{{outcome=\"{outcome}\"}} {}", get(c));
        }
        let _ = writeln!(
            out,
            "# HELP desmig_database_errors_total Requests that failed inside the server (database or internal errors, answered 500).\n# TYPE desmig_database_errors_total counter"
        );
        let _ = writeln!(out, "desmig_database_errors_total {}", self.responses_server_error.iter().map(get).sum::<u64>());
        let _ = writeln!(
            out,
            "# HELP desmig_request_duration_seconds Request latency, by route.\n# TYPE desmig_request_duration_seconds histogram"
        );
        for (i, route) in ROUTES.iter().enumerate() {
            let h = &self.latency[i];
            for (b, c) in BUCKETS.iter().zip(&h.buckets) {
                let _ = writeln!(out, "desmig_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}", get(c));
            }
            let _ = writeln!(out, "desmig_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", get(&h.count));
            let _ = writeln!(out, "desmig_request_duration_seconds_sum{{route=\"{route}\"}} {}", get(&h.sum_us) as f64 / 1e6);
            let _ = writeln!(out, "desmig_request_duration_seconds_count{{route=\"{route}\"}} {}", get(&h.count));
        }
        out
    }
}
