//! The `quiver` command: see `quiver --help`.

// The library's `Error` is large by design (position, source line, hint).
#![allow(clippy::result_large_err)]

mod cli;

fn main() {
    std::process::exit(cli::main());
}
