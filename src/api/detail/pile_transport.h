#pragma once
// The transport settings of a pile in POST/PATCH /api/v1/piles bodies (private to src/api):
// `encryption` {cipher, key} — the key is validated, sealed (services/pile_keys.h) and never
// echoed — and the protocol's options object (the member named after the protocol, `ykc`),
// canonicalised by ApiContext::protocol_options. Only protocols with such settings accept them.
#include <optional>

#include <boost/json/object.hpp>

#include "api/detail/handlers.h"
#include "store/store.h"

namespace cp::api::detail {

// True for protocols that take `encryption` and an options object (today: ykc).
bool has_transport_settings(const std::string& protocol);

struct TransportChange {
  bool encryption = false;  // cipher or key changed
  bool options = false;     // protocol options changed
};

// Applies `body`'s settings onto `record` (whose protocol is set; on create it holds defaults
// and the options are canonicalised even when absent). Returns the problem to answer with when
// the input is invalid.
std::optional<Response> apply_transport_settings(const ApiState& s, const boost::json::object& body,
                                                 store::PileRecord& record, bool creating, TransportChange& changed);

// The members a pile's representation gains: "encryption": {cipher, key_fingerprint} and the
// options object. Never the key, sealed or not.
void add_transport_json(const store::PileRecord& record, boost::json::object& out);

}  // namespace cp::api::detail
