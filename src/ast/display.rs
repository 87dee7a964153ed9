//! Prints the tree back as query text (placeholder; filled by the parser work).
