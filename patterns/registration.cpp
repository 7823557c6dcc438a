// registration: HELLO, WELCOME, the ticket subscription and its retries, JOINED.
#include "patterns/registration.hpp"

#include "patterns/network_socket.hpp"

namespace zchat {

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
    ask_.start(sub, welcome_->ticket, now, ask_now);
}

bool Registration::tick(SubscriberPort& sub, Clock::time_point now) {
    return stage_ == Stage::subscribing && ask_.tick(sub, now);
}

void Registration::release_ticket(SubscriberPort& sub) { ask_.release(sub); }

}  // namespace zchat
