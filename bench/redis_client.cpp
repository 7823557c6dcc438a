// redis_client: PUBLISH, SUBSCRIBE and their replies over non-blocking hiredis contexts.
#include "bench/redis_client.hpp"

#include <stdexcept>

#include "bench/lobby_skim.hpp"
#include "bench/stamped_text.hpp"
#include "patterns/protocol.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::bench {
namespace {

constexpr const char* channel = "lobby";

}  // namespace

RedisClient::Context RedisClient::connect(int port) {
    Context c(redisConnectNonBlock("127.0.0.1", port), &redisFree);
    if (!c || c->err)
        throw std::runtime_error("cannot connect to redis on port " + std::to_string(port) +
                                 (c ? std::string(": ") + c->errstr : std::string()));
    return c;
}

RedisClient::RedisClient(const LoadConfig& config, std::size_t index)
    : config_(config),
      pub_(connect(config.redis_port)),
      sub_(connect(config.redis_port)),
      name_("load-" + std::to_string(index)),
      id_(index + 1),
      last_seq_(config.clients + 1, 0) {}

std::vector<LoadClient::Watch> RedisClient::watches() {
    return {{pub_->fd, false}, {sub_->fd, false}};
}

void RedisClient::start(Clock::time_point) {
    redisAppendCommand(sub_.get(), "SUBSCRIBE %s", channel);
    Tally ignored;
    flush(sub_.get(), ignored);
}

bool RedisClient::flush(redisContext* c, Tally& tally) {
    int done = 0;
    if (redisBufferWrite(c, &done) != REDIS_OK) {
        if (!dead_) ++tally.errors;
        dead_ = true;
        return false;
    }
    return done != 0;
}

bool RedisClient::say(Clock::time_point due, Tally& tally) {
    const auto body = protocol::encode(
        protocol::LobbyText{0, next_seq_ + 1, wall_clock_us(), id_, name_, stamped_text(due)});
    redisAppendCommand(pub_.get(), "PUBLISH %s %b", channel, body.data(), body.size());
    flush(pub_.get(), tally);
    ++next_seq_;
    ++tally.sent;
    return true;
}

void RedisClient::ping() {
    redisAppendCommand(pub_.get(), "PING");
    Tally ignored;
    flush(pub_.get(), ignored);
}

// Level-triggered: read once per readiness; epoll says again if more is there.
// Commands hiredis could not write at once stay buffered: try again soon.
bool RedisClient::service(std::size_t which, Tally& tally) {
    if (dead_) return false;
    redisContext* c = which == 0 ? pub_.get() : sub_.get();
    if (which == 0)
        read_publisher(tally);
    else
        read_subscriber(tally);
    return !flush(c, tally) && !dead_;
}

void RedisClient::read_publisher(Tally& tally) {
    if (redisBufferRead(pub_.get()) != REDIS_OK) {
        if (!dead_) ++tally.errors;
        dead_ = true;
        return;
    }
    void* reply = nullptr;
    while (redisGetReplyFromReader(pub_.get(), &reply) == REDIS_OK && reply) {
        // PUBLISH answers with the number of receivers; PING with PONG.
        if (static_cast<redisReply*>(reply)->type == REDIS_REPLY_ERROR) ++tally.errors;
        freeReplyObject(reply);
        reply = nullptr;
    }
}

void RedisClient::read_subscriber(Tally& tally) {
    if (redisBufferRead(sub_.get()) != REDIS_OK) {
        if (!dead_) ++tally.errors;
        dead_ = true;
        return;
    }
    const auto now = Clock::now();
    void* reply = nullptr;
    while (redisGetReplyFromReader(sub_.get(), &reply) == REDIS_OK && reply) {
        const auto* r = static_cast<redisReply*>(reply);
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
            r->element[0]->type == REDIS_REPLY_STRING) {
            const std::string_view kind(r->element[0]->str, r->element[0]->len);
            if (kind == "subscribe")
                joined_ = true;
            else if (kind == "message")
                on_message(*r->element[2], now, tally);
        } else {
            ++tally.errors;
        }
        freeReplyObject(reply);
        reply = nullptr;
    }
}

void RedisClient::on_message(const redisReply& r, Clock::time_point now, Tally& tally) {
    LobbySkim t;
    if (r.type != REDIS_REPLY_STRING || !skim_lobby_text({r.str, r.len}, t) || t.from_id == 0 ||
        t.from_id >= last_seq_.size()) {
        ++tally.errors;
        return;
    }
    auto& last = last_seq_[t.from_id];
    if (t.seq > last + 1) {
        ++tally.gaps;
        tally.missing += t.seq - last - 1;
    }
    if (t.seq > last) last = t.seq;
    if (t.from_id == id_) return;  // redis sends our own lines back too
    ++tally.received;
    tally.last_delivery = now;
    if (const auto due = stamp_of(t.text))
        tally.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - *due).count());
    else
        ++tally.errors;
}

}  // namespace zchat::bench
