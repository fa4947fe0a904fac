//! `desmig-sync-server`: serve the sync API, and administer users, devices and reference data.

use clap::{Parser, Subcommand};
use desmig_core::cipher::DbKey;
use desmig_core::date::now_unix_ms;
use desmig_core::scope::Role;
use desmig_sync_server::edge::{self, EdgeConfig};
use desmig_sync_server::http::HttpConfig;
use desmig_sync_server::storage::{NewUser, Session, Storage};
use desmig_sync_server::{demo, DatabaseUrl, ServerError, DEFAULT_DATABASE_URL};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "desmig-sync-server", version, about = "desmig sync server and its administration")]
struct Cli {
    /// Database: sqlite://PATH (default sqlite://./data/desmig.db, or $DESMIG_DATABASE_URL).
    #[arg(long, global = true)]
    database: Option<String>,
    /// Encrypt the SQLite store with the 256-bit key (64 hex digits) in this file; or set
    /// $DESMIG_DB_KEY_FILE, or $DESMIG_DB_KEY to the key itself. A plain store is encrypted once.
    #[arg(long, global = true)]
    db_key_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Days a device token stays valid.
        #[arg(long, default_value_t = 30)]
        token_days: i64,
        /// Seconds an operation may be stamped ahead of this server's clock (at most 300: the
        /// phones heal their clocks beyond that).
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=300))]
        max_clock_ahead_secs: u64,
        /// Connections served at once (keep the process's file limit above it).
        #[arg(long, default_value_t = 512)]
        max_connections: usize,
        /// Seconds a connection may stay silent before it is closed.
        #[arg(long, default_value_t = 30)]
        idle_timeout_secs: u64,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// A reverse proxy (IP address) whose X-Forwarded-For names the client; repeat for several.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// gzip level of pull pages, 1 (fastest) to 9 (smallest); see docs/operations.md.
        #[arg(long, default_value_t = desmig_sync_server::http::DEFAULT_PULL_GZIP_LEVEL, value_parser = clap::value_parser!(u32).range(1..=9))]
        pull_gzip_level: u32,
        /// zstd level of pull pages, 1 (fastest) to 19 (smallest), for phones that accept zstd.
        #[arg(long, default_value_t = desmig_sync_server::http::DEFAULT_PULL_ZSTD_LEVEL, value_parser = clap::value_parser!(i32).range(1..=19))]
        pull_zstd_level: i32,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// A person's data requests (UU 27/2022), answered as a supervisor or administrator.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Load region reference data from a `code,name` CSV file (replaces the current list).
    Regions { file: String },
    /// Publish a checklist template version from a JSON file.
    Template { file: String },
    /// Create demo users and data (password `desmig-demo`) to try a sync.
    Demo,
    /// Print counts of users' data on the server.
    Stats,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// Name shown in the apps.
        #[arg(long)]
        name: String,
        /// facilitator, supervisor, worker or admin.
        #[arg(long)]
        role: String,
        /// A village code (facilitator); repeat for several.
        #[arg(long = "village")]
        villages: Vec<String>,
        /// A district code (supervisor); repeat for several.
        #[arg(long = "district")]
        districts: Vec<String>,
        /// The beneficiary record of a worker.
        #[arg(long)]
        beneficiary: Option<String>,
        /// A work phone number the apps show to the user's team (the worker sees their
        /// facilitator's).
        #[arg(long)]
        phone: Option<String>,
    },
    /// Set or clear (empty) the work phone number the apps show to the user's team.
    Phone {
        #[arg(long)]
        username: String,
        #[arg(long)]
        phone: String,
    },
    /// Set a new password.
    Password {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
    },
    /// Disable an account: its sessions end and it cannot log in.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Change a user's villages or districts; their next sync pulls the new scope.
    Assign {
        #[arg(long)]
        username: String,
        #[arg(long = "village")]
        villages: Vec<String>,
        #[arg(long = "district")]
        districts: Vec<String>,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Print everything the server holds about a beneficiary (logged as read by --by).
    Export {
        beneficiary_id: String,
        /// The supervisor or administrator answering the request.
        #[arg(long)]
        by: String,
        /// A readable page instead of JSON.
        #[arg(long)]
        html: bool,
    },
    /// Erase a beneficiary's file on the server and, at their next sync, on every phone.
    Erase {
        beneficiary_id: String,
        #[arg(long)]
        by: String,
        /// The request's reference (kept with the tombstone).
        #[arg(long)]
        reason: String,
    },
    /// Who read or erased a beneficiary's file on the server.
    AccessLog {
        beneficiary_id: String,
        #[arg(long)]
        by: String,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Revoke every token of a device (a lost phone) and refuse its logins.
    Revoke { device_id: String },
}

fn read(path: &str) -> Result<String, ServerError> {
    std::fs::read_to_string(path).map_err(|e| ServerError::bad("unreadable_file", format!("cannot read {path}: {e}")))
}

/// The SQLite store's key: from `--db-key-file`, `$DESMIG_DB_KEY_FILE` or `$DESMIG_DB_KEY`.
fn database_key(file: Option<std::path::PathBuf>) -> Result<Option<DbKey>, ServerError> {
    let file = file.or_else(|| std::env::var_os("DESMIG_DB_KEY_FILE").map(Into::into));
    let text = match file {
        Some(path) => std::fs::read_to_string(&path)
            .map_err(|e| ServerError::bad("unreadable_file", format!("cannot read the key file {}: {e}", path.display())))?,
        None => match std::env::var("DESMIG_DB_KEY") {
            Ok(k) => k,
            Err(_) => return Ok(None),
        },
    };
    Ok(Some(DbKey::from_hex(&text)?))
}

fn run(cli: Cli) -> Result<(), ServerError> {
    let url = cli.database.or_else(|| std::env::var("DESMIG_DATABASE_URL").ok()).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
    let database = DatabaseUrl::parse(&url).map_err(|m| ServerError::bad("invalid_database_url", m))?;
    let key = database_key(cli.db_key_file)?;
    let storage: Arc<dyn Storage> = database.open_with_key(key.as_ref())?;
    // A new server starts with the whole country's regions, not the phones' small sample.
    if let Some(n) = desmig_sync_server::regions::load_full_if_sample(storage.as_ref())? {
        eprintln!("loaded the Kemendagri region list ({n} regions)");
    }
    match cli.command {
        Command::Serve {
            listen,
            token_days,
            max_clock_ahead_secs,
            max_connections,
            idle_timeout_secs,
            tls_cert,
            tls_key,
            trusted_proxies,
            pull_gzip_level,
            pull_zstd_level,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(edge::tls_config(&cert, &key).map_err(|m| ServerError::bad("invalid_tls", m))?),
                _ => None,
            };
            // Storage calls block (PostgreSQL's client runs its own runtime): before the server's.
            let has_admin = storage.read_users()?.iter().any(|u| u.user.role == Role::Admin && !u.disabled);
            let runtime = tokio::runtime::Runtime::new().map_err(|e| ServerError::Internal(e.to_string()))?;
            // The last handle on the storage is dropped after the runtime, outside it: closing
            // PostgreSQL's blocking client inside the runtime would panic.
            let keep = storage.clone();
            let served = runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| ServerError::bad("cannot_listen", format!("cannot listen on {listen}: {e}")))?;
                let addr = listener.local_addr().map_err(|e| ServerError::Internal(e.to_string()))?;
                let scheme = if tls.is_some() { "https" } else { "http" };
                println!("desmig sync server listening on {scheme}://{addr} (database {url})");
                eprintln!("district console: {scheme}://{addr}/console");
                if !has_admin {
                    eprintln!(
                        "no administrator yet: create the first one with\n  desmig-sync-server --database '{url}' user add --role admin --username admin --name 'Admin' --password '…'"
                    );
                }
                let defaults = HttpConfig::default();
                let config = HttpConfig {
                    token_ttl_ms: token_days * 24 * 3600 * 1000,
                    clock_bound_ms: max_clock_ahead_secs * 1000,
                    pull_gzip_level,
                    pull_zstd_level,
                    trusted_proxies,
                    edge: EdgeConfig {
                        max_connections,
                        idle_timeout: std::time::Duration::from_secs(idle_timeout_secs.max(1)),
                        tls,
                        ..defaults.edge.clone()
                    },
                    ..defaults
                };
                // Ctrl-C, or SIGTERM from systemd or a container runtime: stop accepting, finish
                // the requests in flight, exit.
                let shutdown = async {
                    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                    let terminated = async {
                        match term.as_mut() {
                            Some(t) => {
                                t.recv().await;
                            }
                            None => std::future::pending::<()>().await,
                        }
                    };
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        () = terminated => {}
                    }
                    println!("shutting down: finishing requests in flight");
                };
                desmig_sync_server::serve(listener, storage, config, shutdown).await.map_err(|e| ServerError::Internal(e.to_string()))
            });
            drop(runtime);
            drop(keep);
            served
        }
        Command::User { command } => match command {
            UserCommand::Add { username, password, name, role, villages, districts, beneficiary, phone } => {
                let role: Role = serde_json::from_value(serde_json::Value::String(role.clone())).map_err(|_| {
                    ServerError::bad("invalid_role", format!("unknown role `{role}`: use facilitator, supervisor, worker or admin"))
                })?;
                let u = storage.add_user(
                    &NewUser { username, password, display_name: name, role, villages, districts, beneficiary_id: beneficiary, phone },
                    now_unix_ms(),
                )?;
                println!("created {} ({:?}) id {}", u.username, u.role, u.id);
                Ok(())
            }
            UserCommand::Phone { username, phone } => {
                storage.set_phone(&username, &phone)?;
                println!("phone of {username} set; their team's phones show it after their next sync");
                Ok(())
            }
            UserCommand::Password { username, password } => {
                storage.set_password(&username, &password)?;
                println!("password changed for {username}; their phones log in again");
                Ok(())
            }
            UserCommand::Disable { username } => {
                storage.set_disabled(&username, true)?;
                println!("{username} disabled; their sessions ended");
                Ok(())
            }
            UserCommand::Enable { username } => {
                storage.set_disabled(&username, false)?;
                println!("{username} enabled");
                Ok(())
            }
            UserCommand::Assign { username, villages, districts } => {
                let u = storage.assign(&username, &villages, &districts)?;
                println!("{}: villages {:?}, districts {:?}", u.username, u.villages, u.districts);
                Ok(())
            }
        },
        Command::Device { command: DeviceCommand::Revoke { device_id } } => {
            let n = storage.revoke_device(&device_id, now_unix_ms())?;
            println!("device {device_id} revoked ({n} tokens)");
            Ok(())
        }
        Command::Person { command } => {
            let as_user = |username: &str| -> Result<Session, ServerError> {
                let (user, _, _) = storage
                    .find_user(&desmig_sync_server::storage::normalize_username(username)?)?
                    .filter(|(_, _, disabled)| !disabled)
                    .ok_or_else(|| ServerError::bad("unknown_user", format!("no enabled user `{username}`")))?;
                Ok(Session { user, device_id: "server-cli".into() })
            };
            match command {
                PersonCommand::Export { beneficiary_id, by, html } => {
                    let export = storage.export_person(&as_user(&by)?, &beneficiary_id, now_unix_ms())?;
                    if html {
                        print!("{}", desmig_sync_server::privacy::export_html(&export));
                    } else {
                        println!("{}", serde_json::to_string_pretty(&export)?);
                    }
                }
                PersonCommand::Erase { beneficiary_id, by, reason } => {
                    let e = storage.erase_person(&as_user(&by)?, &beneficiary_id, &reason, now_unix_ms())?;
                    println!("beneficiary {} erased; phones delete the file at their next sync", e.beneficiary_id);
                }
                PersonCommand::AccessLog { beneficiary_id, by } => {
                    for a in storage.person_access_log(&as_user(&by)?, &beneficiary_id)? {
                        println!("{} {} {} {}", a.at, a.username, a.action.as_str(), a.device_id);
                    }
                }
            }
            Ok(())
        }
        Command::Regions { file } => {
            let n = storage.load_regions(&read(&file)?)?;
            println!("{n} regions loaded");
            Ok(())
        }
        Command::Template { file } => {
            let t = storage.publish_template(&read(&file)?)?;
            println!("published {} version {}", t.id, t.version);
            Ok(())
        }
        Command::Demo => {
            let s = demo::seed(storage.as_ref())?;
            println!("demo data: {} beneficiaries, {} operations", s.beneficiaries, s.operations);
            for (u, role) in s.users {
                println!("  user {u:<12} role {role:?} password {}", demo::DEMO_PASSWORD);
            }
            Ok(())
        }
        Command::Stats => {
            let s = storage.stats()?;
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            Ok(())
        }
    }
}

#[global_allocator]
static ALLOCATOR: desmig_sync_server::ServerAllocator = desmig_sync_server::SERVER_ALLOCATOR;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let body = e.body();
            eprintln!("error: {} ({})", body.error.message, body.error.code);
            for f in body.error.fields {
                eprintln!("  {}: {}", f.field, f.message);
            }
            ExitCode::FAILURE
        }
    }
}
