// The media the e2e media tests play: one folder (one torrent) of short files in the containers and codecs people
// download, made by Debian's ffmpeg from its test patterns (testsrc2 at 320x240, 25 fps, and a sine tone, 6 s
// each) with the fastest settings, and a few hostile files beside them. The H.264 and HEVC video is encoded once
// and copied into each container that carries it, so the whole corpus takes seconds on two cores.
//
// Subtitles have cues at known times (cueTimes), so a test knows when text must be on screen.
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export const SECONDS = 6;

// [start, end, text] of every subtitle file made here: text on screen from 0.2 s to the end, so a seek anywhere
// (and a screenshot at any time) finds a cue.
export const cueTimes = [[0.2, 2.0, 'one'], [2.0, 4.0, 'two'], [4.0, 5.9, 'three']];

function clock(seconds, separator) {
    const ms = Math.round(seconds * 1000);
    const s = Math.floor(ms / 1000);
    return `00:00:${String(s).padStart(2, '0')}${separator}${String(ms % 1000).padStart(3, '0')}`;
}

function srt(words) {
    return cueTimes.map(([start, end, text], i) =>
        `${i + 1}\n${clock(start, ',')} --> ${clock(end, ',')}\n${words} ${text}\n`).join('\n');
}

function ass(words) {
    const time = (seconds) => `0:00:${(Math.floor(seconds * 100) / 100).toFixed(2).padStart(5, '0')}`;
    return ['[Script Info]', 'ScriptType: v4.00+', 'PlayResX: 320', 'PlayResY: 240', '',
        '[V4+ Styles]',
        'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, ' +
            'Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, ' +
            'MarginL, MarginR, MarginV, Encoding',
        'Style: Default,Sans,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,' +
            '10,1',
        '', '[Events]', 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
        ...cueTimes.map(([start, end, text]) => `Dialogue: 0,${time(start)},${time(end)},Default,,0,0,0,,${words} ${text}`),
        ''].join('\n');
}

const ffmpeg = (args) => run('ffmpeg', ['-v', 'error', '-y', ...args], {maxBuffer: 1 << 20});

const video = ['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${SECONDS}`];
const tone = (hz) => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=${SECONDS}`];
// One keyframe a second, so a conversion restarted at ?t= starts near where it was asked to.
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25'];
const hevc = ['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-x265-params',
    'log-level=error:keyint=25:min-keyint=25'];
const aac = ['-c:a', 'aac', '-b:a', '96k'];

// The playable files: {name, hasVideo, hasAudio, textTracks (the file's own text subtitle tracks plus its
// sidecars), direct (true when the file must stream untouched, the browser playing it as it is)}; and
// subtitleWords, the words each text track's cues start with (in no order), audioTracks when more than one.
export const corpus = [
    {name: 'mkv-h264-ac3.mkv', hasVideo: true, hasAudio: true, textTracks: 1, direct: false,
        subtitleWords: ['Sidecar']},
    {name: 'mkv-h264-eac3-51.mkv', hasVideo: true, hasAudio: true, textTracks: 0, direct: false},
    {name: 'mkv-hevc-aac.mkv', hasVideo: true, hasAudio: true, textTracks: 0, direct: false},
    {name: 'mp4-hevc-aac.mp4', hasVideo: true, hasAudio: true, textTracks: 0, direct: false},
    {name: 'avi-mpeg4-mp3.avi', hasVideo: true, hasAudio: true, textTracks: 0, direct: false},
    {name: 'mkv-subs-two-audio.mkv', hasVideo: true, hasAudio: true, textTracks: 2, direct: false, audioTracks: 2,
        subtitleWords: ['English', 'Français']},
    {name: 'mp4-mov-text.mp4', hasVideo: true, hasAudio: true, textTracks: 1, direct: false,
        subtitleWords: ['Timed text']},
    {name: 'audio.flac', hasVideo: false, hasAudio: true, textTracks: 0, direct: false},
    {name: 'audio.mp3', hasVideo: false, hasAudio: true, textTracks: 0, direct: false},
    {name: 'webm-vp9-opus.webm', hasVideo: true, hasAudio: true, textTracks: 0, direct: true},
    {name: 'mp4-h264-aac.mp4', hasVideo: true, hasAudio: true, textTracks: 0, direct: true},
];

// Files no player should try to play, each with what is wrong with it.
export const hostile = [
    {name: 'truncated.mkv', what: 'a real Matroska file cut to its first third', playsAPart: true},
    {name: 'lies.mkv', what: 'a real Matroska file whose EBML header claims 2^50 bytes'},
    {name: 'garbage.mkv', what: '256 KiB of random bytes'},
    {name: 'bomb.mkv', what: 'a 64-byte file whose EBML header claims an element of 2^56 - 2 bytes'},
];

// The sidecar beside mkv-h264-ac3.mkv: `film.en.srt` is English subtitles for `film.mkv`.
export const sidecar = 'mkv-h264-ac3.en.srt';

// An EBML element size as an 8-byte VINT: 0x01 then the 56-bit value.
function vint8(value) {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(value);
    bytes[0] = 0x01;
    return bytes;
}

// The hostile files, from a real Matroska file `real` (its bytes).
function hostileFiles(folder, real) {
    writeFileSync(join(folder, 'truncated.mkv'), real.subarray(0, Math.floor(real.length / 3)));

    // The EBML header's size (right after its ID 1A 45 DF A3) is rewritten as 2^50 bytes, far beyond the file:
    // the 8-byte form replaces the muxer's 1-byte size and the header's first 7 bytes of content, so what follows
    // is read as a header that never ends.
    const lies = Buffer.from(real);
    if (lies.readUInt32BE(0) !== 0x1a45dfa3) {
        throw new Error('the Matroska file does not start with an EBML header');
    }
    vint8(1n << 50n).copy(lies, 4);
    writeFileSync(join(folder, 'lies.mkv'), lies);

    writeFileSync(join(folder, 'garbage.mkv'), randomBytes(256 * 1024));

    // An EBML header whose size says 2^56 - 2 bytes (the largest that is not "unknown size"), then the start of
    // its content (EBMLVersion 1, DocType "matroska"), padded to 64 bytes.
    const bomb = Buffer.alloc(64);
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3]).copy(bomb, 0);
    vint8((1n << 56n) - 2n).copy(bomb, 4);
    Buffer.from([0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, ...Buffer.from('matroska')]).copy(bomb, 12);
    writeFileSync(join(folder, 'bomb.mkv'), bomb);
}

// Runs at most `width` of the jobs at once (two cores: two ffmpegs).
async function pool(jobs, width = 2) {
    const queue = [...jobs];
    await Promise.all(Array.from({length: width}, async () => {
        while (queue.length > 0) {
            await queue.shift()();
        }
    }));
}

// Makes the corpus in `folder` (created; it becomes the torrent): the playable files, their sidecar and the
// hostile files. Answers the list describing the playable ones (`corpus`); `hostile` names the others.
export async function makeCorpus(folder) {
    mkdirSync(folder, {recursive: true});
    const work = `${folder}.work`;
    mkdirSync(work, {recursive: true});
    const at = (name) => join(folder, name);
    const tmp = (name) => join(work, name);

    writeFileSync(tmp('eng.srt'), srt('English'));
    writeFileSync(tmp('fre.ass'), ass('Français'));
    writeFileSync(tmp('text.srt'), srt('Timed text'));
    writeFileSync(at(sidecar), srt('Sidecar'));

    // The two encoded videos every container below copies, and the files that need no other video.
    await pool([
        () => ffmpeg([...video, ...h264, tmp('h264.mkv')]),
        () => ffmpeg([...video, ...hevc, tmp('hevc.mkv')]),
    ]);
    await pool([
        () => ffmpeg([...video, ...tone(660), '-c:v', 'mpeg4', '-q:v', '6', '-g', '25', '-c:a', 'libmp3lame',
            '-b:a', '96k', at('avi-mpeg4-mp3.avi')]),
        () => ffmpeg([...video, ...tone(770), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8',
            '-b:v', '300k', '-g', '25', '-c:a', 'libopus', '-b:a', '64k', at('webm-vp9-opus.webm')]),
        () => ffmpeg(['-i', tmp('h264.mkv'), ...tone(440), '-c:v', 'copy', '-c:a', 'ac3', '-b:a', '128k',
            at('mkv-h264-ac3.mkv')]),
        () => ffmpeg(['-i', tmp('h264.mkv'), ...tone(550), '-c:v', 'copy', '-c:a', 'eac3', '-ac', '6', '-b:a',
            '192k', at('mkv-h264-eac3-51.mkv')]),
        () => ffmpeg(['-i', tmp('hevc.mkv'), ...tone(330), '-c:v', 'copy', ...aac,
            at('mkv-hevc-aac.mkv')]),
        () => ffmpeg(['-i', tmp('hevc.mkv'), ...tone(350), '-c:v', 'copy', '-tag:v', 'hvc1', ...aac,
            '-movflags', '+faststart', at('mp4-hevc-aac.mp4')]),
        // Two audio tracks (English at 440 Hz, French at 880 Hz), an SRT track in English and an ASS one in French.
        () => ffmpeg(['-i', tmp('h264.mkv'), ...tone(440), ...tone(880), '-i', tmp('eng.srt'), '-i', tmp('fre.ass'),
            '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', '-map', '4:s', '-c:v', 'copy', ...aac,
            '-c:s:0', 'srt', '-c:s:1', 'ass', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fre',
            '-metadata:s:s:0', 'language=eng', '-metadata:s:s:1', 'language=fre', '-disposition:a:0', 'default',
            '-disposition:a:1', '0', at('mkv-subs-two-audio.mkv')]),
        () => ffmpeg(['-i', tmp('h264.mkv'), ...tone(500), '-i', tmp('text.srt'), '-map', '0:v', '-map', '1:a',
            '-map', '2:s', '-c:v', 'copy', ...aac, '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng',
            at('mp4-mov-text.mp4')]),
        () => ffmpeg(['-i', tmp('h264.mkv'), ...tone(600), '-c:v', 'copy', ...aac, '-movflags',
            '+faststart', at('mp4-h264-aac.mp4')]),
        () => ffmpeg([...tone(700), '-c:a', 'flac', at('audio.flac')]),
        () => ffmpeg([...tone(800), '-c:a', 'libmp3lame', '-b:a', '96k', at('audio.mp3')]),
    ]);
    hostileFiles(folder, readFileSync(at('mkv-h264-ac3.mkv')));
    rmSync(work, {recursive: true, force: true});
    return corpus.map((entry) => ({...entry}));
}
