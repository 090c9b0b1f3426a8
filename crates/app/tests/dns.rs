//! The TXT lookup against a DNS server on localhost: answers, no records, truncation over UDP
//! (asked again over TCP), names refused before any query, and forged answers refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_app::dns::{DnsError, txt_records};
use portico_testkit::dns::{SPOOFED_TEXT, Spoof, test_dns};
use std::sync::atomic::Ordering;

#[tokio::test]
async fn txt_records_are_read_and_joined() {
    let (server, state) = test_dns().await;
    state.set_texts(&["token-one", "v=spf1 -all"]);
    let mut found = txt_records(server, "_portico.portal.example.com")
        .await
        .unwrap();
    found.sort();
    assert_eq!(found, ["token-one", "v=spf1 -all"]);
    assert_eq!(
        state.asked.lock().unwrap().last().map(String::as_str),
        Some("_portico.portal.example.com."),
        "the question is the fully qualified name, without search domains"
    );
}

#[tokio::test]
async fn no_records_is_an_empty_answer() {
    let (server, state) = test_dns().await;
    state.set_texts(&[]);
    assert_eq!(
        txt_records(server, "_portico.nothing.example")
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_truncated_udp_answer_is_asked_again_over_tcp() {
    let (server, state) = test_dns().await;
    state.set_texts(&["the-token"]);
    state.truncate_udp.store(true, Ordering::Relaxed);
    assert_eq!(
        txt_records(server, "_portico.big.example").await.unwrap(),
        ["the-token"]
    );
    assert!(state.udp_queries.load(Ordering::Relaxed) >= 1);
    assert!(
        state.tcp_queries.load(Ordering::Relaxed) >= 1,
        "the answer came over TCP"
    );
}

#[tokio::test]
async fn bad_names_are_refused_without_a_query() {
    let (server, state) = test_dns().await;
    for name in [
        "bad..name",
        "",
        &"a".repeat(64),
        &format!("{}.example", "x.".repeat(130)),
    ] {
        assert_eq!(
            txt_records(server, name).await,
            Err(DnsError::BadName),
            "{name}"
        );
    }
    assert_eq!(state.udp_queries.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // A UDP socket that never answers (and no TCP listener).
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let started = std::time::Instant::now();
    let result = txt_records(addr, "_portico.slow.example").await;
    assert!(result.is_err(), "{result:?}");
    assert!(started.elapsed().as_secs() < 15, "bounded by the timeout");
    drop(silent);
}

#[tokio::test]
async fn an_answer_with_the_wrong_query_id_is_ignored() {
    let (server, state) = test_dns().await;
    state.set_texts(&["the-real-token"]);
    *state.spoof.lock().unwrap() = Spoof::WrongIdFirst;
    let found = txt_records(server, "_portico.portal.example.com")
        .await
        .unwrap();
    assert!(
        !found.iter().any(|t| t == SPOOFED_TEXT),
        "a forged id was accepted: {found:?}"
    );
    assert_eq!(found, ["the-real-token"], "the genuine answer still counts");
}

#[tokio::test]
async fn records_for_another_name_are_not_the_asked_names() {
    let (server, state) = test_dns().await;
    state.set_texts(&["the-attackers-token"]);
    *state.spoof.lock().unwrap() = Spoof::OtherName;
    let found = txt_records(server, "_portico.victim.example.com").await;
    assert!(
        !found
            .as_ref()
            .is_ok_and(|texts| texts.iter().any(|t| t == "the-attackers-token")),
        "records for another name were taken as the question's: {found:?}"
    );
}
