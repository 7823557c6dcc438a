// broker_trust: the three sources of a broker key, and the first-use dialogue.
#include "client/broker_trust.hpp"

#include "patterns/curve_keys.hpp"
#include "patterns/frame.hpp"
#include "patterns/network_socket.hpp"

namespace zchat::client {
namespace {

constexpr auto key_service_timeout = std::chrono::milliseconds{3000};

bool loopback(const std::string& endpoint) {
    const std::string host = endpoint_host(endpoint);
    return host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1";
}

std::string quoted(const std::string& key) { return "'" + key + "'"; }

TrustedBroker given(const TrustRequest& r, KnownKeys& known, const TrustDialogue& d) {
    if (!valid_curve_key(r.given_key))
        throw TrustError("--broker-key " + quoted(r.given_key) +
                         " is not a CURVE key: it is the 40 characters in quotes on the line "
                         "chat-broker prints");
    const auto pin = known.find(r.endpoint);
    if (pin && pin->key != r.given_key)
        throw TrustError("--broker-key " + key_fingerprint(r.given_key) +
                         " differs from the key pinned for " + r.endpoint + " (" +
                         key_fingerprint(pin->key) + ") in " + known.where(*pin) +
                         ". If the broker really has a new key, delete that line");
    if (!pin) {
        known.add(r.endpoint, r.given_key);
        d.say("pinned broker key " + key_fingerprint(r.given_key) + " for " + r.endpoint + " in " +
              known.path());
    }
    return {r.given_key, "given with --broker-key"};
}

TrustedBroker first_use(zmq::context_t& ctx, const TrustRequest& r, KnownKeys& known,
                        const TrustDialogue& d) {
    const std::string how =
        "pass --broker-key with the key chat-broker prints ("
        "\"clients connect with: ...\")";
    const std::string key = fetch_broker_key(ctx, r.key_service, key_service_timeout);
    if (key.empty())
        throw TrustError("no broker answered at " + r.endpoint + " (its key service at " +
                             r.key_service +
                             " is silent): is chat-broker running there? If it "
                             "runs with --key-service off, " +
                             how,
                         true);
    const std::string fp = key_fingerprint(key);
    bool trusted = r.mode == TrustNew::yes;
    if (r.mode == TrustNew::ask && r.interactive)
        trusted = d.ask("The broker at " + r.endpoint +
                        " is not known yet. Its key's fingerprint "
                        "is\n  " +
                        fp +
                        "\nCompare it with the one chat-broker printed. Trust it "
                        "and connect? (yes/no)");
    else if (r.mode == TrustNew::ask)
        trusted = loopback(r.endpoint);
    if (!trusted)
        throw TrustError("the broker at " + r.endpoint +
                         " is not known yet (its key service "
                         "says " +
                         fp + "), and it was not trusted: " + how + ", or --trust-new-broker yes");
    known.add(r.endpoint, key);
    d.say("pinned new broker key " + fp + " for " + r.endpoint + " in " + known.path());
    return {key, "pinned for " + r.endpoint + " in " + known.path()};
}

}  // namespace

TrustedBroker trust_broker(zmq::context_t& ctx, const TrustRequest& r, KnownKeys& known,
                           const TrustDialogue& d) {
    if (!r.given_key.empty()) return given(r, known, d);
    if (const auto pin = known.find(r.endpoint))
        return {pin->key, "pinned for " + r.endpoint + " in " + known.where(*pin)};
    return first_use(ctx, r, known, d);
}

std::string fetch_broker_key(zmq::context_t& ctx, const std::string& endpoint,
                             std::chrono::milliseconds timeout) {
    auto dealer = make_network_socket(ctx, zmq::socket_type::dealer);
    try {
        dealer.connect(endpoint);
    } catch (const zmq::error_t&) {
        return {};
    }
    (void)dealer.send(to_frame(protocol::KeyQuery{}), zmq::send_flags::dontwait);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (auto now = std::chrono::steady_clock::now(); now < deadline;
         now = std::chrono::steady_clock::now()) {
        zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        zmq::message_t reply;
        if (!dealer.recv(reply, zmq::recv_flags::dontwait) || reply.more()) continue;
        const auto decoded = protocol::decode(reply.to_string_view());
        const auto* m = std::get_if<protocol::Message>(&decoded);
        const auto* key = m ? std::get_if<protocol::BrokerKey>(m) : nullptr;
        if (key && valid_curve_key(key->curve_key)) return key->curve_key;
    }
    return {};
}

}  // namespace zchat::client
