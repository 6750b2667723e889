//! Closed vocabularies and record ids as types. [`words!`] defines an enum whose variants
//! are the stored and wire words (serde, SQLite) with the Chinese the desk shows; [`ids!`]
//! defines a record id as a newtype over the row id, a plain number in JSON and SQLite, so
//! one kind of id cannot be passed where another is meant.

/// `words! { /// doc  pub enum Name("中文名") { Variant = "word", "标签"; … } }`: the enum,
/// `ALL` (in the order given; the first is the default where a word may be left out),
/// `as_str`, `label`, `from_word`, `parse` (an `invalid` error naming the field and the
/// allowed labels), `labels`, and Serialize / Deserialize / ToSql / FromSql / Display as
/// the word.
#[macro_export]
macro_rules! words {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $word:literal, $label:literal;)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every word, in the order the desk lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored and wire word.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// As the desk shows it.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            pub fn from_word(word: &str) -> Option<$name> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The labels of `words`, joined with 、 (for messages).
            pub fn labels(words: &[$name]) -> String {
                words.iter().map(|w| w.label()).collect::<Vec<_>>().join("、")
            }

            /// `word` from outside, else `invalid` naming `field`: "服务类型只能是：维修、…".
            pub fn parse(
                word: &str,
                field: &'static str,
            ) -> $crate::platform::error::Result<$name> {
                $name::from_word(word).ok_or_else(|| {
                    $crate::platform::error::Error::invalid(
                        field,
                        format!("{}只能是：{}", $what, $name::labels($name::ALL)),
                    )
                })
            }

            /// As [`parse`](Self::parse), but "" is the first word (the default).
            pub fn parse_or_first(
                word: &str,
                field: &'static str,
            ) -> $crate::platform::error::Result<$name> {
                if word.is_empty() {
                    Ok($name::ALL[0])
                } else {
                    $name::parse(word, field)
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<$name, D::Error> {
                let word = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::from_word(&word).ok_or_else(|| {
                    ::serde::de::Error::custom(format!(
                        "{}只能是：{}",
                        $what,
                        $name::labels($name::ALL)
                    ))
                })
            }
        }

        impl ::rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> ::rusqlite::Result<::rusqlite::types::ToSqlOutput<'_>> {
                Ok(::rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl ::rusqlite::types::FromSql for $name {
            fn column_result(
                v: ::rusqlite::types::ValueRef<'_>,
            ) -> ::rusqlite::types::FromSqlResult<$name> {
                let word = v.as_str()?;
                $name::from_word(word).ok_or_else(|| {
                    ::rusqlite::types::FromSqlError::Other(
                        format!("{}：未知的词 {word}", $what).into(),
                    )
                })
            }
        }
    };
}

/// `ids! { /// doc  pub struct OrderId; … }`: a record id, a number in JSON and SQLite,
/// shown as the number.
#[macro_export]
macro_rules! ids {
    ($($(#[$meta:meta])* $vis:vis struct $name:ident;)+) => {
        $(
            $(#[$meta])*
            #[derive(
                Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
                ::serde::Serialize, ::serde::Deserialize,
            )]
            #[serde(transparent)]
            $vis struct $name(pub i64);

            impl $name {
                /// The row id.
                pub const fn get(self) -> i64 {
                    self.0
                }
            }

            impl ::std::fmt::Display for $name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    ::std::fmt::Display::fmt(&self.0, f)
                }
            }

            impl From<$name> for i64 {
                fn from(id: $name) -> i64 {
                    id.0
                }
            }

            impl ::rusqlite::types::ToSql for $name {
                fn to_sql(&self) -> ::rusqlite::Result<::rusqlite::types::ToSqlOutput<'_>> {
                    Ok(::rusqlite::types::ToSqlOutput::from(self.0))
                }
            }

            impl ::rusqlite::types::FromSql for $name {
                fn column_result(
                    v: ::rusqlite::types::ValueRef<'_>,
                ) -> ::rusqlite::types::FromSqlResult<$name> {
                    v.as_i64().map($name)
                }
            }
        )+
    };
}
