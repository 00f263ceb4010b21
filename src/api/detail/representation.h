#pragma once
// How the API's resources look on the wire (JSON) and how its inputs are checked: pure
// functions, private to src/api. Field names are the API's contract (docs/api.md).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "services/registry.h"
#include "store/store.h"

namespace cp::api::detail {

boost::json::value time_or_null(const std::optional<Timestamp>& t);
boost::json::object connector_json(const services::ConnectorState& c, bool with_last_values);
boost::json::object pile_json(const services::PileState& s);
boost::json::object transaction_json(const store::TransactionRecord& t);
boost::json::object telemetry_json(const store::TelemetryRow& r);
boost::json::object id_tag_json(const store::IdTagRecord& t);

// One page of a cursor-paged list: `rows` was fetched with `page + 1` rows, so a surplus row
// means there is a next page. Answers {"items": [render(row)...], "next": cursor of the last
// item shown, or null}.
template <class Row, class Render>
boost::json::object page_json(std::vector<Row>& rows, std::int64_t page, const Render& render) {
  boost::json::value next = nullptr;
  if (static_cast<std::int64_t>(rows.size()) > page) {
    rows.pop_back();
    next = boost::json::value(rows.back().id);
  }
  boost::json::array items;
  items.reserve(rows.size());
  for (const auto& r : rows) items.push_back(render(r));
  return {{"items", std::move(items)}, {"next", std::move(next)}};
}

// ---- input rules ----
// Pile identity: 1..48 characters of [A-Za-z0-9._-]. OCPP puts it in the URL path and in the
// Basic-auth user-id (where ':' is the separator), OCPP 2.0.1 limits it to 48 characters; the
// platform keeps the portable subset.
bool valid_pile_id(std::string_view id);
// Pile password (OCPP security profile 1/2, Basic auth): 16..40 printable ASCII characters
// without space (0x21..0x7E), the OCPP 2.0.1 BasicAuthPassword range, which the 1.6 security
// whitepaper's AuthorizationKey also fits.
bool valid_pile_password(std::string_view password);
// OCPP IdToken: CiString20Type, printable ASCII.
bool valid_id_tag(std::string_view tag);

// Query parameters; errors carry code "invalid_parameter" and a detail naming the parameter.
using Query = std::map<std::string, std::string>;
Result<std::optional<std::int64_t>> query_int(const Query& q, const std::string& name, std::int64_t min,
                                              std::int64_t max);
Result<std::optional<bool>> query_bool(const Query& q, const std::string& name);
Result<std::optional<Timestamp>> query_time(const Query& q, const std::string& name);
std::optional<std::string> query_string(const Query& q, const std::string& name);

// Request bodies: a JSON object, or error "invalid_json".
Result<boost::json::object> parse_object(const std::string& body);
// Optional string member: absent/null -> nullopt; present but not a string -> "invalid_field".
Result<std::optional<std::string>> string_field(const boost::json::object& o, std::string_view name);

}  // namespace cp::api::detail
