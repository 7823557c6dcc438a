// raw_subscriber: a lobby subscriber that speaks ZMTP 3.0 over a plain TCP
// socket, with the NULL mechanism, instead of going through libzmq. Against
// a zero-logic forwarder, libzmq's own receive path (its I/O thread, pipes
// and mailboxes) costs a load generator about as much CPU as the whole
// forwarder: on two cores a libzmq-based generator is the ceiling. This one
// reads frames in place from one buffer, so the servers set the ceiling.
// `chat-load --wire raw` uses it for the lobby side of plaintext runs; it
// sends and receives exactly the bytes a libzmq SUB would (RFC 23).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "patterns/registration.hpp"

namespace zchat::bench {

class RawSubscriber : public SubscriberPort {
  public:
    // Called for every lobby message: its topic frame and its body frame.
    using OnMessage = std::function<void(std::string_view topic, std::string_view body)>;

    explicit RawSubscriber(OnMessage on_message);
    ~RawSubscriber() override;
    RawSubscriber(const RawSubscriber&) = delete;
    RawSubscriber& operator=(const RawSubscriber&) = delete;

    // tcp://host:port; the handshake goes on as bytes arrive.
    void connect(const std::string& endpoint) override;
    void subscribe(std::string_view topic) override { send_subscription(1, topic); }
    void unsubscribe(std::string_view topic) override { send_subscription(0, topic); }

    // -1 until connect(): an unconnected TCP socket would poll as hung up.
    int fd() const { return fd_; }
    // Reads what the socket has; false when the connection failed (counted by the caller).
    bool read();

  private:
    void send_subscription(char flag, std::string_view topic);
    void send_frame(unsigned char flags, std::string_view body);
    void write_all(std::string_view bytes);
    bool on_command(std::string_view body);
    bool parse();

    OnMessage on_message_;
    int fd_ = -1;
    bool greeted_ = false;           // the peer's 64-byte greeting is in
    bool ready_ = false;             // the peer's READY is in: subscriptions may go
    std::vector<std::string> held_;  // frames to send once READY has come
    std::string in_;                 // bytes read, not yet parsed
    std::size_t at_ = 0;             // parse position in in_
    std::string topic_;              // the frame before the body, while a message is open
    bool in_message_ = false;
};

}  // namespace zchat::bench
