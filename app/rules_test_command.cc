#include "app/rules_test_command.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>

#include "alerting/rule_test_runner.h"
#include "app/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "storage/store.h"

namespace meridian::app {
namespace {

// A RocksDB store in its own temporary directory, removed on destruction.
class StoreBackend final : public alerting::RuleTestBackend {
 public:
  static core::Result<std::unique_ptr<alerting::RuleTestBackend>> Create(
      const storage::SchemaSet& schemas) {
    std::string dir = (std::filesystem::temp_directory_path() / "meridian-rules-test-XXXXXX");
    if (mkdtemp(dir.data()) == nullptr) return core::IoError("cannot create a temporary directory");
    auto backend = std::unique_ptr<StoreBackend>(new StoreBackend(dir));
    storage::StoreOptions so;
    so.data_dir = dir;
    so.schemas = schemas;
    so.sync_interval_ms = 60'000;  // nothing here needs to survive a crash
    ASSIGN_OR_RETURN(backend->store_,
                     storage::OpenRocksStore(so, backend->clock_, backend->metrics_));
    backend->source_ = std::make_unique<query::LocalSource>(*backend->store_);
    return std::unique_ptr<alerting::RuleTestBackend>(std::move(backend));
  }

  ~StoreBackend() override {
    source_.reset();
    if (store_) store_->Close().IgnoreError();  // scratch data: nothing to keep
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  core::Status Write(const std::vector<alerting::TestPoint>& points) override {
    storage::PointBatch batch;
    for (const auto& p : points) batch.Add(p.name, p.time, p.value);
    while (!store_->TryWrite(batch)) RETURN_IF_ERROR(store_->Flush());
    return store_->Flush();
  }
  void SetNow(int64_t now) override { clock_.SetSeconds(now); }
  query::SeriesSource& source() override { return *source_; }

 private:
  explicit StoreBackend(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  core::ManualClock
      clock_;  // the test's simulated time: the store expires and picks archives by it
  core::MetricsRegistry metrics_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<query::LocalSource> source_;
};

}  // namespace

int RulesTestCommand(std::span<const std::string> args) {
  std::string config_path;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i].starts_with("-")) {
      fmt::print(stderr, "usage: meridian rules test [--config FILE] TEST_FILE...\n");
      return 2;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    fmt::print(stderr, "usage: meridian rules test [--config FILE] TEST_FILE...\n");
    return 2;
  }
  auto config = config_path.empty() ? ParseConfig(kDefaultConfigYaml, "<default config>")
                                    : LoadConfigFile(config_path);
  if (!config.ok()) {
    fmt::print(stderr, "meridian: {}\n", config.status().message());
    return 1;
  }
  auto schemas = BuildSchemas(*config);
  if (!schemas.ok()) {
    fmt::print(stderr, "meridian: {}\n", schemas.status().message());
    return 1;
  }
  return alerting::RunRuleTests(
      files, [&] { return StoreBackend::Create(*schemas); }, stdout, stderr);
}

}  // namespace meridian::app
