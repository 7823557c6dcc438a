// chat_client: user commands, lobby display and private sessions.
#include "client/chat_client.hpp"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::client {
namespace {

constexpr auto tick_interval = std::chrono::milliseconds{250};

std::string preview(const std::string& text) {
    const std::string first = text.substr(0, text.find('\n'));
    return first.size() > 40 ? first.substr(0, 40) + "..." : first;
}

}  // namespace

ChatClient::ChatClient(zmq::context_t& ctx, EventLoop& loop, Options options)
    : ctx_(ctx),
      loop_(loop),
      options_(std::move(options)),
      display_(options_.colour, options_.timestamps),
      terminal_(
          loop, options_.interactive,
          {[this](std::string line) { on_line(std::move(line)); }, [this] { on_end_of_input(); }}),
      link_(ctx, loop, options_.broker, options_.name, options_.broker_timeout, link_events()) {
    update_prompt();
    loop_.every(tick_interval, [this] { on_tick(); });
    loop_.after(options_.startup_timeout, [this] { on_startup_deadline(); });
}

LinkEvents ChatClient::link_events() {
    LinkEvents e;
    e.registered = [this](const protocol::Welcome& w, bool first) { on_registered(w, first); };
    e.history = [this](const protocol::History& h) {
        show(display_.history(h.from, h.text, h.ts_us));
    };
    e.lobby_text = [this](const protocol::LobbyText& t) {
        show(display_.lobby(t.from, t.text, t.ts_us));
    };
    e.joined = [this] {
        if (!rejoined_.empty()) show(display_.system(std::exchange(rejoined_, {})));
        update_prompt();
    };
    e.notice = [this](const protocol::Notice& n) { on_notice(n); };
    e.gap = [this](std::uint64_t n) {
        show(display_.error("missed " + std::to_string(n) + " lobby messages"));
    };
    e.lost = [this](const std::string& why) { on_lost(why); };
    e.user_list = [this](const protocol::UserList& u) {
        std::string line = "Users online (" + std::to_string(u.count) + "):";
        for (const auto& n : u.names) line += " " + n;
        show(display_.system(line));
    };
    e.fork_ok = [this](const protocol::ForkOk& f) {
        show(display_.system("waiting for " + f.peer + " to answer..."));
    };
    e.invite = [this](const protocol::Invite& inv) { on_invite(inv); };
    e.error = [this](const protocol::Error& err, const std::string& text) {
        on_refused(err, text);
    };
    return e;
}

// A first registration is news at once; a rejoin only once the lobby is live
// again (JOINED), so that what the user types next really reaches it.
void ChatClient::on_registered(const protocol::Welcome& w, bool first) {
    std::string line = first ? "Registered as " + w.name : "rejoined the lobby as " + w.name;
    if (w.renamed) line += " (the name " + options_.name + " is taken)";
    if (first)
        show(display_.system(line));
    else
        rejoined_ = line;
    update_prompt();
}

void ChatClient::on_notice(const protocol::Notice& n) {
    if (n.event == "joined") {
        // One notice may name several users (names never hold spaces).
        std::size_t start = 0;
        for (std::size_t end; start < n.name.size(); start = end + 1) {
            end = std::min(n.name.find(' ', start), n.name.size());
            show(display_.notice(n.name.substr(start, end - start) + " joined the lobby"));
        }
    } else if (n.event == "left") {
        show(display_.notice(n.name + " left the lobby" +
                             (n.reason.empty() ? "" : " (" + n.reason + ")")));
    }
}

void ChatClient::on_lost(const std::string& why) {
    show(display_.error("the lobby is unreachable: " + why +
                        ". Private sessions go on; reconnecting in the background."));
    update_prompt();
}

void ChatClient::on_startup_deadline() {
    if (link_.ever_joined()) return;
    const bool answered = link_.state() == BrokerLink::State::subscribing;
    const std::string what =
        answered ? "the broker at " + options_.broker + " answered, but its lobby is unreachable"
                 : "no broker answered at " + options_.broker + " within " +
                       std::to_string(options_.startup_timeout.count() / 1000) + " s";
    std::fprintf(stderr,
                 "chat-cli: %s. Is chat-broker running there? Start it with chat-broker, or pass "
                 "--broker ENDPOINT.\n",
                 what.c_str());
    quit(2);
}

void ChatClient::on_refused(const protocol::Error& e, const std::string& text) {
    for (auto& [key, p] : peers_) {
        if (p.fork_cseq && *p.fork_cseq == e.cseq) {
            show(display_.error("cannot fork: " + e.reason));
            close_peer(key, "", false);
            return;
        }
    }
    if (e.code == static_cast<std::uint32_t>(protocol::ErrorCode::bad_name)) {
        std::fprintf(stderr, "chat-cli: the broker refused the name '%s': %s\n",
                     options_.name.c_str(), e.reason.c_str());
        quit(1);
        return;
    }
    std::string line = "refused by the broker: " + e.reason;
    if (!text.empty()) line += " (not sent: \"" + preview(text) + "\")";
    show(display_.error(line));
}

// ---- user input ----

void ChatClient::on_line(std::string line) {
    const ParsedLine parsed = parse_line(line);
    switch (parsed.type) {
        case ParsedLine::Type::text:
            if (!parsed.argument.empty()) send_text(parsed.argument);
            break;
        case ParsedLine::Type::command:
            run(parsed.command, parsed.argument);
            break;
        case ParsedLine::Type::error:
            show(display_.error(parsed.error));
            break;
    }
}

void ChatClient::on_end_of_input() {
    last_pending_ = link_.pending();
    last_progress_ = EventLoop::Clock::now();
    finish_when_sent();
}

// A script's piped lines are all sent (paced to the broker's rate) and seen
// published before EOF quits; a lobby that stops making progress ends the wait.
void ChatClient::finish_when_sent() {
    const std::size_t pending = link_.pending();
    const auto now = EventLoop::Clock::now();
    if (pending != last_pending_) {
        last_pending_ = pending;
        last_progress_ = now;
    }
    const bool stalled = now - last_progress_ > options_.broker_timeout;
    if (pending == 0 || (link_.ever_joined() && !link_.up()) || stalled) {
        if (stalled)
            show(display_.error(std::to_string(pending) +
                                " lobby message(s) not confirmed by the broker"));
        quit(0);
        return;
    }
    loop_.after(std::chrono::milliseconds{20}, [this] { finish_when_sent(); });
}

void ChatClient::run(CommandKind command, const std::string& arg) {
    switch (command) {
        case CommandKind::quit:
            quit(0);
            break;
        case CommandKind::users:
            if (!link_.users())
                show(display_.error("the lobby is unreachable: \\users needs the broker"));
            break;
        case CommandKind::fork:
            fork(arg);
            break;
        case CommandKind::sessions:
            for (const auto& row : sessions_.rows(link_.up())) show(row);
            break;
        case CommandKind::switch_to:
            switch_to(arg);
            break;
        case CommandKind::lobby:
            switch_to("0");
            break;
        case CommandKind::leave:
            leave_active();
            break;
        case CommandKind::help:
            for (const auto& row : help_lines()) show(row);
            break;
    }
}

void ChatClient::fork(const std::string& name) {
    if (name == link_.name()) return show(display_.error("you cannot fork yourself"));
    if (const auto* s = sessions_.find_peer(name))
        return show(display_.error("you already have private session " + std::to_string(s->number) +
                                   " with " + name));
    if (has_peer_named(name))
        return show(display_.error("already asking " + name + " for a private session"));
    if (!link_.up())
        return show(
            display_.error("the broker is needed to find peers and it is unreachable; "
                           "existing private sessions still work"));
    try {
        auto session = PeerSession::listen(ctx_, options_.peer_host, name);
        const auto cseq = link_.fork(name, session.endpoint(), session.token());
        if (!cseq) return show(display_.error("the lobby is unreachable: \\fork needs the broker"));
        add_peer(std::move(session), cseq);
    } catch (const zmq::error_t& e) {
        show(display_.error("cannot listen for a private session on --peer-host " +
                            options_.peer_host + ": " + e.what()));
    }
}

void ChatClient::switch_to(const std::string& arg) {
    int number = -1;
    const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), number);
    if (ec != std::errc{} || end != arg.data() + arg.size())
        return show(display_.error("\\sw " + arg + ": not a session number (see \\ss)"));
    if (!sessions_.switch_to(number))
        return show(display_.error("no session " + arg + " (see \\ss)"));
    update_prompt();
    if (number == SessionList::lobby) return show(display_.system("back in the lobby"));
    const auto* s = sessions_.find(number);
    show(display_.system("switched to private session " + arg + " " + SessionList::marker(*s) +
                         " " + s->peer));
}

void ChatClient::leave_active() {
    const int number = sessions_.active();
    Peer* p = peer_by_number(number);
    if (!p)
        return show(
            display_.error("\\leave ends a private session; you are in the lobby (\\quit exits)"));
    const std::string name = p->session->peer();
    for (auto& [key, peer] : peers_) {
        if (&peer != p) continue;
        close_peer(key, "you left private session " + std::to_string(number) + " with " + name,
                   true);
        return;
    }
}

void ChatClient::send_text(std::string text) {
    if (text.size() > limits::max_text_bytes)
        return show(display_.error("message of " + std::to_string(text.size()) +
                                   " bytes is over the " + std::to_string(limits::max_text_bytes) +
                                   "-byte limit: not sent"));
    if (sessions_.active() == SessionList::lobby) {
        if (!link_.say(std::move(text)))
            show(display_.error(
                "the lobby is unreachable: message not sent (\\ss shows your sessions)"));
        return;
    }
    Peer* p = peer_by_number(sessions_.active());
    p->session->send(
        protocol::PeerNote{p->session->next_note_seq(), wall_clock_us(), std::move(text)});
}

void ChatClient::quit(int code) {
    exit_code_ = code;
    for (auto& [key, p] : peers_) {
        if (p.session->open()) p.session->leave("quit");
        loop_.unwatch(p.session->socket());
    }
    peers_.clear();
    link_.leave(std::chrono::milliseconds{1000});
    terminal_.close_input();
    loop_.stop();
}

// ---- private sessions ----

ChatClient::PeerKey ChatClient::add_peer(PeerSession session,
                                         std::optional<std::uint64_t> fork_cseq) {
    const PeerKey key = next_key_++;
    auto& p = peers_[key];
    p.session = std::make_unique<PeerSession>(std::move(session));
    p.fork_cseq = fork_cseq;
    loop_.watch(p.session->socket(), [this, key] { on_peer_readable(key); });
    return key;
}

void ChatClient::on_invite(const protocol::Invite& inv) {
    if (inv.endpoint.rfind("tcp://", 0) != 0)
        return log::debug("dropped an invitation with endpoint ", inv.endpoint);
    try {
        if (sessions_.find_peer(inv.from) || has_peer_named(inv.from)) {
            PeerSession::decline(ctx_, inv.endpoint, "already in a private session with you");
            return;
        }
        add_peer(PeerSession::join(ctx_, inv.endpoint, inv.from, inv.token, link_.name()),
                 std::nullopt);
    } catch (const zmq::error_t& e) {
        log::debug("cannot connect to ", inv.from, "'s private session at ", inv.endpoint, ": ",
                   e.what());
    }
}

void ChatClient::on_peer_readable(PeerKey key) {
    // A message may close the session: look it up again before each read.
    for (int i = 0; i < 1024; ++i) {
        const auto it = peers_.find(key);
        if (it == peers_.end()) return;
        auto m = it->second.session->receive();
        if (!m) return;
        on_peer_message(key, std::move(*m));
    }
}

void ChatClient::on_peer_message(PeerKey key, protocol::Message&& m) {
    Peer& p = peers_.at(key);
    if (auto* hello = std::get_if<protocol::PeerHello>(&m)) return on_peer_hello(key, *hello);
    if (auto* leave = std::get_if<protocol::PeerLeave>(&m)) {
        const std::string who = p.session->peer();
        const std::string why = leave->reason == "quit" ? "" : " (" + leave->reason + ")";
        if (!p.session->open())
            return close_peer(key, who + " declined the private session" + why, false);
        return close_peer(key, who + " left private session " + std::to_string(p.number) + why,
                          false);
    }
    if (!p.session->open())
        return log::debug("dropped ", protocol::kind_name(m), " before the hello");
    if (auto* note = std::get_if<protocol::PeerNote>(&m)) {
        const auto* entry = sessions_.find(p.number);
        show(display_.peer(p.number, SessionList::marker(*entry), p.session->peer(), note->text,
                           note->ts_us));
    } else if (!std::holds_alternative<protocol::PeerPing>(m)) {
        log::debug("dropped ", protocol::kind_name(m), " on a private session");
    }
}

void ChatClient::on_peer_hello(PeerKey key, const protocol::PeerHello& hello) {
    Peer& p = peers_.at(key);
    if (p.session->open() || !p.session->accept_hello(hello))
        return log::debug("dropped a PEER_HELLO that does not match the invitation");
    p.fork_cseq.reset();
    const std::string name = p.session->peer();
    p.number = sessions_.add(name, p.session->initiated());
    if (p.session->initiated()) {
        p.session->send(protocol::PeerHello{p.session->token(), link_.name()});
        sessions_.switch_to(p.number);
        show(display_.system("private session " + std::to_string(p.number) + " with " + name +
                             " open (\\lob for the lobby)"));
    } else {
        show(display_.system(name + " opened private session " + std::to_string(p.number) +
                             " with you (\\sw " + std::to_string(p.number) + ")"));
    }
    update_prompt();
}

void ChatClient::close_peer(PeerKey key, const std::string& why, bool tell_peer) {
    const auto it = peers_.find(key);
    if (it == peers_.end()) return;
    auto& session = *it->second.session;
    if (tell_peer && session.open()) session.leave("left");
    loop_.unwatch(session.socket());
    const int number = it->second.number;
    const bool was_active = number != 0 && sessions_.active() == number;
    if (number != 0) sessions_.remove(number);
    peers_.erase(it);
    if (!why.empty()) show(display_.notice(why));
    if (was_active) show(display_.system("back in the lobby"));
    update_prompt();
}

ChatClient::Peer* ChatClient::peer_by_number(int number) {
    if (number == SessionList::lobby) return nullptr;
    for (auto& [key, p] : peers_)
        if (p.number == number) return &p;
    return nullptr;
}

bool ChatClient::has_peer_named(const std::string& name) const {
    for (const auto& [key, p] : peers_)
        if (p.session->peer() == name) return true;
    return false;
}

void ChatClient::on_tick() {
    const auto now = EventLoop::Clock::now();
    if (pause_.paused(now)) {
        // We were stopped, not the peers: restart their liveness clocks.
        for (auto& [key, p] : peers_) p.session->heard_from(now);
        return;
    }
    std::vector<std::pair<PeerKey, std::string>> dead;
    for (auto& [key, p] : peers_)
        if (auto why = p.session->check(now, options_.peer_timeout)) dead.emplace_back(key, *why);
    for (const auto& [key, why] : dead) {
        const int number = peers_.at(key).number;
        close_peer(key,
                   why + (number ? ": private session " + std::to_string(number) + " closed" : ""),
                   false);
    }
}

void ChatClient::update_prompt() {
    std::string where = "lobby";
    if (link_.ever_joined() && !link_.up()) where += "(down)";
    if (const auto* s = sessions_.find(sessions_.active()))
        where = std::to_string(s->number) + " " + SessionList::marker(*s) + " " + s->peer;
    terminal_.set_prompt(link_.name() + "@" + where + "> ");
}

}  // namespace zchat::client
