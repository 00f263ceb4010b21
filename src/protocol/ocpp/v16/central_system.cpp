#include "protocol/ocpp/v16/central_system.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/log.h"
#include "core/metrics.h"
#include "protocol/ocpp/rpc.h"
#include "protocol/ocpp/v16/detail/fast_meter_values.h"
#include "protocol/ocpp/v16/detail/mapping.h"
#include "protocol/ocpp/v16/generated/codec.h"
#include "protocol/ocpp/v16/generated/stream.h"

namespace cp::ocpp::v16 {
namespace {

constexpr std::size_t kUnknownAction = kActionCount;  // metrics label "unknown"
constexpr std::size_t kResultOk = kErrorCodeCount;    // metrics label "ok"

std::size_t index_of(Action a) { return static_cast<std::size_t>(a); }
std::size_t index_of(ErrorCode c) { return static_cast<std::size_t>(c); }

// Cut at most `max` bytes without splitting a UTF-8 sequence (the audit table stores text).
std::string truncate_utf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

std::string describe(const ValidationError& e) { return e.path.empty() ? e.message : e.path + ": " + e.message; }

// OCPP 1.6 §4 actions this Central System acts on; other Charge-Point-initiated actions of
// the schema set (the security extension's) are answered NotSupported.
#define CP_OCPP16_HANDLED_ACTIONS(X) \
  X(Authorize)                       \
  X(BootNotification)                \
  X(DataTransfer)                    \
  X(DiagnosticsStatusNotification)   \
  X(FirmwareStatusNotification)      \
  X(Heartbeat)                       \
  X(MeterValues)                     \
  X(StartTransaction)                \
  X(StatusNotification)              \
  X(StopTransaction)

bool handled(Action a) {
  switch (a) {
#define CP_HANDLED_CASE(A) case Action::A:
    CP_OCPP16_HANDLED_ACTIONS(CP_HANDLED_CASE)
#undef CP_HANDLED_CASE
    return true;
    default:
      return false;
  }
}

// The streaming decoder's targets: a request of any handled action (stream_decode.h).
class StreamedCall final : public stream::TargetSelector {
 public:
#define CP_REQUEST_ALTERNATIVE(A) , A##Request
  using Request = std::variant<std::monostate CP_OCPP16_HANDLED_ACTIONS(CP_REQUEST_ALTERNATIVE)>;
#undef CP_REQUEST_ALTERNATIVE

  stream::Target select(std::string_view name) override {
    const auto action = action_from_string(name);
    if (!action) return {};
    switch (*action) {
#define CP_STREAM_TARGET(A) \
  case Action::A:           \
    return {&stream_spec<A##Request>(), &request.emplace<A##Request>()};
      CP_OCPP16_HANDLED_ACTIONS(CP_STREAM_TARGET)
#undef CP_STREAM_TARGET
      default:
        return {};
    }
  }

  Request request;
};

template <class Message>
std::function<std::optional<boost::json::value>()> empty_response(Message m) {
  return [m] { return std::optional<boost::json::value>(to_json(m)); };
}

}  // namespace

struct CentralSystemSession::State : std::enable_shared_from_this<State> {
  using Response = std::optional<boost::json::value>;  // nullopt: the platform's answer was unusable

  domain::PileId pile;
  domain::PileEventSink& sink;
  const Clock& clock;
  Send send;
  std::shared_ptr<const Post> post;
  Metrics* metrics;
  SessionOptions options;

  struct Incoming {
    std::uint64_t seq;
    std::string id;
    Action action;
  };
  std::optional<Incoming> incoming;
  std::uint64_t incoming_seq = 0;
  struct Outgoing {
    std::string id;
    Action action;
    CallReply reply;
  };
  std::optional<Outgoing> outgoing;
  std::uint64_t outgoing_seq = 0;
  bool closed = false;
  std::vector<std::pair<std::size_t, Counter*>> counters;  // (action * 16 + result) -> series
  // The MeterValues fast path, with the shape of this pile's last MeterValues.
  detail::MeterValuesDecoder meter_values;

  State(domain::PileId p, domain::PileEventSink& s, const Clock& c, Send sd, Post pt, Metrics* m, SessionOptions o)
      : pile(std::move(p)), sink(s), clock(c), send(std::move(sd)),
        post(std::make_shared<const Post>(std::move(pt))), metrics(m), options(std::move(o)),
        meter_values(options.max_message_id_length, options.meter_values_shapes) {}

  // ---- bookkeeping
  void count(std::size_t action, std::size_t result) {
    if (!metrics) return;
    const std::size_t key = action * 16 + result;
    for (const auto& [k, c] : counters)
      if (k == key) return c->inc();
    Counter& c = metrics->counter(
        "chargeplane_ocpp_messages_total", "OCPP messages received from piles, by action and result",
        {{"action", action == kUnknownAction ? "unknown" : to_string(static_cast<Action>(action))},
         {"result", result == kResultOk ? "ok" : to_string(static_cast<ErrorCode>(result))}});
    counters.emplace_back(key, &c);
    c.inc();
  }

  void audit(ErrorCode code, std::string detail, std::string_view raw) {
    sink.frame_rejected(domain::FrameRejected{pile, domain::Protocol::Ocpp16, to_string(code), std::move(detail),
                                              truncate_utf8(raw, options.max_audit_raw_bytes), clock.now()});
  }

  // Answers a CALL with CALLERROR, audits and counts it.
  void reject(std::string_view id, std::size_t action, ErrorCode code, const std::string& description,
              std::string_view raw, std::string_view path = {}) {
    boost::json::value details = boost::json::object();
    if (!path.empty()) details.as_object().emplace("path", path);
    send(serialize_call_error(id, code, description, &details));
    audit(code, description, raw);
    count(action, index_of(code));
  }

  // ---- incoming CALLs
  void on_call(Call& call, std::string_view raw) {
    const auto action = action_from_string(call.action);
    const std::size_t label = action ? index_of(*action) : kUnknownAction;
    if (incoming)  // OCPP-J 1.6 §4.1.1: one outstanding CALL per direction
      return reject(call.id, label, ErrorCode::GenericError,
                    "a CALL is already being processed on this connection (OCPP-J 1.6 §4.1.1)", raw);
    if (!action) return reject(call.id, label, ErrorCode::NotImplemented, "unknown action " + call.action, raw);
    if (direction(*action) == Direction::CentralSystemToChargePoint || !handled(*action))
      return reject(call.id, label, ErrorCode::NotSupported, call.action + " is not supported from a charge point",
                    raw);
    dispatch(*action, call, raw);
  }

  template <class Req>
  std::optional<Req> decode_or_reject(const Call& call, std::string_view raw) {
    auto r = decode<Req>(call.payload);
    if (r) return std::move(r).value();
    reject(call.id, index_of(Req::kAction), r.error().code, describe(r.error()), raw, r.error().path);
    return std::nullopt;
  }

  // Domain mapping that can still refuse the request (mapping.h).
  template <class Event>
  std::optional<Event> checked(Result<Event, ValidationError> r, const std::string& id, Action a,
                               std::string_view raw);

  void begin(const std::string& id, Action action) { incoming = Incoming{++incoming_seq, id, action}; }

  // The sink's callback for the CALL just begun: hops to the strand, then answers it.
  // `make` turns the sink's value into the response payload.
  template <class Outcome, class Make>
  auto completion(Make make) {
    return [weak = weak_from_this(), post = post, seq = incoming_seq, make = std::move(make)](Outcome outcome) {
      (*post)([weak, seq, make, outcome = std::decay_t<Outcome>(outcome)]() {
        const auto self = weak.lock();
        if (!self) return;
        if (!outcome.ok()) return self->finish(seq, std::nullopt, outcome.error().message);
        if constexpr (std::is_same_v<std::decay_t<Outcome>, Status>) {
          self->finish(seq, make(), {});
        } else {
          self->finish(seq, make(outcome.value()), {});
        }
      });
    };
  }

  void finish(std::uint64_t seq, Response response, const std::string& sink_error) {
    if (closed || !incoming || incoming->seq != seq) return;
    const Incoming in = std::move(*incoming);
    incoming.reset();
    if (response) {
      send(serialize_call_result(in.id, *response));
      return count(index_of(in.action), kResultOk);
    }
    spdlog::warn("ocpp_call_failed pile={} action={} id={} error=\"{}\"", pile, to_string(in.action), in.id,
                 sink_error.empty() ? "invalid platform decision" : sink_error);
    send(serialize_call_error(in.id, ErrorCode::InternalError, "the platform could not process the request"));
    count(index_of(in.action), index_of(ErrorCode::InternalError));
  }

  // A decoded request of each handled action goes to the sink (dispatch: from the tree path).
  void dispatch(Action action, const Call& call, std::string_view raw);
  void handle(const std::string& id, AuthorizeRequest&& m, std::string_view raw);
  void handle(const std::string& id, BootNotificationRequest&& m, std::string_view raw);
  void handle(const std::string& id, DataTransferRequest&& m, std::string_view raw);
  void handle(const std::string& id, DiagnosticsStatusNotificationRequest&& m, std::string_view raw);
  void handle(const std::string& id, FirmwareStatusNotificationRequest&& m, std::string_view raw);
  void handle(const std::string& id, HeartbeatRequest&& m, std::string_view raw);
  void handle(const std::string& id, MeterValuesRequest&& m, std::string_view raw);
  void handle(const std::string& id, StartTransactionRequest&& m, std::string_view raw);
  void handle(const std::string& id, StatusNotificationRequest&& m, std::string_view raw);
  void handle(const std::string& id, StopTransactionRequest&& m, std::string_view raw);

  // The fast path: a well-formed, schema-valid CALL of a handled action, decoded with no JSON
  // tree. False leaves the message to the tree path, which also reports every error.
  bool on_streamed_call(std::string_view text) {
    if (incoming) return false;  // the tree path answers the second CALL (§4.1.1)
    // MeterValues in its plain form: straight to the domain event (fast_meter_values.h). Any
    // other action is declined by the third element of the frame.
    {
      std::string id;
      domain::TelemetrySampled event;
      if (meter_values.decode(text, pile, id, event)) {
        begin(id, Action::MeterValues);
        sink.telemetry(std::move(event), completion<const Status&>(empty_response(MeterValuesResponse{})));
        return true;
      }
    }
    StreamedCall call;
    std::string id;
    const stream::CallFrameOptions frame{options.max_message_id_length, options.utf8_checked};
    if (!stream::decode_call(text, frame, call, id)) return false;
    std::visit(
        [&](auto& m) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>) handle(id, std::move(m), text);
        },
        call.request);
    return true;
  }

  // ---- outgoing CALLs
  void finish_outgoing(Result<boost::json::value, CallFailure> r) {
    auto reply = std::move(outgoing->reply);
    outgoing.reset();
    if (reply) reply(std::move(r));
  }

  void on_call_result(CallResult& result, std::string_view raw) {
    if (!outgoing || outgoing->id != result.id) {
      spdlog::info("ocpp_unmatched_result pile={} id={}", pile, result.id);
      return;
    }
    const Action action = outgoing->action;
    if (auto v = validate_response(action, result.payload); !v) {
      audit(v.error().code, "CALLRESULT for " + std::string(to_string(action)) + ": " + describe(v.error()), raw);
      count(index_of(action), index_of(v.error().code));
      return finish_outgoing(
          fail(CallFailure{CallFailure::Kind::InvalidResponse, to_string(v.error().code), describe(v.error())}));
    }
    count(index_of(action), kResultOk);
    finish_outgoing(boost::json::value(result.payload, boost::json::storage_ptr()));  // off the message arena
  }

  void on_call_error(CallError& error) {
    if (!outgoing || outgoing->id != error.id) {
      spdlog::info("ocpp_unmatched_error pile={} id={} code={}", pile, error.id, error.code);
      return;
    }
    const auto code = error_code_from_string(error.code);
    count(index_of(outgoing->action), code ? index_of(*code) : index_of(ErrorCode::GenericError));
    finish_outgoing(fail(CallFailure{CallFailure::Kind::CallError, error.code, error.description}));
  }

  void on_frame_error(const FrameError& e, std::string_view raw) {
    audit(e.code, e.description, raw);
    count(kUnknownAction, index_of(e.code));
    const bool reply_frame = e.message_type == static_cast<int>(MessageType::CallResult) ||
                             e.message_type == static_cast<int>(MessageType::CallError);
    if (!reply_frame) return send(serialize_call_error(e.message_id, e.code, e.description));
    // A broken answer is not answered (nothing in OCPP-J 1.6 replies to a CALLRESULT/CALLERROR);
    // it fails the server CALL it was meant for.
    if (outgoing && outgoing->id == e.message_id)
      finish_outgoing(fail(CallFailure{CallFailure::Kind::InvalidResponse, to_string(e.code), e.description}));
  }

  void on_message(std::string_view text) {
    if (closed) return;
    if (on_streamed_call(text)) return;
    // Per-message arena: the parsed tree lives only until the message is mapped. Typical
    // messages fit the stack buffer; larger ones continue on the heap.
    alignas(std::max_align_t) unsigned char initial[4096];
    boost::json::monotonic_resource arena(initial, sizeof initial);
    auto parsed = parse_message(text, boost::json::storage_ptr(&arena), options.max_message_id_length,
                                options.utf8_checked);
    if (!parsed) return on_frame_error(parsed.error(), text);
    std::visit(
        [&](auto& m) {
          using M = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<M, Call>) on_call(m, text);
          else if constexpr (std::is_same_v<M, CallResult>) on_call_result(m, text);
          else on_call_error(m);
        },
        parsed.value());
  }

  void close() {
    if (closed) return;
    closed = true;
    incoming.reset();
    if (outgoing)
      finish_outgoing(fail(CallFailure{CallFailure::Kind::Closed, "Closed", "the connection closed"}));
  }
};

void CentralSystemSession::State::dispatch(Action action, const Call& call, std::string_view raw) {
  switch (action) {
#define CP_DECODE_AND_HANDLE(A)                                                                 \
  case Action::A: {                                                                             \
    if (auto m = decode_or_reject<A##Request>(call, raw)) handle(call.id, std::move(*m), raw); \
    return;                                                                                     \
  }
    CP_OCPP16_HANDLED_ACTIONS(CP_DECODE_AND_HANDLE)
#undef CP_DECODE_AND_HANDLE
    default:  // excluded by handled()
      return reject(call.id, index_of(action), ErrorCode::NotSupported, "not supported", raw);
  }
}

template <class Event>
std::optional<Event> CentralSystemSession::State::checked(Result<Event, ValidationError> r, const std::string& id,
                                                          Action a, std::string_view raw) {
  if (r) return std::move(r).value();
  reject(id, index_of(a), r.error().code, describe(r.error()), raw, r.error().path);
  return std::nullopt;
}

void CentralSystemSession::State::handle(const std::string& id, BootNotificationRequest&& m, std::string_view raw) {
  const Action action = Action::BootNotification;
  auto e = checked(detail::to_domain(pile, m, clock.now()), id, action, raw);
  if (!e) return;
  begin(id, action);
  const int fallback = options.heartbeat_interval_fallback_s;
  const Clock* c = &clock;  // the Clock outlives every session (wired in app/)
  sink.booted(std::move(*e), completion<Result<domain::BootDecision>>([c, fallback](const auto& d) {
                return Response(to_json(detail::to_response(d, c->now(), fallback)));
              }));
}

void CentralSystemSession::State::handle(const std::string& id, HeartbeatRequest&&, std::string_view) {
  begin(id, Action::Heartbeat);
  sink.heartbeat(pile, completion<Result<Timestamp>>([](const Timestamp& now) {
                   return Response(to_json(HeartbeatResponse{now}));
                 }));
}

void CentralSystemSession::State::handle(const std::string& id, AuthorizeRequest&& m, std::string_view) {
  begin(id, Action::Authorize);
  sink.authorize(pile, m.id_tag, completion<Result<domain::Authorization>>([](const auto& a) {
                   return Response(to_json(AuthorizeResponse{detail::to_id_tag_info(a)}));
                 }));
}

void CentralSystemSession::State::handle(const std::string& id, StatusNotificationRequest&& m, std::string_view raw) {
  const Action action = Action::StatusNotification;
  auto e = checked(detail::to_domain(pile, m, clock.now()), id, action, raw);
  if (!e) return;
  begin(id, action);
  sink.connector_status(std::move(*e), completion<const Status&>(empty_response(StatusNotificationResponse{})));
}

void CentralSystemSession::State::handle(const std::string& id, StartTransactionRequest&& m, std::string_view raw) {
  const Action action = Action::StartTransaction;
  auto e = checked(detail::to_domain(pile, m), id, action, raw);
  if (!e) return;
  begin(id, action);
  sink.transaction_started(std::move(*e), completion<Result<domain::TransactionDecision>>([](const auto& d) {
                             return Response(to_json(detail::to_response(d)));
                           }));
}

void CentralSystemSession::State::handle(const std::string& id, StopTransactionRequest&& m, std::string_view raw) {
  const Action action = Action::StopTransaction;
  auto e = checked(detail::to_domain(pile, m), id, action, raw);
  if (!e) return;
  begin(id, action);
  sink.transaction_ended(std::move(*e),
                         completion<Result<std::optional<domain::Authorization>>>([](const auto& a) {
                           return Response(to_json(detail::to_response(a)));
                         }));
}

void CentralSystemSession::State::handle(const std::string& id, MeterValuesRequest&& m, std::string_view raw) {
  const Action action = Action::MeterValues;
  auto e = checked(detail::to_domain(pile, m), id, action, raw);
  if (!e) return;
  begin(id, action);
  sink.telemetry(std::move(*e), completion<const Status&>(empty_response(MeterValuesResponse{})));
}

void CentralSystemSession::State::handle(const std::string& id, DataTransferRequest&& m, std::string_view) {
  begin(id, Action::DataTransfer);
  using Outcome = domain::PileEventSink::DataTransferOutcome;
  sink.data_transfer(detail::to_domain(pile, m, clock.now()), completion<Result<Outcome>>([](const Outcome& o) {
                       const auto r = detail::to_response(o);
                       return r ? Response(to_json(*r)) : Response();
                     }));
}

void CentralSystemSession::State::handle(const std::string& id, FirmwareStatusNotificationRequest&& m,
                                         std::string_view) {
  begin(id, Action::FirmwareStatusNotification);
  sink.firmware_status(detail::to_domain(pile, m, clock.now()),
                       completion<const Status&>(empty_response(FirmwareStatusNotificationResponse{})));
}

void CentralSystemSession::State::handle(const std::string& id, DiagnosticsStatusNotificationRequest&& m,
                                         std::string_view) {
  begin(id, Action::DiagnosticsStatusNotification);
  sink.diagnostics_status(detail::to_domain(pile, m, clock.now()),
                          completion<const Status&>(empty_response(DiagnosticsStatusNotificationResponse{})));
}

// ---- public surface

CentralSystemSession::CentralSystemSession(domain::PileId pile, domain::PileEventSink& sink, const Clock& clock,
                                           Send send, Post post, Metrics* metrics, SessionOptions options)
    : state_(std::make_shared<State>(std::move(pile), sink, clock, std::move(send), std::move(post), metrics,
                                     std::move(options))) {}

CentralSystemSession::~CentralSystemSession() {
  // Callbacks are not invoked from a destructor (their targets may already be gone): an
  // outstanding CallReply is dropped, like an Asio handler of a destroyed io_context.
  state_->outgoing.reset();
  state_->close();
}

void CentralSystemSession::on_message(std::string_view text) { state_->on_message(text); }

Result<std::string> CentralSystemSession::call(Action action, boost::json::value payload, CallReply reply) {
  State& s = *state_;
  if (s.closed) return fail("closed", "the connection is closed");
  if (s.outgoing) return fail("busy", "a CALL to this pile is outstanding (OCPP-J 1.6 §4.1.1)");
  if (direction(action) == Direction::ChargePointToCentralSystem)
    return fail("wrong_direction", std::string(to_string(action)) + " is sent by charge points");
  if (auto v = validate_request(action, payload); !v) return fail("invalid_request", describe(v.error()));
  std::string id = s.options.call_id_prefix + std::to_string(++s.outgoing_seq);
  s.outgoing = State::Outgoing{id, action, std::move(reply)};
  s.send(serialize_call(id, to_string(action), payload));
  return id;
}

void CentralSystemSession::on_call_timeout(const std::string& message_id) {
  State& s = *state_;
  if (!s.outgoing || s.outgoing->id != message_id) return;
  s.finish_outgoing(fail(CallFailure{CallFailure::Kind::Timeout, "Timeout", "no answer from the pile in time"}));
}

void CentralSystemSession::on_closed() { state_->close(); }

const domain::PileId& CentralSystemSession::pile() const { return state_->pile; }
bool CentralSystemSession::incoming_call_pending() const { return state_->incoming.has_value(); }
bool CentralSystemSession::outgoing_call_pending() const { return state_->outgoing.has_value(); }

}  // namespace cp::ocpp::v16
