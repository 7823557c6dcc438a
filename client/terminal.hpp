// terminal: the user's side of the client. On a terminal it is GNU readline in
// callback mode, fed by the same poll loop as the sockets (no second thread),
// and incoming lines are printed above the prompt without disturbing what the
// user is typing. Elsewhere (pipes, scripts, tests) it reads plain lines and
// writes plain lines, flushed one by one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "patterns/event_loop.hpp"

namespace zchat::client {

class Terminal {
  public:
    struct Handlers {
        std::function<void(std::string)> line;  // one message: continuations joined
        std::function<void()> end;              // EOF (Ctrl-D, end of a pipe)
    };

    Terminal(EventLoop& loop, bool interactive, Handlers handlers);
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    // What Tab offers for the word under the cursor, given the text before it.
    using Completer =
        std::function<std::vector<std::string>(std::string_view line, std::string_view word)>;

    bool interactive() const { return interactive_; }
    void set_completer(Completer completer) { completer_ = std::move(completer); }
    // The terminal's bell, once: a terminal raises its alert on it.
    void bell();
    void set_prompt(const std::string& prompt);
    // Prints whole lines above the prompt. On a terminal a line wider than
    // the screen is wrapped here, its further rows indented, so that no text
    // can wrap into what looks like a line of its own.
    void print(const std::string& text);
    // Stops reading input (the client is leaving).
    void close_input();
    // Stops and resumes reading input, while what was read is still queued.
    void pause_input();
    void resume_input();

  private:
    void on_readable();
    void on_plain_input();
    void take(std::string line);
    std::string fit(const std::string& text) const;
    static void on_readline_line(char* line);
    static char** complete(const char* word, int start, int end);
    static char* next_candidate(const char* word, int state);

    EventLoop& loop_;
    bool interactive_;
    Handlers handlers_;
    std::string prompt_;
    std::string partial_;    // plain mode: bytes after the last newline
    std::string continued_;  // lines joined by a trailing backslash
    bool reading_ = true;
    bool paused_ = false;
    bool in_line_handler_ = false;  // readline is calling us with an accepted line
    Completer completer_;
    std::vector<std::string> candidates_;  // of the completion in progress
};

}  // namespace zchat::client
