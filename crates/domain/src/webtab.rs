//! Web tabs: a named external URL shown as a tab.

use crate::module::parse_label;
use crate::{DomainError, Id};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebTab {
    pub id: Id,
    pub org_id: Id,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebTab {
    pub name: String,
    pub url: String,
}

impl NewWebTab {
    pub fn check(self) -> Result<Self, DomainError> {
        let name = parse_label("name", &self.name)?;
        let url = self.url.trim().to_string();
        if !crate::field::is_url(&url) {
            return Err(DomainError::field(
                "url",
                "invalid_url",
                "The URL is a web address starting with http:// or https://",
            ));
        }
        Ok(Self { name, url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_tabs_need_a_name_and_a_web_url() {
        let ok = NewWebTab {
            name: "News".into(),
            url: "https://zylker.com/news".into(),
        };
        assert!(ok.clone().check().is_ok());
        assert!(
            NewWebTab {
                url: "ftp://x.com".into(),
                ..ok.clone()
            }
            .check()
            .is_err()
        );
        assert!(
            NewWebTab {
                url: "".into(),
                ..ok.clone()
            }
            .check()
            .is_err()
        );
        assert!(
            NewWebTab {
                name: " ".into(),
                ..ok
            }
            .check()
            .is_err()
        );
    }
}
