//! The console's one error type: what a server function's failure is, so the wire carries the
//! HTTP status it calls for (a typo is a 400, not an outage for every proxy and alert) and the
//! page says it in the user's language. The server maps the service's errors onto it where the
//! REST API maps them onto its own (`server/src/api/error.rs`).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use super::i18n::Lang;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConsoleError {
    /// Bad input: the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// No session, or it expired.
    #[error("not logged in, or the session has expired: log in again")]
    LoginRequired,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request collides with the current state (a name taken, a version enabled meanwhile).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Throttled(String),
    /// The database cannot be reached; nothing was changed and DNS keeps answering.
    #[error(
        "the database is unavailable: nothing was changed; DNS keeps answering from its last snapshot; try again shortly"
    )]
    Unavailable,
    #[error("{0}")]
    Internal(String),
    /// The call never reached the server, or its answer could not be read.
    #[error("{0}")]
    Transport(String),
}

impl ConsoleError {
    /// The HTTP status the error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ConsoleError::Invalid(_) => 400,
            ConsoleError::LoginRequired => 401,
            ConsoleError::Forbidden(_) => 403,
            ConsoleError::NotFound(_) => 404,
            ConsoleError::Conflict(_) => 409,
            ConsoleError::Throttled(_) => 429,
            ConsoleError::Unavailable => 503,
            ConsoleError::Internal(_) => 500,
            ConsoleError::Transport(_) => 502,
        }
    }

    /// The form field bad input names (`"email: …"` → `email`), so a page can show the message
    /// next to it; `None` for other kinds and for messages that name no field.
    pub fn field(&self) -> Option<&str> {
        let ConsoleError::Invalid(m) = self else {
            return None;
        };
        let (field, _) = m.split_once(':')?;
        let named = field
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
        named.then_some(field)
    }

    /// The error of a one-element list sent for a single form (`[0].tag: …` → `tag: …`): the
    /// form has no list, and its field is then found by [`ConsoleError::field`].
    pub fn of_single(self) -> ConsoleError {
        match self {
            ConsoleError::Invalid(m) => match m.strip_prefix("[0].") {
                Some(rest) => ConsoleError::Invalid(rest.to_owned()),
                None => ConsoleError::Invalid(m),
            },
            other => other,
        }
    }

    /// The message to show, in `lang` where the console words it itself (the service's
    /// messages name fields and values, and are shown as they are).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ConsoleError::LoginRequired => lang
                .pick(
                    "未登录或会话已过期：请重新登录。",
                    "Not logged in, or the session has expired: log in again.",
                )
                .to_owned(),
            ConsoleError::Unavailable => lang
                .pick(
                    "数据库暂时不可用：没有做任何修改；DNS 继续按最近的快照应答。请稍后重试。",
                    "The database is unavailable: nothing was changed; DNS keeps answering from its last snapshot. Try again shortly.",
                )
                .to_owned(),
            ConsoleError::Transport(m) => lang.pick(
                format!("无法连接服务器：{m}"),
                format!("The server could not be reached: {m}"),
            ),
            ConsoleError::Internal(m) => lang.pick(
                format!("服务器内部错误：{m}"),
                format!("Internal server error: {m}"),
            ),
            ConsoleError::Invalid(m)
            | ConsoleError::Forbidden(m)
            | ConsoleError::NotFound(m)
            | ConsoleError::Conflict(m)
            | ConsoleError::Throttled(m) => m.clone(),
        }
    }
}

/// A value the console itself found wrong (a form field that does not parse).
impl From<String> for ConsoleError {
    fn from(message: String) -> ConsoleError {
        ConsoleError::Invalid(message)
    }
}

impl From<&str> for ConsoleError {
    fn from(message: &str) -> ConsoleError {
        ConsoleError::Invalid(message.to_owned())
    }
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The arguments did not decode: the request was malformed.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => ConsoleError::Invalid(m),
            ServerFnErrorErr::Request(m)
            | ServerFnErrorErr::Response(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::Serialization(m) => ConsoleError::Transport(m),
            other => ConsoleError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_its_field() {
        let invalid = |m: &str| ConsoleError::Invalid(m.into());
        assert_eq!(
            invalid("email: \"x\" is not an e-mail address").field(),
            Some("email")
        );
        assert_eq!(invalid("[0].domain: empty").field(), None);
        assert_eq!(invalid("points[1]: unknown").field(), Some("points[1]"));
        assert_eq!(invalid("no field named here").field(), None);
        assert_eq!(invalid("a contact needs: an e-mail").field(), None);
        assert_eq!(ConsoleError::Conflict("name: taken".into()).field(), None);
        // A single form's request sent as a one-element list names the form's own field.
        let single = invalid("[0].tag: an empty keyword").of_single();
        assert_eq!(single, invalid("tag: an empty keyword"));
        assert_eq!(single.field(), Some("tag"));
        assert_eq!(invalid("[1].tag: x").of_single().field(), None);
        assert_eq!(
            ConsoleError::Conflict("[0].x: y".into()).of_single(),
            ConsoleError::Conflict("[0].x: y".into())
        );
    }

    #[test]
    fn every_kind_has_its_status_and_survives_the_wire() {
        let kinds = [
            (ConsoleError::Invalid("domain: empty".into()), 400),
            (ConsoleError::LoginRequired, 401),
            (ConsoleError::Forbidden("no policy".into()), 403),
            (ConsoleError::NotFound("no domain".into()), 404),
            (ConsoleError::Conflict("taken".into()), 409),
            (ConsoleError::Throttled("slow down".into()), 429),
            (ConsoleError::Unavailable, 503),
            (ConsoleError::Internal("bug".into()), 500),
            (ConsoleError::Transport("offline".into()), 502),
        ];
        for (kind, status) in kinds {
            assert_eq!(kind.status(), status, "{kind:?}");
            assert_eq!(ConsoleError::de(kind.ser()), kind);
        }
    }

    #[test]
    fn the_console_words_its_own_messages_in_each_language() {
        let zh = ConsoleError::Unavailable.text(Lang::Zh);
        let en = ConsoleError::Unavailable.text(Lang::En);
        assert!(zh.contains("DNS 继续") && !zh.contains("database"), "{zh}");
        assert!(en.contains("DNS keeps answering"), "{en}");
        assert!(
            ConsoleError::LoginRequired
                .text(Lang::Zh)
                .contains("重新登录")
        );
    }
}
