// name_registry: the unique names of the online users. A name taken twice is
// suffixed (anna, anna_2, anna_3...), and the suffixed name keeps the rules
// (patterns/name_rules).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zchat::broker {

class NameRegistry {
  public:
    // Names held elsewhere (by another key, in the name store) are skipped too.
    using Reserved = std::function<bool(const std::string& name)>;

    // Claims REQUESTED for OWNER, or the first suffixed variant that is
    // neither taken nor RESERVED. The requested name must be valid.
    std::string claim(std::string_view requested, std::string owner, const Reserved& reserved = {});
    void release(const std::string& name);
    // The owner of NAME, if it is taken.
    const std::string* owner(const std::string& name) const;
    std::vector<std::string> names() const;
    std::size_t size() const { return owners_.size(); }

  private:
    std::map<std::string, std::string, std::less<>> owners_;  // name -> owner key
};

}  // namespace zchat::broker
