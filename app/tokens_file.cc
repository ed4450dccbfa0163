#include "app/tokens_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "app/internal/yaml_reader.h"

namespace meridian::app {
namespace {

class TokensParser : private internal::YamlReader {
 public:
  using YamlReader::YamlReader;

  core::Result<std::vector<http::TokenEntry>> Top(const YAML::Node& root) const {
    std::vector<http::TokenEntry> out;
    std::vector<YAML::Mark> marks;
    RETURN_IF_ERROR(ForEachKey(
        root, "", {"tokens"},
        [&](const std::string&, const YAML::Node& v, const std::string& p) -> core::Status {
          if (!v.IsSequence()) return Error(v, p, "expected a list");
          for (size_t i = 0; i < v.size(); ++i) {
            http::TokenEntry e;
            RETURN_IF_ERROR(Entry(v[i], fmt::format("{}[{}]", p, i), e));
            RETURN_IF_ERROR(Unique(out, e, v[i], p));
            out.push_back(std::move(e));
          }
          return core::Status::Ok();
        }));
    return out;
  }

 private:
  core::Status Entry(const YAML::Node& node, const std::string& path, http::TokenEntry& e) const {
    bool has_secret = false;
    bool has_scope = false;
    RETURN_IF_ERROR(ForEachKey(
        node, path, {"name", "token", "sha256", "scope"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> core::Status {
          if (key == "name") return internal::Into(String(v, p), e.name);
          if (key == "scope") {
            has_scope = true;
            ASSIGN_OR_RETURN(std::string s, String(v, p));
            if (s == "read") {
              e.scope = http::Scope::kRead;
            } else if (s == "write") {
              e.scope = http::Scope::kWrite;
            } else if (s == "admin") {
              e.scope = http::Scope::kAdmin;
            } else {
              return Error(v, p, "expected read, write or admin");
            }
            return core::Status::Ok();
          }
          if (has_secret) return Error(v, p, "give token or sha256, not both");
          has_secret = true;
          if (!v.IsScalar()) return Error(v, p, "expected a single value");
          const std::string& text = v.Scalar();
          if (key == "sha256") {
            auto digest = http::ParseSha256Hex(text);
            if (!digest.ok()) return Error(v, p, digest.status().message());
            e.digest = *digest;
            return core::Status::Ok();
          }
          // Never echo the value: only its length.
          if (text.size() < 16) {
            return Error(v, p, fmt::format("too short ({} characters; at least 16)", text.size()));
          }
          e.digest = http::Sha256Of(text);
          return core::Status::Ok();
        }));
    if (e.name.empty()) return Error(node, path, "needs a name");
    if (!has_secret) return Error(node, path, "needs token or sha256");
    if (!has_scope) return Error(node, path, "needs a scope (read, write or admin)");
    return core::Status::Ok();
  }

  core::Status Unique(const std::vector<http::TokenEntry>& seen, const http::TokenEntry& e,
                      const YAML::Node& node, const std::string& path) const {
    for (const http::TokenEntry& s : seen) {
      if (s.name == e.name) return Error(node, path, fmt::format("name '{}' repeated", e.name));
      if (s.digest == e.digest) {
        return Error(node, path, fmt::format("'{}' has the same token as '{}'", e.name, s.name));
      }
    }
    return core::Status::Ok();
  }
};

}  // namespace

core::Result<std::vector<http::TokenEntry>> ParseTokensYaml(std::string_view text,
                                                            std::string_view source) {
  TokensParser parser(source);
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return core::InvalidArgument(fmt::format("{}: no tokens", source));
    return parser.Top(root);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages quote no values, only the place.
    if (e.mark.is_null()) return core::InvalidArgument(fmt::format("{}: invalid YAML", source));
    return core::InvalidArgument(fmt::format("{}:{}: invalid YAML", source, e.mark.line + 1));
  }
}

core::Result<std::vector<http::TokenEntry>> LoadTokensFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return core::InvalidArgument(
        fmt::format("http.auth.tokens_file {}: cannot read: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseTokensYaml(text.str(), path);
}

}  // namespace meridian::app
