//! The server's connections: accepted up to a cap, over TLS when the server has a certificate,
//! each closed when it sits silent too long (no request head, half a head, a stalled body, an
//! idle keep-alive, a stalled TLS handshake), and drained on shutdown.
//! A phone on 2G is slow but never silent for long; a socket that sends nothing is an attack or
//! a dead link, and either way must not hold one of the server's file descriptors.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};
use tower_service::Service;

/// Connection limits, from the command line.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// A connection on which nothing arrives (or leaves) for this long is closed.
    pub idle_timeout: Duration,
    /// A request head must arrive within this.
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Serve HTTPS with this certificate and key (else plain HTTP, for loopback or behind a
    /// TLS-terminating proxy).
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
}

impl Default for EdgeConfig {
    fn default() -> Self {
        EdgeConfig {
            max_connections: 512,
            idle_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(15),
            shutdown_grace: Duration::from_secs(10),
            tls: None,
        }
    }
}

/// A socket that fails with `TimedOut` when a read has waited `timeout` since it last moved.
struct IdleIo<T> {
    inner: T,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<T> IdleIo<T> {
    fn new(inner: T, timeout: Duration) -> IdleIo<T> {
        IdleIo { inner, timeout, deadline: Box::pin(tokio::time::sleep(timeout)) }
    }

    fn moved(&mut self) {
        let next = Instant::now() + self.timeout;
        self.deadline.as_mut().reset(next);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleIo<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    self.moved();
                }
                Poll::Ready(r)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "connection idle"))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleIo<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.moved();
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The TLS configuration of a certificate chain and its private key, from PEM files.
pub fn tls_config(cert_file: &std::path::Path, key_file: &std::path::Path) -> Result<Arc<tokio_rustls::rustls::ServerConfig>, String> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert_file)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read the certificate {}: {e}", cert_file.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate", cert_file.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| format!("cannot read the private key {}: {e}", key_file.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the certificate and key do not go together: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish
/// (up to the grace period).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    config: EdgeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(config.header_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // At the cap, stop accepting: new connections wait in the kernel's backlog, not here.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let io = IdleIo::new(stream, config.idle_timeout);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(addr));
            app.clone().call(request)
        });
        match &config.tls {
            None => {
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(io), service));
                tokio::spawn(async move {
                    let _ = connection.await;
                    drop(permit);
                });
            }
            Some(tls) => {
                // The handshake runs in the connection's own task, bounded like a request head.
                let acceptor = tokio_rustls::TlsAcceptor::from(tls.clone());
                let (builder, watcher, handshake_timeout) = (builder.clone(), graceful.watcher(), config.header_timeout);
                tokio::spawn(async move {
                    if let Ok(Ok(stream)) = tokio::time::timeout(handshake_timeout, acceptor.accept(io)).await {
                        let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), service)).await;
                    }
                    drop(permit);
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(config.shutdown_grace, graceful.shutdown()).await;
    Ok(())
}
