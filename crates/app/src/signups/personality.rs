//! The personality record a sign-up becomes (issue 9, items 6 and 8): an existing live record
//! of the user type's personality module with the applicant's address, else a new one owned by
//! the portal's default owner — never by a portal user.

use crate::{AppError, Context, Result};
use portico_domain::Id;
use portico_domain::field::FieldType;
use portico_domain::portal::{Portal, UserType};
use portico_domain::portal_user::PortalUser;
use portico_domain::record::{RecordState, validate_data};
use portico_store::Tx;
use serde_json::{Map, Value, json};

/// The sign-up's own record in the user type's personality module: the oldest live record with
/// its address that is not yet a user of this portal, else a new one (name and address filled
/// in) owned by the portal's default owner.
pub(super) async fn personality_record(
    tx: &mut Tx,
    ctx: &Context,
    portal: &Portal,
    user_type: &UserType,
    user: &PortalUser,
) -> Result<Id> {
    let org = user.org_id;
    let module = tx
        .get_module(org, user_type.config.personality_module.as_str())
        .await?;
    if let Some(found) = tx
        .live_record_by_email(org, module.id, &user.email, Some(portal.id))
        .await?
    {
        return Ok(found.id);
    }
    let fields = tx.list_fields(org, module.id).await?;
    let mut data = name_values(&module.name_fields, &user.name);
    if let Some(f) = fields.iter().find(|f| f.field_type == FieldType::Email) {
        data.insert(f.api_name.as_str().to_string(), json!(user.email));
    }
    data.retain(|k, _| fields.iter().any(|f| f.api_name.as_str() == k));
    let valid = validate_data(&fields, &module.name_fields, &data, None).map_err(|e| {
        let missing: Vec<&str> = e.errors().iter().map(|f| f.field.as_str()).collect();
        AppError::Conflict(format!(
            "A {} record cannot be made from a sign-up: {} needs a value",
            module.label,
            missing.join(", ")
        ))
    })?;
    let owner = default_owner(tx, portal).await?;
    let record = tx
        .create_record(
            org,
            module.id,
            owner,
            &valid,
            RecordState::default(),
            ctx.now(),
        )
        .await?;
    Ok(record.id)
}

/// A name in the module's name fields: with two or more, the last word goes to the last one
/// (Contacts' mandatory Last_Name) and the rest to the first; a single word goes to the last.
fn name_values(name_fields: &[String], name: &str) -> Map<String, Value> {
    let mut data = Map::new();
    let name = name.trim();
    match name_fields {
        [] => {}
        [only] => {
            data.insert(only.clone(), json!(name));
        }
        [first, .., last] => match name.rsplit_once(char::is_whitespace) {
            Some((given, family)) if !given.trim().is_empty() => {
                data.insert(first.clone(), json!(given.trim()));
                data.insert(last.clone(), json!(family.trim()));
            }
            _ => {
                data.insert(last.clone(), json!(name));
            }
        },
    }
    data
}

/// The CRM user who owns what a sign-up brings: the portal's default owner while it is an
/// active user, else the org's first active super admin. Never a portal user.
pub(crate) async fn default_owner(tx: &mut Tx, portal: &Portal) -> Result<Id> {
    let users = tx.list_users(portal.org_id).await?;
    portal
        .settings
        .default_owner_id
        .and_then(|id| users.iter().find(|u| u.id == id && u.active))
        .or_else(|| users.iter().find(|u| u.super_admin && u.active))
        .map(|u| u.id)
        .ok_or_else(|| AppError::Internal("the org has no active super admin".into()))
}

/// Who owns the records `user` creates in the portal (issue 9, item 8): the CRM user who
/// invited them, or — for a sign-up — the portal's default owner.
pub async fn records_owner(ctx: &Context, portal: &Portal, user: &PortalUser) -> Result<Id> {
    if let Some(inviter) = user.invited_by {
        return Ok(inviter);
    }
    let mut reader = ctx.store().reader().await?;
    default_owner(&mut reader, portal).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fill_the_modules_name_fields() {
        let two = ["First_Name".to_string(), "Last_Name".to_string()];
        let m = name_values(&two, "Ann Mary Lee");
        assert_eq!(m.get("First_Name"), Some(&json!("Ann Mary")));
        assert_eq!(m.get("Last_Name"), Some(&json!("Lee")));
        let m = name_values(&two, "Prince");
        assert_eq!(
            (m.get("First_Name"), m.get("Last_Name")),
            (None, Some(&json!("Prince")))
        );
        let m = name_values(&["Name".to_string()], "Acme Ltd");
        assert_eq!(m.get("Name"), Some(&json!("Acme Ltd")));
        assert!(name_values(&[], "x").is_empty());
    }
}
