#include "native_messaging/client_connection.hpp"

#include "base/log.hpp"
#include "native_messaging/frame_error_reply.hpp"
#include "native_messaging/outbound_frame.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace sluice::native_messaging {

namespace asio = boost::asio;

client_connection::client_connection(socket_type socket, std::uint64_t id,
                                     std::uint32_t max_inbound_frame_bytes, frame_handler on_frame,
                                     closed_handler on_closed)
    : socket_(std::move(socket)), id_(id), max_inbound_(max_inbound_frame_bytes),
      on_frame_(std::move(on_frame)), on_closed_(std::move(on_closed)),
      decoder_(max_inbound_frame_bytes, [this](frame_event e, std::string body, std::uint64_t announced) {
          on_frame_event(e, std::move(body), announced);
      }) {}

void client_connection::start() {
    read_more();
}

void client_connection::read_more() {
    socket_.async_read_some(asio::buffer(read_buffer_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                if (self->closed_) {
                                    return;
                                }
                                if (ec) {
                                    if (!self->decoder_.finish()) {
                                        base::log::warning("client " + std::to_string(self->id_) +
                                                           " went away in the middle of a frame");
                                    }
                                    self->input_done_ = true;
                                    self->close_when_flushed();
                                    return;
                                }
                                self->decoder_.feed(std::span<char const>(self->read_buffer_.data(), n));
                                if (!self->closed_) {
                                    self->read_more();
                                }
                            });
}

void client_connection::on_frame_event(frame_event event, std::string body, std::uint64_t announced) {
    if (event == frame_event::frame) {
        on_frame_(shared_from_this(), std::move(body));
        return;
    }
    if (auto reply = frame_error_reply(event, announced, max_inbound_)) {
        base::log::warning("client " + std::to_string(id_) + ": " +
                           reply->at("error").at("message").get<std::string>());
        send(*reply);
    }
}

void client_connection::send(nlohmann::json const& message) {
    if (closed_) {
        return;
    }
    auto frame = to_outbound_frame(message);
    if (frame.empty()) {
        base::log::error("dropped an event larger than the outbound frame limit: " +
                         message.value("method", std::string("?")));
        return;
    }
    if (queued_bytes_ + frame.size() > max_queued_bytes) {
        base::log::warning("client " + std::to_string(id_) +
                           " is not reading its messages; disconnecting it");
        close();
        return;
    }
    queued_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
    write_next();
}

void client_connection::write_next() {
    if (writing_ || queue_.empty() || closed_) {
        return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->writing_ = false;
                          if (self->closed_) {
                              return;
                          }
                          self->queued_bytes_ -= self->queue_.front().size();
                          self->queue_.pop_front();
                          if (ec) {
                              self->close();
                              return;
                          }
                          if (self->queue_.empty()) {
                              self->close_when_flushed();
                          } else {
                              self->write_next();
                          }
                      });
}

void client_connection::close_when_flushed() {
    if (input_done_ && queue_.empty() && !writing_) {
        close();
    }
}

void client_connection::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(socket_type::shutdown_both, ignored);
    socket_.close(ignored);
    queue_.clear();
    queued_bytes_ = 0;
    if (on_closed_) {
        on_closed_(this);
    }
}

} // namespace sluice::native_messaging
