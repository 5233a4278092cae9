// The .deb that `make package` builds (SLUICE_DEB names the file): what it holds, its maintainer scripts, and
// an install/remove/purge round trip with dpkg in a throwaway root, where its postinst and prerm register
// and unregister the host exactly.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, relative} from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const deb = process.env.SLUICE_DEB;
const origin = 'chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/';
const addon = 'sluice@sluice-project.org';
// Where postinst registers the host (Brave, Vivaldi and Opera read Chrome's folder).
const systemManifests = {
    'etc/opt/chrome/native-messaging-hosts/org.sluice.host.json': 'chromium',
    'etc/chromium/native-messaging-hosts/org.sluice.host.json': 'chromium',
    'etc/opt/edge/native-messaging-hosts/org.sluice.host.json': 'chromium',
    'usr/lib/mozilla/native-messaging-hosts/org.sluice.host.json': 'firefox',
};

function scratch(t) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-deb-'));
    t.after(() => rmSync(dir, {recursive: true, force: true}));
    return dir;
}

// Every path under `dir` but dpkg's own database, each with its contents ('<dir>' for folders).
function snapshot(dir, skip = 'var/lib/dpkg') {
    const out = {};
    const walk = (folder) => {
        for (const name of readdirSync(folder)) {
            const path = join(folder, name);
            const rel = relative(dir, path);
            if (rel === skip || rel.startsWith(`${skip}/`)) {
                continue;
            }
            if (statSync(path).isDirectory()) {
                out[rel] = '<dir>';
                walk(path);
            } else {
                out[rel] = readFileSync(path, 'latin1');
            }
        }
    };
    walk(dir);
    return out;
}

function gitFiles(folder) {
    return execFileSync('git', ['ls-files', folder], {cwd: root, encoding: 'utf8'}).split('\n').filter(Boolean);
}

// dpkg working on `target` instead of /, running the maintainer scripts outside a chroot with DPKG_ROOT set.
function dpkg(target, log, ...args) {
    const asRoot = process.getuid() === 0 ? [] : ['--force-not-root'];
    const r = spawnSync('dpkg', [`--root=${target}`, `--log=${log}`, '--force-script-chrootless', '--force-depends',
        ...asRoot, ...args], {encoding: 'utf8'});
    assert.equal(r.status, 0, `dpkg ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

test('the package holds the binaries, the extension, the docs and the gate unit, and nothing in /etc', () => {
    assert.ok(deb, 'SLUICE_DEB names the .deb to check (make test-package sets it)');
    const paths = execFileSync('dpkg-deb', ['-c', deb], {encoding: 'utf8'}).split('\n').filter(Boolean)
        .map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^\.\//, ''));
    for (const wanted of ['usr/bin/sluice-host', 'usr/bin/sluice-bundle', 'usr/bin/sluice-gate',
        'usr/lib/systemd/system/sluice-gate.service', 'usr/share/doc/sluice/README.md',
        'usr/share/doc/sluice/install.md', 'usr/share/doc/sluice/protocol/schema/native-messaging.json']) {
        assert.ok(paths.includes(wanted), `${wanted} is missing`);
    }
    for (const file of gitFiles('extension')) {
        if (file !== 'extension/icons/render.sh') {
            assert.ok(paths.includes(`usr/share/sluice/${file}`), `${file} is missing`);
        }
    }
    // The registration is postinst's work, recorded and undone by the host itself, never a stale file.
    assert.deepEqual(paths.filter((p) => /^(etc|home|var|opt|root)\//.test(p)), []);
    assert.equal(execFileSync('dpkg-deb', ['-f', deb, 'Package'], {encoding: 'utf8'}).trim(), 'sluice');
    assert.match(execFileSync('dpkg-deb', ['-f', deb, 'Depends'], {encoding: 'utf8'}), /libtorrent-rasterbar2\.0/);
});

test('its maintainer scripts are executable shell that register and unregister through sluice-host', (t) => {
    const control = scratch(t);
    execFileSync('dpkg-deb', ['-e', deb, control]);
    for (const script of ['postinst', 'prerm', 'postrm']) {
        assert.equal(statSync(join(control, script)).mode & 0o777, 0o755, script);
        execFileSync('sh', ['-n', join(control, script)]);
    }
    assert.match(readFileSync(join(control, 'postinst'), 'utf8'), /sluice-host" install --system/);
    assert.match(readFileSync(join(control, 'prerm'), 'utf8'), /sluice-host" uninstall --system/);
});

test('unpacked, the host runs and the extension is the one in the repository', (t) => {
    const unpacked = scratch(t);
    execFileSync('dpkg', ['-x', deb, unpacked]);
    const version = spawnSync(join(unpacked, 'usr/bin/sluice-host'), ['--version'], {encoding: 'utf8'});
    assert.equal(version.status, 0);
    assert.match(version.stderr, /^sluice-host \d+\.\d+\.\d+/);
    assert.equal(version.stdout, '');
    assert.deepEqual(readFileSync(join(unpacked, 'usr/share/sluice/extension/manifest.json')),
        readFileSync(join(root, 'extension/manifest.json')));
});

test('installed in a throwaway root it registers the host system-wide; removed and purged it leaves nothing', (t) => {
    const work = scratch(t);
    const target = join(work, 'root');
    const log = join(work, 'dpkg.log');
    for (const dir of ['var/lib/dpkg/updates', 'var/lib/dpkg/info', 'etc/opt']) {
        mkdirSync(join(target, dir), {recursive: true});
    }
    writeFileSync(join(target, 'var/lib/dpkg/status'), '');
    // Another program's manifest in a shared folder must survive us.
    mkdirSync(join(target, 'etc/chromium/native-messaging-hosts'), {recursive: true});
    writeFileSync(join(target, 'etc/chromium/native-messaging-hosts/com.example.other.json'), '{"name":"x"}\n');
    const before = snapshot(target);

    dpkg(target, log, '--install', deb);
    for (const [file, kind] of Object.entries(systemManifests)) {
        const manifest = JSON.parse(readFileSync(join(target, file), 'utf8'));
        assert.equal(manifest.path, '/usr/bin/sluice-host', file);
        assert.equal(statSync(join(target, file)).mode & 0o777, 0o644, file);
        if (kind === 'chromium') {
            assert.deepEqual(manifest.allowed_origins, [origin], file);
        } else {
            assert.deepEqual(manifest.allowed_extensions, [addon], file);
        }
    }
    // The path the manifests name is the packaged binary, and it runs.
    assert.equal(spawnSync(join(target, 'usr/bin/sluice-host'), ['--version']).status, 0);

    // Installing the same package again (an upgrade) keeps the registration.
    dpkg(target, log, '--install', deb);
    for (const file of Object.keys(systemManifests)) {
        assert.ok(statSync(join(target, file)).isFile(), `${file} is gone after reinstalling`);
    }

    dpkg(target, log, '--remove', 'sluice');
    dpkg(target, log, '--purge', 'sluice');
    assert.deepEqual(snapshot(target), before);
});
