// outbox: pacing, confirmation and refusal naming of lobby text.
#include "client/outbox.hpp"

#include <algorithm>

#include "patterns/limits.hpp"

namespace zchat::client {
namespace {

constexpr std::size_t refusals_remembered = 1024;  // sent lines kept to name a refusal

}  // namespace

TokenBucket Outbox::pacing(std::uint32_t rate, std::uint32_t burst, Clock::time_point now) {
    const std::uint32_t hello = std::min(limits::hello_cost, burst);
    return TokenBucket(std::max<std::uint32_t>(1, rate - rate / 20),
                       std::max<std::uint32_t>(1, burst / 2), now, hello);
}

void Outbox::flush(const Send& send, Clock::time_point now) {
    while (!queue_.empty() && bucket_.wait(now).count() == 0) {
        const Line& line = queue_.front();
        if (!send(line.cseq, line.room, line.text)) return;
        bucket_.take(now);
        ++unconfirmed_;
        sent_.push_back(std::move(queue_.front()));
        queue_.pop_front();
        if (sent_.size() > refusals_remembered) sent_.pop_front();
    }
}

std::string Outbox::refused(std::uint64_t cseq) {
    const auto it =
        std::find_if(sent_.begin(), sent_.end(), [&](const Line& l) { return l.cseq == cseq; });
    if (it == sent_.end()) return {};
    if (unconfirmed_ > 0) --unconfirmed_;
    return it->text;
}

std::size_t Outbox::drop_all() {
    const std::size_t dropped = queue_.size();
    queue_.clear();
    unconfirmed_ = 0;
    return dropped;
}

}  // namespace zchat::client
