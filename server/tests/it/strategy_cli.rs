//! `itm strategy …` as operators and tests call it: exit codes, messages on stderr, the preview's
//! JSON shape, `--down` and `--family`, and the recommendation.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn itm(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_itm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("itm starts");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    // A command that reads a file instead may exit before taking stdin: its output still counts.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("itm finishes")
}

const PRIMARY_BACKUP: &str = r#"{"status":"start","strategy":{"start":"root","rules":[
  {"type":"priority","area":"none.CN","isp":"other","name":"root","enable":true,"items":[
    {"reference":"10.0.0.1","weight":0,"priority":1,"usersets":""},
    {"reference":"10.0.0.2","weight":0,"priority":2,"usersets":""},
    {"reference":"2001:db8::1","weight":0,"priority":1,"usersets":""}]}]},
 "endpointsConf":[
  {"type":"A","value":"10.0.0.1","area":"beijing.CN","isp":"ct","evalHealth":true,"enable":true},
  {"type":"A","value":"10.0.0.2","area":"shanghai.CN","isp":"ct","evalHealth":true,"enable":true},
  {"type":"AAAA","value":"2001:db8::1","area":"beijing.CN","isp":"ct","evalHealth":true,"enable":true}]}"#;

fn groups(output: &Output) -> serde_json::Map<String, Value> {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("preview is JSON");
    json["groups"].as_object().expect("groups object").clone()
}

#[test]
fn check_accepts_a_valid_strategy_and_reports_warnings_on_stderr() {
    let out = itm(&["strategy", "check", "-"], PRIMARY_BACKUP);
    assert!(out.status.success());
    let with_orphan = PRIMARY_BACKUP.replace(
        r#"{"type":"AAAA","value":"2001:db8::1""#,
        r#"{"type":"A","value":"10.0.0.9","area":"beijing.CN","isp":"ct","evalHealth":true,"enable":true},{"type":"AAAA","value":"2001:db8::1""#,
    );
    let out = itm(&["strategy", "check", "-"], &with_orphan);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: endpoint \"10.0.0.9\""),
        "{stderr}"
    );
}

#[test]
fn check_refuses_an_invalid_strategy_with_exit_1_and_the_culprit() {
    let bad = PRIMARY_BACKUP.replace(r#""reference":"10.0.0.2""#, r#""reference":"10.0.0.77""#);
    let out = itm(&["strategy", "check", "-"], &bad);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rule \"root\" item 2") && stderr.contains("10.0.0.77"),
        "{stderr}"
    );
    let out = itm(&["strategy", "check", "-"], "{not json");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a strategy document"));
}

#[test]
fn preview_prints_all_165_groups_and_follows_down_and_family() {
    let all = groups(&itm(&["strategy", "preview", "-"], PRIMARY_BACKUP));
    assert_eq!(all.len(), 165);
    assert_eq!(
        all["beijing.CN/ct"]["dist"],
        serde_json::json!({"10.0.0.1": 1.0})
    );
    assert_eq!(all["beijing.CN/ct"]["healthy"], Value::Bool(true));

    let failed = groups(&itm(
        &["strategy", "preview", "-", "--down", "10.0.0.1"],
        PRIMARY_BACKUP,
    ));
    assert_eq!(
        failed["xinjiang.CN/cm"]["dist"],
        serde_json::json!({"10.0.0.2": 1.0})
    );

    let all_down = groups(&itm(
        &[
            "strategy", "preview", "-", "--down", "10.0.0.1", "--down", "10.0.0.2",
        ],
        PRIMARY_BACKUP,
    ));
    assert_eq!(all_down["xinjiang.CN/cm"]["healthy"], Value::Bool(false));

    let v6 = groups(&itm(
        &["strategy", "preview", "-", "--family", "AAAA"],
        PRIMARY_BACKUP,
    ));
    assert_eq!(
        v6["none.abroad/other"]["dist"],
        serde_json::json!({"2001:db8::1": 1.0})
    );

    let out = itm(
        &["strategy", "preview", "-", "--down", "10.9.9.9"],
        PRIMARY_BACKUP,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("10.9.9.9"));
    let out = itm(
        &["strategy", "preview", "-", "--family", "MX"],
        PRIMARY_BACKUP,
    );
    assert!(!out.status.success());
}

#[test]
fn recommend_prints_a_strategy_that_check_accepts() {
    let endpoints = r#"[
      {"type":"A","value":"10.0.0.1","area":"beijing.CN","isp":"ct","evalHealth":true,"enable":true},
      {"type":"A","value":"10.0.0.2","area":"guangdong.CN","isp":"cu","evalHealth":true,"enable":true}]"#;
    let out = itm(&["strategy", "recommend", "-"], endpoints);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        doc.contains("\"geoProximity\"") && doc.contains("\"广东\""),
        "{doc}"
    );
    assert!(itm(&["strategy", "check", "-"], &doc).status.success());
    let south = groups(&itm(&["strategy", "preview", "-"], &doc));
    assert_eq!(
        south["guangxi.CN/ct"]["dist"],
        serde_json::json!({"10.0.0.2": 1.0})
    );
}
