// load_thread: the epoll loop of one load thread, and how it sends: W1 in a
// burst, W2/W3 paced on one schedule shared by all threads, W5 not at all.
#include "bench/load_thread.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "bench/lobby_client.hpp"
#include "bench/redis_client.hpp"

namespace zchat::bench {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Longest wait: bounds how late a thread notices a phase change.
constexpr milliseconds idle_wait{10};
// W1: messages one client sends per round, so deliveries are drained in between.
constexpr std::size_t burst_chunk = 32;
// W2/W3: most sends per round, so a thread that fell behind still drains its sockets.
constexpr int paced_budget = 1000;
// Each client pings every second (the broker drops after 5 s of silence); a
// tenth of the clients per 100 ms keeps the pings from arriving as one burst.
constexpr milliseconds ping_slice{100};
constexpr std::size_t ping_slices = 10;
// While joining, tickets asked for in one breath are skipped together at the
// broker's gate: one client asks at a time, a moment apart.
constexpr microseconds ask_spacing{200};
// Every client watches two descriptors: the one it sends on, and its lobby.
constexpr std::size_t watches_per_client = 2;

std::unique_ptr<LoadClient> make_client(zmq::context_t& ctx, const LoadConfig& config,
                                        std::size_t index) {
    if (config.target == Target::redis) return std::make_unique<RedisClient>(config, index);
    return std::make_unique<LobbyClient>(ctx, config, index);
}

// An epoll descriptor, closed with its owner.
class Epoll {
  public:
    Epoll() : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (fd_ < 0) throw std::runtime_error("epoll_create1 failed");
    }
    ~Epoll() { ::close(fd_); }
    Epoll(const Epoll&) = delete;
    Epoll& operator=(const Epoll&) = delete;

    void add(int fd, bool edge, std::uint64_t data) {
        epoll_event ev{};
        ev.events = EPOLLIN | (edge ? EPOLLET : 0u);
        ev.data.u64 = data;
        if (::epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) != 0)
            throw std::runtime_error("epoll_ctl failed");
    }
    // Waits at most WAIT for events; returns how many are in EVENTS.
    int wait(std::vector<epoll_event>& events, microseconds wait) {
        const timespec ts{static_cast<time_t>(wait.count() / 1000000),
                          static_cast<long>(wait.count() % 1000000) * 1000};
        const int n =
            ::epoll_pwait2(fd_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
        return n < 0 && errno == EINTR ? 0 : n;
    }

  private:
    int fd_;
};

class LoadThread {
  public:
    LoadThread(zmq::context_t& ctx, const LoadConfig& config, RunControl& control,
               std::size_t first, std::size_t stride)
        : config_(config), control_(control), first_(first), stride_(stride), events_(256) {
        for (std::size_t i = first; i < config.clients; i += stride)
            clients_.push_back(make_client(ctx, config, i));
        in_ready_.assign(clients_.size() * watches_per_client, 0);
        watched_.assign(clients_.size() * watches_per_client, 0);
        for (std::size_t i = 0; i < clients_.size(); ++i) watch(i);
        remaining_.assign(clients_.size(), config.workload == Workload::w1 ? config.messages : 0);
        total_paced_ = static_cast<std::uint64_t>(std::llround(config.rate * config.duration_s));
        if (config.workload == Workload::w1)
            tally_.latencies_ns.reserve(clients_.size() * config.clients * config.messages);
        else if (total_paced_ > 0)
            tally_.latencies_ns.reserve(total_paced_ * config.clients / stride_ + 1);
    }

    Tally run() {
        const auto now = Clock::now();
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            clients_[i]->start(now);
            // Edges that came before the descriptors were watched are lost.
            for (std::size_t w = 0; w < watches_per_client; ++w) mark_ready(key(i, w));
        }
        while (phase() == RunControl::joining) join_round();
        if (phase() == RunControl::running) run_phase();
        clients_.clear();  // sockets close on the thread that used them
        return std::move(tally_);
    }

  private:
    int phase() const { return control_.phase.load(std::memory_order_acquire); }

    void join_round() {
        const auto now = Clock::now();
        if (now >= next_ask_) {
            for (std::size_t i = 0; i < clients_.size(); ++i)
                if (clients_[i]->tick(now)) {
                    next_ask_ = now + ask_spacing;
                    mark_ready(key(i, 1));  // a subscription is a send on the SUB
                    break;
                }
        }
        ping_some(now);
        pump(ready_.empty() ? microseconds{1000} : microseconds{0});
    }

    void run_phase() {
        const Clock::time_point t0 = control_.t0;
        bool sending = config_.workload != Workload::w5;
        if (!sending) control_.done_sending.fetch_add(1, std::memory_order_release);
        while (phase() == RunControl::running) {
            const auto now = Clock::now();
            ping_some(now);
            if (!sending) beat_stand_in(now);
            microseconds wait = idle_wait;
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
            if (!ready_.empty()) wait = microseconds{0};
            pump(wait);
        }
        if (sending) tally_.unsent += unsent();
    }

    // W1: every client sends its messages as fast as its socket takes them.
    // Returns how long to wait before trying again, nullopt once all are sent.
    std::optional<microseconds> send_burst() {
        bool left = false, ready = false;
        const auto now = Clock::now();
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            if (remaining_[i] == 0) continue;
            left = true;
            std::size_t sent = 0;
            for (; sent < burst_chunk && remaining_[i] > 0; ++sent) {
                if (!clients_[i]->say(now, tally_)) break;
                --remaining_[i];
            }
            if (sent > 0) mark_ready(key(i, 0));  // a send can hide the readiness edge
            ready = ready || (remaining_[i] > 0 && !clients_[i]->blocked() && sent == burst_chunk);
        }
        if (!left) return std::nullopt;
        return ready ? microseconds{0} : microseconds{1000};
    }

    // W2/W3: message m of the whole run is due at t0 + m/rate and is sent by
    // client m % N, stamped with that due time: a sender that falls behind
    // shows its lateness in the latency, as a user would see it.
    std::optional<microseconds> send_paced(Clock::time_point t0, Clock::time_point now) {
        for (int budget = 0; budget < paced_budget; ++budget) {
            const std::uint64_t m = round_ * config_.clients + first_ + slot_ * stride_;
            if (m >= total_paced_) return std::nullopt;
            const auto due =
                t0 + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(static_cast<double>(m) / config_.rate));
            if (due > now) return std::chrono::ceil<microseconds>(due - now);
            if (!clients_[slot_]->say(due, tally_)) return microseconds{100};
            tally_.send_lag_ns.push_back(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - due).count());
            mark_ready(key(slot_, 0));
            if (++slot_ == clients_.size()) {
                slot_ = 0;
                ++round_;
            }
        }
        return microseconds{0};
    }

    // W5: the broker publishes a BEAT to everyone every second; at rest, the
    // other targets carry the same fan-out from one of the clients.
    void beat_stand_in(Clock::time_point now) {
        if (config_.target == Target::broker || first_ != 0 || now < next_beat_) return;
        next_beat_ = now + std::chrono::seconds{1};
        if (clients_.front()->say(now, tally_)) mark_ready(key(0, 0));
    }

    // Paced messages of this thread not sent when the run stopped.
    std::uint64_t unsent() const {
        std::uint64_t n = 0;
        for (std::uint64_t m = round_ * config_.clients + first_ + slot_ * stride_;
             m < total_paced_; m += stride_)
            ++n;
        return n;
    }

    // The broker's clients ping to stay registered; the other targets' clients
    // ping only in W5, where heartbeats are the whole load.
    void ping_some(Clock::time_point now) {
        const bool pings = config_.target == Target::broker || config_.workload == Workload::w5;
        if (!pings || now < next_ping_ || clients_.empty()) return;
        next_ping_ = now + ping_slice;
        const std::size_t n = (clients_.size() + ping_slices - 1) / ping_slices;
        for (std::size_t k = 0; k < n; ++k) {
            clients_[ping_cursor_]->ping();
            mark_ready(key(ping_cursor_, 0));
            ping_cursor_ = (ping_cursor_ + 1) % clients_.size();
        }
    }

    // One ready-list entry per watched descriptor: client I's descriptor W.
    static std::size_t key(std::size_t i, std::size_t w) { return i * watches_per_client + w; }

    // Watches client I's descriptors that exist by now (a lobby socket may
    // appear only once the client connects it).
    void watch(std::size_t i) {
        const auto watches = clients_[i]->watches();
        for (std::size_t w = 0; w < watches.size(); ++w) {
            const auto k = key(i, w);
            if (watched_[k] || watches[w].fd < 0) continue;
            epoll_.add(watches[w].fd, watches[w].edge, k);
            watched_[k] = 1;
            mark_ready(k);  // edges that came before the watch are lost
        }
    }

    void mark_ready(std::size_t k) {
        if (in_ready_[k]) return;
        in_ready_[k] = 1;
        ready_.push_back(k);
    }

    // Waits for descriptors (at most WAIT), then services every ready one once.
    void pump(microseconds wait) {
        const int n = epoll_.wait(events_, wait);
        for (int e = 0; e < n; ++e) mark_ready(events_[static_cast<std::size_t>(e)].data.u64);
        servicing_.swap(ready_);
        ready_.clear();
        std::size_t newly_joined = 0;
        for (const std::size_t k : servicing_) {
            in_ready_[k] = 0;
            auto& c = *clients_[k / watches_per_client];
            const bool was_joined = c.joined();
            if (c.service(k % watches_per_client, tally_)) mark_ready(k);
            // A reply while joining may have set the lobby up: look at it too.
            if (!was_joined && k % watches_per_client == 0) {
                watch(k / watches_per_client);
                mark_ready(k + 1);
            }
            if (!was_joined && c.joined()) ++newly_joined;
        }
        servicing_.clear();
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
    std::size_t first_;   // global index of clients_[0]
    std::size_t stride_;  // global index step between clients_ entries
    Epoll epoll_;
    std::vector<epoll_event> events_;
    std::vector<std::unique_ptr<LoadClient>> clients_;
    std::vector<char> in_ready_;          // already in ready_
    std::vector<char> watched_;           // in the epoll
    std::vector<std::size_t> ready_;      // clients to service in the next round
    std::vector<std::size_t> servicing_;  // this round's, swapped with ready_
    std::vector<std::size_t> remaining_;  // W1 messages still to send, per client
    std::uint64_t total_paced_ = 0;       // W2/W3 messages in the whole run
    std::uint64_t round_ = 0;             // W2/W3 schedule cursor: round ...
    std::size_t slot_ = 0;                // ... and client within it
    Clock::time_point next_ping_{};
    Clock::time_point next_ask_{};
    Clock::time_point next_beat_{};
    std::size_t ping_cursor_ = 0;
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
