// webtorrent-cli has no switches for DHT, trackers, LSD, NAT traversal or uTP: when it imports 'webtorrent',
// it gets the subclass of webtorrent-client.mjs instead, which turns them off, so that it meets the TCP-only
// loopback seed as the other streamers do.
import {URL} from 'node:url';

const client = new URL('./webtorrent-client.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
    if (specifier === 'webtorrent' && context.parentURL && context.parentURL.includes('/webtorrent-cli/')) {
        return {url: client, shortCircuit: true};
    }
    return next(specifier, context);
}
