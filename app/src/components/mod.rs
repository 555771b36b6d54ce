//! Shared widgets: dialogs, form fields, list states, paging, list filters, toasts and small helpers. They run
//! in the browser only (`csr`); the list-filter rules also compile on the host for their unit tests.

// ECharts charts with table fallbacks (issue #6).
#[cfg(feature = "csr")]
pub mod chart;
#[cfg(feature = "csr")]
pub mod confirm;
#[cfg(feature = "csr")]
pub mod field;
#[cfg(feature = "csr")]
pub mod form;
#[cfg(feature = "csr")]
pub mod format;
#[cfg(feature = "csr")]
pub mod history;
// Compiles everywhere: its rules are unit-tested on the host, its signals are browser-only.
pub mod list_filters;
#[cfg(feature = "csr")]
pub mod modal;
#[cfg(feature = "csr")]
pub mod nav;
// The header's notification bell, the bulk-action bar frame and the 412 prompt (tasks helper).
#[cfg(feature = "csr")]
pub mod bulk;
#[cfg(feature = "csr")]
pub mod delete_record;
#[cfg(feature = "csr")]
pub mod notification_bell;
#[cfg(feature = "csr")]
pub mod paged;
#[cfg(feature = "csr")]
pub mod stale;
#[cfg(feature = "csr")]
pub mod states;
#[cfg(feature = "csr")]
pub mod table;
#[cfg(feature = "csr")]
pub mod timing;
#[cfg(feature = "csr")]
pub mod toast;
#[cfg(feature = "csr")]
pub mod user_choices;

#[cfg(feature = "csr")]
pub use self::{
    confirm::ConfirmDialog,
    field::{CheckboxField, SelectField, TextField},
    form::FormState,
    modal::Modal,
    paged::{LoadMore, PagedList, PagedStates},
    states::{EmptyState, ErrorState, Forbidden, Loading},
    table::SortHeader,
    toast::{ToastHost, Toasts, use_toasts},
};
