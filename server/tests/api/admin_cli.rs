//! The administration commands of the real binary: users with roles, queue membership and the
//! organisation-wide sharing default.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn cli(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(args)
        .arg("--database")
        .arg(database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn users_get_a_role_representative_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.sqlite3");
    let rep = [
        "users",
        "add",
        "--username",
        "rita@example.com",
        "--name",
        "Rita",
    ];
    assert!(cli(&db, &rep).status.success());
    let lead = [
        "users",
        "add",
        "--username",
        "sam@example.com",
        "--name",
        "Sam",
        "--role",
        "supervisor",
    ];
    assert!(cli(&db, &lead).status.success());

    let users = json(&cli(&db, &["users", "list"]));
    let role_of = |username: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == username)
            .unwrap()["role"]
            .clone()
    };
    assert_eq!(role_of("rita@example.com"), "representative");
    assert_eq!(role_of("sam@example.com"), "supervisor");

    assert!(
        cli(&db, &["users", "set-role", "rita@example.com", "admin"])
            .status
            .success()
    );
    let users = json(&cli(&db, &["users", "list"]));
    let rita = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "rita@example.com");
    assert_eq!(rita.unwrap()["role"], "admin");
}

#[test]
fn an_unknown_role_is_refused_with_the_roles_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.sqlite3");
    let wrong = cli(
        &db,
        &[
            "users",
            "add",
            "--username",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "boss",
        ],
    );
    assert!(!wrong.status.success());
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("representative, supervisor, admin"), "{said}");
}

#[test]
fn queue_members_are_added_listed_and_removed_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.sqlite3");
    assert!(
        cli(
            &db,
            &[
                "users",
                "add",
                "--username",
                "rita@example.com",
                "--name",
                "Rita"
            ]
        )
        .status
        .success()
    );
    assert!(
        cli(&db, &["queues", "add", "--name", "Billing"])
            .status
            .success()
    );

    let added = cli(
        &db,
        &["queues", "add-member", "Billing", "rita@example.com"],
    );
    assert!(added.status.success(), "{added:?}");
    let again = cli(
        &db,
        &["queues", "add-member", "Billing", "rita@example.com"],
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("already was a member"));

    let members = json(&cli(&db, &["queues", "members", "Billing"]));
    let names: Vec<_> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].clone())
        .collect();
    assert_eq!(names, ["rita@example.com"]);

    assert!(
        cli(
            &db,
            &["queues", "remove-member", "Billing", "rita@example.com"]
        )
        .status
        .success()
    );
    assert_eq!(
        json(&cli(&db, &["queues", "members", "Billing"])),
        serde_json::json!([])
    );

    for (args, message) in [
        (
            ["queues", "add-member", "Nope", "rita@example.com"],
            "no queue with id or name Nope",
        ),
        (
            ["queues", "add-member", "Billing", "nobody@example.com"],
            "no user with id or username nobody@example.com",
        ),
    ] {
        let refused = cli(&db, &args);
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(message), "{said}");
    }
}

#[test]
fn the_organisation_wide_default_is_private_until_set_and_only_its_three_values_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.sqlite3");
    let shown = |output: Output| {
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(
        shown(cli(&db, &["sharing", "default"])),
        "contact requests: Private\n"
    );
    assert_eq!(
        shown(cli(&db, &["sharing", "default", "read"])),
        "contact requests: Read\n"
    );
    assert_eq!(
        shown(cli(&db, &["sharing", "default"])),
        "contact requests: Read\n",
        "kept"
    );
    let refused = cli(&db, &["sharing", "default", "public"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("private, read, edit"), "{said}");
    assert_eq!(
        shown(cli(&db, &["sharing", "default"])),
        "contact requests: Read\n",
        "unchanged"
    );
}
