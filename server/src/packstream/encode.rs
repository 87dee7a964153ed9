//! PackStream encoding (PackStream version 1, "Data types"): every marker,
//! always in its most compact form, big-endian.
//!
//! The `write_*` functions append to a byte buffer; collections are written
//! as a header followed by their items, so callers (see `crate::values`) can
//! stream values without building a [`PackValue`] tree first.

use super::value::{Dict, PackValue, Structure};

pub const NULL: u8 = 0xC0;
pub const FLOAT_64: u8 = 0xC1;
pub const FALSE: u8 = 0xC2;
pub const TRUE: u8 = 0xC3;
pub const INT_8: u8 = 0xC8;
pub const INT_16: u8 = 0xC9;
pub const INT_32: u8 = 0xCA;
pub const INT_64: u8 = 0xCB;
pub const BYTES_8: u8 = 0xCC;
pub const BYTES_16: u8 = 0xCD;
pub const BYTES_32: u8 = 0xCE;
pub const TINY_STRING: u8 = 0x80;
pub const STRING_8: u8 = 0xD0;
pub const STRING_16: u8 = 0xD1;
pub const STRING_32: u8 = 0xD2;
pub const TINY_LIST: u8 = 0x90;
pub const LIST_8: u8 = 0xD4;
pub const LIST_16: u8 = 0xD5;
pub const LIST_32: u8 = 0xD6;
pub const TINY_MAP: u8 = 0xA0;
pub const MAP_8: u8 = 0xD8;
pub const MAP_16: u8 = 0xD9;
pub const MAP_32: u8 = 0xDA;
pub const TINY_STRUCT: u8 = 0xB0;

/// The largest size PackStream allows for strings, bytes, lists and dictionaries.
pub const MAX_SIZE: usize = i32::MAX as usize;

pub fn write_null(out: &mut Vec<u8>) {
    out.push(NULL);
}

pub fn write_bool(out: &mut Vec<u8>, b: bool) {
    out.push(if b { TRUE } else { FALSE });
}

/// `Integer`: TINY_INT for -16..=127, else the narrowest of INT_8/16/32/64.
pub fn write_int(out: &mut Vec<u8>, i: i64) {
    if (-16..=127).contains(&i) {
        out.push(i as i8 as u8);
    } else if (-128..=-17).contains(&i) {
        out.push(INT_8);
        out.push(i as i8 as u8);
    } else if (-32_768..=32_767).contains(&i) {
        out.push(INT_16);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if (-2_147_483_648..=2_147_483_647).contains(&i) {
        out.push(INT_32);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(INT_64);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// `Float`: C1 and the IEEE 754 double, big-endian.
pub fn write_float(out: &mut Vec<u8>, f: f64) {
    out.push(FLOAT_64);
    out.extend_from_slice(&f.to_bits().to_be_bytes());
}

/// A size after one of three markers (8-, 16- or 32-bit unsigned).
fn write_sized(out: &mut Vec<u8>, len: usize, markers: [u8; 3]) {
    assert!(len <= MAX_SIZE, "PackStream sizes are limited to 2^31-1");
    if len <= 0xFF {
        out.push(markers[0]);
        out.push(len as u8);
    } else if len <= 0xFFFF {
        out.push(markers[1]);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(markers[2]);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

/// `Bytes`: CC/CD/CE and the size (no tiny form).
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_sized(out, b.len(), [BYTES_8, BYTES_16, BYTES_32]);
    out.extend_from_slice(b);
}

/// `String`: 80+len below 16 bytes of UTF-8, else D0/D1/D2 and the size.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    if s.len() < 16 {
        out.push(TINY_STRING | s.len() as u8);
    } else {
        write_sized(out, s.len(), [STRING_8, STRING_16, STRING_32]);
    }
    out.extend_from_slice(s.as_bytes());
}

/// `List` header: 90+len below 16 items, else D4/D5/D6 and the size.
pub fn write_list_header(out: &mut Vec<u8>, len: usize) {
    if len < 16 {
        out.push(TINY_LIST | len as u8);
    } else {
        write_sized(out, len, [LIST_8, LIST_16, LIST_32]);
    }
}

/// `Dictionary` header: A0+len below 16 entries, else D8/D9/DA and the size;
/// `len` key-value pairs follow, each key a string.
pub fn write_map_header(out: &mut Vec<u8>, len: usize) {
    if len < 16 {
        out.push(TINY_MAP | len as u8);
    } else {
        write_sized(out, len, [MAP_8, MAP_16, MAP_32]);
    }
}

/// `Structure` header: B0+fields and the tag byte; the fields follow.
pub fn write_struct_header(out: &mut Vec<u8>, tag: u8, fields: usize) {
    assert!(fields <= 15, "a structure has at most 15 fields");
    out.push(TINY_STRUCT | fields as u8);
    out.push(tag);
}

pub fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    write_map_header(out, d.len());
    for (k, v) in d.iter() {
        write_string(out, k);
        write_value(out, v);
    }
}

pub fn write_struct(out: &mut Vec<u8>, s: &Structure) {
    write_struct_header(out, s.tag, s.fields.len());
    for f in &s.fields {
        write_value(out, f);
    }
}

/// Any value, recursively.
pub fn write_value(out: &mut Vec<u8>, v: &PackValue) {
    match v {
        PackValue::Null => write_null(out),
        PackValue::Bool(b) => write_bool(out, *b),
        PackValue::Int(i) => write_int(out, *i),
        PackValue::Float(f) => write_float(out, *f),
        PackValue::Bytes(b) => write_bytes(out, b),
        PackValue::String(s) => write_string(out, s),
        PackValue::List(items) => {
            write_list_header(out, items.len());
            for item in items {
                write_value(out, item);
            }
        }
        PackValue::Dict(d) => write_dict(out, d),
        PackValue::Struct(s) => write_struct(out, s),
    }
}

/// One value as bytes.
pub fn to_bytes(v: &PackValue) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, v);
    out
}
