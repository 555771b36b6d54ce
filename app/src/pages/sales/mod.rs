//! Leads, opportunities, the pipeline board and the pipeline report.

pub mod lead_bulk;
pub mod lead_convert;
pub mod lead_detail;
pub mod lead_filters;
pub mod lead_form;
pub mod lead_table;
pub mod leads;
pub mod opportunities;
pub mod opportunity_bulk;
pub mod opportunity_detail;
pub mod opportunity_filters;
pub mod opportunity_form;
pub mod opportunity_move;
pub mod pipeline;
pub mod pipeline_report;
