// recent_names: the names (of users, or of rooms) a client has seen lately,
// for completion. At most a fixed number are kept, the one seen longest ago
// going first: strangers who come and go under ever new names cannot make a
// long-running client hold them all.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace zchat::client {

class RecentNames {
  public:
    explicit RecentNames(std::size_t capacity) : capacity_(capacity) {}
    // The index points into the list: a copy's would point into the original's.
    RecentNames(const RecentNames&) = delete;
    RecentNames& operator=(const RecentNames&) = delete;

    // NAME was seen now.
    void seen(const std::string& name);
    // Every name kept, in byte order.
    std::vector<std::string> sorted() const;
    std::size_t size() const { return order_.size(); }

  private:
    std::size_t capacity_;
    std::list<std::string> order_;  // the latest seen first
    std::unordered_map<std::string, std::list<std::string>::iterator> where_;
};

}  // namespace zchat::client
