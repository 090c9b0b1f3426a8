//! A portal's logo: one row per portal, scoped by org like everything else. The bytes are kept
//! as base64 text (the store's values are text) and come back as bytes.

use crate::error::{StoreError, StoreResult};
use crate::rows::opt;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use data_encoding::BASE64;
use portico_domain::{Id, Millis};

/// A portal's logo as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLogo {
    /// `image/png`, `image/jpeg` or `image/webp` (checked by the caller from the bytes).
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// A strong validator of the bytes (the caller's hash), for `ETag`.
    pub etag: String,
    pub updated_at: Millis,
}

impl Tx {
    /// Sets (or replaces) the portal's logo. Another org's portal is "not found".
    pub async fn put_portal_logo(
        &mut self,
        org: Id,
        portal: Id,
        logo: &PortalLogo,
    ) -> StoreResult<()> {
        let c = &mut self.conn;
        opt(
            c,
            "SELECT id FROM portals WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(portal)],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        c.execute(
            "DELETE FROM portal_logos WHERE org_id = $1 AND portal_id = $2",
            &[Val::Int(org), Val::Int(portal)],
        )
        .await?;
        c.execute(
            "INSERT INTO portal_logos (portal_id, org_id, content_type, data, etag, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Val::Int(portal),
                Val::Int(org),
                Val::from(logo.content_type.as_str()),
                Val::from(BASE64.encode(&logo.bytes)),
                Val::from(logo.etag.as_str()),
                Val::Int(logo.updated_at),
            ],
        )
        .await?;
        Ok(())
    }

    /// The portal's logo, if it has one.
    pub async fn portal_logo(&mut self, org: Id, portal: Id) -> StoreResult<Option<PortalLogo>> {
        let row = opt(
            &mut self.conn,
            "SELECT content_type, data, etag, updated_at FROM portal_logos \
             WHERE org_id = $1 AND portal_id = $2",
            &[Val::Int(org), Val::Int(portal)],
        )
        .await?;
        let Some(r) = row else { return Ok(None) };
        let bytes = BASE64
            .decode(r.text(1)?.as_bytes())
            .map_err(|e| StoreError::Backend(format!("a stored logo is not base64: {e}")))?;
        Ok(Some(PortalLogo {
            content_type: r.text(0)?,
            bytes,
            etag: r.text(2)?,
            updated_at: r.int(3)?,
        }))
    }

    /// The ETag of the portal's logo, without its bytes: whether there is one, and which.
    pub async fn portal_logo_etag(&mut self, org: Id, portal: Id) -> StoreResult<Option<String>> {
        opt(
            &mut self.conn,
            "SELECT etag FROM portal_logos WHERE org_id = $1 AND portal_id = $2",
            &[Val::Int(org), Val::Int(portal)],
        )
        .await?
        .map(|r| r.text(0))
        .transpose()
    }

    /// Removes the portal's logo; answers whether there was one.
    pub async fn delete_portal_logo(&mut self, org: Id, portal: Id) -> StoreResult<bool> {
        let n = self
            .conn
            .execute(
                "DELETE FROM portal_logos WHERE org_id = $1 AND portal_id = $2",
                &[Val::Int(org), Val::Int(portal)],
            )
            .await?;
        Ok(n > 0)
    }
}
