//! The paths and schemas of webhooks (issue 18): 浙政钉/DingTalk group robots and generic JSON
//! receivers, their delivery log and the test post. Part of the one document `super` builds.

use super::{crud, id_param, list_schema, params, r, responses};
use hezuo_domain::webhook::{Delivery, DeliveryStatus, Webhook, WebhookEvent, WebhookInput, WebhookKind};
use serde_json::{Value, json};
use utoipa::{PartialSchema, ToSchema};

/// The webhook's schemas: the record, its input, the events and kinds, a delivery.
pub(super) fn schemas(schemas: &mut serde_json::Map<String, Value>) {
    let mut found = Vec::new();
    found.push((Webhook::name().into_owned(), Webhook::schema()));
    <Webhook as ToSchema>::schemas(&mut found);
    found.push((WebhookInput::name().into_owned(), WebhookInput::schema()));
    <WebhookInput as ToSchema>::schemas(&mut found);
    found.push((WebhookKind::name().into_owned(), WebhookKind::schema()));
    found.push((WebhookEvent::name().into_owned(), WebhookEvent::schema()));
    found.push((DeliveryStatus::name().into_owned(), DeliveryStatus::schema()));
    found.push((Delivery::name().into_owned(), Delivery::schema()));
    <Delivery as ToSchema>::schemas(&mut found);
    for (name, s) in found {
        schemas
            .entry(name)
            .or_insert_with(|| serde_json::to_value(s).unwrap_or(Value::Null));
    }
}

pub(super) fn paths(paths: &mut serde_json::Map<String, Value>) {
    let tag = "webhooks";
    crud(
        paths,
        "webhooks",
        tag,
        "Webhook",
        "WebhookInput",
        params::<hezuo_domain::webhook::WebhookFilter>(),
    );
    paths.insert("/api/v1/webhooks/{id}/deliveries".into(), json!({ "get": { "tags": [tag],
        "summary": "The webhook's delivery log, newest first: each event posted (or to be), its status (pending, delivered, \
                    failed), attempts, the receiver's last HTTP status and error, and when it is tried again",
        "operationId": "list_webhook_deliveries", "parameters": [id_param("id")],
        "responses": responses("200", "One page", list_schema("Delivery"), &["400", "404", "422"]) } }));
    paths.insert(
        "/api/v1/webhooks/{id}/test".into(),
        json!({ "post": { "tags": [tag],
        "summary": "Post a test message to the webhook now (whoever may edit it); never retried",
        "operationId": "test_webhook", "parameters": [id_param("id")],
        "responses": responses("200", "The test delivery after its attempt", r("Delivery"), &["403", "404"]) } }),
    );
}
