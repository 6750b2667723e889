// Release builds on Windows are GUI programs: no console window behind the desk.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    aftersales_desktop::run();
}
