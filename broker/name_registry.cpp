// name_registry: unique user names with suffixing.
#include "broker/name_registry.hpp"

#include "patterns/limits.hpp"
#include "patterns/utf8.hpp"

namespace zchat::broker {

std::string NameRegistry::claim(std::string_view requested, std::string owner,
                                const Reserved& reserved) {
    std::string name(requested);
    for (int n = 2; owners_.contains(name) || (reserved && reserved(name)); ++n) {
        std::string suffix = "_";
        suffix += std::to_string(n);
        std::string base(requested.substr(0, limits::max_name_bytes - suffix.size()));
        // Never cut a UTF-8 sequence in half to make room for the suffix.
        while (!base.empty() && !utf8::valid(base)) base.pop_back();
        name = base + suffix;
    }
    owners_.emplace(name, std::move(owner));
    return name;
}

void NameRegistry::release(const std::string& name) { owners_.erase(name); }

const std::string* NameRegistry::owner(const std::string& name) const {
    const auto it = owners_.find(name);
    return it == owners_.end() ? nullptr : &it->second;
}

std::vector<std::string> NameRegistry::names() const {
    std::vector<std::string> out;
    out.reserve(owners_.size());
    for (const auto& [name, owner] : owners_) out.push_back(name);
    return out;
}

}  // namespace zchat::broker
