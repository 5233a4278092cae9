// What a file's row says about it. A file set to priority 0 is not being downloaded, but it may still hold
// data: pieces it shares with its neighbours, the head and tail fetched early for players, what came before
// it was skipped. So "skipped" alone, beside a bar 85 % full, contradicts the bar: the words say both.

export function fileFraction(file) {
    const value = Number(file?.progress);
    return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

// 'done' (all of it is here, whatever its priority), 'downloading', 'skipped' (priority 0, nothing here) or
// 'stopped' (priority 0 with part of it here).
export function fileState(file) {
    const fraction = fileFraction(file);
    if (fraction >= 1) {
        return 'done';
    }
    if (file?.priority !== 0) {
        return 'downloading';
    }
    return fraction > 0 ? 'stopped' : 'skipped';
}

// A file that can be asked for: not all here, and not wanted now.
export function fileWantable(file) {
    const state = fileState(file);
    return state === 'skipped' || state === 'stopped';
}

// Whether nothing in the list will change without someone asking: every file is either here or not wanted.
export function filesSettled(files) {
    return files.every((file) => fileState(file) !== 'downloading');
}
