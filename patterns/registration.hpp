// registration: the handshake every lobby client makes, written once; the
// chat client, the load generator and the tests all use it:
//
//   HELLO --> WELCOME --> SUB connects, subscribes "" and the ticket
//         --> HISTORY... --> JOINED
//
// The broker applies a ticket only when it can do so safely, so a ticket may
// go unanswered; the client asks again (ticket_ask.hpp) until JOINED comes.
//
// The caller owns the sockets and its clock; this class only decides.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "patterns/protocol.hpp"
#include "patterns/ticket_ask.hpp"

namespace zchat {

class ZmqSubscriber : public SubscriberPort {
  public:
    explicit ZmqSubscriber(zmq::socket_t& sub) : sub_(sub) {}
    void connect(const std::string& endpoint) override { sub_.connect(endpoint); }
    void subscribe(std::string_view topic) override { sub_.set(zmq::sockopt::subscribe, topic); }
    void unsubscribe(std::string_view topic) override {
        sub_.set(zmq::sockopt::unsubscribe, topic);
    }

  private:
    zmq::socket_t& sub_;
};

class Registration {
  public:
    using Clock = std::chrono::steady_clock;
    enum class Stage { hello_sent, subscribing, joined, refused };
    // What a rendezvous reply meant to the handshake.
    enum class Step { other, welcomed, history, joined, refused };

    // RESUME: the ticket of this client's previous registration, if any.
    explicit Registration(std::string name, std::string resume = {});

    protocol::Hello hello() const { return {name_, resume_}; }
    // Feeds one rendezvous reply. After `welcomed` the caller calls subscribe().
    Step on_reply(const protocol::Message& m);
    // Connects SUB to the announced lobby (a wildcard host replaced by the
    // rendezvous host) and subscribes it as the broker expects. A caller that
    // drives many clients passes ASK_NOW false and spaces the first asks out
    // itself, through tick().
    void subscribe(SubscriberPort& sub, const std::string& rendezvous_endpoint,
                   Clock::time_point now, bool ask_now = true);
    void subscribe(zmq::socket_t& sub, const std::string& rendezvous_endpoint,
                   Clock::time_point now, bool ask_now = true) {
        ZmqSubscriber port(sub);
        subscribe(port, rendezvous_endpoint, now, ask_now);
    }
    // While subscribing: asks again for the ticket when it is due; true if it
    // did. A caller driving many clients should let few ask in one breath:
    // tickets that reach the broker together are skipped together.
    bool tick(SubscriberPort& sub, Clock::time_point now);
    bool tick(zmq::socket_t& sub, Clock::time_point now) {
        ZmqSubscriber port(sub);
        return tick(port, now);
    }
    // Once joined: the ticket's subscription has done its work. Cancelling it
    // frees what the broker's libzmq keeps for it (a node per byte of topic)
    // and tells the broker nothing else.
    void release_ticket(SubscriberPort& sub);
    void release_ticket(zmq::socket_t& sub) {
        ZmqSubscriber port(sub);
        release_ticket(port);
    }

    Stage stage() const { return stage_; }
    const protocol::Welcome& welcome() const { return *welcome_; }
    const protocol::Joined& joined() const { return *joined_; }
    const std::optional<protocol::Error>& refusal() const { return refusal_; }

  private:
    std::string name_;
    std::string resume_;
    Stage stage_ = Stage::hello_sent;
    std::optional<protocol::Welcome> welcome_;
    std::optional<protocol::Joined> joined_;
    std::optional<protocol::Error> refusal_;
    TicketAsk ask_;
};

}  // namespace zchat
