// The HTTP client that carries webhooks: keep-alive connections (a benchmark sends thousands), a time limit
// per attempt, and a close() that cuts whatever is still under way so the fake can stop at once.
import http from 'node:http';
import https from 'node:https';
import {Buffer} from 'node:buffer';

const ATTEMPT_TIMEOUT_MS = 10000;

export function createPoster({maxSockets, tls = {}}) {
    const agents = {
        'http:': new http.Agent({keepAlive: true, maxSockets}),
        'https:': new https.Agent({keepAlive: true, maxSockets, ...tls}),
    };
    const underWay = new Set();

    // Answers the HTTP status, or 0 when no answer came (refused, reset, timed out).
    function post(url, body, headers) {
        const client = url.protocol === 'https:' ? https : http;
        return new Promise((resolve) => {
            const request = client.request(url, {
                method: 'POST', agent: agents[url.protocol], timeout: ATTEMPT_TIMEOUT_MS,
                headers: {...headers, 'Content-Length': Buffer.byteLength(body)},
            });
            underWay.add(request);
            const finish = (status) => {
                underWay.delete(request);
                resolve(status);
            };
            request.on('timeout', () => request.destroy(new Error('timed out')));
            request.on('error', () => finish(0));
            request.on('response', (response) => {
                response.resume();
                response.on('end', () => finish(response.statusCode));
                response.on('error', () => finish(0));
            });
            request.end(body);
        });
    }

    function close() {
        for (const request of underWay) {
            request.destroy();
        }
        for (const agent of Object.values(agents)) {
            agent.destroy();
        }
    }

    return {post, close};
}
