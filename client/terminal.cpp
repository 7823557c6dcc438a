// terminal: readline callback mode or plain lines, on the poll loop.
#include "client/terminal.hpp"

#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "patterns/log.hpp"
#include "patterns/utf8.hpp"

namespace zchat::client {
namespace {

Terminal* active_terminal = nullptr;  // readline's callback takes no user pointer

}  // namespace

Terminal::Terminal(EventLoop& loop, bool interactive, Handlers handlers)
    : loop_(loop), interactive_(interactive), handlers_(std::move(handlers)) {
    if (interactive_) {
        active_terminal = this;
        rl_catch_signals = 0;  // Ctrl-C is ours: it quits cleanly like \quit
        rl_catch_sigwinch = 1;
        // A word is what lies between blanks: "\\fork" and "#rust" complete whole.
        rl_completer_word_break_characters = const_cast<char*>(" \t");
        rl_attempted_completion_function = &Terminal::complete;
        rl_callback_handler_install(prompt_.c_str(), &Terminal::on_readline_line);
    }
    loop_.watch(STDIN_FILENO, [this] { on_readable(); });
}

Terminal::~Terminal() {
    if (interactive_) {
        rl_callback_handler_remove();
        active_terminal = nullptr;
        std::fputs("\n", stdout);
        std::fflush(stdout);
    }
}

void Terminal::set_prompt(const std::string& prompt) {
    prompt_ = prompt;
    if (interactive_ && reading_) {
        rl_set_prompt(prompt_.c_str());
        // Inside the line handler readline draws the next prompt itself.
        if (!in_line_handler_) rl_redisplay();
    }
}

std::string Terminal::fit(const std::string& text) const {
    if (!interactive_) return text;
    int rows = 0, columns = 0;
    rl_get_screen_size(&rows, &columns);
    if (columns <= 0) return text;
    std::string out;
    bool first = true;
    std::size_t start = 0;
    for (std::size_t nl;; start = nl + 1) {
        nl = text.find('\n', start);
        const auto line = std::string_view(text).substr(
            start, nl == std::string::npos ? std::string::npos : nl - start);
        for (const auto& row : utf8::wrap(line, static_cast<std::size_t>(columns), "    ")) {
            if (!first) out += '\n';
            first = false;
            out += row;
        }
        if (nl == std::string::npos) break;
    }
    return out;
}

void Terminal::print(const std::string& raw) {
    const std::string text = fit(raw);
    // Inside the line handler the cursor already sits on a fresh line and
    // readline's buffer still holds the accepted line: plain output is right.
    if (!interactive_ || !reading_ || in_line_handler_) {
        std::fputs(text.c_str(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
        return;
    }
    // Save what the user is typing, clear the prompt line, print, restore.
    char* saved = rl_copy_text(0, rl_end);
    const int point = rl_point;
    rl_set_prompt("");
    rl_replace_line("", 0);
    rl_redisplay();
    std::fputs("\r\x1b[K", stdout);
    std::fputs(text.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    rl_set_prompt(prompt_.c_str());
    rl_replace_line(saved, 0);
    rl_point = point;
    rl_redisplay();
    std::free(saved);
}

void Terminal::close_input() {
    if (!reading_) return;
    reading_ = false;
    if (!paused_) loop_.unwatch(STDIN_FILENO);
    if (interactive_) rl_callback_handler_remove();
}

void Terminal::pause_input() {
    if (!reading_ || paused_) return;
    paused_ = true;
    loop_.unwatch(STDIN_FILENO);
}

void Terminal::resume_input() {
    if (!reading_ || !paused_) return;
    paused_ = false;
    loop_.watch(STDIN_FILENO, [this] { on_readable(); });
}

void Terminal::on_readable() {
    if (interactive_)
        rl_callback_read_char();
    else
        on_plain_input();
}

void Terminal::on_plain_input() {
    char buf[65536];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        if (!partial_.empty()) take(std::exchange(partial_, {}));
        close_input();
        handlers_.end();
        return;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; reading_ && (nl = partial_.find('\n', start)) != std::string::npos;
         start = nl + 1)
        take(partial_.substr(start, nl - start));
    partial_.erase(0, start);
}

void Terminal::on_readline_line(char* line) {
    Terminal* self = active_terminal;
    if (!self) return;
    // Nothing may unwind through readline's C frames: contain it here.
    try {
        if (!line) {  // Ctrl-D
            self->close_input();
            self->handlers_.end();
            return;
        }
        std::string text(line);
        std::free(line);
        if (!text.empty()) add_history(text.c_str());
        self->in_line_handler_ = true;
        self->take(std::move(text));
    } catch (const std::exception& e) {
        log::error("input handler failed: ", e.what());
    } catch (...) {
        log::error("input handler failed");
    }
    self->in_line_handler_ = false;
}

void Terminal::bell() {
    std::fputs("\a", stdout);
    std::fflush(stdout);
}

// Readline's completion hook: only our candidates, never file names.
char** Terminal::complete(const char* word, int start, int) {
    rl_attempted_completion_over = 1;
    Terminal* self = active_terminal;
    if (!self || !self->completer_) return nullptr;
    try {
        self->candidates_ = self->completer_(std::string_view(rl_line_buffer, start), word);
    } catch (const std::exception& e) {
        log::error("completion failed: ", e.what());
        return nullptr;
    }
    return rl_completion_matches(word, &Terminal::next_candidate);
}

char* Terminal::next_candidate(const char*, int state) {
    static std::size_t next = 0;
    if (state == 0) next = 0;
    Terminal* self = active_terminal;
    if (!self || next >= self->candidates_.size()) return nullptr;
    return ::strdup(self->candidates_[next++].c_str());
}

// A trailing backslash continues the message on the next line.
void Terminal::take(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.back() == '\\' &&
        !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
        line.pop_back();
        continued_ += line + "\n";
        return;
    }
    std::string message = std::exchange(continued_, {}) + line;
    handlers_.line(std::move(message));
}

}  // namespace zchat::client
