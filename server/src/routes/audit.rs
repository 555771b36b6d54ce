use crate::extract::{ApiQuery, Caller};
use crate::pdf_table::Column;
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::audit::{self, Authorised};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::audit::{AuditEntry, AuditQuery};
use domain::{Page, Problem};

/// The audit trail, newest first (admins and managers). `?format=csv` streams every matching row as CSV;
/// `?format=pdf` prints the newest 10,000 matching rows as a PDF (landscape A4).
#[utoipa::path(get, path = "/audit-logs", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    match q.format.as_deref() {
        Some("csv") => {}
        Some("pdf") => return pdf(&s, &a, q).await,
        _ => return Ok(Json(audit::list(&s.ctx, &a, q).await?).into_response()),
    }
    let mut f = audit::filter(&s.ctx, &a, q).await?;
    f.filter.limit = 1000;
    // Fused: a consumer may poll once more after the end (the gzip encoder does), and a bare `unfold`
    // panics then, cutting the download short.
    let rows = futures::stream::unfold(Some((s, f, true)), next_chunk);
    let body = Body::from_stream(futures::StreamExt::fuse(rows));
    Ok(attachment(
        body.into_response(),
        "text/csv; charset=utf-8",
        "attachment; filename=\"audit-log.csv\"",
    ))
}

/// `res` as a download: its content type and file name.
fn attachment(
    mut res: Response,
    content_type: &'static str,
    disposition: &'static str,
) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    res
}

type Chunk = Result<bytes::Bytes, std::io::Error>;

/// One page of 1,000 rows as CSV; the keyset cursor moves on until the filter is exhausted.
async fn next_chunk(
    state: Option<(AppState, Authorised, bool)>,
) -> Option<(Chunk, Option<(AppState, Authorised, bool)>)> {
    let (s, mut f, first) = state?;
    let rows = match audit::page(&s.ctx, &f).await {
        Ok(rows) => rows,
        Err(e) => return Some((Err(std::io::Error::other(e.to_string())), None)),
    };
    let limit = usize::try_from(f.filter.limit).unwrap_or(1000);
    let more = rows.len() > limit;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut result = Ok(());
    if first {
        result = w.write_record([
            "id",
            "at",
            "actor_id",
            "actor_email",
            "action",
            "entity",
            "entity_id",
            "changes",
            "request_id",
            "ip",
        ]);
    }
    for r in rows.iter().take(limit) {
        if result.is_ok() {
            result = w.write_record([
                r.id.to_string(),
                r.at.to_rfc3339(),
                r.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                r.actor_email.clone().unwrap_or_default(),
                r.action.clone(),
                r.entity.clone(),
                r.entity_id.map(|e| e.to_string()).unwrap_or_default(),
                r.changes.to_string(),
                r.request_id.clone().unwrap_or_default(),
                r.ip.clone().unwrap_or_default(),
            ]);
        }
    }
    let bytes = match (result, w.into_inner()) {
        (Ok(()), Ok(b)) => b,
        _ => return Some((Err(std::io::Error::other("csv encoding failed")), None)),
    };
    let next = if more {
        f.filter.before_id = rows.get(limit - 1).map(|r| r.id);
        Some((s, f, false))
    } else {
        None
    };
    Some((Ok(bytes.into()), next))
}

/// The most rows one PDF holds (about 190 pages); the CSV export has no limit.
pub const PDF_LIMIT: usize = 10_000;

async fn pdf(s: &AppState, a: &app::ssr::Actor, q: AuditQuery) -> ApiResult<Response> {
    let mut f = audit::filter(&s.ctx, a, q).await?;
    f.filter.limit = 1000;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut truncated = false;
    loop {
        let page = audit::page(&s.ctx, &f).await?;
        let limit = usize::try_from(f.filter.limit).unwrap_or(1000);
        let more = page.len() > limit;
        for r in page.iter().take(limit) {
            if rows.len() == PDF_LIMIT {
                truncated = true;
                break;
            }
            rows.push(vec![
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.actor_email.clone().unwrap_or_default(),
                r.action.clone(),
                r.entity.clone(),
                r.entity_id.map(|e| e.to_string()).unwrap_or_default(),
                summary(&r.changes),
                r.ip.clone().unwrap_or_default(),
            ]);
        }
        if truncated || !more {
            break;
        }
        f.filter.before_id = page.get(limit - 1).map(|r| r.id);
    }
    let columns = [
        Column {
            title: "at (UTC)",
            width: 19,
        },
        Column {
            title: "actor",
            width: 26,
        },
        Column {
            title: "action",
            width: 22,
        },
        Column {
            title: "entity",
            width: 14,
        },
        Column {
            title: "entity id",
            width: 36,
        },
        Column {
            title: "changes",
            width: 54,
        },
        Column {
            title: "ip",
            width: 15,
        },
    ];
    let mut subtitle = format!(
        "Exported {} by {} - {} entries{}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        a.principal.email,
        rows.len(),
        if truncated {
            " (the newest 10,000; the CSV export has all)"
        } else {
            ""
        },
    );
    let f = &f.filter;
    for (k, v) in [("entity", f.entity.clone()), ("action", f.action.clone())] {
        if let Some(v) = v {
            subtitle.push_str(&format!(", {k} {v}"));
        }
    }
    if let Some(from) = f.from {
        subtitle.push_str(&format!(", from {}", from.format("%Y-%m-%d %H:%M")));
    }
    if let Some(to) = f.to {
        subtitle.push_str(&format!(", to {}", to.format("%Y-%m-%d %H:%M")));
    }
    let body = crate::pdf_table::render("CRM-IMS audit log", &subtitle, &columns, &rows);
    Ok(attachment(
        body.into_response(),
        "application/pdf",
        "attachment; filename=\"audit-log.pdf\"",
    ))
}

/// `field: from → to; …` of an entry's changes, for the printed log.
fn summary(changes: &serde_json::Value) -> String {
    let Some(map) = changes.as_object() else {
        return String::new();
    };
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "-".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    map.iter()
        .map(|(k, v)| match (v.get("from"), v.get("to")) {
            (None, None) => format!("{k}: {}", show(Some(v))),
            (from, to) => format!("{k}: {} > {}", show(from), show(to)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
