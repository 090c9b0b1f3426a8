//! The instance's public address (`--base-url`), the one root of every absolute link the system
//! writes — in emails above all. A link is never built from a request's `Host` header: whoever
//! sends the request chooses that header, and a reset or invitation link pointing at their host
//! would hand them the token.

use crate::DomainError;

/// `http://` or `https://`, a host (name, IPv4 or bracketed IPv6), an optional port and path;
/// no query, fragment, user info, whitespace or control character. Kept without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    host: String,
}

impl BaseUrl {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let url = input.trim().trim_end_matches('/');
        let invalid = |why: &str| {
            DomainError::field(
                "base_url",
                "invalid_base_url",
                format!("The base URL {url:?} {why}; use e.g. https://crm.example.com"),
            )
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| invalid("does not start with http:// or https://"))?;
        if url.len() > 2000
            || url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "?#@\"<>\\".contains(c))
        {
            return Err(invalid("holds a character a base URL cannot have"));
        }
        let authority = rest.split('/').next().unwrap_or("");
        let host = if let Some(v6) = authority.strip_prefix('[') {
            let (inside, after) = v6
                .split_once(']')
                .ok_or_else(|| invalid("has an unclosed IPv6 address"))?;
            if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
                return Err(invalid("has a malformed port"));
            }
            format!("[{inside}]")
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if port.is_some_and(|p| !is_port(p)) {
                return Err(invalid("has a malformed port"));
            }
            host.to_ascii_lowercase()
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c));
        if !host_ok {
            return Err(invalid("names no host"));
        }
        Ok(Self {
            url: url.to_string(),
            host,
        })
    }

    /// The URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The host alone (no port), lower-cased: the right-hand side of our Message-IDs.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// An absolute link to `path` on this instance (`/p/acme/` → `https://crm.example.com/p/acme/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}/{}", self.url, path.trim_start_matches('/'))
    }

    pub fn is_https(&self) -> bool {
        self.url.starts_with("https://")
    }
}

impl Default for BaseUrl {
    /// What `portico serve` uses when nothing is configured.
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:8080".into(),
            host: "127.0.0.1".into(),
        }
    }
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_give_hosts_and_links() {
        let b = BaseUrl::parse("https://CRM.Zylker.com:8443/portico/").unwrap();
        assert_eq!(b.as_str(), "https://CRM.Zylker.com:8443/portico");
        assert_eq!(b.host(), "crm.zylker.com");
        assert_eq!(
            b.link("/p/acme/"),
            "https://CRM.Zylker.com:8443/portico/p/acme/"
        );
        assert!(b.is_https());
        let v6 = BaseUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!(v6.host(), "[::1]");
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:8080").unwrap(),
            BaseUrl::default()
        );
    }

    #[test]
    fn malformed_base_urls_are_refused() {
        for bad in [
            "crm.zylker.com",
            "ftp://crm.zylker.com",
            "https://",
            "https://user@crm.zylker.com",
            "https://crm.zylker.com?next=x",
            "https://crm.zylker.com:80x",
            "https://crm zylker.com",
            "https://crm.zylker.com/\r\nX: y",
            "http://[::1",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
