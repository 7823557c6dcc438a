// chat_client: the chat-cli process. It ties the user's terminal, the broker
// link (lobby, rendezvous) and the private sessions together on one
// EventLoop with one clock tick, presents what they report, and owns the
// client's lifecycle: the startup deadline, draining piped input, and quitting.
// The commands themselves are listed, with their handlers, in command_table.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "client/broker_link.hpp"
#include "client/command_table.hpp"
#include "client/display.hpp"
#include "client/private_sessions.hpp"
#include "client/terminal.hpp"
#include "patterns/limits.hpp"
#include "patterns/pause_detector.hpp"

namespace zchat::client {

struct Options {
    std::string broker = "tcp://127.0.0.1:5555";
    std::string name;
    std::string peer_host = "127.0.0.1";
    bool interactive = false;
    bool colour = false;
    bool timestamps = false;
    std::chrono::milliseconds broker_timeout = limits::broker_timeout;
    std::chrono::milliseconds peer_timeout = limits::peer_timeout;
    std::chrono::milliseconds startup_timeout{3000};
    // CURVE: our keys and the broker's; nullopt: plaintext (--insecure).
    std::optional<LinkKeys> keys;
    std::string key_file;     // where our key lives, for \whoami
    std::string known_peers;  // path of the known_peers file
};

// Exit codes: 0 done, 1 fatal, 2 no broker, 3 the broker or its key cannot
// be trusted (also a security mismatch).
inline constexpr int exit_untrusted = 3;

class ChatClient {
  public:
    using Clock = EventLoop::Clock;

    ChatClient(zmq::context_t& ctx, EventLoop& loop, Options options);

    // Leaves everything, telling every peer, and stops the loop.
    void quit(int exit_code);
    int exit_code() const { return exit_code_; }

  private:
    friend const std::vector<Command>& command_table();

    // What the broker link reports.
    LinkEvents link_events();
    void on_registered(const protocol::Welcome& w, bool first, const std::string& requested);
    void on_joined(bool first);
    void on_notice(const protocol::Notice& n);
    void on_lost(const std::string& why);
    void on_refused(const protocol::Error& e, const std::string& text);
    void on_hello_refused(const protocol::Error& e);
    void on_fatal(const std::string& why);
    // What the private sessions report.
    SessionEvents session_events();
    void on_session_closed(int number, const std::string& why);

    // Input.
    void on_line(std::string line);
    void on_end_of_input();
    void send_text(std::string text);

    // Command handlers (see command_table).
    void quit_command(const std::string&);
    void list_users(const std::string&);
    void fork(const std::string& name);
    void list_sessions(const std::string&);
    void switch_to(const std::string& number);
    void back_to_lobby(const std::string&);
    void leave_active(const std::string&);
    void help(const std::string&);
    void whoami(const std::string&);
    void verify(const std::string& name);
    void trust(const std::string& name);

    // Lifecycle, on the one tick.
    void on_tick();
    void check_startup(Clock::time_point now);
    void check_finished(Clock::time_point now);

    void show(const std::string& line) { terminal_.print(line); }
    void update_prompt();

    zmq::context_t& ctx_;
    EventLoop& loop_;
    Options options_;
    Display display_;
    Terminal terminal_;
    BrokerLink link_;
    PrivateSessions sessions_;
    int active_ = 0;             // the session a plain line goes to; 0 is the lobby
    int next_number_ = 1;        // session numbers are never reused
    Clock::time_point started_;  // for the startup deadline
    bool welcomed_ = false;      // a broker has answered at least once
    std::string rejoined_;       // shown when the lobby is live again
    bool finishing_ = false;     // input ended: waiting for the lobby to publish it all
    std::size_t last_pending_ = 0;
    Clock::time_point last_progress_;
    bool input_paused_ = false;  // too much queued: stdin is read again once it drains
    int exit_code_ = 0;
    PauseDetector pause_;
};

}  // namespace zchat::client
