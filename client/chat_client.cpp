// chat_client: wiring, presentation of link and session events, lifecycle.
#include "client/chat_client.hpp"

#include <charconv>
#include <cstdio>
#include <utility>

#include "patterns/log.hpp"
#include "patterns/name_rules.hpp"
#include "patterns/utf8.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::client {
namespace {

using namespace std::chrono_literals;

constexpr auto tick_interval = std::chrono::milliseconds{100};
// Piped input is read ahead of the lobby's pace at most this far.
constexpr std::size_t input_high_water = 10000;
constexpr std::size_t input_low_water = 1000;

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
      link_(ctx, loop, options_.broker, options_.name, options_.broker_timeout, link_events(),
            options_.keys),
      sessions_(
          ctx, loop, options_.peer_timeout, [this] { return next_number_++; }, session_events(),
          options_.keys ? std::optional<PeerSecurity>(PeerSecurity{
                              options_.keys->own, options_.keys->broker_key, options_.known_peers})
                        : std::nullopt),
      completion_([this] { return known_names_.sorted(); },
                  [this] { return known_rooms_.sorted(); }),
      started_(Clock::now()),
      pause_(tick_interval * 10, started_) {
    sessions_.set_own_name(options_.name);
    display_.set_own_name(options_.name);
    display_.highlight_mentions(options_.interactive);
    terminal_.set_completer([this](std::string_view line, std::string_view word) {
        return completion_.candidates(line, word);
    });
    if (!options_.keys)
        show(
            display_.error("--insecure: plaintext. Anyone on the network path can read and "
                           "change what you send, and names are not bound to keys"));
    update_prompt();
    loop_.every(tick_interval, [this] { on_tick(); });
}

// ---- the broker link ----

LinkEvents ChatClient::link_events() {
    LinkEvents e;
    e.registered = [this](const protocol::Welcome& w, bool first, const std::string& requested) {
        on_registered(w, first, requested);
    };
    e.history = [this](const protocol::History& h) {
        show(display_.history(h.from, h.text, h.ts_us));
    };
    e.joined = [this](bool first) { on_joined(first); };
    e.lobby_text = [this](const protocol::LobbyText& t) {
        known_names_.seen(t.from);
        if (link_.ignored().contains(t.from)) return;
        arrived(0, Display::mentions(t.text, link_.name()));
        show(display_.lobby(t.from, t.text, t.ts_us));
    };
    e.notice = [this](const protocol::Notice& n) { on_notice(n); };
    e.gap = [this](std::uint64_t n) {
        show(display_.error("missed " + std::to_string(n) + " lobby messages"));
    };
    e.lost = [this](const std::string& why) { on_lost(why); };
    e.hello_refused = [this](const protocol::Error& err) { on_hello_refused(err); };
    e.user_list = [this](const protocol::UserList& u) { on_user_list(u); };
    e.fork_ok = [this](const protocol::ForkOk& f) {
        if (sessions_.fork_answered(f))
            show(display_.system("waiting for " + f.peer + " to answer..."));
    };
    e.invite = [this](const protocol::Invite& inv) {
        sessions_.invited(inv, link_.name(), Clock::now());
    };
    e.error = [this](const protocol::Error& err, const std::string& text) {
        on_refused(err, text);
    };
    e.fatal = [this](const std::string& why) { on_fatal(why); };
    e.room_joined = [this](const protocol::RoomJoined& j) { on_room_joined(j); };
    e.room_text = [this](const protocol::RoomText& t, bool history) { on_room_text(t, history); };
    e.room_notice = [this](const protocol::RoomNotice& n) { on_room_notice(n); };
    e.room_gap = [this](const std::string& room, std::uint64_t n) {
        show(display_.error("missed " + std::to_string(n) + " messages in " + room));
    };
    e.room_list = [this](const protocol::RoomList& l) {
        std::string line = "Rooms (" + std::to_string(l.count) + "):";
        for (const auto& r : l.rooms) {
            line += " " + r;
            known_rooms_.seen(r.substr(0, r.find(' ')));
        }
        show(display_.system(line));
    };
    return e;
}

// A first registration is news at once; a rejoin only once the lobby is live
// again (JOINED), so that what the user types next really reaches it.
void ChatClient::on_registered(const protocol::Welcome& w, bool first,
                               const std::string& requested) {
    welcomed_ = true;
    sessions_.set_own_name(w.name);
    display_.set_own_name(w.name);
    display_.set_max_lines(w.max_lines);
    std::string line = first ? "Registered as " + w.name : "rejoined the lobby as " + w.name;
    if (w.renamed) line += " (the name " + requested + " is taken)";
    if (first)
        show(display_.system(line));
    else
        rejoined_ = line;
    update_prompt();
}

void ChatClient::on_joined(bool) {
    if (!rejoined_.empty()) show(display_.system(std::exchange(rejoined_, {})));
    update_prompt();
    release_held();
}

void ChatClient::on_notice(const protocol::Notice& n) {
    if (n.event == "joined") {
        // One notice may name several users (names never hold spaces).
        std::size_t start = 0;
        for (std::size_t end; start < n.name.size(); start = end + 1) {
            end = std::min(n.name.find(' ', start), n.name.size());
            const std::string name = n.name.substr(start, end - start);
            known_names_.seen(name);
            show(display_.notice(name + " joined the lobby"));
        }
    } else if (n.event == "left") {
        show(display_.notice(n.name + " left the lobby" +
                             (n.reason.empty() ? "" : " (" + n.reason + ")")));
    }
}

void ChatClient::on_lost(const std::string& why) {
    joining_cseq_.reset();  // its answer will not come: what waited goes on
    release_held(false);
    show(display_.error("the lobby is unreachable: " + why +
                        ". Private sessions go on; reconnecting in the background."));
    update_prompt();
}

void ChatClient::on_refused(const protocol::Error& e, const std::string& text) {
    if (sessions_.fork_refused(e.cseq, e.reason)) return;
    std::string line = "refused by the broker: " + e.reason;
    if (!text.empty()) line += " (not sent: \"" + preview(text) + "\")";
    show(display_.error(line));
    forget_lost_rooms();
    if (joining_cseq_ == e.cseq) {
        joining_cseq_.reset();
        release_held(false);
    }
}

void ChatClient::on_hello_refused(const protocol::Error& e) {
    if (e.code == static_cast<std::uint32_t>(protocol::ErrorCode::key_in_use)) {
        std::fprintf(stderr, "chat-cli: the broker refused this client: %s\n",
                     utf8::one_line(e.reason).c_str());
        return quit(1);
    }
    std::fprintf(stderr, "chat-cli: the broker refused the name '%s': %s\n",
                 utf8::one_line(options_.name).c_str(), utf8::one_line(e.reason).c_str());
    quit(1);
}

// A link that cannot work as configured is not retried: the user must act.
void ChatClient::on_fatal(const std::string& why) {
    std::fprintf(stderr, "chat-cli: %s\n", why.c_str());
    quit(exit_untrusted);
}

void ChatClient::on_user_list(const protocol::UserList& u) {
    const auto who = who_asks_.find(u.cseq);
    std::string line =
        who == who_asks_.end() ? "Users online (" : "Members of " + who->second + " (";
    if (who != who_asks_.end()) who_asks_.erase(who);
    line += std::to_string(u.count) + "):";
    for (const auto& n : u.names) {
        line += " " + n;
        known_names_.seen(n);
    }
    show(display_.system(line));
}

// ---- rooms ----

// A room the user asked for gets the next session number and becomes
// active; a room coming back after a rejoin keeps its number, quietly.
void ChatClient::on_room_joined(const protocol::RoomJoined& j) {
    known_rooms_.seen(j.room);
    if (!rooms_.contains(j.room)) {
        const int number = next_number_++;
        rooms_[j.room] = number;
        active_ = number;
        show(display_.system("you joined " + j.room + " (session " + std::to_string(number) + ", " +
                             std::to_string(j.members) + " member(s); \\lob for the lobby)"));
        update_prompt();
    }
    if (joining_cseq_ == j.cseq) {
        joining_cseq_.reset();
        release_held();  // what waited for the room goes to it
    }
}

void ChatClient::on_room_text(const protocol::RoomText& t, bool history) {
    known_names_.seen(t.from);
    if (link_.ignored().contains(t.from)) return;
    if (history) return show(display_.room_history(t.room, t.from, t.text, t.ts_us));
    arrived(room_number(t.room), Display::mentions(t.text, link_.name()));
    show(display_.room(t.room, t.from, t.text, t.ts_us));
}

void ChatClient::on_room_notice(const protocol::RoomNotice& n) {
    if (n.event == "joined") {
        known_names_.seen(n.name);
        show(display_.notice(n.name + " joined " + n.room));
    } else if (n.event == "left") {
        show(
            display_.notice(n.name + " left " + n.room +
                            (n.reason.empty() || n.reason == "part" ? "" : " (" + n.reason + ")")));
    }
}

// A JOIN refused, a rejoin's too, means the link is not in that room: its
// session goes, rather than stay open and deaf.
void ChatClient::forget_lost_rooms() {
    for (auto it = rooms_.begin(); it != rooms_.end();) {
        if (link_.rooms().contains(it->first)) {
            ++it;
            continue;
        }
        show(display_.error("you are no longer in " + it->first));
        if (active_ == it->second) active_ = 0;
        unread_.erase(it->second);
        it = rooms_.erase(it);
    }
    update_prompt();
}

int ChatClient::room_number(const std::string& room) const {
    const auto it = rooms_.find(room);
    return it == rooms_.end() ? -1 : it->second;
}

std::string ChatClient::active_room() const {
    for (const auto& [room, number] : rooms_)
        if (number == active_) return room;
    return {};
}

void ChatClient::arrived(int number, bool rings) {
    if (number < 0 || number == active_) return;
    ++unread_[number];
    if (!rings || !options_.bell) return;
    const auto now = Clock::now();
    if (now - last_bell_ < limits::bell_interval) return;
    last_bell_ = now;
    terminal_.bell();
}

// ---- private sessions ----

SessionEvents ChatClient::session_events() {
    SessionEvents e;
    e.opened = [this](const PrivateSession& s) {
        const std::string n = std::to_string(s.number);
        if (s.initiated) {
            active_ = s.number;
            show(display_.system("private session " + n + " with " + s.peer +
                                 " open (\\lob for the lobby)"));
        } else {
            show(display_.system(s.peer + " opened private session " + n + " with you (\\sw " + n +
                                 ")"));
        }
        update_prompt();
    };
    e.note = [this](const PrivateSession& s, const std::string& text, std::uint64_t ts_us) {
        if (link_.ignored().contains(s.peer)) return;
        arrived(s.number, true);
        show(display_.peer(s.number, s.marker(), s.peer, text, ts_us));
    };
    e.closed = [this](int number, const std::string& why) { on_session_closed(number, why); };
    e.notice = [this](const std::string& text) { show(display_.notice(text)); };
    return e;
}

void ChatClient::on_session_closed(int number, const std::string& why) {
    if (!why.empty()) show(display_.notice(why));
    if (number != 0 && active_ == number) {
        active_ = 0;
        show(display_.system("back in the lobby"));
    }
    update_prompt();
}

// ---- input ----

void ChatClient::on_line(std::string line) {
    const ParsedLine parsed = parse_line(line);
    const bool quits = parsed.type == ParsedLine::Type::command &&
                       parsed.command->run == &ChatClient::quit_command;
    if (holding() && !quits) {
        held_.push_back(std::move(line));
        if (!input_paused_ && held_.size() > input_high_water) {
            input_paused_ = true;
            terminal_.pause_input();
        }
        return;
    }
    handle_line(line);
}

void ChatClient::release_held(bool send_texts) {
    while (!holding() && !held_.empty()) {
        const std::string line = std::move(held_.front());
        held_.pop_front();
        if (!send_texts && parse_line(line).type == ParsedLine::Type::text) {
            show(display_.error("not sent, its room could not be joined: \"" + preview(line) +
                                "\""));
            continue;
        }
        handle_line(line);
    }
}

void ChatClient::handle_line(const std::string& line) {
    const ParsedLine parsed = parse_line(line);
    if (parsed.type == ParsedLine::Type::error) return show(display_.error(parsed.error));
    if (parsed.type == ParsedLine::Type::text) {
        if (!parsed.argument.empty()) send_text(parsed.argument);
        return;
    }
    const Command& c = *parsed.command;
    const std::string name = "\\" + std::string(c.spellings.front());
    if ((c.needs & needs_broker) && !link_.up())
        return show(display_.error("the broker is needed for " + name +
                                   " and it is unreachable; existing private sessions still work"));
    if ((c.needs & needs_private_session) && !sessions_.by_number(active_))
        return show(display_.error(name + " ends a private session; you are in the lobby"
                                          " (\\quit exits)"));
    (this->*c.run)(parsed.argument);
}

void ChatClient::on_end_of_input() {
    finishing_ = true;
    last_pending_ = link_.pending();
    last_progress_ = Clock::now();
    check_finished(last_progress_);
}

void ChatClient::send_text(std::string text) {
    if (text.size() > link_.max_text())
        return show(display_.error("message of " + std::to_string(text.size()) +
                                   " bytes is over the " + std::to_string(link_.max_text()) +
                                   "-byte limit: not sent"));
    if (utf8::line_count(text) > link_.max_lines())
        return show(display_.error("message of " + std::to_string(utf8::line_count(text)) +
                                   " lines is over the " + std::to_string(link_.max_lines()) +
                                   "-line limit: not sent"));
    if (auto* s = sessions_.by_number(active_))
        return s->link->note(std::move(text), wall_clock_us());
    if (!link_.say(std::move(text), active_room()))
        show(display_.error(
            "the lobby is unreachable: message not sent (\\ss shows your sessions)"));
}

// ---- commands ----

void ChatClient::quit_command(const std::string&) { quit(0); }

void ChatClient::list_users(const std::string&) {
    if (!link_.users()) show(display_.error("the lobby is unreachable: \\users needs the broker"));
}

void ChatClient::fork(const std::string& name) {
    if (const auto obstacle = sessions_.fork_obstacle(name); !obstacle.empty())
        return show(display_.error(obstacle));
    try {
        auto& s = sessions_.start_fork(name, options_.peer_host, Clock::now());
        const auto cseq = link_.fork(name, s.link->endpoint(), s.link->token());
        if (!cseq) {
            sessions_.abandon(s);
            return show(display_.error("the lobby is unreachable: \\fork needs the broker"));
        }
        sessions_.forked(s, *cseq);
    } catch (const zmq::error_t& e) {
        show(display_.error("cannot listen for a private session on --peer-host " +
                            options_.peer_host + ": " + e.what()));
    }
}

void ChatClient::list_sessions(const std::string&) {
    const auto mark = [&](int n) { return std::string(active_ == n ? "*" : " "); };
    const auto unread = [&](int n) {
        const auto it = unread_.find(n);
        return it == unread_.end() || it->second == 0
                   ? std::string()
                   : " (" + std::to_string(it->second) + " unread)";
    };
    const auto now = Clock::now();
    std::map<int, std::string> rows;
    for (const auto& [room, number] : rooms_) rows[number] = utf8::one_line(room);
    for (const auto* s : sessions_.open_sessions()) {
        const bool quiet = s->link->liveness(now) != Liveness::State::alive;
        rows[s->number] = std::string(s->marker()) + " " + utf8::one_line(s->peer) +
                          (quiet ? " (not heard from lately)" : "");
    }
    show("< Sessions (type \\sw N to switch) >");
    show(mark(0) + "0  lobby" + (link_.up() ? "" : " (down: broker unreachable)") + unread(0));
    for (const auto& [number, what] : rows)
        show(mark(number) + std::to_string(number) + "  " + what + unread(number));
}

void ChatClient::switch_to(const std::string& arg) {
    int number = -1;
    const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), number);
    if (ec != std::errc{} || end != arg.data() + arg.size())
        return show(display_.error("\\sw " + arg + ": not a session number (see \\ss)"));
    if (number == 0) return back_to_lobby("");
    unread_.erase(number);
    for (const auto& [room, n] : rooms_) {
        if (n != number) continue;
        active_ = number;
        update_prompt();
        return show(display_.system("switched to " + room));
    }
    const auto* s = sessions_.by_number(number);
    if (!s) return show(display_.error("no session " + arg + " (see \\ss)"));
    active_ = number;
    update_prompt();
    show(display_.system("switched to private session " + arg + " " + s->marker() + " " + s->peer));
}

void ChatClient::back_to_lobby(const std::string&) {
    active_ = 0;
    unread_.erase(0);
    update_prompt();
    show(display_.system("back in the lobby"));
}

void ChatClient::leave_active(const std::string&) { sessions_.leave(active_); }

void ChatClient::help(const std::string&) {
    for (const auto& row : help_lines()) show(row);
}

void ChatClient::whoami(const std::string&) {
    std::string line = "you are " + link_.name();
    if (options_.keys)
        line += ", key " + key_fingerprint(options_.keys->own.public_z85) + " (" +
                options_.key_file + "); the broker's key " +
                key_fingerprint(options_.keys->broker_key);
    else
        line += ", with no key: --insecure";
    show(display_.system(line));
}

void ChatClient::verify(const std::string& name) {
    std::string text = sessions_.safety_number_with(name);
    for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
        end = std::min(text.find('\n', start), text.size());
        show(display_.system(text.substr(start, end - start)));
    }
}

void ChatClient::trust(const std::string& name) { show(display_.system(sessions_.trust(name))); }

void ChatClient::join_room(const std::string& room) {
    if (rooms_.contains(room)) {
        active_ = rooms_.at(room);
        unread_.erase(active_);
        update_prompt();
        return show(display_.system("switched to " + room));
    }
    const auto cseq = link_.join_room(room);
    if (!cseq) return show(display_.error("the lobby is unreachable: \\join needs the broker"));
    joining_cseq_ = cseq;
}

void ChatClient::part_room(const std::string& named) {
    const std::string room = named.empty() ? active_room() : named;
    if (room.empty()) return show(display_.error("\\part leaves a room; you are not in one here"));
    const auto it = rooms_.find(room);
    if (it == rooms_.end()) return show(display_.error("you are not in " + room));
    if (!link_.part_room(room))
        return show(display_.error("the lobby is unreachable: \\part needs the broker"));
    if (active_ == it->second) active_ = 0;
    unread_.erase(it->second);
    rooms_.erase(it);
    show(display_.system("you left " + room));
    update_prompt();
}

void ChatClient::list_rooms(const std::string&) {
    if (!link_.list_rooms())
        show(display_.error("the lobby is unreachable: \\rooms needs the broker"));
}

void ChatClient::who(const std::string& room) {
    const auto cseq = link_.who(room);
    if (!cseq) return show(display_.error("the lobby is unreachable: \\who needs the broker"));
    who_asks_[*cseq] = room;
}

void ChatClient::me(const std::string& action) {
    send_text(std::string(protocol::action_prefix) + action + "\x01");
}

void ChatClient::ignore(const std::string& name) {
    const auto& ignored = link_.ignored();
    if (name.empty()) {
        std::string line = "ignored (" + std::to_string(ignored.size()) + "):";
        for (const auto& n : ignored) line += " " + n;
        return show(display_.system(line));
    }
    if (const auto why = name_refusal(name))
        return show(display_.error("no one is called that: " + *why));
    if (ignored.size() >= limits::max_ignored)
        return show(display_.error("you ignore enough users already"));
    sessions_.ignore(name, true);
    link_.ignore(name, true);
    show(display_.system("ignoring " + name + ": no lines, no invitations (\\unignore " + name +
                         ")"));
}

void ChatClient::unignore(const std::string& name) {
    if (!link_.ignored().contains(name)) return show(display_.error("you do not ignore " + name));
    sessions_.ignore(name, false);
    link_.ignore(name, false);
    show(display_.system("no longer ignoring " + name));
}

// ---- lifecycle ----

void ChatClient::quit(int code) {
    exit_code_ = code;
    sessions_.leave_all("quit");
    link_.leave(std::chrono::milliseconds{1000});
    terminal_.close_input();
    loop_.stop();
}

void ChatClient::on_tick() {
    const auto now = Clock::now();
    const bool paused = pause_.paused(now);
    if (paused) link_.forgive();
    link_.tick();
    sessions_.tick(now, paused);
    if (loop_.stopped()) return;
    check_startup(now);
    if (finishing_) check_finished(now);
    const std::size_t queued = link_.queued();
    if (!input_paused_ && queued > input_high_water) {
        input_paused_ = true;
        terminal_.pause_input();
    } else if (input_paused_ && queued < input_low_water && held_.size() < input_low_water) {
        input_paused_ = false;
        terminal_.resume_input();
    }
}

// No broker within the startup deadline is a clear error; one that answered
// gets the time a join may take before its lobby counts as unreachable.
void ChatClient::check_startup(Clock::time_point now) {
    if (link_.ever_joined() || loop_.stopped()) return;
    const bool answered = welcomed_;
    const auto deadline = options_.startup_timeout + (answered ? limits::join_timeout : 0ms);
    if (now - started_ < deadline) return;
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

// A script's piped lines are all sent (paced to the broker's rate) and seen
// published before EOF quits; a lobby that stops making progress ends the wait.
void ChatClient::check_finished(Clock::time_point now) {
    const std::size_t pending = link_.pending() + held_.size();
    if (pending != last_pending_) {
        last_pending_ = pending;
        last_progress_ = now;
    }
    const bool stalled = now - last_progress_ > options_.broker_timeout;
    if (pending != 0 && !(link_.ever_joined() && !link_.up()) && !stalled) return;
    if (stalled)
        show(display_.error(std::to_string(pending) +
                            " lobby message(s) not confirmed by the broker"));
    quit(0);
}

void ChatClient::update_prompt() {
    std::string where = "lobby";
    if (link_.ever_joined() && !link_.up()) where += "(down)";
    if (const auto* s = sessions_.by_number(active_))
        where = std::to_string(s->number) + " " + s->marker() + " " + s->peer;
    else if (const std::string room = active_room(); !room.empty())
        where = room;
    terminal_.set_prompt(display_.prompt(link_.name(), where));
}

}  // namespace zchat::client
