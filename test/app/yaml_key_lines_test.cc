#include "app/internal/yaml_key_lines.h"

#include <gtest/gtest.h>

namespace meridian::app::internal {
namespace {

constexpr char kYaml[] = R"(# comment
data_dir: /var/lib/meridian
http:
  listen: "0.0.0.0:8080"
  tls: { cert_file: /etc/meridian/tls.crt,
         key_file: /etc/meridian/tls.key }
federation:
  peers:
    - { name: a, url: "http://a:8080" }
    - name: b
      url: "http://b:8080"
      token_file: /etc/meridian/b.token
)";

TEST(FindKeyLineTest, FindsTopLevelAndNestedKeys) {
  EXPECT_EQ(FindKeyLine(kYaml, "data_dir"), 2);
  EXPECT_EQ(FindKeyLine(kYaml, "http"), 3);
  EXPECT_EQ(FindKeyLine(kYaml, "http.listen"), 4);
  EXPECT_EQ(FindKeyLine(kYaml, "http.tls.cert_file"), 5);
  EXPECT_EQ(FindKeyLine(kYaml, "http.tls.key_file"), 6);
}

TEST(FindKeyLineTest, FindsListEntries) {
  EXPECT_EQ(FindKeyLine(kYaml, "federation.peers[0]"), 9);
  EXPECT_EQ(FindKeyLine(kYaml, "federation.peers[1].token_file"), 12);
}

TEST(FindKeyLineTest, AbsentKeysAndBadInputAreZero) {
  EXPECT_EQ(FindKeyLine(kYaml, "graphite.listen"), 0);
  EXPECT_EQ(FindKeyLine(kYaml, "federation.peers[2]"), 0);
  EXPECT_EQ(FindKeyLine(kYaml, "data_dir.x"), 0);
  EXPECT_EQ(FindKeyLine(kYaml, "federation.peers[x]"), 0);
  EXPECT_EQ(FindKeyLine(kYaml, ""), 0);
  EXPECT_EQ(FindKeyLine("a: [unclosed", "a"), 0);
  EXPECT_EQ(FindKeyLine("", "a"), 0);
}

}  // namespace
}  // namespace meridian::app::internal
