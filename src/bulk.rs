//! Bulk actions: what they answer.

use serde::{Deserialize, Serialize};

/// How many records a bulk action changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub affected: u64,
}
