//! `menshen check` end to end, through the built binary.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// A fresh directory for one test's files.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("menshen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

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
    assert_eq!(
        verdict["action"], "hide",
        "open-2021 keeps share codes out of moments"
    );
    assert_eq!(verdict["reasons"][0]["rule"], "share-code-in-moment");
    assert_eq!(verdict["policy"]["profile"], "open-2021");
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
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let raw: Vec<&str> = stdout.lines().collect();
    assert!(
        raw[1].starts_with(r#"{"line":2,"column":"#) && !raw[1].contains(" at line "),
        "an error line gives its position once, in fields, line first: {}",
        raw[1]
    );
    let lines: Vec<Value> = raw
        .iter()
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
    let out = menshen(&["check", "--profile", "lenient", "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no profile named `lenient`"));
    let out = menshen(&["check", "--scene", "feed", "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a scene"));
}

#[test]
fn an_events_locale_chooses_the_language_of_its_verdict() {
    let share = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看";
    let input = format!(
        "{{\"scene\":\"moment\",\"text\":\"{share}\"}}\n{{\"scene\":\"moment\",\"text\":\"{share}\",\"locale\":\"en\"}}\n"
    );
    let out = menshen(&["check", "--jsonl"], input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let verdict: Value = serde_json::from_str(l).unwrap();
            verdict["reasons"][0]["message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        messages,
        [
            "朋友圈不显示第三方分享口令",
            "third-party share codes are not shown in moments"
        ]
    );
}

#[test]
fn rough_edges_are_errors_that_say_what_to_do() {
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();
    for empty in ["", "  "] {
        let out = menshen(&["check", empty], b"");
        assert_eq!(out.status.code(), Some(2), "an empty text is refused");
        assert!(
            stderr(&out).starts_with("menshen: TEXT is empty"),
            "{}",
            stderr(&out)
        );
    }
    let out = menshen(&["check", "--sanctioned-app", "nosuchapp", "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`nosuchapp` is not a platform") && stderr(&out).contains("taobao"),
        "{}",
        stderr(&out)
    );
    let out = menshen(&["check", "--at", "2017-01-01T00:00:00Z", "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the earliest, `strict-2018`, takes effect at 2018-05-2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sanctioned_domain_is_blocked_in_its_spellings_and_never_covers_an_ip() {
    let action = |args: &[&str]| {
        let out = menshen(args, b"");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
        verdict["action"].as_str().unwrap().to_owned()
    };
    for sanction in [
        "例子.中国",
        "xn--fsqu00a.xn--fiqs8s",
        "XN--FSQU00A.XN--FIQS8S.",
    ] {
        for text in [
            "看 http://例子.中国/a",
            "看 http://xn--fsqu00a.xn--fiqs8s/a",
            "看 https://shop.例子.中国/x",
            "看 https://item.taobao.com@例子.中国/x",
        ] {
            assert_eq!(
                action(&["check", "--sanctioned-domain", sanction, text]),
                "block",
                "{sanction} in {text}"
            );
        }
    }
    assert_eq!(
        action(&[
            "check",
            "--sanctioned-domain",
            "example.top",
            "看 https://example.top@good.com/x"
        ]),
        "allow",
        "the userinfo is not the host"
    );
    for text in [
        "看 hxxps://evil.com/login",
        "看 evil[.]com/x",
        "看 evil(dot)com",
        "看 evil.c0m",
        "看 e v i l . c o m 领奖",
        "看 https://shop.evil.com@evil.com/x",
        "看 https://item.taobao.com@evil.com/x",
        "看 HTTP://EVIL.COM./x",
    ] {
        assert_eq!(
            action(&["check", "--sanctioned-domain", "evil.com", text]),
            "block",
            "evil.com in {text}"
        );
    }
    // `3.4` is an IPv4 address to the WHATWG parser (3.0.0.4): no domain sanction at all.
    for ip in ["1.2.3.4", "3.4"] {
        let out = menshen(&["check", "--sanctioned-domain", ip, "hi"], b"");
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("is an IP address"));
    }
}

#[test]
fn lint_problems_share_the_prefix_and_exit_code_of_every_error() {
    let dir = scratch_dir("lint-prefix");
    let file = dir.join("broken.toml");
    std::fs::write(&file, "name = \"broken\"\n[[rule]]\nid = 3\n").unwrap();
    let path = file.to_str().unwrap();
    let lint = menshen(&["policy", "lint", path], b"");
    let check = menshen(&["check", "--policy", path, "hi"], b"");
    for out in [&lint, &check] {
        assert_eq!(
            out.status.code(),
            Some(2),
            "a file that does not load is exit 2"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("menshen: ") && err.contains("broken.toml:"),
            "{err}"
        );
    }
    assert!(lint.stdout.is_empty(), "problems go to standard error");
}

#[test]
fn an_operator_reputation_list_blocks_its_phishing_hosts_in_every_spelling() {
    let dir = scratch_dir("reputation");
    let list = dir.join("phishing.txt");
    std::fs::write(
        &list,
        "# category: phishing\n# ours\n例子.中国\nfresh-scam.top\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    for text in [
        "领奖 https://login.fresh-scam.top/x",
        "领奖 fresh-scam[.]top",
        "领奖 http://xn--fsqu00a.xn--fiqs8s/a",
        "领奖 https://item.taobao.com@例子.中国/x",
    ] {
        let out = menshen(&["check", "--reputation", list, text], b"");
        let verdict: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(verdict["action"], "block", "{text}: {verdict}");
        assert_eq!(verdict["facts"]["links"][0]["category"], "phishing");
        assert_eq!(verdict["reasons"][0]["rule"], "phishing-link");
    }
    std::fs::write(dir.join("bad.txt"), "fresh-scam.top\n").unwrap();
    let bad = dir.join("bad.txt");
    let out = menshen(&["check", "--reputation", bad.to_str().unwrap(), "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.txt:1") && stderr.contains("# category: phishing"),
        "{stderr}"
    );
}

#[test]
fn operator_lexicon_errors_name_file_and_line() {
    let dir = scratch_dir("cli-test");
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

fn action(args: &[&str]) -> String {
    let out = menshen(args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    verdict["action"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn profiles_are_chosen_by_name_or_time() {
    let link = "这个不错 https://item.jd.com/100012345678.html";
    assert_eq!(
        action(&["check", "--scene", "direct", link]),
        "allow",
        "open-2021 by default"
    );
    assert_eq!(
        action(&[
            "check",
            "--scene",
            "direct",
            "--profile",
            "strict-2018",
            link
        ]),
        "plain_text"
    );
    assert_eq!(
        action(&[
            "check",
            "--scene",
            "direct",
            "--at",
            "2019-06-01T12:00:00+08:00",
            link
        ]),
        "plain_text"
    );
    assert_eq!(
        action(&[
            "check",
            "--scene",
            "moment",
            "--at",
            "2024-06-01T12:00:00Z",
            link
        ]),
        "plain_text"
    );
    assert_eq!(
        action(&[
            "check",
            "--scene",
            "group",
            "--sanctioned-domain",
            "jd.com",
            link
        ]),
        "block"
    );
}

#[test]
fn an_events_ts_picks_its_profile() {
    let input = concat!(
        "{\"id\":\"old\",\"ts\":\"2019-01-01T00:00:00Z\",\"scene\":\"moment\",\"text\":\"https://item.jd.com/1.html\"}\n",
        "{\"id\":\"new\",\"ts\":\"2024-01-01T00:00:00Z\",\"scene\":\"moment\",\"text\":\"https://item.jd.com/1.html\"}\n",
        "{\"id\":\"bad\",\"ts\":\"soon\",\"text\":\"hi\"}\n",
    );
    let out = menshen(&["check", "--jsonl"], input.as_bytes());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        (
            lines[0]["policy"]["profile"].as_str(),
            lines[0]["action"].as_str()
        ),
        (Some("strict-2018"), Some("hide"))
    );
    assert_eq!(
        (
            lines[1]["policy"]["profile"].as_str(),
            lines[1]["action"].as_str()
        ),
        (Some("open-2021"), Some("plain_text"))
    );
    assert!(
        lines[2]["error"].as_str().unwrap().contains("ts `soon`"),
        "{}",
        lines[2]
    );
}

#[test]
fn policy_test_and_lint() {
    let out = menshen(&["policy", "test"], b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    let dir = scratch_dir("policy-test");
    let path = dir.join("broken.toml");
    std::fs::write(&path, "name = \"x\"\neffective = \"2025-01-01T00:00:00Z\"\n[[rule]]\nid = \"r\"\ndescription = \"d\"\nwhen = 'scene =='\naction = \"hide\"\nmessage = \"m\"\n").unwrap();
    let out = menshen(&["policy", "lint", path.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("broken.toml:6:") && stderr.contains("rule `r`"),
        "{stderr}"
    );
    let out = menshen(&["policy", "lint"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 2 profiles"));
}

#[test]
fn deliver_renders_a_verdict_per_recipient() {
    let out = menshen(
        &[
            "check",
            "--scene",
            "moment",
            "这个不错 https://item.jd.com/100012345678.html",
        ],
        b"",
    );
    assert!(out.status.success());
    let dir = scratch_dir("deliver-test");
    let prefs = dir.join("prefs.json");
    std::fs::write(&prefs, r#"{"alice": {"categories": {"ecommerce": "open"}}, "bob": {"domains": {"jd.com": "hide"}}, "carol": {}}"#).unwrap();
    let delivered = menshen(
        &["deliver", "--prefs", prefs.to_str().unwrap()],
        &out.stdout,
    );
    assert!(
        delivered.status.success(),
        "{}",
        String::from_utf8_lossy(&delivered.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(delivered.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rendering = |i: usize| {
        lines[i]["links"][0]["rendering"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (lines[0]["recipient"].as_str(), rendering(0).as_str()),
        (Some("alice"), "open"),
        "open-2021 leaves e-commerce to users"
    );
    assert_eq!(rendering(1), "hide");
    assert_eq!(
        rendering(2),
        "plain_text",
        "the profile's rendering without a choice"
    );
    let bad = menshen(
        &["deliver", "--prefs", prefs.to_str().unwrap()],
        b"not json",
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a verdict"));
}

#[test]
fn replay_reports_changes_and_writes_html() {
    let dir = scratch_dir("replay-test");
    let events = dir.join("events.jsonl");
    std::fs::write(
        &events,
        concat!(
            "{\"text\":\"这个不错 https://item.jd.com/1.html\",\"scene\":\"direct\",\"sender\":\"a\",\"label\":\"ham\"}\n",
            "{\"text\":\"这个不错 https://item.jd.com/2.html\",\"scene\":\"group\",\"sender\":\"b\",\"label\":\"spam\"}\n",
            "not json\n",
            "{\"text\":\"晚上吃饭吗\",\"scene\":\"moment\",\"sender\":\"c\",\"label\":0}\n",
        ),
    )
    .unwrap();
    let html = dir.join("report.html");
    let out = menshen(
        &[
            "replay",
            "--baseline",
            "open-2021",
            "--candidate",
            "strict-2018",
            "--html",
            html.to_str().unwrap(),
            events.to_str().unwrap(),
        ],
        b"",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("replay: 3 events"), "{stdout}");
    assert!(stdout.contains("allow -> plain_text: 2"), "{stdout}");
    assert!(
        stdout.contains("newly acts on 1 innocent events from 1 distinct senders"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 lines could not be read; the first: line 3"),
        "{stdout}"
    );
    let report = std::fs::read_to_string(&html).unwrap();
    assert!(report.contains("<svg") && report.contains("strict-2018"));
}

#[test]
fn a_stream_ends_with_counters_including_shadow_rules() {
    let dir = scratch_dir("shadow-test");
    let candidate = dir.join("candidate.toml");
    std::fs::write(
        &candidate,
        "name = \"c\"\neffective = \"2030-01-01T00:00:00Z\"\nextends = \"open-2021\"\nshadow = true\n",
    )
    .unwrap();
    let input = "{\"scene\":\"moment\",\"text\":\"复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】\"}\n{\"text\":\"hi\"}\n";
    let out = menshen(
        &[
            "check",
            "--jsonl",
            "--profile",
            "c",
            "--policy",
            candidate.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("menshen: actions: allow 2"), "{stderr}");
    assert!(
        stderr.contains("shadow rules matched: share-code-in-moment 1"),
        "{stderr}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_menshen"))
        .args(["policy", "test"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn train_eval_and_check_with_a_model() {
    let dir = scratch_dir("train-test");
    let data = dir.join("train.tsv");
    let mut rows = String::from("label\ttext\n");
    for i in 0..150 {
        rows.push_str(&format!("1\t便宜出{i}万金币 加微信 seller{i:03} 秒到\n"));
        rows.push_str(&format!("0\t今天第{i}把输了，晚上再一起打吧\n"));
    }
    std::fs::write(&data, rows).unwrap();
    let model = dir.join("m.model");
    let out = menshen(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--epochs",
            "3",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skipped 1 lines without a known label"),
        "the header: {stderr}"
    );
    let eval = menshen(
        &[
            "eval",
            "--model",
            model.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--plot",
            dir.join("pr.svg").to_str().unwrap(),
        ],
        b"",
    );
    let stdout = String::from_utf8_lossy(&eval.stdout);
    assert!(eval.status.success(), "{stdout}");
    assert!(
        stdout.contains("300 messages after deduplication, 150 unwanted")
            && stdout.contains("ROC AUC 1.0000"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(dir.join("pr.svg"))
            .unwrap()
            .contains("<polyline")
    );
    let spam = |text: &str| {
        let out = menshen(&["check", "--model", model.to_str().unwrap(), text], b"");
        let verdict: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        verdict["facts"]["scores"]["spam"].as_f64().unwrap()
    };
    assert!(spam("便宜出999万金币 加微信 zzz888") > 0.9);
    assert!(spam("今天第200把输了，晚上再一起打吧") < 0.5);
    let bad = menshen(&["check", "--model", data.to_str().unwrap(), "hi"], b"");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a menshen model"));
}

#[test]
fn a_stream_tracks_campaigns_for_rules_to_read() {
    let dir = scratch_dir("campaign-test");
    let rules = dir.join("campaign.toml");
    std::fs::write(
        &rules,
        "name = \"c\"\neffective = \"2030-01-01T00:00:00Z\"\nextends = \"open-2021\"\n[[rule]]\nid = \"campaign-in-group\"\ndescription = \"d\"\nwhen = 'scene == \"group\" && \"campaign\" in signals && signals.campaign == 1.0'\naction = \"hold\"\nmessage = \"m\"\n",
    )
    .unwrap();
    let mut input = String::new();
    for (i, sender) in ["a", "b", "b", "c", "d"].iter().enumerate() {
        input.push_str(&format!(
            "{{\"id\":\"m{i}\",\"ts\":\"2031-01-01T00:0{i}:00Z\",\"scene\":\"group\",\"sender\":\"{sender}\",\"text\":\"出售游戏金币一万只要{i}块，需要的加我\"}}\n"
        ));
    }
    let out = menshen(
        &[
            "check",
            "--jsonl",
            "--threads",
            "3",
            "--profile",
            "c",
            "--policy",
            rules.to_str().unwrap(),
            "--campaign-senders",
            "3",
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actions: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        actions,
        ["allow", "allow", "allow", "hold", "hold"],
        "the third distinct sender makes it a campaign"
    );
}

/// Many threads give the very bytes one thread gives, in input order, bad lines included, and
/// campaigns still count senders in input order.
#[test]
fn a_stream_on_many_threads_writes_what_one_thread_writes() {
    let texts = [
        "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看",
        "看看 https://item.jd.com/100012345678.html",
        "晚上一起吃饭吗",
        "加微信 wx12345678 低价出售高仿名表",
    ];
    let mut input = String::new();
    for i in 0..3000 {
        match i % 101 {
            17 => input.push_str("{not json\n"),
            50 => input.push_str("{\"text\": \"   \"}\n"),
            _ => input.push_str(&format!(
                "{{\"id\":\"m{i}\",\"scene\":\"{}\",\"text\":\"{} {i}\"}}\n",
                ["direct", "group", "moment", "comment"][i % 4],
                texts[i % texts.len()]
            )),
        }
    }
    // From a file: the output is larger than a pipe holds while stdin is still being written.
    let dir = scratch_dir("threads-test");
    let events = dir.join("events.jsonl");
    std::fs::write(&events, &input).unwrap();
    let run = |threads: &str| {
        let out = menshen(
            &[
                "check",
                "--jsonl",
                "--events",
                events.to_str().unwrap(),
                "--threads",
                threads,
            ],
            b"",
        );
        assert_eq!(out.status.code(), Some(1), "bad lines make the exit code 1");
        out.stdout
    };
    let one = run("1");
    assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 3000);
    for threads in ["2", "3"] {
        assert!(
            run(threads) == one,
            "--threads {threads} differs from --threads 1"
        );
    }
    // Without a rule reading signals, no fingerprint is computed or reported.
    let first: Value = serde_json::from_slice(one.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["id"], "m0");
    assert!(first["facts"].get("fingerprint").is_none(), "{first}");
}

#[test]
fn audit_verify_reports_an_intact_and_a_broken_chain() {
    use menshen_state::{
        audit::{Actor, ActorKind, AuditEvent, Subject, SubjectKind},
        store::{SqliteStore, Store},
    };
    let dir = scratch_dir("audit-cli");
    let mut store = SqliteStore::open(&dir).unwrap();
    for i in 0..3 {
        store
            .append(AuditEvent {
                at: "2026-11-21T08:00:00Z".into(),
                actor: Actor {
                    kind: ActorKind::System,
                    id: "test".into(),
                },
                subject: Subject {
                    kind: SubjectKind::Account,
                    id: format!("u{i}"),
                },
                action: "verdict".into(),
                reason: "r".into(),
                evidence: serde_json::Value::Null,
                rule: None,
                policy_version: None,
            })
            .unwrap();
    }
    drop(store);
    let out = menshen(&["audit", "verify", "--data", dir.to_str().unwrap()], b"");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok: 3 audit records"));
    rusqlite::Connection::open(dir.join("menshen.db"))
        .unwrap()
        .execute("DELETE FROM audit WHERE seq = 2", [])
        .unwrap();
    let out = menshen(&["audit", "verify", "--data", dir.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("broken: record 3 follows record 1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let missing = menshen(
        &[
            "audit",
            "verify",
            "--data",
            dir.join("nowhere").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn check_reads_sanctioned_domains_from_the_store() {
    use menshen_state::{
        audit::{Actor, ActorKind, Subject, SubjectKind},
        ladder::Ladders,
        sanction::{LadderName, Offence},
        store::{SqliteStore, Store},
    };
    let dir = scratch_dir("store-check");
    let mut store = SqliteStore::open(&dir).unwrap();
    store
        .record_offence(
            Offence {
                at: 1_700_000_000,
                actor: Actor {
                    kind: ActorKind::Admin,
                    id: "a1".into(),
                },
                target: Subject {
                    kind: SubjectKind::Domain,
                    id: "scam-prizes.top".into(),
                },
                ladder: LadderName::Content,
                weight: 1,
                function: None,
                rule: None,
                policy_version: None,
                reason: "phishing".into(),
                evasion: true,
                evidence: serde_json::Value::Null,
                step: None,
            },
            &Ladders::embedded(),
        )
        .unwrap();
    drop(store);
    let text = "领奖 https://win.scam-prizes.top/claim";
    assert_eq!(action(&["check", "--scene", "direct", text]), "allow");
    assert_eq!(
        action(&[
            "check",
            "--scene",
            "direct",
            "--store",
            dir.to_str().unwrap(),
            text
        ]),
        "block"
    );
}

#[test]
fn train_learns_from_the_labels_people_gave_in_the_store() {
    use menshen_state::{
        audit::{Actor, ActorKind, Subject, SubjectKind},
        ladder::Ladders,
        report::{Evidence, NewReport, Reason, ReportConfig, Reporter},
        sanction::{LadderName, Offence},
        store::{SqliteStore, Store},
    };
    let dir = scratch_dir("train-store");
    let store_dir = dir.join("data");
    let mut store = SqliteStore::open(&store_dir).unwrap();
    let reviewer = Actor {
        kind: ActorKind::Reviewer,
        id: "rita".into(),
    };
    // One report verified (unwanted), one dismissed (fine); the dismissed text is also in the
    // data file with the opposite label, and the person's label must win.
    for (id, text, verify) in [
        ("m1", "高仿名表原单 加微信 watch888", true),
        ("m2", "今天第7把输了，晚上再一起打吧", false),
    ] {
        let (_, case) = store
            .file_report(
                NewReport {
                    reporter: Reporter {
                        id: "alice".into(),
                        account_age_days: None,
                        device: None,
                        ip: None,
                    },
                    subject: Subject {
                        kind: SubjectKind::Message,
                        id: id.into(),
                    },
                    account: Some("u1".into()),
                    content: Some(text.into()),
                    reason: Reason::Counterfeit,
                    statement: String::new(),
                    evidence: Evidence {
                        messages: vec![],
                        excerpts: vec![],
                    },
                    at: 1_000,
                },
                0.0,
                &ReportConfig::default(),
            )
            .unwrap();
        let offence = verify.then(|| Offence {
            at: 1_001,
            actor: reviewer.clone(),
            target: Subject {
                kind: SubjectKind::Account,
                id: "u1".into(),
            },
            ladder: LadderName::Content,
            weight: 1,
            function: None,
            rule: None,
            policy_version: None,
            reason: "fakes".into(),
            evasion: false,
            evidence: Value::Null,
            step: None,
        });
        store
            .resolve_case(
                case.id,
                reviewer.clone(),
                "checked",
                offence,
                &Ladders::embedded(),
                1_001,
            )
            .unwrap();
    }
    drop(store);
    let data = dir.join("base.tsv");
    let mut rows = String::new();
    for i in 0..100 {
        rows.push_str(&format!("1\t便宜出{i}万金币 加微信 seller{i:03} 秒到\n"));
        rows.push_str(&format!("0\t明天第{i}节课改到下午了\n"));
    }
    rows.push_str("1\t今天第7把输了，晚上再一起打吧\n");
    std::fs::write(&data, rows).unwrap();
    let model = dir.join("m.model");
    let out = menshen(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--from-store",
            store_dir.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--epochs",
            "2",
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("2 messages labelled by people"), "{stderr}");
    // 200 file rows + 2 labelled by people; the file's conflicting row gives way to the
    // person's label (were both kept, deduplication would drop the text: 200 in all).
    let numbers: Vec<usize> = stderr
        .lines()
        .find(|l| l.contains("training on"))
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 3, "{stderr}");
    assert_eq!(numbers[0] + numbers[2], 202, "{stderr}");
    let header = String::from_utf8_lossy(
        &std::fs::read(&model).unwrap()
            [..2000.min(std::fs::metadata(&model).unwrap().len() as usize)],
    )
    .into_owned();
    assert!(
        header.contains("\"path\":\"store:"),
        "provenance names the store: {header}"
    );

    let empty = dir.join("nothing-here");
    std::fs::create_dir_all(&empty).unwrap();
    let out = menshen(
        &[
            "train",
            "--from-store",
            empty.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store here"));
}

#[test]
fn tokens_are_listed_and_revoked_by_name() {
    let dir = scratch_dir("tokens");
    let data = dir.join("data");
    let data = data.to_str().unwrap();
    let created = menshen(
        &[
            "token", "create", "--role", "reviewer", "--name", "rita", "--data", data,
        ],
        b"",
    );
    assert!(created.status.success());
    let secret = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let listed = menshen(&["token", "list", "--data", data], b"");
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        text.starts_with("rita\treviewer\t") && text.trim_end().ends_with("\tlive"),
        "{text}"
    );
    assert!(!text.contains(&secret), "secrets are never shown again");
    let revoked = menshen(&["token", "revoke", "--name", "rita", "--data", data], b"");
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("revoked 1 token(s) named rita"));
    let listed = menshen(&["token", "list", "--data", data], b"");
    assert!(
        String::from_utf8_lossy(&listed.stdout)
            .trim_end()
            .ends_with("\trevoked")
    );
    let again = menshen(&["token", "revoke", "--name", "rita", "--data", data], b"");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("no live token is named `rita`"));
}

#[test]
fn every_store_command_finds_the_store_the_same_way_and_says_how() {
    let dir = scratch_dir("data-dir");
    let data = dir.join("store");
    let config = dir.join("menshen.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", data.display().to_string()),
    )
    .unwrap();
    let run = |args: &[&str], env: Option<&std::path::Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_menshen"));
        command.args(args).env_remove("MENSHEN_DATA");
        if let Some(env) = env {
            command.env("MENSHEN_DATA", env);
        }
        command.output().expect("runs")
    };
    // The environment, as `serve` reads it.
    let out = run(&["token", "create", "--role", "service"], Some(&data));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("(MENSHEN_DATA)"));
    assert!(data.join("menshen.db").exists());
    // The config file, then the flag, which outranks both.
    let out = run(
        &["token", "list", "--config", config.to_str().unwrap()],
        None,
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("(data_dir in"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("service\tservice"));
    let nowhere = dir.join("nowhere");
    let out = run(
        &["token", "list", "--data", nowhere.to_str().unwrap()],
        Some(&data),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store in"));
    assert!(
        !nowhere.exists(),
        "a reading command creates no empty store"
    );
    let out = run(&["audit", "verify"], Some(&data));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
