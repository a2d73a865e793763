//! Decoding rows into the store's row types with `#[derive(sqlx::FromRow)]`. The `Any` driver
//! knows 64-bit integers and text only, so the columns that hold more (a 0/1 flag, a model
//! code such as a domain status, a JSON document) are read through the wrappers here, named by
//! `#[sqlx(try_from = "…")]` on the field. A value that does not parse is a corrupt row, and
//! says which column and value.

use app::model::{DomainStatus, MonitorSettings, NameClaim, Policy, VersionSource};
use serde::de::DeserializeOwned;
use sqlx::any::{AnyRow, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, FromRow, Type};

use super::{Result, StoreError};

/// A row as the `#[derive(sqlx::FromRow)]` type a query selects (its column names are the
/// field names). A column that does not decode is reported as corrupt data, not as a database
/// failure (the database answered; what it holds is wrong).
pub(super) fn decode<T: for<'r> FromRow<'r, AnyRow>>(row: &AnyRow) -> Result<T> {
    T::from_row(row).map_err(|e| match e {
        sqlx::Error::ColumnDecode { index, source } => {
            StoreError::Corrupt(format!("column {index}: {source}"))
        }
        other => StoreError::Database(other),
    })
}

/// Both backends store booleans as 0/1 integers: `#[sqlx(try_from = "Flag")]` on a `bool`.
pub(super) struct Flag(bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

/// A model value stored as its short text code (`start`, `active`, …).
pub(super) trait StoredCode: Sized {
    /// What the code names, for the corrupt-row message.
    const WHAT: &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

impl StoredCode for DomainStatus {
    const WHAT: &'static str = "domain status";
    fn from_code(code: &str) -> Option<Self> {
        DomainStatus::parse(code)
    }
}

impl StoredCode for NameClaim {
    const WHAT: &'static str = "domain claim";
    fn from_code(code: &str) -> Option<Self> {
        NameClaim::parse(code)
    }
}

impl StoredCode for Policy {
    const WHAT: &'static str = "policy";
    fn from_code(code: &str) -> Option<Self> {
        Policy::parse(code)
    }
}

impl StoredCode for VersionSource {
    const WHAT: &'static str = "version source";
    fn from_code(code: &str) -> Option<Self> {
        VersionSource::parse(code)
    }
}

/// `#[sqlx(try_from = "Coded<DomainStatus>")]` on a `DomainStatus` field.
pub(super) struct Coded<T>(T);

impl<T: StoredCode> Type<Any> for Coded<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: StoredCode> Decode<'r, Any> for Coded<T> {
    fn decode(value: AnyValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        let code = <&str as Decode<'r, Any>>::decode(value)?;
        T::from_code(code)
            .map(Coded)
            .ok_or_else(|| format!("{} {code:?}", T::WHAT).into())
    }
}

/// A JSON document column: `#[sqlx(try_from = "JsonText<MonitorSettings>")]`.
pub(super) struct JsonText<T>(T);

impl<T> Type<Any> for JsonText<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: DeserializeOwned> Decode<'r, Any> for JsonText<T> {
    fn decode(value: AnyValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Any>>::decode(value)?;
        Ok(JsonText(serde_json::from_str(text)?))
    }
}

/// The orphan rule allows `From<local> for foreign` only for named types, so one line each.
macro_rules! unwrap_into {
    ($wrapper:ident<$ty:ty>) => {
        impl From<$wrapper<$ty>> for $ty {
            fn from(wrapped: $wrapper<$ty>) -> $ty {
                wrapped.0
            }
        }
    };
}
unwrap_into!(Coded<DomainStatus>);
unwrap_into!(Coded<NameClaim>);
unwrap_into!(Coded<Policy>);
unwrap_into!(Coded<VersionSource>);
unwrap_into!(JsonText<MonitorSettings>);
