// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    offramp_desktop_lib::choose_rendering();
    offramp_desktop_lib::run()
}
