//! Demo data: the org "Zylker" with an administrator, a sales rep with a limited profile, a few
//! hundred linked records and a custom module. Loading is idempotent: if Zylker exists, nothing
//! is written again.

use portico_app::Context;
use portico_app::modules::ModuleChanges;
use portico_app::records::RecordExtras;
use portico_app::users::NewUserInput;
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::field::{FieldType, NewField};
use portico_domain::module::{ApiName, DataSharing};
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::portal::Portal;
use portico_domain::profile::{ModulePermissions, NewProfile, RecordScope};
use portico_domain::record::RecordState;
use portico_domain::standard::NewCustomModule;
use portico_domain::webtab::NewWebTab;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const DOMAIN: &str = "zylker.com";
pub const ADMIN_EMAIL: &str = "admin@zylker.com";
pub const ADMIN_PASSWORD: &str = "portico-demo-admin";
pub const REP_EMAIL: &str = "sam.sales@zylker.com";
pub const REP_PASSWORD: &str = "portico-demo-sales";
/// The demo portal, its customer who accepted an invitation, and their password.
pub const PORTAL_SLUG: &str = "zylker-customers";
pub const PORTAL_CLIENT_EMAIL: &str = "carla.client@acme.example";
pub const PORTAL_CLIENT_PASSWORD: &str = "portico-demo-client";

/// (role, email, password) of the demo sign-ins.
pub type Credentials = Vec<(&'static str, &'static str, &'static str)>;

fn credentials() -> Credentials {
    vec![
        ("Administrator", ADMIN_EMAIL, ADMIN_PASSWORD),
        ("Sales rep", REP_EMAIL, REP_PASSWORD),
    ]
}

/// A small deterministic generator, so every demo load has the same data.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = usize::try_from(self.next()).unwrap_or(0) % items.len().max(1);
        items.get(i).copied().unwrap_or("")
    }

    fn id(&mut self, ids: &[Id]) -> Id {
        let i = usize::try_from(self.next()).unwrap_or(0) % ids.len().max(1);
        ids.get(i).copied().unwrap_or(0)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const FIRST: &[&str] = &[
    "Ann", "Bruno", "Chen", "Dara", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
    "Wen", "Yara",
];
const LAST: &[&str] = &[
    "Adams", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito",
    "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt",
    "Tanaka", "Weber",
];
const COMPANIES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Pied Piper",
    "Aperture",
];
const SUFFIX: &[&str] = &["Ltd", "GmbH", "Inc", "SA", "BV", "AB"];
const CITIES: &[&str] = &[
    "London", "Berlin", "Chennai", "Lisbon", "Austin", "Osaka", "Lagos", "Oslo",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "mail.example.net"];

/// Creates a record as the administrator, owned by `owner`.
async fn create(
    ctx: &Context,
    actor: &CrmActor,
    module: &str,
    data: Value,
    state_flags: RecordState,
    owner: Id,
) -> Result<Id, String> {
    let Value::Object(map) = data else {
        return Err("demo data must be objects".into());
    };
    let extras = RecordExtras {
        owner_id: Some(owner),
        state: Some(state_flags),
        version: None,
    };
    portico_app::records::create_record(ctx, actor, module, &map, extras)
        .await
        .map(|r| r.id)
        .map_err(|e| format!("demo {module}: {e}"))
}

pub async fn load(ctx: &Context) -> Result<Credentials, String> {
    if portico_app::org::domain_in_use(ctx, DOMAIN)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok(credentials());
    }
    let settings = OrgSettings {
        name: "Zylker".into(),
        email_domain: DOMAIN.into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "Europe/London".into(),
        country: "GB".into(),
        gdpr_consent_required: true,
    };
    let admin_input = NewUserInput {
        email: ADMIN_EMAIL.into(),
        name: "Amelia Admin".into(),
        password: ADMIN_PASSWORD.into(),
        profile_id: 0,
        super_admin: true,
    };
    let (org, admin_user) = portico_app::org::provision_org(ctx, settings, admin_input)
        .await
        .map_err(|e| e.to_string())?;
    let admin = portico_app::sign_in::actor(ctx, org.id, admin_user.id)
        .await
        .map_err(|e| e.to_string())?;

    // The sales rep: works with leads, contacts, accounts, deals and cases, sees products,
    // deletes nothing, and reaches only their own records.
    let mut permissions = BTreeMap::new();
    let work = ModulePermissions {
        view: true,
        create: true,
        edit: true,
        delete: false,
    };
    for m in ["Leads", "Contacts", "Accounts", "Deals", "Cases", "Notes"] {
        permissions.insert(m.to_string(), work);
    }
    permissions.insert(
        "Products".to_string(),
        ModulePermissions {
            view: true,
            ..Default::default()
        },
    );
    let profile = portico_app::users::create_profile(
        ctx,
        &admin,
        NewProfile {
            name: "Sales Rep".into(),
            scope: RecordScope::Own,
            permissions,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let rep_user = portico_app::users::create_user(
        ctx,
        &admin,
        NewUserInput {
            email: REP_EMAIL.into(),
            name: "Sam Sales".into(),
            password: REP_PASSWORD.into(),
            profile_id: profile.id,
            super_admin: false,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let rep = portico_app::sign_in::actor(ctx, org.id, rep_user.id)
        .await
        .map_err(|e| e.to_string())?;

    let mut dice = Dice(2026);
    let plain = RecordState::default();

    let mut accounts = Vec::new();
    for i in 0..30 {
        let name = format!("{} {}", COMPANIES[i % COMPANIES.len()], dice.pick(SUFFIX));
        let name = if i >= COMPANIES.len() {
            format!("{name} {}", dice.pick(CITIES))
        } else {
            name
        };
        let owner = if i % 3 == 0 {
            rep.user.id
        } else {
            admin.user.id
        };
        let data = json!({
            "Account_Name": name,
            "Website": format!("https://{}.example.com", COMPANIES[i % COMPANIES.len()].to_lowercase().replace(' ', "")),
            "Industry": dice.pick(&["Manufacturing", "Retail", "Services", "Technology", "Other"]),
            "Employees": 10 + dice.below(5000),
            "Annual_Revenue": 100_000 + dice.below(9_000_000),
            "Billing_City": dice.pick(CITIES),
        });
        accounts.push(create(ctx, &admin, "Accounts", data, plain, owner).await?);
    }

    let mut contacts = Vec::new();
    for i in 0..120 {
        let (first, last) = (dice.pick(FIRST), dice.pick(LAST));
        let owner = if i % 4 == 0 {
            rep.user.id
        } else {
            admin.user.id
        };
        let data = json!({
            "First_Name": first,
            "Last_Name": last,
            "Email": format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), i, dice.pick(DOMAINS)),
            "Phone": format!("+44 20 7946 {:04}", dice.below(10_000)),
            "Title": dice.pick(&["Buyer", "Operations Manager", "CFO", "Head of IT", "Owner"]),
            "Account_Name": dice.id(&accounts),
            "Mailing_City": dice.pick(CITIES),
        });
        let flags = RecordState {
            gdpr_consent: i % 5 != 0,
            approval_locked: i % 29 == 0,
            in_review: i % 31 == 0,
        };
        contacts.push(create(ctx, &admin, "Contacts", data, flags, owner).await?);
    }

    for i in 0..25 {
        let (first, last) = (dice.pick(FIRST), dice.pick(LAST));
        let owner = if i % 2 == 0 {
            rep.user.id
        } else {
            admin.user.id
        };
        let data = json!({
            "First_Name": first, "Last_Name": last, "Company": dice.pick(COMPANIES),
            "Email": format!("{}.{}.lead{}@{}", first.to_lowercase(), last.to_lowercase(), i, dice.pick(DOMAINS)),
            "Lead_Status": dice.pick(&["New", "Contacted", "Qualified", "Lost"]),
            "Lead_Source": dice.pick(&["Web", "Referral", "Trade Show", "Cold Call"]),
        });
        create(ctx, &admin, "Leads", data, plain, owner).await?;
    }

    for i in 0..60 {
        let owner = if i % 3 == 0 {
            rep.user.id
        } else {
            admin.user.id
        };
        let stage = dice.pick(&[
            "Qualification",
            "Needs Analysis",
            "Proposal",
            "Negotiation",
            "Closed Won",
            "Closed Lost",
        ]);
        let data = json!({
            "Deal_Name": format!("{} renewal {}", dice.pick(COMPANIES), 2025 + i % 3),
            "Account_Name": dice.id(&accounts),
            "Contact_Name": dice.id(&contacts),
            "Amount": 1_000 + dice.below(250_000),
            "Stage": stage,
            "Probability": dice.below(101),
            "Closing_Date": format!("2026-{:02}-{:02}", 1 + dice.below(12), 1 + dice.below(28)),
        });
        create(ctx, &admin, "Deals", data, plain, owner).await?;
    }

    let mut vendors = Vec::new();
    for i in 0..15 {
        let company = format!("{} Supplies {}", dice.pick(LAST), dice.pick(SUFFIX));
        let data = json!({
            "Vendor_Name": company,
            "Email": format!("sales{i}@{}", dice.pick(DOMAINS)),
            "Category": dice.pick(&["Raw Materials", "Logistics", "Services", "Software"]),
            "City": dice.pick(CITIES),
        });
        vendors.push(create(ctx, &admin, "Vendors", data, plain, admin.user.id).await?);
    }

    let mut products = Vec::new();
    for i in 0..30 {
        let data = json!({
            "Product_Name": format!("{} {}", dice.pick(&["Widget", "Gadget", "Sensor", "Licence", "Support plan", "Bracket"]), ["S", "M", "L", "XL", "Pro"][i % 5]),
            "Product_Code": format!("ZY-{:04}", 1000 + i),
            "Vendor_Name": dice.id(&vendors),
            "Unit_Price": 5 + dice.below(2_000),
            "Qty_in_Stock": dice.below(500),
            "Product_Active": i % 7 != 0,
            "Product_Category": dice.pick(&["Hardware", "Software", "Service"]),
        });
        products.push(create(ctx, &admin, "Products", data, plain, admin.user.id).await?);
    }

    for i in 0..40 {
        let lines: Vec<(Id, u64, u64)> = (0..1 + dice.below(3))
            .map(|_| {
                (
                    dice.id(&products),
                    1 + dice.below(20),
                    5 + dice.below(2_000),
                )
            })
            .collect();
        let total: u64 = lines.iter().map(|(_, qty, price)| qty * price).sum();
        let lines: Vec<Value> = lines
            .iter()
            .map(|(product, qty, price)| json!({"Product": product, "Quantity": qty, "List_Price": price}))
            .collect();
        let data = json!({
            "Subject": format!("INV-{:05}", 10_000 + i),
            "Contact_Name": dice.id(&contacts),
            "Account_Name": dice.id(&accounts),
            "Status": dice.pick(&["Draft", "Sent", "Paid", "Overdue"]),
            "Invoice_Date": format!("2026-{:02}-{:02}", 1 + dice.below(11), 1 + dice.below(28)),
            "Product_Details": lines,
            "Grand_Total": total,
        });
        create(ctx, &admin, "Invoices", data, plain, admin.user.id).await?;
    }

    for i in 0..35 {
        let owner = if i % 2 == 0 {
            rep.user.id
        } else {
            admin.user.id
        };
        let data = json!({
            "Subject": dice.pick(&["Cannot sign in", "Invoice question", "Delivery late", "Feature request", "Broken part", "Change of address"]),
            "Contact_Name": dice.id(&contacts),
            "Status": dice.pick(&["New", "Escalated", "On Hold", "Closed"]),
            "Priority": dice.pick(&["High", "Medium", "Low"]),
            "Case_Origin": dice.pick(&["Email", "Phone", "Web", "Portal"]),
            "Reported_On": format!("2026-{:02}-{:02}T{:02}:{:02}:00", 1 + dice.below(11), 1 + dice.below(28), 8 + dice.below(10), dice.below(60)),
        });
        create(ctx, &admin, "Cases", data, plain, owner).await?;
    }

    // A custom module whose records belong to contacts, with a lookup to Contacts.
    portico_app::modules::create_module(
        ctx,
        &admin,
        NewCustomModule {
            api_name: None,
            label: "Car Licences".into(),
            sharing: Some(DataSharing::Private),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let holder = NewField {
        api_name: None,
        label: "Holder".into(),
        field_type: FieldType::Lookup {
            target_module: api("Contacts")?,
        },
        mandatory: true,
    };
    let licence_fields = [
        holder,
        NewField {
            api_name: None,
            label: "Licence Number".into(),
            field_type: FieldType::Text,
            mandatory: false,
        },
        NewField {
            api_name: None,
            label: "Valid Until".into(),
            field_type: FieldType::Date,
            mandatory: false,
        },
        NewField {
            api_name: None,
            label: "Class".into(),
            field_type: FieldType::Picklist {
                options: vec!["A".into(), "B".into(), "C".into(), "D".into()],
            },
            mandatory: false,
        },
    ];
    for f in &licence_fields {
        portico_app::modules::add_field(ctx, &admin, "Car_Licences", f)
            .await
            .map_err(|e| e.to_string())?;
    }
    for i in 0..40 {
        let data = json!({
            "Name": format!("Licence {}", 5000 + i),
            "Holder": dice.id(&contacts),
            "Licence_Number": format!("ZL{:07}", dice.below(10_000_000)),
            "Valid_Until": format!("20{}-{:02}-{:02}", 27 + dice.below(5), 1 + dice.below(12), 1 + dice.below(28)),
            "Class": dice.pick(&["A", "B", "C", "D"]),
        });
        create(ctx, &admin, "Car_Licences", data, plain, admin.user.id).await?;
    }

    let canvas = "{{First_Name}} {{Last_Name}}\n{{Title}}\n\nEmail: {{Email}}\nPhone: {{Phone}}\nCity: {{Mailing_City}}";
    portico_app::modules::update_module(
        ctx,
        &admin,
        "Contacts",
        ModuleChanges {
            canvas_template: Some(Some(canvas.into())),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    portico_app::modules::update_module(
        ctx,
        &admin,
        "Products",
        ModuleChanges {
            sharing: Some(DataSharing::PublicReadOnly),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    portico_app::org::create_web_tab(
        ctx,
        &admin,
        NewWebTab {
            name: "Announcements".into(),
            url: "https://www.zylker.com/announcements".into(),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let (portal, client) = portal(ctx, &admin).await?;
    portal_users(ctx, &admin, &portal, client, &contacts[1..5]).await?;
    Ok(credentials())
}

/// The demo portal "Zylker Customers": customers (Contacts) and vendors (Vendors), with related
/// modules under a mix of permissions, public Products and a web tab.
async fn portal(ctx: &Context, admin: &CrmActor) -> Result<(Portal, Id), String> {
    use portico_domain::portal::{LayoutAccess, TabModule, TabRole, TabView, UserTypeConfig};
    let err = |e: portico_app::AppError| e.to_string();
    let (portal, client) =
        portico_app::portals::create_portal(ctx, admin, Some("Zylker Customers".into()))
            .await
            .map_err(err)?;
    let cat = portico_app::catalogue::org_catalogue(ctx, admin)
        .await
        .map_err(err)?;
    // Every field of a module's Standard layout, read-only unless `editable` names it.
    let view_of = cat.view();
    // Every field of a module's first layout, read-only unless `editable` names it.
    let access = |module: &str, hidden: &[&str], editable: &[&str]| -> Vec<LayoutAccess> {
        view_of.first_layout_access(module, hidden, |f| editable.contains(&f.api_name.as_str()))
    };
    let tab = |module: &str,
               role: TabRole,
               permissions: ModulePermissions,
               layouts: Vec<LayoutAccess>|
     -> Result<TabModule, String> {
        Ok(TabModule {
            module: api(module)?,
            role,
            permissions,
            view: TabView::List,
            lookup_fields: Vec::new(),
            layouts,
        })
    };
    let view = ModulePermissions {
        view: true,
        ..Default::default()
    };
    let mut customers = client.config.clone();
    customers.modules = vec![
        tab(
            "Contacts",
            TabRole::Personality,
            ModulePermissions {
                view: true,
                edit: true,
                ..Default::default()
            },
            access(
                "Contacts",
                &["Description", "Email_Opt_Out"],
                &["Phone", "Mobile", "Mailing_City", "Mailing_Country"],
            ),
        )?,
        tab(
            "Deals",
            TabRole::Related,
            view,
            access("Deals", &["Probability", "Description"], &[]),
        )?,
        tab(
            "Cases",
            TabRole::Related,
            ModulePermissions {
                view: true,
                create: true,
                edit: true,
                delete: false,
            },
            access(
                "Cases",
                &[],
                &[
                    "Subject",
                    "Status",
                    "Priority",
                    "Description",
                    "Reported_On",
                    "Case_Origin",
                ],
            ),
        )?,
        tab(
            "Invoices",
            TabRole::Related,
            view,
            access("Invoices", &[], &[]),
        )?,
        tab(
            "Car_Licences",
            TabRole::Related,
            ModulePermissions {
                view: true,
                edit: true,
                ..Default::default()
            },
            access("Car_Licences", &[], &["Valid_Until"]),
        )?,
        tab(
            "Products",
            TabRole::Public,
            view,
            access("Products", &["Qty_in_Stock"], &[]),
        )?,
    ];
    customers.web_tabs = vec!["Announcements".into()];
    portico_app::user_types::replace_user_type(ctx, admin, portal.id, client.id, customers)
        .await
        .map_err(err)?;
    // A vendor type needs purchased seats: the demo records a purchase.
    portico_app::seats::grant_seats(ctx, admin.user.org_id, 250, "demo", "Demo purchase")
        .await
        .map_err(err)?;
    let vendors = UserTypeConfig {
        name: "Vendors".into(),
        personality_module: api("Vendors")?,
        customer: false,
        active: true,
        seats: 100,
        modules: vec![
            tab(
                "Vendors",
                TabRole::Personality,
                ModulePermissions {
                    view: true,
                    edit: true,
                    ..Default::default()
                },
                access("Vendors", &[], &["Phone", "Website", "City", "Country"]),
            )?,
            tab(
                "Purchase_Orders",
                TabRole::Related,
                ModulePermissions {
                    view: true,
                    edit: true,
                    ..Default::default()
                },
                access("Purchase_Orders", &[], &["Status"]),
            )?,
            tab(
                "Products",
                TabRole::Related,
                view,
                access("Products", &[], &[]),
            )?,
        ],
        web_tabs: Vec::new(),
    };
    portico_app::user_types::create_user_type(ctx, admin, portal.id, vendors)
        .await
        .map_err(err)?;
    Ok((portal, client.id))
}

/// Portal users for the demo: a few contacts invited (their emails wait in the mail log), and
/// one customer, [`PORTAL_CLIENT_EMAIL`], who accepted with [`PORTAL_CLIENT_PASSWORD`] as a
/// customer would — through the link in their invitation email.
async fn portal_users(
    ctx: &Context,
    admin: &CrmActor,
    portal: &Portal,
    client_type: Id,
    invited: &[Id],
) -> Result<(), String> {
    let err = |e: portico_app::AppError| e.to_string();
    let to = portico_app::invitations::InviteTo {
        portal_id: portal.id,
        user_type_id: client_type,
        language: None,
    };
    for id in invited {
        portico_app::invitations::invite_record(ctx, admin, "Contacts", *id, &to)
            .await
            .map_err(err)?;
    }
    let data = json!({
        "First_Name": "Carla", "Last_Name": "Client", "Email": PORTAL_CLIENT_EMAIL,
        "Title": "Buyer", "Mailing_City": "London",
    });
    let consent = RecordState {
        gdpr_consent: true,
        ..RecordState::default()
    };
    let carla = create(ctx, admin, "Contacts", data, consent, admin.user.id).await?;
    carla_records(ctx, admin, carla).await?;
    let invitation = portico_app::invitations::invite_record(ctx, admin, "Contacts", carla, &to)
        .await
        .map_err(err)?;
    let mail = portico_app::mail::get_mail(ctx, admin, invitation.mail_id)
        .await
        .map_err(err)?;
    let token = mail
        .text
        .split("/invite/")
        .nth(1)
        .and_then(|rest| rest.get(..64))
        .ok_or("the demo invitation holds no link")?;
    portico_app::portal_accounts::accept_invitation(
        ctx,
        portal,
        token,
        PORTAL_CLIENT_PASSWORD,
        PORTAL_CLIENT_PASSWORD,
        None,
    )
    .await
    .map_err(err)?;
    Ok(())
}

/// What the demo customer finds in the portal: deals, cases and invoices linked to her.
async fn carla_records(ctx: &Context, admin: &CrmActor, carla: Id) -> Result<(), String> {
    let plain = RecordState::default();
    let owner = admin.user.id;
    for (name, amount, stage, closing) in [
        (
            "Acme fleet renewal 2026",
            48_500,
            "Negotiation",
            "2026-12-18",
        ),
        (
            "Acme spare parts framework",
            12_900,
            "Proposal",
            "2027-01-31",
        ),
        (
            "Acme onboarding workshop",
            3_200,
            "Closed Won",
            "2026-10-02",
        ),
    ] {
        let data = json!({"Deal_Name": name, "Contact_Name": carla, "Amount": amount,
            "Stage": stage, "Probability": 60, "Closing_Date": closing});
        create(ctx, admin, "Deals", data, plain, owner).await?;
    }
    for (subject, status, priority, reported) in [
        (
            "Delivery arrived damaged",
            "Escalated",
            "High",
            "2026-11-27T09:40:00Z",
        ),
        (
            "Invoice INV-20412 shows the wrong VAT",
            "New",
            "Medium",
            "2026-11-29T15:05:00Z",
        ),
        (
            "Request for a second sign-in",
            "Closed",
            "Low",
            "2026-10-12T11:20:00Z",
        ),
    ] {
        let data = json!({"Subject": subject, "Contact_Name": carla, "Status": status,
            "Priority": priority, "Case_Origin": "Portal", "Reported_On": reported});
        create(ctx, admin, "Cases", data, plain, owner).await?;
    }
    for (number, status, date, total) in [
        ("INV-20412", "Sent", "2026-11-03", 1_840.5),
        ("INV-20377", "Paid", "2026-10-06", 12_900.0),
        ("INV-20301", "Paid", "2026-09-01", 3_200.0),
    ] {
        let data = json!({"Subject": number, "Contact_Name": carla, "Status": status,
            "Invoice_Date": date, "Grand_Total": total});
        create(ctx, admin, "Invoices", data, plain, owner).await?;
    }
    Ok(())
}

fn api(name: &str) -> Result<ApiName, String> {
    ApiName::parse(name).map_err(|e| e.to_string())
}
