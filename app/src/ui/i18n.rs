//! The console's two languages. The choice lives in the `itm_lang` cookie so the server renders
//! the page in it and the browser hydrates the same text; switching updates every text in place
//! (each is a reactive closure) and rewrites the cookie.

use leptos::prelude::*;

pub const LANG_COOKIE: &str = "itm_lang";

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    fn from_cookie_header(header: &str) -> Lang {
        let chosen = header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .map(|(_, value)| value);
        match chosen {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// `zh` or `en`, whichever this language is.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The language signal every page reads.
#[derive(Clone, Copy)]
struct Locale(RwSignal<Lang>);

/// Called once by the app: the language from the request's (or the document's) cookie.
pub fn provide_lang() {
    provide_context(Locale(RwSignal::new(Lang::from_cookie_header(
        &cookie_header(),
    ))));
}

pub fn lang() -> RwSignal<Lang> {
    use_context::<Locale>()
        .map(|l| l.0)
        .unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

/// A text in both languages, as a reactive closure for a view.
pub fn t(zh: &'static str, en: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    let lang = lang();
    move || lang.get().pick(zh, en)
}

/// An area's name in the current language (reactive inside a view closure).
pub fn area_name(area: crate::strategy::Area) -> &'static str {
    let info = area.info();
    lang().get().pick(info.name_zh, info.name_en)
}

/// An ISP's name in the current language (reactive inside a view closure).
pub fn isp_name(isp: crate::strategy::Isp) -> &'static str {
    lang().get().pick(isp.name_zh(), isp.name_en())
}

/// How a strategy version was made, as the versions list and the history say it.
pub fn version_source_name(source: crate::model::VersionSource) -> &'static str {
    use crate::model::VersionSource;
    let lang = lang().get();
    match source {
        VersionSource::Editor => lang.pick("编辑器", "editor"),
        VersionSource::Recommend => lang.pick("推荐策略", "recommended"),
        VersionSource::Restore => lang.pick("恢复旧版本", "restored"),
        VersionSource::Api => lang.pick("API", "API"),
        VersionSource::Regenerate => lang.pick(
            "删除端点后重新生成",
            "regenerated after endpoints were deleted",
        ),
        VersionSource::Unrecorded => lang.pick("未记录", "not recorded"),
    }
}

/// Switches the language and remembers it for a year.
pub fn switch_to(new: Lang) {
    lang().set(new);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(document) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let cookie = format!(
                "{LANG_COOKIE}={}; path=/; max-age=31536000; samesite=lax",
                new.code()
            );
            let _ = document.set_cookie(&cookie);
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", new.pick("zh-CN", "en"));
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn cookie_header() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::COOKIE)?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

#[cfg(feature = "hydrate")]
fn cookie_header() -> String {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn cookie_header() -> String {
    String::new()
}

/// The switch in the header: shows the other language.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = lang();
    view! {
        <button
            type="button"
            class="lang-switch"
            data-testid="lang-switch"
            on:click=move |_| switch_to(lang.get_untracked().pick(Lang::En, Lang::Zh))
        >
            {move || lang.get().pick("English", "中文")}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_chooses_the_language() {
        assert_eq!(Lang::from_cookie_header(""), Lang::Zh);
        assert_eq!(Lang::from_cookie_header("a=b; itm_lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("itm_lang=fr"), Lang::Zh);
        assert_eq!(
            Lang::from_cookie_header("itm_session=x;itm_lang=zh"),
            Lang::Zh
        );
    }
}
