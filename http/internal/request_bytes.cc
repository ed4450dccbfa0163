#include "http/internal/request_bytes.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <string>

#include "http/internal/beast_request.h"

namespace meridian::http::internal {

std::vector<ParsedRequest> ParseRequestBytes(std::string_view bytes, size_t piece,
                                             size_t max_header_bytes, size_t max_body_bytes) {
  if (piece == 0) piece = std::max<size_t>(bytes.size(), 1);
  std::vector<ParsedRequest> out;
  while (!bytes.empty()) {  // pipelined messages, one parser each
    RequestParser parser;
    LimitParser(parser, max_header_bytes, max_body_bytes);
    parser.eager(true);
    std::string pending;
    boost::beast::error_code ec;
    size_t offset = 0;
    while (!parser.is_done()) {
      if (offset < bytes.size()) {
        const size_t n = std::min(piece, bytes.size() - offset);
        pending.append(bytes.substr(offset, n));
        offset += n;
      } else if (pending.empty()) {
        break;
      }
      const size_t used = parser.put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);
      if (ec == bhttp::error::need_more) {
        if (offset >= bytes.size()) break;  // the bytes end inside a message
        ec = {};
        continue;
      }
      if (ec) return out;  // a 400/413/431: the connection closes
    }
    if (!parser.is_done()) return out;
    ParsedRequest& parsed = out.emplace_back();
    parsed.body_bytes = parser.get().body().size();
    parsed.converted = ToRequest(parser.get(), parsed.request);
    // What the parser did not consume starts the next message.
    bytes = bytes.substr(offset - pending.size());
  }
  return out;
}

}  // namespace meridian::http::internal
