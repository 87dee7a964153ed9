//! Any text: the parser returns a tree or an error, never panics; a tree
//! prints back to text that parses to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(statement) = quiver::parser::parse_statement(text) {
        let printed = statement.to_string();
        let again = quiver::parser::parse_statement(&printed)
            .unwrap_or_else(|e| panic!("printed statement does not parse: {printed:?}: {e:?}"));
        assert_eq!(again.to_string(), printed, "printing is not stable for {text:?}");
    }
});
