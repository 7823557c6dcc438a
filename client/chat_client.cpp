// chat_client: wiring, presentation of link and session events, lifecycle.
#include "client/chat_client.hpp"

#include <charconv>
#include <cstdio>
#include <utility>

#include "patterns/log.hpp"
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
      started_(Clock::now()),
      pause_(tick_interval * 10, started_) {
    sessions_.set_own_name(options_.name);
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
        show(display_.lobby(t.from, t.text, t.ts_us));
    };
    e.notice = [this](const protocol::Notice& n) { on_notice(n); };
    e.gap = [this](std::uint64_t n) {
        show(display_.error("missed " + std::to_string(n) + " lobby messages"));
    };
    e.lost = [this](const std::string& why) { on_lost(why); };
    e.hello_refused = [this](const protocol::Error& err) { on_hello_refused(err); };
    e.user_list = [this](const protocol::UserList& u) {
        std::string line = "Users online (" + std::to_string(u.count) + "):";
        for (const auto& n : u.names) line += " " + n;
        show(display_.system(line));
    };
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
    return e;
}

// A first registration is news at once; a rejoin only once the lobby is live
// again (JOINED), so that what the user types next really reaches it.
void ChatClient::on_registered(const protocol::Welcome& w, bool first,
                               const std::string& requested) {
    welcomed_ = true;
    sessions_.set_own_name(w.name);
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

void ChatClient::on_refused(const protocol::Error& e, const std::string& text) {
    if (sessions_.fork_refused(e.cseq, e.reason)) return;
    std::string line = "refused by the broker: " + e.reason;
    if (!text.empty()) line += " (not sent: \"" + preview(text) + "\")";
    show(display_.error(line));
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
    if (!link_.say(std::move(text)))
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
    const auto now = Clock::now();
    show("< Sessions (type \\sw N to switch) >");
    show(mark(0) + "0  lobby" + (link_.up() ? "" : " (down: broker unreachable)"));
    for (const auto* s : sessions_.open_sessions()) {
        const bool quiet = s->link->liveness(now) != Liveness::State::alive;
        show(mark(s->number) + std::to_string(s->number) + "  " + s->marker() + " " +
             utf8::one_line(s->peer) + (quiet ? " (not heard from lately)" : ""));
    }
}

void ChatClient::switch_to(const std::string& arg) {
    int number = -1;
    const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), number);
    if (ec != std::errc{} || end != arg.data() + arg.size())
        return show(display_.error("\\sw " + arg + ": not a session number (see \\ss)"));
    if (number == 0) return back_to_lobby("");
    const auto* s = sessions_.by_number(number);
    if (!s) return show(display_.error("no session " + arg + " (see \\ss)"));
    active_ = number;
    update_prompt();
    show(display_.system("switched to private session " + arg + " " + s->marker() + " " + s->peer));
}

void ChatClient::back_to_lobby(const std::string&) {
    active_ = 0;
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
    } else if (input_paused_ && queued < input_low_water) {
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
    const std::size_t pending = link_.pending();
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
    terminal_.set_prompt(display_.prompt(link_.name(), where));
}

}  // namespace zchat::client
