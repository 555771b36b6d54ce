//! `text_enum!`: a closed set of snake_case words stored as text (statuses, stages, kinds). Generates the enum
//! with serde names, `ALL`, `as_str`, `parse` (with a message listing the allowed words), `Display` and `FromStr`.

/// ```
/// domain::text_enum! {
///     /// Where a lead came from.
///     pub enum Source { Web => "web", Other => "other" }
/// }
/// assert_eq!(Source::parse("web"), Ok(Source::Web));
/// assert_eq!(Source::parse("x").unwrap_err(), "must be one of web, other");
/// assert_eq!(Source::default(), Source::Web);
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $first:ident => $first_s:literal $(, $v:ident => $s:literal)* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            #[default]
            $first,
            $($v,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$name::$first, $($name::$v,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_s,
                    $($name::$v => $s,)*
                }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| concat!("must be one of ", $first_s $(, ", ", $s)*).to_owned())
            }

            /// The word with its first letter upper-cased and `_` as a space, for labels.
            pub fn label(self) -> String {
                let s = self.as_str().replace('_', " ");
                let mut c = s.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => String::new(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}
