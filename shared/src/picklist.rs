//! A picklist is a closed set of API values, as in the Salesforce object reference.
//!
//! [`picklist!`] declares one as an enum that serialises to its API value and parses only from it.

use std::fmt;

/// A value that is not one of a picklist's API values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// What was given.
    pub given: String,
    /// The values that would have been accepted, in reference order.
    pub allowed: &'static [&'static str],
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written value by value: `join` is a generic copy the widget would link for this message alone.
        f.write_str("Choose one of: ")?;
        for (i, value) in self.allowed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(value)?;
        }
        f.write_str(".")
    }
}

impl std::error::Error for UnknownValue {}

/// Declares a picklist enum: `picklist!(Name { Variant => "ApiValue", ... })`.
macro_rules! picklist {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in reference order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// Every API value, in reference order.
            pub const API_VALUES: &'static [&'static str] = &[$($value),+];

            /// The API value, as stored and sent on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::picklist::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($value => Ok(Self::$variant),)+
                    _ => Err($crate::picklist::UnknownValue {
                        given: s.to_owned(),
                        allowed: Self::API_VALUES,
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                value.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
