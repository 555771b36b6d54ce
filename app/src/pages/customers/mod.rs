//! Customers and their contacts: list, detail, forms, timeline.

pub mod contact_form;
pub mod contacts;
pub mod customer_bulk;
pub mod customer_contacts;
pub mod customer_detail;
pub mod customer_edit;
pub mod customer_filters;
pub mod customer_form;
pub mod customer_list;
pub mod customer_table;
pub mod customer_timeline;
pub mod customer_work;
