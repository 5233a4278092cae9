// WebTorrent with everything off that would reach past loopback or dial uTP; see webtorrent-loader.mjs.
import WebTorrent from 'webtorrent';

export default class LoopbackWebTorrent extends WebTorrent {
    constructor(opts = {}) {
        super({
            ...opts, dht: false, tracker: false, lsd: false, utPex: false, utp: false, natUpnp: false, natPmp: false,
        });
    }
}
