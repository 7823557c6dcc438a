// protocol: msgpack encoding and hostile-input-proof decoding of zchat messages.
#include "protocol.hpp"

#include <cstring>
#include <limits>
#include <msgpack.hpp>
#include <optional>
#include <utility>

#include "limits.hpp"

namespace zchat::protocol {
namespace {

constexpr std::size_t envelope_fields = 3;  // signature, version, kind

// Bounds handed to msgpack so a declared length can never make it allocate more
// than the frame could hold, and nesting cannot recurse deeply.
msgpack::unpack_limit hostile_input_limits() {
    const auto frame = static_cast<std::size_t>(limits::max_frame_bytes);
    return msgpack::unpack_limit(limits::max_listed_users + envelope_fields + 8,  // array
                                 0,                                               // map
                                 frame, frame,                                    // str, bin
                                 0,                                               // ext
                                 limits::max_depth);
}

DecodeError fail(DecodeErrorCode code, std::string reason) { return {code, std::move(reason)}; }

// Strings may point into the body instead of being copied: the body outlives
// the decoding, and every field is copied into its typed message anyway.
bool reference_body(msgpack::type::object_type, std::size_t, void*) { return true; }

// msgpack's packer writes through any type with write(). These sinks let one
// packing routine fill a std::string, count bytes, or fill a buffer in place.
struct StringSink {
    std::string& out;
    void write(const char* data, std::size_t size) { out.append(data, size); }
};
struct CountingSink {
    std::size_t size = 0;
    void write(const char*, std::size_t n) { size += n; }
};
struct BufferSink {
    char* next;
    void write(const char* data, std::size_t n) {
        std::memcpy(next, data, n);
        next += n;
    }
};

// Walks a message's fields in wire order, checking each element's msgpack type.
class FieldReader {
  public:
    FieldReader(const msgpack::object* items, std::size_t count)
        : items_(items), count_(count), next_(envelope_fields) {}

    void operator()(std::string_view name, std::string& v) {
        if (const auto* o = take(name, msgpack::type::STR, "a string"))
            v.assign(o->via.str.ptr, o->via.str.size);
    }
    void operator()(std::string_view name, std::uint64_t& v) {
        if (const auto* o = take(name, msgpack::type::POSITIVE_INTEGER, "an unsigned integer"))
            v = o->via.u64;
    }
    void operator()(std::string_view name, std::uint32_t& v) {
        const auto* o = take(name, msgpack::type::POSITIVE_INTEGER, "an unsigned integer");
        if (!o) return;
        if (o->via.u64 > std::numeric_limits<std::uint32_t>::max()) {
            error_ =
                fail(DecodeErrorCode::wrong_type, "field '" + std::string(name) + "' out of range");
            return;
        }
        v = static_cast<std::uint32_t>(o->via.u64);
    }
    void operator()(std::string_view name, bool& v) {
        if (const auto* o = take(name, msgpack::type::BOOLEAN, "a boolean")) v = o->via.boolean;
    }
    void operator()(std::string_view name, std::vector<std::string>& v) {
        const auto* o = take(name, msgpack::type::ARRAY, "an array");
        if (!o) return;
        v.clear();
        v.reserve(o->via.array.size);
        for (std::uint32_t i = 0; i < o->via.array.size; ++i) {
            const auto& e = o->via.array.ptr[i];
            if (e.type != msgpack::type::STR) {
                error_ = fail(DecodeErrorCode::wrong_type,
                              "field '" + std::string(name) + "' holds a non-string");
                return;
            }
            v.emplace_back(e.via.str.ptr, e.via.str.size);
        }
    }

    // After the visit: the first error, or one for fields left over.
    std::optional<DecodeError> finish(std::string_view kind) const {
        if (error_) return error_;
        if (next_ != count_) {
            return fail(DecodeErrorCode::field_count,
                        std::string(kind) + " has " + std::to_string(count_ - envelope_fields) +
                            " fields, expected " + std::to_string(next_ - envelope_fields));
        }
        return std::nullopt;
    }

  private:
    const msgpack::object* take(std::string_view name, msgpack::type::object_type type,
                                const char* what) {
        if (error_) return nullptr;
        if (next_ >= count_) {
            error_ =
                fail(DecodeErrorCode::field_count, "missing field '" + std::string(name) + "'");
            return nullptr;
        }
        const auto* o = &items_[next_++];
        if (o->type != type) {
            error_ = fail(DecodeErrorCode::wrong_type,
                          "field '" + std::string(name) + "' is not " + what);
            return nullptr;
        }
        return o;
    }

    const msgpack::object* items_;  // the whole array, envelope included
    std::size_t count_;             // its length
    std::size_t next_;              // index of the next field to read
    std::optional<DecodeError> error_;
};

template <class T>
std::variant<Message, DecodeError> decode_as(FieldReader& reader, std::string_view kind) {
    T value;
    T::visit(value, reader);
    if (auto err = reader.finish(kind)) return *err;
    return Message(std::move(value));
}

template <std::size_t... I>
std::variant<Message, DecodeError> decode_kind(std::size_t index, FieldReader& reader,
                                               std::index_sequence<I...>) {
    using Decoder = std::variant<Message, DecodeError> (*)(FieldReader&, std::string_view);
    static constexpr Decoder table[] = {&decode_as<std::variant_alternative_t<I, Message>>...};
    return table[index](reader, kind_names[index]);
}

std::variant<Message, DecodeError> decode_object(const msgpack::object& root) {
    if (root.type != msgpack::type::ARRAY || root.via.array.size < envelope_fields)
        return fail(DecodeErrorCode::bad_envelope, "body is not a zchat array");
    const auto* items = root.via.array.ptr;
    if (items[0].type != msgpack::type::STR ||
        std::string_view(items[0].via.str.ptr, items[0].via.str.size) != signature)
        return fail(DecodeErrorCode::bad_envelope, "bad signature");
    if (items[1].type != msgpack::type::POSITIVE_INTEGER || items[1].via.u64 != version)
        return fail(DecodeErrorCode::bad_version, "unsupported protocol version");
    constexpr std::size_t kinds = std::variant_size_v<Message>;
    if (items[2].type != msgpack::type::POSITIVE_INTEGER || items[2].via.u64 < 1 ||
        items[2].via.u64 > kinds)
        return fail(DecodeErrorCode::unknown_kind, "unknown message kind");
    FieldReader reader(items, root.via.array.size);
    return decode_kind(items[2].via.u64 - 1, reader, std::make_index_sequence<kinds>{});
}

// Counts a message's fields so the array header can be written first.
struct FieldCounter {
    std::size_t n = 0;
    template <class V>
    void operator()(std::string_view, const V&) {
        ++n;
    }
};

template <class Sink>
struct FieldWriter {
    msgpack::packer<Sink>& pk;
    void operator()(std::string_view, const std::string& v) { pk.pack(v); }
    void operator()(std::string_view, std::uint64_t v) { pk.pack_uint64(v); }
    void operator()(std::string_view, std::uint32_t v) { pk.pack_uint32(v); }
    void operator()(std::string_view, bool v) { v ? pk.pack_true() : pk.pack_false(); }
    void operator()(std::string_view, const std::vector<std::string>& v) { pk.pack(v); }
};

template <class Sink>
void pack(const Message& m, Sink& sink) {
    msgpack::packer<Sink> pk(sink);
    std::visit(
        [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            FieldCounter counter;
            T::visit(value, counter);
            pk.pack_array(static_cast<std::uint32_t>(envelope_fields + counter.n));
            pk.pack_str(static_cast<std::uint32_t>(signature.size()));
            pk.pack_str_body(signature.data(), static_cast<std::uint32_t>(signature.size()));
            pk.pack_uint8(version);
            pk.pack_uint8(static_cast<std::uint8_t>(m.index() + 1));
            FieldWriter<Sink> writer{pk};
            T::visit(value, writer);
        },
        m);
}

}  // namespace

std::string_view kind_name(const Message& m) { return kind_names[m.index()]; }

std::variant<Message, DecodeError> decode(std::string_view body) {
    if (body.size() > static_cast<std::size_t>(limits::max_frame_bytes))
        return fail(DecodeErrorCode::too_large,
                    "body of " + std::to_string(body.size()) + " bytes is over the limit");
    // One zone per thread, emptied per message: a fresh zone would cost a
    // malloc of its first chunk on every decode.
    thread_local msgpack::zone zone;
    zone.clear();
    try {
        std::size_t offset = 0;
        const msgpack::object root =
            msgpack::unpack(zone, body.data(), body.size(), offset, &reference_body, nullptr,
                            hostile_input_limits());
        if (offset != body.size())
            return fail(DecodeErrorCode::malformed, "trailing bytes after the body");
        return decode_object(root);
    } catch (const std::exception& e) {
        return fail(DecodeErrorCode::malformed, std::string("not valid msgpack: ") + e.what());
    }
}

std::string encode(const Message& m) {
    std::string out;
    out.reserve(128);  // the envelope and short fields; long text grows it once
    StringSink sink{out};
    pack(m, sink);
    return out;
}

std::size_t encoded_size(const Message& m) {
    CountingSink sink;
    pack(m, sink);
    return sink.size;
}

void encode_into(const Message& m, char* out) {
    BufferSink sink{out};
    pack(m, sink);
}

}  // namespace zchat::protocol
