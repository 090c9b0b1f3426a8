//! A real SMTP server for tests: aiosmtpd (Python) on 127.0.0.1, started by the test, keeping
//! every message it accepts so the test can read what arrived — envelope, headers and each MIME
//! part, decoded by Python's email package (`smtp_sink.py`). No mock: the app's mailer speaks
//! SMTP to it over TCP.
//!
//! Python with aiosmtpd comes from `PORTICO_SMTP_PYTHON`, else the first of `python3` and
//! `/usr/bin/python3` that imports it (Debian's `python3-aiosmtpd`). Without one the tests skip
//! with a message — unless `PORTICO_REQUIRE_SMTP=1` (CI sets it), when they fail.
// A sink that cannot start, or a message that cannot be read, fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SCRIPT: &str = include_str!("smtp_sink.py");

static SINKS: AtomicU64 = AtomicU64::new(0);

pub fn smtp_required() -> bool {
    std::env::var("PORTICO_REQUIRE_SMTP").is_ok_and(|v| v == "1" || v == "true")
}

/// A Python interpreter that has aiosmtpd, if there is one.
fn python() -> Option<String> {
    let candidates: Vec<String> = match std::env::var("PORTICO_SMTP_PYTHON") {
        Ok(p) if !p.is_empty() => vec![p],
        _ => vec!["python3".into(), "/usr/bin/python3".into()],
    };
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Whether the SMTP tests can run: `false` means skip (a notice is printed); a missing aiosmtpd
/// when it is required panics with what to install.
pub fn smtp_available() -> bool {
    if python().is_some() {
        return true;
    }
    let hint = "install Debian's python3-aiosmtpd (or `pip install aiosmtpd`) or point PORTICO_SMTP_PYTHON at a Python that has it";
    assert!(
        !smtp_required(),
        "the SMTP tests are required (PORTICO_REQUIRE_SMTP=1) but no Python with aiosmtpd was found: {hint}"
    );
    eprintln!(
        "SKIPPED: SMTP suite (no Python with aiosmtpd: {hint}; PORTICO_REQUIRE_SMTP=1 fails instead)"
    );
    false
}

/// A port on 127.0.0.1 nothing listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The bytes as they arrived, as text.
    pub raw: String,
    /// Envelope, headers and parts: `mail_from`, `rcpt_tos`, `from`, `to`, `subject`,
    /// `message_id`, `date`, `content_language`, `content_type`, `parts: [{content_type,
    /// content}]`.
    pub parsed: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.parsed[name].as_str().unwrap_or("")
    }

    /// The decoded content of the first part of this MIME type.
    pub fn part(&self, content_type: &str) -> Option<&str> {
        self.parsed["parts"]
            .as_array()?
            .iter()
            .find(|p| p["content_type"] == content_type)
            .and_then(|p| p["content"].as_str())
    }
}

/// The running server; stopped (and its directory removed) on drop.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    /// Starts a sink on a free port; `None` when SMTP tests are skipped (see the module doc).
    pub fn start() -> Option<Self> {
        Self::start_on(free_port())
    }

    /// Starts a sink on `port` (e.g. one a test first left closed, to bring the server "up").
    pub fn start_on(port: u16) -> Option<Self> {
        if !smtp_available() {
            return None;
        }
        let python = python()?;
        let dir = std::env::temp_dir().join(format!(
            "portico-smtp-{}-{}",
            std::process::id(),
            SINKS.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(python)
            .args(["-c", SCRIPT, "127.0.0.1", &port.to_string()])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let ready = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        if ready.trim() != "READY" {
            let _ = child.kill();
            panic!("the SMTP sink did not start on port {port} (it said {ready:?})");
        }
        Some(Self { child, port, dir })
    }

    /// The URL the app's mailer takes.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|json| Received {
                raw: std::fs::read_to_string(json.with_extension("eml")).unwrap(),
                parsed: serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap(),
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived (panics after `timeout`), then answers all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                start.elapsed() < timeout,
                "{} of {n} messages arrived within {timeout:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
