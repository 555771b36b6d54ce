//! Editing a customer on its detail page, with the "changed by someone else" (412) prompt.

use crate::api::customers::update_customer;
use crate::components::FormState;
use crate::components::form::FormAlert;
use crate::components::user_choices::UserChoices;
use crate::pages::customers::customer_form::{
    CUSTOMER_FIELDS, CustomerFields, CustomerFormFields, patch_between,
};
use domain::customer::{Customer, CustomerInput, CustomerPatch};
use leptos::prelude::*;
use leptos::task::spawn_local;

pub const STALE_MESSAGE: &str =
    "This customer was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn EditCustomerForm(
    customer: Customer,
    users: UserChoices,
    #[prop(into)] on_saved: Callback<Customer>,
    #[prop(into)] on_cancel: Callback<()>,
    /// Loads the record again (after a 412).
    #[prop(into)]
    on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let before = CustomerInput::from(&customer);
    let fields = CustomerFields::from_input(&before);
    let (id, version) = (customer.id, customer.version);
    let unchanged = StoredValue::new(customer);
    let before = StoredValue::new(before);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input().clean() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        let patch = before.with_value(|b| patch_between(b, input));
        if patch == CustomerPatch::default() {
            on_saved.run(unchanged.get_value());
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_customer(id, version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(c) => on_saved.run(c),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &CUSTOMER_FIELDS);
                    }
                }
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit customer"</h2>
            <form novalidate on:submit=on_submit>
                <Show when=move || form.status.get() == Some(412)>
                    <div class="form-alert form-alert-warning" role="alert">
                        <p>{STALE_MESSAGE}</p>
                        <button type="button" class="btn btn-secondary" on:click=move |_| on_reload.run(())>
                            "Reload"
                        </button>
                    </div>
                </Show>
                <FormAlert form=form />
                <CustomerFormFields fields=fields form=form users=users />
                <div class="form-buttons">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <button
                        type="submit"
                        class="btn btn-primary"
                        disabled=move || form.busy.get()
                        aria-busy=move || form.busy.get().then_some("true")
                    >
                        "Save"
                    </button>
                </div>
            </form>
        </section>
    }
}
