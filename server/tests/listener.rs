//! The TCP listener: real sockets on 127.0.0.1, the connection limit and the
//! socket timeouts.

#[path = "support/memory_backend.rs"]
#[allow(dead_code)]
mod memory_backend;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use memory_backend::MemoryBackend;
use quiver_server::{BoltConfig, BoltServer};

const HANDSHAKE: [u8; 20] = [0x60, 0x60, 0xB0, 0x17, 0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0];

fn start(config: BoltConfig) -> BoltServer {
    let backend = Arc::new(MemoryBackend::new("neo4j", "pw", Duration::from_millis(50)));
    BoltServer::start(backend, "127.0.0.1:0", config).unwrap()
}

fn connect(server: &BoltServer) -> TcpStream {
    let s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Handshakes and returns the version bytes (empty when the server closed).
fn handshake(s: &mut TcpStream) -> Vec<u8> {
    let _ = s.write_all(&HANDSHAKE);
    let mut v = vec![0u8; 4];
    match s.read_exact(&mut v) {
        Ok(()) => v,
        Err(_) => Vec::new(),
    }
}

#[test]
fn connections_beyond_the_limit_are_closed() {
    let server = start(BoltConfig {
        max_connections: 2,
        ..BoltConfig::default()
    });
    let mut a = connect(&server);
    let mut b = connect(&server);
    assert_eq!(handshake(&mut a), vec![0, 0, 8, 5]);
    assert_eq!(handshake(&mut b), vec![0, 0, 8, 5]);
    let mut c = connect(&server);
    assert_eq!(handshake(&mut c), Vec::<u8>::new(), "the third connection is refused");
    // Once one closes, there is room again.
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut d = connect(&server);
        if handshake(&mut d) == vec![0, 0, 8, 5] {
            break;
        }
        assert!(Instant::now() < deadline, "no room after a connection closed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn idle_and_slow_sockets_are_closed() {
    let server = start(BoltConfig {
        idle_timeout: Some(Duration::from_millis(200)),
        read_timeout: Some(Duration::from_millis(200)),
        poll_interval: Duration::from_millis(20),
        ..BoltConfig::default()
    });
    // Idle after the handshake.
    let mut s = connect(&server);
    assert_eq!(handshake(&mut s), vec![0, 0, 8, 5]);
    let started = Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0, "closed by the server");
    assert!(started.elapsed() >= Duration::from_millis(150));
    // Half a handshake.
    let mut s = connect(&server);
    s.write_all(&HANDSHAKE[..7]).unwrap();
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
}
