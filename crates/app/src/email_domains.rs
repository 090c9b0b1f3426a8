//! TEMPORARY: replaced by the blocked/disposable domain lists (branch `domains`) at merge.

use crate::Result;
use portico_domain::Id;
use portico_store::Tx;

pub async fn refused_domain(_tx: &mut Tx, _org: Id, _email: &str) -> Result<bool> {
    Ok(false)
}
