// Web pages for the tests: stand-ins for any site, served on loopback.
import {createServer} from 'node:http';

// For text put in an attribute or an element of a served page.
export function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

// Serves `pages` (by path) on one loopback port, reached as two origins: `base` (127.0.0.1) for a page, and
// `crossBase` (localhost) for a frame of another origin. The pages are looked up on each request, so a caller
// that needs the port in them can fill them in once the server listens.
export async function servePages(pages) {
    const server = createServer((request, response) => {
        const page = pages[new URL(request.url, 'http://x').pathname];
        response.writeHead(page ? 200 : 404, {'Content-Type': 'text/html; charset=utf-8'});
        response.end(page ?? 'not found');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address();
    return {
        base: `http://127.0.0.1:${port}`,
        crossBase: `http://localhost:${port}`,
        close: () => new Promise((r) => server.close(r)),
    };
}
