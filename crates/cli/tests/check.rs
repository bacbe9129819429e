//! `menshen check` end to end, through the built binary.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use serde_json::Value;

fn menshen(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_menshen"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

#[test]
fn check_prints_a_verdict_with_facts() {
    let out = menshen(
        &[
            "check",
            "--scene",
            "moment",
            "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】 加V❤ abc1234",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(verdict["action"], "allow");
    assert_eq!(verdict["scene"], "moment");
    assert_eq!(verdict["facts"]["share_codes"][0]["platform"], "taobao");
    assert_eq!(
        verdict["facts"]["contacts"].as_array().map(Vec::len),
        Some(1),
        "{verdict}"
    );
    assert_eq!(verdict["facts"]["contacts"][0]["value"], "abc1234");
}

#[test]
fn jsonl_streams_verdicts_and_reports_bad_lines_by_number() {
    let mut input = Vec::new();
    input.extend_from_slice(
        b"{\"id\":\"m1\",\"scene\":\"group\",\"text\":\"https://v.douyin.com/e3md8Sx/\"}\n",
    );
    input.extend_from_slice(b"{\"id\":\"m2\",\"text\":\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"{\"id\":\"m3\",\"text\":\"\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"id\":\"m4\",\"scene\":\"feed\",\"text\":\"hi\"}\n");
    input.extend_from_slice(b"{\"id\":\"m5\"}\n");
    input.extend_from_slice(b"{\"id\":\"m6\",\"text\":\"\xe4\xbd\xa0\xe5\xa5\xbd\"}");
    let out = menshen(&["check", "--jsonl"], &input);
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad lines make the exit status 1"
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert_eq!(lines[0]["id"], "m1");
    assert_eq!(lines[0]["facts"]["share_codes"][0]["platform"], "douyin");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[2]["line"], 4);
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8 at byte 19"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3]["line"], 5);
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .contains("unknown variant `feed`"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4]["error"]
            .as_str()
            .unwrap()
            .contains("missing field `text`"),
        "{}",
        lines[4]
    );
    assert_eq!(
        lines[5]["id"], "m6",
        "the stream goes on after errors, and a last line without newline counts"
    );
}

#[test]
fn invalid_utf8_argument_and_bad_options_are_clear_errors() {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let arg = std::ffi::OsStr::from_bytes(b"\xff\xfe");
        let out = Command::new(env!("CARGO_BIN_EXE_menshen"))
            .arg("check")
            .arg(arg)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
    }
    let out = menshen(&["check", "--at", "yesterday", "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[test]
fn operator_lexicon_errors_name_file_and_line() {
    let dir = std::env::temp_dir().join(format!("menshen-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.txt");
    std::fs::write(&path, "好词\tfine_category\n坏词 no tab\n").unwrap();
    let out = menshen(&["check", "--lexicon", path.to_str().unwrap(), "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.txt:2:") && stderr.contains("expected `term<TAB>category`"),
        "{stderr}"
    );
    std::fs::write(&path, "好词\tmy_category\n").unwrap();
    let out = menshen(
        &["check", "--lexicon", path.to_str().unwrap(), "这是好词"],
        b"",
    );
    let verdict: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(verdict["facts"]["terms"][0]["category"], "my_category");
}
