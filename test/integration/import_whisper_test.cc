// `meridian import-whisper` against the real thing: whisper files made by Debian's python3-whisper
// (the module behind whisper-create / whisper-update, and those commands themselves), imported
// into a stopped store; then graphite-web over the SAME files and Meridian over the imported
// store must answer identical /render JSON on windows served by every archive of every file.
// Corrupt, empty and impossible files are reported one line each while the others import; an
// import killed with SIGKILL mid-way and rerun ends identical to an uninterrupted one.
//
// Time: whisper, graphite-web and Meridian all use the wall clock here. Every window is chosen
// minutes away from an archive boundary and ends in the past, so the seconds between the
// requests cannot change which archive answers or which slots a window holds.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "support/carbon_cache.h"
#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/process.h"
#include "support/render_compare.h"

namespace meridian::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr char kPython[] = "/usr/bin/python3";  // Debian's, with python3-whisper

// diff ROOT NOW SPEC...: SPEC = "name|retentions|method|xff|presence‰|seed"; tagged names go to
//   carbon's _tagged/<sha256[0:3]>/<sha256[3:6]>/<name, '.' as _DOT_>.wsp.
// many ROOT NOW COUNT: COUNT files many/aNN/fNNNN.wsp, copies of 10 distinct filled files.
constexpr char kGenerator[] = R"PY(
import hashlib, os, random, shutil, sys
import whisper

def path_of(root, name):
    if ';' in name:
        h = hashlib.sha256(name.encode('utf8')).hexdigest()
        return os.path.join(root, '_tagged', h[0:3], h[3:6], name.replace('.', '_DOT_') + '.wsp')
    return os.path.join(root, *name.split('.')) + '.wsp'

def make(path, retentions, method, xff, presence, seed, now):
    archives = [whisper.parseRetentionDef(r) for r in retentions.split(',')]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    whisper.create(path, archives, xFilesFactor=xff, aggregationMethod=method)
    rnd = random.Random(seed)
    points, finer, value = [], 0, 50.0
    for step, count in archives:
        t = now - step * count + step
        t -= t % step
        while t <= now - finer:
            if rnd.random() * 1000 < presence:
                value += rnd.uniform(-5, 5)
                jitter = rnd.randrange(step) if finer == 0 and rnd.random() < 0.2 else 0
                points.append((t + jitter, round(value, rnd.choice([0, 1, 2]))))
            t += step
        finer = step * count
    whisper.update_many(path, points, now=now)

mode, root, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == 'diff':
    for spec in sys.argv[4:]:
        name, retentions, method, xff, presence, seed = spec.split('|')
        make(path_of(root, name), retentions, method, float(xff), int(presence), int(seed), now)
else:
    count = int(sys.argv[4])
    os.makedirs(os.path.join(root, 'seed'), exist_ok=True)
    seeds = []
    for k in range(10):
        p = os.path.join(root, 'seed', 'f%d.wsp' % k)
        make(p, '60s:2d', 'average', 0.5, 900, k, now)
        seeds.append(p)
    for i in range(count):
        d = os.path.join(root, 'many', 'a%02d' % (i // 100))
        os.makedirs(d, exist_ok=True)
        shutil.copyfile(seeds[i % 10], os.path.join(d, 'f%04d.wsp' % i))
    shutil.rmtree(os.path.join(root, 'seed'))
)PY";

struct Spec {
  std::string name;
  std::string retentions;  // finest first, as whisper-create takes them
  std::string method;
  double xff;
  int presence_permille;
};

// 1 to 5 archives, every method family the issue names, xFilesFactor and gaps, one tagged file.
const std::vector<Spec>& Specs() {
  static const std::vector<Spec> specs = {
      {"imp.avg.five", "10s:10m,1m:1h,5m:6h,1h:2d,1d:30d", "average", 0.5, 800},
      {"imp.sum.requests", "1m:2h,10m:1d", "sum", 0.0, 700},
      {"imp.max.latency", "10s:30m,1m:6h,10m:7d", "max", 0.1, 600},
      {"imp.min.free", "1m:1d", "min", 0.5, 900},
      {"imp.last.status", "10s:1h,5m:1d", "last", 0.5, 500},
      {"imp.avgzero.sparse", "1m:1h,10m:12h,1h:3d", "avg_zero", 0.3, 350},
      {"disk.used;dc=eu;host=web.1", "1m:1h,10m:1d", "average", 0.3, 750},
  };
  return specs;
}

// Retentions in seconds, finest first ("10s:10m,1m:1h" -> {600, 3600}).
std::vector<int64_t> Retentions(const std::string& spec) {
  static const std::regex item(R"((\d+)([smhdy]):(\d+)([smhdy]))");
  auto seconds_of = [](int64_t n, char unit) {
    switch (unit) {
      case 'm':
        return n * 60;
      case 'h':
        return n * 3600;
      case 'd':
        return n * 86400;
      case 'y':
        return n * 365 * 86400;
      default:
        return n;
    }
  };
  std::vector<int64_t> out;
  for (std::sregex_iterator it(spec.begin(), spec.end(), item), end; it != end; ++it) {
    out.push_back(seconds_of(std::stoll((*it)[3]), (*it)[4].str()[0]));
  }
  return out;
}

core::Status RunPython(const TempDir& scratch, std::vector<std::string> args) {
  const fs::path script = scratch.path() / "make_whisper.py";
  RETURN_IF_ERROR(WriteFile(script, kGenerator));
  args.insert(args.begin(), {kPython, script.string()});
  SubprocessOptions o;
  o.argv = std::move(args);
  auto out = RunAndCapture(o, scratch.path(), seconds(120));
  return out.ok() ? core::Status::Ok() : out.status();
}

CliRun Import(const TempDir& dir, const fs::path& tree, const fs::path& data_dir,
              std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"import-whisper", tree.string(), "--data-dir",
                                   data_dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunProgram(dir, MERIDIAN_BINARY, args);
}

int64_t CountOf(const std::string& summary, const std::string& what) {
  std::smatch m;
  if (!std::regex_search(summary, m, std::regex("(\\d+) " + what))) return -1;
  return std::stoll(m[1]);
}

int64_t NonNullPoints(const nlohmann::json& render) {
  int64_t n = 0;
  for (const auto& s : render) {
    for (const auto& p : s["datapoints"]) n += p[0].is_null() ? 0 : 1;
  }
  return n;
}

TEST(ImportWhisperTest, ImportedStoreRendersWhatGraphiteWebReadsFromTheSameFiles) {
  TempDir dir("import-whisper");
  const fs::path tree = dir.path() / "whisper";
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::vector<std::string> args = {"diff", tree.string(), std::to_string(now)};
  for (size_t i = 0; i < Specs().size(); ++i) {
    const Spec& s = Specs()[i];
    args.push_back(fmt::format("{}|{}|{}|{}|{}|{}", s.name, s.retentions, s.method, s.xff,
                               s.presence_permille, 100 + i));
  }
  ASSERT_TRUE(RunPython(dir, args).ok());
  // One file made by the command-line tools themselves.
  const fs::path cli = tree / "imp" / "cli" / "made.wsp";
  std::vector<std::string> update = {"whisper-update", cli.string()};
  // Points older than the 2 h archive go straight into the 10 m one, as whisper writes them.
  for (int64_t t = now - 80000; t < now - 60; t += t < now - 7000 ? 1500 : 180) {
    update.push_back(fmt::format("{}:{}", t, (t / 180) % 17 - 8));
  }
  fs::create_directories(cli.parent_path());
  SubprocessOptions create;
  create.argv = {"whisper-create", cli.string(),         "60:2h",
                 "10m:1d",         "--xFilesFactor=0.2", "--aggregationMethod=absmax"};
  auto created = RunAndCapture(create, dir.path(), seconds(30));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  SubprocessOptions updater;
  updater.argv = update;
  auto updated = RunAndCapture(updater, dir.path(), seconds(30));
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  // Broken files, each reported; the others still import.
  const fs::path bad = tree / "imp" / "bad";
  fs::create_directories(bad);
  ASSERT_TRUE(WriteFile(bad / "empty.wsp", "").ok());
  std::string good = ReadFileOrEmpty(cli);
  ASSERT_GT(good.size(), 100u);
  ASSERT_TRUE(WriteFile(bad / "truncated.wsp", good.substr(0, good.size() - 100)).ok());
  std::string impossible = good;
  impossible[16] = '\x7f';  // archive 0's offset far past the end of the file
  ASSERT_TRUE(WriteFile(bad / "impossible.wsp", impossible).ok());
  ASSERT_TRUE(WriteFile(bad / "garbage.wsp", std::string(64, '\xab')).ok());
  // A symlink loop is not followed around (the counts below would grow, or never end).
  fs::create_directory_symlink(tree / "imp", tree / "imp" / "bad" / "loop");

  auto meridian = MeridianProcess::Start({MERIDIAN_BINARY, "", {}, seconds(30)});
  ASSERT_TRUE(meridian.ok()) << meridian.status().ToString();
  // A store a running server holds is refused, untouched.
  CliRun refused = Import(dir, tree, (*meridian)->data_dir());
  EXPECT_EQ(refused.code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("is meridian running on it?"), std::string::npos) << refused.err;
  // A series the store already has from ingest: its whisper file must not be merged into it.
  ASSERT_TRUE((*meridian)->SendTcp(fmt::format("imp.live.conflict 5 {}\n", now - 30)).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = (*meridian)->Render("imp.live.conflict", std::to_string(now - 600));
        return r.ok() && NonNullPoints(*r) == 1;
      },
      seconds(10)));
  ASSERT_TRUE((*meridian)->Stop().ok()) << (*meridian)->Log();
  fs::create_directories(tree / "imp" / "live");
  fs::copy_file(cli, tree / "imp" / "live" / "conflict.wsp");

  CliRun run = Import(dir, tree, (*meridian)->data_dir());
  std::cout << run.out << run.err;
  EXPECT_EQ(run.code, 1) << "some files failed";
  const int64_t good_files = static_cast<int64_t>(Specs().size()) + 1;
  EXPECT_EQ(CountOf(run.out, "imported"), good_files) << run.out;
  EXPECT_EQ(CountOf(run.out, "failed"), 5) << run.out;
  for (const char* f : {"empty.wsp: empty file", "truncated.wsp: archive 1:",
                        "impossible.wsp: archive 0:", "garbage.wsp: unknown aggregation type",
                        "conflict.wsp: series 'imp.live.conflict' already exists in the store and "
                        "was not imported from this file: not merged"}) {
    EXPECT_NE(run.err.find(f), std::string::npos) << f << "\n" << run.err;
  }
  // A rerun skips everything that is done (and reports the broken files again).
  CliRun again = Import(dir, tree, (*meridian)->data_dir());
  EXPECT_EQ(CountOf(again.out, "skipped"), good_files) << again.out;
  EXPECT_EQ(CountOf(again.out, "imported"), 0) << again.out;
  // A file that changed since its import replaces the series it created (compared below).
  SubprocessOptions late;
  late.argv = {"whisper-update", cli.string(), fmt::format("{}:{}", now - 240, 123.5)};
  ASSERT_TRUE(RunAndCapture(late, dir.path(), seconds(30)).ok());
  CliRun changed = Import(dir, tree, (*meridian)->data_dir());
  EXPECT_EQ(CountOf(changed.out, "imported"), 1) << changed.out;
  EXPECT_EQ(CountOf(changed.out, "replaced"), 1) << changed.out;
  ASSERT_TRUE((*meridian)->Restart().ok()) << (*meridian)->Log();
  auto live = (*meridian)->Render("imp.live.conflict", std::to_string(now - 600));
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(NonNullPoints(*live), 1) << "the live series is untouched";

  GraphiteWebOptions web_options;
  web_options.whisper_dir = tree;
  auto web = GraphiteWeb::Start(web_options);
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  ASSERT_TRUE((*web)->TagSeries({"disk.used;dc=eu;host=web.1"}).ok());

  std::vector<Spec> specs = Specs();
  specs.push_back({"imp.cli.made", "1m:2h,10m:1d", "absmax", 0.2, 0});
  int64_t windows = 0;
  for (const Spec& s : specs) {
    const std::string target =
        s.name.find(';') == std::string::npos ? s.name : "seriesByTag('name=disk.used','dc=eu')";
    const std::vector<int64_t> ret = Retentions(s.retentions);
    ASSERT_FALSE(ret.empty()) << s.retentions;
    // One window inside each archive's own span, and the whole retention.
    std::vector<std::pair<int64_t, int64_t>> spans;
    for (size_t a = 0; a < ret.size(); ++a) {
      const int64_t finer = a == 0 ? 0 : ret[a - 1];
      const int64_t age = finer + (ret[a] - finer) / 2;
      spans.push_back({now - age, now - age / 3});
    }
    spans.push_back({now - ret.back() + 600, now - 120});
    for (const auto& [from, until] : spans) {
      HttpParams params = {{"target", target},
                           {"from", std::to_string(from)},
                           {"until", std::to_string(until)},
                           {"format", "json"}};
      auto oracle = (*web)->Render(params);
      auto mine = (*meridian)->Get("/render", params);
      ASSERT_TRUE(oracle.ok() && mine.ok());
      ASSERT_EQ(oracle->status, 200) << oracle->body;
      ASSERT_EQ(mine->status, 200) << mine->body;
      auto expected = ParseGraphiteJson(oracle->body);
      auto actual = ParseGraphiteJson(mine->body);
      ASSERT_TRUE(expected.ok() && actual.ok());
      RenderDiff diff = CompareRenderJson(*expected, *actual);
      std::cout << fmt::format("{} {}..{}: {}\n", s.name, from, until, diff.Summary());
      EXPECT_TRUE(diff.match()) << s.name << " " << from << ".." << until << ": " << diff.Summary();
      EXPECT_GT(NonNullPoints(*actual), 0) << s.name << " " << from << ".." << until;
      ++windows;
    }
  }
  EXPECT_GE(windows, 20);
}

// graphite-web and Meridian answer one target over one window alike (and not vacuously).
void ExpectSameRender(const GraphiteWeb& web, const MeridianProcess& meridian,
                      const std::string& target, int64_t from, int64_t until) {
  HttpParams params = {{"target", target},
                       {"from", std::to_string(from)},
                       {"until", std::to_string(until)},
                       {"format", "json"}};
  auto oracle = web.Render(params);
  auto mine = meridian.Get("/render", params);
  ASSERT_TRUE(oracle.ok() && mine.ok());
  ASSERT_EQ(oracle->status, 200) << oracle->body;
  ASSERT_EQ(mine->status, 200) << mine->body;
  auto expected = ParseGraphiteJson(oracle->body);
  auto actual = ParseGraphiteJson(mine->body);
  ASSERT_TRUE(expected.ok() && actual.ok());
  RenderDiff diff = CompareRenderJson(*expected, *actual);
  std::cout << fmt::format("{} {}..{}: {}\n", target, from, until, diff.Summary());
  EXPECT_TRUE(diff.match()) << target << " " << from << ".." << until << ": " << diff.Summary();
  EXPECT_GT(NonNullPoints(*actual), 0) << target << " " << from << ".." << until;
}

// Files written by a real carbon-cache from plaintext (its own _tagged encoding included).
TEST(ImportWhisperTest, FilesWrittenByCarbonCacheImportExactly) {
  TempDir dir("import-whisper-carbon");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto carbon = CarbonCache::Start(
      {"[all]\npattern = .*\nretentions = 10s:30m,1m:6h\n",
       "[count]\npattern = count$\nxFilesFactor = 0\naggregationMethod = sum\n\n"
       "[default]\npattern = .*\nxFilesFactor = 0.5\naggregationMethod = average\n",
       "", seconds(30)});
  ASSERT_TRUE(carbon.ok()) << carbon.status().ToString();
  const std::vector<std::string> names = {"carb.a.gauge", "carb.b.count",
                                          "carb.tagged;dc=us;host=h.1"};
  std::string stream;
  for (size_t n = 0; n < names.size(); ++n) {
    // Old minutes go straight into the 1-minute archive; recent 10 s slots into the first, with
    // gaps, then roll up as carbon's whisper writes them.
    for (int64_t t = now - 5 * 3600; t < now - 3600; t += 60) {
      if ((t / 60 + static_cast<int64_t>(n)) % 5 != 0) {
        stream += fmt::format("{} {} {}\n", names[n], (t / 60) % 97 + 0.25 * n, t);
      }
    }
    for (int64_t t = now - 1500; t < now - 60; t += 10) {
      if ((t / 10 + static_cast<int64_t>(n)) % 7 != 0) {
        stream += fmt::format("{} {} {}\n", names[n], (t / 10) % 13 + 0.5 * n, t);
      }
    }
  }
  ASSERT_TRUE(SendTcp((*carbon)->line_port(), stream).ok());
  ASSERT_TRUE((*carbon)->WaitUntilWritten(names, 1, seconds(60)).ok()) << (*carbon)->Log();

  auto meridian = MeridianProcess::Start({MERIDIAN_BINARY, "", {}, seconds(30)});
  ASSERT_TRUE(meridian.ok()) << meridian.status().ToString();
  ASSERT_TRUE((*meridian)->Stop().ok());
  // Carbon names tagged files by their hash (TAG_HASH_FILENAMES, its default): without the
  // names (graphite-web's TagDB has them) such a file fails with a line saying what to give.
  CliRun unnamed = Import(dir, (*carbon)->whisper_dir(), (*meridian)->data_dir());
  EXPECT_EQ(unnamed.code, 1) << unnamed.out << unnamed.err;
  EXPECT_EQ(CountOf(unnamed.out, "imported"), 2) << unnamed.out;
  EXPECT_NE(unnamed.err.find("give its name with --tagged-names FILE"), std::string::npos)
      << unnamed.err;
  const fs::path names_file = dir.path() / "tagged-names.txt";
  ASSERT_TRUE(WriteFile(names_file, "# from graphite-web's TagDB\n" + names[2] + "\n").ok());
  CliRun run = Import(dir, (*carbon)->whisper_dir(), (*meridian)->data_dir(),
                      {"--tagged-names", names_file.string()});
  std::cout << run.out << run.err;
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(CountOf(run.out, "imported"), 1) << run.out;
  EXPECT_EQ(CountOf(run.out, "skipped"), 2) << run.out;
  // The imported store is sound: every block decodes.
  CliRun verified =
      RunProgram(dir, MERIDIAN_BINARY, {"verify", "--data-dir", (*meridian)->data_dir().string()});
  EXPECT_EQ(verified.code, 0) << verified.out << verified.err;
  ASSERT_TRUE((*meridian)->Restart().ok()) << (*meridian)->Log();

  GraphiteWebOptions web_options;
  web_options.whisper_dir = (*carbon)->whisper_dir();
  auto web = GraphiteWeb::Start(web_options);
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  ASSERT_TRUE((*web)->TagSeries({names[2]}).ok());
  for (const std::string target :
       {"carb.a.gauge", "carb.b.count", "seriesByTag('name=carb.tagged','dc=us')"}) {
    ExpectSameRender(**web, **meridian, target, now - 900, now - 300);             // 10 s archive
    ExpectSameRender(**web, **meridian, target, now - 3 * 3600, now - 2 * 3600);   // 1 min
    ExpectSameRender(**web, **meridian, target, now - 6 * 3600 + 600, now - 120);  // whole
  }
}

TEST(ImportWhisperTest, BadArgumentsExitTwoWithAReason) {
  TempDir dir("import-whisper-args");
  const std::string data = dir.Sub("data");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"import-whisper"}, "no whisper directory given"},
      {{"import-whisper", dir.Sub("nowhere"), "--data-dir", data}, "is not a directory"},
      {{"import-whisper", dir.path().string(), "--data-dir", data, "--jobs", "0"},
       "bad argument '--jobs'"},
      {{"import-whisper", dir.path().string(), "--data-dir", data, "--tagged-names",
        dir.Sub("missing.txt")},
       "cannot read"},
  };
  for (const Case& c : cases) {
    CliRun run = RunProgram(dir, MERIDIAN_BINARY, c.args);
    EXPECT_EQ(run.code, 2) << run.out << run.err;
    EXPECT_NE(run.err.find(c.says), std::string::npos) << c.says << "\n" << run.err;
  }
}

// Reads the importer's last progress line: "files N/M ...".
int64_t FilesDone(const std::string& log) {
  static const std::regex progress(R"(files (\d+)/\d+)");
  int64_t last = -1;
  for (std::sregex_iterator it(log.begin(), log.end(), progress), end; it != end; ++it) {
    last = std::stoll((*it)[1]);
  }
  return last;
}

TEST(ImportWhisperTest, KilledImportResumesToTheSameStoreAsAnUninterruptedOne) {
  TempDir dir("import-whisper-kill");
  const fs::path tree = dir.path() / "whisper";
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  constexpr int kFiles = 3000;
  ASSERT_TRUE(
      RunPython(dir, {"many", tree.string(), std::to_string(now), std::to_string(kFiles)}).ok());

  auto killed = MeridianProcess::Start({MERIDIAN_BINARY, "", {}, seconds(30)});
  auto clean = MeridianProcess::Start({MERIDIAN_BINARY, "", {}, seconds(30)});
  ASSERT_TRUE(killed.ok() && clean.ok());
  ASSERT_TRUE((*killed)->Stop().ok());
  ASSERT_TRUE((*clean)->Stop().ok());

  // One job, one file per commit, progress forced on (stderr is a file here): SIGKILL once a
  // progress line shows files committed.
  SubprocessOptions o;
  o.argv = {MERIDIAN_BINARY,
            "import-whisper",
            tree.string(),
            "--data-dir",
            (*killed)->data_dir().string(),
            "--jobs",
            "1",
            "--commit-files",
            "1",
            "--progress"};
  o.log_path = dir.path() / "interrupted.log";
  auto importer = Subprocess::Start(o);
  ASSERT_TRUE(importer.ok());
  ASSERT_TRUE(WaitFor([&] { return FilesDone((*importer)->ReadLog()) >= 50; }, seconds(60)))
      << (*importer)->ReadLog();
  (*importer)->Signal(SIGKILL);
  ASSERT_EQ((*importer)->Wait(seconds(10)), 128 + SIGKILL)
      << "the import finished before it could be killed: make the dataset larger\n"
      << (*importer)->ReadLog();
  const int64_t seen = FilesDone((*importer)->ReadLog());
  ASSERT_LT(seen, kFiles);

  CliRun resumed = Import(dir, tree, (*killed)->data_dir());
  std::cout << "after kill at " << seen << " files: " << resumed.out << resumed.err;
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  const int64_t skipped = CountOf(resumed.out, "skipped");
  EXPECT_GE(skipped, seen) << "every file shown done was committed";
  EXPECT_LT(skipped, kFiles);
  EXPECT_EQ(CountOf(resumed.out, "imported") + skipped, kFiles) << resumed.out;
  CliRun uninterrupted = Import(dir, tree, (*clean)->data_dir());
  EXPECT_EQ(uninterrupted.code, 0) << uninterrupted.err;
  EXPECT_EQ(CountOf(uninterrupted.out, "imported"), kFiles) << uninterrupted.out;

  ASSERT_TRUE((*killed)->Restart().ok());
  ASSERT_TRUE((*clean)->Restart().ok());
  auto index_a = (*killed)->Get("/metrics/index.json");
  auto index_b = (*clean)->Get("/metrics/index.json");
  ASSERT_TRUE(index_a.ok() && index_b.ok());
  EXPECT_EQ(nlohmann::json::parse(index_a->body).size(), static_cast<size_t>(kFiles));
  EXPECT_EQ(index_a->body, index_b->body);
  for (const auto& [from, until] : std::vector<std::pair<int64_t, int64_t>>{
           {now - 3600, now - 600}, {now - 40 * 3600, now - 30 * 3600}}) {
    auto a = (*killed)->Render("many.*.*", std::to_string(from), std::to_string(until));
    auto b = (*clean)->Render("many.*.*", std::to_string(from), std::to_string(until));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->size(), static_cast<size_t>(kFiles));
    EXPECT_GT(NonNullPoints(*a), kFiles);
    EXPECT_TRUE(*a == *b) << "the resumed store answers differently from the clean one";
  }
}

}  // namespace
}  // namespace meridian::testing
