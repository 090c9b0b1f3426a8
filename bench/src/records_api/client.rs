//! The load: N keep-alive HTTP/1.1 connections to one server on 127.0.0.1, each sending the
//! same GET again as soon as the previous answer is read, for a fixed time and at most a fixed
//! number of requests. A few dozen lines on a raw socket rather than an HTTP client crate: it
//! costs the machine little, so the servers get the CPU, and it adds no dependency. It runs on
//! a runtime of its own on the calling thread, never on the servers' workers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How hard and how long to drive a server.
pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    /// A bound on the requests of one phase, whatever the duration.
    pub max_requests: u64,
}

/// One request, ready to send.
pub struct Target {
    request: Vec<u8>,
}

impl Target {
    pub fn get(path: &str, token: &str) -> Self {
        Self {
            request: format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
                 Accept: application/json\r\n\r\n"
            )
            .into_bytes(),
        }
    }
}

/// What one or more timed phases measured.
#[derive(Default)]
pub struct Measured {
    pub requests: u64,
    elapsed: Duration,
    /// Microseconds per request.
    latencies: Vec<u32>,
    /// CPU time the process spent outside this (the client's) thread: the servers'.
    server_cpu: Option<Duration>,
}

impl Measured {
    pub fn add(&mut self, other: Measured) {
        self.server_cpu = match (self.server_cpu, other.server_cpu) {
            (Some(a), Some(b)) => Some(a + b),
            (None, b) if self.requests == 0 => b,
            _ => None,
        };
        self.requests += other.requests;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
    }

    /// Server CPU time per request (user + system, every server thread): steadier than the
    /// rate when other work shares the machine.
    pub fn cpu_per_request(&self) -> Option<Duration> {
        let requests = u32::try_from(self.requests.max(1)).unwrap_or(u32::MAX);
        self.server_cpu.map(|cpu| cpu / requests)
    }

    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at `per_mille` thousandths of the sorted answers.
    fn quantile(&self, per_mille: usize) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let at = (sorted.len() * per_mille / 1000).min(sorted.len().saturating_sub(1));
        Duration::from_micros(sorted.get(at).copied().map_or(0, u64::from))
    }

    pub fn p50(&self) -> Duration {
        self.quantile(500)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(990)
    }
}

type Conn = BufReader<TcpStream>;

async fn connect(addr: SocketAddr) -> Result<Conn, String> {
    if !addr.ip().is_loopback() {
        return Err(format!("refusing to load {addr}: only 127.0.0.1 is driven"));
    }
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    Ok(BufReader::new(stream))
}

/// Sends the request and reads the answer into `body`; answers the status code.
async fn exchange(conn: &mut Conn, target: &Target, body: &mut Vec<u8>) -> Result<u16, String> {
    let io = |e: std::io::Error| e.to_string();
    conn.get_mut()
        .write_all(&target.request)
        .await
        .map_err(io)?;
    let mut line = String::new();
    conn.read_line(&mut line).await.map_err(io)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP answer: {line:?}"))?;
    let mut length = None;
    loop {
        line.clear();
        if conn.read_line(&mut line).await.map_err(io)? == 0 {
            return Err("the server closed the connection".into());
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err("chunked answers are not supported".into());
            }
        }
    }
    body.resize(length.ok_or("an answer without Content-Length")?, 0);
    conn.read_exact(body).await.map_err(io)?;
    Ok(status)
}

/// User + system CPU time of the process and of the calling thread, from `/proc` (Linux; in
/// ticks of 10 ms, `USER_HZ` = 100). `None` elsewhere.
fn cpu_times() -> Option<(Duration, Duration)> {
    fn ticks(path: &str) -> Option<u64> {
        let stat = std::fs::read_to_string(path).ok()?;
        // Fields after the command name (which may hold spaces): state is the first, utime the
        // 12th, stime the 13th.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    }
    let tick = Duration::from_millis(10);
    let process = ticks("/proc/self/stat")?;
    let thread = ticks("/proc/thread-self/stat")?;
    Some((
        tick * u32::try_from(process).ok()?,
        tick * u32::try_from(thread).ok()?,
    ))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// One request; answers the body of a 200.
pub fn fetch(addr: SocketAddr, target: &Target) -> Result<Vec<u8>, String> {
    runtime()?.block_on(async {
        let mut conn = connect(addr).await?;
        let mut body = Vec::new();
        match exchange(&mut conn, target, &mut body).await? {
            200 => Ok(body),
            status => Err(format!(
                "{status} from {addr}: {}",
                String::from_utf8_lossy(&body)
            )),
        }
    })
}

/// Drives `addr` with `load.connections` connections for `phase`; every answer must be a 200.
pub fn run(
    addr: SocketAddr,
    target: &Target,
    load: &Load,
    phase: Duration,
) -> Result<Measured, String> {
    runtime()?.block_on(async {
        let mut conns = Vec::with_capacity(load.connections);
        for _ in 0..load.connections {
            conns.push(connect(addr).await?);
        }
        let issued = Arc::new(AtomicU64::new(0));
        let cpu_before = cpu_times();
        let started = Instant::now();
        let deadline = started + phase;
        let request = Arc::new(Target {
            request: target.request.clone(),
        });
        let mut tasks = tokio::task::JoinSet::new();
        for mut conn in conns {
            let (issued, request, max) =
                (Arc::clone(&issued), Arc::clone(&request), load.max_requests);
            tasks.spawn(async move {
                let mut latencies = Vec::new();
                let mut body = Vec::new();
                while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < max {
                    let sent = Instant::now();
                    let status = exchange(&mut conn, &request, &mut body).await?;
                    if status != 200 {
                        return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
                    }
                    let micros = sent.elapsed().as_micros();
                    latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                }
                Ok::<_, String>(latencies)
            });
        }
        let mut measured = Measured::default();
        while let Some(done) = tasks.join_next().await {
            let latencies = done.map_err(|e| e.to_string())??;
            measured.requests += latencies.len() as u64;
            measured.latencies.extend(latencies);
        }
        measured.elapsed = started.elapsed();
        measured.server_cpu = match (cpu_before, cpu_times()) {
            (Some((p0, t0)), Some((p1, t1))) => {
                Some(p1.saturating_sub(p0).saturating_sub(t1.saturating_sub(t0)))
            }
            _ => None,
        };
        Ok(measured)
    })
}
