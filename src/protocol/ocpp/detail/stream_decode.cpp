#include "protocol/ocpp/detail/stream_decode.h"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <cstdint>

#include "core/time.h"
#include "protocol/ocpp/detail/schema_checks.h"

namespace cp::ocpp::stream {
namespace {

using boost::json::error_code;

// One open array or object. The root array is the frame; `Skip` swallows a value of an
// open object's undeclared property.
struct Frame {
  enum class Type : unsigned char { Root, Object, Array, Skip };
  Type type;
  bool skip_pending;         // Object: the last key was undeclared (open object)
  std::size_t index;         // Root: elements seen
  std::size_t next;          // Object: the field to try first for the next key
  const ObjectSpec* object;  // Object
  const ValueSpec* array;    // Array: the array's own spec
  void* place;               // Object: the struct; Array: the vector
  std::uint64_t seen;        // Object: fields read so far
  const ValueSpec* pending;  // Object: the value the last key announced
  void* pending_place;

  static Frame of(Type t) {
    Frame f{};
    f.type = t;
    return f;
  }
};

// Boost.JSON's event handler (see boost/json/basic_parser.hpp). Every callback returns
// false to give up; the parser then stops at once.
class CallHandler {
 public:
  // The limits of the tree parser, so both refuse the same oversized documents.
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  CallHandler(const CallFrameOptions& options, TargetSelector& selector, std::string& id)
      : options_(options), selector_(selector), id_(id) {}

  bool complete() const { return complete_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_array_begin(error_code& ec) {
    if (depth_ == 0) return push(ec, Frame::of(Frame::Type::Root));
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Skip) return push(ec, Frame::of(Frame::Type::Skip));
    return open_value(ec, top, Kind::Array);
  }

  bool on_array_end(std::size_t n, error_code& ec) {
    Frame& top = frames_[depth_ - 1];
    switch (top.type) {
      case Frame::Type::Root:
        if (n != 4) return give_up(ec);  // a CALL has exactly 4 elements
        complete_ = true;
        --depth_;
        return true;
      case Frame::Type::Array:
        if (n < top.array->min_items) return give_up(ec);
        return pop();
      case Frame::Type::Skip:
        return pop();
      case Frame::Type::Object:
        break;
    }
    return give_up(ec);
  }

  bool on_object_begin(error_code& ec) {
    if (depth_ == 0) return give_up(ec);  // the frame is an array
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Skip) return push(ec, Frame::of(Frame::Type::Skip));
    if (top.type != Frame::Type::Root) return open_value(ec, top, Kind::Object);
    if (top.index != 3 || !target_.spec) return give_up(ec);
    Frame f = Frame::of(Frame::Type::Object);  // the payload
    f.object = target_.spec;
    f.place = target_.place;
    return push(ec, f);
  }

  bool on_object_end(std::size_t, error_code& ec) {
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Skip) return pop();
    if (top.type != Frame::Type::Object) return give_up(ec);
    if ((top.seen & top.object->required) != top.object->required) return give_up(ec);  // a required one is missing
    return pop();
  }

  bool on_key_part(boost::json::string_view s, std::size_t, error_code&) {
    partial_.append(s.data(), s.size());
    return true;
  }

  bool on_key(boost::json::string_view s, std::size_t, error_code& ec) {
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Skip) return partial_.clear(), true;
    const std::string_view key = whole(s);
    const ObjectSpec& o = *top.object;
    // Piles mostly send properties in schema order: start looking after the last one found.
    for (std::size_t n = 0, i = top.next; n < o.count; ++n, i = (i + 1 == o.count ? 0 : i + 1)) {
      const std::string_view name = o.fields[i].name;
      if (!schema::same_text(name, key)) continue;
      const std::uint64_t bit = std::uint64_t{1} << i;
      if (top.seen & bit) return give_up(ec);  // a repeated key: the tree path decides
      top.seen |= bit;
      top.next = i + 1 == o.count ? 0 : i + 1;
      top.pending = o.fields[i].value;
      top.pending_place = o.fields[i].place(top.place);
      top.skip_pending = false;
      partial_.clear();
      return true;
    }
    partial_.clear();
    if (o.closed) return give_up(ec);
    top.pending = nullptr;
    top.skip_pending = true;
    return true;
  }

  bool on_string_part(boost::json::string_view s, std::size_t, error_code&) {
    partial_.append(s.data(), s.size());
    return true;
  }

  bool on_string(boost::json::string_view s, std::size_t, error_code& ec) {
    const std::string_view text = whole(s);
    const bool ok = string_value(text);
    partial_.clear();
    return ok || give_up(ec);
  }

  bool on_number_part(boost::json::string_view, error_code&) { return true; }

  bool on_int64(std::int64_t v, boost::json::string_view, error_code& ec) {
    if (depth_ == 1) {  // the MessageTypeId
      Frame& root = frames_[0];
      if (root.index != 0 || v != 2) return give_up(ec);
      ++root.index;
      return true;
    }
    return scalar(ec, [&](const ValueSpec& spec, void* place) {
      if (spec.kind == Kind::Integer) {
        if (!in_bounds(spec, static_cast<double>(v))) return false;
        *static_cast<std::int64_t*>(place) = v;
        return true;
      }
      return put_number(spec, place, static_cast<double>(v));
    });
  }

  bool on_uint64(std::uint64_t v, boost::json::string_view, error_code& ec) {
    if (depth_ == 1) return give_up(ec);
    // Above the int64 range: a Number only (an Integer there is out of range).
    return scalar(ec,
                  [&](const ValueSpec& spec, void* place) { return put_number(spec, place, static_cast<double>(v)); });
  }

  bool on_double(double v, boost::json::string_view, error_code& ec) {
    if (depth_ == 1) return give_up(ec);
    // An Integer written with a fraction or exponent is left to the tree path.
    return scalar(ec, [&](const ValueSpec& spec, void* place) { return put_number(spec, place, v); });
  }

  bool on_bool(bool v, error_code& ec) {
    if (depth_ == 1) return give_up(ec);
    return scalar(ec, [&](const ValueSpec& spec, void* place) {
      if (spec.kind != Kind::Boolean) return false;
      *static_cast<bool*>(place) = v;
      return true;
    });
  }

  bool on_null(error_code& ec) {
    if (depth_ == 1) return give_up(ec);
    return scalar(ec, [](const ValueSpec&, void*) { return false; });  // no OCPP 1.6 value is nullable
  }

  bool on_comment_part(boost::json::string_view, error_code& ec) { return give_up(ec); }
  bool on_comment(boost::json::string_view, error_code& ec) { return give_up(ec); }

 private:
  static constexpr std::size_t kMaxDepth = 34;  // above the parser's default max_depth (32)

  static bool give_up(error_code& ec) {
    ec = boost::json::error::exception;
    return false;
  }

  std::string_view whole(boost::json::string_view last) {
    if (partial_.empty()) return {last.data(), last.size()};
    partial_.append(last.data(), last.size());
    return partial_;
  }

  bool push(error_code& ec, const Frame& f) {
    if (depth_ == kMaxDepth) return give_up(ec);
    frames_[depth_++] = f;
    return true;
  }

  // A nested array or object opens where `top` expects a value of `kind` (or one to skip).
  bool open_value(error_code& ec, Frame& top, Kind kind) {
    const ValueSpec* spec = nullptr;
    void* place = nullptr;
    if (!expect(top, spec, place)) return give_up(ec);
    if (!spec) return push(ec, Frame::of(Frame::Type::Skip));
    if (spec->kind != kind) return give_up(ec);
    Frame f = Frame::of(kind == Kind::Array ? Frame::Type::Array : Frame::Type::Object);
    if (kind == Kind::Array)
      f.array = spec;
    else
      f.object = spec->object;
    f.place = place;
    return push(ec, f);
  }

  // The frame on top is complete: it is a value of the one below.
  bool pop() {
    --depth_;
    after_value();
    return true;
  }

  // A value of the frame now on top is complete.
  void after_value() {
    if (depth_ == 0) return;
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Root)
      ++top.index;
    else if (top.type == Frame::Type::Object)
      top.pending = nullptr, top.skip_pending = false;
  }

  // What the next value of `top` must be, and where it goes. `spec` stays null for a value
  // to skip. False when no value is expected here.
  static bool expect(Frame& top, const ValueSpec*& spec, void*& place) {
    switch (top.type) {
      case Frame::Type::Object:
        if (top.skip_pending) return true;
        if (!top.pending) return false;
        spec = top.pending;
        place = top.pending_place;
        return true;
      case Frame::Type::Array:
        spec = top.array->item;
        place = top.array->append(top.place);
        return true;
      case Frame::Type::Root:
      case Frame::Type::Skip:
        break;
    }
    return false;
  }

  template <class Put>
  bool scalar(error_code& ec, Put put) {
    if (depth_ == 0) return give_up(ec);  // the frame is an array
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Skip) return true;
    const ValueSpec* spec = nullptr;
    void* place = nullptr;
    if (!expect(top, spec, place)) return give_up(ec);
    if (spec && !put(*spec, place)) return give_up(ec);
    after_value();
    return true;
  }

  static bool in_bounds(const ValueSpec& spec, double v) {
    if ((spec.bounds & ValueSpec::kMinimum) && !(v >= spec.minimum)) return false;
    if ((spec.bounds & ValueSpec::kMaximum) && !(v <= spec.maximum)) return false;
    if ((spec.bounds & ValueSpec::kMultipleOf) && !schema::is_multiple_of(v, spec.multiple_of)) return false;
    return true;
  }

  static bool put_number(const ValueSpec& spec, void* place, double v) {
    if (spec.kind != Kind::Number || !in_bounds(spec, v)) return false;
    *static_cast<double*>(place) = v;
    return true;
  }

  bool string_value(std::string_view s) {
    if (depth_ == 0) return false;
    Frame& top = frames_[depth_ - 1];
    if (top.type == Frame::Type::Skip) return true;
    if (top.type == Frame::Type::Root) return frame_string(top, s);
    const ValueSpec* spec = nullptr;
    void* place = nullptr;
    if (!expect(top, spec, place)) return false;
    if (spec && !put_string(*spec, place, s)) return false;
    after_value();
    return true;
  }

  // Elements 1 and 2 of the frame: the message id and the action.
  bool frame_string(Frame& root, std::string_view s) {
    if (root.index == 1) {
      if (s.empty() || s.size() > options_.max_id_length) return false;
      id_.assign(s);
    } else if (root.index == 2) {
      if (s.empty()) return false;
      target_ = selector_.select(s);
      if (!target_.spec) return false;
    } else {
      return false;
    }
    ++root.index;
    return true;
  }

  static bool put_string(const ValueSpec& spec, void* place, std::string_view s) {
    switch (spec.kind) {
      case Kind::String:
        if (!schema::within_max_length(s, spec.max_length)) return false;
        static_cast<std::string*>(place)->assign(s);
        return true;
      case Kind::Uri:
        if (!schema::within_max_length(s, spec.max_length) || !schema::is_uri(s)) return false;
        static_cast<std::string*>(place)->assign(s);
        return true;
      case Kind::DateTime: {
        const auto t = parse_rfc3339(s);
        if (!t) return false;
        *static_cast<Timestamp*>(place) = *t;
        return true;
      }
      case Kind::Enum:
        return spec.put_enum(place, s);
      default:
        return false;
    }
  }

  const CallFrameOptions& options_;
  TargetSelector& selector_;
  std::string& id_;
  Target target_;
  std::array<Frame, kMaxDepth> frames_;  // [0, depth_) are live; each is fully set by push()
  std::size_t depth_ = 0;
  std::string partial_;  // a key or string the parser delivers in pieces (long escaped text)
  bool complete_ = false;
};

}  // namespace

bool decode_call(std::string_view text, const CallFrameOptions& options, TargetSelector& selector, std::string& id) {
  boost::json::parse_options po;  // as parse_message: standard JSON, no comments or trailing commas
  po.allow_invalid_utf8 = options.utf8_checked;
  boost::json::basic_parser<CallHandler> parser(po, options, selector, id);
  error_code ec;
  const std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && n == text.size() && parser.handler().complete();
}

}  // namespace cp::ocpp::stream
