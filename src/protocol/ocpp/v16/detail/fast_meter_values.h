#pragma once
// The MeterValues CALL, the one message a fleet sends all day, decoded straight into the domain
// event in one pass, when it is in the plain form piles send: strings without escapes, control
// or non-ASCII bytes, integers without fraction or exponent, no repeated key. It checks what
// the schema asks (types, required properties, no others, enum members, date-time) and what
// the mapping asks (connectorId a non-negative int), and builds the same TelemetrySampled as
// decode<MeterValuesRequest> + to_domain. Anything else, valid or not, returns false and is
// left to the general decoders, which also name every error; so this can only decline, never
// refuse. tests/fuzz/ocpp_call_fuzz.cpp checks that what it accepts, the tree path accepts
// with the same id and an equal event. Pure; internal to protocol/ocpp.
#include <cstddef>
#include <string>
#include <string_view>

#include "domain/events.h"

namespace cp::ocpp::v16::detail {

// `text` is one whole WebSocket message. On true, `id` is the CALL's message id and `out` the
// event for `pile`; on false both are unspecified.
bool decode_meter_values_fast(std::string_view text, std::size_t max_id_length, const domain::PileId& pile,
                              std::string& id, domain::TelemetrySampled& out);

}  // namespace cp::ocpp::v16::detail
