//! The shape the architecture notes promise: both fronts (the CLI and the desktop shell) reach the core, the
//! store and the market only through `offramp-app`.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_fronts_use_only_the_application_layer() {
    for front in ["crates/offramp-cli", "src-tauri"] {
        let manifest = std::fs::read_to_string(root().join(front).join("Cargo.toml")).unwrap();
        let deps = manifest.split("[dev-dependencies]").next().unwrap();
        for other in ["offramp-core", "offramp-store", "offramp-market"] {
            assert!(!deps.contains(other), "{front} depends on {other}");
        }
        let mut files = Vec::new();
        rust_files(&root().join(front).join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for other in ["offramp_core::", "offramp_store::", "offramp_market::"] {
                assert!(!text.contains(other), "{} uses {other} (go through offramp_app)", f.display());
            }
        }
    }
}
