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
}
