// Drives the generated decoders with instances built from every official OCPP 1.6 schema file
// (CP_SCHEMA_DIR), independently of the generator: a maximal valid instance must be accepted
// and round-trip through the encoder, and each single-keyword violation must produce the
// OCPP-J error code and JSON pointer docs/ocpp.md promises. The streaming decoder (the fast
// path, stream_decode.h) must build the same value from every instance the tree decoder
// accepts, and give up on every one it rejects.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/ocpp/v16/generated/actions.h"
#include "protocol/ocpp/v16/generated/codec.h"
#include "protocol/ocpp/v16/generated/stream.h"

namespace cp::ocpp::v16 {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const fs::path kDir = fs::path(CP_SCHEMA_DIR) / "ocpp1.6";

std::vector<std::string> schema_files() {
  std::vector<std::string> out;
  if (!fs::is_directory(kDir)) return out;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

json::value load(const std::string& name) {
  std::ifstream in(kDir / (name + ".json"));
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// One place in an instance that a schema node describes.
struct Site {
  std::vector<std::string> path;  // JSON-pointer segments ("0" for array items)
  const json::object* schema;     // $ref resolved
  bool required;                  // required by its parent object
};

const json::object& resolve(const json::object& node, const json::object& root) {
  if (auto it = node.find("$ref"); it != node.end()) {
    const std::string ref(it->value().as_string());
    const auto name = ref.substr(ref.rfind('/') + 1);
    return root.at("definitions").as_object().at(name).as_object();
  }
  return node;
}

std::string type_of(const json::object& s) { return s.contains("type") ? std::string(s.at("type").as_string()) : ""; }

bool is_required(const json::object& s, std::string_view prop) {
  if (!s.contains("required")) return false;
  for (const auto& r : s.at("required").as_array())
    if (r.as_string() == prop) return true;
  return false;
}

void collect(const json::object& node, const json::object& root, std::vector<std::string> path, bool required,
             std::vector<Site>& out) {
  const auto& s = resolve(node, root);
  out.push_back({path, &s, required});
  if (type_of(s) == "object" && s.contains("properties")) {
    for (const auto& p : s.at("properties").as_object()) {
      auto child = path;
      child.emplace_back(p.key());
      collect(p.value().as_object(), root, child, is_required(s, p.key()), out);
    }
  } else if (type_of(s) == "array") {
    path.emplace_back("0");
    collect(s.at("items").as_object(), root, path, false, out);
  }
}

// Every property present; strings at their maxLength; one item per array (minItems honoured).
json::value maximal(const json::object& node, const json::object& root) {
  const auto& s = resolve(node, root);
  if (s.contains("enum")) return s.at("enum").as_array().back();
  const auto t = type_of(s);
  if (t == "object") {
    json::object o;
    if (s.contains("properties"))
      for (const auto& p : s.at("properties").as_object()) o[p.key()] = maximal(p.value().as_object(), root);
    return o;
  }
  if (t == "array") {
    json::array a;
    const auto n = s.contains("minItems") ? std::max<std::int64_t>(1, s.at("minItems").as_int64()) : 1;
    for (std::int64_t i = 0; i < n; ++i) a.push_back(maximal(s.at("items").as_object(), root));
    return a;
  }
  if (t == "integer") return 42;
  if (t == "number") return 2.5;
  if (t == "boolean") return true;
  if (t == "string") {
    const auto fmt = s.contains("format") ? std::string(s.at("format").as_string()) : "";
    if (fmt == "date-time") return "2024-02-29T23:59:58.125Z";  // what format_rfc3339 prints
    std::string v = fmt == "uri" ? "https://example.com/f" : "";
    const auto len = s.contains("maxLength") ? static_cast<std::size_t>(s.at("maxLength").as_int64()) : 12;
    while (v.size() < len) v += 'x';
    return json::string(v);
  }
  ADD_FAILURE() << "unexpected schema node " << json::serialize(s);
  return nullptr;
}

json::value* find(json::value& v, const std::vector<std::string>& path, std::size_t depth) {
  json::value* cur = &v;
  for (std::size_t i = 0; i < depth; ++i) {
    if (cur->is_object()) cur = cur->as_object().if_contains(path[i]);
    else cur = &cur->as_array().at(std::stoul(path[i]));
    if (!cur) return nullptr;
  }
  return cur;
}

std::string pointer(const std::vector<std::string>& path) {
  std::string p;
  for (const auto& seg : path) p += "/" + seg;
  return p;
}

struct Schema {
  std::string file;
  Action action;
  bool request;
  json::value schema;
  json::value instance;
  std::vector<Site> sites;
};

// Built in place: `sites` point into `schema`, so a Schema must not move afterwards.
void open(Schema& s, const std::string& file) {
  s.file = file;
  s.request = file.size() > 7 && file.ends_with("Request");
  const auto action_name = file.substr(0, file.size() - (s.request ? 7 : 8));
  const auto a = action_from_string(action_name);
  EXPECT_TRUE(a) << action_name;
  s.action = a.value_or(Action::Heartbeat);
  s.schema = load(file);
  const auto& root = s.schema.as_object();
  s.instance = maximal(root, root);
  collect(root, root, {}, true, s.sites);
}

Result<void, ValidationError> validate(const Schema& s, const json::value& v) {
  return s.request ? validate_request(s.action, v) : validate_response(s.action, v);
}

// Typed round trip: decode<T>, then to_json, must give the input back.
json::value round_trip(const Schema& s, const json::value& v) {
#define CP_ROUND_TRIP(A)                                                                 \
  if (s.action == Action::A) {                                                           \
    if (s.request) {                                                                     \
      auto r = decode<A##Request>(v);                                                    \
      return r ? to_json(*r) : json::value(json::string(describe(r.error())));           \
    }                                                                                    \
    auto r = decode<A##Response>(v);                                                     \
    return r ? to_json(*r) : json::value(json::string(describe(r.error())));             \
  }
  const auto describe = [](const ValidationError& e) { return e.path + ": " + e.message; };
  CP_OCPP16_FOR_EACH_ACTION(CP_ROUND_TRIP)
#undef CP_ROUND_TRIP
  return nullptr;
}

// The streaming decoder's result for `payload_text` sent as a CALL of the schema's message:
// to_json of what it built, or nullopt when it gave up.
template <class T>
std::optional<json::value> streamed_as(const std::string& frame) {
  struct Into final : stream::TargetSelector {
    T value;
    stream::Target select(std::string_view) override { return {&stream_spec<T>(), &value}; }
  } into;
  std::string id;
  if (!stream::decode_call(frame, stream::CallFrameOptions{}, into, id)) return std::nullopt;
  EXPECT_EQ(id, "m-1");
  return to_json(into.value);
}

std::optional<json::value> streamed(const Schema& s, const std::string& payload_text) {
  const std::string frame = "[2,\"m-1\",\"" + std::string(to_string(s.action)) + "\"," + payload_text + "]";
#define CP_STREAMED(A) \
  if (s.action == Action::A) return s.request ? streamed_as<A##Request>(frame) : streamed_as<A##Response>(frame);
  CP_OCPP16_FOR_EACH_ACTION(CP_STREAMED)
#undef CP_STREAMED
  return std::nullopt;
}

// Every property of every object in reverse order, so no key arrives where it is expected.
json::value reversed(const json::value& v) {
  if (v.is_array()) {
    json::array a;
    for (const auto& e : v.as_array()) a.push_back(reversed(e));
    return a;
  }
  if (!v.is_object()) return v;
  json::object o;
  const auto& in = v.as_object();
  for (auto it = in.end(); it != in.begin();) {
    --it;
    o[it->key()] = reversed(it->value());
  }
  return o;
}

// `text` with the first character of every key and string written as a \u escape, so the
// decoder sees unescaped text that differs from the bytes on the wire.
std::string escaped(const std::string& text) {
  std::string out;
  bool in_string = false, first = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      out += c;
      in_string = first = c == '"';
    } else if (c == '\\') {
      out += c;
      out += text[++i];
      first = false;
    } else if (c == '"') {
      out += c;
      in_string = false;
    } else if (first && static_cast<unsigned char>(c) < 0x80) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
      first = false;
    } else {
      out += c;
      first = false;
    }
  }
  return out;
}

// `text` with whitespace after every structural character outside strings.
std::string spaced(const std::string& text) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    out += c;
    if (in_string && c == '\\') out += text[++i];
    else if (c == '"') in_string = !in_string;
    else if (!in_string && (c == ',' || c == ':' || c == '{' || c == '[')) out += " \n";
  }
  return " \t" + out + "\r\n";
}

class EverySchema : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    open(s_, GetParam());
  }
  void expect_violation(const json::value& v, ErrorCode code, const std::string& path, const std::string& what) {
    const auto r = validate(s_, v);
    ASSERT_FALSE(r.ok()) << what << " at " << path << " accepted";
    EXPECT_EQ(to_string(r.error().code), std::string(to_string(code))) << what << " at " << path;
    EXPECT_EQ(r.error().path, path) << what;
  }
  // The streaming decoder agrees with the tree decoder on `text`: when it builds a value, the
  // tree decoder accepts the same payload and builds an equal one. Returns whether it built one.
  bool expect_stream_agrees(const std::string& text, const std::string& what) {
    const auto fast = streamed(s_, text);
    if (!fast) return false;
    const auto tree = validate(s_, json::parse(text));
    EXPECT_TRUE(tree.ok()) << what << ": the fast path accepted what the tree path rejects: " << text;
    EXPECT_EQ(json::serialize(*fast), json::serialize(round_trip(s_, json::parse(text)))) << what;
    return true;
  }
  // The maximal instance without any optional property.
  json::value minimal_instance() const {
    json::value v = s_.instance;
    // Drop every optional property, deepest first so paths stay valid.
    for (auto it = s_.sites.rbegin(); it != s_.sites.rend(); ++it) {
      if (it->required || it->path.empty() || it->path.back() == "0") continue;
      if (auto* parent = find(v, it->path, it->path.size() - 1); parent && parent->is_object())
        parent->as_object().erase(it->path.back());
    }
    return v;
  }
  void expect_stream_gives_up(const json::value& v, const std::string& what) {
    EXPECT_FALSE(expect_stream_agrees(json::serialize(v), what)) << what << " accepted by the fast path";
  }
  Schema s_;
};

TEST_P(EverySchema, AcceptsMaximalValidInstance) {
  const auto r = validate(s_, s_.instance);
  EXPECT_TRUE(r.ok()) << json::serialize(s_.instance) << " -> " << (r ? "" : r.error().path + " " + r.error().message);
}

TEST_P(EverySchema, AcceptsMinimalValidInstance) {
  const json::value v = minimal_instance();
  const auto r = validate(s_, v);
  EXPECT_TRUE(r.ok()) << json::serialize(v) << " -> " << (r ? "" : r.error().path + " " + r.error().message);
}

TEST_P(EverySchema, EncoderRoundTripsDecodedInstance) {
  EXPECT_EQ(json::serialize(round_trip(s_, s_.instance)), json::serialize(s_.instance));
}

TEST_P(EverySchema, StreamDecoderBuildsWhatTheTreeDecoderBuildsFromValidInstances) {
  const json::value minimal = minimal_instance();
  const std::string maximal_text = json::serialize(s_.instance);
  EXPECT_TRUE(expect_stream_agrees(maximal_text, "maximal")) << maximal_text;
  EXPECT_TRUE(expect_stream_agrees(json::serialize(minimal), "minimal")) << json::serialize(minimal);
  EXPECT_TRUE(expect_stream_agrees(json::serialize(reversed(s_.instance)), "keys in reverse order"));
  EXPECT_TRUE(expect_stream_agrees(escaped(maximal_text), "escaped")) << escaped(maximal_text);
  EXPECT_TRUE(expect_stream_agrees(spaced(maximal_text), "whitespace")) << spaced(maximal_text);
}

TEST_P(EverySchema, StreamDecoderGivesUpOnEveryViolationAndOnWhatItDoesNotConvert) {
  for (const auto& site : s_.sites) {
    if (site.path.empty()) continue;
    const auto t = type_of(*site.schema);
    json::value v = s_.instance;
    *find(v, site.path, site.path.size()) =
        t == "string" ? json::value(7) : t == "object" ? json::value(json::array{}) : json::value("7");
    expect_stream_gives_up(v, "wrong type at " + pointer(site.path));
    *find(v, site.path, site.path.size()) = nullptr;
    expect_stream_gives_up(v, "null at " + pointer(site.path));
    if (site.required) {
      json::value m = s_.instance;
      find(m, site.path, site.path.size() - 1)->as_object().erase(site.path.back());
      expect_stream_gives_up(m, "missing " + pointer(site.path));
    }
    if (t == "integer") {
      json::value f = s_.instance;
      *find(f, site.path, site.path.size()) = 1.5;
      expect_stream_gives_up(f, "fractional integer at " + pointer(site.path));
      *find(f, site.path, site.path.size()) = 42.0;  // valid; left to the tree path
      expect_stream_gives_up(f, "integer written as 42.0 at " + pointer(site.path));
      *find(f, site.path, site.path.size()) = std::uint64_t{1} << 63;
      expect_stream_gives_up(f, "integer above int64 at " + pointer(site.path));
    }
    const auto& sch = *site.schema;
    std::vector<json::value> bad;
    if (sch.contains("enum")) bad.emplace_back("NotAnEnumValue");
    if (sch.contains("maxLength"))
      bad.emplace_back(json::string(std::string(static_cast<std::size_t>(sch.at("maxLength").as_int64()) + 1, 'x')));
    if (sch.contains("format") && sch.at("format") == "date-time") bad.emplace_back("29/02/2024 23:59");
    if (sch.contains("format") && sch.at("format") == "uri") bad.emplace_back("no scheme");
    if (sch.contains("multipleOf")) bad.emplace_back(2.55);
    for (const auto& value : bad) {
      json::value b = s_.instance;
      *find(b, site.path, site.path.size()) = value;
      expect_stream_gives_up(b, "constraint at " + pointer(site.path) + ": " + json::serialize(value));
    }
  }
  for (const auto& site : s_.sites) {
    if (type_of(*site.schema) != "object") continue;
    json::value v = s_.instance;
    find(v, site.path, site.path.size())->as_object()["notInSchema"] = json::array{1, json::object{{"a", 2}}};
    expect_stream_gives_up(v, "unknown property in " + pointer(site.path));
  }
}

TEST_P(EverySchema, StreamDecoderGivesUpOnRepeatedProperty) {
  const std::string text = json::serialize(s_.instance);
  if (text == "{}") return;
  // {"a":1,...} -> {"a":1,"a":1,...}: the first property written twice.
  std::size_t depth = 0, end = 0;
  for (std::size_t i = 1; i < text.size() && !end; ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth-- == 0) end = i;
    } else if (c == ',' && depth == 0) {
      end = i;
    }
  }
  ASSERT_NE(end, 0u) << text;
  const std::string twice = "{" + text.substr(1, end - 1) + "," + text.substr(1);
  EXPECT_FALSE(streamed(s_, twice)) << twice;
}

TEST_P(EverySchema, RejectsEachMissingRequiredPropertyWithOccurenceConstraintViolation) {
  for (const auto& site : s_.sites) {
    if (!site.required || site.path.empty()) continue;
    json::value v = s_.instance;
    find(v, site.path, site.path.size() - 1)->as_object().erase(site.path.back());
    expect_violation(v, ErrorCode::OccurenceConstraintViolation, pointer(site.path), "missing required property");
  }
}

TEST_P(EverySchema, RejectsUnknownPropertyAtEveryLevelWithFormationViolation) {
  for (const auto& site : s_.sites) {
    if (type_of(*site.schema) != "object") continue;
    json::value v = s_.instance;
    find(v, site.path, site.path.size())->as_object()["notInSchema"] = 1;
    auto p = site.path;
    p.emplace_back("notInSchema");
    expect_violation(v, ErrorCode::FormationViolation, pointer(p), "unknown property");
  }
}

TEST_P(EverySchema, RejectsWrongJsonTypeWithTypeConstraintViolation) {
  for (const auto& site : s_.sites) {
    if (site.path.empty()) continue;
    const auto t = type_of(*site.schema);
    json::value wrong = t == "string" ? json::value(7) : t == "object" ? json::value(json::array{}) : json::value("7");
    json::value v = s_.instance;
    *find(v, site.path, site.path.size()) = wrong;
    expect_violation(v, ErrorCode::TypeConstraintViolation, pointer(site.path), "wrong type " + t);
  }
}

TEST_P(EverySchema, RejectsPropertyConstraintViolations) {
  for (const auto& site : s_.sites) {
    const auto& sch = *site.schema;
    std::vector<std::pair<json::value, std::string>> bad;
    if (sch.contains("enum")) bad.emplace_back("NotAnEnumValue", "enum");
    if (sch.contains("maxLength"))
      bad.emplace_back(json::string(std::string(static_cast<std::size_t>(sch.at("maxLength").as_int64()) + 1, 'x')),
                       "maxLength+1");
    if (sch.contains("format") && sch.at("format") == "date-time") bad.emplace_back("29/02/2024 23:59", "date-time");
    if (sch.contains("format") && sch.at("format") == "uri") bad.emplace_back("no scheme", "uri");
    if (sch.contains("multipleOf")) bad.emplace_back(2.55, "multipleOf");
    for (const auto& [value, what] : bad) {
      json::value v = s_.instance;
      *find(v, site.path, site.path.size()) = value;
      expect_violation(v, ErrorCode::PropertyConstraintViolation, pointer(site.path), what);
    }
  }
}

TEST_P(EverySchema, RejectsFractionalIntegerWithTypeConstraintViolation) {
  for (const auto& site : s_.sites) {
    if (type_of(*site.schema) != "integer") continue;
    json::value v = s_.instance;
    *find(v, site.path, site.path.size()) = 1.5;
    expect_violation(v, ErrorCode::TypeConstraintViolation, pointer(site.path), "fractional integer");
  }
}

TEST_P(EverySchema, RejectsPayloadThatIsNotAnObjectWithFormationViolation) {
  expect_violation(json::array{1, 2}, ErrorCode::FormationViolation, "", "payload array");
  expect_violation(json::value("text"), ErrorCode::FormationViolation, "", "payload string");
}

INSTANTIATE_TEST_SUITE_P(Ocpp16, EverySchema, ::testing::ValuesIn(schema_files()),
                         [](const auto& info) { return info.param; });

// The schemas are vendored (third_party/ocpp-schemas): missing files are a failure, never a skip.
TEST(SchemaSet, AllSeventyEightSchemasArePresent) { EXPECT_EQ(schema_files().size(), 78u) << kDir; }

TEST(SchemaSet, HasAnActionForEverySchemaFilePair) {
  const auto files = schema_files();
  EXPECT_EQ(files.size(), 2 * kActionCount);
  for (std::size_t i = 0; i < kActionCount; ++i) {
    const std::string name = to_string(static_cast<Action>(i));
    EXPECT_TRUE(std::binary_search(files.begin(), files.end(), name + "Request")) << name;
    EXPECT_TRUE(std::binary_search(files.begin(), files.end(), name + "Response")) << name;
  }
}

}  // namespace
}  // namespace cp::ocpp::v16
