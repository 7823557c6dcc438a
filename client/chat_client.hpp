// chat_client: the chat-cli process logic. It ties the user's terminal, the
// broker link (lobby, rendezvous) and the private sessions together on one
// EventLoop, and owns what the user sees.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "client/broker_link.hpp"
#include "client/command_table.hpp"
#include "client/display.hpp"
#include "client/peer_session.hpp"
#include "client/session_list.hpp"
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
};

class ChatClient {
  public:
    ChatClient(zmq::context_t& ctx, EventLoop& loop, Options options);

    // Leaves everything, telling every peer, and stops the loop.
    void quit(int exit_code);
    int exit_code() const { return exit_code_; }

  private:
    // A private session, pending (hello not yet exchanged) or open.
    struct Peer {
        std::unique_ptr<PeerSession> session;
        int number = 0;                          // in the session list once open
        std::optional<std::uint64_t> fork_cseq;  // our FORK request, while the broker answers
    };
    using PeerKey = std::uint64_t;

    LinkEvents link_events();
    void on_registered(const protocol::Welcome& w, bool first);
    void on_notice(const protocol::Notice& n);
    void on_lost(const std::string& why);
    void on_invite(const protocol::Invite& inv);
    void on_refused(const protocol::Error& e, const std::string& text);
    void on_startup_deadline();

    void on_line(std::string line);
    void on_end_of_input();
    void run(CommandKind command, const std::string& arg);
    void fork(const std::string& name);
    void switch_to(const std::string& arg);
    void leave_active();
    void send_text(std::string text);

    PeerKey add_peer(PeerSession session, std::optional<std::uint64_t> fork_cseq);
    void on_peer_readable(PeerKey key);
    void on_peer_message(PeerKey key, protocol::Message&& m);
    void on_peer_hello(PeerKey key, const protocol::PeerHello& hello);
    void close_peer(PeerKey key, const std::string& why, bool tell_peer);
    Peer* peer_by_number(int number);
    bool has_peer_named(const std::string& name) const;
    void on_tick();
    void finish_when_sent();

    void show(const std::string& line) { terminal_.print(line); }
    void update_prompt();

    zmq::context_t& ctx_;
    EventLoop& loop_;
    Options options_;
    Display display_;
    Terminal terminal_;
    BrokerLink link_;
    SessionList sessions_;
    std::map<PeerKey, Peer> peers_;
    PeerKey next_key_ = 1;
    std::string rejoined_;          // shown when the lobby is live again
    std::size_t last_pending_ = 0;  // while finishing: progress check
    EventLoop::Clock::time_point last_progress_;
    int exit_code_ = 0;
    PauseDetector pause_{std::chrono::seconds{1}};  // a tick 4x late: we were stopped
};

}  // namespace zchat::client
