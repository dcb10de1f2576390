//! The real binary refuses to start on a broken call-center file, or a site naming a call center that
//! does not exist, naming the file and line.

use std::process::Command;

#[test]
fn a_broken_call_center_file_stops_the_server_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("centers.toml");
    std::fs::write(
        &file,
        "[[call_center]]\ninternal_name = \"main\"\nname = \"Main\"\ntime_zone = \"Mars/Base\"\n\
         [call_center.jwt]\nissuer = \"i\"\naudience = \"a\"\n\
         [[call_center.jwt.keys]]\nkid = \"k\"\nalgorithm = \"HS256\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n",
    )
    .unwrap();
    let stderr = refused_start(dir.path(), "--call-centers", &file);
    assert!(
        stderr.contains("centers.toml")
            && stderr.contains("line 4")
            && stderr.contains("Mars/Base"),
        "{stderr}"
    );
}

#[test]
fn a_site_naming_an_unknown_call_center_stops_the_server_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.toml");
    std::fs::write(
        &sites,
        "[[site]]\nkey = \"shop\"\nname = \"Shop\"\nallowed_origins = [\"https://shop.example\"]\ncall_center = \"nowhere\"\n",
    )
    .unwrap();
    let stderr = refused_start(dir.path(), "--sites", &sites);
    assert!(
        stderr.contains("sites.toml:5:") && stderr.contains("there is no call center \"nowhere\""),
        "{stderr}"
    );
}

/// Starts the server with `flag file` and a database in `dir`, expects it to refuse to start, and answers
/// what it printed.
fn refused_start(dir: &std::path::Path, flag: &str, file: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(["--listen", "127.0.0.1:0", "--no-demo", flag])
        .arg(file)
        .arg("--database")
        .arg(dir.join("db.sqlite3"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}
