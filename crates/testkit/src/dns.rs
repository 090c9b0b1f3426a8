//! A DNS server for tests, on 127.0.0.1 (UDP and TCP on one port): it answers every TXT question
//! with the texts it holds, echoing the question and id the way a real server does. With
//! `truncate_udp` it answers UDP with the TC bit and no records, so a resolver must ask again
//! over TCP. With a [`Spoof`] mode it also plays an attacker: an answer under the wrong query
//! id sent before the genuine one, or records for another name than the one asked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hickory_proto::op::{Message, OpCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// How the server misbehaves, to show the resolver refuses forged answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Spoof {
    /// An honest server.
    #[default]
    None,
    /// Over UDP, first an answer with another query id holding [`SPOOFED_TEXT`], then the
    /// genuine answer.
    WrongIdFirst,
    /// The answer's records name another name ([`SPOOFED_NAME`]) than the question.
    OtherName,
}

/// The text a forged answer carries.
pub const SPOOFED_TEXT: &str = "spoofed-token";
/// The name the records of a [`Spoof::OtherName`] answer carry.
pub const SPOOFED_NAME: &str = "_portico.attacker.example.";

/// What the server answers, and what it was asked, shared with the test.
#[derive(Default)]
pub struct DnsState {
    pub spoof: Mutex<Spoof>,
    pub texts: Mutex<Vec<String>>,
    pub truncate_udp: AtomicBool,
    pub udp_queries: AtomicUsize,
    pub tcp_queries: AtomicUsize,
    /// The question names asked, in order.
    pub asked: Mutex<Vec<String>>,
}

impl DnsState {
    pub fn set_texts(&self, texts: &[&str]) {
        *self.texts.lock().unwrap() = texts.iter().map(|t| (*t).to_string()).collect();
    }
}

/// Starts the server; answers its address and its shared state.
pub async fn test_dns() -> (SocketAddr, Arc<DnsState>) {
    let state = Arc::new(DnsState::default());
    // One port for both transports: take a UDP port, then the same TCP port (retry if taken).
    let (udp, tcp) = loop {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        if let Ok(tcp) = TcpListener::bind(addr).await {
            break (udp, tcp);
        }
    };
    let addr = udp.local_addr().unwrap();
    let s = Arc::clone(&state);
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = udp.recv_from(&mut buf).await {
            s.udp_queries.fetch_add(1, Ordering::Relaxed);
            let truncate = s.truncate_udp.load(Ordering::Relaxed);
            let forge = *s.spoof.lock().unwrap() == Spoof::WrongIdFirst;
            if forge && let Some(forged) = forged_id(&buf[..n]) {
                let _ = udp.send_to(&forged, from).await;
            }
            if let Some(reply) = answer(&s, &buf[..n], truncate) {
                let _ = udp.send_to(&reply, from).await;
            }
        }
    });
    let s = Arc::clone(&state);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = tcp.accept().await {
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                loop {
                    let mut len = [0u8; 2];
                    if stream.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
                    if stream.read_exact(&mut query).await.is_err() {
                        return;
                    }
                    s.tcp_queries.fetch_add(1, Ordering::Relaxed);
                    let Some(reply) = answer(&s, &query, false) else {
                        return;
                    };
                    let len = u16::try_from(reply.len()).unwrap().to_be_bytes();
                    if stream.write_all(&len).await.is_err()
                        || stream.write_all(&reply).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (addr, state)
}

/// An answer to `query` under another id, holding [`SPOOFED_TEXT`].
fn forged_id(query: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    let mut reply = Message::response(query.metadata.id.wrapping_add(1), OpCode::Query);
    reply.metadata.recursion_desired = query.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    for q in &query.queries {
        reply.add_query(q.clone());
        reply.add_answer(Record::from_rdata(
            q.name().clone(),
            60,
            RData::TXT(TXT::new(vec![SPOOFED_TEXT.to_string()])),
        ));
    }
    reply.to_vec().ok()
}

fn answer(state: &DnsState, query: &[u8], truncate: bool) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    let mut reply = Message::response(query.metadata.id, OpCode::Query);
    reply.metadata.recursion_desired = query.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    let texts = state.texts.lock().unwrap().clone();
    let other_name = *state.spoof.lock().unwrap() == Spoof::OtherName;
    for q in &query.queries {
        state.asked.lock().unwrap().push(q.name().to_string());
        reply.add_query(q.clone());
        if q.query_type() == RecordType::TXT && !truncate {
            let name = if other_name {
                hickory_proto::rr::Name::from_ascii(SPOOFED_NAME).unwrap()
            } else {
                q.name().clone()
            };
            for text in &texts {
                reply.add_answer(Record::from_rdata(
                    name.clone(),
                    60,
                    RData::TXT(TXT::new(vec![text.clone()])),
                ));
            }
        }
    }
    reply.metadata.truncation = truncate;
    reply.to_vec().ok()
}
