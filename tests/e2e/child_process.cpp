// child_process: fork/exec with pipes or a pty, bounded reads, PID control.
#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>

namespace zchat::e2e {
namespace {

[[noreturn]] void exec(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
}

void nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, Io io) {
    int err_pipe[2];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    if (io == Io::pty) {
        int master = -1;
        winsize size{};
        size.ws_row = 24;
        size.ws_col = 80;  // a terminal's usual size, so wrapping can be tested
        pid_ = ::forkpty(&master, nullptr, nullptr, &size);
        if (pid_ == 0) {
            ::dup2(err_pipe[1], STDERR_FILENO);
            ::setenv("TERM", "xterm", 1);
            exec(argv);
        }
        in_ = out_fd_ = master;
    } else {
        int in_pipe[2], out_pipe[2];
        if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in_pipe[0], STDIN_FILENO);
            ::dup2(out_pipe[1], STDOUT_FILENO);
            ::dup2(err_pipe[1], STDERR_FILENO);
            exec(argv);
        }
        ::close(in_pipe[0]);
        ::close(out_pipe[1]);
        in_ = in_pipe[1];
        out_fd_ = out_pipe[0];
    }
    ::close(err_pipe[1]);
    err_fd_ = err_pipe[0];
    if (pid_ < 0) throw std::runtime_error("fork");
    nonblocking(out_fd_);
    nonblocking(err_fd_);
}

ChildProcess::~ChildProcess() {
    if (!exit_code_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (in_ >= 0 && in_ != out_fd_) ::close(in_);
    ::close(out_fd_);
    ::close(err_fd_);
}

void ChildProcess::write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(in_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("write to child stdin failed");
        done += static_cast<std::size_t>(n);
    }
}

void ChildProcess::close_stdin() {
    if (in_ != out_fd_) {
        ::close(in_);
        in_ = -1;
    } else {
        write("\x04");  // Ctrl-D on a terminal
    }
}

void ChildProcess::pump(std::chrono::milliseconds max_wait) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(max_wait.count())) <= 0) return;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
        if (n <= 0 && (fds[i].revents & (POLLHUP | POLLERR)))
            std::this_thread::sleep_for(5ms);  // at EOF
    }
}

bool ChildProcess::expect(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto at = out_.find(text, cursor_);
        if (at != std::string::npos) {
            cursor_ = at + text.size();
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pump(std::min(left, std::chrono::milliseconds{50}));
    }
}

bool ChildProcess::expect_count(const std::string& text, std::size_t count,
                                std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::size_t seen = 0;
        for (auto at = out_.find(text); at != std::string::npos;
             at = out_.find(text, at + text.size()))
            ++seen;
        if (seen >= count) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pump(50ms);
    }
}

const std::string& ChildProcess::settle(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) pump(20ms);
    return out_;
}

void ChildProcess::signal(int sig) { ::kill(pid_, sig); }

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        pump(10ms);  // keep draining so the child never blocks on a full pipe
    }
    return exit_code_;
}

namespace {

bool has(const std::vector<std::string>& args, const std::string& flag) {
    return std::find(args.begin(), args.end(), flag) != args.end();
}

// Every key, known-keys file and name store of this test process lives under
// one temporary directory, so no test reads or writes the real home. Set
// before any child starts; removed when the process exits.
struct TestHome {
    std::string dir;
    TestHome() {
        std::string tmpl = "/tmp/zchat-test-XXXXXX";
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
        dir = tmpl;
        ::setenv("XDG_CONFIG_HOME", (dir + "/config").c_str(), 1);
        ::setenv("XDG_DATA_HOME", (dir + "/data").c_str(), 1);
    }
    ~TestHome() { std::filesystem::remove_all(dir); }
    std::string fresh(const std::string& what) {
        static int count = 0;
        const std::string d = dir + "/" + what + "-" + std::to_string(++count);
        std::filesystem::create_directories(d);
        return d;
    }
};

TestHome& home() {
    static TestHome h;
    return h;
}

std::string last_broker_key;  // every broker of a test process shares one key file

}  // namespace

std::string test_dir(const std::string& what) { return home().fresh(what); }

std::size_t open_fds(pid_t pid) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++n;
    return n;
}

BrokerProcess::BrokerProcess(std::vector<std::string> extra, std::string rendezvous_at,
                             std::string lobby_at)
    : process([&] {
          std::vector<std::string> argv{CHAT_BROKER, "--rendezvous", rendezvous_at, "--lobby",
                                        lobby_at};
          if (!has(extra, "--insecure")) {
              if (!has(extra, "--key-file"))
                  argv.insert(argv.end(), {"--key-file", home().dir + "/broker.key"});
              if (!has(extra, "--names-db"))
                  argv.insert(argv.end(), {"--names-db", home().fresh("names") + "/names.sqlite"});
          }
          argv.insert(argv.end(), extra.begin(), extra.end());
          return argv;
      }()) {
    const std::string last_line =
        has(extra, "--insecure") ? "WARNING: --insecure" : "--broker-key '";
    if (!process.expect(last_line, 10s) || !process.expect("\n", 5s))
        throw std::runtime_error("chat-broker did not start: " + process.out() + process.err());
    static const std::regex ready("rendezvous on (\\S+), lobby on (\\S+)");
    std::smatch m;
    if (!std::regex_search(process.out(), m, ready))
        throw std::runtime_error("unexpected broker banner: " + process.out());
    rendezvous = m[1];
    lobby = m[2];
    static const std::regex identity("--broker-key '([^']+)'");
    if (std::regex_search(process.out(), m, identity)) last_broker_key = key = m[1];
}

std::vector<std::string> cli_args(const std::string& broker, const std::string& name,
                                  std::vector<std::string> extra) {
    std::vector<std::string> argv{CHAT_CLI, "--broker", broker};
    if (!name.empty()) argv.insert(argv.end(), {"--name", name});
    if (!has(extra, "--insecure")) {
        if (!has(extra, "--broker-key") && !last_broker_key.empty())
            argv.insert(argv.end(), {"--broker-key", last_broker_key});
        const std::string own = home().fresh("client");
        if (!has(extra, "--key-file")) argv.insert(argv.end(), {"--key-file", own + "/client.key"});
        if (!has(extra, "--known-brokers"))
            argv.insert(argv.end(), {"--known-brokers", own + "/known_brokers"});
        if (!has(extra, "--known-peers"))
            argv.insert(argv.end(), {"--known-peers", own + "/known_peers"});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

}  // namespace zchat::e2e
