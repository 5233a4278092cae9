#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

// One answer of a scripted server, well or badly formed, delivered in one of the ways a broken or hostile
// server delivers answers.
struct scripted_answer {
    enum class delivery {
        whole,           // status, Content-Length and body at once
        trickle,         // the same, one byte every `interval`
        endless_chunked, // a chunked body that never ends, as fast as the client reads
        endless_length,  // declares `declared_length` bytes, then sends them until the client leaves
        close_mid_body,  // declares the body's length, sends half of it and closes the connection
        redirect_loop,   // 302 back to the very target asked
    };
    delivery how = delivery::whole;
    int status = 200;
    std::string body;
    std::chrono::milliseconds interval{1000};
    std::uint64_t declared_length = 50ull * 1024 * 1024;
};

// What a request was: the script answers from it.
struct scripted_request {
    std::string method;
    std::string target;
    std::string body;
};

using http_script = std::function<scripted_answer(scripted_request const&)>;

// An HTTP/1.1 server on 127.0.0.1 that answers each request as `script` says, one thread per connection so a
// slow or endless answer never holds up the next request; for tests that put a client against servers that
// misbehave. Stops every connection when destroyed.
class scripted_http_server {
public:
    explicit scripted_http_server(http_script script);
    ~scripted_http_server();

    scripted_http_server(scripted_http_server const&) = delete;
    scripted_http_server& operator=(scripted_http_server const&) = delete;

    int port() const { return port_; }
    std::string url(std::string const& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    void set_script(http_script script);
    // Requests whose target starts with `prefix`, so far.
    int requests(std::string const& prefix = "/") const;
    std::vector<scripted_request> seen() const;

private:
    void accept_loop();
    void serve(int fd);
    bool send_all(int fd, std::string_view bytes);
    void pause(std::chrono::milliseconds how_long);

    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    http_script script_;
    std::vector<scripted_request> seen_;
    std::vector<int> open_fds_;
    std::vector<std::thread> connections_;
    std::thread acceptor_;
};

} // namespace sluice::testing
