// WebRTC is of no use on loopback, and node-datachannel's own install would download a binary: webtorrent
// gets this stand-in, which fails if anything tries to open a connection with it.
class Unavailable {
    constructor() {
        throw new Error('WebRTC is not available in stream_bench');
    }
}
export const PeerConnection = Unavailable;
export const RtcpReceivingSession = Unavailable;
export const Video = Unavailable;
export const Audio = Unavailable;
export function cleanup() {}
export default {PeerConnection, RtcpReceivingSession, Video, Audio, cleanup};
