// Passed to node with --import before webtorrent-cli: registers the resolve hook of webtorrent-loader.mjs.
import {register} from 'node:module';

register('./webtorrent-loader.mjs', import.meta.url);
