// broker_link: registration, lobby stream, heartbeats and reconnection.
#include "client/broker_link.hpp"

#include <algorithm>

#include "patterns/frame.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/overloaded.hpp"

namespace zchat::client {
namespace {

constexpr auto tick_interval = std::chrono::milliseconds{250};
constexpr auto max_backoff = std::chrono::milliseconds{5000};
constexpr std::size_t refusals_remembered = 1024;  // sent texts kept to name a refusal
constexpr std::size_t early_limit = 100000;        // live messages held while joining
constexpr int lobby_hwm = 100000;

}  // namespace

BrokerLink::BrokerLink(zmq::context_t& ctx, EventLoop& loop, std::string endpoint, std::string name,
                       std::chrono::milliseconds broker_timeout, LinkEvents events)
    : ctx_(ctx),
      loop_(loop),
      endpoint_(std::move(endpoint)),
      name_(std::move(name)),
      broker_timeout_(broker_timeout),
      events_(std::move(events)) {
    open_sockets();
    loop_.every(tick_interval, [this] { on_tick(); });
}

void BrokerLink::open_sockets() {
    dealer_.emplace(make_network_socket(ctx_, zmq::socket_type::dealer));
    dealer_->connect(endpoint_);
    loop_.watch(*dealer_, [this] { on_rendezvous(); });
    state_ = State::registering;
    attempt_started_ = EventLoop::Clock::now();
    send(protocol::Hello{name_});
}

void BrokerLink::close_sockets() {
    if (dealer_) loop_.unwatch(*dealer_);
    if (sub_) loop_.unwatch(*sub_);
    dealer_.reset();
    sub_.reset();
    early_.clear();
}

bool BrokerLink::send(const protocol::Message& m) {
    if (!dealer_) return false;
    auto frame = to_frame(m);
    return dealer_->send(frame, zmq::send_flags::dontwait).has_value();
}

void BrokerLink::on_rendezvous() {
    // Handlers below may close the sockets: re-check before each receive.
    for (int i = 0; i < 256 && dealer_; ++i) {
        zmq::message_t msg;
        if (!dealer_->recv(msg, zmq::recv_flags::dontwait)) return;
        if (msg.more()) {  // a reply is one frame; drain and drop anything else
            while (dealer_->get(zmq::sockopt::rcvmore)) (void)dealer_->recv(msg);
            log::debug("dropped a multi-frame reply");
            continue;
        }
        auto decoded = protocol::decode(msg.to_string_view());
        if (auto* err = std::get_if<protocol::DecodeError>(&decoded)) {
            log::debug("dropped an undecodable reply: ", err->reason);
            continue;
        }
        last_heard_ = EventLoop::Clock::now();
        on_reply(std::move(std::get<protocol::Message>(decoded)));
    }
}

void BrokerLink::on_reply(protocol::Message&& m) {
    std::visit(
        overloaded{
            [&](protocol::Welcome& w) { on_welcome(std::move(w)); },
            [&](protocol::History& h) { events_.history(h); },
            [&](protocol::Joined& j) { on_joined(j); },
            [&](protocol::UserList& u) { events_.user_list(u); },
            [&](protocol::ForkOk& f) { events_.fork_ok(f); },
            [&](protocol::Invite& inv) { events_.invite(inv); },
            [&](protocol::Error& e) {
                if (e.code == static_cast<std::uint32_t>(protocol::ErrorCode::not_registered)) {
                    go_down("the broker no longer knows this client");
                    return;
                }
                const auto it = std::find_if(sent_.begin(), sent_.end(),
                                             [&](const Pending& p) { return p.cseq == e.cseq; });
                if (it != sent_.end() && unconfirmed_ > 0) --unconfirmed_;
                events_.error(e, it == sent_.end() ? std::string() : it->text);
            },
            [&](auto& other) {
                log::debug("dropped unexpected reply ", protocol::kind_name(other));
            },
        },
        m);
}

void BrokerLink::on_welcome(protocol::Welcome&& w) {
    if (state_ != State::registering) return;
    name_ = w.name;
    id_ = w.id;
    welcome_topic_ = w.welcome_topic;
    heartbeat_ = std::chrono::milliseconds(std::max<std::uint32_t>(w.heartbeat_ms, 100));
    // Pace a little under the broker's bucket: messages sent evenly can still
    // arrive bunched, and the spare tokens this leaves on the broker's side
    // absorb that jitter instead of refusals.
    bucket_ = TokenBucket(std::max<std::uint32_t>(1, w.rate - w.rate / 20),
                          std::max<std::uint32_t>(1, w.burst / 2));
    sub_.emplace(make_network_socket(ctx_, zmq::socket_type::sub));
    sub_->set(zmq::sockopt::rcvhwm, lobby_hwm);
    sub_->connect(dialable_endpoint(w.lobby_endpoint, endpoint_));
    // Order matters: the welcome topic arriving at the broker proves "lobby" is live.
    sub_->set(zmq::sockopt::subscribe, protocol::lobby_topic);
    sub_->set(zmq::sockopt::subscribe, welcome_topic_);
    loop_.watch(*sub_, [this] { on_lobby(); });
    state_ = State::subscribing;
    events_.registered(w, !ever_joined_);
}

void BrokerLink::on_joined(const protocol::Joined& j) {
    if (state_ != State::subscribing) return;
    state_ = State::joined;
    ever_joined_ = true;
    outage_reported_ = false;
    backoff_ = std::chrono::milliseconds{250};
    epoch_ = j.epoch;
    last_seq_ = j.last_seq;
    auto early = std::move(early_);
    early_.clear();
    events_.joined();
    for (auto& m : early) deliver(std::move(m));
    flush_outbox();
}

void BrokerLink::on_lobby() {
    for (int i = 0; i < 1024 && sub_; ++i) {
        zmq::message_t topic;
        if (!sub_->recv(topic, zmq::recv_flags::dontwait)) return;
        if (!topic.more()) continue;
        zmq::message_t body;
        (void)sub_->recv(body);
        while (body.more()) (void)sub_->recv(body);  // tolerate extra frames from a future broker
        auto decoded = protocol::decode(body.to_string_view());
        if (auto* err = std::get_if<protocol::DecodeError>(&decoded)) {
            log::debug("dropped an undecodable lobby message: ", err->reason);
            continue;
        }
        last_heard_ = EventLoop::Clock::now();
        on_published(std::move(std::get<protocol::Message>(decoded)));
    }
}

void BrokerLink::on_published(protocol::Message&& m) {
    if (const auto* beat = std::get_if<protocol::Beat>(&m)) {
        if (state_ == State::joined && beat->epoch == epoch_ && beat->last_seq > last_seq_) {
            events_.gap(beat->last_seq - last_seq_);
            last_seq_ = beat->last_seq;
        }
        return;
    }
    if (const auto* down = std::get_if<protocol::Shutdown>(&m)) return go_down(down->reason);
    if (state_ == State::subscribing) {
        if (early_.size() < early_limit) early_.push_back(std::move(m));
        return;
    }
    if (state_ == State::joined) deliver(std::move(m));
}

void BrokerLink::deliver(protocol::Message&& m) {
    if (auto* t = std::get_if<protocol::LobbyText>(&m)) {
        if (!track(t->epoch, t->seq)) return;
        if (t->from_id != id_)
            events_.lobby_text(*t);
        else if (unconfirmed_ > 0)
            --unconfirmed_;
    } else if (auto* n = std::get_if<protocol::Notice>(&m)) {
        if (track(n->epoch, n->seq)) events_.notice(*n);
    }
}

// True when SEQ is news, and then moves last_seq_ to it (reporting any gap). A
// message at or below last_seq_ is a duplicate: history overlapping the live
// stream, or a live message that beat JOINED.
bool BrokerLink::track(std::uint64_t epoch, std::uint64_t seq) {
    if (epoch != epoch_) {
        epoch_ = epoch;  // a new broker: count from here, no gap
        last_seq_ = seq;
        return true;
    }
    if (seq <= last_seq_) return false;
    if (seq > last_seq_ + 1) events_.gap(seq - last_seq_ - 1);
    last_seq_ = seq;
    return true;
}

void BrokerLink::on_tick() {
    const auto now = EventLoop::Clock::now();
    if (pause_.paused(now)) {
        // We were stopped, not the broker: what it sent is still queued.
        last_heard_ = now;
        attempt_started_ = now;
        return;
    }
    switch (state_) {
        case State::registering:
            if (now - attempt_started_ > std::max(backoff_, std::chrono::milliseconds{1000}))
                go_down("the broker does not answer");
            break;
        case State::subscribing:
        case State::joined:
            if (now - last_heard_ > broker_timeout_) {
                go_down("no heartbeat from the broker for " +
                        std::to_string(broker_timeout_.count()) + " ms");
                break;
            }
            if (now - last_ping_ >= heartbeat_) {
                last_ping_ = now;
                send(protocol::Ping{});
            }
            break;
        case State::down:
            break;
    }
}

void BrokerLink::go_down(const std::string& why) {
    if (state_ == State::down || left_) return;
    close_sockets();
    state_ = State::down;
    unconfirmed_ = 0;
    if (ever_joined_ && !outage_reported_) {  // once per outage, not per retry
        outage_reported_ = true;
        std::string what = why;
        if (!outbox_.empty())
            what += "; " + std::to_string(outbox_.size()) + " queued lobby message(s) not sent";
        outbox_.clear();
        events_.lost(what);
    }
    loop_.after(backoff_, [this] { retry(); });
    backoff_ = std::min(backoff_ * 2, max_backoff);
}

void BrokerLink::retry() {
    if (state_ == State::down && !left_) open_sockets();
}

bool BrokerLink::say(std::string text) {
    if (ever_joined_ && !up()) return false;
    outbox_.push_back({next_cseq_++, std::move(text)});
    flush_outbox();
    return true;
}

void BrokerLink::flush_outbox() {
    while (up() && !outbox_.empty()) {
        const auto wait = bucket_.wait();
        if (wait.count() > 0 || !send(protocol::Say{outbox_.front().cseq, outbox_.front().text})) {
            if (!flush_timer_) {
                flush_timer_ = loop_.after(std::max(wait, std::chrono::milliseconds{5}), [this] {
                    flush_timer_.reset();
                    flush_outbox();
                });
            }
            return;
        }
        bucket_.take();
        ++unconfirmed_;
        sent_.push_back(std::move(outbox_.front()));
        outbox_.pop_front();
        if (sent_.size() > refusals_remembered) sent_.pop_front();
    }
}

std::optional<std::uint64_t> BrokerLink::users() {
    if (!up()) return std::nullopt;
    const std::uint64_t cseq = next_cseq_++;
    if (!send(protocol::Users{cseq})) return std::nullopt;
    return cseq;
}

std::optional<std::uint64_t> BrokerLink::fork(const std::string& peer, const std::string& endpoint,
                                              const std::string& token) {
    if (!up()) return std::nullopt;
    const std::uint64_t cseq = next_cseq_++;
    if (!send(protocol::Fork{cseq, peer, endpoint, token, ""})) return std::nullopt;
    return cseq;
}

void BrokerLink::leave(std::chrono::milliseconds linger) {
    if (dealer_ && state_ != State::down) {
        send(protocol::Bye{"quit"});
        dealer_->set(zmq::sockopt::linger, static_cast<int>(linger.count()));
    }
    close_sockets();
    state_ = State::down;
    left_ = true;
}

}  // namespace zchat::client
