//! Portals and their user types: names, URL slugs, settings, and the tab and field
//! configuration that becomes the security boundary for portal users. Configurations refer to
//! modules, layouts, fields and web tabs by their stable names, so a portal's configuration can
//! be exported from one org and imported into another with the same modules.

use crate::email::is_domain;
use crate::field::{Field, FieldType};
use crate::layout::Layout;
use crate::module::{ApiName, Module, parse_label};
use crate::profile::ModulePermissions;
use crate::{DomainError, FieldError, Id};
use serde::{Deserialize, Serialize};

/// The default user type every portal starts with.
pub const DEFAULT_USER_TYPE: &str = "Client Portal";
/// Portal users included at no cost on the default user type.
pub const FREE_SEATS: i64 = 10_000;
/// Modules that can carry products in a Product_Details subform.
pub const INVENTORY_MODULES: [&str; 4] = ["Quotes", "Sales_Orders", "Purchase_Orders", "Invoices"];
/// Modules that can be a user type's personality module (besides custom modules with an email field).
pub const PERSONALITY_MODULES: [&str; 3] = ["Leads", "Contacts", "Vendors"];
/// Idle session timeouts offered, in minutes (`None` = never).
pub const IDLE_TIMEOUTS: [i64; 7] = [15, 30, 60, 120, 240, 480, 720];

/// A portal URL slug: 3–63 lower-case letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        let ok = (3..=63).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(DomainError::field(
                "slug",
                "invalid_slug",
                "The portal address is 3 to 63 lower-case letters, digits and hyphens",
            ))
        }
    }

    /// `Zylker Customers` → `zylker-customers`.
    pub fn from_name(name: &str) -> Result<Self, DomainError> {
        let mut slug = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug: String = slug.trim_matches('-').chars().take(63).collect();
        let slug = slug.trim_end_matches('-');
        let padded = if slug.len() < 3 {
            format!("{slug}-portal")
        } else {
            slug.to_string()
        };
        Self::parse(padded.trim_start_matches('-'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    Enabled,
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalType {
    /// Anyone with the link signs up.
    Public,
    /// Invitation only.
    Private,
    /// Sign-up, then approval.
    Restricted,
}

/// Consent text an admin adds to the pages that carry analytics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentText {
    #[serde(default)]
    pub signup: String,
    #[serde(default)]
    pub signin: String,
    #[serde(default)]
    pub reset_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// Every portal setting (seed 004), as the API names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSettings {
    pub status: PortalStatus,
    pub disabled_message: String,
    pub slug: Slug,
    pub custom_domain: Option<String>,
    pub portal_type: PortalType,
    /// CRM users told about sign-ups (public and restricted portals).
    pub signup_notify_user_ids: Vec<Id>,
    /// Restricted portals: tell the applicant about the decision.
    pub notify_applicant: bool,
    /// Restricted portals: approve sign-ups whose email matches a Contacts record.
    pub auto_approve_contacts: bool,
    pub default_user_type_id: Option<Id>,
    pub allow_email_change: bool,
    pub enforce_mfa: bool,
    /// `None` = never.
    pub idle_timeout_minutes: Option<i64>,
    pub ga_measurement_id: Option<String>,
    pub ga_terms_accepted: bool,
    pub consent_text: ConsentText,
}

pub const DEFAULT_DISABLED_MESSAGE: &str =
    "This portal is down for maintenance. Please try again later.";
pub const CONSENT_MAX: usize = 2_000;

impl PortalSettings {
    /// The settings of a new portal: enabled, private, nothing optional switched on.
    pub fn new(slug: Slug) -> Self {
        Self {
            status: PortalStatus::Enabled,
            disabled_message: DEFAULT_DISABLED_MESSAGE.to_string(),
            slug,
            custom_domain: None,
            portal_type: PortalType::Private,
            signup_notify_user_ids: Vec::new(),
            notify_applicant: false,
            auto_approve_contacts: false,
            default_user_type_id: None,
            allow_email_change: false,
            enforce_mfa: false,
            idle_timeout_minutes: None,
            ga_measurement_id: None,
            ga_terms_accepted: false,
            consent_text: ConsentText::default(),
        }
    }

    /// Checks every setting that needs no database; reports each bad one.
    pub fn check(mut self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, code: &'static str, msg: &str| {
            errors.push(FieldError::new(field, code, msg))
        };
        self.disabled_message = self.disabled_message.trim().to_string();
        if self.disabled_message.is_empty() {
            self.disabled_message = DEFAULT_DISABLED_MESSAGE.to_string();
        }
        if self.disabled_message.chars().count() > 1_000 {
            bad(
                "disabled_message",
                "too_long",
                "The maintenance message has at most 1,000 characters",
            );
        }
        self.custom_domain = self
            .custom_domain
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|d| !d.is_empty());
        if self.custom_domain.as_deref().is_some_and(|d| !is_domain(d)) {
            bad(
                "custom_domain",
                "invalid_domain",
                "The custom domain looks like portal.zylker.com",
            );
        }
        if self.portal_type != PortalType::Restricted
            && (self.notify_applicant || self.auto_approve_contacts)
        {
            bad(
                "portal_type",
                "restricted_only",
                "Notifying applicants and auto-approving contacts apply only to restricted portals",
            );
        }
        if self.portal_type == PortalType::Private && !self.signup_notify_user_ids.is_empty() {
            bad(
                "signup_notify_user_ids",
                "no_signups",
                "A private portal has no sign-ups to notify anyone about",
            );
        }
        self.signup_notify_user_ids.sort_unstable();
        self.signup_notify_user_ids.dedup();
        if self
            .idle_timeout_minutes
            .is_some_and(|m| !IDLE_TIMEOUTS.contains(&m))
        {
            bad(
                "idle_timeout_minutes",
                "invalid_timeout",
                "The idle timeout is never (null) or 15, 30, 60, 120, 240, 480 or 720 minutes",
            );
        }
        self.ga_measurement_id = self
            .ga_measurement_id
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty());
        if let Some(id) = &self.ga_measurement_id {
            let valid = id.strip_prefix("G-").is_some_and(|rest| {
                (4..=16).contains(&rest.len())
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            });
            if !valid {
                bad(
                    "ga_measurement_id",
                    "invalid_measurement_id",
                    "A Google Analytics measurement ID looks like G-XXXXXXXXXX",
                );
            } else if !self.ga_terms_accepted {
                bad(
                    "ga_terms_accepted",
                    "terms_required",
                    "Accept the Google Analytics terms before adding a measurement ID",
                );
            }
        }
        for (field, text) in [
            ("consent_text.signup", &self.consent_text.signup),
            ("consent_text.signin", &self.consent_text.signin),
            (
                "consent_text.reset_password",
                &self.consent_text.reset_password,
            ),
            (
                "consent_text.confirm_password",
                &self.consent_text.confirm_password,
            ),
        ] {
            if text.chars().count() > CONSENT_MAX {
                bad(
                    field,
                    "too_long",
                    "Consent text has at most 2,000 characters",
                );
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// A portal as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portal {
    pub id: Id,
    pub org_id: Id,
    /// Fixed once created; unique on the instance.
    pub name: String,
    pub settings: PortalSettings,
    /// The value the admin puts in the `_portico.{domain}` TXT record.
    pub domain_token: String,
    pub domain_verified: bool,
}

/// A user type as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserType {
    pub id: Id,
    pub portal_id: Id,
    /// The "Client Portal" type every portal starts with; it cannot be deleted.
    pub is_default: bool,
    pub config: UserTypeConfig,
}

/// A grant of purchased portal seats, recorded with who granted how many and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatGrant {
    pub id: Id,
    pub seats: i64,
    pub granted_by: String,
    pub note: String,
    pub granted_at: crate::Millis,
}

/// How a module appears to a user type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TabRole {
    /// The portal users' own records.
    Personality,
    /// Records linked to the portal user's record by a lookup.
    Related,
    /// Every record of a module with public data sharing, view only.
    Public,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TabView {
    #[default]
    List,
    Canvas,
}

/// One column of a shared subform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnPermission {
    pub column: String,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default)]
    pub read_only: bool,
}

fn yes() -> bool {
    true
}

/// One field of a layout as the portal shows it. Fields a layout does not list are hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldPermission {
    pub field: String,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default)]
    pub read_only: bool,
    /// Subforms only: the columns shared (all visible and editable when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<ColumnPermission>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutAccess {
    /// The layout's name.
    pub layout: String,
    pub fields: Vec<FieldPermission>,
}

/// One module of a user type's tab configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabModule {
    pub module: ApiName,
    pub role: TabRole,
    #[serde(default)]
    pub permissions: ModulePermissions,
    #[serde(default)]
    pub view: TabView,
    /// Related modules: the lookup fields that decide "their" records (all lookups to the
    /// personality module when empty).
    #[serde(default)]
    pub lookup_fields: Vec<String>,
    pub layouts: Vec<LayoutAccess>,
}

/// A user type as configured: the whole tab and field configuration in one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserTypeConfig {
    pub name: String,
    pub personality_module: ApiName,
    /// A customer type (clients); the first user type of a portal must be one.
    #[serde(default = "yes")]
    pub customer: bool,
    #[serde(default = "yes")]
    pub active: bool,
    /// Portal users this type may have.
    pub seats: i64,
    #[serde(default)]
    pub modules: Vec<TabModule>,
    /// Web tab names.
    #[serde(default)]
    pub web_tabs: Vec<String>,
}

/// What the configuration is checked against: the org's modules with their fields and layouts,
/// and its web tabs.
pub struct Catalogue<'a> {
    pub modules: &'a [(Module, Vec<Field>, Vec<Layout>)],
    pub web_tabs: &'a [String],
}

impl Catalogue<'_> {
    fn module(&self, name: &str) -> Option<&(Module, Vec<Field>, Vec<Layout>)> {
        self.modules
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == name)
    }

    /// Lookup (or multi-select lookup) fields of `module` that point at `target`.
    pub fn lookups_to(&self, module: &str, target: &str) -> Vec<String> {
        self.module(module)
            .map(|(_, fields, _)| {
                fields
                    .iter()
                    .filter(|f| {
                        f.field_type
                            .lookup_target()
                            .is_some_and(|t| t.as_str() == target)
                    })
                    .map(|f| f.api_name.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Modules that may be offered as related modules for a personality module.
    pub fn related_candidates(&self, personality: &str) -> Vec<String> {
        self.modules
            .iter()
            .map(|(m, _, _)| m.api_name.to_string())
            .filter(|m| m != personality && !self.lookups_to(m, personality).is_empty())
            .collect()
    }

    /// Whether a module may be a personality module: Leads, Contacts, Vendors, or a custom
    /// module with an email field.
    pub fn can_be_personality(&self, name: &str) -> bool {
        match self.module(name) {
            Some((m, fields, _)) => {
                PERSONALITY_MODULES.contains(&name)
                    || (m.kind == crate::module::ModuleKind::Custom
                        && fields.iter().any(|f| f.field_type == FieldType::Email))
            }
            None => false,
        }
    }
}

impl UserTypeConfig {
    /// A starting configuration: the personality module with its first layout, every field
    /// visible and read-only except mandatory ones; nothing else shared.
    pub fn starter(
        name: &str,
        personality: &ApiName,
        customer: bool,
        seats: i64,
        catalogue: &Catalogue<'_>,
    ) -> Self {
        let layouts = catalogue
            .module(personality.as_str())
            .and_then(|(_, fields, layouts)| {
                layouts.first().map(|l| LayoutAccess {
                    layout: l.name.clone(),
                    fields: l
                        .field_names()
                        .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
                        .map(|f| FieldPermission {
                            field: f.api_name.to_string(),
                            visible: true,
                            read_only: !f.mandatory,
                            columns: None,
                        })
                        .collect(),
                })
            })
            .into_iter()
            .collect();
        Self {
            name: name.to_string(),
            personality_module: personality.clone(),
            customer,
            active: true,
            seats,
            modules: vec![TabModule {
                module: personality.clone(),
                role: TabRole::Personality,
                permissions: ModulePermissions {
                    view: true,
                    create: false,
                    edit: true,
                    delete: false,
                },
                view: TabView::List,
                lookup_fields: Vec::new(),
                layouts,
            }],
            web_tabs: Vec::new(),
        }
    }

    /// Checks the configuration against the org's catalogue and normalises it. Every problem is
    /// reported, naming what is wrong; nothing is saved unless this passes.
    pub fn check(mut self, catalogue: &Catalogue<'_>) -> Result<Self, DomainError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut bad = |field: String, code: &'static str, msg: String| {
            errors.push(FieldError::new(field, code, msg))
        };
        match parse_label("name", &self.name) {
            Ok(n) => self.name = n,
            Err(e) => bad("name".into(), "required", e.to_string()),
        }
        if self.seats < 0 {
            bad(
                "seats".into(),
                "invalid_seats",
                "Seats cannot be negative".into(),
            );
        }
        let personality = self.personality_module.to_string();
        if !catalogue.can_be_personality(&personality) {
            bad(
                "personality_module".into(),
                "invalid_personality_module",
                format!(
                    "{personality} cannot be a personality module: use Leads, Contacts, Vendors or a custom module with an email field"
                ),
            );
        }
        // Web tabs.
        self.web_tabs.sort();
        self.web_tabs.dedup();
        for tab in &self.web_tabs {
            if !catalogue.web_tabs.contains(tab) {
                bad(
                    "web_tabs".into(),
                    "unknown_web_tab",
                    format!("There is no web tab named {tab}"),
                );
            }
        }
        // The personality module is always present, exactly once.
        if !self.modules.iter().any(|t| t.role == TabRole::Personality) {
            bad(
                "modules".into(),
                "personality_missing",
                format!("The personality module {personality} must be in the tab configuration"),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        let products_shared = self.modules.iter().any(|t| t.module.as_str() == "Products");
        for (i, tab) in self.modules.iter_mut().enumerate() {
            let at = format!("modules[{i}]");
            let name = tab.module.to_string();
            if seen.contains(&name) {
                bad(
                    format!("{at}.module"),
                    "duplicate_module",
                    format!("{name} is configured twice; a public module cannot also be related"),
                );
                continue;
            }
            seen.push(name.clone());
            let Some((module, fields, layouts)) = catalogue.module(&name) else {
                bad(
                    format!("{at}.module"),
                    "unknown_module",
                    format!("There is no module {name}"),
                );
                continue;
            };
            tab.permissions = tab.permissions.normalised();
            match tab.role {
                TabRole::Personality => {
                    if name != personality {
                        bad(
                            format!("{at}.role"),
                            "not_personality",
                            format!(
                                "{name} is not this user type's personality module ({personality})"
                            ),
                        );
                    }
                    if tab.permissions.create || tab.permissions.delete {
                        bad(format!("{at}.permissions"), "personality_permissions", "Portal users can view and edit their own record, not create or delete it".into());
                    }
                    tab.permissions.view = true;
                    tab.lookup_fields.clear();
                }
                TabRole::Related => {
                    let lookups = catalogue.lookups_to(&name, &personality);
                    if lookups.is_empty() {
                        bad(
                            format!("{at}.module"),
                            "no_lookup",
                            format!(
                                "{name} has no lookup to {personality}, so it cannot be a related module"
                            ),
                        );
                    }
                    tab.lookup_fields.sort();
                    tab.lookup_fields.dedup();
                    for l in &tab.lookup_fields {
                        if !lookups.contains(l) {
                            bad(
                                format!("{at}.lookup_fields"),
                                "invalid_lookup_field",
                                format!("{name}.{l} is not a lookup to {personality}"),
                            );
                        }
                    }
                    if tab.lookup_fields.is_empty() {
                        tab.lookup_fields = lookups;
                    }
                    if !tab.permissions.view {
                        bad(
                            format!("{at}.permissions"),
                            "view_required",
                            format!("A shared module needs at least view permission ({name})"),
                        );
                    }
                }
                TabRole::Public => {
                    if !module.sharing.is_public() {
                        bad(
                            format!("{at}.module"),
                            "not_public",
                            format!(
                                "{name} is not public: change its data sharing to public before sharing it as a public module"
                            ),
                        );
                    }
                    if tab.permissions.create || tab.permissions.edit || tab.permissions.delete {
                        bad(
                            format!("{at}.permissions"),
                            "public_view_only",
                            format!("Public modules are view only for portal users ({name})"),
                        );
                    }
                    tab.permissions = ModulePermissions {
                        view: true,
                        ..Default::default()
                    };
                    tab.lookup_fields.clear();
                }
            }
            if tab.view == TabView::Canvas && module.canvas_template.is_none() {
                bad(
                    format!("{at}.view"),
                    "no_canvas",
                    format!("{name} has no canvas view; design one in module setup first"),
                );
            }
            if tab.layouts.is_empty() {
                bad(
                    format!("{at}.layouts"),
                    "layout_required",
                    format!("Choose at least one layout of {name}"),
                );
            }
            let mut layout_names: Vec<&str> = Vec::new();
            for (j, access) in tab.layouts.iter_mut().enumerate() {
                let lat = format!("{at}.layouts[{j}]");
                let Some(layout) = layouts.iter().find(|l| l.name == access.layout) else {
                    bad(
                        format!("{lat}.layout"),
                        "unknown_layout",
                        format!("{name} has no layout named {}", access.layout),
                    );
                    continue;
                };
                if layout_names.contains(&layout.name.as_str()) {
                    bad(
                        format!("{lat}.layout"),
                        "duplicate_layout",
                        format!("Layout {} of {name} is listed twice", layout.name),
                    );
                    continue;
                }
                layout_names.push(&layout.name);
                let mut field_names: Vec<String> = Vec::new();
                for (k, perm) in access.fields.iter_mut().enumerate() {
                    let fat = format!("{lat}.fields[{k}]");
                    let Some(field) = fields.iter().find(|f| f.api_name.as_str() == perm.field)
                    else {
                        bad(
                            format!("{fat}.field"),
                            "unknown_field",
                            format!("{name} has no field {}", perm.field),
                        );
                        continue;
                    };
                    if !layout.field_names().any(|f| f == perm.field) {
                        bad(
                            format!("{fat}.field"),
                            "not_on_layout",
                            format!("{name}.{} is not on layout {}", perm.field, layout.name),
                        );
                        continue;
                    }
                    if field_names.contains(&perm.field) {
                        bad(
                            format!("{fat}.field"),
                            "duplicate_field",
                            format!("{name}.{} is listed twice", perm.field),
                        );
                        continue;
                    }
                    field_names.push(perm.field.clone());
                    if !perm.visible {
                        perm.read_only = false;
                        perm.columns = None;
                    }
                    match (&field.field_type, &mut perm.columns) {
                        (FieldType::Subform { fields: columns }, Some(cols)) => {
                            for c in cols.iter_mut() {
                                match columns.iter().find(|col| col.api_name.as_str() == c.column) {
                                    None => bad(
                                        format!("{fat}.columns"),
                                        "unknown_column",
                                        format!("{name}.{} has no column {}", perm.field, c.column),
                                    ),
                                    Some(col) => {
                                        if !c.visible {
                                            c.read_only = false;
                                        }
                                        if col.mandatory
                                            && (!c.visible || c.read_only)
                                            && !perm.read_only
                                        {
                                            bad(
                                                format!("{fat}.columns"),
                                                "mandatory_hidden",
                                                format!(
                                                    "{name}.{}.{} is mandatory, so it must be visible and editable where the subform is editable",
                                                    perm.field, c.column
                                                ),
                                            );
                                        }
                                    }
                                }
                            }
                        }
                        (FieldType::Subform { .. }, None) => {}
                        (_, Some(_)) => bad(
                            format!("{fat}.columns"),
                            "not_subform",
                            format!("{name}.{} is not a subform", perm.field),
                        ),
                        (_, None) => {}
                    }
                }
                // Fields mandatory in the CRM stay mandatory in the portal: a layout through
                // which portal users create records must show them, editable.
                if tab.permissions.create {
                    for f in fields.iter().filter(|f| {
                        f.mandatory && layout.field_names().any(|n| n == f.api_name.as_str())
                    }) {
                        let shown = access
                            .fields
                            .iter()
                            .find(|p| p.field == f.api_name.as_str());
                        if !shown.is_some_and(|p| p.visible && !p.read_only) {
                            bad(
                                format!("{lat}.fields"),
                                "mandatory_hidden",
                                format!(
                                    "{name}.{} is mandatory in the CRM, so it must be visible and editable on layout {} (portal users can create {name})",
                                    f.api_name, layout.name
                                ),
                            );
                        }
                    }
                }
                // Portal users add products to inventory records only if Products is shared.
                let edits_products = (tab.permissions.create || tab.permissions.edit)
                    && INVENTORY_MODULES.contains(&name.as_str())
                    && access
                        .fields
                        .iter()
                        .any(|p| p.field == "Product_Details" && p.visible && !p.read_only);
                if edits_products && !products_shared {
                    bad(
                        format!("{lat}.fields"),
                        "products_not_shared",
                        format!(
                            "Share the Products module with this user type before portal users can add products to {name}"
                        ),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }

    /// The tab for a module, if shared.
    pub fn tab(&self, module: &str) -> Option<&TabModule> {
        self.modules.iter().find(|t| t.module.as_str() == module)
    }

    /// Removes a module from the public modules (its data sharing became private).
    pub fn drop_public(&mut self, module: &str) -> bool {
        let before = self.modules.len();
        self.modules
            .retain(|t| !(t.role == TabRole::Public && t.module.as_str() == module));
        before != self.modules.len()
    }

    /// Whether a product's price may be shown: only if Unit_Price is visible on a shared
    /// Products layout.
    pub fn shows_product_price(&self) -> bool {
        self.tab("Products").is_some_and(|t| {
            t.layouts.iter().any(|l| {
                l.fields
                    .iter()
                    .any(|f| f.field == "Unit_Price" && f.visible)
            })
        })
    }
}

/// Seats a user type takes from the org's purchased pool: the default type includes
/// [`FREE_SEATS`]; every other type needs all of its seats granted.
pub fn purchased_seats_needed(config: &UserTypeConfig, is_default: bool) -> i64 {
    if is_default {
        (config.seats - FREE_SEATS).max(0)
    } else {
        config.seats
    }
}

/// Portal settings without what identifies the portal on this instance (its name, address and
/// custom domain), with users and the default user type named rather than numbered: the part
/// of a configuration that can move between orgs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortableSettings {
    pub status: PortalStatus,
    pub disabled_message: String,
    pub portal_type: PortalType,
    /// Emails of the CRM users told about sign-ups.
    pub signup_notify_users: Vec<String>,
    pub notify_applicant: bool,
    pub auto_approve_contacts: bool,
    /// The name of the user type sign-ups get.
    pub default_user_type: Option<String>,
    pub allow_email_change: bool,
    pub enforce_mfa: bool,
    pub idle_timeout_minutes: Option<i64>,
    pub ga_measurement_id: Option<String>,
    pub ga_terms_accepted: bool,
    pub consent_text: ConsentText,
}

/// A whole portal configuration as one reviewable document (`GET|PUT .../config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfigDoc {
    pub settings: PortableSettings,
    pub user_types: Vec<UserTypeConfig>,
}

/// One difference between two JSON documents: where, and the value before and after
/// (`null` for absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub path: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
}

/// The differences between two JSON documents, path by path. Arrays of objects with a `name`
/// (user types) or `module` (tabs) key are matched by that key, so reordering is not a change.
pub fn json_diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff_at("", before, after, &mut out);
    out
}

fn keyed(items: &[serde_json::Value]) -> Option<Vec<(String, &serde_json::Value)>> {
    items
        .iter()
        .map(|v| {
            ["name", "module", "layout", "field", "column"]
                .iter()
                .find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
                .map(|k| (k.to_string(), v))
        })
        .collect()
}

fn diff_at(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<Change>) {
    use serde_json::Value;
    let child = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                diff_at(
                    &child(k),
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => match (keyed(x), keyed(y)) {
            (Some(kx), Some(ky)) => {
                let mut names: Vec<&String> = kx
                    .iter()
                    .map(|(k, _)| k)
                    .chain(ky.iter().map(|(k, _)| k))
                    .collect();
                names.sort();
                names.dedup();
                for n in names {
                    let find = |list: &[(String, &Value)]| {
                        list.iter()
                            .find(|(k, _)| k == n)
                            .map(|(_, v)| (*v).clone())
                            .unwrap_or(Value::Null)
                    };
                    diff_at(&format!("{path}[{n}]"), &find(&kx), &find(&ky), out);
                }
            }
            _ if x != y => out.push(Change {
                path: path.to_string(),
                from: a.clone(),
                to: b.clone(),
            }),
            _ => {}
        },
        _ if a != b => out.push(Change {
            path: path.to_string(),
            from: a.clone(),
            to: b.clone(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::NewLayout;
    use crate::module::{DataSharing, ModuleKind};
    use crate::standard::standard_modules;

    /// The standard modules as stored, with Products public read-only and a canvas on Deals.
    fn catalogue_data() -> Vec<(Module, Vec<Field>, Vec<Layout>)> {
        let mut next = 0;
        standard_modules()
            .into_iter()
            .enumerate()
            .map(|(mi, spec)| {
                let module_id = i64::try_from(mi).unwrap() + 1;
                let fields: Vec<Field> = spec
                    .fields
                    .iter()
                    .map(|f| {
                        next += 1;
                        let (api_name, label) = f.check().unwrap();
                        Field {
                            id: next,
                            module_id,
                            api_name,
                            label,
                            field_type: f.field_type.clone(),
                            mandatory: f.mandatory,
                            position: next,
                        }
                    })
                    .collect();
                let standard = NewLayout::standard(&fields);
                let layouts = vec![Layout {
                    id: module_id,
                    module_id,
                    name: standard.name,
                    sections: standard.sections,
                }];
                let module = Module {
                    id: module_id,
                    org_id: 1,
                    api_name: spec.api_name.clone(),
                    label: spec.label,
                    kind: ModuleKind::Standard,
                    sharing: if spec.api_name.as_str() == "Products" {
                        DataSharing::PublicReadOnly
                    } else {
                        DataSharing::Private
                    },
                    name_fields: spec.name_fields,
                    canvas_template: (spec.api_name.as_str() == "Deals")
                        .then(|| "{{Deal_Name}}".to_string()),
                };
                (module, fields, layouts)
            })
            .collect()
    }

    fn api(s: &str) -> ApiName {
        ApiName::parse(s).unwrap()
    }

    fn all_fields(
        data: &[(Module, Vec<Field>, Vec<Layout>)],
        module: &str,
        read_only: bool,
    ) -> LayoutAccess {
        let (_, fields, _) = data
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == module)
            .unwrap();
        LayoutAccess {
            layout: "Standard".into(),
            fields: fields
                .iter()
                .map(|f| FieldPermission {
                    field: f.api_name.to_string(),
                    visible: true,
                    read_only,
                    columns: None,
                })
                .collect(),
        }
    }

    fn tab(
        module: &str,
        role: TabRole,
        permissions: ModulePermissions,
        layouts: Vec<LayoutAccess>,
    ) -> TabModule {
        TabModule {
            module: api(module),
            role,
            permissions,
            view: TabView::List,
            lookup_fields: vec![],
            layouts,
        }
    }

    const VIEW: ModulePermissions = ModulePermissions {
        view: true,
        create: false,
        edit: false,
        delete: false,
    };
    const ALL: ModulePermissions = ModulePermissions::ALL;

    fn codes(e: DomainError) -> Vec<&'static str> {
        e.errors().iter().map(|e| e.code).collect()
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::from_name("Zylker Customers").unwrap().as_str(),
            "zylker-customers"
        );
        assert_eq!(
            Slug::from_name("  Ünïcode & Co!! ").unwrap().as_str(),
            "n-code-co"
        );
        assert_eq!(Slug::from_name("AB").unwrap().as_str(), "ab-portal");
        assert!(Slug::parse("-bad").is_err());
        assert!(Slug::parse("Upper").is_err());
        assert!(Slug::parse("ok-slug-1").is_ok());
    }

    #[test]
    fn settings_are_validated() {
        let ok = PortalSettings::new(Slug::parse("zylker").unwrap());
        assert!(ok.clone().check().is_ok());
        let bad = PortalSettings {
            custom_domain: Some("not a domain".into()),
            notify_applicant: true,
            idle_timeout_minutes: Some(7),
            ga_measurement_id: Some("UA-123".into()),
            ..ok.clone()
        };
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .errors()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            fields,
            [
                "custom_domain",
                "portal_type",
                "idle_timeout_minutes",
                "ga_measurement_id"
            ]
        );
        let no_terms = PortalSettings {
            ga_measurement_id: Some("G-ABC123XYZ".into()),
            ..ok.clone()
        };
        assert_eq!(codes(no_terms.check().unwrap_err()), ["terms_required"]);
        let accepted = PortalSettings {
            ga_measurement_id: Some("G-ABC123XYZ".into()),
            ga_terms_accepted: true,
            ..ok.clone()
        };
        assert!(accepted.check().is_ok());
        let restricted = PortalSettings {
            portal_type: PortalType::Restricted,
            notify_applicant: true,
            auto_approve_contacts: true,
            ..ok
        };
        assert!(restricted.check().is_ok());
    }

    #[test]
    fn a_full_configuration_passes_and_is_normalised() {
        let data = catalogue_data();
        let tabs = ["Announcements".to_string()];
        let cat = Catalogue {
            modules: &data,
            web_tabs: &tabs,
        };
        let mut config = UserTypeConfig::starter("Customers", &api("Contacts"), true, 100, &cat);
        config.modules.push(tab(
            "Deals",
            TabRole::Related,
            ModulePermissions {
                view: true,
                create: true,
                edit: true,
                delete: false,
            },
            vec![all_fields(&data, "Deals", false)],
        ));
        config.modules.push(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        config.modules.push(tab(
            "Invoices",
            TabRole::Related,
            ModulePermissions {
                view: true,
                create: true,
                edit: false,
                delete: false,
            },
            vec![all_fields(&data, "Invoices", false)],
        ));
        config.web_tabs = vec!["Announcements".into()];
        let checked = config.check(&cat).unwrap();
        assert_eq!(
            checked.tab("Deals").unwrap().lookup_fields,
            ["Contact_Name"],
            "the only lookup is the filter"
        );
        assert!(checked.shows_product_price());
    }

    #[test]
    fn invalid_configurations_name_what_is_wrong() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let base = UserTypeConfig::starter("Customers", &api("Contacts"), true, 100, &cat);
        let with = |t: TabModule| {
            let mut c = base.clone();
            c.modules.push(t);
            c
        };
        // A related module without a lookup to the personality module.
        let e = with(tab(
            "Vendors",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Vendors", true)],
        ))
        .check(&cat)
        .unwrap_err();
        assert_eq!(codes(e), ["no_lookup"]);
        // A layout from another module.
        let mut wrong_layout = all_fields(&data, "Deals", true);
        wrong_layout.layout = "Quick".into();
        assert_eq!(
            codes(
                with(tab("Deals", TabRole::Related, VIEW, vec![wrong_layout]))
                    .check(&cat)
                    .unwrap_err()
            ),
            ["unknown_layout"]
        );
        // A field of another module.
        let mut foreign = all_fields(&data, "Deals", true);
        foreign.fields.push(FieldPermission {
            field: "Vendor_Name".into(),
            visible: true,
            read_only: true,
            columns: None,
        });
        assert_eq!(
            codes(
                with(tab("Deals", TabRole::Related, VIEW, vec![foreign]))
                    .check(&cat)
                    .unwrap_err()
            ),
            ["unknown_field"]
        );
        // A public module that is not public, and a public module with write access.
        assert_eq!(
            codes(
                with(tab(
                    "Accounts",
                    TabRole::Public,
                    VIEW,
                    vec![all_fields(&data, "Accounts", true)]
                ))
                .check(&cat)
                .unwrap_err()
            ),
            ["not_public"]
        );
        assert_eq!(
            codes(
                with(tab(
                    "Products",
                    TabRole::Public,
                    ALL,
                    vec![all_fields(&data, "Products", true)]
                ))
                .check(&cat)
                .unwrap_err()
            ),
            ["public_view_only"]
        );
        // A mandatory field hidden on a layout that allows create.
        let mut hidden = all_fields(&data, "Deals", false);
        hidden.fields.retain(|f| f.field != "Stage");
        let create = ModulePermissions {
            view: true,
            create: true,
            edit: false,
            delete: false,
        };
        assert_eq!(
            codes(
                with(tab("Deals", TabRole::Related, create, vec![hidden.clone()]))
                    .check(&cat)
                    .unwrap_err()
            ),
            ["mandatory_hidden"]
        );
        assert!(
            with(tab("Deals", TabRole::Related, VIEW, vec![hidden]))
                .check(&cat)
                .is_ok(),
            "fine where nobody creates"
        );
        // Inventory modules need Products shared before products can be added.
        let create_invoices = ModulePermissions {
            view: true,
            create: true,
            edit: false,
            delete: false,
        };
        assert_eq!(
            codes(
                with(tab(
                    "Invoices",
                    TabRole::Related,
                    create_invoices,
                    vec![all_fields(&data, "Invoices", false)]
                ))
                .check(&cat)
                .unwrap_err()
            ),
            ["products_not_shared"]
        );
        // A module twice (public and related), an unknown lookup filter, canvas without a template.
        let mut twice = with(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        twice.modules.push(tab(
            "Products",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        assert_eq!(codes(twice.check(&cat).unwrap_err()), ["duplicate_module"]);
        let mut filter = tab(
            "Deals",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Deals", true)],
        );
        filter.lookup_fields = vec!["Account_Name".into()];
        assert_eq!(
            codes(with(filter).check(&cat).unwrap_err()),
            ["invalid_lookup_field"]
        );
        let mut canvas = tab(
            "Cases",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Cases", true)],
        );
        canvas.view = TabView::Canvas;
        assert_eq!(codes(with(canvas).check(&cat).unwrap_err()), ["no_canvas"]);
        // Personality module rules.
        let mut own = base.clone();
        own.modules[0].permissions = ALL;
        assert_eq!(
            codes(own.check(&cat).unwrap_err()),
            ["personality_permissions"]
        );
        let mut accounts = base.clone();
        accounts.personality_module = api("Accounts");
        assert!(codes(accounts.check(&cat).unwrap_err()).contains(&"invalid_personality_module"));
        let mut tabs = base;
        tabs.web_tabs = vec!["Nope".into()];
        assert_eq!(codes(tabs.check(&cat).unwrap_err()), ["unknown_web_tab"]);
    }

    #[test]
    fn subform_columns_follow_mandatory_rules() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let mut config = UserTypeConfig::starter("Customers", &api("Contacts"), true, 1, &cat);
        config.modules.push(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        let mut invoices = all_fields(&data, "Invoices", false);
        for f in &mut invoices.fields {
            if f.field == "Product_Details" {
                f.columns = Some(vec![ColumnPermission {
                    column: "Quantity".into(),
                    visible: false,
                    read_only: false,
                }]);
            }
        }
        let edit = ModulePermissions {
            view: true,
            create: false,
            edit: true,
            delete: false,
        };
        config
            .modules
            .push(tab("Invoices", TabRole::Related, edit, vec![invoices]));
        assert_eq!(codes(config.check(&cat).unwrap_err()), ["mandatory_hidden"]);
    }

    #[test]
    fn diffs_match_lists_by_name() {
        use serde_json::json;
        let a = json!({"settings": {"enforce_mfa": false}, "user_types": [{"name": "A", "seats": 1}, {"name": "B", "seats": 2}]});
        let b = json!({"settings": {"enforce_mfa": true}, "user_types": [{"name": "B", "seats": 2}, {"name": "C", "seats": 3}]});
        let paths: Vec<String> = json_diff(&a, &b).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            ["settings.enforce_mfa", "user_types[A]", "user_types[C]"]
        );
        assert!(json_diff(&a, &a).is_empty());
    }

    #[test]
    fn making_a_module_private_drops_it_from_public_modules() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let mut config = UserTypeConfig::starter("Customers", &api("Contacts"), true, 1, &cat);
        config.modules.push(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        assert!(config.drop_public("Products"));
        assert!(config.tab("Products").is_none());
        assert!(
            !config.drop_public("Contacts"),
            "only public modules are dropped"
        );
    }
}
