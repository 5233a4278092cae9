// The FAKE Stripe from the command line (see README.md):
//     node publisher/fake-stripe/server.mjs [--host 127.0.0.1] [--port 0] [--secret-key-file F]
//         [--webhook-url URL] [--webhook-secret-file F] [--latency-ms N] [--log]
// Once listening it prints one line of JSON on stdout, {"listening", "secretKey", "webhookSecret"}, for the
// script that started it to read; with --log, what it does goes to stderr. SIGTERM or SIGINT stops it.
import {readFileSync} from 'node:fs';
import process from 'node:process';
import {parseArgs} from 'node:util';
import {startFakeStripe} from './fake_stripe.mjs';

const OPTIONS = {
    host: {type: 'string', default: '127.0.0.1'},
    port: {type: 'string', default: '0'},
    'secret-key-file': {type: 'string'},
    'webhook-url': {type: 'string'},
    'webhook-secret-file': {type: 'string'},
    'latency-ms': {type: 'string', default: '0'},
    log: {type: 'boolean', default: false},
};

function fail(message) {
    process.stderr.write(`fake-stripe: ${message}\n`);
    process.exit(2);
}

function readSecret(file) {
    if (file === undefined) {
        return undefined;
    }
    try {
        return readFileSync(file, 'utf8').trim();
    } catch (error) {
        return fail(`cannot read ${file}: ${error.message}`);
    }
}

function wholeNumber(text, name) {
    if (!/^\d+$/.test(text)) {
        fail(`--${name} takes a whole number, not ${JSON.stringify(text)}`);
    }
    return Number(text);
}

function parseCommandLine() {
    try {
        return parseArgs({options: OPTIONS, strict: true, allowPositionals: false}).values;
    } catch (error) {
        return fail(error.message);
    }
}

const args = parseCommandLine();
const log = args.log ? (line) => process.stderr.write(`${line}\n`) : () => {};
let fake;
try {
    fake = await startFakeStripe({
        host: args.host, port: wholeNumber(args.port, 'port'), latencyMs: wholeNumber(args['latency-ms'], 'latency-ms'),
        secretKey: readSecret(args['secret-key-file']), webhookSecret: readSecret(args['webhook-secret-file']),
        webhookUrl: args['webhook-url'] ?? null, log,
    });
} catch (error) {
    fail(error.message);
}
process.stdout.write(`${JSON.stringify({listening: fake.base, secretKey: fake.secretKey,
    webhookSecret: fake.webhookSecret})}\n`);

let stopping = false;
async function stop(signal) {
    if (stopping) {
        return;
    }
    stopping = true;
    log(`${signal}: stopping`);
    await fake.close();
    process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
