// Error codes of the native-messaging protocol, mirrored from protocol/errors.json (a test keeps the two
// in step). The extension shows people what went wrong by these, never by parsing messages.
export const ErrorCode = Object.freeze({
    PARSE_ERROR: -32700,
    INVALID_REQUEST: -32600,
    METHOD_NOT_FOUND: -32601,
    INVALID_PARAMS: -32602,
    INTERNAL_ERROR: -32603,
    FRAME_TOO_LARGE: -32000,
    EMPTY_FRAME: -32001,
    REPLY_TOO_LARGE: -32002,
    INVALID_MAGNET: 1001,
    INVALID_TORRENT: 1002,
    TORRENT_NOT_FOUND: 1003,
    FILE_NOT_FOUND: 1004,
    FETCH_FAILED: 1005,
    INVALID_SAVE_PATH: 1006,
    ADD_FAILED: 1007,
});
