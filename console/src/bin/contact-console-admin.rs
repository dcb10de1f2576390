//! Mounts the console's administration app on the page's body; everything else is in the library.

fn main() {
    leptos::mount::mount_to_body(contact_console::AdminApp);
}
