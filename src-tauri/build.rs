include!("src/command_names.rs");

fn main() {
    // Each command gets an allow-/deny- permission; with an app manifest the window may call only what its
    // capability (capabilities/default.json) lists.
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri build: {e:#}");
        std::process::exit(1);
    }
}
