// `sqlx::migrate!` embeds the files of ../migrations at compile time; without this a migration added after the
// last build would be missing from an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
