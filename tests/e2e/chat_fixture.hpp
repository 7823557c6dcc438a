// chat_fixture: a broker and named users as real processes, for stories told
// the way a user would tell them.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "child_process.hpp"
#include "tests/own_ports.hpp"

namespace zchat::e2e {

class ChatTest : public ::testing::Test {
  protected:
    void SetUp() override { broker_ = std::make_unique<BrokerProcess>(broker_flags()); }
    virtual std::vector<std::string> broker_flags() { return {"--history", "0"}; }
    // For a test that restarts the broker: one on ports no other test is
    // given meanwhile (tests/own_ports.hpp), in place of SetUp's.
    void start_on_own_ports() {
        const auto [rendezvous, lobby] = test::own_ports();
        broker_.reset();
        broker_ = std::make_unique<BrokerProcess>(broker_flags(), rendezvous, lobby);
    }

    // Starts NAME and waits until it is in the lobby (its own join notice seen).
    ChildProcess& join(const std::string& name, std::vector<std::string> extra = {}) {
        auto p =
            std::make_unique<ChildProcess>(cli_args(broker_->rendezvous, name, std::move(extra)));
        EXPECT_TRUE(p->expect(">>> " + name + " joined the lobby", 10s))
            << name << ": " << p->out() << p->err();
        auto& ref = *p;
        users_[name] = std::move(p);
        return ref;
    }

    std::unique_ptr<BrokerProcess> broker_;
    std::map<std::string, std::unique_ptr<ChildProcess>> users_;
};

}  // namespace zchat::e2e
