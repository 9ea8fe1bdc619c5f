#include <lockstep/sim/results_store.hpp>

#include <sqlite3.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <utility>

#include <lockstep/core/error.hpp>

namespace lockstep::sim {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE params(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE trials(
  trial    INTEGER PRIMARY KEY,
  seed     INTEGER NOT NULL,
  fault    INTEGER NOT NULL,
  replicas INTEGER NOT NULL,
  bit      INTEGER NOT NULL,
  outcome  INTEGER NOT NULL,
  sim_ns   INTEGER NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_utc TEXT NOT NULL, threads INTEGER NOT NULL, shard TEXT NOT NULL,
  trials_run INTEGER NOT NULL, wall_s REAL NOT NULL, trials_per_s REAL NOT NULL);
CREATE TABLE samples(
  kind TEXT NOT NULL, key INTEGER NOT NULL, seed INTEGER NOT NULL, outcome TEXT NOT NULL,
  value REAL NOT NULL, data TEXT NOT NULL, PRIMARY KEY(kind, key));
CREATE VIEW outcome_counts AS
  SELECT CASE outcome WHEN 0 THEN 'benign' WHEN 1 THEN 'masked' WHEN 2 THEN 'detected'
         WHEN 3 THEN 'recovered' WHEN 4 THEN 'sdc' WHEN 5 THEN 'timeout' END AS outcome,
         COUNT(*) AS n FROM trials GROUP BY trials.outcome;
)sql";

// Unsigned 64-bit values are stored as the signed integer with the same bits.
std::int64_t to_db(std::uint64_t v) noexcept { return std::bit_cast<std::int64_t>(v); }
std::uint64_t from_db(std::int64_t v) noexcept { return std::bit_cast<std::uint64_t>(v); }

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  raise("results store '" + path + "': " + what);
}

// RAII for sqlite3* and sqlite3_stmt*.
struct DbDeleter {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::string errmsg(sqlite3* db) { return db != nullptr ? sqlite3_errmsg(db) : "out of memory"; }

StmtPtr prepare(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    const std::string msg = errmsg(db);
    sqlite3_finalize(s);
    const bool corrupt =
        msg.find("malformed") != std::string::npos || msg.find("not a database") != std::string::npos;
    fail(path, corrupt ? "corrupted database (" + msg + ")" : msg);
  }
  return StmtPtr{s};
}

void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : errmsg(db);
    sqlite3_free(err);
    fail(path, msg);
  }
}

std::string column_text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t != nullptr ? std::string{reinterpret_cast<const char*>(t)} : std::string{};
}

DbPtr open_db(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db{raw};
  if (rc != SQLITE_OK) fail(path, "cannot open (" + errmsg(raw) + ")");
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

StoreParams read_params(sqlite3* db, const std::string& path) {
  StoreParams p;
  StmtPtr s = prepare(db, path, "SELECT key, value FROM params");
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
    p.emplace(column_text(s.get(), 0), column_text(s.get(), 1));
  if (rc != SQLITE_DONE) fail(path, "cannot read parameters (" + errmsg(db) + ")");
  return p;
}

// Validates an existing file read-only: a SQLite database, our format and schema version, and
// intact. Returns its parameters.
StoreParams validate_existing(const std::string& path) {
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail(path, "cannot be read (permission denied or not a file)");
    char header[16] = {};
    f.read(header, sizeof header);
    if (f.gcount() == 0) fail(path, "is empty, not a lockstep-sim results database");
    if (f.gcount() < 16 || std::string(header, 15) != "SQLite format 3") {
      fail(path, "is not an SQLite database (foreign file)");
    }
  }
  DbPtr db = open_db(path, SQLITE_OPEN_READONLY);
  {
    sqlite3_stmt* raw = nullptr;
    const int rc =
        sqlite3_prepare_v2(db.get(), "SELECT value FROM meta WHERE key = 'format'", -1, &raw, nullptr);
    StmtPtr s{raw};
    if (rc != SQLITE_OK) {
      const std::string msg = errmsg(db.get());
      if (msg.find("no such table") != std::string::npos)
        fail(path, "is an SQLite database of another program (no lockstep-sim meta table)");
      fail(path, "corrupted or unreadable database (" + msg + ")");
    }
    const int step = sqlite3_step(s.get());
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
      fail(path, "corrupted database (" + errmsg(db.get()) + ")");
    }
    if (step != SQLITE_ROW || column_text(s.get(), 0) != ResultsStore::kFormat) {
      fail(path, "is an SQLite database of another program (format is not lockstep-sim-results)");
    }
  }
  {
    StmtPtr s = prepare(db.get(), path, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (sqlite3_step(s.get()) != SQLITE_ROW) fail(path, "has no schema version");
    const std::string v = column_text(s.get(), 0);
    if (v != std::to_string(ResultsStore::kSchemaVersion)) {
      fail(path, "has schema version " + v + ", this lockstep-sim reads version " +
                     std::to_string(ResultsStore::kSchemaVersion));
    }
  }
  {
    StmtPtr s = prepare(db.get(), path, "PRAGMA quick_check");
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW || column_text(s.get(), 0) != "ok") {
      fail(path, "corrupted database (integrity check: " +
                     (rc == SQLITE_ROW ? column_text(s.get(), 0) : errmsg(db.get())) + ")");
    }
  }
  return read_params(db.get(), path);
}

// Creates a complete new store (schema, format, parameters) under a temporary name and renames
// it into place: a kill at any moment leaves either no file or a complete empty store, never a
// half-created one that a rerun would refuse.
void create_file(const std::string& path, const StoreParams& params) {
  const std::string tmp = path + ".creating";
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(tmp + suffix, ec);
  {
    DbPtr db = open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3* d = db.get();
    // WAL + synchronous=NORMAL: a committed transaction survives any crash of this process
    // (SIGKILL included); only an OS crash or power loss may lose the last transactions, never
    // corrupt the file. That is the resume guarantee.
    exec(d, path, "PRAGMA journal_mode=WAL");
    exec(d, path, "BEGIN IMMEDIATE");
    exec(d, path, kSchema);
    StmtPtr m = prepare(d, path, "INSERT INTO meta(key, value) VALUES (?, ?)");
    const std::pair<std::string, std::string> meta[] = {
        {"format", std::string{ResultsStore::kFormat}},
        {"schema_version", std::to_string(ResultsStore::kSchemaVersion)}};
    for (const auto& [k, v] : meta) {
      sqlite3_bind_text(m.get(), 1, k.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(m.get(), 2, v.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(m.get()) != SQLITE_DONE) fail(path, errmsg(d));
      sqlite3_reset(m.get());
    }
    StmtPtr p = prepare(d, path, "INSERT INTO params(key, value) VALUES (?, ?)");
    for (const auto& [k, v] : params) {
      sqlite3_bind_text(p.get(), 1, k.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(p.get(), 2, v.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(p.get()) != SQLITE_DONE) fail(path, errmsg(d));
      sqlite3_reset(p.get());
    }
    exec(d, path, "COMMIT");
  }  // closing the last connection checkpoints the WAL into the file and removes it
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail(path, "cannot be created (" + ec.message() + ")");
}

// Rows per multi-row INSERT: one statement step stores this many trials, which cuts the
// per-row cost of SQLite's statement machinery against one step per row.
constexpr std::size_t kRowsPerInsert = 32;
constexpr int kTrialColumns = 7;

std::string insert_trials_sql(std::size_t rows) {
  std::string sql = "INSERT INTO trials(trial, seed, fault, replicas, bit, outcome, sim_ns) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) sql += i == 0 ? "(?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?)";
  return sql;
}

// Binds row `r` at parameter offset `base` (0 for the first row of the statement).
void bind_trial(sqlite3_stmt* s, int base, const TrialRow& r) noexcept {
  sqlite3_bind_int64(s, base + 1, to_db(r.trial));
  sqlite3_bind_int64(s, base + 2, to_db(r.seed));
  sqlite3_bind_int(s, base + 3, static_cast<int>(r.fault));
  sqlite3_bind_int64(s, base + 4, static_cast<std::int64_t>(r.replicas.bits()));
  sqlite3_bind_int(s, base + 5, r.bit);
  sqlite3_bind_int(s, base + 6, static_cast<int>(r.outcome));
  sqlite3_bind_int64(s, base + 7, r.sim_ns);
}

}  // namespace

struct ResultsStore::Impl {
  std::string path;
  DbPtr db;
  StoreParams params;
  StmtPtr insert_trial;
  StmtPtr insert_trials;  // kRowsPerInsert rows per step

  void begin() { exec(db.get(), path, "BEGIN IMMEDIATE"); }
  void commit() { exec(db.get(), path, "COMMIT"); }
  void rollback() noexcept { sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr); }
};

std::string describe(const StoreParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += ", ";
    out.append(k).append("=").append(v);
  }
  return out;
}

ResultsStore::ResultsStore(std::unique_ptr<Impl> impl) noexcept : m_impl(std::move(impl)) {}
ResultsStore::ResultsStore(ResultsStore&&) noexcept = default;
ResultsStore& ResultsStore::operator=(ResultsStore&&) noexcept = default;
ResultsStore::~ResultsStore() = default;

const StoreParams& ResultsStore::params() const noexcept { return m_impl->params; }
const std::string& ResultsStore::path() const noexcept { return m_impl->path; }

ResultsStore ResultsStore::open_read_only(const std::string& path) {
  if (!std::filesystem::exists(path)) fail(path, "does not exist");
  StoreParams params = validate_existing(path);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->db = open_db(path, SQLITE_OPEN_READONLY);
  impl->params = std::move(params);
  return ResultsStore{std::move(impl)};
}

void ResultsStore::check_compatible(const std::string& path, const StoreParams& params) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  const StoreParams have = validate_existing(path);
  if (have != params) {
    // Name the first differing parameter: that is what the user has to fix.
    std::string diff;
    for (const auto& [k, v] : params) {
      auto it = have.find(k);
      if (it == have.end() || it->second != v) {
        diff.append(k).append(" is ");
        if (it == have.end()) {
          diff.append("absent");
        } else {
          diff.append("'").append(it->second).append("'");
        }
        diff.append(" there, '").append(v).append("' here");
        break;
      }
    }
    if (diff.empty()) diff = "it has extra parameters (" + describe(have) + ")";
    fail(path, "holds a campaign with different parameters: " + diff);
  }
}

ResultsStore ResultsStore::create(const std::string& path, const StoreParams& params) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) fail(path, "already exists");
  return open_for_writing(path, params);
}

ResultsStore ResultsStore::open_for_writing(const std::string& path, const StoreParams& params) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (existed) check_compatible(path, params);
  if (!existed) create_file(path, params);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->db = open_db(path, SQLITE_OPEN_READWRITE);
  sqlite3* db = impl->db.get();
  exec(db, path, "PRAGMA synchronous=NORMAL");
  impl->params = read_params(db, path);
  impl->insert_trial = prepare(db, path, insert_trials_sql(1).c_str());
  impl->insert_trials = prepare(db, path, insert_trials_sql(kRowsPerInsert).c_str());
  return ResultsStore{std::move(impl)};
}

void ResultsStore::append_trials(std::span<const TrialRow> rows) {
  Impl& im = *m_impl;
  sqlite3_stmt* one = im.insert_trial.get();
  sqlite3_stmt* many = im.insert_trials.get();
  if (one == nullptr || many == nullptr) fail(im.path, "opened read-only");
  // `first`/`last`: the rows of this step, named in the error (a duplicate trial index, ...).
  auto step = [&](sqlite3_stmt* s, const TrialRow& first, const TrialRow& last) {
    if (sqlite3_step(s) != SQLITE_DONE) {
      const std::string msg = errmsg(im.db.get());
      sqlite3_reset(s);
      const std::string which = &first == &last ? "trial " + std::to_string(first.trial)
                                                : "one of trials " + std::to_string(first.trial) + ".." +
                                                      std::to_string(last.trial);
      fail(im.path, "cannot store " + which + " (" + msg + ")");
    }
    sqlite3_reset(s);
  };
  im.begin();
  try {
    std::size_t i = 0;
    for (; i + kRowsPerInsert <= rows.size(); i += kRowsPerInsert) {
      for (std::size_t k = 0; k < kRowsPerInsert; ++k)
        bind_trial(many, static_cast<int>(k) * kTrialColumns, rows[i + k]);
      step(many, rows[i], rows[i + kRowsPerInsert - 1]);
    }
    for (; i < rows.size(); ++i) {
      bind_trial(one, 0, rows[i]);
      step(one, rows[i], rows[i]);
    }
    im.commit();
  } catch (...) {
    im.rollback();
    throw;
  }
}

std::vector<TrialRow> ResultsStore::read_trials() const {
  std::vector<TrialRow> out;
  StmtPtr s = prepare(m_impl->db.get(), m_impl->path,
                      "SELECT trial, seed, fault, replicas, bit, outcome, sim_ns FROM trials ORDER BY trial");
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    TrialRow r;
    r.trial = from_db(sqlite3_column_int64(s.get(), 0));
    r.seed = from_db(sqlite3_column_int64(s.get(), 1));
    const int f = sqlite3_column_int(s.get(), 2);
    const int o = sqlite3_column_int(s.get(), 5);
    if (f < 0 || f >= static_cast<int>(kFaultModelCount) || o < 0 || o >= static_cast<int>(kOutcomeCount)) {
      fail(m_impl->path, "corrupted trial row " + std::to_string(r.trial));
    }
    r.fault = static_cast<FaultModel>(f);
    r.replicas = ReplicaMask{static_cast<ReplicaMask::Bits>(sqlite3_column_int64(s.get(), 3))};
    r.bit = sqlite3_column_int(s.get(), 4);
    r.outcome = static_cast<TrialOutcome>(o);
    r.sim_ns = sqlite3_column_int64(s.get(), 6);
    out.push_back(r);
  }
  if (rc != SQLITE_DONE) fail(m_impl->path, "cannot read trials (" + errmsg(m_impl->db.get()) + ")");
  return out;
}

std::vector<std::uint64_t> ResultsStore::stored_trials(std::uint64_t begin, std::uint64_t end) const {
  std::vector<std::uint64_t> out;
  StmtPtr s = prepare(m_impl->db.get(), m_impl->path,
                      "SELECT trial FROM trials WHERE trial >= ? AND trial < ? ORDER BY trial");
  sqlite3_bind_int64(s.get(), 1, to_db(begin));
  sqlite3_bind_int64(s.get(), 2, to_db(end));
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(from_db(sqlite3_column_int64(s.get(), 0)));
  if (rc != SQLITE_DONE) fail(m_impl->path, "cannot read trials (" + errmsg(m_impl->db.get()) + ")");
  return out;
}

std::uint64_t ResultsStore::trial_count() const {
  StmtPtr s = prepare(m_impl->db.get(), m_impl->path, "SELECT COUNT(*) FROM trials");
  if (sqlite3_step(s.get()) != SQLITE_ROW) fail(m_impl->path, "cannot count trials");
  return from_db(sqlite3_column_int64(s.get(), 0));
}

OutcomeCounts ResultsStore::count_outcomes() const {
  OutcomeCounts c;
  StmtPtr s =
      prepare(m_impl->db.get(), m_impl->path, "SELECT outcome, COUNT(*) FROM trials GROUP BY outcome");
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const int o = sqlite3_column_int(s.get(), 0);
    if (o < 0 || o >= static_cast<int>(kOutcomeCount))
      fail(m_impl->path, "corrupted outcome value " + std::to_string(o));
    c.add(static_cast<TrialOutcome>(o), from_db(sqlite3_column_int64(s.get(), 1)));
  }
  if (rc != SQLITE_DONE) fail(m_impl->path, "cannot count outcomes (" + errmsg(m_impl->db.get()) + ")");
  return c;
}

void ResultsStore::append_samples(std::span<const Sample> samples) {
  Impl& im = *m_impl;
  StmtPtr s = prepare(im.db.get(), im.path,
                      "INSERT INTO samples(kind, key, seed, outcome, value, data) VALUES (?,?,?,?,?,?)");
  im.begin();
  try {
    for (const Sample& x : samples) {
      sqlite3_bind_text(s.get(), 1, x.kind.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(s.get(), 2, to_db(x.key));
      sqlite3_bind_int64(s.get(), 3, to_db(x.seed));
      sqlite3_bind_text(s.get(), 4, x.outcome.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(s.get(), 5, x.value);
      sqlite3_bind_text(s.get(), 6, x.data.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(s.get()) != SQLITE_DONE) {
        const std::string msg = errmsg(im.db.get());
        fail(im.path, "cannot store sample " + x.kind + "/" + std::to_string(x.key) + " (" + msg + ")");
      }
      sqlite3_reset(s.get());
    }
    im.commit();
  } catch (...) {
    im.rollback();
    throw;
  }
}

std::vector<Sample> ResultsStore::read_samples(const std::string& kind) const {
  std::vector<Sample> out;
  StmtPtr s =
      prepare(m_impl->db.get(), m_impl->path,
              "SELECT kind, key, seed, outcome, value, data FROM samples WHERE kind = ? ORDER BY key");
  sqlite3_bind_text(s.get(), 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    Sample x;
    x.kind = column_text(s.get(), 0);
    x.key = from_db(sqlite3_column_int64(s.get(), 1));
    x.seed = from_db(sqlite3_column_int64(s.get(), 2));
    x.outcome = column_text(s.get(), 3);
    x.value = sqlite3_column_double(s.get(), 4);
    x.data = column_text(s.get(), 5);
    out.push_back(std::move(x));
  }
  if (rc != SQLITE_DONE) fail(m_impl->path, "cannot read samples (" + errmsg(m_impl->db.get()) + ")");
  return out;
}

std::vector<std::uint64_t> ResultsStore::stored_sample_keys(const std::string& kind) const {
  std::vector<std::uint64_t> out;
  StmtPtr s = prepare(m_impl->db.get(), m_impl->path, "SELECT key FROM samples WHERE kind = ? ORDER BY key");
  sqlite3_bind_text(s.get(), 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(from_db(sqlite3_column_int64(s.get(), 0)));
  return out;
}

void ResultsStore::record_run(const RunRecord& run) {
  Impl& im = *m_impl;
  StmtPtr s = prepare(im.db.get(), im.path,
                      "INSERT INTO runs(started_utc, threads, shard, trials_run, wall_s, trials_per_s) "
                      "VALUES (?,?,?,?,?,?)");
  sqlite3_bind_text(s.get(), 1, run.started_utc.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s.get(), 2, run.threads);
  sqlite3_bind_text(s.get(), 3, run.shard.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s.get(), 4, to_db(run.trials_run));
  sqlite3_bind_double(s.get(), 5, run.wall_seconds);
  sqlite3_bind_double(s.get(), 6, run.trials_per_second);
  if (sqlite3_step(s.get()) != SQLITE_DONE) fail(im.path, "cannot record run (" + errmsg(im.db.get()) + ")");
}

std::vector<RunRecord> ResultsStore::read_runs() const {
  std::vector<RunRecord> out;
  StmtPtr s =
      prepare(m_impl->db.get(), m_impl->path,
              "SELECT started_utc, threads, shard, trials_run, wall_s, trials_per_s FROM runs ORDER BY id");
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    RunRecord r;
    r.started_utc = column_text(s.get(), 0);
    r.threads = static_cast<std::uint32_t>(sqlite3_column_int64(s.get(), 1));
    r.shard = column_text(s.get(), 2);
    r.trials_run = from_db(sqlite3_column_int64(s.get(), 3));
    r.wall_seconds = sqlite3_column_double(s.get(), 4);
    r.trials_per_second = sqlite3_column_double(s.get(), 5);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace lockstep::sim
