//! Shared widgets: dialogs, form fields, list states, paging, toasts and small helpers.

// ECharts charts with table fallbacks (issue #6).
pub mod chart;
pub mod confirm;
pub mod field;
pub mod form;
pub mod format;
pub mod history;
pub mod modal;
pub mod nav;
// The header's notification bell, the bulk-action bar frame and the 412 prompt (tasks helper).
pub mod bulk;
pub mod delete_record;
pub mod notification_bell;
pub mod paged;
pub mod stale;
pub mod states;
pub mod table;
pub mod timing;
pub mod toast;
pub mod user_choices;

pub use confirm::ConfirmDialog;
pub use field::{CheckboxField, SelectField, TextField};
pub use form::FormState;
pub use modal::Modal;
pub use paged::{LoadMore, PagedList, PagedStates};
pub use states::{EmptyState, ErrorState, Forbidden, Loading};
pub use table::SortHeader;
pub use toast::{ToastHost, Toasts, use_toasts};
