// The pages' routes (scope read, like the API they call; a 401 offers HTTP Basic so a browser
// shows its login prompt — the token is the password):
//   GET /                       the regions overview   ┐
//   GET /dashboards, /dashboards/  the dashboards list  ├ the same HTML shell; the script picks
//   GET /dashboards/{uid}       one dashboard           ┘ the view from the path
//   GET /static/{name}          an embedded asset (dashboards/web/src and uPlot, built in)
// Caching: every answer has a strong ETag (the content hash, per encoding) and If-None-Match
// answers 304. The shell and assets under their plain names are `no-cache` (revalidated); the
// shell references assets by hashed names (app.<16 hex>.js), served `public, max-age=31536000,
// immutable`. Unknown names are 404.
// Compression: each asset is gzip- and brotli-encoded once at registration (http::Effort::kHigh);
// the answer is the variant Accept-Encoding asks for (Vary: Accept-Encoding), so the front door
// does not compress it again. Handlers are plain functions of a Request (no sockets, no files: the
// bytes are in the binary).
#pragma once

#include "core/status.h"
#include "http/router.h"

namespace meridian::dashboards {

// Adds the routes. INVALID_ARGUMENT if one is already registered; INTERNAL if compression fails.
core::Status RegisterPageRoutes(http::Router& router);

}  // namespace meridian::dashboards
