//! The `quiver` command: see `quiver --help`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
