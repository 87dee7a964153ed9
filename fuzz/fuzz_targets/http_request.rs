//! Any bytes as an HTTP Query API request: the body (plain or typed JSON,
//! by the first byte) decodes into a statement and parameters or into an
//! error, and an `Authorization` header value into credentials or none;
//! never a panic, a hang or unbounded allocation. (HTTP framing itself is
//! hyper's; what is fuzzed is quiver's reading of what it hands over.)
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quiver_server::http::{basic_credentials, decode_request};

fn db() -> &'static quiver::Database {
    static DB: OnceLock<quiver::Database> = OnceLock::new();
    DB.get_or_init(quiver::Database::in_memory)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let _ = decode_request(body, false, db());
        }
        1 => {
            if let Ok((_, params)) = decode_request(body, true, db()) {
                // Whatever decodes is a value quiver can hold: it prints.
                for v in params.values() {
                    let _ = v.to_string();
                }
            }
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(body) {
                if let Some((u, _)) = basic_credentials(text) {
                    assert!(!u.contains(':'));
                }
            }
        }
    }
});
