#include "app/internal/federation_peer_directory.h"

#include <ctime>
#include <utility>

#include "http/form.h"

namespace meridian::app::internal {

core::Result<std::string> PeerInstance::GetJson(const std::string& path_and_query,
                                                const core::Deadline& deadline) {
  const size_t q = path_and_query.find('?');
  http::Params params;
  if (q != std::string::npos) {
    RETURN_IF_ERROR(http::ParseUrlEncoded(std::string_view(path_and_query).substr(q + 1), params));
  }
  std::vector<std::pair<std::string, std::string>> form(params.begin(), params.end());
  return client_->GetJson(path_and_query.substr(0, q), form, deadline);
}

core::Status PeerInstance::Probe(const core::Deadline& deadline) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto found = client_->Find("*", now - 3600, now, deadline);
  return found.ok() ? core::Status::Ok() : found.status();
}

std::vector<std::shared_ptr<dashboards::RemoteInstance>> FederationPeerDirectory::Peers() const {
  std::vector<std::shared_ptr<dashboards::RemoteInstance>> out;
  for (const auto& peer : source_.peers()) {
    if (auto client = std::dynamic_pointer_cast<query::federation::PeerClient>(peer)) {
      out.push_back(std::make_shared<PeerInstance>(std::move(client)));
    }
  }
  return out;
}

}  // namespace meridian::app::internal
