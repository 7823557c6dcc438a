// broker: rendezvous and lobby fan-out, hardened against any input.
#include "broker/broker.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

#include "patterns/frame.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/overloaded.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::broker {
namespace {

using protocol::ErrorCode;

// Most messages taken from one socket per poll round, so neither socket starves.
constexpr int drain_batch = 1024;
// How long join notices are gathered before one NOTICE announces them all.
constexpr auto join_window = std::chrono::milliseconds{10};

std::uint64_t cseq_of(const protocol::Message& m) {
    return std::visit(
        [](const auto& v) -> std::uint64_t {
            if constexpr (requires { v.cseq; })
                return v.cseq;
            else
                return 0;
        },
        m);
}

void bind_or_throw(zmq::socket_t& socket, const std::string& what, const std::string& endpoint) {
    try {
        socket.bind(endpoint);
    } catch (const zmq::error_t& e) {
        throw BindError("cannot bind " + what + " endpoint " + endpoint + ": " + e.what());
    }
}

// 48 random bits: no stranger can subscribe to 2^48 topics ahead of a client,
// and the topic stays short (each byte of a unique topic is a node in the
// XPUB's subscription trie, per client).
std::string random_hex() {
    static std::random_device rd;
    static std::mt19937_64 rng(rd());
    char buf[13];
    std::snprintf(buf, sizeof buf, "%012llx",
                  static_cast<unsigned long long>(rng() & 0xFFFFFFFFFFFFull));
    return buf;
}

std::string host_name() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

}  // namespace

Broker::Broker(zmq::context_t& ctx, EventLoop& loop, Options options)
    : options_(std::move(options)),
      loop_(loop),
      router_(make_network_socket(ctx, zmq::socket_type::router)),
      xpub_(make_network_socket(ctx, zmq::socket_type::xpub)),
      epoch_(wall_clock_us()),
      history_(options_.history) {
    router_.set(zmq::sockopt::router_mandatory, 1);
    // A newcomer's whole history and JOINED go out in one burst: the queue must hold them.
    router_.set(zmq::sockopt::sndhwm,
                static_cast<int>(std::max<std::size_t>(1000, options_.history + 1000)));
    xpub_.set(zmq::sockopt::sndhwm, options_.lobby_hwm);
    bind_or_throw(router_, "rendezvous", options_.rendezvous);
    bind_or_throw(xpub_, "lobby", options_.lobby);
    rendezvous_endpoint_ = bound_endpoint(router_);
    lobby_endpoint_ = bound_endpoint(xpub_);
    broker_id_ = host_name() + "/" + rendezvous_endpoint_;
    loop_.watch(router_, [this] { on_rendezvous(); });
    loop_.watch(xpub_, [this] { on_subscription(); });
    loop_.every(options_.heartbeat, [this] { on_tick(); });
}

void Broker::shutdown(const std::string& reason) {
    publish(protocol::Shutdown{epoch_, reason});
    log::info("shutting down: ", reason);
    xpub_.set(zmq::sockopt::linger, 500);
}

void Broker::on_rendezvous() {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t rid;
        if (!router_.recv(rid, zmq::recv_flags::dontwait)) return;
        zmq::message_t body;
        std::size_t frames = 0;
        while (router_.get(zmq::sockopt::rcvmore)) {
            zmq::message_t part;
            (void)router_.recv(part);
            if (frames++ == 0) body = std::move(part);
        }
        on_frames(rid.to_string(), body.to_string_view(), frames > 0 ? frames - 1 : 1);
    }
}

void Broker::on_frames(const RoutingId& from, std::string_view body, std::size_t extra_frames) {
    if (extra_frames != 0 || body.empty()) {
        refuse(from, 0, ErrorCode::bad_message, "a request is exactly one non-empty frame");
        return;
    }
    auto decoded = protocol::decode(body);
    if (const auto* err = std::get_if<protocol::DecodeError>(&decoded)) {
        const bool version = err->code == protocol::DecodeErrorCode::bad_version;
        refuse(from, 0, version ? ErrorCode::bad_version : ErrorCode::bad_message, err->reason);
        return;
    }
    auto& msg = std::get<protocol::Message>(decoded);
    if (auto* hello = std::get_if<protocol::Hello>(&msg)) return handle(from, std::move(*hello));

    const auto it = clients_.find(from);
    if (it == clients_.end()) {
        refuse(from, cseq_of(msg), ErrorCode::not_registered, "not registered: send HELLO first");
        return;
    }
    Client& c = it->second;
    c.last_heard = EventLoop::Clock::now();
    if (std::holds_alternative<protocol::Ping>(msg)) return;
    // BYE is never refused: a flooder must still be able to leave.
    if (!std::holds_alternative<protocol::Bye>(msg) && !c.bucket.take()) {
        ++stats_.rate_limited;
        refuse(from, cseq_of(msg), ErrorCode::rate_limited,
               "slow down: over " + std::to_string(options_.rate) + " messages/s, message refused");
        return;
    }
    std::visit(overloaded{
                   [&](protocol::Say& m) { handle(c, from, std::move(m)); },
                   [&](protocol::Users& m) { handle(c, from, std::move(m)); },
                   [&](protocol::Fork& m) { handle(c, from, std::move(m)); },
                   [&](protocol::Bye& m) { handle(c, from, std::move(m)); },
                   [&](auto& m) {
                       refuse(from, cseq_of(m), ErrorCode::bad_message,
                              std::string(protocol::kind_name(msg)) + " is not a request");
                   },
               },
               msg);
}

void Broker::handle(const RoutingId& from, protocol::Hello&& m) {
    if (clients_.contains(from)) {
        refuse(from, 0, ErrorCode::bad_message, "already registered as " + clients_.at(from).name);
        return;
    }
    if (auto why = NameRegistry::invalid_reason(m.name)) {
        refuse(from, 0, ErrorCode::bad_name, *why);
        return;
    }
    const std::uint64_t id = next_id_++;
    const std::string name = names_.claim(m.name, from);
    // Unguessable, so no stranger can pre-subscribe to it and hide this
    // client's subscription from the XPUB (which reports a topic only once).
    const std::string topic =
        std::string(protocol::welcome_topic_prefix) + std::to_string(id) + "." + random_hex();
    protocol::Welcome w{id,
                        name,
                        name != m.name,
                        lobby_endpoint_,
                        topic,
                        epoch_,
                        broker_id_,
                        static_cast<std::uint32_t>(limits::max_text_bytes),
                        options_.rate,
                        options_.burst,
                        static_cast<std::uint32_t>(options_.heartbeat.count()),
                        static_cast<std::uint32_t>(options_.client_timeout.count())};
    if (!reply(from, w)) {
        names_.release(name);
        return;
    }
    clients_.emplace(from, Client{id, name, topic, TokenBucket(options_.rate, options_.burst),
                                  EventLoop::Clock::now()});
    by_welcome_topic_[topic] = from;
    ++stats_.registered;
    log::debug("registered ", name, " (id ", id, "), waiting for its lobby subscription");
}

void Broker::handle(Client& c, const RoutingId& from, protocol::Say&& m) {
    if (m.text.empty()) return refuse(from, m.cseq, ErrorCode::bad_message, "empty text");
    if (m.text.size() > limits::max_text_bytes)
        return refuse(from, m.cseq, ErrorCode::too_large,
                      "text over " + std::to_string(limits::max_text_bytes) + " bytes refused");
    protocol::LobbyText t{epoch_, ++seq_, wall_clock_us(), c.id, c.name, std::move(m.text)};
    publish(t);
    if (options_.history > 0) history_.add({t.seq, t.ts_us, t.from, t.text});
    ++stats_.published;
}

void Broker::handle(Client&, const RoutingId& from, protocol::Users&& m) {
    protocol::UserList list{m.cseq, names_.size(), names_.names()};
    if (list.names.size() > limits::max_listed_users) list.names.resize(limits::max_listed_users);
    reply(from, list);
}

void Broker::handle(Client& c, const RoutingId& from, protocol::Fork&& m) {
    const bool endpoint_ok = !m.endpoint.empty() &&
                             m.endpoint.size() <= limits::max_endpoint_bytes &&
                             m.endpoint.rfind("tcp://", 0) == 0;
    if (!endpoint_ok || m.token.empty() || m.token.size() > limits::max_token_bytes ||
        m.curve_key.size() > limits::max_key_bytes)
        return refuse(from, m.cseq, ErrorCode::bad_message,
                      "fork needs a tcp endpoint and a token");
    if (m.peer == c.name)
        return refuse(from, m.cseq, ErrorCode::self_fork, "you cannot fork yourself");
    const std::string* peer = names_.owner(m.peer);
    if (!peer || !reply(*peer, protocol::Invite{c.name, m.endpoint, m.token, m.curve_key}))
        return refuse(from, m.cseq, ErrorCode::unknown_peer, m.peer + " is not online");
    reply(from, protocol::ForkOk{m.cseq, m.peer});
    log::info("fork ", c.name, " -> ", m.peer);
}

void Broker::handle(Client&, const RoutingId& from, protocol::Bye&&) { drop(from, "quit"); }

void Broker::on_subscription() {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t sub;
        if (!xpub_.recv(sub, zmq::recv_flags::dontwait)) return;
        const auto data = sub.to_string_view();
        if (data.empty()) continue;
        const auto topic = std::string(data.substr(1));
        const auto it = by_welcome_topic_.find(topic);
        if (it == by_welcome_topic_.end()) continue;
        const RoutingId rid = it->second;
        if (data[0] == 1)
            join(rid, clients_.at(rid));
        else
            drop(rid, "disconnected");
    }
}

void Broker::join(const RoutingId& rid, Client& c) {
    if (c.joined) return;
    c.joined = true;
    for (const auto& h : history_.entries()) reply(rid, h);
    reply(rid, protocol::Joined{epoch_, seq_});
    // One NOTICE must stay a small frame, however many join in the window.
    if (pending_joins_.size() + c.name.size() + 1 > limits::max_text_bytes) announce_joins();
    pending_joins_ += (pending_joins_.empty() ? "" : " ") + c.name;
    if (!join_timer_) join_timer_ = loop_.after(join_window, [this] { announce_joins(); });
    log::info("join ", c.name, " (id ", c.id, ", ", clients_.size(), " online)");
}

void Broker::announce_joins() {
    if (join_timer_) loop_.cancel(*join_timer_);
    join_timer_.reset();
    if (pending_joins_.empty()) return;
    publish(protocol::Notice{epoch_, ++seq_, wall_clock_us(), "joined",
                             std::exchange(pending_joins_, {}), ""});
}

void Broker::drop(const RoutingId& rid, const std::string& reason) {
    const auto it = clients_.find(rid);
    if (it == clients_.end()) return;
    announce_joins();  // a leave is never announced before its join
    const std::string name = it->second.name;
    const bool announced = it->second.joined;  // the lobby never saw one who never joined
    by_welcome_topic_.erase(it->second.welcome_topic);
    names_.release(name);
    clients_.erase(it);
    if (announced) publish(protocol::Notice{epoch_, ++seq_, wall_clock_us(), "left", name, reason});
    log::info("leave ", name, " (", reason, ", ", clients_.size(), " online)");
}

void Broker::on_tick() {
    publish(protocol::Beat{epoch_, seq_, broker_id_});
    const auto deadline = EventLoop::Clock::now() - options_.client_timeout;
    std::vector<RoutingId> silent;
    for (const auto& [rid, c] : clients_)
        if (c.last_heard < deadline) silent.push_back(rid);
    const std::string why =
        "timed out: silent for " + std::to_string(options_.client_timeout.count()) + " ms";
    for (const auto& rid : silent) drop(rid, why);
}

void Broker::refuse(const RoutingId& to, std::uint64_t cseq, ErrorCode code,
                    const std::string& reason) {
    ++stats_.refused;
    log::debug("refused input (", static_cast<int>(code), "): ", reason);
    reply(to, protocol::Error{cseq, static_cast<std::uint32_t>(code), reason});
}

bool Broker::reply(const RoutingId& to, const protocol::Message& m) {
    auto body = to_frame(m);
    try {
        // ROUTER_MANDATORY: an unknown peer throws EHOSTUNREACH, a full one gives EAGAIN.
        if (router_.send(zmq::buffer(to), zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
            router_.send(body, zmq::send_flags::dontwait))
            return true;
    } catch (const zmq::error_t& e) {
        log::debug("reply not routable: ", e.what());
    }
    ++stats_.unroutable;
    return false;
}

void Broker::publish(const protocol::Message& m) {
    auto body = to_frame(m);
    xpub_.send(zmq::buffer(protocol::lobby_topic),
               zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    xpub_.send(body, zmq::send_flags::dontwait);
}

}  // namespace zchat::broker
