// registration: HELLO, WELCOME, the ticket subscription and its retries, JOINED.
#include "registration.hpp"

#include <algorithm>
#include <random>

#include "patterns/network_socket.hpp"

namespace zchat {
namespace {

constexpr std::chrono::milliseconds first_interval{50};
constexpr std::chrono::milliseconds max_interval{1000};

// Half to one and a half times INTERVAL: clients that subscribed together
// must not ask again together, or their tickets keep arriving in a crowd.
std::chrono::milliseconds jittered(std::chrono::milliseconds interval) {
    thread_local std::minstd_rand rng{std::random_device{}()};
    std::uniform_int_distribution<long> spread(interval.count() / 2, interval.count() * 3 / 2);
    return std::chrono::milliseconds{spread(rng)};
}

}  // namespace

Registration::Registration(std::string name, std::string resume)
    : name_(std::move(name)), resume_(std::move(resume)) {}

Registration::Step Registration::on_reply(const protocol::Message& m) {
    if (const auto* w = std::get_if<protocol::Welcome>(&m)) {
        if (stage_ != Stage::hello_sent) return Step::other;
        welcome_ = *w;
        stage_ = Stage::subscribing;
        return Step::welcomed;
    }
    if (std::holds_alternative<protocol::History>(m))
        return stage_ == Stage::subscribing ? Step::history : Step::other;
    if (const auto* j = std::get_if<protocol::Joined>(&m)) {
        if (stage_ != Stage::subscribing) return Step::other;
        joined_ = *j;
        stage_ = Stage::joined;
        return Step::joined;
    }
    if (const auto* e = std::get_if<protocol::Error>(&m)) {
        if (stage_ != Stage::hello_sent || e->cseq != 0) return Step::other;
        refusal_ = *e;
        stage_ = Stage::refused;
        return Step::refused;
    }
    return Step::other;
}

void Registration::subscribe(SubscriberPort& sub, const std::string& rendezvous_endpoint,
                             Clock::time_point now, bool ask_now) {
    sub.connect(dialable_endpoint(welcome_->lobby_endpoint, rendezvous_endpoint));
    // Locally the SUB takes whatever the broker sends it: the broker decides
    // what that is, and a subscription of ours to "" is never applied there.
    sub.subscribe("");
    interval_ = first_interval;
    if (ask_now)
        ask(sub, now);
    else
        next_ask_ = now;
}

bool Registration::tick(SubscriberPort& sub, Clock::time_point now) {
    if (stage_ != Stage::subscribing || now < next_ask_) return false;
    if (subscribed_) interval_ = std::min(interval_ * 2, max_interval);
    ask(sub, now);
    return true;
}

void Registration::release_ticket(SubscriberPort& sub) {
    if (!subscribed_) return;
    sub.unsubscribe(welcome_->ticket);
    subscribed_ = false;
}

// A SUB sends a subscription upstream only when it is new to it: cancel first.
void Registration::ask(SubscriberPort& sub, Clock::time_point now) {
    if (subscribed_) sub.unsubscribe(welcome_->ticket);
    sub.subscribe(welcome_->ticket);
    subscribed_ = true;
    next_ask_ = now + jittered(interval_);
}

}  // namespace zchat
