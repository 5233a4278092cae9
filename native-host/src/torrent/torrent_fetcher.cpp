#include "torrent/torrent_fetcher.hpp"

#include <sluice/net/http_client.hpp>

namespace sluice::torrent {

void fetch_torrent(boost::asio::io_context& io, std::string const& url, std::size_t max_bytes,
                   std::function<void(fetch_result)> done) {
    net::outgoing_request request;
    request.url = url;
    request.accept = "application/x-bittorrent";
    request.max_response_bytes = max_bytes;
    net::send_request(io, std::move(request), [done = std::move(done)](net::incoming_response response) {
        fetch_result r;
        if (!response.ok) {
            auto detail = response.error;
            if (detail.starts_with("the answer is larger")) {
                detail = "the .torrent is larger than the limit" +
                         detail.substr(std::string_view("the answer is larger than the limit").size());
            }
            r.error = protocol::rpc_error::make(protocol::error_code::fetch_failed, std::move(detail));
        } else if (response.status != 200) {
            r.error = protocol::rpc_error::make(protocol::error_code::fetch_failed,
                                                "the server answered " + std::to_string(response.status));
        } else {
            r.ok = true;
            r.body = std::move(response.body);
        }
        done(std::move(r));
    });
}

} // namespace sluice::torrent
