// termination_signal: SIGINT/SIGTERM turned into a readable fd (self-pipe), so the
// poll loop handles them like any other input, at once and outside signal context.
#pragma once

namespace zchat {

class TerminationSignal {
  public:
    TerminationSignal();  // installs handlers for SIGINT and SIGTERM
    ~TerminationSignal();
    TerminationSignal(const TerminationSignal&) = delete;
    TerminationSignal& operator=(const TerminationSignal&) = delete;

    int fd() const { return read_fd_; }
    // Reads the pending signal number (0 if none) and clears the fd.
    int take();

  private:
    int read_fd_ = -1;
};

}  // namespace zchat
