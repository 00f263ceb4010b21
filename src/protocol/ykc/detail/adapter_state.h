#pragma once
// PileAdapter's state, shared by its two source files (pile_adapter.cpp: frames;
// pile_commands.cpp: platform commands). Private to protocol/ykc.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "protocol/ykc/assembler.h"
#include "protocol/ykc/codec.h"
#include "protocol/ykc/pile_adapter.h"

namespace cp::ykc {

struct PileAdapter::State {
  State(domain::PileEventSink& s, const Clock& c, AdapterShared& sh, AdapterHooks h)
      : sink(s), clock(c), shared(sh), hooks(std::move(h)),
        assembler(AssemblerLimits{sh.max_frame_bytes(), 64 * 1024}), codec(sh.ciphers(), Options{}) {}

  domain::PileEventSink& sink;
  const Clock& clock;
  AdapterShared& shared;
  AdapterHooks hooks;
  FrameAssembler assembler;
  PileCodec codec;

  // Session
  bool login_pending = false;
  bool logged_in = false;
  bool closing = false;
  std::string pile;  // after login
  bool dc = true;
  bool encrypted = false;  // registered with a cipher: every frame after login is encrypted
  PileSettings settings;
  std::optional<std::uint16_t> last_seq;  // of frames the pile originates
  std::map<int, std::pair<std::string, std::string>> last_status;  // gun -> (status, error code)
  std::map<int, domain::TransactionId> gun_tx;                     // running transactions
  std::map<std::string, int> serial_gun;                           // serial -> gun, ours
  std::set<std::string> records_in_flight;                         // 0x3B serials being stored
  unsigned serial_counter = 0;
  // 0x52 values last accepted (YKC sends both fields in one frame; nothing reads them back)
  std::uint8_t work_disabled = 0;
  std::uint8_t max_power_percent = 100;

  // The running command (one at a time).
  struct Running {
    domain::Command command;
    domain::CommandObserver observer;
    std::uint8_t reply_type = 0;  // the answer we wait for
    std::uint64_t id = 0;         // tells a late completion from the command that runs now
    std::string serial = {};      // RemoteStart: the serial we issued
    int gun = 0;
    std::string type = {};        // for logs and metrics
    std::vector<std::size_t> frame_settings = {};       // ApplyConfig: indexes carried by the 0x52
    std::vector<domain::ParameterResult> results = {};  // ApplyConfig, in the order of the settings
    // RemoteStartParallel: one 0xA4 per gun under `parallel_serial`, each answered by an 0xA3.
    struct ParallelGun {
      int gun = 0;
      std::string serial;                 // the transaction serial we issued for this gun
      std::optional<RemoteStartReply> reply = {};
      bool settled = false;               // answered and, if started, its transaction recorded
      bool recorded = false;
    };
    std::string parallel_serial = {};
    std::vector<ParallelGun> parallel = {};
  };
  std::optional<Running> running;
  std::uint64_t commands_run = 0;

  // Frames (pile_adapter.cpp, pile_messages.cpp)
  void on_frame(Frame f);
  void on_login(Frame f);
  void track_sequence(const Frame& f);
  void dispatch(const Seq& seq, Message m);
  void on_realtime(const RealtimeData& d);
  // 0x31 (parallel_serial empty) or a V1.6 0xA1 gun of a parallel session: authorise the card,
  // record the start, answer 0x32 or 0xA2 (which echoes the parallel serial).
  void on_pile_start(const Seq& seq, const PileStartRequest& r, std::optional<std::string> parallel_serial = {});
  void on_record(const Seq& seq, const TransactionRecord& r);
  void on_remote_start_reply(const RemoteStartReply& r, std::function<void(bool durable)> then);
  void store_data(std::uint8_t type, std::string json);
  // Helpers (pile_adapter.cpp)
  void send_reply(const Message& m, const Seq& seq);
  void send_request(const Message& m);
  void refuse(const Frame& f, FrameResult result, const std::string& code, const std::string& detail);
  void close(const std::string& reason);
  // Commands (pile_commands.cpp): true when `m` answered the running command.
  bool on_command_reply(const Message& m);
  void settle_parallel_start();  // finishes a RemoteStartParallel once every gun is settled
  void finish_command(domain::CommandOutcome outcome);
};

}  // namespace cp::ykc
