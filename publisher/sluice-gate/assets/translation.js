// The preview of a submitted translation: the creator picks the item's video on their own disk and the page
// plays it with the submitted track, both from blob: URLs, so nothing of the video leaves the browser; the
// track's cues are listed beside it, each with a button that puts the video at its start.
(() => {
    const data = document.getElementById('figures');
    const input = document.getElementById('preview-file');
    const video = document.getElementById('preview');
    const table = document.getElementById('cues');
    if (!data || !input || !video || !table) {
        return;
    }
    const preview = JSON.parse(data.textContent);
    const trackUrl = URL.createObjectURL(new Blob([preview.track], {type: 'text/vtt'}));

    // 83.5 -> "01:23.500", as WebVTT writes times.
    function clock(seconds) {
        const ms = Math.round(seconds * 1000);
        const pad = (n, width) => String(n).padStart(width, '0');
        const hours = Math.floor(ms / 3600000);
        const rest = `${pad(Math.floor(ms / 60000) % 60, 2)}:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}`;
        return hours > 0 ? `${pad(hours, 2)}:${rest}` : rest;
    }

    function listCues(cues) {
        const body = table.tBodies[0];
        body.replaceChildren(...[...cues].map((cue) => {
            const row = document.createElement('tr');
            const start = document.createElement('button');
            start.type = 'button';
            start.textContent = clock(cue.startTime);
            start.addEventListener('click', () => {
                video.currentTime = cue.startTime;
            });
            const cells = [start, clock(cue.endTime), cue.text].map((content) => {
                const cell = document.createElement('td');
                cell.append(content);
                return cell;
            });
            row.append(...cells);
            return row;
        }));
        table.hidden = false;
    }

    input.addEventListener('change', () => {
        const file = input.files[0];
        if (!file) {
            return;
        }
        if (video.src) {
            URL.revokeObjectURL(video.src);
        }
        video.querySelector('track')?.remove();
        video.src = URL.createObjectURL(file);
        const track = document.createElement('track');
        track.kind = 'subtitles';
        track.srclang = preview.lang;
        track.label = preview.label;
        track.src = trackUrl;
        track.addEventListener('load', () => listCues(track.track.cues));
        video.append(track);
        track.track.mode = 'showing';
        video.hidden = false;
    });
})();
