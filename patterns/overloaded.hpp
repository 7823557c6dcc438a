// overloaded: one visitor from several lambdas, for std::visit over protocol
// messages (the usual C++17 idiom, kept in one place).
#pragma once

namespace zchat {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};

}  // namespace zchat
