//! Configuration: command-line flags, then `PORTICO_*` environment variables (clap reads both),
//! then `portico.toml`, then defaults.

use serde::Deserialize;
use std::path::Path;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:portico-data/portico.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_FILE: &str = "portico.toml";

/// The optional configuration file; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub base_url: Option<String>,
    pub demo: Option<bool>,
    pub portal_domain: Option<String>,
    pub dns_resolver: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub trust_forwarded_for: Option<bool>,
}

impl FileConfig {
    /// Reads the named file (which must exist), or `./portico.toml` when present.
    pub fn load(path: Option<&Path>) -> Result<Self, String> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (Path::new(DEFAULT_FILE).to_path_buf(), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    pub base_url: String,
    pub demo: bool,
    /// Portals are also served at `{slug}.{portal_domain}`.
    pub portal_domain: Option<String>,
    /// `host:port` of the DNS server for custom-domain checks (default: /etc/resolv.conf).
    pub dns_resolver: Option<String>,
    /// The SMTP server email is delivered to; `None`: emails stay in the outbox.
    pub smtp_url: Option<String>,
    /// The sender of every email (`Name <address>` or an address).
    pub mail_from: Option<String>,
    /// A reverse proxy stands in front: the client's address is the last `X-Forwarded-For`
    /// entry (for the audit log and the per-address sign-in limit).
    pub trust_forwarded_for: bool,
}

impl Config {
    pub fn resolve(
        file: &FileConfig,
        database_url: Option<String>,
        listen: Option<String>,
        base_url: Option<String>,
        demo: bool,
    ) -> Self {
        let listen = listen
            .or_else(|| file.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let base_url = base_url
            .or_else(|| file.base_url.clone())
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        Self {
            database_url: database_url
                .or_else(|| file.database_url.clone())
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            listen,
            base_url,
            demo: demo || file.demo.unwrap_or(false),
            portal_domain: file.portal_domain.clone(),
            dns_resolver: file.dns_resolver.clone(),
            smtp_url: file.smtp_url.clone(),
            mail_from: file.mail_from.clone(),
            trust_forwarded_for: file.trust_forwarded_for.unwrap_or(false),
        }
    }

    /// Trusts `X-Forwarded-For` when the flag or the file says so.
    pub fn with_proxy(mut self, trust_forwarded_for: bool) -> Self {
        self.trust_forwarded_for |= trust_forwarded_for;
        self
    }

    /// Adds the portal options given on the command line (they win over the file).
    pub fn with_portal(
        mut self,
        portal_domain: Option<String>,
        dns_resolver: Option<String>,
    ) -> Self {
        self.portal_domain = portal_domain
            .or(self.portal_domain)
            .map(|d| d.trim().trim_matches('.').to_ascii_lowercase())
            .filter(|d| !d.is_empty());
        self.dns_resolver = dns_resolver.or(self.dns_resolver);
        self
    }

    /// Adds the email options given on the command line (they win over the file); blank means
    /// unset.
    pub fn with_mail(mut self, smtp_url: Option<String>, mail_from: Option<String>) -> Self {
        let set = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        self.smtp_url = set(smtp_url).or_else(|| set(self.smtp_url));
        self.mail_from = set(mail_from).or_else(|| set(self.mail_from));
        self
    }

    /// Where email goes: the SMTP URL and the sender, or `None` without SMTP. A server without
    /// a sender is refused, so a misconfiguration shows at start-up, not at the first email.
    pub fn mail(&self) -> Result<Option<(&str, &str)>, String> {
        match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => Ok(Some((url, from))),
            (Some(_), None) => Err(
                "--smtp-url needs --mail-from (PORTICO_MAIL_FROM, mail_from in the file): the sender of every email, e.g. \"Portico <crm@example.com>\"".into(),
            ),
            (None, _) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_settings_come_from_flags_then_the_file() {
        let file: FileConfig = toml::from_str(
            "smtp_url = \"smtp://mail.zylker.com:587?tls=required\"\nmail_from = \"CRM <crm@zylker.com>\"",
        )
        .unwrap();
        let c = Config::resolve(&file, None, None, None, false).with_mail(None, None);
        assert_eq!(
            c.mail(),
            Ok(Some((
                "smtp://mail.zylker.com:587?tls=required",
                "CRM <crm@zylker.com>"
            )))
        );
        let c = Config::resolve(&file, None, None, None, false)
            .with_mail(Some("smtp://127.0.0.1:2525".into()), None);
        assert_eq!(c.smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
        let c = Config::resolve(&FileConfig::default(), None, None, None, false)
            .with_mail(Some("smtp://127.0.0.1:2525".into()), Some("  ".into()));
        assert!(c.mail().is_err(), "a server without a sender is refused");
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let file: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\nbase_url = \"https://crm.zylker.com/\"")
                .unwrap();
        let c = Config::resolve(&file, None, None, None, false);
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.base_url, "https://crm.zylker.com");
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        let c = Config::resolve(
            &file,
            Some("postgres://x/y".into()),
            Some("127.0.0.1:1".into()),
            None,
            true,
        );
        assert_eq!(
            (c.database_url.as_str(), c.listen.as_str(), c.demo),
            ("postgres://x/y", "127.0.0.1:1", true)
        );
        let c = Config::resolve(&FileConfig::default(), None, None, None, false);
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert_eq!(c.mail(), Ok(None), "no SMTP unless configured");
        assert!(
            toml::from_str::<FileConfig>("colour = 1").is_err(),
            "unknown keys are refused"
        );
    }
}
