// The demo's media: four short films (VP9 + Opus WebM, made by ffmpeg from its test patterns), a cover, a
// booklet (a one-page PDF written by hand) and WebVTT subtitles in French and English. Each file is made
// once: a folder that already holds it keeps it, so a second run starts in seconds.
import {execFile} from 'node:child_process';
import {existsSync, mkdirSync, renameSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export const films = [
    {path: 'pilot.webm', seconds: 24, pattern: 'testsrc2', tone: 440, caption: 'Les Veilleurs - pilote'},
    {path: 'episode-1.webm', seconds: 20, pattern: 'smptehdbars', tone: 550, caption: 'Episode 1 - La relève'},
    {path: 'season-2/episode-2.webm', seconds: 16, pattern: 'rgbtestsrc', tone: 660,
        caption: 'Saison 2 - episode 2'},
    {path: 'season-2/making-of.webm', seconds: 12, pattern: 'testsrc', tone: 330,
        caption: 'Saison 2 - making-of'},
];

// Written to a temporary name and renamed, so an interrupted run never leaves a half file that a later run
// would take as made.
async function ffmpeg(out, args) {
    const partial = `${out}.partial.webm`;
    await run('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error', ...args, partial], {maxBuffer: 1 << 20});
    renameSync(partial, out);
}

async function makeFilm(file, {seconds, pattern, tone, caption}) {
    const video = `${pattern}=size=640x360:rate=30:duration=${seconds}`;
    const audio = `sine=frequency=${tone}:sample_rate=48000:duration=${seconds}`;
    const encode = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '60',
        '-c:a', 'libopus', '-b:a', '64k', '-shortest'];
    const text = caption.replace(/[\\':]/g, '');
    const titled = `drawtext=text='${text}':fontcolor=white:fontsize=28:box=1:boxcolor=black@0.6:x=20:y=h-60`;
    try {
        await ffmpeg(file, ['-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', audio, '-vf', titled, ...encode]);
    } catch {
        // drawtext needs a font through fontconfig; without one the film simply has no caption.
        await ffmpeg(file, ['-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', audio, ...encode]);
    }
}

function cue(seconds) {
    const s = Math.floor(seconds);
    return `00:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.000`;
}

function webvtt(lines) {
    const cues = lines.map((text, i) => `${i + 1}\n${cue(i * 4 + 1)} --> ${cue(i * 4 + 4)}\n${text}\n`);
    return `WEBVTT\n\n${cues.join('\n')}`;
}

const subtitles = {
    'subtitles/pilot.fr.vtt': webvtt(['La nuit tombe sur la ville.', 'Les veilleurs prennent leur poste.',
        'Personne ne dort, ce soir.', 'Écoutez : le signal revient.', 'À suivre…']),
    'subtitles/pilot.en.vtt': webvtt(['Night falls on the city.', 'The watchers take their posts.',
        'Nobody sleeps tonight.', 'Listen: the signal is back.', 'To be continued…']),
    'subtitles/episode-1.fr.vtt': webvtt(['La relève arrive à minuit.', 'Qui a laissé la porte ouverte ?',
        'Le signal vient du port.', 'Fin de l’épisode 1.']),
    'subtitles/episode-1.en.vtt': webvtt(['The next watch arrives at midnight.', 'Who left the door open?',
        'The signal comes from the harbour.', 'End of episode 1.']),
};

// The smallest PDF readers accept: one page of Helvetica text, its cross-reference table computed here.
export function bookletPdf(lines) {
    const escape = (s) => s.replace(/[\\()]/g, (c) => `\\${c}`);
    const text = lines.map((line, i) => `BT /F1 ${i === 0 ? 22 : 12} Tf 48 ${540 - i * 26} Td (${escape(line)}) Tj ET`)
        .join('\n');
    const objects = [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Resources << /Font << /F1 4 0 R >> >> ' +
            '/Contents 5 0 R >>',
        '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
        `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    ];
    let body = '%PDF-1.4\n';
    const offsets = [];
    objects.forEach((object, i) => {
        offsets.push(Buffer.byteLength(body, 'latin1'));
        body += `${i + 1} 0 obj\n${object}\nendobj\n`;
    });
    const xref = Buffer.byteLength(body, 'latin1');
    body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
    body += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
    body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(body, 'latin1');
}

const booklet = bookletPdf([
    'Les Veilleurs',
    'Livret de la série  /  The series booklet',
    '',
    'Six épisodes, une ville, une nuit sans fin.',
    'Six episodes, one city, one endless night.',
    '',
    'Merci de soutenir Atelier Nuit.',
    'Thank you for supporting Atelier Nuit.',
]);

function writeOnce(file, bytes) {
    if (!existsSync(file)) {
        mkdirSync(dirname(file), {recursive: true});
        writeFileSync(`${file}.partial`, bytes);
        renameSync(`${file}.partial`, file);
    }
}

// Makes whatever of the media is missing in `folder`; `log` hears about each film made.
export async function makeMedia(folder, log = () => {}) {
    for (const film of films) {
        const file = join(folder, film.path);
        if (!existsSync(file)) {
            mkdirSync(dirname(file), {recursive: true});
            log(`making ${film.path} (${film.seconds} s)`);
            await makeFilm(file, film);
        }
    }
    const cover = join(folder, 'art/cover.jpg');
    if (!existsSync(cover)) {
        mkdirSync(dirname(cover), {recursive: true});
        await run('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error', '-ss', '3', '-i', join(folder, 'pilot.webm'),
            '-frames:v', '1', '-q:v', '4', `${cover}.partial.jpg`]);
        renameSync(`${cover}.partial.jpg`, cover);
    }
    for (const [path, text] of Object.entries(subtitles)) {
        writeOnce(join(folder, path), text);
    }
    writeOnce(join(folder, 'booklet.pdf'), booklet);
}
