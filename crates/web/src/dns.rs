//! A minimal DNS client for one question: the TXT records of a name. Used to verify that an
//! admin controls a portal's custom domain (`_portico.{domain}` holding the portal's token).
//! The resolver address is configuration, so tests point it at a DNS server of their own.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::UdpSocket;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DnsError {
    #[error("the name is not a valid DNS name")]
    BadName,
    #[error("the DNS server did not answer in time")]
    Timeout,
    #[error("DNS network error: {0}")]
    Network(String),
    #[error("the DNS answer could not be read")]
    Malformed,
    #[error("the DNS server answered with error code {0}")]
    ServerError(u8),
}

const TXT: u16 = 16;
const CLASS_IN: u16 = 1;

/// The query message for `name`'s TXT records, with the given id.
pub fn encode_query(id: u16, name: &str) -> Result<Vec<u8>, DnsError> {
    let mut msg = Vec::with_capacity(name.len() + 18);
    msg.extend_from_slice(&id.to_be_bytes());
    msg.extend_from_slice(&[0x01, 0x00]); // standard query, recursion desired
    msg.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in name.trim_end_matches('.').split('.') {
        let len = u8::try_from(label.len()).map_err(|_| DnsError::BadName)?;
        if len == 0 || len > 63 {
            return Err(DnsError::BadName);
        }
        msg.push(len);
        msg.extend_from_slice(label.as_bytes());
    }
    msg.push(0);
    msg.extend_from_slice(&TXT.to_be_bytes());
    msg.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(msg)
}

fn u16_at(msg: &[u8], at: usize) -> Result<u16, DnsError> {
    match (msg.get(at), msg.get(at + 1)) {
        (Some(a), Some(b)) => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(DnsError::Malformed),
    }
}

/// Skips a (possibly compressed) name; answers the offset after it.
fn skip_name(msg: &[u8], mut at: usize) -> Result<usize, DnsError> {
    loop {
        let len = *msg.get(at).ok_or(DnsError::Malformed)?;
        match len {
            0 => return Ok(at + 1),
            l if l & 0xC0 == 0xC0 => return Ok(at + 2),
            l => at += 1 + usize::from(l),
        }
    }
}

/// The TXT strings of an answer to query `id` (each record's strings joined, as DNS intends).
pub fn decode_txt(id: u16, msg: &[u8]) -> Result<Vec<String>, DnsError> {
    if msg.len() < 12 || u16_at(msg, 0)? != id {
        return Err(DnsError::Malformed);
    }
    let rcode = msg[3] & 0x0F;
    if rcode == 3 {
        return Ok(Vec::new()); // NXDOMAIN: no such name, so no records
    }
    if rcode != 0 {
        return Err(DnsError::ServerError(rcode));
    }
    let questions = u16_at(msg, 4)?;
    let answers = u16_at(msg, 6)?;
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(msg, at)? + 4;
    }
    let mut out = Vec::new();
    for _ in 0..answers {
        at = skip_name(msg, at)?;
        let kind = u16_at(msg, at)?;
        let len = usize::from(u16_at(msg, at + 8)?);
        let data = msg.get(at + 10..at + 10 + len).ok_or(DnsError::Malformed)?;
        at += 10 + len;
        if kind != TXT {
            continue;
        }
        let mut text = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let n = usize::from(data[i]);
            text.extend_from_slice(data.get(i + 1..i + 1 + n).ok_or(DnsError::Malformed)?);
            i += 1 + n;
        }
        out.push(String::from_utf8_lossy(&text).into_owned());
    }
    Ok(out)
}

/// Asks `resolver` for the TXT records of `name` (two tries, two seconds each).
pub async fn txt_records(resolver: SocketAddr, name: &str) -> Result<Vec<String>, DnsError> {
    let bind: SocketAddr = if resolver.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(bind)
        .await
        .map_err(|e| DnsError::Network(e.to_string()))?;
    socket
        .connect(resolver)
        .await
        .map_err(|e| DnsError::Network(e.to_string()))?;
    let mut id_bytes = [0u8; 2];
    getrandom_id(&mut id_bytes);
    let id = u16::from_be_bytes(id_bytes);
    let query = encode_query(id, name)?;
    let mut buf = vec![0u8; 4096];
    for _ in 0..2 {
        socket
            .send(&query)
            .await
            .map_err(|e| DnsError::Network(e.to_string()))?;
        match tokio::time::timeout(Duration::from_secs(2), socket.recv(&mut buf)).await {
            Ok(Ok(n)) => return decode_txt(id, buf.get(..n).ok_or(DnsError::Malformed)?),
            Ok(Err(e)) => return Err(DnsError::Network(e.to_string())),
            Err(_) => continue,
        }
    }
    Err(DnsError::Timeout)
}

/// A random query id (spoofed answers must guess it); falls back to the clock.
fn getrandom_id(out: &mut [u8; 2]) {
    match portico_auth::random_token() {
        Ok(t) => {
            let bytes = t.as_bytes();
            out[0] = bytes[0] ^ bytes[2];
            out[1] = bytes[1] ^ bytes[3];
        }
        Err(_) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            *out = u16::try_from(nanos & 0xFFFF).unwrap_or(0).to_be_bytes();
        }
    }
}

/// The first `nameserver` of /etc/resolv.conf, the system's resolver.
pub fn system_resolver() -> Option<SocketAddr> {
    let conf = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    conf.lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .next()
}

/// Builds an answer to `query` carrying `texts` as TXT records (for tests' DNS servers).
pub fn encode_txt_answer(query: &[u8], texts: &[&str]) -> Vec<u8> {
    let mut msg = query.to_vec();
    if msg.len() < 12 {
        return msg;
    }
    msg[2] = 0x81; // response, recursion desired
    msg[3] = 0x80; // recursion available, no error
    let count = u16::try_from(texts.len()).unwrap_or(0).to_be_bytes();
    msg[6] = count[0];
    msg[7] = count[1];
    for text in texts {
        msg.extend_from_slice(&[0xC0, 12]); // the question's name
        msg.extend_from_slice(&TXT.to_be_bytes());
        msg.extend_from_slice(&CLASS_IN.to_be_bytes());
        msg.extend_from_slice(&60u32.to_be_bytes());
        let bytes = &text.as_bytes()[..text.len().min(255)];
        let len = u16::try_from(bytes.len() + 1).unwrap_or(0);
        msg.extend_from_slice(&len.to_be_bytes());
        msg.push(u8::try_from(bytes.len()).unwrap_or(0));
        msg.extend_from_slice(bytes);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_answers_round_trip() {
        let q = encode_query(0x1234, "_portico.portal.zylker.com").unwrap();
        assert_eq!(&q[..2], &[0x12, 0x34]);
        assert_eq!(q[12], 8, "first label is _portico");
        let a = encode_txt_answer(&q, &["token-one", "v=spf1 -all"]);
        assert_eq!(
            decode_txt(0x1234, &a).unwrap(),
            ["token-one", "v=spf1 -all"]
        );
        assert_eq!(
            decode_txt(0x9999, &a),
            Err(DnsError::Malformed),
            "another query's answer"
        );
        assert_eq!(encode_query(1, "bad..name"), Err(DnsError::BadName));
        let mut nx = q.clone();
        nx[2] = 0x81;
        nx[3] = 0x83;
        assert_eq!(decode_txt(0x1234, &nx).unwrap(), Vec::<String>::new());
        assert!(
            decode_txt(0x1234, &a[..a.len() - 3]).is_err(),
            "truncated answers are refused"
        );
    }
}
