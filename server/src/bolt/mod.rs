//! The Bolt protocol, server side: [`handshake`] (version negotiation),
//! [`chunk`] (chunked message framing), [`message`] (every request and
//! response), [`state`] (the server state machine) and [`connection`] (one
//! connection's loop over a byte stream).

pub mod chunk;
pub mod connection;
pub mod handshake;
pub mod message;
pub mod state;

use std::fmt;

/// A Bolt protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

impl Version {
    pub const fn new(major: u8, minor: u8) -> Version {
        Version { major, minor }
    }

    pub const V4_4: Version = Version::new(4, 4);
    pub const V5_0: Version = Version::new(5, 0);
    pub const V5_1: Version = Version::new(5, 1);
    pub const V5_2: Version = Version::new(5, 2);
    pub const V5_3: Version = Version::new(5, 3);
    pub const V5_4: Version = Version::new(5, 4);
    pub const V5_6: Version = Version::new(5, 6);
    pub const V5_7: Version = Version::new(5, 7);
    pub const V5_8: Version = Version::new(5, 8);

    /// Every version this server speaks, most preferred first. 5.5 is left
    /// out on purpose: no server negotiates it (Bolt "Version 5.5").
    pub const SUPPORTED: &'static [Version] = &[
        Version::V5_8,
        Version::V5_7,
        Version::V5_6,
        Version::V5_4,
        Version::V5_3,
        Version::V5_2,
        Version::V5_1,
        Version::V5_0,
        Version::V4_4,
    ];

    /// 5.1+: authentication moved from `HELLO` to `LOGON`/`LOGOFF`.
    pub fn has_logon(self) -> bool {
        self >= Version::V5_1
    }

    /// 5.0+: element ids on entities and the UTC-based date-time structures.
    pub fn is_bolt5(self) -> bool {
        self >= Version::V5_0
    }

    /// 5.4+: the `TELEMETRY` message.
    pub fn has_telemetry(self) -> bool {
        self >= Version::V5_4
    }

    /// 5.7+: `FAILURE` carries `neo4j_code`, `gql_status`, `description` and
    /// `diagnostic_record` instead of `code`.
    pub fn has_gql_errors(self) -> bool {
        self >= Version::V5_7
    }

    /// 5.8+: `BEGIN`/`RUN` report the database they resolved to.
    pub fn reports_home_db(self) -> bool {
        self >= Version::V5_8
    }

    /// The 4 handshake bytes: `00 00 minor major`.
    pub fn to_bytes(self) -> [u8; 4] {
        [0, 0, self.minor, self.major]
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
