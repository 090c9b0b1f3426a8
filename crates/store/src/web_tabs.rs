//! Web tabs: named external URLs shown as tabs.

use crate::error::{StoreError, StoreResult};
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::Id;
use portico_domain::webtab::{NewWebTab, WebTab};

impl Tx {
    /// Web tabs are part of the portal catalogue instances cache: a change raises the org's
    /// `config_version` (as [`Tx::delete_web_tab`] does).
    pub async fn create_web_tab(&mut self, org: Id, tab: &NewWebTab) -> StoreResult<WebTab> {
        self.config_changed(org).await?;
        let tx = &mut self.conn;
        name_free(tx, org, &tab.name, 0).await?;
        let row = one(
            tx,
            "INSERT INTO web_tabs (org_id, name, url) VALUES ($1, $2, $3) RETURNING id",
            &[
                Val::Int(org),
                Val::from(tab.name.as_str()),
                Val::from(tab.url.as_str()),
            ],
        )
        .await?;
        Ok(WebTab {
            id: row.int(0)?,
            org_id: org,
            name: tab.name.clone(),
            url: tab.url.clone(),
        })
    }

    pub async fn list_web_tabs(&mut self, org: Id) -> StoreResult<Vec<WebTab>> {
        let c = &mut self.conn;
        c.query(
            "SELECT id, org_id, name, url FROM web_tabs WHERE org_id = $1 ORDER BY name",
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(WebTab {
                id: r.int(0)?,
                org_id: r.int(1)?,
                name: r.text(2)?,
                url: r.text(3)?,
            })
        })
        .collect()
    }

    /// The name of web tab `id` of the org.
    async fn web_tab_name(&mut self, org: Id, id: Id) -> StoreResult<String> {
        let row = one(
            &mut self.conn,
            "SELECT name FROM web_tabs WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        row.text(0)
    }

    /// Deletes a web tab, and removes it from every portal user type that shows it.
    pub async fn delete_web_tab(&mut self, org: Id, id: Id) -> StoreResult<()> {
        self.config_changed(org).await?;
        let name = self.web_tab_name(org, id).await?;
        let tx = &mut self.conn;
        tx.execute(
            "DELETE FROM web_tabs WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        crate::portals::replace_web_tab(tx, org, &name, None).await?;
        Ok(())
    }

    /// Changes a web tab's name and address; user types showing it follow a new name.
    pub async fn update_web_tab(
        &mut self,
        org: Id,
        id: Id,
        tab: &NewWebTab,
    ) -> StoreResult<WebTab> {
        self.config_changed(org).await?;
        let old = self.web_tab_name(org, id).await?;
        let tx = &mut self.conn;
        name_free(tx, org, &tab.name, id).await?;
        tx.execute(
            "UPDATE web_tabs SET name = $3, url = $4 WHERE org_id = $1 AND id = $2",
            &[
                Val::Int(org),
                Val::Int(id),
                Val::from(tab.name.as_str()),
                Val::from(tab.url.as_str()),
            ],
        )
        .await?;
        if old != tab.name {
            crate::portals::replace_web_tab(tx, org, &old, Some(&tab.name)).await?;
        }
        Ok(WebTab {
            id,
            org_id: org,
            name: tab.name.clone(),
            url: tab.url.clone(),
        })
    }
}

/// No other web tab of the org (`except`: the one being changed) has `name`.
async fn name_free(c: &mut impl Executor, org: Id, name: &str, except: Id) -> StoreResult<()> {
    let clash = opt(
        c,
        "SELECT id FROM web_tabs WHERE org_id = $1 AND name = $2 AND id <> $3",
        &[Val::Int(org), Val::from(name), Val::Int(except)],
    )
    .await?;
    match clash {
        Some(_) => Err(StoreError::Conflict(format!(
            "A web tab named {name} already exists"
        ))),
        None => Ok(()),
    }
}
