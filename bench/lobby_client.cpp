// lobby_client: protocol moves of one simulated lobby client.
#include "bench/lobby_client.hpp"

#include <chrono>

#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::bench {
namespace {

// Matches the broker's lobby SNDHWM so the SUB side never drops first.
constexpr int lobby_rcvhwm = limits::lobby_hwm;
// Frames taken from one socket per call, so one busy socket cannot starve the rest.
constexpr int drain_batch = 256;
// Baseline: how often an unanswered probe is repeated while the SUB connects.
// Short, because the first probe usually goes out before the SUB is connected and
// the wait until the next one is counted in the baseline's join time.
constexpr auto probe_interval = std::chrono::milliseconds{20};

bool send_dontwait(zmq::socket_t& s, std::string_view frame, bool more = false) {
    const auto flags =
        more ? zmq::send_flags::sndmore | zmq::send_flags::dontwait : zmq::send_flags::dontwait;
    return s.send(zmq::buffer(frame.data(), frame.size()), flags).has_value();
}

}  // namespace

LobbyClient::LobbyClient(zmq::context_t& ctx, const LoadConfig& config, std::size_t index)
    : config_(config),
      dealer_(make_network_socket(ctx, zmq::socket_type::dealer)),
      sub_(make_network_socket(ctx, zmq::socket_type::sub)),
      name_("load-" + std::to_string(index)),
      registration_(name_) {
    sub_.set(zmq::sockopt::rcvhwm, lobby_rcvhwm);
    if (config_.target == Target::baseline) {
        id_ = index + 1;
        // The trailing '/' keeps "welcome/1/" from prefix-matching "welcome/10/".
        own_topic_ = "w/" + std::to_string(id_) + "/";
        last_seq_.assign(config_.clients + 1, 0);
    } else {
        last_seq_.assign(1, 0);
    }
}

void LobbyClient::start(Clock::time_point now) {
    dealer_.connect(config_.rendezvous);
    if (config_.target == Target::broker) {
        (void)send_dontwait(dealer_, protocol::encode(registration_.hello()));
        return;
    }
    subscribe_and_connect(config_.lobby);
    tick(now);
}

void LobbyClient::subscribe_and_connect(const std::string& endpoint) {
    // The lobby topic first: once the own topic is seen live, so is the lobby.
    sub_.set(zmq::sockopt::subscribe, protocol::lobby_topic);
    sub_.set(zmq::sockopt::subscribe, own_topic_);
    sub_.connect(endpoint);
}

bool LobbyClient::tick(Clock::time_point now) {
    if (config_.target == Target::broker)
        return !joined_ && registration_.stage() == Registration::Stage::subscribing &&
               registration_.tick(sub_, now);
    if (joined_ || now - last_probe_ < probe_interval) return false;
    if (!send_dontwait(dealer_, own_topic_, true)) return false;
    (void)send_dontwait(dealer_, "probe");
    last_probe_ = now;
    return false;  // probes do not crowd each other out
}

std::string LobbyClient::next_body() {
    const auto now = Clock::now();
    if (config_.target == Target::broker)
        return protocol::encode(protocol::Say{next_seq_ + 1, stamped_text(now)});
    return protocol::encode(
        protocol::LobbyText{0, next_seq_ + 1, wall_clock_us(), id_, name_, stamped_text(now)});
}

bool LobbyClient::say(Tally& tally) {
    const std::string body = next_body();
    if (config_.target == Target::broker) {
        if (!send_dontwait(dealer_, body)) return false;
    } else {
        if (!send_dontwait(dealer_, protocol::lobby_topic, true)) return false;
        // The rest of a message the DEALER took is never refused by the HWM.
        if (!send_dontwait(dealer_, body)) ++tally.errors;
    }
    ++next_seq_;
    ++tally.sent;
    return true;
}

void LobbyClient::ping() {
    static const std::string body = protocol::encode(protocol::Ping{});
    if (config_.target == Target::broker) (void)send_dontwait(dealer_, body);
}

void LobbyClient::on_dealer(Tally& tally) {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t frame;
        if (!dealer_.recv(frame, zmq::recv_flags::dontwait)) return;
        if (frame.more()) {  // the server never sends multipart replies
            ++tally.errors;
            continue;
        }
        on_reply(frame.to_string_view(), tally);
    }
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
        id_ = registration_.welcome().id;
        registration_.subscribe(sub_, config_.rendezvous, Clock::now());
    } else if (step == Registration::Step::joined) {
        // Lobby frames up to last_seq came before the subscription or as HISTORY.
        const auto last = registration_.joined().last_seq;
        if (last > last_seq_[0]) last_seq_[0] = last;
        joined_ = true;
    } else if (const auto* e = std::get_if<protocol::Error>(msg)) {
        if (e->code == static_cast<std::uint32_t>(protocol::ErrorCode::rate_limited)) {
            ++tally.refused;
        } else {
            ++tally.errors;
            log::warn(name_, ": broker error ", e->code, ": ", e->reason);
        }
    }
}

void LobbyClient::on_lobby(Tally& tally) {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t topic;
        if (!sub_.recv(topic, zmq::recv_flags::dontwait)) return;
        zmq::message_t body;
        if (!topic.more() || !sub_.recv(body, zmq::recv_flags::dontwait) || body.more()) {
            ++tally.errors;
            while (sub_.get(zmq::sockopt::rcvmore)) (void)sub_.recv(body);
            continue;
        }
        if (topic.to_string_view() == protocol::lobby_topic)
            on_lobby_body(body.to_string_view(), tally);
        else if (topic.to_string_view() == own_topic_)
            joined_ = true;
    }
}

void LobbyClient::on_lobby_body(std::string_view body, Tally& tally) {
    auto decoded = protocol::decode(body);
    auto* msg = std::get_if<protocol::Message>(&decoded);
    if (!msg) {
        ++tally.errors;
        return;
    }
    if (const auto* t = std::get_if<protocol::LobbyText>(msg))
        on_text(*t, tally);
    else if (const auto* n = std::get_if<protocol::Notice>(msg))
        track_seq(0, n->seq, tally);
    else if (const auto* b = std::get_if<protocol::Beat>(msg))
        on_beat(*b, tally);
}

void LobbyClient::on_text(const protocol::LobbyText& t, Tally& tally) {
    const bool per_sender = config_.target == Target::baseline;
    if (per_sender && (t.from_id == 0 || t.from_id >= last_seq_.size())) {
        ++tally.errors;
        return;
    }
    track_seq(per_sender ? t.from_id : 0, t.seq, tally);
    if (t.from_id == id_) return;  // the lobby echoes our own lines; they owe no delivery
    const auto now = Clock::now();
    ++tally.received;
    tally.last_delivery = now;
    if (const auto sent = stamp_of(t.text))
        tally.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - *sent).count());
    else
        ++tally.errors;
}

void LobbyClient::on_beat(const protocol::Beat& b, Tally& tally) {
    // A beat is sequenced after everything it counts: anything short of its
    // last_seq that we have not seen was dropped at the tail.
    auto& last = last_seq_[0];
    if (last != 0 && b.last_seq > last) {
        ++tally.gaps;
        tally.missing += b.last_seq - last;
    }
    if (b.last_seq > last) last = b.last_seq;
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
