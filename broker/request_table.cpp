// request_table: the rules, indexed by wire kind.
#include "broker/request_table.hpp"

#include "broker/broker.hpp"
#include "patterns/limits.hpp"

namespace zchat::broker {

const RequestTable::Table& RequestTable::table() {
    static const RequestRule hello{"HELLO", Needs::nothing, limits::hello_cost, &Broker::on_hello};
    static const RequestRule ping{"PING", Needs::registration, 0, &Broker::on_ping};
    static const RequestRule say{"SAY", Needs::joined, 1, &Broker::on_say};
    static const RequestRule users{"USERS", Needs::registration, 1, &Broker::on_users};
    static const RequestRule fork{"FORK", Needs::joined, 1, &Broker::on_fork};
    static const RequestRule bye{"BYE", Needs::registration, 0, &Broker::on_bye};
    static const RequestRule join{"JOIN", Needs::joined, limits::join_cost, &Broker::on_join_room};
    static const RequestRule part{"PART", Needs::joined, 1, &Broker::on_part_room};
    static const RequestRule say_room{"SAY_ROOM", Needs::joined, 1, &Broker::on_say_room};
    static const RequestRule rooms{"ROOMS", Needs::registration, 1, &Broker::on_rooms};
    static const RequestRule who{"WHO", Needs::registration, 1, &Broker::on_who};
    static const RequestRule ignore{"IGNORE", Needs::registration, 1, &Broker::on_ignore};
    static const auto rules = [] {
        Table t{};
        t[protocol::Message{protocol::Hello{}}.index()] = &hello;
        t[protocol::Message{protocol::Ping{}}.index()] = &ping;
        t[protocol::Message{protocol::Say{}}.index()] = &say;
        t[protocol::Message{protocol::Users{}}.index()] = &users;
        t[protocol::Message{protocol::Fork{}}.index()] = &fork;
        t[protocol::Message{protocol::Bye{}}.index()] = &bye;
        t[protocol::Message{protocol::JoinRoom{}}.index()] = &join;
        t[protocol::Message{protocol::PartRoom{}}.index()] = &part;
        t[protocol::Message{protocol::SayRoom{}}.index()] = &say_room;
        t[protocol::Message{protocol::Rooms{}}.index()] = &rooms;
        t[protocol::Message{protocol::Who{}}.index()] = &who;
        t[protocol::Message{protocol::Ignore{}}.index()] = &ignore;
        return t;
    }();
    return rules;
}

const RequestRule* RequestTable::rule_for(const protocol::Message& m) { return table()[m.index()]; }

std::vector<RequestRule> RequestTable::rules() {
    std::vector<RequestRule> out;
    for (const auto* r : table())
        if (r) out.push_back(*r);
    return out;
}

std::string_view needs_name(Needs needs) {
    switch (needs) {
        case Needs::nothing:
            return "nothing";
        case Needs::registration:
            return "registration";
        case Needs::joined:
            return "joined";
    }
    return "?";
}

}  // namespace zchat::broker
