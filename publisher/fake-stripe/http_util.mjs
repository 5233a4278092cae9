// Small pieces of HTTP shared by the API, the hosted page and the control endpoints.
import {Buffer} from 'node:buffer';

export class BodyTooLarge extends Error {}

// The whole request body as text; a body over `limit` bytes is refused rather than buffered.
export function readBody(request, limit = 1 << 20) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        request.on('data', (chunk) => {
            size += chunk.length;
            if (size > limit) {
                reject(new BodyTooLarge(`the request body is over ${limit} bytes`));
                request.destroy();
                return;
            }
            chunks.push(chunk);
        });
        request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        request.on('error', reject);
    });
}

export function send(response, status, body, headers) {
    response.writeHead(status, {...headers, 'Content-Length': Buffer.byteLength(body)});
    response.end(body);
}

export function sendJson(response, status, value, headers = {}) {
    send(response, status, typeof value === 'string' ? value : JSON.stringify(value),
        {'Content-Type': 'application/json', 'Cache-Control': 'no-cache, no-store', ...headers});
}

export function escapeHtml(text) {
    return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The control endpoints take JSON; an empty body is an empty object.
export function parseJsonObject(text) {
    if (text.trim() === '') {
        return {};
    }
    const value = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error('the body must be a JSON object');
    }
    return value;
}
