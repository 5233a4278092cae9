// WebVTT text to cues ({start, end, text}, seconds), for subtitle tracks the player builds in script: a converted
// stream's clock starts at the seek's offset, so its cues must be shifted, which <track> cannot do. Pure, so
// node --test checks it. Never throws: a block that is not a well-formed cue is skipped, the rest still shows.

// [hh:]mm:ss.ttt, hours optional; a comma before the milliseconds is taken too (files converted from SubRip).
const TIMESTAMP = /^(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{3})$/;
// Blocks that are not cues: comments, and styles and regions the browser's own cue rendering does without.
const NOT_A_CUE = /^(NOTE|STYLE|REGION)(\s|$)/;

function seconds(text) {
    const m = TIMESTAMP.exec(text);
    if (!m) {
        return null;
    }
    return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

// "00:01.000 --> 00:04.000 align:start position:10%": the two times; the settings after them are left out.
function timing(line) {
    const parts = line.trim().split(/[ \t]+/);
    if (parts.length < 3 || parts[1] !== '-->') {
        return null;
    }
    const start = seconds(parts[0]);
    const end = seconds(parts[2]);
    return start !== null && end !== null && end > start ? {start, end} : null;
}

function cueOf(lines) {
    // A cue may begin with its id, on the line before its timing.
    const at = lines[0].includes('-->') ? 0 : 1;
    const times = lines.length > at ? timing(lines[at]) : null;
    return times && {...times, text: lines.slice(at + 1).join('\n')};
}

export function parseWebVtt(source) {
    const lines = String(source ?? '').replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    const blocks = [];
    let block = [];
    for (const line of lines) {
        if (line.trim() === '') {
            if (block.length > 0) {
                blocks.push(block);
            }
            block = [];
        } else {
            block.push(line);
        }
    }
    if (block.length > 0) {
        blocks.push(block);
    }
    // The header block ("WEBVTT" and its metadata lines) holds no cue; a file without one is read all the same.
    if (blocks.length > 0 && /^WEBVTT(\s|$)/.test(blocks[0][0])) {
        blocks.shift();
    }
    return blocks.filter((b) => !NOT_A_CUE.test(b[0])).map(cueOf).filter(Boolean);
}
