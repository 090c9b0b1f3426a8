//! The portal's words in the portal user's language: Fluent files under `crates/portal/locales/`
//! (one per language, compiled in), never strings in code. English is complete and the
//! fallback for a message another language lacks; a test checks that every language has every
//! English message and that each file parses.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

/// The languages the portal speaks: (tag, name in that language). The first is the fallback.
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("de", "Deutsch"), ("fr", "Français")];

const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.ftl")),
    ("de", include_str!("../locales/de.ftl")),
    ("fr", include_str!("../locales/fr.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

/// Each language's bundle, built on first use. A file that does not parse keeps the messages
/// it could read (the test below fails on any error).
static BUNDLES: LazyLock<Vec<(&'static str, Bundle)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(tag, source)| {
            let lang: LanguageIdentifier = tag.parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            // No Unicode isolation marks around arguments: the pages are plain left-to-right.
            bundle.set_use_isolating(false);
            let resource =
                FluentResource::try_new((*source).to_string()).unwrap_or_else(|(r, _)| r);
            // A message defined twice keeps the first; the test refuses such a file.
            let _ = bundle.add_resource(resource);
            (*tag, bundle)
        })
        .collect()
});

/// Translations into one language, for one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    /// Into [`LANGUAGES`]; 0 (English) by default.
    index: usize,
}

impl Tr {
    /// The language for a preference such as `de`, `de-AT` or `fr-CA`: its primary language when
    /// the portal speaks it, English otherwise.
    pub fn for_language(tag: &str) -> Self {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let index = LANGUAGES
            .iter()
            .position(|(l, _)| *l == primary)
            .unwrap_or(0);
        Self { index }
    }

    /// The language for a tag the portal speaks (`de`, `de-AT`), or `None` for any other: a
    /// visitor's explicit choice (`?lang=`, the language cookie) counts only when supported.
    pub fn supported(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim();
        LANGUAGES
            .iter()
            .position(|(l, _)| l.eq_ignore_ascii_case(primary))
            .map(|index| Self { index })
    }

    /// The best language the portal speaks for an `Accept-Language` header
    /// (`de-DE,de;q=0.9,en;q=0.8`): the highest weight wins, the first listed among equals;
    /// `None` when it names none of ours. A weight of 0 means "not this one".
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(u16, Self)> = None;
        // Bounded: a header with more entries than this says nothing more useful.
        for entry in accept_language.split(',').take(32) {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), |q| thousandths(q.trim()))
                .unwrap_or(0);
            if weight == 0 {
                continue;
            }
            if let Some(tr) = Self::supported(tag)
                && best.is_none_or(|(w, _)| weight > w)
            {
                best = Some((weight, tr));
            }
        }
        best.map(|(_, tr)| tr)
    }

    /// The language's tag (`en`, `de`, `fr`): for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        LANGUAGES.get(self.index).map_or("en", |(l, _)| l)
    }

    /// The message `id`; English when this language lacks it, the id itself when no language has it.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` when a language has it (this one, else English); `None` otherwise.
    pub fn get(&self, id: &str) -> Option<String> {
        let found = self.format(id, None);
        (found != id).then_some(found)
    }

    /// The message `id` with one argument (`{ $name }` in the file).
    pub fn t1(&self, id: &str, name: &str, value: impl ToString) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with a count (`{ $count }`), which picks the plural form.
    pub fn count(&self, id: &str, count: impl std::borrow::Borrow<i64>) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(*count.borrow()));
        self.format(id, Some(&args))
    }

    /// The message `id` with named arguments.
    pub fn with_args(&self, id: &str, pairs: &mut Vec<(String, String)>) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in pairs.drain(..) {
            args.set(name, FluentValue::from(value));
        }
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for index in [self.index, 0] {
            let Some((_, bundle)) = BUNDLES.get(index) else {
                continue;
            };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        id.to_string()
    }
}

/// An `Accept-Language` weight (`0.8`, `1`, `0.125`) in thousandths, the header's precision.
fn thousandths(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match whole {
        "0" => format!("{fraction:0<3}").parse().ok(),
        "1" if fraction.bytes().all(|b| b == b'0') => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use fluent_bundle::FluentResource;
    use fluent_syntax::ast::Entry;

    fn ids(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_string())
            .unwrap_or_else(|(_, errors)| panic!("does not parse: {errors:?}"));
        resource
            .entries()
            .filter_map(|e| match e {
                Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_parses_and_has_every_english_message() {
        let english = ids(SOURCES[0].1);
        assert!(english.len() > 50, "{}", english.len());
        let mut unique = english.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            english.len(),
            "an English message is defined twice"
        );
        for (tag, source) in &SOURCES[1..] {
            let theirs = ids(source);
            let missing: Vec<&String> = english.iter().filter(|id| !theirs.contains(id)).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            let extra: Vec<&String> = theirs.iter().filter(|id| !english.contains(id)).collect();
            assert!(
                extra.is_empty(),
                "{tag} has messages English lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        let lang = |h: &str| Tr::negotiate(h).map(|t| t.lang());
        assert_eq!(lang("de-DE,de;q=0.9,en;q=0.8"), Some("de"));
        assert_eq!(lang("es,fr;q=0.7,en;q=0.5"), Some("fr"));
        assert_eq!(lang("en;q=0.2, de ; q=0.8"), Some("de"));
        assert_eq!(lang("fr;q=0,de;q=0.1"), Some("de"));
        assert_eq!(lang("es, it"), None);
        assert_eq!(lang("*"), None);
        assert_eq!(lang(""), None);
        assert_eq!(lang("de;q=abc"), None);
    }

    #[test]
    fn languages_are_chosen_by_primary_tag_and_fall_back_to_english() {
        assert_eq!(Tr::for_language("de-AT").lang(), "de");
        assert_eq!(Tr::for_language("FR").lang(), "fr");
        assert_eq!(Tr::for_language("xx").lang(), "en");
        assert_eq!(Tr::for_language("de").t("nav-sign-out"), "Abmelden");
        assert_eq!(Tr::for_language("fr").t("nav-sign-out"), "Se déconnecter");
        assert_eq!(Tr::default().t("no-such-message"), "no-such-message");
        assert_eq!(Tr::for_language("en").count("list-count", 1), "1 record");
        assert_eq!(Tr::for_language("en").count("list-count", 3), "3 records");
        assert_eq!(Tr::default().get("no-such-message"), None);
        assert_eq!(Tr::supported("xx"), None);
        assert_eq!(Tr::supported("FR-ca").map(|t| t.lang()), Some("fr"));
        assert_eq!(
            Tr::for_language("de").count("list-count", 3),
            "3 Datensätze"
        );
    }
}
