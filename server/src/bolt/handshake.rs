//! The Bolt handshake (Bolt "Handshake"): the client sends the magic
//! `60 60 B0 17` and four version proposals, each `00 range minor major`
//! (4.3+: `range` more minors below `minor` are also accepted); the server
//! answers with the first proposal it can meet, as `00 00 minor major`, or
//! `00 00 00 00` and closes.
//!
//! A proposal `00 00 01 FF` asks for handshake manifest v1 (Bolt 5.7): the
//! server answers `00 00 01 FF`, a varint count, that many version ranges
//! and a varint capability mask; the client then writes its choice (4 bytes,
//! no range) and a varint of the capabilities it takes.

use super::Version;

pub const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
pub const MANIFEST_V1: [u8; 4] = [0x00, 0x00, 0x01, 0xFF];
pub const NO_VERSION: [u8; 4] = [0, 0, 0, 0];

/// What the server answers to the four proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Version(Version),
    Manifest,
    NoMatch,
}

/// The highest supported version one proposal (`00 range minor major`) admits.
pub fn match_proposal(p: [u8; 4], supported: &[Version]) -> Option<Version> {
    let [_, range, minor, major] = p;
    if major == 0 {
        return None;
    }
    let low = minor.saturating_sub(range);
    supported
        .iter()
        .copied()
        .filter(|v| v.major == major && (low..=minor).contains(&v.minor))
        .max()
}

/// Picks from the proposals in the client's order of preference: the first
/// one the server can meet wins.
pub fn choose(proposals: &[u8; 16], supported: &[Version], manifest: bool) -> Choice {
    for chunk in proposals.chunks_exact(4) {
        let p: [u8; 4] = chunk.try_into().expect("4 bytes");
        if p == MANIFEST_V1 {
            if manifest {
                return Choice::Manifest;
            }
            continue;
        }
        if p[3] == 0xFF {
            continue; // another manifest version
        }
        if let Some(v) = match_proposal(p, supported) {
            return Choice::Version(v);
        }
    }
    Choice::NoMatch
}

/// Appends an unsigned varint: 7 bits a byte, least significant first, the
/// high bit set on every byte but the last.
pub fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A varint longer than 10 bytes (over 64 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a varint is longer than 64 bits")]
pub struct VarintTooLong;

/// Decodes a varint from the start of `bytes`: `Ok(Some((value, length)))`,
/// `Ok(None)` when more bytes are needed.
pub fn read_varint(bytes: &[u8]) -> Result<Option<(u64, usize)>, VarintTooLong> {
    let mut n: u64 = 0;
    for (i, b) in bytes.iter().enumerate() {
        if i >= 10 {
            return Err(VarintTooLong);
        }
        n |= ((b & 0x7F) as u64).checked_shl(7 * i as u32).unwrap_or(0);
        if b & 0x80 == 0 {
            return Ok(Some((n, i + 1)));
        }
    }
    if bytes.len() >= 10 {
        Err(VarintTooLong)
    } else {
        Ok(None)
    }
}

/// The supported versions as ranges (`00 range minor major`), highest first.
pub fn ranges(supported: &[Version]) -> Vec<[u8; 4]> {
    let mut sorted: Vec<Version> = supported.to_vec();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    let mut out: Vec<[u8; 4]> = Vec::new();
    for v in sorted {
        match out.last_mut() {
            // Extend the range below when this minor is the next one down.
            Some(r) if r[3] == v.major && r[2] - r[1] == v.minor + 1 => r[1] += 1,
            _ => out.push([0, 0, v.minor, v.major]),
        }
    }
    out
}

/// The server's manifest v1 answer: the marker, the ranges, no capabilities.
pub fn manifest_offer(supported: &[Version]) -> Vec<u8> {
    let mut out = MANIFEST_V1.to_vec();
    let r = ranges(supported);
    write_varint(&mut out, r.len() as u64);
    for range in r {
        out.extend_from_slice(&range);
    }
    write_varint(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    fn proposals(s: &str) -> [u8; 16] {
        hex(s).try_into().unwrap()
    }

    #[test]
    fn the_docs_examples() {
        let old = [Version::new(1, 0), Version::new(2, 0)];
        // Client knows 1 -> 1.
        assert_eq!(
            choose(
                &proposals("00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00"),
                &old,
                true
            ),
            Choice::Version(Version::new(1, 0))
        );
        // Client knows 3, 2, 1 -> 2.
        assert_eq!(
            choose(
                &proposals("00 00 00 03 00 00 00 02 00 00 00 01 00 00 00 00"),
                &old,
                true
            ),
            Choice::Version(Version::new(2, 0))
        );
        // Only 3 -> no version.
        assert_eq!(
            choose(
                &proposals("00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00"),
                &old,
                true
            ),
            Choice::NoMatch
        );
        // 4.3 with a range of 3, 4.0 and 3: a 4.1 server answers 4.1.
        let v41 = [Version::new(4, 1), Version::new(4, 0)];
        assert_eq!(
            choose(
                &proposals("00 03 03 04 00 00 01 04 00 00 00 04 00 00 00 03"),
                &v41,
                true
            ),
            Choice::Version(Version::new(4, 1))
        );
    }

    #[test]
    fn what_the_drivers_propose() {
        // Manifest v1, 5.8 down to 5.0, 4.4 down to 4.2, 3.0.
        let p = proposals("00 00 01 FF 00 08 08 05 00 02 04 04 00 00 00 03");
        assert_eq!(choose(&p, Version::SUPPORTED, true), Choice::Manifest);
        assert_eq!(choose(&p, Version::SUPPORTED, false), Choice::Version(Version::V5_8));
        assert_eq!(
            choose(&p, &[Version::V5_4, Version::V4_4], false),
            Choice::Version(Version::V5_4)
        );
        assert_eq!(choose(&p, &[Version::V4_4], false), Choice::Version(Version::V4_4));
        assert_eq!(
            choose(&p, &[Version::V4_4], false).clone(),
            Choice::Version(Version::V4_4)
        );
        assert_eq!(Version::V5_4.to_bytes(), [0, 0, 4, 5]);
        // A range never reaches into another major version, nor below zero.
        assert_eq!(
            match_proposal([0, 9, 2, 5], &[Version::V4_4, Version::V5_0]),
            Some(Version::V5_0)
        );
        assert_eq!(match_proposal([0, 0, 0, 0], Version::SUPPORTED), None);
    }

    #[test]
    fn the_manifest_lists_ranges_without_the_gap_at_5_5() {
        assert_eq!(
            manifest_offer(Version::SUPPORTED),
            hex("00 00 01 FF 03 00 02 08 05 00 04 04 05 00 00 04 04 00")
        );
        assert_eq!(ranges(&[Version::V4_4]), vec![[0, 0, 4, 4]]);
    }

    #[test]
    fn varints_as_in_the_docs() {
        for (bytes, value) in [("01", 1u64), ("7F", 127), ("FF 82 71", 1_851_775)] {
            let b = hex(bytes);
            assert_eq!(read_varint(&b), Ok(Some((value, b.len()))));
            let mut out = Vec::new();
            write_varint(&mut out, value);
            assert_eq!(out, b);
        }
        assert_eq!(read_varint(&hex("FF 82")), Ok(None));
        assert_eq!(read_varint(&[0xFF; 11]), Err(VarintTooLong));
        let mut out = Vec::new();
        write_varint(&mut out, u64::MAX);
        assert_eq!(read_varint(&out), Ok(Some((u64::MAX, 10))));
    }
}
