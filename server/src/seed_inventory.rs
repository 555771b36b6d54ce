//! Demo inventory: vendors with prices, hardware and software assets, a partly received purchase order and a
//! few allocations. Written through the services as the demo inventory user, so the stock ledger, the audit
//! trail and the outbox are exactly what the app itself would have written.

use app::ssr::services::{assets, purchase_orders, vendors};
use app::ssr::{Actor, RequestMeta};
use domain::asset::{AllocateInput, AssetInput, AssetKind, Tracking};
use domain::depreciation::DepreciationMethod;
use domain::purchase_order::{PoLineInput, PurchaseOrderInput, ReceiveInput, ReceiveLineInput};
use domain::vendor::{VendorAssetInput, VendorInput};
use domain::{CustomerId, UserId};
use rust_decimal::Decimal;
use sqlx::PgPool;

fn fail(e: app::ssr::ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.into_problem())
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

pub async fn demo_inventory(db: &PgPool) -> anyhow::Result<()> {
    let assets_count: i64 = sqlx::query_scalar("SELECT count(*) FROM assets")
        .fetch_one(db)
        .await?;
    let inventory_user: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'inventory@example.com'")
            .fetch_optional(db)
            .await?;
    let (Some(user), 0) = (inventory_user, assets_count) else {
        return Ok(());
    };
    let ctx = crate::seed::cli_ctx(db.clone()).await?;
    let Some((principal, _)) = app::ssr::repo::users::principal(db, UserId(user)).await? else {
        return Ok(());
    };
    let actor = Actor {
        principal,
        meta: RequestMeta::default(),
    };
    let mut vendor_ids = Vec::new();
    for (name, email, lead) in [
        ("Dell Technologies", "orders@dell.example", 10),
        ("Lenovo", "b2b@lenovo.example", 14),
        ("Microsoft", "licensing@microsoft.example", 2),
    ] {
        let v = vendors::create(
            &ctx,
            &actor,
            VendorInput {
                name: name.into(),
                email: Some(email.into()),
                lead_time_days: lead,
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
        vendor_ids.push(v.id);
    }
    struct Item {
        sku: &'static str,
        name: &'static str,
        kind: AssetKind,
        category: &'static str,
        tracking: Tracking,
        vendor: usize,
        stock: i32,
        reorder: i32,
        price: i64,
        months: i32,
        method: DepreciationMethod,
    }
    let items = [
        Item {
            sku: "LAP-DELL-5440",
            name: "Dell Latitude 5440",
            kind: AssetKind::Hardware,
            category: "Hardware/Laptops",
            tracking: Tracking::Serial,
            vendor: 0,
            stock: 0,
            reorder: 2,
            price: 129_900,
            months: 36,
            method: DepreciationMethod::StraightLine,
        },
        Item {
            sku: "MON-DELL-P2723",
            name: "Dell P2723 27\" monitor",
            kind: AssetKind::Hardware,
            category: "Hardware/Monitors",
            tracking: Tracking::Quantity,
            vendor: 0,
            stock: 18,
            reorder: 5,
            price: 34_900,
            months: 60,
            method: DepreciationMethod::DecliningBalance,
        },
        Item {
            sku: "DOCK-LEN-USB-C",
            name: "Lenovo USB-C dock",
            kind: AssetKind::Hardware,
            category: "Hardware/Accessories",
            tracking: Tracking::Quantity,
            vendor: 1,
            stock: 4,
            reorder: 6,
            price: 18_900,
            months: 36,
            method: DepreciationMethod::SumOfYearsDigits,
        },
        Item {
            sku: "LIC-M365-E3",
            name: "Microsoft 365 E3 seat",
            kind: AssetKind::Software,
            category: "Software/Productivity",
            tracking: Tracking::Quantity,
            vendor: 2,
            stock: 50,
            reorder: 10,
            price: 43_200,
            months: 12,
            method: DepreciationMethod::StraightLine,
        },
    ];
    let mut created = Vec::new();
    for it in &items {
        let a = assets::create(
            &ctx,
            &actor,
            AssetInput {
                sku: it.sku.into(),
                name: it.name.into(),
                kind: it.kind,
                category: it.category.into(),
                tracking: Some(it.tracking),
                vendor_id: Some(vendor_ids[it.vendor]),
                total_quantity: it.stock,
                reorder_point: it.reorder,
                purchase_price: Some(money(it.price)),
                purchase_date: Some(chrono::Utc::now().date_naive() - chrono::Duration::days(120)),
                depreciation_method: it.method,
                useful_life_months: Some(it.months),
                salvage_value: Some(money(it.price / 10)),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
        vendors::set_price(
            &ctx,
            &actor,
            vendor_ids[it.vendor],
            a.id,
            VendorAssetInput {
                unit_price: money(it.price * 95 / 100),
                currency: "USD".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
        created.push(a);
    }
    // Ten laptops ordered from Dell, six received with serial numbers.
    let po = purchase_orders::create(
        &ctx,
        &actor,
        PurchaseOrderInput {
            vendor_id: Some(vendor_ids[0]),
            status: Some(domain::purchase_order::PoStatus::Ordered),
            notes: "Q1 laptop refresh".into(),
            lines: vec![PoLineInput {
                asset_id: Some(created[0].id),
                quantity: 10,
                unit_price: None,
            }],
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    purchase_orders::receive(
        &ctx,
        &actor,
        po.id,
        ReceiveInput {
            lines: vec![ReceiveLineInput {
                line_id: Some(po.lines[0].id),
                quantity: 6,
                serials: (1..=6).map(|i| format!("DL5440-{i:04}")).collect(),
            }],
        },
    )
    .await
    .map_err(fail)?;
    // Allocations: two laptops to the sales user, monitors to a customer.
    let sales: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'sales@example.com'")
            .fetch_optional(db)
            .await?;
    if let Some(sales) = sales {
        assets::allocate(
            &ctx,
            &actor,
            created[0].id,
            AllocateInput {
                quantity: 2,
                user_id: Some(UserId(sales)),
                note: "New hire kit".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
    }
    let customer: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM customers ORDER BY created_at LIMIT 1")
            .fetch_optional(db)
            .await?;
    if let Some(c) = customer {
        assets::allocate(
            &ctx,
            &actor,
            created[1].id,
            AllocateInput {
                quantity: 6,
                customer_id: Some(CustomerId(c)),
                note: "On-site workstations".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
    }
    println!(
        "demo inventory: {} vendors, {} assets, 1 purchase order",
        vendor_ids.len(),
        created.len()
    );
    Ok(())
}

/// `crm-ims seed --assets N [--movements M]`: N synthetic quantity-tracked assets (in 20 categories, 50
/// vendors), each with an opening receipt of 1,000 units, then M ledger movements in all (counted adjustments of
/// ±1, alternating, so the ledger and the stored quantities stay equal: `crm-ims stock reconcile` agrees).
/// Set-based SQL in batches, as a bulk load (`seed::bulk_load`); for benchmarks.
pub async fn bulk(db: &PgPool, assets: u64, movements: u64) -> anyhow::Result<()> {
    crate::seed::bulk_load(db, load(db, assets, movements)).await
}

async fn load(db: &PgPool, assets: u64, movements: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    sqlx::query(
        "INSERT INTO vendors (id, name, lead_time_days)
         SELECT gen_random_uuid(), 'Bench vendor ' || k, 3 + k % 20 FROM generate_series(1, 50) k
         ON CONFLICT DO NOTHING",
    )
    .execute(db)
    .await?;
    let offset: i64 = sqlx::query_scalar("SELECT count(*) FROM assets")
        .fetch_one(db)
        .await?;
    let mut done = 0u64;
    const BATCH: u64 = 50_000;
    while done < assets {
        let size = i64::try_from(BATCH.min(assets - done))?;
        let start = offset + i64::try_from(done)?;
        sqlx::query(
            "WITH v AS (SELECT array_agg(id ORDER BY name) AS ids FROM vendors),
             a AS (
               INSERT INTO assets (id, sku, name, kind, category, tracking, vendor_id, total_quantity,
                                   available_quantity, reorder_point, purchase_price, useful_life_months)
               SELECT gen_random_uuid(), 'BENCH-' || lpad(k::text, 8, '0'), 'Bench asset ' || k,
                      CASE WHEN k % 3 = 0 THEN 'software' ELSE 'hardware' END,
                      (ARRAY['Hardware', 'Software'])[k % 2 + 1] || '/Cat' || (k % 10),
                      'quantity', v.ids[k % 50 + 1], 1000, 1000, CASE WHEN k % 7 = 0 THEN 1000 ELSE 10 END,
                      (k % 2000 + 10)::numeric(14, 2), 36
               FROM generate_series($1::bigint + 1, $1::bigint + $2::bigint) k, v
               RETURNING id)
             INSERT INTO stock_movements (id, asset_id, kind, total_delta, available_delta, reason)
             SELECT gen_random_uuid(), id, 'receipt', 1000, 1000, 'Opening balance' FROM a",
        )
        .bind(start)
        .bind(size)
        .execute(db)
        .await?;
        done += u64::try_from(size)?;
    }
    let total_assets: i64 = sqlx::query_scalar("SELECT count(*) FROM assets")
        .fetch_one(db)
        .await?;
    let extra = movements.saturating_sub(assets);
    let mut moved = 0u64;
    const MOVE_BATCH: u64 = 250_000;
    // Pairs (+1, −1) on the same asset, so every asset's quantities are unchanged by the extra movements.
    while moved + 1 < extra {
        let pairs = i64::try_from(MOVE_BATCH.min(extra - moved) / 2)?;
        sqlx::query(
            "WITH ids AS (SELECT array_agg(id) AS ids FROM assets),
             picks AS (SELECT ids.ids[1 + (random() * ($2::bigint - 1))::bigint] AS asset_id, k
                       FROM generate_series(1, $1::bigint) k, ids)
             INSERT INTO stock_movements (id, asset_id, kind, total_delta, available_delta, reason, at)
             SELECT gen_random_uuid(), asset_id, 'adjustment', d, d, 'Bench count',
                    now() - make_interval(secs => (random() * 31536000)::int)
             FROM picks, (VALUES (1), (-1)) AS s (d)",
        )
        .bind(pairs)
        .bind(total_assets)
        .execute(db)
        .await?;
        moved += u64::try_from(pairs * 2)?;
        println!("  {moved}/{extra} extra movements");
    }
    sqlx::query("ANALYZE assets, stock_movements")
        .execute(db)
        .await?;
    println!(
        "seeded {assets} assets and {} movements in {:.1}s",
        assets + moved,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
