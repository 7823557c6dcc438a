// client_table: the registered clients, by connection (routing id) and by
// subscription ticket, with their unique names. A client is registered from
// WELCOME on, joined once its ticket has been applied, and announced (online
// for the others: USERS, FORK, the lobby's notices) from its first join on.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/name_registry.hpp"
#include "broker/subscription_gate.hpp"
#include "patterns/liveness.hpp"

namespace zchat::broker {

using RoutingId = std::string;

// Lets a table keyed by std::string be searched with a string_view.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Client {
    std::uint64_t id = 0;  // broker-assigned, in WELCOME
    std::string name;      // registered, unique
    std::string ticket;    // secret topic whose subscription applies `grant`
    std::string host;      // source address of its rendezvous connection
    std::string key;       // its CURVE key (Z85), as ZAP admitted it; empty: plaintext
    Liveness liveness;     // any request is a sign of life
    Liveness::Clock::time_point registered_at;
    bool joined = false;     // its ticket was applied on its current connection: it hears the lobby
    bool announced = false;  // the lobby was told it joined: it is online for the others
    TicketGrant grant;       // the topics its ticket applies
    std::set<std::string> rooms;  // the rooms it is a member of
    // Room joins and parts waiting for their ticket to be applied.
    struct RoomChange {
        std::uint64_t cseq;
        std::string room;
        bool join;
    };
    std::vector<RoomChange> changing;
    std::set<std::string> ignored;  // users whose invitations it does not want
};

class ClientTable {
  public:
    // Registers a new client on RID under REQUESTED or a suffixed variant
    // that is not RESERVED.
    Client& add(const RoutingId& rid, std::uint64_t id, std::string_view requested,
                const NameRegistry::Reserved& reserved, std::string ticket, std::string host,
                std::string key, Liveness liveness, Liveness::Clock::time_point now);
    // Moves a registration to connection TO (a client back on fresh sockets).
    Client& move(const RoutingId& from, const RoutingId& to);
    // Gives C a new ticket; the old one no longer applies anything.
    void retick(Client& c, std::string ticket);
    // Removes and returns the client on RID, if any.
    std::optional<Client> remove(const RoutingId& rid);

    Client* find(const RoutingId& rid);
    const RoutingId* by_ticket(std::string_view ticket) const;
    const RoutingId* by_name(const std::string& name) const;  // joined or not
    const RoutingId* by_key(std::string_view key) const;
    void mark_announced(Client& c);

    // Announced names, in byte order.
    const std::set<std::string>& online_names() const { return online_; }
    std::size_t registered() const { return clients_.size(); }
    std::unordered_map<RoutingId, Client>& all() { return clients_; }

  private:
    std::unordered_map<RoutingId, Client> clients_;
    std::unordered_map<std::string, RoutingId, StringHash, std::equal_to<>> tickets_;
    std::unordered_map<std::string, RoutingId, StringHash, std::equal_to<>> keys_;  // CURVE only
    NameRegistry names_;
    std::set<std::string> online_;
};

}  // namespace zchat::broker
