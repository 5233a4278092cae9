import js from '@eslint/js';

const browser = {
    self: 'readonly', chrome: 'readonly', browser: 'readonly', console: 'readonly', document: 'readonly',
    window: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', fetch: 'readonly',
    AbortController: 'readonly',
};
const node = {
    process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
    clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly',
    WebSocket: 'readonly', fetch: 'readonly',
};

export default [
    js.configs.recommended,
    {
        files: ['extension/**/*.js'],
        languageOptions: {ecmaVersion: 2022, sourceType: 'module', globals: browser},
    },
    {
        // The gate's dashboard scripts: classic scripts in the gate's pages (the plots' after uPlot's).
        files: ['publisher/sluice-gate/assets/**/*.js'],
        languageOptions: {ecmaVersion: 2022, sourceType: 'script',
            globals: {document: 'readonly', uPlot: 'readonly', URL: 'readonly', Blob: 'readonly'}},
    },
    {
        // Content scripts cannot be modules: these are classic scripts, each setting one object on globalThis
        // for the scripts listed after it in the manifest (extension/README.md, "Code shared with the content
        // scripts"), so import and export are errors here.
        files: ['extension/common/classic/**/*.js', 'extension/content/**/*.js'],
        languageOptions: {sourceType: 'script'},
    },
    {
        files: ['tests/js/**/*.mjs', 'tests/e2e/**/*.mjs', 'tests/package/**/*.mjs', 'demo/**/*.mjs', 'eslint.config.js'],
        languageOptions: {ecmaVersion: 2022, sourceType: 'module', globals: node},
    },
    {
        // End-to-end tests hand functions to the browser to run in its pages.
        files: ['tests/e2e/**/*.mjs'],
        languageOptions: {globals: {...node, document: 'readonly', window: 'readonly', chrome: 'readonly'}},
    },
    {
        rules: {
            indent: ['error', 4, {SwitchCase: 1}],
            quotes: ['error', 'single', {avoidEscape: true}],
            semi: ['error', 'always'],
            'no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
            eqeqeq: 'error',
        },
    },
];
