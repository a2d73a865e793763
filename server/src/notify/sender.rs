//! Sending one delivery on its channel: SMTP (lettre), an SMS gateway's HTTP template, or a JSON
//! webhook. Errors come back as text for the delivery log.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::net::Reach;
use crate::outbound::{GuardedClient, error_chain, guarded_client};
use crate::store::notify::Delivery;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TlsMode {
    /// Plain SMTP (a relay on a trusted network).
    None,
    /// Upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: String,
    pub password: String,
    pub from: String,
}

/// An SMS gateway: `url` with `{phone}` and `{text}` (URL-encoded); with a `body` template the
/// request is a POST of that body (`{phone}` and `{text}` JSON-escaped), else a GET.
#[derive(Clone, Debug)]
pub struct SmsConfig {
    pub url: String,
    pub body: Option<String>,
}

pub struct Sender {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, lettre::message::Mailbox)>,
    sms: Option<SmsConfig>,
    /// Webhooks and the SMS gateway: only to addresses `--webhook-networks` allows.
    http: GuardedClient,
}

impl Sender {
    pub fn new(
        smtp: Option<SmtpConfig>,
        sms: Option<SmsConfig>,
        webhook_reach: Reach,
    ) -> anyhow::Result<Sender> {
        let smtp = smtp.map(smtp_transport).transpose()?;
        let http = guarded_client(webhook_reach)?;
        Ok(Sender { smtp, sms, http })
    }

    pub async fn send(&self, d: &Delivery) -> Result<(), String> {
        match d.channel.as_str() {
            "email" => self.email(d).await,
            "sms" => self.sms(d).await,
            "webhook" => {
                self.http_call(
                    hyper::Method::POST,
                    &d.address,
                    Some(d.body.clone()),
                    "application/json",
                )
                .await
            }
            other => Err(format!("unknown channel {other}")),
        }
    }

    async fn email(&self, d: &Delivery) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return Err("no SMTP server configured (--smtp-host)".into());
        };
        let to = d
            .address
            .parse()
            .map_err(|e| format!("e-mail address {}: {e}", d.address))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&d.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(d.body.clone())
            .map_err(|e| format!("building the message: {e}"))?;
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }

    async fn sms(&self, d: &Delivery) -> Result<(), String> {
        let Some(sms) = &self.sms else {
            return Err("no SMS gateway configured (--sms-url)".into());
        };
        let text = format!("{}: {}", d.subject, first_line(&d.body));
        let encode = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let url = sms
            .url
            .replace("{phone}", &encode(&d.address))
            .replace("{text}", &encode(&text));
        match &sms.body {
            Some(template) => {
                let json_text = |s: &str| {
                    let quoted = serde_json::Value::String(s.to_owned()).to_string();
                    quoted[1..quoted.len() - 1].to_owned()
                };
                let body = template
                    .replace("{phone}", &json_text(&d.address))
                    .replace("{text}", &json_text(&text));
                self.http_call(hyper::Method::POST, &url, Some(body), "application/json")
                    .await
            }
            None => {
                self.http_call(hyper::Method::GET, &url, None, "text/plain")
                    .await
            }
        }
    }

    async fn http_call(
        &self,
        method: hyper::Method,
        url: &str,
        body: Option<String>,
        content_type: &str,
    ) -> Result<(), String> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(url)
            .header(hyper::header::CONTENT_TYPE, content_type)
            .header(
                hyper::header::USER_AGENT,
                concat!("ITM/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("{url}: {e}"))?;
        let response = tokio::time::timeout(Duration::from_secs(15), self.http.request(request))
            .await
            .map_err(|_| format!("{url}: no answer within 15 s"))?
            .map_err(|e| format!("{url}: {}", error_chain(&e)))?;
        let status = response.status();
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("{url}: HTTP {status}"))
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn smtp_transport(
    config: SmtpConfig,
) -> anyhow::Result<(AsyncSmtpTransport<Tokio1Executor>, lettre::message::Mailbox)> {
    let builder = match config.tls {
        TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?,
        TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
    };
    let mut builder = builder
        .port(config.port)
        .timeout(Some(Duration::from_secs(20)));
    if !config.username.is_empty() {
        builder = builder.credentials(Credentials::new(config.username, config.password));
    }
    let from = config
        .from
        .parse()
        .map_err(|e| anyhow::anyhow!("--smtp-from {}: {e}", config.from))?;
    Ok((builder.build(), from))
}
