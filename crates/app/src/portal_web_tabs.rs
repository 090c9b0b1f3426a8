//! The web tabs a signed-in portal user sees, with their URLs: the org's web tabs named by the
//! user type (see `ScopedRecords::web_tabs`), in the user type's order.

use crate::portal_accounts::PortalSignedIn;
use crate::{Context, Result};
use portico_domain::webtab::WebTab;

/// The org's web tabs among `names`, in the order of `names`; a name the org no longer has is
/// left out.
pub async fn web_tabs(ctx: &Context, me: &PortalSignedIn, names: &[String]) -> Result<Vec<WebTab>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let tabs = ctx.store().list_web_tabs(me.user.org_id).await?;
    Ok(names
        .iter()
        .filter_map(|n| tabs.iter().find(|t| &t.name == n).cloned())
        .collect())
}
