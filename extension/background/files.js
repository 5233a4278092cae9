// A torrent's whole file list, in pages of 1000 (the host's replies stay under 1 MiB that way). A file's
// index counts the pad files of hybrid torrents while the pages skip them, so an index is found by looking.
const PAGE = 1000;
const MAX_FILES = 100000;

export async function allFiles(host, infoHash) {
    const files = [];
    for (let offset = 0; offset < MAX_FILES; offset += PAGE) {
        const page = await host.request('torrent.files', {infoHash, offset, limit: PAGE});
        files.push(...page.files);
        if (page.metadataPending || page.files.length < PAGE || files.length >= page.total) {
            break;
        }
    }
    return files;
}

export async function findFile(host, infoHash, index) {
    for (let offset = 0; offset < MAX_FILES; offset += PAGE) {
        const page = await host.request('torrent.files', {infoHash, offset, limit: PAGE});
        const file = page.files.find((f) => f.index === index);
        if (file || page.metadataPending || page.files.length < PAGE || offset + PAGE >= page.total) {
            return file ?? null;
        }
    }
    return null;
}
