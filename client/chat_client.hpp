// chat_client: the chat-cli process. It ties the user's terminal, the broker
// link (lobby, rendezvous) and the private sessions together on one
// EventLoop with one clock tick, presents what they report, and owns the
// client's lifecycle: the startup deadline, draining piped input, and quitting.
// The commands themselves are listed, with their handlers, in command_table.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <zmq.hpp>

#include "client/broker_link.hpp"
#include "client/command_table.hpp"
#include "client/completion.hpp"
#include "client/display.hpp"
#include "client/private_sessions.hpp"
#include "client/recent_names.hpp"
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
    bool bell = true;  // a mention or a private note in another session rings it
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
    void on_room_joined(const protocol::RoomJoined& j);
    void on_room_text(const protocol::RoomText& t, bool history);
    void on_room_notice(const protocol::RoomNotice& n);
    void on_user_list(const protocol::UserList& u);
    // What the private sessions report.
    SessionEvents session_events();
    void on_session_closed(int number, const std::string& why);
    // A line for session NUMBER is about to be shown: counted unread unless
    // it is active, and a mention or a private line in another session rings
    // the bell, first, so that whoever sees the line has heard the bell; at
    // most once a bell_interval, so a flood of mentions is one alert, not a din.
    void arrived(int number, bool rings);
    std::string active_room() const;
    void forget_lost_rooms();
    int room_number(const std::string& room) const;

    // Input. Until the first join, and while a \join waits for its answer,
    // lines are held in order, so a script's "\join #room" and the lines after
    // it go where they were meant to. If the room cannot be joined, the texts
    // meant for it are not sent anywhere else: the lobby or a private peer
    // must never read what was typed for a room.
    void on_line(std::string line);
    void handle_line(const std::string& line);
    bool holding() const { return !link_.ever_joined() || joining_cseq_.has_value(); }
    void release_held(bool send_texts = true);
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
    void join_room(const std::string& room);
    void part_room(const std::string& room);
    void list_rooms(const std::string&);
    void who(const std::string& room);
    void me(const std::string& action);
    void ignore(const std::string& name);
    void unignore(const std::string& name);
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
    int active_ = 0;                     // the session a plain line goes to; 0 is the lobby
    std::map<std::string, int> rooms_;   // rooms the user is in, with their session numbers
    std::map<int, std::size_t> unread_;  // lines that arrived in a session while not active
    std::map<std::uint64_t, std::string> who_asks_;     // WHO cseq -> room
    RecentNames known_names_{limits::max_known_names};  // for completion: users seen lately
    RecentNames known_rooms_{limits::max_known_names};  // for completion: rooms seen lately
    Completion completion_;
    std::deque<std::string> held_;               // input lines waiting (see holding())
    std::optional<std::uint64_t> joining_cseq_;  // the \join whose answer input waits for
    int next_number_ = 1;                        // session numbers are never reused
    Clock::time_point started_;                  // for the startup deadline
    bool welcomed_ = false;                      // a broker has answered at least once
    std::string rejoined_;                       // shown when the lobby is live again
    bool finishing_ = false;  // input ended: waiting for the lobby to publish it all
    std::size_t last_pending_ = 0;
    Clock::time_point last_progress_;
    bool input_paused_ = false;      // too much queued: stdin is read again once it drains
    Clock::time_point last_bell_{};  // the bell rings at most once a bell_interval
    int exit_code_ = 0;
    PauseDetector pause_;
};

}  // namespace zchat::client
