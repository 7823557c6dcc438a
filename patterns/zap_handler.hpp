// zap_handler: who may connect, decided by this process (ZeroMQ's ZAP, RFC 27).
// libzmq asks it about every connection to a CURVE server socket in the same
// context; the answer names the peer's key as its User-Id, which every message
// from that connection then carries. A ROUTER at inproc://zeromq.zap.01, served
// on the process's own EventLoop: a request whose answer depends on something
// not yet known (a fork's invited key) may wait for it, up to a bound.
//
// Traps this class avoids, each of which libzmq 4.3.4 has: a CURVE server with
// no handler bound admits every key, so the handler is bound first and closed
// last (and every CURVE server also sets ZMQ_ZAP_ENFORCE_DOMAIN); a "300"
// answer leaves the client hanging with no event, so the only answers are 200
// and 400; every request is answered, whatever happens.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "patterns/event_loop.hpp"

namespace zchat {

class ZapHandler {
  public:
    struct Request {
        std::string domain;     // the server socket's ZMQ_ZAP_DOMAIN
        std::string address;    // the peer's IP address
        std::string mechanism;  // "CURVE" (or "NULL")
        std::string key;        // the peer's public key, Z85; empty for NULL
    };
    struct Decision {
        enum class Kind { allow, deny, wait } kind = Kind::deny;
        std::string user_id;  // for allow: what the connection's messages carry as User-Id
    };
    using Policy = std::function<Decision(const Request&)>;

    // Binds the handler in CTX; POLICY decides every request.
    ZapHandler(zmq::context_t& ctx, EventLoop& loop, Policy policy);
    ~ZapHandler();
    ZapHandler(const ZapHandler&) = delete;
    ZapHandler& operator=(const ZapHandler&) = delete;

    // Asks the policy again about every request that is waiting.
    void reconsider();

    static Decision allow(std::string user_id) {
        return {Decision::Kind::allow, std::move(user_id)};
    }
    static Decision deny() { return {Decision::Kind::deny, {}}; }
    static Decision wait() { return {Decision::Kind::wait, {}}; }

  private:
    struct Waiting {
        std::vector<std::string> envelope;  // routing frames to send the answer back on
        std::string request_id;
        Request request;
        EventLoop::Clock::time_point since;
    };

    void on_readable();
    void decide(Waiting&& w);
    void answer(const Waiting& w, const Decision& d);
    void expire();

    EventLoop& loop_;
    Policy policy_;
    zmq::socket_t socket_;
    std::vector<Waiting> waiting_;
    EventLoop::TimerId expiry_timer_;
};

// Configures SOCKET as a CURVE server holding OWN's secret, whose every
// connection is put to the ZAP handler under DOMAIN. Before bind().
void make_curve_server(zmq::socket_t& socket, const std::string& own_secret_z85,
                       const std::string& domain);
// Configures SOCKET as a CURVE client with its own keys, trusting only SERVER_KEY.
void make_curve_client(zmq::socket_t& socket, const std::string& own_public_z85,
                       const std::string& own_secret_z85, const std::string& server_key_z85);

}  // namespace zchat
