// termination_signal: self-pipe for SIGINT and SIGTERM.
#include "termination_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <system_error>

namespace zchat {
namespace {

int write_fd = -1;  // global only because a signal handler can reach nothing else

void on_signal(int sig) {
    const unsigned char byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] const auto n = ::write(write_fd, &byte, 1);
}

}  // namespace

TerminationSignal::TerminationSignal() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    read_fd_ = fds[0];
    write_fd = fds[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

TerminationSignal::~TerminationSignal() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    ::close(write_fd);
    ::close(read_fd_);
    write_fd = -1;
}

int TerminationSignal::take() {
    unsigned char byte = 0;
    int sig = 0;
    while (::read(read_fd_, &byte, 1) == 1) sig = byte;
    return sig;
}

}  // namespace zchat
