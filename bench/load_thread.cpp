// load_thread: the poll loop of one load thread, and how it sends: W1 in a
// burst, W2/W3 paced on one schedule shared by all threads.
#include "bench/load_thread.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

namespace zchat::bench {
namespace {

using std::chrono::milliseconds;

// Longest poll wait: bounds how late a thread notices a phase change.
constexpr milliseconds idle_wait{10};
constexpr milliseconds join_wait{1};
// W1: messages one client sends per poll round, so replies are drained in between.
constexpr std::size_t burst_chunk = 32;
// W2/W3: most sends per round, so a thread that fell behind still drains its sockets.
constexpr int paced_budget = 1000;
// Each client pings every second (the broker drops after 5 s of silence); a tenth
// of the clients per 100 ms keeps the pings from arriving as one burst.
constexpr milliseconds ping_slice{100};
constexpr std::size_t ping_slices = 10;

class LoadThread {
  public:
    LoadThread(zmq::context_t& ctx, const LoadConfig& config, RunControl& control,
               std::size_t first, std::size_t stride)
        : config_(config), control_(control), first_(first), stride_(stride) {
        for (std::size_t i = first; i < config.clients; i += stride)
            clients_.emplace_back(ctx, config, i);
        blocked_.assign(clients_.size(), 0);
        remaining_.assign(clients_.size(), config.workload == Workload::w1 ? config.messages : 0);
        total_paced_ = static_cast<std::uint64_t>(std::llround(config.rate * config.duration_s));
    }

    Tally run() {
        const auto now = Clock::now();
        for (auto& c : clients_) c.start(now);
        while (control_.phase.load(std::memory_order_acquire) == RunControl::joining) join_round();
        if (control_.phase.load(std::memory_order_acquire) == RunControl::running) run_phase();
        clients_.clear();  // sockets close on the thread that used them
        return std::move(tally_);
    }

  private:
    // Clients that ask for their tickets in one breath are skipped together at
    // the broker's gate: one asks per round, and rounds are short while joining.
    void join_round() {
        const auto now = Clock::now();
        for (auto& c : clients_)
            if (c.tick(now)) break;
        ping_some(now);
        pump(join_wait);
    }

    void run_phase() {
        const Clock::time_point t0 = control_.t0;
        bool sending = true;
        while (control_.phase.load(std::memory_order_acquire) == RunControl::running) {
            const auto now = Clock::now();
            ping_some(now);
            milliseconds wait = idle_wait;
            if (sending) {
                const auto next =
                    config_.workload == Workload::w1 ? send_burst() : send_paced(t0, now);
                if (next) {
                    wait = std::min(wait, *next);
                } else {
                    sending = false;
                    publish_progress(0);
                    control_.done_sending.fetch_add(1, std::memory_order_release);
                }
            }
            pump(wait);
        }
    }

    // W1: every client sends its messages as fast as its DEALER takes them.
    // Returns how long to wait before trying again, nullopt once all are sent.
    std::optional<milliseconds> send_burst() {
        bool left = false, ready = false;
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            if (remaining_[i] == 0) continue;
            left = true;
            for (std::size_t k = 0; k < burst_chunk && remaining_[i] > 0 && !blocked_[i]; ++k) {
                if (clients_[i].say(tally_))
                    --remaining_[i];
                else
                    blocked_[i] = 1;  // polled for POLLOUT until the DEALER has room
            }
            ready = ready || (remaining_[i] > 0 && !blocked_[i]);
        }
        if (!left) return std::nullopt;
        return ready ? milliseconds{0} : idle_wait;
    }

    // W2/W3: message m of the whole run is due at t0 + m/rate and is sent by
    // client m % N, so the aggregate rate is even whatever the thread count.
    std::optional<milliseconds> send_paced(Clock::time_point t0, Clock::time_point now) {
        for (int budget = 0; budget < paced_budget; ++budget) {
            const std::uint64_t m = round_ * config_.clients + first_ + slot_ * stride_;
            if (m >= total_paced_) return std::nullopt;
            const auto due =
                t0 + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(static_cast<double>(m) / config_.rate));
            if (due > now) return std::chrono::ceil<milliseconds>(due - now);
            if (blocked_[slot_] || !clients_[slot_].say(tally_)) {
                blocked_[slot_] = 1;
                return idle_wait;
            }
            if (++slot_ == clients_.size()) {
                slot_ = 0;
                ++round_;
            }
        }
        return milliseconds{0};
    }

    void ping_some(Clock::time_point now) {
        if (config_.target != Target::broker || now < next_ping_) return;
        next_ping_ = now + ping_slice;
        const std::size_t n = (clients_.size() + ping_slices - 1) / ping_slices;
        for (std::size_t k = 0; k < n && !clients_.empty(); ++k) {
            clients_[ping_cursor_].ping();
            ping_cursor_ = (ping_cursor_ + 1) % clients_.size();
        }
    }

    void pump(milliseconds wait) {
        items_.clear();
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            const short events = static_cast<short>(ZMQ_POLLIN | (blocked_[i] ? ZMQ_POLLOUT : 0));
            items_.push_back({clients_[i].dealer().handle(), 0, events, 0});
            items_.push_back({clients_[i].lobby().handle(), 0, ZMQ_POLLIN, 0});
        }
        zmq::poll(items_, wait);
        std::size_t newly_joined = 0;
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            auto& c = clients_[i];
            const bool was_joined = c.joined();
            if (items_[2 * i].revents & ZMQ_POLLIN) c.on_dealer(tally_);
            if (items_[2 * i].revents & ZMQ_POLLOUT) blocked_[i] = 0;
            if (items_[2 * i + 1].revents & ZMQ_POLLIN) c.on_lobby(tally_);
            if (!was_joined && c.joined()) ++newly_joined;
        }
        publish_progress(newly_joined);
    }

    void publish_progress(std::size_t newly_joined) {
        if (newly_joined) control_.joined.fetch_add(newly_joined, std::memory_order_relaxed);
        control_.sent.fetch_add(tally_.sent - published_.sent, std::memory_order_relaxed);
        control_.refused.fetch_add(tally_.refused - published_.refused, std::memory_order_relaxed);
        control_.received.fetch_add(tally_.received - published_.received,
                                    std::memory_order_relaxed);
        published_.sent = tally_.sent;
        published_.refused = tally_.refused;
        published_.received = tally_.received;
    }

    struct Published {  // the share of tally_ already added to control_
        std::uint64_t sent = 0, refused = 0, received = 0;
    };

    const LoadConfig& config_;
    RunControl& control_;
    std::size_t first_;                   // global index of clients_[0]
    std::size_t stride_;                  // global index step between clients_ entries
    std::deque<LobbyClient> clients_;     // deque: clients never move once built
    std::vector<char> blocked_;           // DEALER refused a send; waiting for POLLOUT
    std::vector<std::size_t> remaining_;  // W1 messages still to send, per client
    std::uint64_t total_paced_ = 0;       // W2/W3 messages in the whole run
    std::uint64_t round_ = 0;             // W2/W3 schedule cursor: round ...
    std::size_t slot_ = 0;                // ... and client within it
    Clock::time_point next_ping_{};
    std::size_t ping_cursor_ = 0;
    std::vector<zmq_pollitem_t> items_;  // rebuilt each round: POLLOUT interest changes
    Tally tally_;
    Published published_;
};

}  // namespace

void RunControl::fail(const std::string& why) {
    std::lock_guard lock(failure_mutex);
    if (failure.empty()) failure = why;
    failed = true;
}

Tally run_load_thread(zmq::context_t& ctx, const LoadConfig& config, RunControl& control,
                      std::size_t first, std::size_t stride) {
    try {
        LoadThread thread(ctx, config, control, first, stride);
        return thread.run();
    } catch (const std::exception& e) {
        control.fail(std::string("load thread failed: ") + e.what());
        return {};
    }
}

}  // namespace zchat::bench
