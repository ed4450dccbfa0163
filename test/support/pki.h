// Test certificates made with the openssl CLI: CAs, and server or client certificates signed by
// one of them, as PEM files in a directory.
//
//   Pki pki(dir);
//   pki.MakeCa("ca");
//   pki.MakeCert("server", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1");  // server.pem/.key
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

struct Pki {
  explicit Pki(const std::filesystem::path& d) : dir(d) {}
  std::filesystem::path dir;
  std::string P(const std::string& f) const { return (dir / f).string(); }
  core::Status Run(const std::string& cmd) const {
    SubprocessOptions o;
    o.argv = {"/bin/sh", "-c", cmd};
    o.cwd = dir;
    auto r = RunAndCapture(o, dir, std::chrono::seconds(60));
    return r.ok() ? core::Status::Ok() : r.status();
  }
  core::Status MakeCa(const std::string& name) const {
    return Run(fmt::format(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN={0} -keyout {0}.key "
        "-out {0}.pem",
        name));
  }
  core::Status MakeCert(const std::string& name, const std::string& ca, const std::string& cn,
                        const std::string& ext) const {
    RETURN_IF_ERROR(Run(fmt::format(
        "openssl req -newkey rsa:2048 -nodes -subj /CN={1} -keyout {0}.key -out {0}.csr", name,
        cn)));
    std::ofstream(P(name + ".ext")) << ext << "\n";
    return Run(fmt::format(
        "openssl x509 -req -in {0}.csr -CA {1}.pem -CAkey {1}.key -CAcreateserial -days 2 "
        "-extfile {0}.ext -out {0}.pem",
        name, ca));
  }
};

}  // namespace meridian::testing
