// recent_names: a bounded set, least recently seen out first.
#include "client/recent_names.hpp"

#include <algorithm>

namespace zchat::client {

void RecentNames::seen(const std::string& name) {
    if (const auto it = where_.find(name); it != where_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        return;
    }
    if (capacity_ == 0) return;
    if (order_.size() == capacity_) {
        where_.erase(order_.back());
        order_.pop_back();
    }
    order_.push_front(name);
    where_[name] = order_.begin();
}

std::vector<std::string> RecentNames::sorted() const {
    std::vector<std::string> names(order_.begin(), order_.end());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace zchat::client
