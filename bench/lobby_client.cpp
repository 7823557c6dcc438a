// lobby_client: protocol moves of one simulated ZeroMQ lobby client.
#include "bench/lobby_client.hpp"

#include "bench/lobby_skim.hpp"
#include "bench/stamped_text.hpp"
#include "client/outbox.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/wall_clock.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::bench {
namespace {

// Frames taken from one socket per service, so one busy socket cannot starve the rest.
constexpr int drain_batch = 256;
// Baseline: how often an unanswered probe is repeated while the SUB connects.
constexpr auto probe_interval = std::chrono::milliseconds{20};

}  // namespace

LobbyClient::LobbyClient(zmq::context_t& ctx, const LoadConfig& config, std::size_t index)
    : config_(config),
      dealer_(make_network_socket(ctx, zmq::socket_type::dealer)),
      sub_(make_network_socket(ctx, zmq::socket_type::sub)),
      name_("load-" + std::to_string(index)),
      registration_(name_) {
    sub_.set(zmq::sockopt::rcvhwm, limits::lobby_hwm);
    if (config_.curve) {
        const auto keys = generate_curve_keys();  // one client, one key, as chat-cli
        for (auto* s : {&dealer_, &sub_})
            make_curve_client(*s, keys.public_z85, keys.secret_z85, config_.server_key);
    }
    if (config_.raw_wire)
        raw_ =
            std::make_unique<RawSubscriber>([this](std::string_view topic, std::string_view body) {
                on_published(topic, body, read_at_, *reading_);
            });
    if (!config_.room.empty()) {
        room_ = config_.rooms > 1 ? config_.room + "-" + std::to_string(index % config_.rooms)
                                  : config_.room;
        room_topic_ = protocol::room_topic(room_);
    }
    if (config_.target == Target::baseline) {
        id_ = index + 1;
        // The trailing '/' keeps "w/1/" from prefix-matching "w/10/".
        own_topic_ = "w/" + std::to_string(id_) + "/";
        last_seq_.assign(config_.clients + 1, 0);
    } else {
        last_seq_.assign(1, 0);
    }
}

std::vector<LoadClient::Watch> LobbyClient::watches() {
    const Watch lobby = raw_ ? Watch{raw_->fd(), false} : Watch{sub_.get(zmq::sockopt::fd), true};
    return {{dealer_.get(zmq::sockopt::fd), true}, lobby};
}

SubscriberPort& LobbyClient::lobby_port() {
    if (raw_) return *raw_;
    return zmq_port_;
}

void LobbyClient::start(Clock::time_point now) {
    dealer_.connect(config_.rendezvous);
    if (config_.target == Target::broker) {
        (void)send(protocol::encode(registration_.hello()));
        return;
    }
    subscribe_and_connect(config_.lobby);
    tick(now);
}

void LobbyClient::subscribe_and_connect(const std::string& endpoint) {
    // The lobby topic first: once the own topic is seen live, so is the lobby.
    auto& port = lobby_port();
    port.subscribe(protocol::lobby_topic);
    port.subscribe(own_topic_);
    port.connect(endpoint);
}

bool LobbyClient::send(std::string_view frame, bool more) {
    const auto flags =
        more ? zmq::send_flags::sndmore | zmq::send_flags::dontwait : zmq::send_flags::dontwait;
    return dealer_.send(zmq::buffer(frame.data(), frame.size()), flags).has_value();
}

bool LobbyClient::tick(Clock::time_point now) {
    if (room_ask_.asking()) return room_ask_.tick(lobby_port(), now);
    if (config_.target == Target::broker)
        return !joined_ && registration_.stage() == Registration::Stage::subscribing &&
               registration_.tick(lobby_port(), now);
    if (joined_ || now - last_probe_ < probe_interval) return false;
    if (!send(own_topic_, true)) return false;
    (void)send("probe");
    last_probe_ = now;
    return false;  // probes do not crowd each other out
}

bool LobbyClient::say(Clock::time_point due, Tally& tally) {
    if (blocked_) return false;
    if (pacing_ && !pacing_->take(Clock::now())) return false;
    const std::string text = stamped_text(due);
    if (config_.target == Target::broker) {
        const auto body = room_.empty()
                              ? protocol::encode(protocol::Say{next_seq_ + 1, text})
                              : protocol::encode(protocol::SayRoom{next_seq_ + 1, room_, text});
        if (!send(body)) {
            blocked_ = true;
            return false;
        }
    } else {
        if (!send(protocol::lobby_topic, true)) {
            blocked_ = true;
            return false;
        }
        // The rest of a message the DEALER took is never refused by the HWM.
        const auto body = protocol::encode(
            protocol::LobbyText{0, next_seq_ + 1, wall_clock_us(), id_, name_, text});
        if (!send(body)) ++tally.errors;
    }
    ++next_seq_;
    ++tally.sent;
    return true;
}

// A heartbeat costs the server what the broker's clients cost it: a PING to
// the broker, from WELCOME on as chat-cli sends it (a join that waits for its
// ticket longer than the broker's timeout would otherwise be dropped, and its
// ticket never applied); for the forwarder, a message on a topic no one
// subscribes to, which it forwards and its PUB drops after matching.
void LobbyClient::ping() {
    static const std::string body = protocol::encode(protocol::Ping{});
    if (config_.target == Target::broker) {
        const auto stage = registration_.stage();
        if (stage == Registration::Stage::subscribing || stage == Registration::Stage::joined)
            (void)send(body);
    } else if (joined_ && send("hb/", true)) {
        (void)send("x");
    }
}

// ZMQ_FD is edge-triggered: a socket is drained until it says EAGAIN, which
// also processes what libzmq has pending for it, so the next arrival signals
// the descriptor again. A send can consume that signal too: the load thread
// services the DEALER after every send.
bool LobbyClient::service(std::size_t which, Tally& tally) {
    if (which == 1) return raw_ ? read_raw(tally) : drain_lobby(tally);
    const bool more = drain_dealer(tally);
    if (blocked_ && (dealer_.get(zmq::sockopt::events) & ZMQ_POLLOUT)) blocked_ = false;
    return more || blocked_;
}

bool LobbyClient::drain_dealer(Tally& tally) {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t frame;
        if (!dealer_.recv(frame, zmq::recv_flags::dontwait)) return false;
        if (frame.more()) {  // the server never sends multipart replies
            ++tally.errors;
            continue;
        }
        on_reply(frame.to_string_view(), tally);
    }
    return true;
}

void LobbyClient::on_reply(std::string_view body, Tally& tally) {
    auto decoded = protocol::decode(body);
    auto* msg = std::get_if<protocol::Message>(&decoded);
    if (!msg) {
        ++tally.errors;
        return;
    }
    const auto step = registration_.on_reply(*msg);
    if (step == Registration::Step::welcomed) {
        const auto& w = registration_.welcome();
        id_ = w.id;
        if (config_.paced_like_client)
            pacing_.emplace(client::Outbox::pacing(w.rate, w.burst, Clock::now()));
        // The load thread spaces the first asks out, as it spaces the next ones.
        registration_.subscribe(lobby_port(), config_.rendezvous, Clock::now(), false);
    } else if (step == Registration::Step::joined) {
        // Lobby frames up to last_seq came before the subscription or as HISTORY.
        const auto last = registration_.joined().last_seq;
        if (last > last_seq_[0]) last_seq_[0] = last;
        registration_.release_ticket(lobby_port());
        if (room_.empty())
            joined_ = true;
        else
            (void)send(protocol::encode(protocol::JoinRoom{++next_seq_, room_}));
    } else if (step == Registration::Step::other && !room_.empty() &&
               !std::holds_alternative<protocol::Error>(*msg)) {
        on_room_reply(*msg, tally);
    } else if (const auto* e = std::get_if<protocol::Error>(msg)) {
        if (e->code == static_cast<std::uint32_t>(protocol::ErrorCode::rate_limited)) {
            ++tally.refused;
        } else {
            ++tally.errors;
            log::warn(name_, ": broker error ", e->code, ": ", e->reason);
        }
    }
}

// Wr: the room's ticket is asked for as the lobby's was; ROOM_JOINED makes
// the client joined, its numbering starting after the history.
void LobbyClient::on_room_reply(const protocol::Message& m, Tally& tally) {
    if (const auto* t = std::get_if<protocol::RoomTicket>(&m)) {
        room_ask_.start(lobby_port(), t->ticket, Clock::now());
    } else if (const auto* j = std::get_if<protocol::RoomJoined>(&m)) {
        room_ask_.release(lobby_port());
        last_seq_[0] = j->last_seq;
        joined_ = true;
    } else if (!std::holds_alternative<protocol::RoomText>(m)) {
        ++tally.errors;
    }
}

void LobbyClient::on_published(std::string_view topic, std::string_view body, Clock::time_point now,
                               Tally& tally) {
    if (topic == protocol::lobby_topic) {
        if (room_.empty()) on_lobby_body(body, now, tally);
    } else if (!room_topic_.empty() && topic == room_topic_) {
        on_room_body(body, now, tally);
    } else if (topic == own_topic_) {
        joined_ = true;
    } else {
        ++tally.errors;  // another room's traffic reached a non-member
    }
}

void LobbyClient::on_room_body(std::string_view body, Clock::time_point now, Tally& tally) {
    if (!joined_) return;  // ROOM_JOINED's last_seq covers what came before it
    if (LobbySkim t; skim_room_text(body, t)) return on_text(t.from_id, t.seq, t.text, now, tally);
    auto decoded = protocol::decode(body);
    auto* msg = std::get_if<protocol::Message>(&decoded);
    if (const auto* n = msg ? std::get_if<protocol::RoomNotice>(msg) : nullptr)
        return track_seq(0, n->seq, tally);
    if (const auto* b = msg ? std::get_if<protocol::RoomBeat>(msg) : nullptr)
        return track_beat(b->last_seq, tally);
    ++tally.errors;
}

// Level-triggered: one read per readiness, every whole message in it handled.
bool LobbyClient::read_raw(Tally& tally) {
    reading_ = &tally;
    read_at_ = Clock::now();
    if (!raw_->read()) ++tally.errors;
    reading_ = nullptr;
    return false;
}

bool LobbyClient::drain_lobby(Tally& tally) {
    const auto now = Clock::now();  // once per batch: a burst reads many at once
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t topic;
        if (!sub_.recv(topic, zmq::recv_flags::dontwait)) return false;
        zmq::message_t body;
        if (!topic.more() || !sub_.recv(body, zmq::recv_flags::dontwait) || body.more()) {
            ++tally.errors;
            while (sub_.get(zmq::sockopt::rcvmore)) (void)sub_.recv(body);
            continue;
        }
        on_published(topic.to_string_view(), body.to_string_view(), now, tally);
    }
    return true;
}

void LobbyClient::on_lobby_body(std::string_view body, Clock::time_point now, Tally& tally) {
    if (LobbySkim t; skim_lobby_text(body, t)) return on_text(t.from_id, t.seq, t.text, now, tally);
    auto decoded = protocol::decode(body);
    auto* msg = std::get_if<protocol::Message>(&decoded);
    if (!msg) {
        ++tally.errors;
        return;
    }
    if (const auto* n = std::get_if<protocol::Notice>(msg)) {
        track_seq(0, n->seq, tally);
    } else if (const auto* b = std::get_if<protocol::Beat>(msg)) {
        track_beat(b->last_seq, tally);
    }
}

// A beat is sequenced after everything it counts: anything short of its
// last_seq that we have not seen was dropped at the tail.
void LobbyClient::track_beat(std::uint64_t last_seq, Tally& tally) {
    auto& last = last_seq_[0];
    if (last != 0 && last_seq > last) {
        ++tally.gaps;
        tally.missing += last_seq - last;
    }
    if (last_seq > last) last = last_seq;
}

void LobbyClient::on_text(std::uint64_t from_id, std::uint64_t seq, std::string_view text,
                          Clock::time_point now, Tally& tally) {
    const bool per_sender = config_.target == Target::baseline;
    if (per_sender && (from_id == 0 || from_id >= last_seq_.size())) {
        ++tally.errors;
        return;
    }
    track_seq(per_sender ? from_id : 0, seq, tally);
    if (from_id == id_) return;  // the lobby echoes our own lines; they owe no delivery
    ++tally.received;
    tally.last_delivery = now;
    if (const auto due = stamp_of(text))
        tally.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - *due).count());
    else
        ++tally.errors;
}

void LobbyClient::track_seq(std::uint64_t stream, std::uint64_t seq, Tally& tally) {
    // Baseline senders number from 1, so even the first frame shows a gap; the
    // broker's stream is joined midway and only known from the first frame on.
    auto& last = last_seq_[stream];
    const bool known = last != 0 || config_.target == Target::baseline;
    if (known && seq > last + 1) {
        ++tally.gaps;
        tally.missing += seq - last - 1;
    }
    if (seq > last) last = seq;
}

}  // namespace zchat::bench
