// The regions overview's PeerDirectory on the federation's peers: each PeerClient is reached
// through its own pool, TLS, token, response bound and health (PeerClient::GetJson, Find) — no
// second client stack. Peers that are not PeerClients (none in `serve`) are skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dashboards/overview.h"
#include "query/federation/federated_source.h"
#include "query/federation/peer_client.h"

namespace meridian::app::internal {

class PeerInstance final : public dashboards::RemoteInstance {
 public:
  explicit PeerInstance(std::shared_ptr<query::federation::PeerClient> client)
      : client_(std::move(client)), role_(query::federation::PeerRoleName(client_->role())) {}
  const std::string& name() const override { return client_->name(); }
  std::string_view role() const override { return role_; }
  core::Result<std::string> GetJson(const std::string& path_and_query,
                                    const core::Deadline& deadline) override;
  core::Status Probe(const core::Deadline& deadline) override;

 private:
  std::shared_ptr<query::federation::PeerClient> client_;
  std::string role_;
};

class FederationPeerDirectory final : public dashboards::PeerDirectory {
 public:
  // `source` must outlive this object.
  explicit FederationPeerDirectory(const query::federation::FederatedSource& source)
      : source_(source) {}
  std::vector<std::shared_ptr<dashboards::RemoteInstance>> Peers() const override;

 private:
  const query::federation::FederatedSource& source_;
};

}  // namespace meridian::app::internal
