//! PackStream version 1: the binary format Bolt messages are written in.
//!
//! [`value`] is the value model (incl. structures), [`encode`] writes it,
//! [`decode`] reads it back from untrusted bytes within [`decode::Limits`].

pub mod decode;
pub mod encode;
pub mod value;

pub use decode::{DecodeError, Decoder, Limits};
pub use value::{Dict, PackValue, Structure};

#[cfg(test)]
mod tests {
    use super::encode::to_bytes;
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    /// Encodes to exactly `bytes` and decodes back to the same value.
    fn golden(v: PackValue, bytes: &str) {
        let expected = hex(bytes);
        assert_eq!(to_bytes(&v), expected, "encoding {v:?}");
        assert_eq!(
            Decoder::decode_all(&expected, Limits::default()).unwrap(),
            v,
            "decoding {bytes}"
        );
    }

    fn decodes(bytes: &str, v: PackValue) {
        assert_eq!(
            Decoder::decode_all(&hex(bytes), Limits::default()).unwrap(),
            v,
            "decoding {bytes}"
        );
    }

    fn int(i: i64) -> PackValue {
        PackValue::Int(i)
    }

    #[test]
    fn null_and_booleans() {
        golden(PackValue::Null, "C0");
        golden(PackValue::Bool(false), "C2");
        golden(PackValue::Bool(true), "C3");
    }

    #[test]
    fn integers_in_their_most_compact_form() {
        // The PackStream docs' range table, at each boundary.
        golden(int(0), "00");
        golden(int(1), "01");
        golden(int(42), "2A");
        golden(int(127), "7F");
        golden(int(-1), "FF");
        golden(int(-16), "F0");
        golden(int(-17), "C8 EF");
        golden(int(-128), "C8 80");
        golden(int(128), "C9 00 80");
        golden(int(-129), "C9 FF 7F");
        golden(int(32_767), "C9 7F FF");
        golden(int(-32_768), "C9 80 00");
        golden(int(32_768), "CA 00 00 80 00");
        golden(int(-32_769), "CA FF FF 7F FF");
        golden(int(2_147_483_647), "CA 7F FF FF FF");
        golden(int(-2_147_483_648), "CA 80 00 00 00");
        golden(int(2_147_483_648), "CB 00 00 00 00 80 00 00 00");
        golden(int(-2_147_483_649), "CB FF FF FF FF 7F FF FF FF");
        golden(int(i64::MIN), "CB 80 00 00 00 00 00 00 00");
        golden(int(i64::MAX), "CB 7F FF FF FF FF FF FF FF");
    }

    #[test]
    fn integers_in_wider_forms_decode() {
        // "each shows a valid representation for the decimal value 42"
        decodes("C8 2A", int(42));
        decodes("C9 00 2A", int(42));
        decodes("CA 00 00 00 2A", int(42));
        decodes("CB 00 00 00 00 00 00 00 2A", int(42));
    }

    #[test]
    fn floats() {
        golden(PackValue::Float(1.23), "C1 3F F3 AE 14 7A E1 47 AE");
        golden(PackValue::Float(2.0), "C1 40 00 00 00 00 00 00 00");
        golden(PackValue::Float(f64::INFINITY), "C1 7F F0 00 00 00 00 00 00");
        let nan = Decoder::decode_all(&hex("C1 7F F8 00 00 00 00 00 00"), Limits::default()).unwrap();
        assert!(matches!(nan, PackValue::Float(f) if f.is_nan()));
    }

    #[test]
    fn bytes() {
        golden(PackValue::Bytes(vec![]), "CC 00");
        golden(PackValue::Bytes(vec![1, 2, 3]), "CC 03 01 02 03");
        let b = vec![7u8; 256];
        let mut enc = hex("CD 01 00");
        enc.extend(&b);
        assert_eq!(to_bytes(&PackValue::Bytes(b.clone())), enc);
        decodes("CE 00 00 00 02 09 08", PackValue::Bytes(vec![9, 8]));
    }

    #[test]
    fn strings() {
        golden("".into(), "80");
        golden("A".into(), "81 41");
        golden(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into(),
            "D0 1A 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 51 52 53 54 55 56 57 58 59 5A",
        );
        golden(
            "Größenmaßstäbe".into(),
            "D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65",
        );
        golden("a".repeat(15).into(), &format!("8F{}", " 61".repeat(15)));
        golden("a".repeat(16).into(), &format!("D0 10{}", " 61".repeat(16)));
        let long = "x".repeat(300);
        let mut enc = hex("D1 01 2C");
        enc.extend(long.as_bytes());
        assert_eq!(to_bytes(&long.clone().into()), enc);
        let long = "y".repeat(70_000);
        let mut enc = hex("D2 00 01 11 70");
        enc.extend(long.as_bytes());
        assert_eq!(to_bytes(&long.clone().into()), enc);
        assert_eq!(Decoder::decode_all(&enc, Limits::default()).unwrap(), long.into());
        decodes("D0 01 41", "A".into());
        decodes("D1 00 01 41", "A".into());
        decodes("D2 00 00 00 01 41", "A".into());
    }

    #[test]
    fn lists() {
        golden(PackValue::List(vec![]), "90");
        golden(vec![int(1), int(2), int(3)].into(), "93 01 02 03");
        golden(
            vec![int(1), PackValue::Float(2.0), "three".into()].into(),
            "93 01 C1 40 00 00 00 00 00 00 00 85 74 68 72 65 65",
        );
        let forty: Vec<PackValue> = (1..=40).map(int).collect();
        golden(
            forty.into(),
            "D4 28 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E \
             1F 20 21 22 23 24 25 26 27 28",
        );
        decodes("D5 00 01 01", vec![int(1)].into());
        decodes("D6 00 00 00 01 01", vec![int(1)].into());
        let big: Vec<PackValue> = (0..300).map(|_| PackValue::Null).collect();
        assert_eq!(&to_bytes(&big.into())[..3], &hex("D5 01 2C")[..]);
    }

    #[test]
    fn dictionaries() {
        golden(Dict::new().into(), "A0");
        golden(Dict::new().with("one", "eins").into(), "A1 83 6F 6E 65 84 65 69 6E 73");
        let mut az = Dict::new();
        for (i, c) in ('A'..='Z').enumerate() {
            az.push(c.to_string(), int(i as i64 + 1));
        }
        golden(
            az.into(),
            "D8 1A 81 41 01 81 42 02 81 43 03 81 44 04 81 45 05 81 46 06 81 47 07 81 48 08 \
             81 49 09 81 4A 0A 81 4B 0B 81 4C 0C 81 4D 0D 81 4E 0E 81 4F 0F 81 50 10 \
             81 51 11 81 52 12 81 53 13 81 54 14 81 55 15 81 56 16 81 57 17 81 58 18 \
             81 59 19 81 5A 1A",
        );
        decodes("D9 00 01 81 61 01", Dict::new().with("a", int(1)).into());
        decodes("DA 00 00 00 01 81 61 01", Dict::new().with("a", int(1)).into());
    }

    #[test]
    fn the_last_of_duplicate_keys_wins() {
        // [("key_1", 1), ("key_2", 2), ("key_1", 3)] -> {"key_1": 3, "key_2": 2}
        decodes(
            "A3 85 6B 65 79 5F 31 01 85 6B 65 79 5F 32 02 85 6B 65 79 5F 31 03",
            Dict::new().with("key_1", int(3)).with("key_2", int(2)).into(),
        );
        // The same with more entries than the linear search handles.
        let mut enc = vec![0xD8, 40];
        for i in 0..40u8 {
            enc.extend([0x81, b'a' + (i % 20), i]);
        }
        let PackValue::Dict(d) = Decoder::decode_all(&enc, Limits::default()).unwrap() else {
            panic!()
        };
        assert_eq!(d.len(), 20);
        assert_eq!(d.get("a"), Some(&int(20)));
        assert_eq!(d.get("t"), Some(&int(39)));
    }

    #[test]
    fn structures() {
        golden(
            Structure {
                tag: 0x4E,
                fields: vec![
                    int(3),
                    vec!["Example", "Node"].into(),
                    Dict::new().with("name", "example").into(),
                ],
            }
            .into(),
            "B3 4E 03 92 87 45 78 61 6D 70 6C 65 84 4E 6F 64 65 A1 84 6E 61 6D 65 87 65 78 61 6D 70 6C 65",
        );
        golden(
            Structure {
                tag: 0x0F,
                fields: vec![],
            }
            .into(),
            "B0 0F",
        );
    }

    #[test]
    fn hostile_input_is_refused_without_allocating() {
        let err = |bytes: &[u8]| Decoder::decode_all(bytes, Limits::default()).unwrap_err();
        // Claimed sizes far beyond the bytes present.
        assert!(matches!(err(&hex("D6 00 0F 00 00")), DecodeError::Truncated(_)));
        assert!(matches!(err(&hex("D6 7F FF FF FF")), DecodeError::TooLarge { .. }));
        assert!(matches!(err(&hex("DA 7F FF FF FF")), DecodeError::TooLarge { .. }));
        assert!(matches!(err(&hex("D2 7F FF FF FF 41")), DecodeError::Truncated(_)));
        assert!(matches!(err(&hex("CE FF FF FF FF")), DecodeError::TooLarge { .. }));
        // Reserved markers.
        for m in [0xC4, 0xC5, 0xC6, 0xC7, 0xCF, 0xD3, 0xD7, 0xDB, 0xDF, 0xE0, 0xEF] {
            assert!(matches!(err(&[m]), DecodeError::ReservedMarker { .. }), "{m:02X}");
        }
        assert!(matches!(err(&hex("81")), DecodeError::Truncated(_)));
        assert!(matches!(err(&hex("82 C3 28")), DecodeError::InvalidUtf8(_)));
        assert!(matches!(err(&hex("A1 01 01")), DecodeError::NonStringKey(_)));
        assert!(matches!(err(&hex("01 02")), DecodeError::TrailingBytes(1)));
        // Nesting.
        let deep = vec![0x91; 1000];
        assert!(matches!(err(&deep), DecodeError::TooDeep(64)));
        let limits = Limits {
            max_values: 3,
            ..Limits::default()
        };
        assert!(matches!(
            Decoder::decode_all(&hex("93 01 02 03"), limits),
            Err(DecodeError::TooManyValues(3))
        ));
        let limits = Limits {
            max_collection_len: 2,
            ..Limits::default()
        };
        assert!(matches!(
            Decoder::decode_all(&hex("D4 03 01 02 03"), limits),
            Err(DecodeError::TooLarge { .. })
        ));
    }
}
