//! The admin's preview of a portal as a user type, or as one portal user: read-only, audited,
//! and built through the same enforcement point the portal itself uses, so it shows exactly
//! what the portal user would see — no field, subform column or record more.

use crate::format::Locale;
use portico_app::scoped_records::preview_scope;
use portico_app::{Context, Result};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::field::Field;
use portico_domain::portal::{TabRole, TabView, UserType};
use portico_domain::portal_user::Preferences;
use portico_domain::profile::Action;
use serde_json::{Value, json};
use std::collections::HashMap;

/// One tab of a preview: what the portal user sees in it.
pub struct PreviewTab {
    pub module: String,
    pub label: String,
    pub role: &'static str,
    pub view: &'static str,
    pub actions: Vec<&'static str>,
    pub layout: String,
    pub columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// Labels of the fields the portal user may change on this layout.
    pub writable: Vec<String>,
}

pub struct PreviewRow {
    pub id: Id,
    pub cells: Vec<String>,
}

/// The portal as one user type sees it, optionally as the portal user whose personality record
/// is `as_record` (their real records).
pub struct Preview {
    pub user_type: UserType,
    pub as_record: Option<(Id, String)>,
    pub tabs: Vec<PreviewTab>,
    pub web_tabs: Vec<(String, String)>,
}

const PREVIEW_ROWS: i64 = 50;

/// What a lookup to a record outside the portal user's reach shows: not its name, not its id.
pub const NOT_SHARED: &str = "(not shared)";

/// Builds a read-only preview through the portal enforcement point, and audits it.
pub async fn preview(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    user_type_id: Id,
    as_record: Option<Id>,
) -> Result<Preview> {
    let scoped = preview_scope(ctx, actor, portal_id, user_type_id, as_record).await?;
    let mut fetched = Vec::new();
    for tab in scoped.tabs() {
        let page = scoped
            .list(&tab.module, None, None, PREVIEW_ROWS, None)
            .await?;
        fetched.push((tab, page.items));
    }
    // A lookup shows a name only when its target is itself a record this portal user reaches.
    let mut lookup_ids: Vec<Id> = fetched
        .iter()
        .flat_map(|(tab, records)| {
            let lookups: Vec<&str> = scoped
                .fields(&tab.module)
                .iter()
                .filter(|f| f.field_type.lookup_target().is_some())
                .map(|f| f.api_name.as_str())
                .collect();
            records
                .iter()
                .flat_map(move |r| lookups.clone().into_iter().filter_map(|l| r.data.get(l)))
                .flat_map(|v| match v {
                    Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
                    v => v.as_i64().into_iter().collect::<Vec<_>>(),
                })
        })
        .collect();
    lookup_ids.sort_unstable();
    lookup_ids.dedup();
    let names = scoped.display_names(&lookup_ids).await?;
    // Values read as a new portal user of this org reads them: its language, time zone, time
    // format and country (the currency).
    let org = portico_app::org::org(ctx, actor).await?;
    let locale = Locale::new(&Preferences::from_org(&org.settings));
    let mut tabs = Vec::new();
    for (tab, records) in fetched {
        let mask = scoped.mask(&tab.module, None);
        let fields = scoped.fields(&tab.module);
        let field = |name: &str| fields.iter().find(|f| f.api_name.as_str() == name);
        let visible: Vec<&Field> = mask.visible_fields().filter_map(field).collect();
        let rows = records
            .iter()
            .map(|r| PreviewRow {
                id: r.id,
                cells: visible
                    .iter()
                    .map(|f| cell(&locale, f, r.data.get(f.api_name.as_str()), &names))
                    .collect(),
            })
            .collect();
        let actions = [Action::View, Action::Create, Action::Edit, Action::Delete]
            .into_iter()
            .filter(|a| scoped.allows(&tab.module, *a))
            .map(Action::as_str)
            .collect();
        tabs.push(PreviewTab {
            role: match tab.role {
                TabRole::Personality => "My record",
                TabRole::Related => "Related",
                TabRole::Public => "Public",
            },
            view: if tab.view == TabView::Canvas {
                "Canvas view"
            } else {
                "List view"
            },
            actions,
            writable: mask
                .writable_fields()
                .filter_map(field)
                .map(|f| f.label.clone())
                .collect(),
            columns: visible.iter().map(|f| f.label.clone()).collect(),
            rows,
            layout: scoped
                .layouts(&tab.module)
                .into_iter()
                .next()
                .unwrap_or_default(),
            label: tab.label,
            module: tab.module,
        });
    }
    let urls = portico_app::org::web_tabs(ctx, actor).await?;
    let web_tabs = scoped
        .web_tabs()
        .iter()
        .filter_map(|n| {
            urls.iter()
                .find(|t| &t.name == n)
                .map(|t| (t.name.clone(), t.url.clone()))
        })
        .collect();
    portico_app::audit::note(
        ctx,
        actor,
        "portal.preview",
        json!({"portal_id": portal_id, "user_type_id": user_type_id, "as_record": as_record}),
    )
    .await?;
    Ok(Preview {
        as_record: scoped.me().map(|(id, name)| (id, name.to_string())),
        user_type: scoped.user_type().clone(),
        tabs,
        web_tabs,
    })
}

/// A cell as the portal shows it: a lookup shows its target's name when the portal user
/// reaches it and [`NOT_SHARED`] otherwise; dates, amounts and numbers are formatted for
/// `locale`.
pub fn cell(
    locale: &Locale,
    field: &Field,
    value: Option<&Value>,
    names: &HashMap<Id, String>,
) -> String {
    locale.shown(&field.field_type, value, names, || NOT_SHARED.to_string())
}
