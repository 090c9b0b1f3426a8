//! The TXT records of a name, through `hickory-resolver`: used to verify that an admin controls
//! a portal's custom domain (`_portico.{domain}` holding the portal's token). Query ids are
//! random, answers are matched to the question, and a truncated UDP answer is asked again over
//! TCP — the protocol work stays with a well-kept crate. The resolver address is
//! configuration, so tests point it at a DNS server of their own.

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError as ProtoDnsError, NetError};
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DnsError {
    #[error("the name is not a valid DNS name")]
    BadName,
    #[error("the DNS server did not answer in time")]
    Timeout,
    #[error("the DNS lookup failed: {0}")]
    Lookup(String),
}

/// A resolver that asks only `server` (UDP, then TCP when an answer is truncated), without a
/// cache or the hosts file: each verification sees what DNS says now.
fn resolver(server: SocketAddr) -> Result<TokioResolver, DnsError> {
    let mut name_server = NameServerConfig::udp_and_tcp(server.ip());
    for connection in &mut name_server.connections {
        connection.port = server.port();
    }
    let config = ResolverConfig::from_parts(None, Vec::new(), vec![name_server]);
    let mut builder = Resolver::builder_with_config(config, TokioRuntimeProvider::default());
    let options: &mut ResolverOpts = builder.options_mut();
    options.timeout = Duration::from_secs(2);
    options.attempts = 2;
    options.cache_size = 0;
    options.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
    builder.build().map_err(|e| DnsError::Lookup(e.to_string()))
}

/// Asks `server` for the TXT records of `name`; each record's strings are joined, as DNS
/// intends for long values. A name with no TXT records (or no such name) answers an empty list.
pub async fn txt_records(server: SocketAddr, name: &str) -> Result<Vec<String>, DnsError> {
    if name.len() > 253 || name.split('.').any(|l| l.is_empty() || l.len() > 63) {
        return Err(DnsError::BadName);
    }
    // Fully qualified: no search domains are tried.
    let fqdn = format!("{}.", name.trim_end_matches('.'));
    let lookup = match resolver(server)?.txt_lookup(fqdn.as_str()).await {
        Ok(lookup) => lookup,
        Err(NetError::Dns(ProtoDnsError::NoRecordsFound(_))) => return Ok(Vec::new()),
        Err(NetError::Timeout) => return Err(DnsError::Timeout),
        Err(e) => return Err(DnsError::Lookup(e.to_string())),
    };
    Ok(lookup
        .answers()
        .iter()
        .filter_map(|record| match &record.data {
            RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part))
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect())
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
