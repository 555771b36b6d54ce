//! Browser entry point: mounts the CRM-IMS app (built by Trunk for wasm32).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
