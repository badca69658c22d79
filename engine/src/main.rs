//! The `ward` binary: everything lives in the library so tests can call it.

fn main() -> std::process::ExitCode {
    ward::main_with_args(std::env::args_os())
}
