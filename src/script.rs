//! Splitting a script into statements at `;` (placeholder; the CLI work replaces this).
