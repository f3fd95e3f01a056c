//! The languages the product speaks, by their BCP 47 tags: a study's
//! default language is one of them.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Language {
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese, as written in mainland China.
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::ZhCn];

    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
        }
    }

    /// The language of a stored tag; `None` for one the product does not speak.
    pub fn from_tag(tag: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The language a browser's tag asks for ("zh-Hans-CN", "en-GB", "zh"),
    /// by its primary subtag; `None` for one the product does not speak.
    pub fn from_browser_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::En),
            // Traditional Chinese readers read Simplified better than English.
            "zh" => Some(Language::ZhCn),
            _ => None,
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::ZhCn => "中文",
        }
    }

    /// The other language, for a one-tap switch.
    pub fn other(self) -> Language {
        match self {
            Language::En => Language::ZhCn,
            Language::ZhCn => Language::En,
        }
    }
}

/// The first language of an `Accept-Language` header the product speaks,
/// by the browser's weights (RFC 9110 12.5.4); ties keep the header's order.
pub fn from_accept_language(header: &str) -> Option<Language> {
    let mut best: Option<(f32, Language)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .filter(|q| (0.0..=1.0).contains(q));
        let (Some(weight), Some(language)) = (weight, Language::from_browser_tag(tag)) else {
            continue;
        };
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, language));
        }
    }
    best.map(|(_, language)| language)
}

/// The language a page speaks to a person: the account's saved choice,
/// else the choice this browser remembers (made before signing in), else
/// what the browser asks for, else the study's default.
pub fn page_language(
    account: Option<Language>,
    remembered: Option<Language>,
    accept_language: Option<&str>,
    study_default: Language,
) -> Language {
    account
        .or(remembered)
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(study_default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_match_serde() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
            assert_eq!(
                serde_json::to_value(language).unwrap(),
                serde_json::json!(language.tag())
            );
        }
        for unknown in ["", "zh", "EN", "fr"] {
            assert_eq!(Language::from_tag(unknown), None, "{unknown}");
        }
        // The API takes only the tags it documents.
        assert!(serde_json::from_str::<Language>("\"zh\"").is_err());
    }

    #[test]
    fn browser_tags() {
        let cases = [
            ("zh-CN", Some(Language::ZhCn)),
            ("zh-Hans-CN", Some(Language::ZhCn)),
            ("zh_TW", Some(Language::ZhCn)),
            ("ZH", Some(Language::ZhCn)),
            ("en-GB", Some(Language::En)),
            ("en", Some(Language::En)),
            ("fr-FR", None),
            ("", None),
            ("*", None),
        ];
        for (tag, expected) in cases {
            assert_eq!(Language::from_browser_tag(tag), expected, "{tag:?}");
        }
    }

    #[test]
    fn accept_language_headers() {
        let cases = [
            ("zh-CN,zh;q=0.9,en;q=0.8", Some(Language::ZhCn)),
            ("en-US,en;q=0.9,zh-CN;q=0.8", Some(Language::En)),
            ("fr-FR,fr;q=0.9,zh-CN;q=0.5,en;q=0.4", Some(Language::ZhCn)),
            ("en;q=0.2, zh-CN;q=0.7", Some(Language::ZhCn)),
            ("zh;q=0, en;q=0.1", Some(Language::En)),
            ("fr, de", None),
            ("*", None),
            ("", None),
            ("zh;q=abc, en", Some(Language::En)),
            ("zh;q=2", None),
        ];
        for (header, expected) in cases {
            assert_eq!(from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn the_page_language_in_order_of_precedence() {
        use Language::{En, ZhCn};
        let cases = [
            (Some(En), Some(ZhCn), Some("zh-CN"), ZhCn, En),
            (None, Some(En), Some("zh-CN"), ZhCn, En),
            (None, None, Some("en-US"), ZhCn, En),
            (None, None, Some("fr"), ZhCn, ZhCn),
            (None, None, None, ZhCn, ZhCn),
            (None, None, None, En, En),
            (Some(ZhCn), None, Some("en"), En, ZhCn),
        ];
        for (account, remembered, header, default, expected) in cases {
            assert_eq!(
                page_language(account, remembered, header, default),
                expected,
                "{account:?} {remembered:?} {header:?} {default:?}"
            );
        }
    }
}
