//! Server functions (`/rpc/…`), answered by `leptos_axum` with the app context provided.

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use leptos::prelude::provide_context;

pub async fn handle(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let ctx = state.ctx.clone();
    leptos_axum::handle_server_fns_with_context(move || provide_context(ctx.clone()), req).await
}

/// Registers every server function explicitly, so none can be dropped by the linker.
pub fn register() {
    use app::api::{audit, auth, customers, users};
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<auth::Login>();
    register_explicit::<auth::Logout>();
    register_explicit::<auth::CurrentUser>();
    register_explicit::<customers::ListCustomers>();
    register_explicit::<customers::GetCustomer>();
    register_explicit::<customers::CreateCustomer>();
    register_explicit::<customers::UpdateCustomer>();
    register_explicit::<customers::DeleteCustomer>();
    register_explicit::<customers::BulkCustomerAction>();
    register_explicit::<customers::ListContacts>();
    register_explicit::<customers::CreateContact>();
    register_explicit::<customers::UpdateContact>();
    register_explicit::<customers::DeleteContact>();
    register_explicit::<users::ListUsers>();
    register_explicit::<users::CreateUser>();
    register_explicit::<users::UpdateUser>();
    register_explicit::<audit::ListAudit>();
    register_explicit::<audit::RecordHistory>();
    register_explicit::<app::api::leads::ListLeads>();
    register_explicit::<app::api::leads::GetLead>();
    register_explicit::<app::api::leads::CreateLead>();
    register_explicit::<app::api::leads::UpdateLead>();
    register_explicit::<app::api::leads::DeleteLead>();
    register_explicit::<app::api::leads::BulkLeadAction>();
    register_explicit::<app::api::leads::ConvertLead>();
    register_explicit::<app::api::leads::LeadDuplicates>();
    // Tasks and notifications.
    register_explicit::<app::api::tasks::ListTasks>();
    register_explicit::<app::api::tasks::GetTask>();
    register_explicit::<app::api::tasks::CreateTask>();
    register_explicit::<app::api::tasks::UpdateTask>();
    register_explicit::<app::api::tasks::DeleteTask>();
    register_explicit::<app::api::tasks::BulkTaskAction>();
    register_explicit::<app::api::notifications::ListNotifications>();
    register_explicit::<app::api::notifications::UnreadNotifications>();
    register_explicit::<app::api::notifications::MarkNotificationRead>();
    register_explicit::<app::api::notifications::MarkAllNotificationsRead>();
    // Dashboards and the activity report.
    register_explicit::<app::api::dashboard::LoadDashboard>();
    register_explicit::<app::api::dashboard::LoadActivityReport>();
    {
        use app::api::interactions as i;
        register_explicit::<i::ListInteractions>();
        register_explicit::<i::GetInteraction>();
        register_explicit::<i::CreateInteraction>();
        register_explicit::<i::UpdateInteraction>();
        register_explicit::<i::DeleteInteraction>();
        register_explicit::<i::BulkInteractionAction>();
        register_explicit::<i::CustomerTimeline>();
    }
    // Support tickets and projects (CRM core).
    {
        use app::api::{projects, tickets};
        register_explicit::<tickets::ListTickets>();
        register_explicit::<tickets::GetTicket>();
        register_explicit::<tickets::CreateTicket>();
        register_explicit::<tickets::UpdateTicket>();
        register_explicit::<tickets::DeleteTicket>();
        register_explicit::<tickets::BulkTicketAction>();
        register_explicit::<tickets::ListTicketComments>();
        register_explicit::<tickets::AddTicketComment>();
        register_explicit::<projects::ListProjects>();
        register_explicit::<projects::GetProject>();
        register_explicit::<projects::CreateProject>();
        register_explicit::<projects::UpdateProject>();
        register_explicit::<projects::DeleteProject>();
        register_explicit::<projects::BulkProjectAction>();
        register_explicit::<projects::ProjectOpportunity>();
        register_explicit::<projects::ListMilestones>();
        register_explicit::<projects::CreateMilestone>();
        register_explicit::<projects::UpdateMilestone>();
        register_explicit::<projects::DeleteMilestone>();
    }
    // opportunities (pipeline) and the sales-pipeline report
    {
        use app::api::opportunities as o;
        register_explicit::<o::ListOpportunities>();
        register_explicit::<o::GetOpportunity>();
        register_explicit::<o::CreateOpportunity>();
        register_explicit::<o::UpdateOpportunity>();
        register_explicit::<o::DeleteOpportunity>();
        register_explicit::<o::BulkOpportunityAction>();
        register_explicit::<o::OpportunityStageHistory>();
        register_explicit::<o::SalesPipelineReport>();
    }
    // Inventory and purchasing (issue #5).
    {
        use app::api::inventory as inv;
        register_explicit::<inv::ListAssets>();
        register_explicit::<inv::GetAsset>();
        register_explicit::<inv::CreateAsset>();
        register_explicit::<inv::UpdateAsset>();
        register_explicit::<inv::DeleteAsset>();
        register_explicit::<inv::AllocateAsset>();
        register_explicit::<inv::ReturnAsset>();
        register_explicit::<inv::AdjustAssetStock>();
        register_explicit::<inv::AssetMovements>();
        register_explicit::<inv::AssetAllocations>();
        register_explicit::<inv::AssetUnits>();
        register_explicit::<inv::AssetMaintenance>();
        register_explicit::<inv::AddAssetMaintenance>();
        register_explicit::<inv::AssetDepreciation>();
        register_explicit::<inv::StockLevels>();
        register_explicit::<inv::AssetVendors>();
        register_explicit::<inv::ListVendors>();
        register_explicit::<inv::GetVendor>();
        register_explicit::<inv::CreateVendor>();
        register_explicit::<inv::UpdateVendor>();
        register_explicit::<inv::DeleteVendor>();
        register_explicit::<inv::VendorAssets>();
        register_explicit::<inv::SetVendorPrice>();
        register_explicit::<inv::RemoveVendorPrice>();
        register_explicit::<inv::ListPurchaseOrders>();
        register_explicit::<inv::GetPurchaseOrder>();
        register_explicit::<inv::CreatePurchaseOrder>();
        register_explicit::<inv::UpdatePurchaseOrder>();
        register_explicit::<inv::DeletePurchaseOrder>();
        register_explicit::<inv::ReceivePurchaseOrder>();
        register_explicit::<inv::SuggestedOrders>();
        register_explicit::<inv::DraftSuggestedOrders>();
        register_explicit::<inv::DemandOverview>();
        register_explicit::<inv::InventoryValuation>();
        register_explicit::<inv::AllocationsOf>();
        register_explicit::<inv::AssetDemandPlan>();
        register_explicit::<inv::ProjectDemands>();
        register_explicit::<inv::AddProjectDemand>();
        register_explicit::<inv::DeleteProjectDemand>();
    }
}
