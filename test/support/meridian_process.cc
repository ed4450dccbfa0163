#include "support/meridian_process.h"

#include <fmt/core.h>
#include <signal.h>

namespace meridian::testing {

using core::Status;

core::Result<nlohmann::json> ParseJsonBody(const HttpResponse& response, std::string_view what) {
  if (response.status != 200) {
    return core::Internal(
        fmt::format("{}: HTTP {}: {}", what, response.status, response.body.substr(0, 2000)));
  }
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return core::Corruption(fmt::format("{}: not JSON: {}", what, response.body.substr(0, 2000)));
  }
  return parsed;
}

core::Result<std::unique_ptr<MeridianProcess>> MeridianProcess::Start(MeridianOptions options) {
  if (options.binary.empty()) return core::InvalidArgument("MeridianOptions.binary is empty");
  std::unique_ptr<MeridianProcess> server(new MeridianProcess(std::move(options)));
  std::filesystem::create_directories(server->data_dir());
  if (!server->options_.config_yaml.empty()) {
    RETURN_IF_ERROR(WriteFile(server->dir_.path() / "meridian.yaml", server->options_.config_yaml));
  }
  // Ports picked by FreeTcpUdpPort can be taken by someone else before meridian binds them:
  // retry with fresh ports a few times.
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->graphite_port_ = FreeTcpUdpPort();
    server->http_port_ = FreeTcpPort();
    server->pickle_port_ = FreeTcpPort();
    last = server->Launch();
    if (last.ok()) return server;
  }
  return last;
}

Status MeridianProcess::Launch() {
  std::vector<std::string> argv = {
      options_.binary,     "serve",
      "--data-dir",        data_dir().string(),
      "--graphite-listen", fmt::format("127.0.0.1:{}", graphite_port_),
      "--http-listen",     fmt::format("127.0.0.1:{}", http_port_),
      "--pickle-listen",   fmt::format("127.0.0.1:{}", pickle_port_),
  };
  if (!options_.config_yaml.empty()) {
    argv.push_back("--config");
    argv.push_back((dir_.path() / "meridian.yaml").string());
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  SubprocessOptions sub;
  sub.argv = std::move(argv);
  sub.env = options_.env;
  sub.cwd = dir_.path();
  sub.log_path = dir_.path() / fmt::format("meridian-{}.log", launches_++);
  ASSIGN_OR_RETURN(proc_, Subprocess::Start(std::move(sub)));
  bool healthy = WaitFor(
      [this] {
        if (!proc_->Running()) return true;  // Exited: stop waiting, report below.
        if (options_.tls) return proc_->ReadLog().find("), HTTP on ") != std::string::npos;
        auto res = HttpGet(http_port_, "/health", {}, std::chrono::seconds(2));
        return res.ok() && res->status == 200;
      },
      options_.start_timeout);
  if (!healthy || !proc_->Running()) {
    std::string log = proc_->ReadLog();
    int code = proc_->Stop(std::chrono::seconds(2));
    // 127 is also what the child reports when exec failed (e.g. the binary is missing).
    return core::Unavailable(fmt::format("{} did not become healthy on :{} ({}, exit code {}): {}",
                                         options_.binary, http_port_,
                                         healthy ? "exited" : "timeout", code,
                                         log.substr(log.size() > 4000 ? log.size() - 4000 : 0)));
  }
  return Status::Ok();
}

Status MeridianProcess::Stop(std::chrono::milliseconds deadline) {
  if (!proc_) return core::FailedPrecondition("meridian is not running");
  proc_->Signal(SIGTERM);
  std::optional<int> code = proc_->Wait(deadline);
  if (!code) {
    proc_->Stop(std::chrono::seconds(1));
    return core::Status(core::StatusCode::kDeadlineExceeded, "meridian ignored SIGTERM");
  }
  if (*code != 0) return core::Internal(fmt::format("meridian exited with {}", *code));
  return Status::Ok();
}

void MeridianProcess::Kill() {
  if (!proc_) return;
  proc_->Signal(SIGKILL);
  proc_->Wait(std::chrono::seconds(10));
}

Status MeridianProcess::Restart() {
  if (proc_ && proc_->Running()) return core::FailedPrecondition("meridian is still running");
  // The old ports were just released by our own child; a short retry covers TIME_WAIT quirks.
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    st = Launch();
    if (st.ok()) return st;
  }
  return st;
}

Status MeridianProcess::Reconfigure(const std::string& config_yaml) {
  if (options_.config_yaml.empty()) {
    return core::FailedPrecondition("Reconfigure: started without a config file");
  }
  if (!proc_ || !proc_->Running()) return core::FailedPrecondition("meridian is not running");
  options_.config_yaml = config_yaml;
  RETURN_IF_ERROR(WriteFile(dir_.path() / "meridian.yaml", config_yaml));
  proc_->Signal(SIGHUP);
  return Status::Ok();
}

Status MeridianProcess::SendTcp(std::string_view lines) const {
  return testing::SendTcp(graphite_port_, lines);
}

Status MeridianProcess::SendUdp(std::string_view lines) const {
  return testing::SendUdp(graphite_port_, lines);
}

core::Result<HttpResponse> MeridianProcess::Get(const std::string& path,
                                                const HttpParams& params) const {
  return HttpGet(http_port_, path, params);
}

core::Result<nlohmann::json> MeridianProcess::Render(const std::string& target,
                                                     const std::string& from,
                                                     const std::string& until) const {
  HttpParams params = {{"target", target}, {"from", from}, {"format", "json"}};
  if (!until.empty()) params.emplace_back("until", until);
  ASSIGN_OR_RETURN(HttpResponse res, Get("/render", params));
  return ParseJsonBody(res, "render " + target);
}

core::Result<nlohmann::json> MeridianProcess::Find(const std::string& query) const {
  ASSIGN_OR_RETURN(HttpResponse res,
                   Get("/metrics/find", {{"query", query}, {"format", "treejson"}}));
  return ParseJsonBody(res, "find " + query);
}

}  // namespace meridian::testing
