//! An org's block list of email domains: portal invitations and sign-ups refuse addresses at a
//! blocked domain or any subdomain of it. The shipped list of disposable-address services is
//! not stored; it lives in `portico_domain::email_domains`.

use crate::error::StoreResult;
use crate::rows::{one, opt};
use crate::sql::{Executor, Row, Val};
use crate::store::Tx;
use portico_domain::email_domains::{BlockedDomain, domain_and_parents, normalise};
use portico_domain::{Id, Millis};

/// One entry of an org's block list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedEmailDomain {
    pub domain: String,
    /// The email of the CRM user who blocked it.
    pub created_by: String,
    pub created_at: Millis,
}

const COLS: &str = "domain, created_by, created_at";

fn entry_from(r: &Row) -> StoreResult<BlockedEmailDomain> {
    Ok(BlockedEmailDomain {
        domain: r.text(0)?,
        created_by: r.text(1)?,
        created_at: r.int(2)?,
    })
}

impl Tx {
    /// The org's blocked domains, in alphabetical order.
    pub async fn list_blocked_domains(&mut self, org: Id) -> StoreResult<Vec<BlockedEmailDomain>> {
        self.conn
            .query(
                &format!(
                    "SELECT {COLS} FROM blocked_email_domains WHERE org_id = $1 ORDER BY domain"
                ),
                &[Val::Int(org)],
            )
            .await?
            .iter()
            .map(entry_from)
            .collect()
    }

    /// Adds `domain` to the org's block list: the new entry, or `None` when it was already
    /// there (nothing changes then, so two admins blocking the same domain at once cannot
    /// fail on the primary key). An org that does not exist answers `None` too.
    pub async fn add_blocked_domain(
        &mut self,
        org: Id,
        domain: &BlockedDomain,
        created_by: &str,
        now: Millis,
    ) -> StoreResult<Option<BlockedEmailDomain>> {
        // `SELECT … FROM orgs WHERE`: SQLite needs the WHERE to read ON CONFLICT as the
        // upsert clause, and it ties the row to an org that exists.
        let row = opt(
            &mut self.conn,
            &format!(
                "INSERT INTO blocked_email_domains (org_id, domain, created_by, created_at) \
                 SELECT id, $2, $3, $4 FROM orgs WHERE id = $1 \
                 ON CONFLICT (org_id, domain) DO NOTHING RETURNING {COLS}"
            ),
            &[
                Val::Int(org),
                Val::from(domain.as_str()),
                Val::from(created_by),
                Val::Int(now),
            ],
        )
        .await?;
        row.as_ref().map(entry_from).transpose()
    }

    /// Removes `domain` from the org's block list; `NotFound` when it is not on it.
    pub async fn remove_blocked_domain(
        &mut self,
        org: Id,
        domain: &BlockedDomain,
    ) -> StoreResult<()> {
        one(
            &mut self.conn,
            "DELETE FROM blocked_email_domains WHERE org_id = $1 AND domain = $2 \
             RETURNING domain",
            &[Val::Int(org), Val::from(domain.as_str())],
        )
        .await
        .map(|_| ())
    }

    /// Whether the org blocks addresses at `domain`: the domain itself or one of its parents
    /// is on its list (blocking `example.com` blocks `mail.example.com`). Case-insensitive.
    /// One statement, a primary-key lookup per candidate name.
    pub async fn email_domain_blocked(&mut self, org: Id, domain: &str) -> StoreResult<bool> {
        let domain = normalise(domain);
        let mut params = vec![Val::Int(org)];
        params.extend(domain_and_parents(&domain).map(Val::from));
        if params.len() == 1 {
            // Not a name of two labels: nothing on any list can match it.
            return Ok(false);
        }
        let placeholders: Vec<String> = (2..=params.len()).map(|i| format!("${i}")).collect();
        let row = one(
            &mut self.conn,
            &format!(
                "SELECT COUNT(*) FROM blocked_email_domains WHERE org_id = $1 AND domain IN ({})",
                placeholders.join(", ")
            ),
            &params,
        )
        .await?;
        Ok(row.int(0)? > 0)
    }
}
