//! Macros shared by the domain modules.

/// An enum with a stable code (stored, and used in the API) and a Chinese label
/// (shown on pages); `parse` accepts either.
///
/// The code is matched as a `tt`, not a `literal`: a `literal` fragment reaches
/// derive macros wrapped in an invisible group, which serde unwraps but
/// utoipa's `ToSchema` does not, so the API document listed the variant names
/// instead of the codes the server writes.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:tt / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Stable code stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// Chinese label for pages.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            /// Accepts the code or the Chinese label.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code | $label => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
