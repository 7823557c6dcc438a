// client_table: registration records and their three indexes.
#include "broker/client_table.hpp"

namespace zchat::broker {

Client& ClientTable::add(const RoutingId& rid, std::uint64_t id, std::string_view requested,
                         const NameRegistry::Reserved& reserved, std::string ticket,
                         std::string host, std::string key, Liveness liveness,
                         Liveness::Clock::time_point now) {
    Client c{id,
             names_.claim(requested, rid, reserved),
             std::move(ticket),
             std::move(host),
             std::move(key),
             liveness,
             now,
             false,
             false,
             {},
             {},
             {},
             {}};
    tickets_.emplace(c.ticket, rid);
    if (!c.key.empty()) keys_.emplace(c.key, rid);
    return clients_.insert_or_assign(rid, std::move(c)).first->second;
}

Client& ClientTable::move(const RoutingId& from, const RoutingId& to) {
    auto node = clients_.extract(from);
    node.key() = to;
    Client& c = clients_.insert(std::move(node)).position->second;
    tickets_[c.ticket] = to;
    if (!c.key.empty()) keys_[c.key] = to;
    names_.release(c.name);
    names_.claim(c.name, to);
    return c;
}

void ClientTable::retick(Client& c, std::string ticket) {
    const auto it = tickets_.find(c.ticket);
    RoutingId rid = it->second;
    tickets_.erase(it);
    c.ticket = std::move(ticket);
    tickets_.emplace(c.ticket, std::move(rid));
}

std::optional<Client> ClientTable::remove(const RoutingId& rid) {
    auto node = clients_.extract(rid);
    if (node.empty()) return std::nullopt;
    Client& c = node.mapped();
    tickets_.erase(c.ticket);
    if (!c.key.empty()) keys_.erase(c.key);
    names_.release(c.name);
    online_.erase(c.name);
    return std::move(c);
}

Client* ClientTable::find(const RoutingId& rid) {
    const auto it = clients_.find(rid);
    return it == clients_.end() ? nullptr : &it->second;
}

const RoutingId* ClientTable::by_ticket(std::string_view ticket) const {
    const auto it = tickets_.find(ticket);
    return it == tickets_.end() ? nullptr : &it->second;
}

const RoutingId* ClientTable::by_name(const std::string& name) const { return names_.owner(name); }

const RoutingId* ClientTable::by_key(std::string_view key) const {
    const auto it = keys_.find(key);
    return it == keys_.end() ? nullptr : &it->second;
}

void ClientTable::mark_announced(Client& c) {
    c.announced = true;
    online_.insert(c.name);
}

}  // namespace zchat::broker
