// name_registry: the unique names of the online users. A name taken twice is
// suffixed (anna, anna_2, anna_3...); a name that breaks the rules is refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zchat::broker {

class NameRegistry {
  public:
    // Why NAME may not be used (nullopt if it may): 1..32 bytes of UTF-8, no
    // whitespace or control characters, not starting with '\'.
    static std::optional<std::string> invalid_reason(std::string_view name);

    // Claims REQUESTED for OWNER, or the first free suffixed variant. The
    // requested name must be valid.
    std::string claim(std::string_view requested, std::string owner);
    void release(const std::string& name);
    // The owner of NAME, if it is taken.
    const std::string* owner(const std::string& name) const;
    std::vector<std::string> names() const;
    std::size_t size() const { return owners_.size(); }

  private:
    std::map<std::string, std::string, std::less<>> owners_;  // name -> owner key
};

}  // namespace zchat::broker
