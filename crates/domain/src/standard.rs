//! The standard modules every org starts with, and the shape of a custom module.

use crate::DomainError;
use crate::field::{FieldType, NewField, SubformField};
use crate::module::{ApiName, DataSharing, ModuleKind, parse_label};
use serde::Deserialize;

/// A module to create, with its fields (the store adds a "Standard" layout holding them all).
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleSpec {
    pub api_name: ApiName,
    pub label: String,
    pub kind: ModuleKind,
    pub sharing: DataSharing,
    pub name_fields: Vec<String>,
    pub fields: Vec<NewField>,
}

/// What an admin submits to create a custom module.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCustomModule {
    pub api_name: Option<ApiName>,
    pub label: String,
    pub sharing: Option<DataSharing>,
}

impl NewCustomModule {
    /// A custom module starts with one mandatory `Name` field that names its records.
    pub fn into_spec(self) -> Result<ModuleSpec, DomainError> {
        let label = parse_label("label", &self.label)?;
        let api_name = match self.api_name {
            Some(name) => name,
            None => ApiName::from_label(&label)?,
        };
        Ok(ModuleSpec {
            api_name,
            label,
            kind: ModuleKind::Custom,
            sharing: self.sharing.unwrap_or(DataSharing::Private),
            name_fields: vec!["Name".into()],
            fields: vec![field("Name", "Name", FieldType::Text, true)],
        })
    }
}

fn name(s: &'static str) -> ApiName {
    ApiName::literal(s)
}

fn field(api: &'static str, label: &str, field_type: FieldType, mandatory: bool) -> NewField {
    NewField {
        api_name: Some(name(api)),
        label: label.to_string(),
        field_type,
        mandatory,
    }
}

fn text(api: &'static str, label: &str) -> NewField {
    field(api, label, FieldType::Text, false)
}

fn required(api: &'static str, label: &str) -> NewField {
    field(api, label, FieldType::Text, true)
}

fn typed(api: &'static str, label: &str, field_type: FieldType) -> NewField {
    field(api, label, field_type, false)
}

fn lookup(api: &'static str, label: &str, target: &'static str) -> NewField {
    typed(
        api,
        label,
        FieldType::Lookup {
            target_module: name(target),
        },
    )
}

fn picklist(api: &'static str, label: &str, options: &[&str], mandatory: bool) -> NewField {
    field(
        api,
        label,
        FieldType::Picklist {
            options: options.iter().map(|o| o.to_string()).collect(),
        },
        mandatory,
    )
}

fn product_details() -> NewField {
    let column = |api: &'static str, label: &str, field_type, mandatory| SubformField {
        api_name: name(api),
        label: label.to_string(),
        field_type,
        mandatory,
    };
    typed(
        "Product_Details",
        "Product Details",
        FieldType::Subform {
            fields: vec![
                column(
                    "Product",
                    "Product",
                    FieldType::Lookup {
                        target_module: name("Products"),
                    },
                    true,
                ),
                column("Quantity", "Quantity", FieldType::Number, true),
                column("List_Price", "List Price", FieldType::Currency, false),
                column("Discount", "Discount", FieldType::Currency, false),
            ],
        },
    )
}

fn module(
    api: &'static str,
    label: &str,
    name_fields: &[&str],
    fields: Vec<NewField>,
) -> ModuleSpec {
    ModuleSpec {
        api_name: name(api),
        label: label.to_string(),
        kind: ModuleKind::Standard,
        sharing: DataSharing::Private,
        name_fields: name_fields.iter().map(|s| s.to_string()).collect(),
        fields,
    }
}

const ORDER_STATUS: [&str; 4] = ["Created", "Approved", "Delivered", "Cancelled"];

/// The standard modules, in menu order. Lookup targets always come earlier in the list, so the
/// modules can be created in this order.
pub fn standard_modules() -> Vec<ModuleSpec> {
    let description = || typed("Description", "Description", FieldType::LongText);
    vec![
        module(
            "Leads",
            "Leads",
            &["First_Name", "Last_Name"],
            vec![
                text("First_Name", "First Name"),
                required("Last_Name", "Last Name"),
                text("Company", "Company"),
                typed("Email", "Email", FieldType::Email),
                typed("Phone", "Phone", FieldType::Phone),
                picklist(
                    "Lead_Status",
                    "Lead Status",
                    &["New", "Contacted", "Qualified", "Lost"],
                    false,
                ),
                picklist(
                    "Lead_Source",
                    "Lead Source",
                    &["Web", "Referral", "Trade Show", "Cold Call"],
                    false,
                ),
                typed("Annual_Revenue", "Annual Revenue", FieldType::Currency),
                description(),
            ],
        ),
        module(
            "Accounts",
            "Accounts",
            &["Account_Name"],
            vec![
                required("Account_Name", "Account Name"),
                typed("Website", "Website", FieldType::Url),
                typed("Phone", "Phone", FieldType::Phone),
                picklist(
                    "Industry",
                    "Industry",
                    &["Manufacturing", "Retail", "Services", "Technology", "Other"],
                    false,
                ),
                typed("Employees", "Employees", FieldType::Number),
                typed("Annual_Revenue", "Annual Revenue", FieldType::Currency),
                text("Billing_City", "Billing City"),
                text("Billing_Country", "Billing Country"),
                description(),
            ],
        ),
        module(
            "Contacts",
            "Contacts",
            &["First_Name", "Last_Name"],
            vec![
                text("First_Name", "First Name"),
                required("Last_Name", "Last Name"),
                typed("Email", "Email", FieldType::Email),
                typed("Phone", "Phone", FieldType::Phone),
                typed("Mobile", "Mobile", FieldType::Phone),
                text("Title", "Title"),
                lookup("Account_Name", "Account Name", "Accounts"),
                typed("Date_of_Birth", "Date of Birth", FieldType::Date),
                text("Mailing_City", "Mailing City"),
                text("Mailing_Country", "Mailing Country"),
                typed("Email_Opt_Out", "Email Opt Out", FieldType::Boolean),
                description(),
            ],
        ),
        module(
            "Deals",
            "Deals",
            &["Deal_Name"],
            vec![
                required("Deal_Name", "Deal Name"),
                lookup("Account_Name", "Account Name", "Accounts"),
                lookup("Contact_Name", "Contact Name", "Contacts"),
                typed("Amount", "Amount", FieldType::Currency),
                picklist(
                    "Stage",
                    "Stage",
                    &[
                        "Qualification",
                        "Needs Analysis",
                        "Proposal",
                        "Negotiation",
                        "Closed Won",
                        "Closed Lost",
                    ],
                    true,
                ),
                typed("Probability", "Probability (%)", FieldType::Percent),
                typed("Closing_Date", "Closing Date", FieldType::Date),
                description(),
            ],
        ),
        module(
            "Vendors",
            "Vendors",
            &["Vendor_Name"],
            vec![
                required("Vendor_Name", "Vendor Name"),
                typed("Email", "Email", FieldType::Email),
                typed("Phone", "Phone", FieldType::Phone),
                typed("Website", "Website", FieldType::Url),
                picklist(
                    "Category",
                    "Category",
                    &["Raw Materials", "Logistics", "Services", "Software"],
                    false,
                ),
                text("City", "City"),
                text("Country", "Country"),
                description(),
            ],
        ),
        module(
            "Products",
            "Products",
            &["Product_Name"],
            vec![
                required("Product_Name", "Product Name"),
                text("Product_Code", "Product Code"),
                lookup("Vendor_Name", "Vendor Name", "Vendors"),
                typed("Unit_Price", "Unit Price", FieldType::Currency),
                typed("Qty_in_Stock", "Qty in Stock", FieldType::Number),
                typed("Product_Active", "Product Active", FieldType::Boolean),
                picklist(
                    "Product_Category",
                    "Product Category",
                    &["Hardware", "Software", "Service"],
                    false,
                ),
                description(),
            ],
        ),
        module(
            "Quotes",
            "Quotes",
            &["Subject"],
            vec![
                required("Subject", "Subject"),
                lookup("Deal_Name", "Deal Name", "Deals"),
                lookup("Contact_Name", "Contact Name", "Contacts"),
                lookup("Account_Name", "Account Name", "Accounts"),
                picklist(
                    "Quote_Stage",
                    "Quote Stage",
                    &["Draft", "Negotiation", "Delivered", "Accepted", "Rejected"],
                    false,
                ),
                typed("Valid_Till", "Valid Till", FieldType::Date),
                product_details(),
                typed("Grand_Total", "Grand Total", FieldType::Currency),
                typed(
                    "Terms_and_Conditions",
                    "Terms and Conditions",
                    FieldType::LongText,
                ),
            ],
        ),
        module(
            "Sales_Orders",
            "Sales Orders",
            &["Subject"],
            vec![
                required("Subject", "Subject"),
                lookup("Contact_Name", "Contact Name", "Contacts"),
                lookup("Account_Name", "Account Name", "Accounts"),
                lookup("Deal_Name", "Deal Name", "Deals"),
                lookup("Quote_Name", "Quote Name", "Quotes"),
                picklist("Status", "Status", &ORDER_STATUS, false),
                typed("Due_Date", "Due Date", FieldType::Date),
                product_details(),
                typed("Grand_Total", "Grand Total", FieldType::Currency),
            ],
        ),
        module(
            "Purchase_Orders",
            "Purchase Orders",
            &["Subject"],
            vec![
                required("Subject", "Subject"),
                lookup("Vendor_Name", "Vendor Name", "Vendors"),
                lookup("Contact_Name", "Contact Name", "Contacts"),
                picklist("Status", "Status", &ORDER_STATUS, false),
                typed("PO_Date", "PO Date", FieldType::Date),
                product_details(),
                typed("Grand_Total", "Grand Total", FieldType::Currency),
            ],
        ),
        module(
            "Invoices",
            "Invoices",
            &["Subject"],
            vec![
                required("Subject", "Subject"),
                lookup("Contact_Name", "Contact Name", "Contacts"),
                lookup("Account_Name", "Account Name", "Accounts"),
                lookup("Sales_Order", "Sales Order", "Sales_Orders"),
                picklist(
                    "Status",
                    "Status",
                    &["Draft", "Sent", "Paid", "Overdue", "Cancelled"],
                    false,
                ),
                typed("Invoice_Date", "Invoice Date", FieldType::Date),
                typed("Due_Date", "Due Date", FieldType::Date),
                product_details(),
                typed("Grand_Total", "Grand Total", FieldType::Currency),
            ],
        ),
        module(
            "Cases",
            "Cases",
            &["Subject"],
            vec![
                required("Subject", "Subject"),
                lookup("Contact_Name", "Contact Name", "Contacts"),
                lookup("Account_Name", "Account Name", "Accounts"),
                picklist(
                    "Status",
                    "Status",
                    &["New", "Escalated", "On Hold", "Closed"],
                    true,
                ),
                picklist("Priority", "Priority", &["High", "Medium", "Low"], false),
                picklist(
                    "Case_Origin",
                    "Case Origin",
                    &["Email", "Phone", "Web", "Portal"],
                    false,
                ),
                typed("Reported_On", "Reported On", FieldType::DateTime),
                description(),
            ],
        ),
        module(
            "Notes",
            "Notes",
            &["Note_Title"],
            vec![
                required("Note_Title", "Note Title"),
                typed("Note_Content", "Note Content", FieldType::LongText),
                lookup("Contact", "Contact", "Contacts"),
                lookup("Account", "Account", "Accounts"),
                lookup("Deal", "Deal", "Deals"),
            ],
        ),
    ]
}

/// The profiles every org starts with: administrators reach everything; standard users work
/// with every module but delete nothing and reach only their own records.
pub fn default_profiles(modules: &[ModuleSpec]) -> Vec<crate::profile::NewProfile> {
    use crate::profile::{ModulePermissions, NewProfile, RecordScope};
    let all = |p: ModulePermissions| {
        modules
            .iter()
            .map(|m| (m.api_name.to_string(), p))
            .collect()
    };
    vec![
        NewProfile {
            name: "Administrator".into(),
            scope: RecordScope::All,
            permissions: all(ModulePermissions::ALL),
        },
        NewProfile {
            name: "Standard".into(),
            scope: RecordScope::Own,
            permissions: all(ModulePermissions {
                view: true,
                create: true,
                edit: true,
                delete: false,
            }),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_modules_are_valid() {
        let modules = standard_modules();
        assert_eq!(modules.len(), 12);
        for (i, m) in modules.iter().enumerate() {
            assert!(
                ApiName::parse(m.api_name.as_str()).is_ok(),
                "{}",
                m.api_name
            );
            for f in &m.fields {
                let (api, _) = f.check().unwrap();
                assert!(ApiName::parse(api.as_str()).is_ok(), "{api}");
                if let FieldType::Subform { fields } = &f.field_type {
                    assert!(
                        fields
                            .iter()
                            .all(|c| ApiName::parse(c.api_name.as_str()).is_ok())
                    );
                }
                if let Some(target) = f.field_type.lookup_target() {
                    assert!(
                        modules[..i].iter().any(|t| &t.api_name == target),
                        "{} looks up {target} before it exists",
                        m.api_name
                    );
                }
            }
            for n in &m.name_fields {
                assert!(
                    m.fields
                        .iter()
                        .any(|f| f.api_name.as_ref().unwrap().as_str() == n)
                );
            }
        }
    }

    #[test]
    fn custom_modules_get_a_name_field() {
        let spec = NewCustomModule {
            api_name: None,
            label: "Car Licences".into(),
            sharing: None,
        }
        .into_spec()
        .unwrap();
        assert_eq!(spec.api_name.as_str(), "Car_Licences");
        assert_eq!(spec.name_fields, ["Name"]);
        assert!(spec.fields[0].mandatory);
    }
}
