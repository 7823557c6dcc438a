// broker: rendezvous and lobby fan-out, hardened against any input.
#include "broker/broker.hpp"

#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "patterns/frame.hpp"
#include "patterns/log.hpp"
#include "patterns/name_rules.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/secure_random.hpp"
#include "patterns/utf8.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::broker {
namespace {

using protocol::ErrorCode;
using Clock = EventLoop::Clock;

// Most messages taken from one socket per poll round, so neither socket starves.
constexpr int drain_batch = 1024;
// How long join notices are gathered before one NOTICE announces them all.
// Tickets skipped at the gate come back at jittered intervals, so a storm of
// joins is spread over a few hundred milliseconds: the window must hold many.
constexpr auto join_window = std::chrono::milliseconds{100};

// Base64url keeps a ticket's subscription (0x01, "t/", 22 characters) under
// 33 bytes, which libzmq copies out of the connection's reception buffer. A
// longer one is passed up in place, and pins that buffer until the loop reads
// it, so the connection allocates another: in hex, a join storm of a thousand
// clients cost 3.6 MB more.
std::string new_ticket() {
    return std::string(protocol::ticket_prefix) + random_base64url(limits::secret_bits);
}

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

std::string host_name() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

// The source address libzmq recorded for the connection FRAME came on.
std::string peer_address(const zmq::message_t& frame) {
    const char* value = zmq_msg_gets(frame.handle(), "Peer-Address");
    return value ? value : "";
}

// The key ZAP admitted the connection FRAME came on with (its User-Id);
// empty on a plaintext socket.
std::string user_id(const zmq::message_t& frame) {
    const char* value = zmq_msg_gets(frame.handle(), "User-Id");
    return value ? value : "";
}

// "[::1]" -> "::1": endpoints bracket IPv6 hosts, peer addresses do not.
std::string bare_host(std::string host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return host;
}

bool blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string public_endpoint(const std::string& bound) {
    const std::string host = endpoint_host(bound);
    if (host != "0.0.0.0" && host != "[::]" && host != "*" && host != "::") return bound;
    return "tcp://" + host_name() + bound.substr(bound.rfind(':'));
}

Broker::Broker(zmq::context_t& ctx, EventLoop& loop, Options options)
    : options_(std::move(options)),
      loop_(loop),
      router_(make_network_socket(ctx, zmq::socket_type::router)),
      xpub_(make_network_socket(ctx, zmq::socket_type::xpub)),
      epoch_(wall_clock_us()),
      flood_(options_.flood, Clock::now()),
      gate_(
          xpub_, [this](std::string_view t, std::string_view uid) { return grant_for(t, uid); },
          [this](std::string_view t) { on_ticket_applied(t); }),
      guard_(ctx, loop, options_.connections_per_host),
      history_(options_.history),
      pause_(options_.heartbeat * 4, Clock::now()) {
    if (options_.curve) {
        const auto& sec = *options_.curve;
        zap_.emplace(ctx, loop_, [this](const ZapHandler::Request& r) { return admit_key(r); });
        names_ = std::make_unique<NameStore>(sec.names_db, sec.name_ttl);
        make_curve_server(router_, sec.keys.secret_z85, std::string(rendezvous_domain));
        make_curve_server(xpub_, sec.keys.secret_z85, std::string(lobby_domain));
        loop_.every(std::chrono::hours{1}, [this] { forget_expired_names(); });
    }
    router_.set(zmq::sockopt::router_mandatory, 1);
    // A newcomer's whole history and JOINED go out in one burst: the queue must hold them.
    router_.set(zmq::sockopt::sndhwm,
                static_cast<int>(std::max<std::size_t>(1000, options_.history + 1000)));
    xpub_.set(zmq::sockopt::xpub_manual, 1);
    xpub_.set(zmq::sockopt::sndhwm, options_.lobby_hwm);
    xpub_.set(zmq::sockopt::maxmsgsize, limits::max_subscription_bytes);
    bind_or_throw(router_, "rendezvous", options_.rendezvous);
    bind_or_throw(xpub_, "lobby", options_.lobby);
    rendezvous_endpoint_ = bound_endpoint(router_);
    lobby_endpoint_ = bound_endpoint(xpub_);
    broker_id_ = host_name() + "/" + rendezvous_endpoint_;
    guard_.guard(router_, endpoint_port(rendezvous_endpoint_));
    guard_.guard(xpub_, endpoint_port(lobby_endpoint_));
    if (options_.curve && !options_.curve->key_service.empty()) {
        key_service_.emplace(ctx, loop_, options_.curve->key_service,
                             options_.curve->keys.public_z85);
        guard_.guard(key_service_->socket(), endpoint_port(key_service_->endpoint()));
    }
    loop_.watch(router_, [this] { on_rendezvous(); });
    loop_.watch(xpub_, [this] { gate_.drain(); });
    loop_.every(options_.heartbeat, [this] { on_tick(); });
}

void Broker::shutdown(const std::string& reason) {
    publish(protocol::Shutdown{epoch_, reason});
    log::info("shutting down: ", reason);
    xpub_.set(zmq::sockopt::linger, 500);
}

// ---- requests ----

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
        on_frames(rid.to_string(), body, frames > 0 ? frames - 1 : 1);
    }
}

void Broker::on_frames(const RoutingId& from, zmq::message_t& body, std::size_t extra_frames) {
    if (extra_frames != 0 || body.size() == 0)
        return refuse(from, 0, ErrorCode::bad_message, "a request is exactly one non-empty frame");
    auto decoded = protocol::decode(body.to_string_view());
    if (const auto* err = std::get_if<protocol::DecodeError>(&decoded)) {
        const bool version = err->code == protocol::DecodeErrorCode::bad_version;
        return refuse(from, 0, version ? ErrorCode::bad_version : ErrorCode::bad_message,
                      err->reason);
    }
    auto& msg = std::get<protocol::Message>(decoded);
    const RequestRule* rule = RequestTable::rule_for(msg);
    if (!rule)
        return refuse(from, cseq_of(msg), ErrorCode::bad_message,
                      std::string(protocol::kind_name(msg)) + " is not a request");
    Request r{from, peer_address(body), user_id(body), msg, clients_.find(from), Clock::now()};
    if (options_.curve && !valid_curve_key(r.key))
        return refuse(from, cseq_of(msg), ErrorCode::bad_message, "no authenticated key");
    // A registration belongs to its key: another key on a reused routing id is a stranger.
    if (r.client && r.client->key != r.key) r.client = nullptr;
    if (admit(r, *rule)) (this->*rule->handle)(r);
}

// The table's rules, in order: registration, subscription, buckets.
bool Broker::admit(Request& r, const RequestRule& rule) {
    const auto cseq = cseq_of(r.message);
    if (rule.needs != Needs::nothing && !r.client) {
        refuse(r.rid, cseq, ErrorCode::not_registered, "not registered: send HELLO first");
        return false;
    }
    if (rule.needs == Needs::joined && !r.client->joined) {
        refuse(r.rid, cseq, ErrorCode::not_joined,
               "not in the lobby yet: subscribe to your ticket first");
        return false;
    }
    if (r.client) r.client->liveness.heard(r.now);
    const auto verdict = rule.needs == Needs::nothing
                             ? flood_.take_hello(r.rid, r.host, r.now)
                             : flood_.take(r.rid, r.host, rule.cost, r.now);
    if (verdict == FloodControl::Verdict::ok) return true;
    ++stats_.rate_limited;
    const auto& f = flood_.limits();
    switch (verdict) {
        case FloodControl::Verdict::connection:
            refuse(r.rid, cseq, ErrorCode::rate_limited,
                   "slow down: over " + std::to_string(f.rate) + " requests/s, " +
                       std::string(rule.kind) + " refused");
            break;
        case FloodControl::Verdict::host:
            refuse(r.rid, cseq, ErrorCode::rate_limited,
                   "slow down: your host is over " + std::to_string(f.rate * f.host_factor) +
                       " requests/s, " + std::string(rule.kind) + " refused");
            break;
        default:
            refuse(r.rid, cseq, ErrorCode::busy,
                   "the broker takes no more than " + std::to_string(f.hello_rate) +
                       " registrations/s: try again shortly");
    }
    return false;
}

void Broker::on_hello(Request& r) {
    auto& m = std::get<protocol::Hello>(r.message);
    if (r.client) return refuse(r.rid, 0, ErrorCode::bad_message, "already registered");
    if (auto why = name_refusal(m.name)) return refuse(r.rid, 0, ErrorCode::bad_name, *why);
    Client* c = register_client(r, m.resume, m.name);
    if (!c) return;
    // A client back on fresh sockets hears its rooms again with the lobby.
    c->grant = {{std::string(protocol::lobby_topic)}, {}};
    forget_unapplied_joins(*c);
    for (const auto& name : c->rooms) c->grant.subscribe.push_back(rooms_.find(name)->topic);
    protocol::Welcome w{c->id,
                        c->name,
                        c->name != m.name,
                        lobby_endpoint_,
                        c->ticket,
                        epoch_,
                        broker_id_,
                        static_cast<std::uint32_t>(limits::max_text_bytes),
                        static_cast<std::uint32_t>(limits::max_text_lines),
                        options_.flood.rate,
                        options_.flood.burst,
                        static_cast<std::uint32_t>(options_.heartbeat.count()),
                        static_cast<std::uint32_t>(options_.client_timeout.count())};
    // Dropped as any leaver is, so a resumed client also leaves its rooms.
    if (!reply(r.rid, w)) return drop(r.rid, "its welcome could not be sent");
    ++stats_.registered;
    log::debug("registered ", c->name, " (id ", c->id, "), waiting for its ticket");
}

// A client back on fresh sockets proves itself with its last ticket (and its
// key) and keeps its name and its place, unannounced. Anyone else gets a new
// registration under REQUESTED, or a suffixed name if that is held: online,
// or in the name store by another key. Nullptr if refused.
Client* Broker::register_client(Request& r, const std::string& resume,
                                const std::string& requested) {
    std::string ticket = new_ticket();
    const RoutingId* previous = resume.empty() ? nullptr : clients_.by_ticket(resume);
    if (previous && *previous != r.rid) {
        Client* old = clients_.find(*previous);
        if (old->name == requested && old->key == r.key) {
            Client& c = clients_.move(*previous, r.rid);
            c.joined = false;
            c.host = r.host;
            c.liveness.heard(r.now);
            c.registered_at = r.now;
            clients_.retick(c, std::move(ticket));
            return &c;
        }
    }
    if (const RoutingId* holder = r.key.empty() ? nullptr : clients_.by_key(r.key)) {
        refuse(r.rid, 0, ErrorCode::key_in_use,
               "this key is registered already, as " + clients_.find(*holder)->name +
                   ": one chat-cli per key (give a second one its own --key-file)");
        return nullptr;
    }
    const auto now_s = wall_clock_us() / 1000000;
    try {
        const auto held_by_another = [&](const std::string& name) {
            if (!names_) return false;
            const auto holder = names_->holder(name, static_cast<NameStore::Seconds>(now_s));
            return holder && *holder != r.key;
        };
        Client& c = clients_.add(
            r.rid, next_id_++, requested, held_by_another, std::move(ticket), r.host, r.key,
            Liveness(options_.heartbeat * 2, options_.client_timeout, r.now), r.now);
        if (names_) names_->bind(c.name, r.key, static_cast<NameStore::Seconds>(now_s));
        return &c;
    } catch (const NameStoreError& e) {
        log::error(e.what());
        clients_.remove(r.rid);
        refuse(r.rid, 0, ErrorCode::busy, "the broker cannot record names just now: try again");
        return nullptr;
    }
}

void Broker::forget_expired_names() {
    try {
        const auto gone =
            names_->forget_expired(static_cast<NameStore::Seconds>(wall_clock_us() / 1000000));
        if (gone) log::info("name store: ", gone, " name(s) expired");
    } catch (const NameStoreError& e) {
        log::error(e.what());
    }
}

// Anyone with a well-formed key may talk to the rendezvous (and register); the
// lobby admits only the keys of registered clients.
ZapHandler::Decision Broker::admit_key(const ZapHandler::Request& r) {
    if (r.mechanism != "CURVE" || !valid_curve_key(r.key)) return ZapHandler::deny();
    if (r.domain == rendezvous_domain) return ZapHandler::allow(r.key);
    if (r.domain == lobby_domain && clients_.by_key(r.key)) return ZapHandler::allow(r.key);
    return ZapHandler::deny();
}

void Broker::on_ping(Request&) {}

std::optional<std::pair<ErrorCode, std::string>> Broker::text_refusal(
    const std::string& text) const {
    if (blank(text)) return std::pair{ErrorCode::bad_message, std::string("empty text")};
    if (text.size() > limits::max_text_bytes)
        return std::pair{ErrorCode::too_large,
                         "text over " + std::to_string(limits::max_text_bytes) + " bytes refused"};
    if (utf8::line_count(text) > limits::max_text_lines)
        return std::pair{ErrorCode::too_many_lines,
                         "text over " + std::to_string(limits::max_text_lines) + " lines refused"};
    return std::nullopt;
}

void Broker::on_say(Request& r) {
    auto& m = std::get<protocol::Say>(r.message);
    if (const auto why = text_refusal(m.text))
        return refuse(r.rid, m.cseq, why->first, why->second);
    protocol::LobbyText t{epoch_,       ++seq_,         wall_clock_us(),
                          r.client->id, r.client->name, std::move(m.text)};
    publish(t);
    if (options_.history > 0) history_.add({t.seq, t.ts_us, t.from, t.text});
    ++stats_.published;
    stats_.deliveries += online();
}

void Broker::on_users(Request& r) {
    const auto& online = clients_.online_names();
    protocol::UserList list{std::get<protocol::Users>(r.message).cseq, online.size(), {}};
    for (const auto& name : online) {
        if (list.names.size() == limits::max_listed_users) break;
        list.names.push_back(name);
    }
    reply(r.rid, list);
}

void Broker::on_fork(Request& r) {
    auto& m = std::get<protocol::Fork>(r.message);
    const bool endpoint_ok = !m.endpoint.empty() &&
                             m.endpoint.size() <= limits::max_endpoint_bytes &&
                             m.endpoint.starts_with("tcp://");
    if (!endpoint_ok || m.token.empty() || m.token.size() > limits::max_token_bytes ||
        m.curve_key.size() > limits::max_key_bytes)
        return refuse(r.rid, m.cseq, ErrorCode::bad_message,
                      "fork needs a tcp endpoint and a token");
    if (!options_.any_fork_host && bare_host(endpoint_host(m.endpoint)) != r.host)
        return refuse(r.rid, m.cseq, ErrorCode::bad_message,
                      "a fork endpoint must be on the address you connect from (" + r.host +
                          "), so no one is made to dial a third party");
    if (m.peer == r.client->name)
        return refuse(r.rid, m.cseq, ErrorCode::self_fork, "you cannot fork yourself");
    const RoutingId* peer = clients_.by_name(m.peer);
    Client* invited = peer ? clients_.find(*peer) : nullptr;
    if (!invited || !invited->announced)
        return refuse(
            r.rid, m.cseq, ErrorCode::unknown_peer,
            name_refusal(m.peer) ? std::string("no such user") : m.peer + " is not online");
    if (invited->ignored.contains(r.client->name))
        return refuse(r.rid, m.cseq, ErrorCode::unknown_peer,
                      invited->name + " does not take invitations from you");
    if (!flood_.take_fork(r.client->name, invited->name, r.now)) {
        ++stats_.rate_limited;
        return refuse(
            r.rid, m.cseq, ErrorCode::rate_limited,
            "slow down: too many private-session invitations, from you or to " + invited->name);
    }
    // Each side gets the other's key as CURVE authenticated it, never as a
    // client claims it. The initiator hears first, so its PAIR knows whom to
    // admit before the invited side can dial it.
    if (!reply(r.rid, protocol::ForkOk{m.cseq, invited->name, invited->key})) return;
    if (!reply(*peer, protocol::Invite{r.client->name, m.endpoint, m.token, r.client->key}))
        return refuse(r.rid, m.cseq, ErrorCode::unknown_peer, invited->name + " is not online");
    log::info("fork ", r.client->name, " -> ", invited->name);
}

void Broker::on_bye(Request& r) { drop(r.rid, "quit"); }

// ---- rooms ----

namespace {
// A grant holds each topic once, to hear or not: the last change wins, so
// neither a part and a join before the ticket applies nor endless cycling
// makes it grow.
void grant(TicketGrant& g, const std::string& topic, bool hear) {
    auto& to = hear ? g.subscribe : g.unsubscribe;
    std::erase(hear ? g.unsubscribe : g.subscribe, topic);
    if (std::find(to.begin(), to.end(), topic) == to.end()) to.push_back(topic);
}
}  // namespace

// A member's JOIN is answered at once; anyone else's when its new ticket has
// applied the room's topic to its lobby connection (join_rooms).
void Broker::on_join_room(Request& r) {
    auto& m = std::get<protocol::JoinRoom>(r.message);
    if (auto why = RoomTable::invalid_reason(m.room))
        return refuse(r.rid, m.cseq, ErrorCode::bad_name, *why);
    Client& c = *r.client;
    if (c.rooms.contains(m.room)) {
        const Room& room = *rooms_.find(m.room);
        reply(r.rid,
              protocol::RoomJoined{m.cseq, room.name, epoch_, room.seq, room.members.size()});
        return;
    }
    if (c.rooms.size() >= limits::max_rooms_per_client)
        return refuse(r.rid, m.cseq, ErrorCode::too_many_rooms,
                      "you are in " + std::to_string(limits::max_rooms_per_client) +
                          " rooms: \\part one first");
    if (c.changing.size() >= limits::max_room_changes)
        return refuse(r.rid, m.cseq, ErrorCode::too_many_rooms,
                      "your room changes wait for your ticket: subscribe to it first");
    Room* room = rooms_.open(m.room);
    if (!room)
        return refuse(r.rid, m.cseq, ErrorCode::too_many_rooms,
                      "the broker holds " + std::to_string(limits::max_rooms) +
                          " rooms, none of them empty, and makes no more");
    c.rooms.insert(room->name);
    rooms_.add_member(*room, c.name);
    c.changing.push_back({m.cseq, room->name, true});
    grant(c.grant, room->topic, true);
    regrant(r.rid, c, m.cseq, room->name);
}

// The room NAME if the asker is one of its members; otherwise refused (a
// name is echoed only if it is a room's name) and nullptr.
Room* Broker::member_room(Request& r, std::uint64_t cseq, const std::string& name,
                          const std::string& hint) {
    if (auto why = RoomTable::invalid_reason(name)) {
        refuse(r.rid, cseq, ErrorCode::bad_name, *why);
        return nullptr;
    }
    Room* room = rooms_.find(name);
    if (room && r.client->rooms.contains(name)) return room;
    refuse(r.rid, cseq, ErrorCode::not_in_room, "you are not in " + name + hint);
    return nullptr;
}

void Broker::on_part_room(Request& r) {
    auto& m = std::get<protocol::PartRoom>(r.message);
    Client& c = *r.client;
    Room* room = member_room(r, m.cseq, m.room, "");
    if (!room) return;
    const bool announced = announced_in(c, room->name);
    c.rooms.erase(m.room);
    c.changing.push_back({m.cseq, room->name, false});
    grant(c.grant, room->topic, false);
    regrant(r.rid, c, m.cseq, room->name);
    leave_room(*room, c.name, "part", announced);
}

void Broker::on_say_room(Request& r) {
    auto& m = std::get<protocol::SayRoom>(r.message);
    Client& c = *r.client;
    Room* room = member_room(r, m.cseq, m.room, ": \\join it first");
    if (!room) return;
    if (const auto why = text_refusal(m.text))
        return refuse(r.rid, m.cseq, why->first, why->second);
    protocol::RoomText t{room->name, epoch_, ++room->seq,      wall_clock_us(),
                         c.id,       c.name, std::move(m.text)};
    publish_on(room->topic, t);
    rooms_.remember(*room, std::move(t));
    ++stats_.room_published;
    stats_.room_deliveries += room->members.size();
}

void Broker::on_rooms(Request& r) {
    const auto& all = rooms_.all();
    protocol::RoomList list{std::get<protocol::Rooms>(r.message).cseq, 0, {}};
    for (const auto& [name, room] : all) {
        if (room.members.empty()) continue;
        ++list.count;
        if (list.rooms.size() < limits::max_listed_users)
            list.rooms.push_back(name + " " + std::to_string(room.members.size()));
    }
    reply(r.rid, list);
}

void Broker::on_who(Request& r) {
    auto& m = std::get<protocol::Who>(r.message);
    if (auto why = RoomTable::invalid_reason(m.room))
        return refuse(r.rid, m.cseq, ErrorCode::bad_name, *why);
    const Room* room = rooms_.find(m.room);
    if (!room || room->members.empty())
        return refuse(r.rid, m.cseq, ErrorCode::not_in_room, "no room " + m.room);
    protocol::UserList list{m.cseq, room->members.size(), {}};
    for (const auto& name : room->members) {
        if (list.names.size() == limits::max_listed_users) break;
        list.names.push_back(name);
    }
    reply(r.rid, list);
}

void Broker::on_ignore(Request& r) {
    auto& m = std::get<protocol::Ignore>(r.message);
    auto& ignored = r.client->ignored;
    if (!m.on) {
        ignored.erase(m.name);
        return;
    }
    if (name_refusal(m.name))
        return refuse(r.rid, m.cseq, ErrorCode::bad_name, "no such name to ignore");
    if (ignored.size() >= limits::max_ignored && !ignored.contains(m.name))
        return refuse(r.rid, m.cseq, ErrorCode::bad_message,
                      "you ignore " + std::to_string(limits::max_ignored) + " users already");
    ignored.insert(m.name);
}

void Broker::regrant(const RoutingId& rid, Client& c, std::uint64_t cseq, const std::string& room) {
    clients_.retick(c, new_ticket());
    reply(rid, protocol::RoomTicket{cseq, room, c.ticket});
}

// C's ticket has applied its room changes to its connection: a room joined
// gets its history, ROOM_JOINED, and a notice to its members. A room parted,
// or joined and then changed again, gets ROOM_PARTED: only a room's last
// change is live.
void Broker::join_rooms(const RoutingId& rid, Client& c) {
    c.grant = {};
    const auto changes = std::exchange(c.changing, {});
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const bool superseded = std::any_of(std::next(it), changes.end(), [&](const auto& later) {
            return later.room == it->room;
        });
        Room* room = rooms_.find(it->room);
        if (!it->join || superseded || !room || !c.rooms.contains(it->room)) {
            reply(rid, protocol::RoomParted{it->cseq, it->room});
            continue;
        }
        for (const auto& t : room->history) reply(rid, t);
        reply(rid,
              protocol::RoomJoined{it->cseq, room->name, epoch_, room->seq, room->members.size()});
        publish_on(room->topic, protocol::RoomNotice{room->name, epoch_, ++room->seq,
                                                     wall_clock_us(), "joined", c.name, ""});
    }
}

// A join still waiting for its ticket when its client comes back on fresh
// sockets was never announced: it is forgotten, and the JOIN the client sends
// again for every room it is in makes it anew (history, notice and all).
void Broker::forget_unapplied_joins(Client& c) {
    for (const auto& change : c.changing)
        if (change.join && c.rooms.erase(change.room))
            if (Room* room = rooms_.find(change.room))
                rooms_.remove_member(*room, c.name, Clock::now());
    c.changing.clear();
}

// A member whose join still waits for its ticket was never announced: its
// leaving is not announced either.
bool Broker::announced_in(const Client& c, const std::string& room) {
    return std::none_of(c.changing.begin(), c.changing.end(),
                        [&](const Client::RoomChange& ch) { return ch.join && ch.room == room; });
}

void Broker::leave_room(Room& room, const std::string& name, const std::string& reason,
                        bool announce) {
    rooms_.remove_member(room, name, Clock::now());
    if (announce)
        publish_on(room.topic, protocol::RoomNotice{room.name, epoch_, ++room.seq, wall_clock_us(),
                                                    "left", name, reason});
}

// ---- the lobby ----

// A ticket works only on a connection with its client's key: one seen on the
// wire (or leaked) is useless to anyone else.
const TicketGrant* Broker::grant_for(std::string_view ticket, std::string_view user_id) {
    const RoutingId* rid = clients_.by_ticket(ticket);
    Client* c = rid ? clients_.find(*rid) : nullptr;
    return c && c->key == user_id ? &c->grant : nullptr;
}

void Broker::on_ticket_applied(std::string_view ticket) {
    const RoutingId* rid = clients_.by_ticket(ticket);
    if (!rid) return;
    const RoutingId owner = *rid;
    Client* c = clients_.find(owner);
    if (!c) return;
    if (!c->joined)
        join(owner, *c);
    else
        join_rooms(owner, *c);
}

void Broker::join(const RoutingId& rid, Client& c) {
    c.joined = true;
    c.grant = {};
    for (const auto& h : history_.entries()) reply(rid, h);
    reply(rid, protocol::Joined{epoch_, seq_});
    if (c.announced) return log::info("rejoin ", c.name, " (id ", c.id, ")");
    clients_.mark_announced(c);
    // One NOTICE must stay a small frame, however many join in the window.
    if (pending_joins_.size() + c.name.size() + 1 > limits::max_text_bytes) announce_joins();
    pending_joins_ += (pending_joins_.empty() ? "" : " ") + c.name;
    if (!join_timer_) join_timer_ = loop_.after(join_window, [this] { announce_joins(); });
    log::info("join ", c.name, " (id ", c.id, ", ", online(), " online)");
}

void Broker::announce_joins() {
    if (join_timer_) loop_.cancel(*join_timer_);
    join_timer_.reset();
    if (pending_joins_.empty()) return;
    publish(protocol::Notice{epoch_, ++seq_, wall_clock_us(), "joined",
                             std::exchange(pending_joins_, {}), ""});
}

void Broker::drop(const RoutingId& rid, const std::string& reason) {
    announce_joins();  // a leave is never announced before its join
    const auto c = clients_.remove(rid);
    if (!c) return;
    if (names_) {
        try {  // a name lasts its ttl from when its key was last seen
            names_->seen(c->key, static_cast<NameStore::Seconds>(wall_clock_us() / 1000000));
        } catch (const NameStoreError& e) {
            log::error(e.what());
        }
    }
    for (const auto& name : c->rooms)
        if (Room* room = rooms_.find(name))
            leave_room(*room, c->name, reason, announced_in(*c, name));
    // The lobby never heard of one who was never announced.
    if (c->announced)
        publish(protocol::Notice{epoch_, ++seq_, wall_clock_us(), "left", c->name, reason});
    log::info("leave ", c->name, " (", reason, ", ", online(), " online)");
}

void Broker::on_tick() {
    const auto now = Clock::now();
    publish(protocol::Beat{epoch_, seq_, broker_id_});
    for (const Room* room : rooms_.beats_due(now))
        publish_on(room->topic, protocol::RoomBeat{room->name, epoch_, room->seq});
    if (pause_.paused(now)) {
        // We were stopped, not the clients: their requests are waiting for us.
        for (auto& [rid, c] : clients_.all()) c.liveness.forgive(now);
        return;
    }
    std::vector<std::pair<RoutingId, std::string>> gone;
    const std::string silent =
        "timed out: silent for " + std::to_string(options_.client_timeout.count()) + " ms";
    for (const auto& [rid, c] : clients_.all()) {
        if (c.liveness.expired(now))
            gone.emplace_back(rid, silent);
        else if (!c.joined && now - c.registered_at > options_.join_timeout)
            gone.emplace_back(rid, "never subscribed to its ticket");
    }
    for (const auto& [rid, why] : gone) drop(rid, why);
    flood_.forget_refilled(now);
    rooms_.forget_empty(now);
}

// ---- replies and publishing ----

void Broker::refuse(const RoutingId& to, std::uint64_t cseq, ErrorCode code,
                    const std::string& reason) {
    ++stats_.refused;
    ++stats_.refused_by_code[static_cast<std::size_t>(code)];
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

void Broker::publish_on(std::string_view topic, const protocol::Message& m) {
    auto body = to_frame(m);
    xpub_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    xpub_.send(body, zmq::send_flags::dontwait);
}

}  // namespace zchat::broker
