//! Canvas view templates: admin-written text with `{{Field_API_Name}}` placeholders.
//!
//! The whole template is HTML-escaped, and so is every value put into it, so neither an admin's
//! template nor a record's data can inject markup; line breaks are kept by the page's CSS.

use crate::DomainError;
use crate::field::Field;
use serde_json::{Map, Value};

pub const TEMPLATE_MAX: usize = 20_000;

enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push(Piece::Text(&rest[..start]));
        out.push(Piece::Placeholder(rest[start + 2..start + 2 + len].trim()));
        rest = &rest[start + 2 + len + 2..];
    }
    out.push(Piece::Text(rest));
    out
}

/// Refuses templates that are too long or name fields the module does not have.
pub fn check_template(template: &str, fields: &[Field]) -> Result<(), DomainError> {
    if template.chars().count() > TEMPLATE_MAX {
        return Err(DomainError::field(
            "canvas_template",
            "too_long",
            format!("A canvas template has at most {TEMPLATE_MAX} characters"),
        ));
    }
    for piece in pieces(template) {
        if let Piece::Placeholder(name) = piece
            && !fields.iter().any(|f| f.api_name.as_str() == name)
        {
            return Err(DomainError::field(
                "canvas_template",
                "unknown_field",
                format!("The template names {{{{{name}}}}}, but this module has no such field"),
            ));
        }
    }
    Ok(())
}

/// Renders the template for one record into escaped HTML. `visible` decides, per field, whether
/// the viewer may see its value; hidden or empty values render as nothing.
pub fn render(template: &str, data: &Map<String, Value>, visible: &dyn Fn(&str) -> bool) -> String {
    let mut html = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text(t) => html.push_str(&escape_html(t)),
            Piece::Placeholder(name) if visible(name) => {
                html.push_str(&escape_html(&display_value(data.get(name))));
            }
            Piece::Placeholder(_) => {}
        }
    }
    html
}

/// A value as plain text for display.
pub fn display_value(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| display_value(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldType;
    use crate::module::ApiName;
    use serde_json::json;

    #[test]
    fn renders_with_escaping_and_visibility() {
        let data = json!({"Name": "<b>Ann</b>", "Secret": "x"});
        let html = render(
            "<h1>{{ Name }}</h1> {{Secret}}",
            data.as_object().unwrap(),
            &|f| f != "Secret",
        );
        assert_eq!(html, "&lt;h1&gt;&lt;b&gt;Ann&lt;/b&gt;&lt;/h1&gt; ");
    }

    #[test]
    fn unknown_placeholders_are_refused() {
        let fields = vec![Field {
            id: 1,
            module_id: 1,
            api_name: ApiName::parse("Name").unwrap(),
            label: "Name".into(),
            field_type: FieldType::Text,
            mandatory: true,
            position: 0,
        }];
        assert!(check_template("Hi {{Name}}", &fields).is_ok());
        assert!(check_template("Hi {{Nope}}", &fields).is_err());
    }
}
