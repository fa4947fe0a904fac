//! A fault-injecting HTTP proxy for loopback tests: it forwards one request per connection and
//! can drop the reply after the server has answered, cut or delay it, or cut the request. It
//! counts the bytes that cross it both ways. Shaped ([`FaultProxy::shaped`]), it is a slow field
//! link: a round trip's delay per request and a bandwidth both ways.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The server gets the request and answers; the client never sees the answer.
    DropReply,
    /// Only the first N bytes of the answer reach the client.
    TruncateReply(usize),
    /// The answer is held back this long.
    Delay(Duration),
    /// Only the first N bytes of the request reach the server.
    CutRequest(usize),
    /// The answer's header `name` (if it has one) says `value` instead.
    ForgeHeader(&'static str, &'static str),
}

/// A slow link: bytes per second (each way) and the round-trip time every request pays (a new
/// connection's handshake and the request's own trip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub bytes_per_sec: u64,
    pub rtt: Duration,
}

impl Link {
    /// How long `bytes` take at this bandwidth.
    pub fn transfer(&self, bytes: u64) -> Duration {
        Duration::from_secs_f64(bytes as f64 / self.bytes_per_sec.max(1) as f64)
    }
}

#[derive(Default)]
struct Shared {
    link: Option<Link>,
    /// One downlink: answers share its bandwidth, one after another.
    downlink: tokio::sync::Mutex<()>,
    faults: Mutex<VecDeque<(String, usize, Fault)>>,
    /// A header taken out of every answer, as if the server did not send it.
    strip: Mutex<Option<&'static str>>,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    requests: AtomicU64,
    faults_fired: AtomicU64,
}

pub struct FaultProxy {
    pub url: String,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        FaultProxy::balance(&[upstream])
    }

    /// Starts a proxy that sends each connection (so each request) to a random one of
    /// `upstreams`: several server instances behind one address.
    pub fn balance(upstreams: &[&str]) -> FaultProxy {
        FaultProxy::with(upstreams, None)
    }

    /// Starts a proxy in front of `upstream` that behaves as the slow `link`.
    pub fn shaped(upstream: &str, link: Link) -> FaultProxy {
        FaultProxy::with(&[upstream], Some(link))
    }

    fn with(upstreams: &[&str], link: Option<Link>) -> FaultProxy {
        let targets: Vec<SocketAddr> =
            upstreams.iter().map(|u| u.trim_start_matches("http://").parse().expect("upstream address")).collect();
        let shared = Arc::new(Shared { link, ..Shared::default() });
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                addr_tx.send(listener.local_addr().expect("addr")).expect("addr");
                let mut seed =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7) | 1;
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        accepted = listener.accept() => {
                            let Ok((client, _)) = accepted else { continue };
                            let s = s.clone();
                            seed ^= seed << 13;
                            seed ^= seed >> 7;
                            seed ^= seed << 17;
                            let target = targets[(seed % targets.len() as u64) as usize];
                            tokio::spawn(async move { let _ = handle(client, target, s).await; });
                        }
                    }
                }
            });
        });
        let addr = addr_rx.recv().expect("proxy started");
        FaultProxy { url: format!("http://{addr}"), shared, shutdown: Some(tx), thread: Some(thread) }
    }

    /// The next request whose path starts with `path_prefix` suffers `fault`.
    pub fn inject(&self, path_prefix: &str, fault: Fault) {
        self.inject_after(path_prefix, 0, fault);
    }

    /// Lets `skip` requests matching `path_prefix` through, then hits the next one with `fault`.
    pub fn inject_after(&self, path_prefix: &str, skip: usize, fault: Fault) {
        self.shared.faults.lock().expect("faults").push_back((path_prefix.to_string(), skip, fault));
    }

    pub fn bytes_up(&self) -> u64 {
        self.shared.bytes_up.load(Ordering::SeqCst)
    }
    pub fn bytes_down(&self) -> u64 {
        self.shared.bytes_down.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
    pub fn faults_fired(&self) -> u64 {
        self.shared.faults_fired.load(Ordering::SeqCst)
    }
    /// From now on every answer reaches the client without its header `name` (as from an
    /// older server that did not send it).
    pub fn strip_header(&self, name: &'static str) {
        *self.shared.strip.lock().expect("strip") = Some(name);
    }

    pub fn reset_counters(&self) {
        self.shared.bytes_up.store(0, Ordering::SeqCst);
        self.shared.bytes_down.store(0, Ordering::SeqCst);
        self.shared.requests.store(0, Ordering::SeqCst);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn handle(mut client: TcpStream, target: SocketAddr, shared: Arc<Shared>) -> std::io::Result<()> {
    // Read the request head and its body (Content-Length framed, as the sync client sends).
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let content_length: usize = head
        .lines()
        .find_map(|l| {
            l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < head_end + content_length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    shared.requests.fetch_add(1, Ordering::SeqCst);
    shared.bytes_up.fetch_add(buf.len() as u64, Ordering::SeqCst);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let fault = {
        let mut faults = shared.faults.lock().expect("faults");
        match faults.iter().position(|(prefix, _, _)| path.starts_with(prefix.as_str())) {
            Some(i) if faults[i].1 > 0 => {
                faults[i].1 -= 1;
                None
            }
            Some(i) => faults.remove(i).map(|(_, _, f)| f),
            None => None,
        }
    };
    if fault.is_some() {
        shared.faults_fired.fetch_add(1, Ordering::SeqCst);
    }
    // One request per connection: ask the server to close, so the answer ends at EOF.
    let line_end = find(&buf, b"\r\n").unwrap_or(0) + 2;
    let mut request = Vec::with_capacity(buf.len() + 19);
    request.extend_from_slice(&buf[..line_end]);
    request.extend_from_slice(b"Connection: close\r\n");
    request.extend_from_slice(&buf[line_end..]);

    if let Some(link) = shared.link {
        // The handshake and the request's trip up, then its bytes at the link's bandwidth.
        tokio::time::sleep(link.rtt + link.transfer(request.len() as u64)).await;
    }
    let mut upstream = TcpStream::connect(target).await?;
    if let Some(Fault::CutRequest(n)) = fault {
        upstream.write_all(&request[..n.min(request.len())]).await?;
        upstream.shutdown().await?;
        return Ok(());
    }
    upstream.write_all(&request).await?;
    let mut response = Vec::new();
    upstream.read_to_end(&mut response).await?;
    if let Some(Fault::ForgeHeader(name, value)) = fault {
        response = forge_header(&response, name, Some(value));
    }
    let strip = *shared.strip.lock().expect("strip");
    if let Some(name) = strip {
        response = forge_header(&response, name, None);
    }
    match fault {
        Some(Fault::DropReply) => {}
        Some(Fault::TruncateReply(n)) => {
            let n = n.min(response.len());
            client.write_all(&response[..n]).await?;
            shared.bytes_down.fetch_add(n as u64, Ordering::SeqCst);
        }
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            client.write_all(&response).await?;
            shared.bytes_down.fetch_add(response.len() as u64, Ordering::SeqCst);
        }
        _ => {
            if let Some(link) = shared.link {
                // The answer at the link's bandwidth, a packet at a time: each arrives once the
                // link has carried it, so the headers come before the rest of a long answer.
                let _busy = shared.downlink.lock().await;
                let start = tokio::time::Instant::now();
                let mut sent = 0u64;
                for part in response.chunks(1460) {
                    sent += part.len() as u64;
                    tokio::time::sleep_until(start + link.transfer(sent)).await;
                    client.write_all(part).await?;
                }
            } else {
                client.write_all(&response).await?;
            }
            shared.bytes_down.fetch_add(response.len() as u64, Ordering::SeqCst);
        }
    }
    client.shutdown().await?;
    Ok(())
}

/// `response` with the value of its header `name` replaced by `value`, or the header taken out.
fn forge_header(response: &[u8], name: &str, value: Option<&str>) -> Vec<u8> {
    let Some(head_end) = find(response, b"\r\n\r\n") else { return response.to_vec() };
    let head = String::from_utf8_lossy(&response[..head_end]);
    let lines: Vec<String> = head
        .split("\r\n")
        .filter_map(|line| match line.split_once(':') {
            Some((n, _)) if n.trim().eq_ignore_ascii_case(name) => value.map(|v| format!("{n}: {v}")),
            _ => Some(line.to_string()),
        })
        .collect();
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(&response[head_end..]);
    out
}
