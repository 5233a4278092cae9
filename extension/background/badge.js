// The toolbar button's badge, the one thing Sluice shows without a page open: how many torrents are coming
// down, or "!" when there is no host to run them. Pure: main.js applies it, node --test checks it.

const HOST_PROBLEMS = ['not-installed', 'crashed', 'incompatible'];
const COLORS = {problem: '#b42318', busy: '#0b5cc4'};

// snapshot: the state (StateStore.snapshot()). Returns {text, color, title: {key, substitutions}}; an empty
// text takes the badge away, and the title is the button's tooltip, which says what the badge means.
export function badgeFor(snapshot) {
    const status = snapshot?.host?.status;
    if (HOST_PROBLEMS.includes(status)) {
        return {text: '!', color: COLORS.problem, title: {key: 'actionTitleHostProblem', substitutions: []}};
    }
    const count = Math.max(0, Number(snapshot?.activeDownloads) || 0);
    if (status !== 'ready' || count === 0) {
        return {text: '', color: COLORS.busy, title: {key: 'actionTitle', substitutions: []}};
    }
    // Four characters is all a badge holds.
    return {text: count > 999 ? '999+' : String(count), color: COLORS.busy,
        title: {key: 'actionTitleDownloading', substitutions: [String(count)]}};
}
