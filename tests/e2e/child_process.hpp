// child_process: the end-to-end harness. Starts a real binary with pipes (or a
// pseudo-terminal), writes its stdin, waits for its output with a deadline, and
// stops it by PID. Every wait is bounded, so a broken binary fails a test
// instead of hanging it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace zchat::e2e {

using namespace std::chrono_literals;

class ChildProcess {
  public:
    enum class Io { pipes, pty };

    ChildProcess(std::vector<std::string> argv, Io io = Io::pipes);
    ~ChildProcess();  // SIGKILL if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    void write(const std::string& bytes);
    void write_line(const std::string& line) { write(line + "\n"); }
    void close_stdin();

    // Waits until stdout (from where the last expect matched) contains TEXT.
    bool expect(const std::string& text, std::chrono::milliseconds timeout = 5s);
    // Waits until stdout as a whole has COUNT copies of TEXT.
    bool expect_count(const std::string& text, std::size_t count,
                      std::chrono::milliseconds timeout = 5s);
    // Reads what arrives for DURATION and returns all stdout so far.
    const std::string& settle(std::chrono::milliseconds duration);
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

    void signal(int sig);
    // Exit code (128+N for a signal), or nullopt if it did not exit in time.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 5s);

  private:
    void pump(std::chrono::milliseconds max_wait);

    pid_t pid_ = -1;
    int in_ = -1;  // child's stdin (the pty master in pty mode)
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_;
    std::string err_;
    std::size_t cursor_ = 0;  // expect() searches from here
    std::optional<int> exit_code_;
};

// A chat-broker on OS-picked loopback ports.
struct BrokerProcess {
    explicit BrokerProcess(std::vector<std::string> extra = {},
                           std::string rendezvous = "tcp://127.0.0.1:*",
                           std::string lobby = "tcp://127.0.0.1:*");
    ChildProcess process;
    std::string rendezvous;  // as bound
    std::string lobby;
    std::string key;  // its public key (Z85); empty with --insecure
};

// A fresh directory under this test process's temporary home (which also
// holds XDG_CONFIG_HOME and XDG_DATA_HOME for every child).
std::string test_dir(const std::string& what);

// Descriptors process PID holds now (entries of /proc/PID/fd).
std::size_t open_fds(pid_t pid);

// A chat-cli on pipes (or a pty) connected to BROKER. Unless EXTRA says
// --insecure, it trusts the key of the last broker started (all share one
// key file) and gets a key and known-keys files of its own; EXTRA may give
// its own --key-file, --broker-key or --known-* instead.
std::vector<std::string> cli_args(const std::string& broker, const std::string& name,
                                  std::vector<std::string> extra = {});

}  // namespace zchat::e2e
