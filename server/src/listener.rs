//! A threaded TCP listener for Bolt: one thread per connection, at most
//! `max_connections` at once (more are closed straight away).

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::backend::Backend;
use crate::bolt::connection::{serve_connection, BoltConfig};

/// Accepts connections on `listener` until `stop` is set, serving each on its own thread.
pub fn serve_tcp<B>(
    backend: Arc<B>,
    listener: TcpListener,
    config: Arc<BoltConfig>,
    stop: Arc<AtomicBool>,
) -> io::Result<()>
where
    B: Backend + Send + Sync + 'static,
{
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            // A connection that failed before it was accepted; keep listening.
            Err(_) => continue,
        };
        if active.load(Ordering::SeqCst) >= config.max_connections {
            drop(stream);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (backend, config, counter) = (backend.clone(), config.clone(), active.clone());
        let spawned = std::thread::Builder::new()
            .name("bolt-connection".into())
            .spawn(move || {
                let _ = serve_tcp_stream(&*backend, stream, &config);
                counter.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Serves one TCP connection, with the config's timeouts on the socket.
pub fn serve_tcp_stream<B: Backend>(backend: &B, stream: TcpStream, config: &BoltConfig) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(config.poll_interval.max(std::time::Duration::from_millis(1))))?;
    stream.set_write_timeout(config.write_timeout)?;
    let _ = serve_connection(backend, &stream, config);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

/// A running listener (for embedding and tests): stops when dropped.
pub struct BoltServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl BoltServer {
    /// Binds `addr` (port 0: any free port) and serves on a background thread.
    pub fn start<B>(backend: Arc<B>, addr: impl ToSocketAddrs, config: BoltConfig) -> io::Result<BoltServer>
    where
        B: Backend + Send + Sync + 'static,
    {
        BoltServer::from_listener(backend, TcpListener::bind(addr)?, config)
    }

    /// Serves on a listener already bound (to print its address first, say).
    pub fn from_listener<B>(backend: Arc<B>, listener: TcpListener, config: BoltConfig) -> io::Result<BoltServer>
    where
        B: Backend + Send + Sync + 'static,
    {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let config = Arc::new(config);
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("bolt-listener".into())
            .spawn(move || serve_tcp(backend, listener, config, s))?;
        Ok(BoltServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting (open connections run to their end).
    pub fn stop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            // Wake the blocked accept.
            let _ = TcpStream::connect(self.addr);
            let _ = t.join();
        }
    }
}

impl Drop for BoltServer {
    fn drop(&mut self) {
        self.stop();
    }
}
