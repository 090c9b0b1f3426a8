//! Memory under an unauthenticated sign-in flood. Starts the real `portico` binary on a fresh
//! SQLite database, measures its resident memory (VmRSS), sends the attack the security review
//! found (sign-in attempts whose email is up to 2 MB long, declared and chunked, to the API and
//! the admin form, plus a spray of distinct valid-length emails), and measures again during and
//! after. Prints the three figures and the ratio after/before, measured in this run.
//!
//! Usage: `cargo build --release -p portico && cargo run --release -p portico-bench --bin
//! sign_in_flood [-- --portico target/release/portico --requests 150 --size 2000000
//! --connections 8]`
//! Only ever targets 127.0.0.1; the number of requests is bounded by `--requests`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Resident memory of a process, in kB.
fn rss_kb(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| "no VmRSS line".to_string())
}

/// Sends one request and reads the status line; the server may close early (413), which is
/// an answer too.
fn send(addr: &str, head: &str, body: &[u8]) -> Result<String, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    // A server that refuses early may reset the connection while the body is still going out.
    let _ = s.write_all(body);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    Ok(text.lines().next().unwrap_or("(no answer)").to_string())
}

fn json_head(path: &str, len: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n"
    )
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    for chunk in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() -> Result<(), String> {
    let portico = arg("--portico").unwrap_or_else(|| "target/release/portico".into());
    let requests: usize = arg("--requests")
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let size: usize = arg("--size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let dir = std::env::temp_dir().join(format!("portico-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(&portico)
            .args(["serve", "--demo", "--listen", &addr])
            .arg("--database-url")
            .arg(format!("sqlite:{}", dir.join("flood.db").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "starting {portico}: {e} (build it with `cargo build --release -p portico`)"
                )
            })?,
    );
    let pid = server.0.id();
    let started = Instant::now();
    let ready = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    while !send(&addr, ready, b"").is_ok_and(|l| l.contains(" 200 ")) {
        if started.elapsed() > Duration::from_secs(60) {
            return Err("the server did not become ready in 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    // Warm up with ordinary failed sign-ins, so the baseline includes a used server.
    for i in 0..20 {
        let body = format!(r#"{{"email":"warm{i}@example.com","password":"wrong password"}}"#);
        send(
            &addr,
            &json_head("/api/v1/auth/token", body.len()),
            body.as_bytes(),
        )?;
    }
    std::thread::sleep(Duration::from_secs(1));
    let before = rss_kb(pid)?;

    let long = "a".repeat(size);
    let api_body = format!(r#"{{"email":"{long}@example.com","password":"x"}}"#).into_bytes();
    let form_body = format!("email={long}%40example.com&password=x").into_bytes();
    let form_head = |len: usize| {
        format!(
            "POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len}\r\n\
             Connection: close\r\n\r\n"
        )
    };
    let chunked_head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                        Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
                        Connection: close\r\n\r\n";
    let chunked_body = chunked(&api_body);
    let connections: usize = arg("--connections")
        .and_then(|s| s.parse().ok())
        .unwrap_or(8)
        .max(1);
    let peak = std::sync::atomic::AtomicU64::new(before);
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let flood = Instant::now();
    std::thread::scope(|scope| -> Result<(), String> {
        let mut clients = Vec::new();
        for c in 0..connections {
            let (addr, api_body, form_body, chunked_body) =
                (&addr, &api_body, &form_body, &chunked_body);
            let (peak, statuses, form_head) = (&peak, &statuses, &form_head);
            clients.push(scope.spawn(move || -> Result<(), String> {
                for i in (c..requests).step_by(connections) {
                    let line = match i % 4 {
                        0 => send(
                            addr,
                            &json_head("/api/v1/auth/token", api_body.len()),
                            api_body,
                        )?,
                        1 => send(addr, chunked_head, chunked_body)?,
                        2 => send(addr, &form_head(form_body.len()), form_body)?,
                        _ => {
                            // A distinct, valid-length address each time: a lockout row and a
                            // full password check per request.
                            let email = format!("{}{i}@example.com", "s".repeat(200));
                            let body =
                                format!(r#"{{"email":"{email}","password":"wrong password"}}"#);
                            send(
                                addr,
                                &json_head("/api/v1/auth/token", body.len()),
                                body.as_bytes(),
                            )?
                        }
                    };
                    let status = line.split_whitespace().nth(1).unwrap_or("none").to_string();
                    if let Ok(mut s) = statuses.lock() {
                        *s.entry(status).or_default() += 1;
                    }
                    peak.fetch_max(rss_kb(pid)?, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(())
            }));
        }
        for client in clients {
            client
                .join()
                .map_err(|_| "a client thread failed".to_string())??;
        }
        Ok(())
    })?;
    let peak = peak.into_inner();
    let statuses = statuses.into_inner().unwrap_or_default();
    let flood_secs = flood.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(5));
    let after = rss_kb(pid)?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "sign-in flood: {requests} requests (emails up to ~{} kB) on {connections} connections, {flood_secs:.1} s",
        size / 1000
    );
    println!("answers by status: {statuses:?}");
    println!("RSS before: {:.1} MB", before as f64 / 1024.0);
    println!("RSS peak:   {:.1} MB", peak as f64 / 1024.0);
    println!("RSS after:  {:.1} MB (5 s later)", after as f64 / 1024.0);
    println!("ratio after/before: {:.2}", after as f64 / before as f64);
    Ok(())
}
