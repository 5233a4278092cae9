// Stripe Event objects. An event keeps the snapshot of its object as JSON text taken when it happened and
// builds its body from it on each delivery: the bytes are the same every time (a duplicate or a redelivery
// is the same event), and a delivered event costs little memory, as the snapshot is often the very string
// the API answered with.
import {nowSeconds} from './clock.mjs';
import {newId} from './ids.mjs';

export const API_VERSION = '2024-06-20';

// `request`: {id, idempotency_key} of the API request that caused it; both null for what the backer did on
// the hosted page, as Stripe sends for actions taken in its dashboard or pages.
export function createEvent(type, objectJson, request) {
    return {id: newId('evt_'), type, created: nowSeconds(), objectJson, request};
}

export function eventBody(event) {
    return `{"id":${JSON.stringify(event.id)},"object":"event","api_version":"${API_VERSION}",` +
        `"created":${event.created},"data":{"object":${event.objectJson}},"livemode":false,"pending_webhooks":1,` +
        `"request":${JSON.stringify(event.request)},"type":${JSON.stringify(event.type)}}`;
}
