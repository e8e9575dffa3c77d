//! The root package of the workspace holds no code of its own: it exists so that `tests/` (Offramp's acceptance
//! tests) is built and run by `cargo test`. See `tests/`.
