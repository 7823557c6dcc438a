// broker_link: the transition table, its actions, and the two sockets.
#include "client/broker_link.hpp"

#include <algorithm>
#include <utility>

#include "patterns/frame.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/overloaded.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::client {
namespace {

using std::chrono::milliseconds;
using S = BrokerLink::State;
using E = BrokerLink::Event;

constexpr milliseconds first_backoff{250};
constexpr milliseconds max_backoff{5000};
constexpr milliseconds min_answer_wait{1000};  // for WELCOME, however short the backoff
// A wrong broker key fails every attempt, about ten a second; a connection
// reset mid-handshake fails one. This many in a row settle which it is.
constexpr int unclear_failures_to_probe = 3;

}  // namespace

// Every transition there is. An event a state has no row for is ignored.
const BrokerLink::Transition BrokerLink::table_[] = {
    {S::connecting, E::welcome, S::subscribing, &BrokerLink::subscribe},
    {S::connecting, E::silence, S::retrying, &BrokerLink::give_up},
    {S::connecting, E::forgotten, S::retrying, &BrokerLink::give_up},
    {S::subscribing, E::joined, S::joined, &BrokerLink::go_live},
    {S::subscribing, E::silence, S::retrying, &BrokerLink::give_up},
    {S::subscribing, E::shutdown, S::retrying, &BrokerLink::give_up},
    {S::subscribing, E::forgotten, S::retrying, &BrokerLink::give_up},
    {S::retrying, E::due, S::connecting, &BrokerLink::start_registration},
    {S::joined, E::silence, S::lost, &BrokerLink::lose},
    {S::joined, E::shutdown, S::lost, &BrokerLink::lose},
    {S::joined, E::forgotten, S::lost, &BrokerLink::lose},
    {S::lost, E::due, S::reconnecting, &BrokerLink::start_registration},
    {S::reconnecting, E::welcome, S::resubscribing, &BrokerLink::subscribe},
    {S::reconnecting, E::silence, S::lost, &BrokerLink::give_up},
    {S::reconnecting, E::forgotten, S::lost, &BrokerLink::give_up},
    {S::resubscribing, E::joined, S::joined, &BrokerLink::go_live},
    {S::resubscribing, E::silence, S::lost, &BrokerLink::give_up},
    {S::resubscribing, E::shutdown, S::lost, &BrokerLink::give_up},
    {S::resubscribing, E::forgotten, S::lost, &BrokerLink::give_up},
};

BrokerLink::BrokerLink(zmq::context_t& ctx, EventLoop& loop, std::string endpoint, std::string name,
                       std::chrono::milliseconds broker_timeout, LinkEvents events,
                       std::optional<LinkKeys> keys, Now now)
    : ctx_(ctx),
      loop_(loop),
      endpoint_(std::move(endpoint)),
      name_(std::move(name)),
      broker_timeout_(broker_timeout),
      events_(std::move(events)),
      keys_(std::move(keys)),
      now_(std::move(now)),
      max_text_(limits::max_text_bytes),
      max_lines_(limits::max_text_lines),
      broker_(broker_timeout, broker_timeout, now_()),
      heartbeat_(limits::heartbeat_interval, now_()),
      outbox_(now_()) {
    start_registration();
}

bool BrokerLink::ever_joined() const {
    return state_ == S::joined || state_ == S::lost || state_ == S::reconnecting ||
           state_ == S::resubscribing;
}

bool BrokerLink::registering() const {
    return state_ == S::connecting || state_ == S::reconnecting;
}

bool BrokerLink::subscribing() const {
    return state_ == S::subscribing || state_ == S::resubscribing;
}

void BrokerLink::fire(Event event) {
    if (event == E::quit) {
        if (state_ != S::left) quit();
        return;
    }
    for (const auto& t : table_) {
        if (t.from != state_ || t.on != event) continue;
        from_ = state_;
        state_ = t.to;
        (this->*t.act)();
        return;
    }
}

void BrokerLink::tick() {
    const auto now = now_();
    if (registering() && now - attempt_started_ > std::max(backoff_, min_answer_wait)) {
        why_ = "the broker does not answer";
        return fire(E::silence);
    }
    if (subscribing() && now - attempt_started_ > limits::join_timeout) {
        why_ = "the broker answered, but its lobby is unreachable";
        return fire(E::silence);
    }
    if (state_ == S::joined && broker_.expired(now)) {
        why_ =
            "no heartbeat from the broker for " + std::to_string(broker_timeout_.count()) + " ms";
        return fire(E::silence);
    }
    if ((state_ == S::retrying || state_ == S::lost) && now >= retry_at_) return fire(E::due);
    if (subscribing()) registration_->tick(*sub_, now);
    if ((subscribing() || up()) && heartbeat_.due(now)) send(protocol::Ping{});
    if (up() && room_ticket_.asking()) {
        ZmqSubscriber port(*sub_);
        room_ticket_.tick(port, now);
    }
    if (!up()) return;
    // Typed lines first: IGNOREs (up to max_ignored after a rejoin) take
    // what the lines leave of the pace.
    flush_outbox();
    flush_ignores();
}

void BrokerLink::forgive() {
    const auto now = now_();
    broker_.forgive(now);
    attempt_started_ = now;
}

// ---- actions ----

void BrokerLink::start_registration() {
    open_sockets();
    attempt_started_ = now_();
    registration_.emplace(name_, ticket_);
    send(registration_->hello());
}

void BrokerLink::subscribe() {
    const auto& w = registration_->welcome();
    const bool first = state_ == S::subscribing;
    const std::string requested = name_;
    name_ = w.name;
    id_ = w.id;
    ticket_ = w.ticket;
    max_text_ = w.max_text;
    max_lines_ = w.max_lines;
    heartbeat_.set_period(milliseconds(std::max<std::uint32_t>(w.heartbeat_ms, 100)));
    outbox_.pace(w.rate, w.burst, now_());
    sub_.emplace(make_network_socket(ctx_, zmq::socket_type::sub));
    sub_->set(zmq::sockopt::rcvhwm, limits::lobby_hwm);
    secure(*sub_);
    loop_.watch(*sub_, [this] { on_lobby(); });
    attempt_started_ = now_();
    registration_->subscribe(*sub_, endpoint_, attempt_started_);
    events_.registered(w, first, requested);
}

void BrokerLink::go_live() {
    const auto& j = registration_->joined();
    const bool first = from_ == S::subscribing;
    registration_->release_ticket(*sub_);
    backoff_ = first_backoff;
    broker_.heard(now_());
    // Back in the same run, the numbering goes on from what we saw: what came
    // early is checked against it, and JOINED's last_seq past all of it is a
    // gap. Otherwise everything up to last_seq is covered (history or past).
    const bool resumed = same_run();
    if (!resumed) {
        sequence_.start(j.epoch, j.last_seq);
        rooms_before_.clear();  // a new broker run numbers its rooms afresh
    }
    auto early = std::exchange(early_, {});
    events_.joined(first);
    for (auto& m : early) deliver(std::move(m));
    if (resumed)
        if (const auto missed = sequence_.beat(j.epoch, j.last_seq)) events_.gap(missed);
    if (!first) rejoin_rooms();
    // Told again at every join: a restarted broker, or one that dropped our
    // registration, knows none of them, and one that kept it takes them as before.
    for (const auto& name : ignored_) ignores_due_[name] = true;
    flush_outbox();
    flush_ignores();
}

void BrokerLink::flush_outbox() {
    outbox_.flush(
        [this](std::uint64_t cseq, const std::string& room, const std::string& text) {
            if (room.empty()) return send(protocol::Say{cseq, text});
            return send(protocol::SayRoom{cseq, room, text});
        },
        now_());
}

void BrokerLink::give_up() {
    close_sockets();
    log::debug("broker link: ", why_, "; trying again in ", backoff_.count(), " ms");
    retry_at_ = now_() + backoff_;
    backoff_ = std::min(backoff_ * 2, max_backoff);
}

void BrokerLink::lose() {
    std::string what = why_;
    if (const std::size_t dropped = outbox_.drop_all())
        what += "; " + std::to_string(dropped) + " queued lobby message(s) not sent";
    give_up();
    events_.lost(what);
}

void BrokerLink::quit() {
    if (dealer_ && (subscribing() || up())) {
        send(protocol::Bye{"quit"});
        dealer_->set(zmq::sockopt::linger, static_cast<int>(linger_.count()));
    }
    close_sockets();
    state_ = S::left;
}

// ---- sockets ----

void BrokerLink::open_sockets() {
    close_sockets();
    dealer_.emplace(make_network_socket(ctx_, zmq::socket_type::dealer));
    secure(*dealer_);
    dealer_watch_.emplace(ctx_, loop_, *dealer_, [this](const auto& r) { on_handshake(r); });
    unclear_failures_ = 0;
    dealer_->connect(endpoint_);
    loop_.watch(*dealer_, [this] { on_rendezvous(); });
}

void BrokerLink::close_sockets() {
    dealer_watch_.reset();
    probe_watch_.reset();
    if (dealer_) loop_.unwatch(*dealer_);
    if (sub_) loop_.unwatch(*sub_);
    dealer_.reset();
    sub_.reset();
    probe_.reset();
    early_.clear();
    // Room state belongs to the sockets; rejoin_rooms asks again on new ones.
    room_ticket_ = TicketAsk{};
    room_asks_.clear();
    for (auto& [room, seq] : room_sequences_) rooms_before_[room] = seq;
    room_sequences_.clear();
    room_early_.clear();
}

void BrokerLink::secure(zmq::socket_t& socket) {
    if (keys_)
        make_curve_client(socket, keys_->own.public_z85, keys_->own.secret_z85, keys_->broker_key);
}

// ---- handshakes ----

void BrokerLink::on_handshake(const HandshakeWatch::Report& r) {
    using F = HandshakeWatch::Failure;
    if (r.succeeded) {
        unclear_failures_ = 0;
        return;
    }
    if (r.failure == F::refused_key)
        return fail("the broker at " + endpoint_ + " refused this client's key");
    if (r.failure == F::mechanism_mismatch || !keys_) {
        // A plaintext socket meets no key to get wrong: any failure is CURVE on the other side.
        if (!keys_)
            return fail("the broker at " + endpoint_ +
                        " requires encryption: start chat-cli without --insecure");
        return fail("the broker at " + endpoint_ +
                    " speaks plaintext (started with --insecure?). This client does not talk in "
                    "the clear unless started with --insecure too");
    }
    if (++unclear_failures_ == unclear_failures_to_probe) probe();
}

// A plaintext handshake with the same endpoint settles it: one that succeeds
// means a plaintext broker; one that fails, a CURVE broker with another key.
void BrokerLink::probe() {
    probe_.emplace(make_network_socket(ctx_, zmq::socket_type::dealer));
    probe_watch_.emplace(ctx_, loop_, *probe_, [this](const HandshakeWatch::Report& r) {
        if (r.succeeded)
            return fail("the broker at " + endpoint_ +
                        " speaks plaintext (started with --insecure?). This client does not "
                        "talk in the clear unless started with --insecure too");
        fail("the broker at " + endpoint_ + " does not hold the key " + keys_->origin + " (" +
             key_fingerprint(keys_->broker_key) +
             "). Its key has changed, or someone is in between. If you know the broker got a "
             "new key, remove the old one and connect again");
    });
    probe_->connect(endpoint_);
}

void BrokerLink::fail(const std::string& why) {
    close_sockets();
    state_ = S::left;
    events_.fatal(why);
}

bool BrokerLink::send(const protocol::Message& m) {
    if (!dealer_) return false;
    auto frame = to_frame(m);
    if (!dealer_->send(frame, zmq::send_flags::dontwait)) return false;
    heartbeat_.sent(now_());
    return true;
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
        on_reply(std::move(std::get<protocol::Message>(decoded)));
    }
}

// Back at the broker run we were in (a resume, or a fresh registration with
// the same broker), the history is what we may have missed: a text we saw
// is not shown twice, and a jump past what we saw is reported.
bool BrokerLink::same_run() const {
    return registration_ && sequence_.epoch() != 0 &&
           registration_->welcome().epoch == sequence_.epoch();
}

void BrokerLink::on_history(const protocol::History& h) {
    if (same_run()) {
        const auto seen = sequence_.see(sequence_.epoch(), h.seq);
        if (seen.missed) events_.gap(seen.missed);
        if (!seen.news) return;
    }
    events_.history(h);
}

void BrokerLink::on_reply(protocol::Message&& m) {
    if (on_room_reply(m)) return;
    if (registration_) {
        switch (registration_->on_reply(m)) {
            case Registration::Step::welcomed:
                return fire(E::welcome);
            case Registration::Step::history:
                return on_history(std::get<protocol::History>(m));
            case Registration::Step::joined:
                return fire(E::joined);
            case Registration::Step::refused:
                return on_hello_refused(std::get<protocol::Error>(m));
            case Registration::Step::other:
                break;
        }
    }
    std::visit(
        overloaded{
            [&](protocol::UserList& u) { events_.user_list(u); },
            [&](protocol::ForkOk& f) { events_.fork_ok(f); },
            [&](protocol::Invite& inv) { events_.invite(inv); },
            [&](protocol::Error& e) {
                if (e.code == static_cast<std::uint32_t>(protocol::ErrorCode::not_registered)) {
                    why_ = "the broker no longer knows this client";
                    return fire(E::forgotten);
                }
                // A JOIN refused: the room is not ours after all.
                if (const auto it = room_asks_.find(e.cseq); it != room_asks_.end()) {
                    rooms_.erase(it->second);
                    rooms_before_.erase(it->second);
                    room_change_done(e.cseq);
                }
                events_.error(e, outbox_.refused(e.cseq));
            },
            [&](auto& other) {
                log::debug("dropped unexpected reply ", protocol::kind_name(other));
            },
        },
        m);
}

// A name that breaks the rules, or a key in use elsewhere, is the user's to
// fix; anything else (a busy broker, a full bucket) is tried again later.
void BrokerLink::on_hello_refused(const protocol::Error& e) {
    using protocol::ErrorCode;
    if (e.code == static_cast<std::uint32_t>(ErrorCode::bad_name) ||
        e.code == static_cast<std::uint32_t>(ErrorCode::key_in_use)) {
        close_sockets();
        state_ = S::left;
        return events_.hello_refused(e);
    }
    why_ = "the broker refused to register us: " + e.reason;
    fire(E::silence);
}

void BrokerLink::on_lobby() {
    for (int i = 0; i < 1024 && sub_; ++i) {
        zmq::message_t topic;
        if (!sub_->recv(topic, zmq::recv_flags::dontwait)) return;
        zmq::message_t body;
        std::size_t frames = 1;
        for (bool more = topic.more(); more;) {
            zmq::message_t part;
            (void)sub_->recv(part);
            more = part.more();
            if (++frames == 2) body = std::move(part);
        }
        const bool room = topic.to_string_view().starts_with(protocol::room_topic_prefix);
        if (frames != 2 || (!room && topic.to_string_view() != protocol::lobby_topic)) {
            log::debug("dropped a lobby message of ", frames, " frame(s)");
            continue;
        }
        auto decoded = protocol::decode(body.to_string_view());
        if (auto* err = std::get_if<protocol::DecodeError>(&decoded)) {
            log::debug("dropped an undecodable lobby message: ", err->reason);
            continue;
        }
        broker_.heard(now_());
        auto& m = std::get<protocol::Message>(decoded);
        if (room)
            on_room_published(std::move(m));
        else
            on_published(std::move(m));
    }
}

void BrokerLink::on_published(protocol::Message&& m) {
    if (const auto* beat = std::get_if<protocol::Beat>(&m)) {
        if (up())
            if (const auto missed = sequence_.beat(beat->epoch, beat->last_seq))
                events_.gap(missed);
        return;
    }
    if (const auto* down = std::get_if<protocol::Shutdown>(&m)) {
        // Only the broker we registered with may say it is going: an old
        // epoch's SHUTDOWN, replayed or forged, means nothing now.
        if (!registration_ || registration_->stage() == Registration::Stage::hello_sent ||
            down->epoch != registration_->welcome().epoch)
            return;
        why_ = down->reason;
        return fire(E::shutdown);
    }
    if (subscribing()) {
        if (early_.size() < limits::early_lobby_messages) early_.push_back(std::move(m));
        return;
    }
    if (up()) deliver(std::move(m));
}

void BrokerLink::deliver(protocol::Message&& m) {
    if (auto* t = std::get_if<protocol::LobbyText>(&m)) {
        const auto seen = sequence_.see(t->epoch, t->seq);
        if (seen.missed) events_.gap(seen.missed);
        if (!seen.news) return;
        if (t->from_id == id_) return outbox_.published();
        if (t->text.size() > max_text_)
            return log::debug("dropped a lobby text of ", t->text.size(), " bytes");
        events_.lobby_text(*t);
    } else if (auto* n = std::get_if<protocol::Notice>(&m)) {
        const auto seen = sequence_.see(n->epoch, n->seq);
        if (seen.missed) events_.gap(seen.missed);
        if (seen.news) events_.notice(*n);
    }
}

// ---- requests ----

bool BrokerLink::say(std::string text, std::string room) {
    if (ever_joined() && !up()) return false;
    outbox_.push(next_cseq_++, std::move(text), std::move(room));
    if (up()) flush_outbox();
    return true;
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

// ---- rooms ----

std::optional<std::uint64_t> BrokerLink::join_room(const std::string& room) {
    if (!up()) return std::nullopt;
    const std::uint64_t cseq = next_cseq_++;
    if (!send(protocol::JoinRoom{cseq, room})) return std::nullopt;
    rooms_.insert(room);
    room_asks_[cseq] = room;
    return cseq;
}

std::optional<std::uint64_t> BrokerLink::part_room(const std::string& room) {
    if (!up() || !rooms_.contains(room)) return std::nullopt;
    const std::uint64_t cseq = next_cseq_++;
    if (!send(protocol::PartRoom{cseq, room})) return std::nullopt;
    rooms_.erase(room);
    room_sequences_.erase(room);
    rooms_before_.erase(room);
    room_asks_[cseq] = room;
    return cseq;
}

std::optional<std::uint64_t> BrokerLink::list_rooms() {
    if (!up()) return std::nullopt;
    const std::uint64_t cseq = next_cseq_++;
    if (!send(protocol::Rooms{cseq})) return std::nullopt;
    return cseq;
}

std::optional<std::uint64_t> BrokerLink::who(const std::string& room) {
    if (!up()) return std::nullopt;
    const std::uint64_t cseq = next_cseq_++;
    if (!send(protocol::Who{cseq, room})) return std::nullopt;
    return cseq;
}

void BrokerLink::ignore(const std::string& name, bool on) {
    if (on)
        ignored_.insert(name);
    else
        ignored_.erase(name);
    ignores_due_[name] = on;
    flush_ignores();
}

// Paced with lobby text, so that even max_ignored of them after a rejoin
// cost no refusal; and the names no longer ignored first, so that a name
// taking the place of another never finds the broker's list full.
void BrokerLink::flush_ignores() {
    while (up() && !ignores_due_.empty() && outbox_.spend(now_())) {
        auto next = std::find_if(ignores_due_.begin(), ignores_due_.end(),
                                 [](const auto& due) { return !due.second; });
        if (next == ignores_due_.end()) next = ignores_due_.begin();
        if (!send(protocol::Ignore{next_cseq_++, next->first, next->second})) return;
        ignores_due_.erase(next);
    }
}

// After a rejoin: a broker that kept our registration answers each JOIN at
// once; a restarted one makes the rooms again.
void BrokerLink::rejoin_rooms() {
    for (const auto& room : rooms_) {
        const std::uint64_t cseq = next_cseq_++;
        if (send(protocol::JoinRoom{cseq, room})) room_asks_[cseq] = room;
    }
}

bool BrokerLink::on_room_reply(protocol::Message& m) {
    if (auto* t = std::get_if<protocol::RoomTicket>(&m)) {
        if (!sub_ || !room_asks_.contains(t->cseq)) return true;
        ticket_ = t->ticket;  // the latest ticket is the one a resume proves
        ZmqSubscriber port(*sub_);
        room_ticket_.start(port, t->ticket, now_());
        return true;
    }
    if (auto* j = std::get_if<protocol::RoomJoined>(&m)) {
        if (room_asks_.contains(j->cseq) && rooms_.contains(j->room)) on_room_live(*j);
        room_change_done(j->cseq);
        return true;
    }
    if (auto* p = std::get_if<protocol::RoomParted>(&m)) {
        room_change_done(p->cseq);
        return true;
    }
    if (auto* t = std::get_if<protocol::RoomText>(&m)) {
        if (rooms_.contains(t->room) && !room_sequences_.contains(t->room) && !seen_before(*t))
            events_.room_text(*t, true);
        return true;
    }
    if (auto* l = std::get_if<protocol::RoomList>(&m)) {
        events_.room_list(*l);
        return true;
    }
    return false;
}

// A room's history after a rejoin of the broker run we were in, as the lobby's.
bool BrokerLink::seen_before(const protocol::RoomText& t) {
    const auto it = rooms_before_.find(t.room);
    if (it == rooms_before_.end() || it->second.epoch() != t.epoch) return false;
    const auto seen = it->second.see(t.epoch, t.seq);
    if (seen.missed) events_.room_gap(t.room, seen.missed);
    return !seen.news;
}

// As the lobby's: back in the same run, a room's numbering goes on from what
// we saw (and any history since), and ROOM_JOINED's last_seq past what came
// is a gap; otherwise it starts at last_seq.
void BrokerLink::on_room_live(protocol::RoomJoined& j) {
    auto& seq = room_sequences_[j.room];
    auto before = rooms_before_.extract(j.room);
    const bool resumed = before && before.mapped().epoch() == j.epoch;
    if (resumed)
        seq = before.mapped();
    else
        seq.start(j.epoch, j.last_seq);
    events_.room_joined(j);
    auto early = std::move(room_early_[j.room]);
    room_early_.erase(j.room);
    for (auto& m : early) deliver_room(std::move(m));
    if (resumed)
        if (const auto missed = seq.beat(j.epoch, j.last_seq)) events_.room_gap(j.room, missed);
}

void BrokerLink::room_change_done(std::uint64_t cseq) {
    room_asks_.erase(cseq);
    if (room_asks_.empty() && sub_) {
        ZmqSubscriber port(*sub_);
        room_ticket_.release(port);
    }
}

// Traffic of a room not (yet) live is held until ROOM_JOINED says where its
// history ended; traffic of a room we are not in is dropped.
void BrokerLink::on_room_published(protocol::Message&& m) {
    const std::string* room = nullptr;
    if (const auto* t = std::get_if<protocol::RoomText>(&m)) room = &t->room;
    if (const auto* n = std::get_if<protocol::RoomNotice>(&m)) room = &n->room;
    if (const auto* b = std::get_if<protocol::RoomBeat>(&m)) {
        // Before ROOM_JOINED a beat says nothing: its last_seq covers the start.
        const auto it = room_sequences_.find(b->room);
        if (it != room_sequences_.end() && rooms_.contains(b->room) && up())
            if (const auto missed = it->second.beat(b->epoch, b->last_seq))
                events_.room_gap(b->room, missed);
        return;
    }
    // While the lobby comes back, a room's traffic is held as well.
    if (!room || !rooms_.contains(*room) || !(up() || subscribing())) return;
    if (!room_sequences_.contains(*room)) {
        auto& early = room_early_[*room];
        if (early.size() < limits::early_lobby_messages) early.push_back(std::move(m));
        return;
    }
    deliver_room(std::move(m));
}

void BrokerLink::deliver_room(protocol::Message&& m) {
    if (auto* t = std::get_if<protocol::RoomText>(&m)) {
        const auto seen = room_sequences_[t->room].see(t->epoch, t->seq);
        if (seen.missed) events_.room_gap(t->room, seen.missed);
        if (!seen.news) return;
        if (t->from_id == id_) return outbox_.published();
        if (t->text.size() > max_text_)
            return log::debug("dropped a room text of ", t->text.size(), " bytes");
        events_.room_text(*t, false);
    } else if (auto* n = std::get_if<protocol::RoomNotice>(&m)) {
        const auto seen = room_sequences_[n->room].see(n->epoch, n->seq);
        if (seen.missed) events_.room_gap(n->room, seen.missed);
        if (seen.news) events_.room_notice(*n);
    }
}

void BrokerLink::leave(std::chrono::milliseconds linger) {
    linger_ = linger;
    fire(E::quit);
}

}  // namespace zchat::client
