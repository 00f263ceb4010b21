#pragma once
// CentralSystemSession — the Central System side of one OCPP 1.6 (OCPP-J) pile connection as
// a pure adapter: text frames in (`on_message`), text frames out (`Send`), domain events out to
// the PileEventSink. It owns no socket, timer or thread; the gateway owns those.
//
// Threads: every public method, and `Send`, run on the session strand. Sink callbacks may
// arrive on any thread; they only hop back through `Post` (held by a shared pointer, so the
// session may be destroyed meanwhile: completions for a closed or destroyed session are dropped).
//
// Incoming CALLs (OCPP-J 1.6 §4.1.1, one outstanding per direction): each is framed, looked up
// (unknown -> NotImplemented; Central-System-initiated or not handled here -> NotSupported),
// validated against its schema (codes in docs/ocpp.md), mapped to a domain event and handed to
// the sink. The CALLRESULT is sent only when the sink reports success (durable); a sink failure
// is answered with InternalError. A CALL arriving while one is still being processed gets
// GenericError. Every refused frame is audited through `sink.frame_rejected`.
//
// Outgoing CALLs (`call`): one at a time; the reply is matched by message id, validated against
// the response schema and delivered through `CallReply` on the strand. The gateway arms a timer
// for the returned id and calls `on_call_timeout`; `on_closed` fails what is outstanding.
#include <boost/json/fwd.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "domain/sink.h"
#include "protocol/ocpp/v16/generated/actions.h"

namespace cp {
class Metrics;
}

namespace cp::ocpp::v16 {

struct CallFailure {
  enum class Kind { CallError, InvalidResponse, Timeout, Closed };
  Kind kind = Kind::CallError;
  std::string code;  // the pile's CALLERROR code, the response's violation code, or "Timeout"/"Closed"
  std::string description;
};

namespace detail {
class MeterValuesShapes;  // detail/fast_meter_values.h
}

struct SessionOptions {
  int heartbeat_interval_fallback_s = 300;  // BootNotification interval when the sink gives none (<= 0)
  std::size_t max_message_id_length = 36;   // OCPP-J 1.6 §4.1.3
  std::size_t max_audit_raw_bytes = 512;    // FrameRejected.raw is cut to this (at a UTF-8 boundary)
  std::string call_id_prefix = "cs-";       // ids of server-initiated CALLs: prefix + sequence
  bool utf8_checked = false;                // on_message text is known valid UTF-8 (WebSocket text)
  // The MeterValues frame shapes the sessions of one server share (fast_meter_values.h); null:
  // each session keeps its own.
  std::shared_ptr<detail::MeterValuesShapes> meter_values_shapes = nullptr;
};

class CentralSystemSession {
 public:
  using Send = std::function<void(std::string frame)>;          // called on the strand only
  using Post = std::function<void(std::function<void()>)>;      // called from any thread
  using CallReply = std::function<void(Result<boost::json::value, CallFailure>)>;

  CentralSystemSession(domain::PileId pile, domain::PileEventSink& sink, const Clock& clock, Send send, Post post,
                       Metrics* metrics, SessionOptions options = {});
  ~CentralSystemSession();
  CentralSystemSession(const CentralSystemSession&) = delete;
  CentralSystemSession& operator=(const CentralSystemSession&) = delete;

  // One complete WebSocket text message from the pile.
  void on_message(std::string_view text);

  // Sends a server-initiated CALL. Errors (nothing sent): "busy" (a CALL is outstanding),
  // "closed", "wrong_direction" (a Charge-Point-initiated action), "invalid_request" (the
  // payload violates the request schema). Returns the message id to arm the timeout with.
  Result<std::string> call(Action action, boost::json::value payload, CallReply reply);
  void on_call_timeout(const std::string& message_id);
  // The connection is gone: fails an outstanding server CALL with Closed; later sink completions
  // are dropped. Call it before destroying the session (the destructor drops a pending
  // CallReply without invoking it).
  void on_closed();

  const domain::PileId& pile() const;
  bool incoming_call_pending() const;
  bool outgoing_call_pending() const;

 private:
  struct State;  // shared with in-flight sink completions through weak pointers
  std::shared_ptr<State> state_;
};

}  // namespace cp::ocpp::v16
